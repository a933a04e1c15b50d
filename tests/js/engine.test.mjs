// The JavaScript engine's own building blocks: plain dates, instants read to the microsecond, local dates
// in a zone (also where clocks change at midnight or local dates go backwards), the order of events, and
// what the projection gives where docs/rules.md is the only reference.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  LocalDates, civilFromDays, daysFromCivil, formatDay, formatInstant, isTimeZone, localDay, offsetAt, parseDay,
  parseInstant, SECONDS_PER_DAY,
} from '../../pwa/lib/rules/dates.js';
import { decodeEvent } from '../../pwa/lib/rules/events.js';
import { compareText, order } from '../../pwa/lib/rules/facts.js';
import { contactHistory, logTimeZone, project, projection } from '../../pwa/lib/rules/project.js';
import { ZONES } from './generator.mjs';

const ev = (id, type, at, data) => decodeEvent(JSON.stringify({ id, type, v: 1, at, data }));

test('day numbers and dates go both ways, from year 1 to 9999, leap years included', () => {
  assert.equal(daysFromCivil(1970, 1, 1), 0);
  assert.equal(formatDay(daysFromCivil(2024, 2, 29) + 1), '2024-03-01');
  assert.equal(formatDay(daysFromCivil(2100, 2, 28) + 1), '2100-03-01');
  assert.equal(formatDay(daysFromCivil(2000, 2, 28) + 1), '2000-02-29');
  for (let day = daysFromCivil(1, 1, 1); day <= daysFromCivil(9999, 12, 31); day += 997) {
    const [y, m, d] = civilFromDays(day);
    assert.equal(daysFromCivil(y, m, d), day);
    assert.equal(parseDay(formatDay(day)), day);
  }
  assert.equal(formatDay(daysFromCivil(1, 1, 1)), '0001-01-01');
});

test('a date is strictly YYYY-MM-DD, and a real day', () => {
  for (const bad of ['2026-02-29', '2026-13-01', '0000-01-01', '2026-5-12', '20260512', '2026-05-12 ', '２０２６-05-12', null]) {
    assert.equal(parseDay(bad), null, bad);
  }
  assert.equal(parseDay('2024-02-29'), daysFromCivil(2024, 2, 29));
});

test('an instant is read to the microsecond: 7th digit rounds half up, carrying into the next day', () => {
  const at = parseInstant('2026-12-31T23:59:59.9999995+01:00');
  assert.deepEqual(at, { sec: daysFromCivil(2026, 12, 31) * SECONDS_PER_DAY + 23 * 3600, us: 0, offset: 3600 });
  assert.equal(formatInstant(at), '2027-01-01T00:00:00+01:00');
  assert.equal(parseInstant('2026-05-12T10:30:00.1234564Z').us, 123456);
  assert.equal(parseInstant('2026-05-12T10:30:00').offset, null);
  for (const bad of ['2026-05-12T24:00:00Z', '2026-05-12T10:30:60Z', '2026-05-12T10:30Z', '2026-05-12T10:30:00+24:00',
    '2026-05-12T10:30:00+02', '2026-05-12T10:30:00,5Z']) {
    assert.equal(parseInstant(bad), null, bad);
  }
});

test('time zone names are IANA names, as written', () => {
  for (const zone of ['Europe/Paris', 'UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', 'Asia/Calcutta', 'GMT']) {
    assert.ok(isTimeZone(zone), zone);
  }
  for (const zone of ['europe/paris', 'utc', '+02:00', '-05:00', 'Mars/Olympus', '', 'x'.repeat(65), 'GMT+5', 'PST', 'IST',
    'localtime', 'Factory']) {
    assert.ok(!isTimeZone(zone), zone);
  }
});

test('local dates computed a day at a time equal local dates computed one by one, across every clock change', () => {
  const zones = [...ZONES, 'America/St_Johns', 'America/Goose_Bay', 'Antarctica/Casey', 'Pacific/Apia'];
  for (const zone of zones) {
    // Every 20 minutes over four days around each change of 2026, and over the windows where local
    // dates went backwards (2010) or a whole day was skipped (Apia, 2011-12-30).
    const windows = [daysFromCivil(2010, 11, 5), daysFromCivil(2010, 3, 3), daysFromCivil(2011, 12, 28)];
    for (let day = daysFromCivil(2026, 1, 1); day < daysFromCivil(2027, 1, 1); day++) {
      if (offsetAt(zone, day * SECONDS_PER_DAY) !== offsetAt(zone, (day + 1) * SECONDS_PER_DAY)) windows.push(day - 1);
    }
    for (const from of windows) {
      const dates = new LocalDates(zone);
      for (let sec = from * SECONDS_PER_DAY; sec < (from + 4) * SECONDS_PER_DAY; sec += 1199) {
        assert.equal(dates.dayOf(sec), localDay(zone, sec), `${zone} at ${new Date(sec * 1000).toISOString()}`);
      }
    }
  }
});

test('offsets with seconds (local mean time) are kept to the second', () => {
  const paris1900 = daysFromCivil(1900, 6, 1) * SECONDS_PER_DAY;
  assert.equal(offsetAt('Europe/Paris', paris1900), 561); // +00:09:21, Paris mean time
});

test('ids compare by code point, as Python compares str', () => {
  const sorted = ['9', '10', 'a', 'Z', '\uE000', '😀', 'é', 'e'].sort(compareText);
  assert.deepEqual(sorted, ['10', '9', 'Z', 'a', 'e', 'é', '\uE000', '😀']);
});

test('events go in (at, id) order, each id once: the earliest, and at one instant the smallest encoding', () => {
  const a = ev('same', 'meeting_logged', '2026-05-12T10:00:00+02:00', { meeting: 'm-b', contacts: ['c1'] });
  const b = ev('same', 'meeting_logged', '2026-05-12T08:00:00Z', { meeting: 'm-a', contacts: ['c1'] });
  const later = ev('same', 'meeting_logged', '2026-05-12T08:00:01Z', { meeting: 'm-0', contacts: ['c1'] });
  const other = ev('a-first', 'job_found', '2026-05-12T08:00:00Z', {});
  for (const events of [[a, b, later, other], [later, other, b, a]]) {
    assert.deepEqual(order(events).map((item) => [item.event.id, item.event.data.meeting]), [['a-first', undefined], ['same', 'm-a']]);
  }
});

test('the log time zone is the latest setting in the whole log, whatever as_of (DESIGN.md §2, 2026-12)', () => {
  const log = [
    ev('s1', 'settings_changed', '2026-05-01T09:00:00+02:00', { timezone: 'Europe/Paris' }),
    ev('s2', 'settings_changed', '2026-05-21T09:00:00+14:00', { timezone: 'America/New_York' }), // the 20th in Paris
  ];
  assert.equal(logTimeZone(order(log)), 'America/New_York');
  assert.equal(project(log, '2026-05-20').timezone, 'America/New_York');
  assert.equal(project(log, '2026-05-19').timezone, 'America/New_York');
  assert.equal(project(log, '2026-04-01').timezone, 'America/New_York');
});

test('where local dates go backwards (St. John\'s, 2010-11-07 00:01), each event keeps its own local date', () => {
  // Both engines check it too: tests/js/edge-logs/local-date-backwards-st-johns
  const log = [
    ev('e1', 'idea_shared', '2010-11-07T00:00:30-02:30', { contact: 'c1' }),
    ev('e2', 'meeting_logged', '2010-11-06T23:30:00-03:30', { meeting: 'm1', contacts: ['c1'] }),
  ];
  const early = project(log, '2010-11-06', 'America/St_Johns');
  assert.deepEqual(early.obligations.map((o) => [o.id, o.due, o.status]), [['thank:m1:c1', '2010-11-07', 'upcoming']]);
  const late = project(log, '2010-11-30', 'America/St_Johns');
  assert.deepEqual(late.obligations.map((o) => [o.id, o.due, o.status]), [['thank:m1:c1', '2010-11-07', 'overdue']]);
  const history = contactHistory(projection(log, '2010-11-30', 'America/St_Johns'), 'c1');
  assert.deepEqual(history.events.map((e) => [e.id, e.date]), [['e1', '2010-11-07'], ['e2', '2010-11-06']]);
});

test('a contact id such as "__proto__" or "42" is a key like any other', () => {
  const log = [ev('e1', 'meeting_logged', '2026-05-12T10:00:00Z', { meeting: 'm', contacts: ['__proto__', '42', '7'] })];
  const doc = project(log, '2026-05-20', 'UTC');
  assert.ok(Object.hasOwn(doc.scores, '__proto__'));
  assert.deepEqual(Object.getPrototypeOf(doc.scores), Object.prototype);
  assert.deepEqual(doc.scores['42'], { owed_by_me: 0, owed_to_me: null });
  assert.equal(contactHistory(projection(log, '2026-05-20', 'UTC'), 'nobody'), null);
});

test('the projection refuses a bad as_of or time zone rather than guess', () => {
  assert.throws(() => project([], '2026-02-30', 'UTC'), RangeError);
  assert.throws(() => project([], '2026-02-01', 'Mars/Olympus'), RangeError);
});
