// The history's command builders (pwa/lib/commands.js): edit an event (event_corrected, its whole data, `at` only
// when it moves), remove one (event_retracted), bring a removed one back (logged again: a retraction cannot be
// retracted), merge two contacts (contacts_merged); each event what the decoder accepts, and read by the engine
// as the person meant (a moved meeting moves its thank; a removed thanks re-opens it; a merge joins, its removal
// splits).

process.env.TZ = 'Europe/Paris';

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CommandError, mergeContacts } from '../../pwa/lib/commands.js';
import { correctEvent, currentEvent, removeEvent, restoreEvent } from '../../pwa/lib/corrections.js';
import { decodeEvent, isCanonical } from '../../pwa/lib/rules/events.js';
import { contactHistory, project, projection } from '../../pwa/lib/rules/project.js';

const NOW = new Date('2026-05-20T10:00:00Z');

function ids(prefix = 'n') {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

function assertWire(events) {
  for (const event of events) {
    assert.ok(isCanonical(event), JSON.stringify(event));
    assert.deepEqual(decodeEvent(JSON.stringify(event)), event);
  }
}

const ev = (id, type, at, data) => decodeEvent(JSON.stringify({ id, type, v: 1, at, data }));

function baseLog() {
  return [
    ev('e1', 'contact_added', '2026-05-01T09:00:00+02:00', { contact: 'c-herve', name: 'Hervé Martin' }),
    ev('e2', 'contact_added', '2026-05-01T09:00:00+02:00', { contact: 'c-herve2', name: 'Herve Martin', email: 'h@example.org' }),
    ev('e3', 'contact_added', '2026-05-01T09:00:00+02:00', { contact: 'c-anne', name: 'Anne Leroy' }),
    ev('m1', 'meeting_logged', '2026-05-12T10:30:00+02:00', { meeting: 'm1', contacts: ['c-herve'], place: 'Café' }),
    ev('t1', 'thanks_sent', '2026-05-13T09:00:00+02:00', { contact: 'c-herve', meeting: 'm1', channel: 'email' }),
    ev('m2', 'meeting_logged', '2026-05-14T10:30:00+02:00', { meeting: 'm2', contacts: ['c-herve2'], host: 'me' }),
    ev('j1', 'job_found', '2026-05-15T12:00:00+02:00', { employer: 'Lumen' }),
  ];
}

const status = (log, id, asOf = '2026-05-20') => project(log, asOf, 'Europe/Paris').obligations.find((o) => o.id === id);

test('a meeting moved a week earlier: one event_corrected with its whole data and the new `at`; its thank moves', () => {
  const log = baseLog();
  const made = correctEvent(log, 'm1', { when: new Date('2026-05-05T08:30:00Z'), changes: { place: 'Son bureau', note: 'Bon accueil' } },
    { now: NOW, newId: ids() });
  assertWire(made);
  assert.equal(made.length, 1);
  assert.equal(made[0].type, 'event_corrected');
  assert.deepEqual(made[0].data, {
    event: 'm1', at: '2026-05-05T10:30:00+02:00',
    data: { meeting: 'm1', contacts: ['c-herve'], place: 'Son bureau', note: 'Bon accueil' },
  });
  assert.equal(status(log, 'thank:m1:c-herve').due, '2026-05-13');
  const after = [...log, ...made];
  assert.equal(status(after, 'thank:m1:c-herve').due, '2026-05-06');
  assert.equal(status(after, 'thank:m1:c-herve').grade, 'very_late'); // thanked on the 13th, a week after
  // the history says it was corrected, and when
  const history = contactHistory(projection(after, '2026-05-20', 'Europe/Paris'), 'c-herve');
  assert.deepEqual(history.changes.map((c) => [c.date, c.change, c.event]), [['2026-05-20', 'corrected', 'm1']]);
  // read again, the edit is the current one: the form opens on it, a second edit keeps what the first changed
  assert.equal(currentEvent(after, 'm1').data.place, 'Son bureau');
  const again = correctEvent(after, 'm1', { changes: { note: null } }, { now: NOW, newId: ids('x') });
  assert.deepEqual(again[0].data, { event: 'm1', data: { meeting: 'm1', contacts: ['c-herve'], place: 'Son bureau' } });
  assertWire(again);
});

test('the same time and data: nothing to save; an empty meeting, a meeting in the future, an unknown kind: refused', () => {
  const log = baseLog();
  const same = () => correctEvent(log, 'm1', { when: new Date('2026-05-12T08:30:00Z'), changes: { place: 'Café' } }, { now: NOW });
  assert.throws(same, (e) => e instanceof CommandError && e.key === 'history.error_unchanged');
  assert.throws(() => correctEvent(log, 'm1', { changes: { contacts: [] } }, { now: NOW }),
    (e) => e instanceof CommandError && e.key === 'log.error_who');
  assert.throws(() => correctEvent(log, 'm1', { when: new Date('2026-06-01T08:00:00Z') }, { now: NOW }),
    (e) => e instanceof CommandError && e.key === 'history.error_future');
  assert.throws(() => correctEvent(log, 'm1', { changes: { kind: 'lunch' } }, { now: NOW }),
    (e) => e instanceof CommandError && e.key === 'history.error_invalid');
  assert.throws(() => correctEvent(log, 'm1', { changes: { meeting: 'm9' } }, { now: NOW }),
    (e) => e instanceof CommandError && e.key === 'history.error_not_editable');
  assert.throws(() => correctEvent(log, 'e1', { changes: {} }, { now: NOW }),
    (e) => e instanceof CommandError && e.key === 'history.error_not_editable');
  assert.throws(() => correctEvent(log, 'nope', { changes: {} }, { now: NOW }),
    (e) => e instanceof CommandError && e.key === 'history.error_gone');
});

test('the people of a meeting, a referral, a thanks and a job can be edited; a default chosen again is left out', () => {
  const log = [...baseLog(),
    ev('r1', 'referral_given', '2026-05-12T10:30:00+02:00', { referral: 'r1', introducer: 'c-herve', referred: 'c-anne', meeting: 'm1' })];
  const people = correctEvent(log, 'm1', { changes: { contacts: ['c-herve', 'c-anne', 'c-herve'], host: 'me', kind: 'coffee' } },
    { now: NOW, newId: ids() });
  assertWire(people);
  assert.deepEqual(people[0].data.data, { meeting: 'm1', contacts: ['c-herve', 'c-anne'], host: 'me', kind: 'coffee', place: 'Café' });
  assert.ok(status([...log, ...people], 'thank:m1:c-anne')); // now owed to Anne too
  const host = correctEvent(log, 'm2', { changes: { host: 'them' } }, { now: NOW, newId: ids() });
  assert.deepEqual(host[0].data.data, { meeting: 'm2', contacts: ['c-herve2'] }); // 'them' is the default
  const referral = correctEvent(log, 'r1', { changes: { referred: 'c-herve2', note: 'via LinkedIn' } }, { now: NOW, newId: ids() });
  assert.deepEqual(referral[0].data.data, { referral: 'r1', introducer: 'c-herve', referred: 'c-herve2', meeting: 'm1', note: 'via LinkedIn' });
  const thanks = correctEvent(log, 't1', { when: new Date('2026-05-12T18:00:00Z'), changes: { channel: 'letter' } }, { now: NOW, newId: ids() });
  assert.equal(thanks[0].data.at, '2026-05-12T20:00:00+02:00');
  assert.equal(status([...log, ...thanks], 'thank:m1:c-herve').grade, 'early');
  const job = correctEvent(log, 'j1', { changes: { job: 'Product designer', employer: '' } }, { now: NOW, newId: ids() });
  assert.deepEqual(job[0].data.data, { job: 'Product designer' });
  for (const made of [referral, thanks, job]) assertWire(made);
});

test('removing a thanks re-opens the thank; bringing it back logs it again (a retraction cannot be retracted)', () => {
  const log = baseLog();
  assert.equal(status(log, 'thank:m1:c-herve').status, 'done');
  const removed = removeEvent(log, 't1', { at: NOW, newId: ids('r') });
  assertWire(removed);
  assert.deepEqual(removed.map((e) => [e.type, e.data]), [['event_retracted', { event: 't1' }]]);
  const after = [...log, ...removed];
  assert.equal(status(after, 'thank:m1:c-herve').status, 'overdue');
  assert.equal(currentEvent(after, 't1'), null);
  assert.throws(() => removeEvent(after, 't1', { at: NOW }), (e) => e instanceof CommandError && e.key === 'history.error_gone');
  const back = restoreEvent(after, 't1', { at: NOW, newId: ids('b') });
  assertWire(back);
  assert.deepEqual(back.map((e) => [e.id, e.type, e.at, e.data]),
    [['b-1', 'thanks_sent', '2026-05-13T09:00:00+02:00', { contact: 'c-herve', meeting: 'm1', channel: 'email' }]]);
  assert.equal(status([...after, ...back], 'thank:m1:c-herve').status, 'done');
  assert.deepEqual(restoreEvent(log, 't1', { at: NOW }), []); // not removed: nothing to bring back
  assert.throws(() => removeEvent(log, 'e1', { at: NOW }), (e) => e instanceof CommandError && e.key === 'history.error_not_removable');
});

test('a removed event that had been edited comes back as edited', () => {
  const log = baseLog();
  const edit = correctEvent(log, 'm1', { changes: { place: 'Son bureau' } }, { now: NOW, newId: ids('c') });
  const removed = removeEvent([...log, ...edit], 'm1', { at: NOW, newId: ids('r') });
  const back = restoreEvent([...log, ...edit, ...removed], 'm1', { at: NOW, newId: ids('b') });
  assert.equal(back[0].data.place, 'Son bureau');
  assert.equal(back[0].data.meeting, 'm1'); // the same meeting: its thank is the same obligation, thanked already
  assert.equal(status([...log, ...edit, ...removed, ...back], 'thank:m1:c-herve').status, 'done');
});

test('merging two contacts joins their histories; removing the merge splits them again', () => {
  const log = baseLog();
  assert.throws(() => mergeContacts('c-herve', 'c-herve'), (e) => e instanceof CommandError && e.key === 'merge.error_same');
  assert.throws(() => mergeContacts('c-herve2', 'c-herve', { merged: new Map([['c-herve2', 'c-x']]) }),
    (e) => e instanceof CommandError && e.key === 'merge.error_merged');
  const merge = mergeContacts('c-herve2', 'c-herve', { at: NOW, newId: ids('g') });
  assertWire(merge);
  assert.deepEqual(merge[0].data, { from: 'c-herve2', into: 'c-herve' });
  const after = [...log, ...merge];
  const joined = contactHistory(projection(after, '2026-05-20', 'Europe/Paris'), 'c-herve');
  assert.ok(joined.events.some((e) => e.id === 'm2'));
  assert.equal(joined.fields.email, 'h@example.org'); // what only the merged-away card had fills in
  assert.ok(status(after, 'thank:m2:c-herve')); // m2's thank, now owed by Hervé (host me: owed to me)
  const split = removeEvent(after, 'g-1', { at: NOW, newId: ids('r') });
  const apart = [...after, ...split];
  assert.ok(!contactHistory(projection(apart, '2026-05-20', 'Europe/Paris'), 'c-herve').events.some((e) => e.id === 'm2'));
  assert.ok(status(apart, 'thank:m2:c-herve2'));
  // the Undo of that removal merges them again
  const again = restoreEvent(apart, 'g-1', { at: NOW, newId: ids('b') });
  assert.deepEqual(again.map((e) => [e.type, e.data]), [['contacts_merged', { from: 'c-herve2', into: 'c-herve' }]]);
});

test('a correction names contacts as logged, not as merged: undoing the merge later splits them right', () => {
  const log = [...baseLog(), ...mergeContacts('c-herve2', 'c-herve', { at: NOW, newId: ids('g') })];
  assert.deepEqual(currentEvent(log, 'm2').data.contacts, ['c-herve2']);
  const edit = correctEvent(log, 'm2', { changes: { place: 'Lyon' } }, { now: NOW, newId: ids('c') });
  assert.deepEqual(edit[0].data.data.contacts, ['c-herve2']);
});
