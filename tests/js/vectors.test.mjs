// Every shared vector and scenario through the JavaScript engine, in-process, compared as
// ../shared/tools/check_scenarios.py compares the CLI's output.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { readLog } from '../../pwa/lib/rules/events.js';
import { project } from '../../pwa/lib/rules/project.js';
import { differences, ROOT, SHARED, vectors } from './helpers.mjs';

const VECTORS = vectors();

test('there are vectors: tests/vectors holds them all, the shared scenarios copied in', () => {
  assert.ok(VECTORS.filter((v) => v.name.startsWith('vectors/')).length >= 60);
  for (const name of ['greetings-season', 'seed-helper', 'seed-mentee', 'thank-timing']) {
    assert.ok(VECTORS.some((v) => v.name === `vectors/${name}`), `tests/vectors/${name} is missing`);
  }
});

const NO_SHARED = existsSync(join(SHARED, 'scenarios')) ? false : '../shared is not beside this clone (CI has it)';

test('the shared scenarios are copied in tests/vectors unchanged', { skip: NO_SHARED }, () => {
  for (const name of readdirSync(join(SHARED, 'scenarios'))) {
    const copy = join(ROOT, 'tests', 'vectors', name);
    assert.ok(existsSync(copy), `${name} is not copied into tests/vectors/`);
    assert.ok(readFileSync(copy).equals(readFileSync(join(SHARED, 'scenarios', name))), `tests/vectors/${name} differs`);
  }
});

for (const { name, log, expected } of VECTORS) {
  test(`vector ${name}`, () => {
    const document = project(readLog(readFileSync(log)), expected.as_of, expected.timezone);
    assert.equal(document.as_of, expected.as_of);
    assert.equal(document.timezone, expected.timezone);
    assert.deepEqual(differences(document, expected), []);
    if (expected.tz_from_log) {
      // the vector checks the log's own time zone too: replayed with no zone given, the same document
      assert.deepEqual(project(readLog(readFileSync(log)), expected.as_of), document);
    }
  });
}

test('the comparison itself catches a wrong answer', () => {
  const expected = {
    obligations: [{ id: 'a', rule: 'thank', debtor: 'me', creditor: 'c', due: '2026-01-02', status: 'done',
      grade: 'on_time', done_on: '2026-01-02', trigger: 'e1' }],
    overall: { owed_by_me: 1.0, owed_to_me: null },
    scores: { c: { owed_by_me: 1.0 } },
  };
  const right = {
    obligations: [{ ...expected.obligations[0], snoozed_until: null }],
    overall: { owed_by_me: 1, owed_to_me: null },
    scores: { c: { owed_by_me: 1, owed_to_me: null } },
  };
  assert.deepEqual(differences(right, expected), []);
  const spoilt = (change) => {
    const copy = structuredClone(right);
    change(copy);
    return differences(copy, expected);
  };
  assert.deepEqual(spoilt((d) => { d.obligations[0].grade = 'late'; }), ['a.grade: got "late", want "on_time"']);
  assert.deepEqual(spoilt((d) => { d.obligations[0].trigger = 'e2'; }), ['a.trigger: got "e2", want "e1"']);
  assert.deepEqual(spoilt((d) => { d.obligations.push({ ...d.obligations[0], id: 'b' }); }), ['unexpected b (done)']);
  assert.deepEqual(spoilt((d) => { d.obligations = []; }), ['missing a']);
  assert.deepEqual(spoilt((d) => { d.overall.owed_by_me = 0.5; }), ['overall.owed_by_me: got 0.5, want 1']);
  assert.deepEqual(spoilt((d) => { d.scores = {}; }), ['scores.c.owed_by_me: got null, want 1']);
});
