// Corrections, retractions and merges in the JavaScript engine (prepass.js; docs/rules.md "The pre-pass"): the
// same behaviour tests/unit/test_prepass.py checks in Python — a merged contact's record, the history of a
// merged-away id, the changes a history lists — and the obligation ids a merge rewrites.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodeEvent } from '../../pwa/lib/rules/events.js';
import { mergedObligationId } from '../../pwa/lib/rules/prepass.js';
import { contactHistory, projection } from '../../pwa/lib/rules/project.js';

let serial = 0;
function ev(type, day, data, id = null) {
  serial += 1;
  return decodeEvent(JSON.stringify({ id: id ?? `e${String(serial).padStart(3, '0')}`, type, v: 1, at: `${day}T10:00:00Z`, data }));
}

function mergedLog() {
  serial = 0;
  return [
    ev('contact_added', '2026-05-01', { contact: 'c-herve', name: 'Hervé', org: 'BPI' }),
    ev('meeting_logged', '2026-05-04', { meeting: 'm1', contacts: ['c-herve'] }),
    ev('contact_added', '2026-05-06', { contact: 'c-herve-2', name: 'Herve D.', email: 'herve@example.org', org: 'Other', tags: ['fintech'] }),
    ev('meeting_logged', '2026-05-11', { meeting: 'm2', contacts: ['c-herve-2'] }),
    ev('contacts_merged', '2026-05-20', { from: 'c-herve-2', into: 'c-herve' }, 'merge'),
    ev('contact_updated', '2026-05-25', { contact: 'c-herve-2', name: 'Someone else' }),
  ];
}

test('into keeps its own record and takes only what it lacks; the merged-away id answers its history', () => {
  const p = projection(mergedLog(), '2026-05-31', 'UTC');
  const history = contactHistory(p, 'c-herve');
  assert.equal(history.name, 'Hervé');
  assert.deepEqual(history.fields, { name: 'Hervé', org: 'BPI', email: 'herve@example.org', tags: ['fintech'] });
  assert.deepEqual([...p.scores.keys()], ['c-herve']);
  const merged = contactHistory(p, 'c-herve-2');
  assert.equal(merged.contact, 'c-herve');
  assert.deepEqual(merged.events.map((e) => e.id), ['e001', 'e002', 'e003', 'e004', 'merge', 'e006']);
  assert.deepEqual(merged.obligations.map((o) => o.id), ['thank:m1:c-herve', 'thank:m2:c-herve']);
});

test('retracting the merge splits the records and says so in both histories', () => {
  const log = [...mergedLog(), ev('event_retracted', '2026-05-28', { event: 'merge' }, 'split')];
  const p = projection(log, '2026-05-31', 'UTC');
  for (const contact of ['c-herve', 'c-herve-2']) {
    assert.deepEqual(contactHistory(p, contact).changes,
      [{ date: '2026-05-28', change: 'retracted', by: 'split', event: 'merge', type: 'contacts_merged' }]);
  }
  assert.equal(contactHistory(p, 'c-herve-2').name, 'Someone else');
});

test('a history lists the corrections and retractions that touched the contact, with their own dates', () => {
  serial = 0;
  const log = [
    ev('meeting_logged', '2026-05-12', { meeting: 'm1', contacts: ['c-anne'] }, 'meeting'),
    ev('thanks_sent', '2026-05-13', { contact: 'c-anne', channel: 'email', meeting: 'm1' }, 'thanks'),
    ev('meeting_logged', '2026-05-14', { meeting: 'm2', contacts: ['c-paul'] }, 'other'),
    ev('event_corrected', '2026-06-02', { event: 'meeting', at: '2026-05-11T10:00:00Z', data: { meeting: 'm1', contacts: ['c-anne'] } }, 'fix'),
    ev('event_retracted', '2026-06-03', { event: 'thanks' }, 'undo'),
    ev('event_corrected', '2026-06-04', { event: 'other', data: { meeting: 'm2', contacts: ['c-anne'] } }, 'move'),
    ev('event_retracted', '2026-06-05', { event: 'move' }, 'undo-move'),
  ];
  const p = projection(log, '2026-05-31', 'UTC');
  const changes = contactHistory(p, 'c-anne').changes;
  assert.deepEqual(changes, [
    { date: '2026-06-02', change: 'corrected', by: 'fix', event: 'meeting', type: 'meeting_logged' },
    { date: '2026-06-03', change: 'retracted', by: 'undo', event: 'thanks', type: 'thanks_sent' },
    { date: '2026-06-05', change: 'retracted', by: 'undo-move', event: 'move', type: 'event_corrected' },
  ]);
  assert.deepEqual(contactHistory(p, 'c-paul').changes, [changes[2]]);
  assert.equal(p.obligations.find((o) => o.id === 'thank:m1:c-anne').due, daysOf('2026-05-12'));
});

function daysOf(text) {
  return Math.floor(Date.parse(`${text}T00:00:00Z`) / 86400000);
}

test('an obligation id names its contact in the rule\'s own place', () => {
  const merged = new Map([['a', 'b']]);
  assert.equal(mergedObligationId('thank:m1:a', merged), 'thank:m1:b');
  assert.equal(mergedObligationId('announce:job-1:a', merged), 'announce:job-1:b');
  assert.equal(mergedObligationId('greetings:2026:a', merged), 'greetings:2026:b');
  assert.equal(mergedObligationId('nurture:a:2026-08-01', merged), 'nurture:b:2026-08-01');
  assert.equal(mergedObligationId('report:a', merged), 'report:a');
  assert.equal(mergedObligationId('thank:a:m1', merged), 'thank:a:m1');
  assert.equal(mergedObligationId('constructor:x:a', merged), 'constructor:x:a');
});
