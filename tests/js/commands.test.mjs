// The app's command builders (pwa/lib/commands.js): what a form holds -> the events to record, each one what
// the decoder (and so the server) accepts, in the order they replay; a form that cannot be saved says why.

process.env.TZ = 'Europe/Paris'; // the device's zone, which `at` carries as its offset: pinned, not the machine's

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CommandError, greetingsSent, jobFound, limit, logMeeting, makeEvent, nextDay, notificationAction, retractedIds, undo, unsnooze,
} from '../../pwa/lib/commands.js';
import { CATALOGUE } from '../../pwa/lib/catalogue.js';
import { EventError, decodeEvent, isCanonical } from '../../pwa/lib/rules/events.js';

const NOW = new Date('2026-05-12T08:35:00Z');
const AT = new Date('2026-05-12T08:30:00Z'); // 10:30 in Paris

function ids() {
  let n = 0;
  return () => `id-${++n}`;
}

function form(overrides = {}) {
  return {
    people: [{ id: 'c-herve', name: 'Hervé', isNew: false }], at: AT, host: 'them', kind: 'coffee', place: '', note: '',
    received: [], given: [], referral: null, ...overrides,
  };
}

/** Each event is the decoder's canonical form of itself: exactly what the server stores and sends back. */
function assertWire(events) {
  for (const event of events) {
    assert.ok(isCanonical(event));
    assert.deepEqual(decodeEvent(JSON.stringify(event)), event);
  }
}

test('a meeting with a new person, names received and given: contacts first, then the meeting, then the referrals', () => {
  const events = logMeeting(form({
    people: [{ id: 'c-herve', name: 'Hervé', isNew: false }, { id: 'c-new', name: 'Anne', isNew: true, email: ' anne@example.org ' }],
    host: 'me', place: '  Café de la Paix ', note: ' deux noms ',
    received: [{ name: 'Paul Lemaire', who: 'c-herve' }, { name: 'anne', who: 'c-herve' }],
    given: [{ name: 'Marc', who: 'c-new' }, { name: 'hervé', who: 'c-new' }],
  }), { known: [{ id: 'c-marc', name: 'Marc' }], now: NOW, newId: ids() });
  assertWire(events);
  assert.deepEqual(events.map((e) => [e.id, e.type, e.data]), [
    ['id-1', 'contact_added', { contact: 'c-new', name: 'Anne', email: 'anne@example.org' }],
    ['id-5', 'contact_added', { contact: 'id-4', name: 'Paul Lemaire' }], // a name nobody has: a new contact
    ['id-9', 'meeting_logged', { meeting: 'id-2', contacts: ['c-herve', 'c-new'], host: 'me', kind: 'coffee',
      place: 'Café de la Paix', note: 'deux noms' }],
    ['id-10', 'referral_given', { referral: 'id-3', introducer: 'c-herve', referred: 'id-4', meeting: 'id-2' }],
    ['id-11', 'referral_given', { referral: 'id-6', introducer: 'c-herve', referred: 'c-new', meeting: 'id-2' }], // "anne"
    ['id-12', 'referral_made', { referral: 'id-7', to: 'c-new', referred: 'c-marc', meeting: 'id-2' }], // a known name
    ['id-13', 'referral_made', { referral: 'id-8', to: 'c-new', referred: 'c-herve', meeting: 'id-2' }],
  ]);
  assert.ok(events.every((e) => e.at === '2026-05-12T10:30:00+02:00'));
  assert.equal(new Set(events.map((e) => e.id)).size, events.length);
});

test('the default host is left out, as the server writes it', () => {
  const [meeting] = logMeeting(form(), { now: NOW, newId: ids() });
  assert.deepEqual(meeting.data, { meeting: 'id-1', contacts: ['c-herve'], kind: 'coffee' });
  assert.equal(meeting.id, 'id-2');
});

test('"We met" with a referred person also records the referral\'s outcome, last', () => {
  const events = logMeeting(form({ referral: 'r-1' }), { now: NOW, newId: ids() });
  assertWire(events);
  assert.deepEqual(events.map((e) => e.type), ['meeting_logged', 'referral_outcome']);
  assert.deepEqual(events[1].data, { referral: 'r-1', outcome: 'meeting_obtained', meeting: events[0].data.meeting });
});

test('a form that cannot be saved says why, and which input to fix', () => {
  const refused = (changes, options = {}) => {
    try {
      logMeeting(form(changes), { now: NOW, newId: ids(), ...options });
    } catch (error) {
      assert.ok(error instanceof CommandError, String(error));
      return [error.key, error.params, error.input];
    }
    return assert.fail('saved');
  };
  const most = CATALOGUE.types.meeting_logged.data.find((f) => f.name === 'contacts').type.max;
  const crowd = (n) => Array.from({ length: n }, (_, i) => ({ id: `p${i}`, name: `P ${i}`, isNew: false }));
  assert.deepEqual(refused({ people: [] }), ['log.error_who', {}, 'who']);
  assert.deepEqual(refused({ people: crowd(most + 1) }), ['log.error_too_many', { max: 50 }, 'who']);
  assert.equal(logMeeting(form({ people: crowd(most) }), { now: NOW, newId: ids() })[0].data.contacts.length, 50);
  assert.deepEqual(refused({ at: null }), ['log.error_when', {}, 'at']);
  assert.deepEqual(refused({ at: new Date(NaN) }), ['log.error_when', {}, 'at']);
  assert.deepEqual(refused({ at: new Date(NOW.getTime() + 61_000) }), ['log.error_future', {}, 'at']);
  assert.equal(logMeeting(form({ at: new Date(NOW.getTime() + 60_000) }), { now: NOW, newId: ids() }).length, 1);
});

test('what the decoder refuses is never made: the EventError names the field', () => {
  const long = 'x'.repeat(limit('contact_added', 'name').max + 1);
  assert.throws(() => logMeeting(form({ people: [{ id: 'c-long', name: long, isNew: true }] }), { now: NOW, newId: ids() }),
    (error) => error instanceof EventError && error.field === 'data.name');
  assert.throws(() => makeEvent('meeting_logged', { meeting: 'a:b', contacts: ['c'] }, AT, 'e1'),
    (error) => error instanceof EventError && error.field === 'data.meeting');
  assert.throws(() => makeEvent('no_such_type', {}, AT, 'e1'), (error) => error instanceof EventError && error.field === 'type');
});

test('limits are the catalogue\'s, hence events/types.py\'s', () => {
  assert.deepEqual(limit('meeting_logged', 'note'), { kind: 'str', min: 0, max: 4000 });
  assert.equal(limit('contact_added', 'email').max, 254);
  assert.deepEqual([limit('settings_changed', 'cadence_days').ge, limit('settings_changed', 'cadence_days').le], [0, 3650]);
  assert.throws(() => limit('meeting_logged', 'nope'), TypeError);
});

test('a reminder\'s "Done" records what the server said it means, "Snooze a day" until the day after today', () => {
  const message = { done: { type: 'thanks_sent', data: { contact: 'c-herve', meeting: 'm1', channel: 'email' } },
    obligation: 'thank:m1:c-herve' };
  const done = notificationAction(message, 'done', { today: '2026-12-31', at: AT, newId: ids() });
  const snoozed = notificationAction(message, 'snooze', { today: '2026-12-31', at: AT, newId: ids() });
  assertWire([done, snoozed]);
  assert.deepEqual([done.type, done.data], ['thanks_sent', message.done.data]);
  assert.deepEqual([snoozed.type, snoozed.data], ['obligation_snoozed', { obligation: 'thank:m1:c-herve', until: '2027-01-01' }]);
  assert.equal(notificationAction(message, '', { today: '2026-12-31' }), null);
  assert.equal(notificationAction({}, 'done', { today: '2026-12-31' }), null);
  assert.deepEqual(['2026-02-28', '2028-02-28', '2026-03-29'].map(nextDay), ['2026-03-01', '2028-02-29', '2026-03-30']);
});

// --- undo, un-snooze, greetings for all ---------------------------------------------------------------------

test('undo retracts each recorded event, the last recorded first, each one a checked event', () => {
  const meeting = logMeeting(form({ people: [{ id: 'c-new', name: 'Anne', isNew: true }] }), { now: NOW, newId: ids() });
  const retractions = undo(meeting, { at: NOW, newId: () => 'r' });
  assertWire(retractions);
  assert.deepEqual(retractions.map((e) => [e.type, e.data.event]), meeting.reverse().map((e) => ['event_retracted', e.id]));
  assert.throws(() => undo([]), (error) => error instanceof CommandError && error.key === 'undo.error_nothing');
});

test('un-snooze retracts the snoozes still in effect of that obligation only', () => {
  const make = ids();
  const first = makeEvent('obligation_snoozed', { obligation: 'thank:m:c', until: '2026-05-13' }, AT, make());
  const second = makeEvent('obligation_snoozed', { obligation: 'thank:m:c', until: '2026-05-20' }, AT, make());
  const other = makeEvent('obligation_snoozed', { obligation: 'thank:m:d', until: '2026-05-20' }, AT, make());
  const gone = makeEvent('event_retracted', { event: first.id }, AT, make());
  const log = [first, second, other, gone];
  assert.deepEqual(retractedIds(log), new Set([first.id]));
  const events = unsnooze(log, 'thank:m:c', { at: NOW, newId: () => 'u' });
  assertWire(events);
  assert.deepEqual(events.map((e) => e.data), [{ event: second.id }]);
  assert.throws(() => unsnooze([...log, ...events], 'thank:m:c'),
    (error) => error instanceof CommandError && error.key === 'today.error_not_snoozed');
});

test('greetings for all: one greetings_sent naming each person once', () => {
  const [event] = greetingsSent(['c-a', 'c-b', 'c-a'], { at: NOW, newId: () => 'g' });
  assertWire([event]);
  assert.deepEqual(event.data, { contacts: ['c-a', 'c-b'], channel: 'email' });
  assert.throws(() => greetingsSent([]), (error) => error.key === 'today.error_no_greetings');
  const many = Array.from({ length: limit('greetings_sent', 'contacts').max + 1 }, (_, i) => `c-${i}`);
  assert.throws(() => greetingsSent(many), (error) => error.key === 'log.error_too_many');
});

test('a job found records its title, employer and day (the rule\'s D): today at now, an earlier day at noon', () => {
  const [today] = jobFound({ job: ' Product designer ', employer: 'Lumen', day: '' }, { now: NOW, newId: () => 'j' });
  assertWire([today]);
  assert.deepEqual(today.data, { job: 'Product designer', employer: 'Lumen' });
  assert.equal(today.at, '2026-05-12T10:35:00+02:00');
  const [before] = jobFound({ job: '', employer: '', day: '2026-05-09' }, { now: NOW, newId: () => 'j' });
  assert.deepEqual(before.data, {});
  assert.equal(before.at, '2026-05-09T12:00:00+02:00');
  assert.throws(() => jobFound({ day: '2026-05-13' }, { now: NOW }), (error) => error.key === 'job.error_future');
  assert.throws(() => jobFound({ day: '12/05/2026' }, { now: NOW }), (error) => error.key === 'job.error_day');
});
