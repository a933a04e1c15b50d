// Both engines, one answer: `node pwa/cli.mjs` and `.venv/bin/merci` print the same document for every
// vector and for a few hundred random logs (tests/js/generator.mjs), byte for byte: the replay, the
// histories, and the stories (`--story` JSON and `--format text`, events/story.py and story.js).
//
// Every vector runs both CLIs as processes. Starting Python costs ~0.3 s of CPU, so the random logs run
// each CLI's own main() in-process (pwa/cli.mjs's, and server.cli's through tests/js/merci_many.py),
// with the same arguments and the same output; a sample of them also runs as real processes, to show the
// two ways print the same.
//
// MERCI_RANDOM_LOGS (default 300), MERCI_RANDOM_SEED (default 1) and MERCI_SUBPROCESS_LOGS (default 12)
// choose the logs; a failure names the seed and keeps the log. tests/js/edge-logs/ holds logs at the edges
// both engines must agree on; tests/js/disagreements/ the known disagreements, reported as TODO, not as
// failures, until both engines agree (each NAME.ndjson with NAME.json {runs: [[args...]], reason}).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { main } from '../../pwa/cli.mjs';
import { generateLog } from './generator.mjs';
import { HAS_PYTHON, PYTHON, ROOT, js, pool, py, run, vectors } from './helpers.mjs';

const COUNT = Number(process.env.MERCI_RANDOM_LOGS ?? 300);
const SEED = Number(process.env.MERCI_RANDOM_SEED ?? 1);
const SUBPROCESS = Number(process.env.MERCI_SUBPROCESS_LOGS ?? 12);
const skip = !HAS_PYTHON && 'the Python engine (.venv/bin/merci) is not installed';

/** Where two replay documents differ, in a few lines a person can read. */
function explain(a, b) {
  let mine;
  let theirs;
  try {
    mine = JSON.parse(a.stdout);
    theirs = JSON.parse(b.stdout);
  } catch {
    return [`javascript: exit ${a.code} ${a.stderr.trim() || a.stdout.slice(0, 200)}`,
      `python:     exit ${b.code} ${b.stderr.trim() || b.stdout.slice(0, 200)}`];
  }
  const lines = [];
  for (const key of ['as_of', 'timezone', 'overall']) {
    if (JSON.stringify(mine[key]) !== JSON.stringify(theirs[key])) lines.push(`${key}: ${JSON.stringify(mine[key])} vs ${JSON.stringify(theirs[key])}`);
  }
  const byId = (doc) => new Map((doc.obligations ?? []).map((o) => [o.id, JSON.stringify(o)]));
  const [ours, python] = [byId(mine), byId(theirs)];
  for (const id of new Set([...ours.keys(), ...python.keys()])) {
    if (ours.get(id) !== python.get(id)) lines.push(`${id}:\n    javascript ${ours.get(id)}\n    python     ${python.get(id)}`);
  }
  if (lines.length === 0) lines.push('same values, different bytes or order');
  return lines.slice(0, 8);
}

/** null if two runs {code, stdout, stderr} agree, else what differs. */
function agree(a, b) {
  if (a.code === b.code && a.stdout === b.stdout && a.stderr === b.stderr) {
    if (a.code === 0 && a.stdout.startsWith('{')) assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout));
    return null;
  }
  return explain(a, b);
}

/** Run both CLIs as processes with the same arguments: null if they agree, else what differs. */
async function compare(args) {
  const [a, b] = await Promise.all([js(args), py(args)]);
  return agree(a, b);
}

/** pwa/cli.mjs's main() in this process. */
function jsInProcess(args) {
  let stdout = '';
  let stderr = '';
  const code = main(args, { stdout: { write: (s) => { stdout += s; } }, stderr: { write: (s) => { stderr += s; } } });
  return { code, stdout, stderr };
}

/** server.cli's main() for every argument list, in as many Python processes as there are CPUs. */
async function pyInProcess(argvs) {
  const chunks = [];
  const size = Math.ceil(argvs.length / 2);
  for (let i = 0; i < argvs.length; i += size) chunks.push(argvs.slice(i, i + size));
  const done = await Promise.all(chunks.map((chunk) => run(PYTHON, ['tests/js/merci_many.py'], { input: JSON.stringify(chunk) })));
  return done.flatMap((d) => {
    assert.equal(d.code, 0, d.stderr);
    return JSON.parse(d.stdout).map(([code, stdout, stderr]) => ({ code, stdout, stderr }));
  });
}

/**
 * Run every case ({label, args}) through both CLIs in-process, and a sample of them as real processes
 * too; returns what disagrees. Keeps nothing: the caller owns the files.
 */
async function crossCheck(cases) {
  for (const c of cases) c.ours = jsInProcess(c.args);
  const theirs = await pyInProcess(cases.map((c) => c.args));
  const failed = [];
  cases.forEach((c, i) => {
    const problem = agree(c.ours, theirs[i]);
    if (problem) failed.push(`${c.label} (${c.args.join(' ')}):\n  ${problem.join('\n  ')}`);
  });
  // The in-process runs print what the real programs print.
  const step = Math.max(1, Math.floor(cases.length / SUBPROCESS));
  const sample = cases.map((c, i) => [c, i]).filter(([, i]) => i % step === 0).slice(0, SUBPROCESS);
  const real = await pool(sample, async ([c]) => Promise.all([js(c.args), py(c.args)]));
  sample.forEach(([c, i], k) => {
    for (const [name, a, b] of [['javascript', real[k][0], c.ours], ['python', real[k][1], theirs[i]]]) {
      const problem = agree(a, b);
      if (problem) failed.push(`${c.label}: ${name} as a process and in-process differ:\n  ${problem.join('\n  ')}`);
    }
  });
  return failed;
}

test('both engines print the same replay for every vector, with and without --tz, every history and story', { skip }, async () => {
  const cases = [];
  for (const { name, log, expected } of vectors()) {
    const asOf = ['--as-of', expected.as_of];
    cases.push({ label: name, args: ['replay', log, ...asOf, '--tz', expected.timezone, '--json'] });
    cases.push({ label: name, args: ['replay', log, ...asOf, '--json'] });
    cases.push({ label: name, args: ['replay', log, ...asOf] });
    cases.push({ label: name, args: ['replay', log, ...asOf, '--story'] });
    cases.push({ label: name, args: ['replay', log, ...asOf, '--format', 'text'] });
    for (const contact of Object.keys(expected.scores ?? {})) {
      cases.push({ label: name, args: ['history', log, contact, ...asOf, '--json'] });
      cases.push({ label: name, args: ['history', log, contact, ...asOf, '--story'] });
      cases.push({ label: name, args: ['history', log, contact, ...asOf] });
    }
  }
  assert.deepEqual((await crossCheck(cases)).slice(0, 5), []);
});

test(`both engines print the same replay for ${COUNT} random logs (seed ${SEED})`, { skip }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'merci-random-'));
  const cases = [];
  for (let seed = SEED; seed < SEED + COUNT; seed++) {
    const { lines, asOf, tz } = generateLog(seed);
    const log = join(folder, `seed-${seed}.ndjson`);
    writeFileSync(log, `${lines.join('\n')}\n`);
    const args = ['replay', log, '--as-of', asOf, ...(tz ? ['--tz', tz] : []), '--json'];
    cases.push({ label: `seed ${seed}`, args });
    // every relationship's story (the JSON holds each contact's timeline, counts, months and brief), and
    // now and then the same in words
    cases.push({ label: `seed ${seed}`, args: [...args.slice(0, -1), '--story'] });
    if (seed % 3 === 0) cases.push({ label: `seed ${seed}`, args: [...args.slice(0, -1), '--format', 'text'] });
    // Now and then, one relationship too: the counterpart of the first obligation, if any.
    const ours = jsInProcess(args);
    const first = ours.code === 0 ? JSON.parse(ours.stdout).obligations[0] : undefined;
    // (every other seed when the log corrects, retracts or merges: histories list those changes)
    const changes = lines.some((line) => /"type":"(event_corrected|event_retracted|contacts_merged)"/.test(line));
    if (first && (seed % 5 === 0 || (changes && seed % 2 === 0))) {
      const contact = first.debtor === 'me' ? first.creditor : first.debtor;
      cases.push({ label: `seed ${seed}`, args: ['history', log, contact, ...args.slice(2, -1), '--json'] });
    }
  }
  const failed = await crossCheck(cases);
  if (failed.length === 0) rmSync(folder, { recursive: true, force: true });
  assert.deepEqual(failed.slice(0, 5), [], `${failed.length} disagreements (the logs are kept in ${folder})`);
});

/** The logs of a folder: [{name, log, runs, reason}] (NAME.ndjson with NAME.json {runs: [[args...]], reason}). */
function logsIn(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((n) => n.endsWith('.ndjson')).sort().map((name) => {
    const base = name.slice(0, -'.ndjson'.length);
    return { name: base, log: join(folder, name), ...JSON.parse(readFileSync(join(folder, `${base}.json`), 'utf8')) };
  });
}

async function disagreements({ log, runs }) {
  const found = [];
  for (const args of runs) {
    const problem = await compare(['replay', log, ...args]);
    if (problem) found.push(`${args.join(' ')}:\n  ${problem.join('\n  ')}`);
  }
  return found;
}

// Logs at the edges (clocks, ids), kept once both engines agreed on them.
for (const edge of logsIn(join(ROOT, 'tests', 'js', 'edge-logs'))) {
  test(`both engines agree on ${edge.name}`, { skip }, async () => {
    assert.deepEqual(await disagreements(edge), []);
  });
}

// Known disagreements: TODO until both engines agree (then move the case to edge-logs/).
for (const known of logsIn(join(ROOT, 'tests', 'js', 'disagreements'))) {
  test(`known disagreement ${known.name}`, { skip, todo: known.reason }, async () => {
    assert.deepEqual(await disagreements(known), [], 'the engines still disagree');
  });
}
