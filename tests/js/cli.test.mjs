// `node pwa/cli.mjs replay` and `history` as a person runs them: real files, stdin, every error path
// (one clear line on stderr, exit 2 for usage, 3 for a bad log, never a stack trace), and the same
// words as `merci` for each of those errors.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { main } from '../../pwa/cli.mjs';
import { HAS_PYTHON, PYTHON, js, pool, run } from './helpers.mjs';

const ev = (id, type, at, data) => ({ id, type, v: 1, at, data });

// Paris, spring 2026, replayed as of 2026-06-01 (the log of tests/unit/test_cli.py).
const LOG = [
  ev('e01', 'settings_changed', '2026-05-01T09:00:00+02:00', { timezone: 'Europe/Paris' }),
  ev('e02', 'contact_added', '2026-05-10T09:00:00+02:00', { contact: 'c-herve', name: 'Hervé' }),
  ev('e03', 'meeting_logged', '2026-05-12T10:00:00+02:00', { meeting: 'm1', contacts: ['c-herve'] }),
  ev('e04', 'referral_given', '2026-05-12T11:00:00+02:00', { referral: 'r1', introducer: 'c-herve', referred: 'c-anne' }),
  ev('e05', 'thanks_sent', '2026-05-13T09:00:00+02:00', { contact: 'c-herve', meeting: 'm1', channel: 'email' }),
  ev('e06', 'contact_added', '2026-05-14T09:00:00+02:00', { contact: 'c-anne', name: 'Anne' }),
  ev('e07', 'meeting_logged', '2026-05-20T15:00:00+02:00', { meeting: 'm2', contacts: ['c-anne'], host: 'me' }),
  ev('e08', 'meeting_logged', '2026-05-30T10:00:00+02:00', { meeting: 'm3', contacts: ['c-marc'] }),
  ev('e09', 'meeting_logged', '2026-05-31T10:00:00+02:00', { meeting: 'm4', contacts: ['c-zoe', 'c-paul'] }),
  ev('e10', 'meeting_logged', '2026-06-01T10:00:00+02:00', { meeting: 'm5', contacts: ['c-lea'] }),
  ev('e11', 'meeting_logged', '2026-06-03T10:00:00+02:00', { meeting: 'm6', contacts: ['c-herve'] }),
];
const AS_OF = '2026-06-01';
const KEYS = ['id', 'rule', 'debtor', 'creditor', 'due', 'status', 'grade', 'done_on', 'snoozed_until', 'trigger'];

const folder = mkdtempSync(join(tmpdir(), 'merci-cli-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;

function writeLog(events, raw = null) {
  const path = join(folder, `log-${files++}.ndjson`);
  writeFileSync(path, raw ?? events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return path;
}

const log = writeLog(LOG);

async function replay(...args) {
  const done = await js(['replay', ...args, '--json']);
  assert.equal(done.code, 0, done.stderr);
  return JSON.parse(done.stdout);
}

async function failed(args, options) {
  const done = await js(args, options);
  assert.notEqual(done.code, 0);
  assert.equal(done.stdout, '');
  assert.doesNotMatch(done.stderr, /\n\s+at /, 'a stack trace');
  return done;
}

test('replay --json has the documented shape, keys in the documented order', async () => {
  const doc = await replay(log, '--as-of', AS_OF);
  assert.deepEqual(Object.keys(doc), ['as_of', 'timezone', 'obligations', 'scores', 'overall']);
  assert.equal(doc.as_of, AS_OF);
  assert.equal(doc.timezone, 'Europe/Paris');
  for (const o of doc.obligations) assert.deepEqual(Object.keys(o), KEYS);
  for (const sides of [doc.overall, ...Object.values(doc.scores)]) assert.deepEqual(Object.keys(sides), ['owed_by_me', 'owed_to_me']);
});

test('replay says what is owed as of that day, both ways, with scores', async () => {
  const doc = await replay(log, '--as-of', AS_OF);
  const got = Object.fromEntries(doc.obligations.map((o) => [o.id, o]));
  assert.deepEqual(got['thank:m1:c-herve'], { id: 'thank:m1:c-herve', rule: 'thank', debtor: 'me', creditor: 'c-herve',
    due: '2026-05-13', status: 'done', grade: 'on_time', done_on: '2026-05-13', snoozed_until: null, trigger: 'e03' });
  assert.deepEqual([got['thank:m2:c-anne'].debtor, got['thank:m2:c-anne'].status], ['c-anne', 'overdue']);
  assert.deepEqual([got['report:r1'].due, got['report:r1'].status], ['2026-05-20', 'overdue']);
  assert.equal(got['thank:m4:c-paul'].status, 'due');
  assert.equal(got['thank:m5:c-lea'].status, 'upcoming');
  assert.ok(!('thank:m6:c-herve' in got), 'dated after as_of');
  assert.deepEqual(doc.overall, { owed_by_me: 1 / 3, owed_to_me: 0 });
  assert.deepEqual(doc.scores['c-herve'], { owed_by_me: 0.5, owed_to_me: null });
  assert.deepEqual(doc.scores['c-lea'], { owed_by_me: null, owed_to_me: null });
});

test('scores are printed as floats, as the Python CLI prints them', async () => {
  const done = await js(['replay', log, '--as-of', AS_OF, '--json']);
  assert.match(done.stdout, /"c-anne":\{"owed_by_me":null,"owed_to_me":0\.0\}/);
  assert.match(done.stdout, /"overall":\{"owed_by_me":0\.3333333333333333,"owed_to_me":0\.0\}\}\n$/);
});

test('obligations are sorted by due then id; the order of lines does not matter', async () => {
  const forward = await replay(log, '--as-of', AS_OF);
  const keys = forward.obligations.map((o) => [o.due, o.id]);
  assert.deepEqual(keys, [...keys].sort((a, b) => a[0].localeCompare(b[0]) || (a[1] < b[1] ? -1 : 1)));
  assert.deepEqual(await replay(writeLog([...LOG].reverse()), '--as-of', AS_OF), forward);
});

test('--tz overrides the log time zone; a log without one is replayed in UTC', async () => {
  const path = writeLog([...LOG.slice(0, 2), ev('x1', 'meeting_logged', '2026-05-13T00:30:00+02:00', { meeting: 'mx', contacts: ['c-herve'] })]);
  const due = async (...tz) => (await replay(path, '--as-of', AS_OF, ...tz)).obligations.find((o) => o.id === 'thank:mx:c-herve').due;
  assert.equal(await due(), '2026-05-14');
  assert.equal(await due('--tz', 'America/New_York'), '2026-05-13');
  assert.equal((await replay(writeLog(LOG.slice(1, 3)), '--as-of', AS_OF)).timezone, 'UTC');
});

test('as_of defaults to today in the log time zone, or in the --tz given, by the clock main is given', () => {
  const noonUtcJune3 = Date.UTC(2026, 5, 3, 12); // June 3 in Paris (14:00), already June 4 in Kiritimati
  for (const [want, args] of [['2026-06-03', []], ['2026-06-04', ['--tz', 'Pacific/Kiritimati']]]) {
    let stdout = '';
    const io = { now: () => noonUtcJune3, stdout: { write: (text) => { stdout += text; } }, stderr: process.stderr };
    assert.equal(main(['replay', log, ...args, '--json'], io), 0);
    assert.equal(JSON.parse(stdout).as_of, want);
  }
});

test('the log can come from standard input, and names stay UTF-8', async () => {
  const done = await js(['replay', '-', '--as-of', AS_OF, '--json'], { input: writeLogContent(LOG) });
  assert.deepEqual(JSON.parse(done.stdout), await replay(log, '--as-of', AS_OF));
  const accented = writeLog([ev('a', 'meeting_logged', '2026-05-12T10:00:00Z', { meeting: 'm', contacts: ['c-hervé'] })]);
  assert.match((await js(['replay', accented, '--as-of', AS_OF, '--json'])).stdout, /thank:m:c-hervé/);
});

function writeLogContent(events) {
  return events.map((e) => `${JSON.stringify(e)}\n`).join('');
}

test('an empty log replays to nothing', async () => {
  assert.deepEqual(await replay(writeLog([], ''), '--as-of', AS_OF), {
    as_of: AS_OF, timezone: 'UTC', obligations: [], scores: {}, overall: { owed_by_me: null, owed_to_me: null },
  });
});

test('the table groups overdue first, then due, upcoming, done, with names', async () => {
  const out = (await js(['replay', log, '--as-of', AS_OF])).stdout;
  assert.ok(out.startsWith('Merci replay as of 2026-06-01 (Europe/Paris)'));
  assert.deepEqual(out.split('\n').filter((line) => /^[A-Z]+ \(\d+\)$/.test(line)), ['OVERDUE (3)', 'DUE (2)', 'UPCOMING (1)', 'DONE (1)']);
  assert.match(out, /Anne → me/);
  assert.match(out, /on_time on 2026-05-13/);
  assert.match(out, /overall +33%/);
});

test('history shows one relationship both ways', async () => {
  const done = await js(['history', log, 'c-anne', '--as-of', AS_OF, '--json']);
  const history = JSON.parse(done.stdout);
  assert.deepEqual([history.contact, history.name, history.archived], ['c-anne', 'Anne', null]);
  assert.deepEqual(history.events.map((e) => e.id), ['e04', 'e06', 'e07']);
  assert.deepEqual(history.events.map((e) => e.date), ['2026-05-12', '2026-05-14', '2026-05-20']);
  assert.deepEqual(history.obligations.map((o) => o.id), ['thank:m2:c-anne']);
  assert.deepEqual(history.scores, { owed_by_me: null, owed_to_me: 0 });
  const text = (await js(['history', log, 'c-herve', '--as-of', AS_OF])).stdout;
  assert.ok(text.startsWith('Hervé [c-herve]'));
  assert.match(text, /2026-05-13 {2}thanks_sent/);
  assert.match(text, /owed by me 50%/);
  assert.doesNotMatch(text, /2026-06-03/);
});

// --- every error: one clear line, a non-zero exit, no stack trace -----------------------------------

test('a missing file, a folder, a bad --as-of or --tz: exit 2 and one line', async () => {
  const sub = join(folder, 'sub');
  mkdirSync(sub, { recursive: true });
  const cases = [
    [['replay', join(folder, 'nope.ndjson'), '--as-of', AS_OF], 'nope.ndjson: no such file'],
    [['replay', sub, '--as-of', AS_OF], 'is a folder'],
    [['replay', log, '--as-of', '2026-02-30'], "--as-of: '2026-02-30' is not a date"],
    [['replay', log, '--as-of', 'yesterday'], "--as-of: 'yesterday' is not a date"],
    [['replay', log, '--as-of', AS_OF, '--tz', 'Mars/Olympus'], "--tz: unknown time zone 'Mars/Olympus'"],
    [['replay', log, '--as-of', AS_OF, '--tz', 'paris'], 'unknown time zone'],
    [['replay', log, '--as-of', AS_OF, '--tz', '+02:00'], 'unknown time zone'],
    [['history', log, 'c-nobody', '--as-of', AS_OF], "no contact has the id or a name matching 'c-nobody' in"],
  ];
  const runs = await pool(cases, ([args]) => failed(args));
  for (const [i, [, says]] of cases.entries()) {
    const done = runs[i];
    assert.equal(done.code, 2, done.stderr);
    assert.ok(done.stderr.includes(says), `${done.stderr} does not say ${says}`);
    assert.equal(done.stderr.trim().split('\n').length, 1);
  }
});

test('a malformed line is named by its number: exit 3', async () => {
  const lines = LOG.slice(0, 5).map((e) => JSON.stringify(e));
  lines[2] = lines[2].replace('"contacts"', '"mood":1,"contacts"');
  const path = writeLog([], `${lines.join('\n')}\n`);
  const done = await failed(['replay', path, '--as-of', AS_OF, '--json']);
  assert.equal(done.code, 3);
  assert.equal(done.stderr, `merci: ${path}: line 3: unknown field \`mood\` in \`data\`\n`);
  for (const [line, says] of [
    ['{not json', 'not valid JSON'],
    ['{"id": "x", "type": "meeting_logged", "v": 2, "at": "2026-05-12T10:00:00Z", "data": {}}', 'unsupported version'],
    ['{"id": "x", "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:00:00", "data": {"meeting": "m", "contacts": ["c"]}}', 'UTC offset'],
    ['[1, 2]', 'JSON object'],
  ]) {
    const stdin = await failed(['replay', '-', '--as-of', AS_OF], { input: [JSON.stringify(LOG[0]), '', line].join('\n') });
    assert.equal(stdin.code, 3);
    assert.match(stdin.stderr, /^merci: -: line 3: /);
    assert.ok(stdin.stderr.includes(says), stdin.stderr);
  }
  assert.match((await failed(['history', writeLog([], `${JSON.stringify(LOG[0])}\n{\n`), 'c-herve', '--as-of', AS_OF])).stderr, /line 2/);
});

test('a log that is not UTF-8 is a bad line, with its number', async () => {
  const path = join(folder, 'latin1.ndjson');
  writeFileSync(path, Buffer.from(`${JSON.stringify(LOG[1])}\n`, 'latin1'));
  const done = await failed(['replay', path, '--as-of', AS_OF]);
  assert.equal(done.code, 3);
  assert.match(done.stderr, /line 1: not valid UTF-8/);
});

test('a missing argument or an unknown option is a usage error: exit 2', async () => {
  const argvs = [[], ['replay'], ['history', log], ['replay', log, '--nope'], ['replay', log, '--tz'], ['bogus']];
  for (const done of await pool(argvs, (args) => failed(args))) {
    assert.equal(done.code, 2);
    assert.match(done.stderr, /^usage: merci/);
  }
  assert.equal((await js(['replay', '--help'])).code, 0);
});

test('each error says what `merci` says, in the same words; a name finds the same contact', { skip: !HAS_PYTHON && 'no .venv/bin/python' }, async () => {
  const bad = writeLog([], `${JSON.stringify(LOG[0])}\n\n{"id": "x", "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:00:00", "data": {}}\n`);
  const argvs = [
    [], ['replay'], ['history'], ['history', log], ['replay', log, '--nope'], ['replay', log, 'extra'],
    ['replay', log, '--tz'], ['replay', log, '--as-of'], ['replay', log, '--json=1'],
    ['replay', join(folder, 'nope.ndjson'), '--as-of', AS_OF], ['replay', folder, '--as-of', AS_OF],
    ['replay', log, '--as-of', '2026-13-01'], ['replay', log, '--as-of', '01/06/2026'],
    ['replay', log, '--as-of', AS_OF, '--tz', 'paris'], ['replay', log, '--as-of', AS_OF, '--tz', "O'Higgins"],
    ['replay', bad, '--as-of', AS_OF], ['history', bad, 'c', '--as-of', AS_OF],
    ['history', log, 'c-nobody', '--as-of', AS_OF], ['history', log, "c'quote", '--as-of', AS_OF],
    ['replay', log, '--as-of', '20260601', '--js'], ['replay', log, '--as-of', '2026-W23-1', '--json'],
    ['replay', log, '--as-of', '2026-06-01', '--tz', 'PST'], ['replay', log, '--as-of=2026-06-01', '--tz=UTC', '--json'],
    ['replay', log, '--format', 'story'], ['replay', log, '--format'], ['replay', log, '--json', '--story'],
    ['history', log, 'c', '--story', '--json'], ['history', log, 'c', '--format', 'text'], ['replay', log, '--story=1'],
    // a name for an id, as the app's search finds it: found (the whole output compared), several, none, nothing
    ['history', log, 'herve', '--as-of', AS_OF], ['history', log, 'HERVÉ', '--as-of', AS_OF, '--json'],
    ['history', log, 'marc', '--as-of', AS_OF], ['history', log, 'c', '--as-of', AS_OF],
    ['history', log, 'zz', '--as-of', AS_OF], ['history', log, '', '--as-of', AS_OF],
  ];
  const python = await run(PYTHON, ['tests/js/merci_many.py'], { input: JSON.stringify(argvs) }); // one process
  assert.equal(python.code, 0, python.stderr);
  const theirs = JSON.parse(python.stdout);
  const ours = await pool(argvs, (argv) => js(argv));
  for (const [i, argv] of argvs.entries()) {
    assert.deepEqual([ours[i].code, ours[i].stdout, ours[i].stderr], theirs[i], `merci ${argv.join(' ')}`);
  }
});
