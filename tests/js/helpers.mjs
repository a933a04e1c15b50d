// What the JavaScript tests share: where things are, the vectors, the comparison check_scenarios.py
// makes, and running a command (many at once, as many as there are CPUs).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(ROOT, '..', 'shared');
export const CLI = join(ROOT, 'pwa', 'cli.mjs');
export const MERCI = process.env.MERCI ?? join(ROOT, '.venv', 'bin', 'merci');
export const PYTHON = process.env.MERCI_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
export const HAS_PYTHON = existsSync(MERCI) && existsSync(PYTHON);

/** Every NAME.ndjson with its NAME.expected.json, in tests/vectors/ and ../shared/scenarios/. */
export function vectors() {
  const found = [];
  for (const folder of [join(ROOT, 'tests', 'vectors'), join(SHARED, 'scenarios')]) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort()) {
      if (!name.endsWith('.ndjson')) continue;
      const base = name.slice(0, -'.ndjson'.length);
      const expected = join(folder, `${base}.expected.json`);
      if (!existsSync(expected)) continue;
      found.push({
        name: `${folder.split('/').pop()}/${base}`,
        log: join(folder, name),
        expected: JSON.parse(readFileSync(expected, 'utf8')),
      });
    }
  }
  return found;
}

const FIELDS = ['id', 'rule', 'debtor', 'creditor', 'due', 'status', 'grade', 'done_on'];

function close(got, want) {
  if (got == null || want == null) return got == null && want == null;
  return Math.abs(Number(got) - Number(want)) < 1e-3;
}

const show = (value) => JSON.stringify(value ?? null);

/** What ../shared/tools/check_scenarios.py would complain about (an empty list: it passes). */
export function differences(document, expected) {
  const problems = [];
  const got = new Map(document.obligations.map((o) => [o.id, o]));
  const want = new Map(expected.obligations.map((o) => [o.id, o]));
  for (const [id, w] of want) {
    const g = got.get(id);
    if (g === undefined) {
      problems.push(`missing ${id}`);
      continue;
    }
    for (const key of [...FIELDS, ...Object.keys(w).filter((k) => !FIELDS.includes(k))]) {
      if ((g[key] ?? null) !== (w[key] ?? null)) problems.push(`${id}.${key}: got ${show(g[key])}, want ${show(w[key])}`);
    }
  }
  for (const [id, g] of got) if (!want.has(id)) problems.push(`unexpected ${id} (${g.status})`);
  for (const [side, value] of Object.entries(expected.overall ?? {})) {
    if (!close(document.overall?.[side], value)) {
      problems.push(`overall.${side}: got ${show(document.overall?.[side])}, want ${show(value)}`);
    }
  }
  for (const [contact, sides] of Object.entries(expected.scores ?? {})) {
    for (const [side, value] of Object.entries(sides)) {
      const g = Object.hasOwn(document.scores, contact) ? document.scores[contact][side] : undefined;
      if (!close(g, value)) problems.push(`scores.${contact}.${side}: got ${show(g)}, want ${show(value)}`);
    }
  }
  return problems;
}

/** Run a command: {code, stdout, stderr} (stdout and stderr as strings). */
export function run(command, args, { input = null, cwd = ROOT } = {}) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => done({
      code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
    }));
    child.stdin.end(input ?? undefined);
  });
}

/** `node pwa/cli.mjs ARGS` */
export const js = (args, options) => run(process.execPath, [CLI, ...args], options);

/** `.venv/bin/merci ARGS` */
export const py = (args, options) => run(MERCI, args, options);

/** Run `work(item)` for every item, at most `limit` at a time; results in the items' order. */
export async function pool(items, work, limit = Math.max(2, availableParallelism())) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
