// Every shared vector and scenario through the JavaScript engine, in-process, compared as
// ../shared/tools/check_scenarios.py compares the CLI's output.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { readLog } from '../../pwa/lib/rules/events.js';
import { project } from '../../pwa/lib/rules/project.js';
import { differences, vectors } from './helpers.mjs';

const VECTORS = vectors();

test('there are vectors: the 54 of tests/vectors and the shared scenarios', () => {
  assert.ok(VECTORS.filter((v) => v.name.startsWith('vectors/')).length >= 54);
  assert.ok(VECTORS.some((v) => v.name.startsWith('scenarios/')), '../shared/scenarios is not there');
});

for (const { name, log, expected } of VECTORS) {
  test(`vector ${name}`, () => {
    const document = project(readLog(readFileSync(log)), expected.as_of, expected.timezone);
    assert.equal(document.as_of, expected.as_of);
    assert.equal(document.timezone, expected.timezone);
    assert.deepEqual(differences(document, expected), []);
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
