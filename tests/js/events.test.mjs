// The wire format v1 decoder in JavaScript: every way an event can be wrong is refused with a message
// naming the field, exactly as the server words it; every valid event comes out in its canonical form,
// byte for byte what the server writes back. The last tests put thousands of lines (hand-made and
// fuzzed) through both decoders.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CATALOGUE } from '../../pwa/lib/catalogue.js';
import { EVENT_TYPES, EventError, LogError, decodeEvent, readLog } from '../../pwa/lib/rules/events.js';
import { random } from './generator.mjs';
import { HAS_PYTHON, PYTHON, ROOT, run } from './helpers.mjs';

const AT = '2026-05-12T10:30:00+02:00';

function event(type = 'meeting_logged', data = undefined, top = {}) {
  return { id: 'ev-1', type, v: 1, at: AT, data: data ?? { meeting: 'm1', contacts: ['c-herve'] }, ...top };
}

function refused(raw) {
  try {
    decodeEvent(typeof raw === 'string' ? raw : JSON.stringify(raw));
  } catch (error) {
    assert.ok(error instanceof EventError, `not an EventError: ${error}`);
    return error;
  }
  return assert.fail(`accepted: ${typeof raw === 'string' ? raw : JSON.stringify(raw)}`);
}

const EXAMPLES = {
  contact_added: { contact: 'c-herve', name: 'Hervé', email: 'herve@example.org', phone: '+33 6 12', org: 'Cabinet',
    title: 'Associé', tags: ['mentor', 'bpi'], note: 'ancien camarade', cadence_days: 60 },
  contact_updated: { contact: 'c-herve', org: null, title: 'Directeur', cadence_days: null },
  contact_archived: { contact: 'c-herve' },
  meeting_logged: { meeting: 'm1', contacts: ['c-herve', 'c-anne'], host: 'me', kind: 'coffee', place: 'Café de la Paix',
    note: 'deux noms' },
  referral_given: { referral: 'r1', introducer: 'c-herve', referred: 'c-anne', meeting: 'm1', note: 'de sa part' },
  referral_made: { referral: 'r2', to: 'c-paul', referred: 'c-marc', meeting: 'm2', note: 'x' },
  referral_outcome: { referral: 'r1', outcome: 'declined', meeting: 'm3' },
  thanks_sent: { contact: 'c-herve', channel: 'letter', meeting: 'm1', note: 'merci' },
  thanks_received: { contact: 'c-paul', meeting: 'm2', channel: 'message', note: 'merci à toi' },
  introducer_informed: { referral: 'r1', channel: 'call', note: 'rdv obtenu' },
  update_received: { referral: 'r2', channel: 'in_person', note: "ça s'est bien passé" },
  job_found: { job: 'Product manager', employer: 'ACME', note: 'CDI' },
  job_announced: { contact: 'c-herve', channel: 'email', note: 'grâce à toi' },
  idea_shared: { contact: 'c-herve', idea: 'un article', link: 'https://example.org/a', note: 'n' },
  greetings_sent: { contacts: ['c-herve', 'c-anne'], channel: 'letter', note: 'bonne année' },
  obligation_snoozed: { obligation: 'thank:m1:c-herve', until: '2026-05-20' },
  obligation_dismissed: { obligation: 'report:r1', reason: 'il a changé de poste' },
  settings_changed: { timezone: 'Europe/Paris', reminder_hour: 8, cadence_days: 45, language: 'fr' },
  // corrections, retractions, merges and ideas (2026-12)
  event_corrected: { event: 'ev-0', at: '2026-05-11T10:30:00+02:00',
    data: { meeting: 'm1', contacts: ['c-herve'], place: 'Café', kind: null, cadence_days: 3 } },
  event_retracted: { event: 'ev-0', reason: 'logged twice' },
  contacts_merged: { from: 'c-herve-2', into: 'c-herve' },
  idea_saved: { idea: 'i1', title: 'Fintech report', link: 'https://example.org/r', tags: ['fintech'], note: 'for Paul' },
};

test('the examples cover the 22 types of the catalogue', () => {
  assert.deepEqual(Object.keys(EXAMPLES).sort(), EVENT_TYPES);
  assert.equal(EVENT_TYPES.length, 22);
});

test('every type decodes to its canonical form: type first, data in schema order, nothing lost', () => {
  for (const [type, data] of Object.entries(EXAMPLES)) {
    const decoded = decodeEvent(JSON.stringify(event(type, data, { id: `id-${type}` })));
    assert.deepEqual(Object.keys(decoded), ['type', 'data', 'id', 'v', 'at']);
    assert.equal(decoded.type, type);
    assert.deepEqual(decoded.data, data);
    assert.deepEqual(decodeEvent(JSON.stringify(decoded)), decoded, 'decoding is idempotent');
  }
});

test('defaults are left out, as the server writes them; a null that clears a field is kept', () => {
  const meeting = decodeEvent(JSON.stringify(event('meeting_logged', { meeting: 'm', contacts: ['c'], host: 'them', kind: null })));
  assert.deepEqual(meeting.data, { meeting: 'm', contacts: ['c'] });
  const updated = decodeEvent(JSON.stringify(event('contact_updated', { contact: 'c1', org: null })));
  assert.deepEqual(updated.data, { contact: 'c1', org: null });
  const added = decodeEvent(JSON.stringify(event('contact_added', { contact: 'c1', name: 'A', tags: [], note: null })));
  assert.deepEqual(added.data, { contact: 'c1', name: 'A', tags: [] });
});

test('`at` is kept to the microsecond at its offset, UTC written Z, more digits rounded half up', () => {
  const at = (text) => decodeEvent(JSON.stringify(event(undefined, undefined, { at: text }))).at;
  assert.equal(at('2026-05-12T10:30:00+02:00'), '2026-05-12T10:30:00+02:00');
  assert.equal(at('2026-05-12t10:30:00z'), '2026-05-12T10:30:00Z');
  assert.equal(at('2026-05-12 10:30:00-00:00'), '2026-05-12T10:30:00Z');
  assert.equal(at('2026-05-12T10:30:00.1+0530'), '2026-05-12T10:30:00.100000+05:30');
  assert.equal(at('2026-05-12T10:30:00.1234565Z'), '2026-05-12T10:30:00.123457Z');
  assert.equal(at('2026-05-12T10:30:00.12345649Z'), '2026-05-12T10:30:00.123456Z');
  assert.equal(at('2026-12-31T23:59:59.9999999+01:00'), '2027-01-01T00:00:00+01:00');
});

test('server fields are accepted and kept', () => {
  const decoded = decodeEvent(JSON.stringify(event(undefined, undefined,
    { seq: 42, recorded_at: '2026-05-12T08:31:02.123456+00:00', device: 'd-phone' })));
  assert.equal(decoded.seq, 42);
  assert.equal(decoded.recorded_at, '2026-05-12T08:31:02.123456Z');
  assert.equal(decoded.device, 'd-phone');
});

test('ids of 64 characters are accepted, counted in characters, not UTF-16 units', () => {
  assert.equal(decodeEvent(JSON.stringify(event(undefined, { meeting: 'm', contacts: ['😀'.repeat(64)] }, { id: 'x'.repeat(64) }))).id,
    'x'.repeat(64));
  assert.equal(refused(event(undefined, { meeting: 'm', contacts: ['😀'.repeat(65)] })).field, 'data.contacts[0]');
});

// --- what is refused, and how it is said -----------------------------------------------------------

const KNOWN = EVENT_TYPES.join(', ');

const REFUSED = [
  ['an unknown type', event('meeting_cancelled'), 'type', `unknown event type 'meeting_cancelled' (known: ${KNOWN})`],
  ['a type that is not a string', event(5), 'type', `unknown event type 5 (known: ${KNOWN})`],
  ['a missing type', { id: 'a', v: 1 }, 'type', 'missing field `type`'],
  ['an unknown version', event(undefined, undefined, { v: 2 }), 'v', 'unsupported version 2 of meeting_logged (this server reads version 1)'],
  ['version 0', event(undefined, undefined, { v: 0 }), 'v', 'unsupported version 0 of meeting_logged (this server reads version 1)'],
  ['a missing version', { id: 'a', type: 'job_found' }, 'v', 'missing field `v` (the schema version, 1 for now)'],
  ['a version as a string', event(undefined, undefined, { v: '1' }), 'v', '`v` must be an integer, not a string'],
  ['a version as a boolean', event(undefined, undefined, { v: true }), 'v', '`v` must be an integer, not a boolean'],
  ['a version written 1.0', JSON.stringify(event()).replace('"v":1', '"v":1.0'), 'v', '`v` must be an integer, not a number'],
  ['an unknown top-level field', event(undefined, undefined, { colour: 'blue' }), 'colour', 'unknown field `colour`'],
  ['an unknown data field', event(undefined, { meeting: 'm1', contacts: ['c1'], mood: 'great' }), 'data.mood', 'unknown field `mood` in `data`'],
  ['a missing id', { type: 'job_found', v: 1, at: AT, data: {} }, 'id', 'missing required field `id`'],
  ['a missing at', { type: 'job_found', v: 1, id: 'a', data: {} }, 'at', 'missing required field `at`'],
  ['a missing data', { type: 'job_found', v: 1 }, 'data', 'missing required field `data`'],
  ['a missing meeting', event(undefined, { contacts: ['c1'] }), 'data.meeting', 'missing required field `meeting` in `data`'],
  ['a missing channel', event('thanks_sent', { contact: 'c1' }), 'data.channel', 'missing required field `channel` in `data`'],
  ['a wrong host', event(undefined, { meeting: 'm1', contacts: ['c1'], host: 'us' }), 'data.host',
    "`data.host`: invalid value 'us' (expected one of: them, me)"],
  ['a wrong kind', event(undefined, { meeting: 'm1', contacts: ['c1'], kind: "it's" }), 'data.kind',
    '`data.kind`: invalid value "it\'s" (expected one of: meeting, call, video, coffee, event)'],
  ['a wrong outcome', event('referral_outcome', { referral: 'r1', outcome: 'hired' }), 'data.outcome',
    "`data.outcome`: invalid value 'hired' (expected one of: meeting_obtained, declined, no_answer)"],
  ['a wrong language', event('settings_changed', { language: 'de' }), 'data.language',
    "`data.language`: invalid value 'de' (expected one of: fr, en)"],
  ['an empty id', event(undefined, undefined, { id: '' }), 'id', '`id`: expected a non-empty string'],
  ['an id of 65', event(undefined, undefined, { id: 'x'.repeat(65) }), 'id', '`id`: expected a string of at most 64 characters'],
  ['a second contact of 65', event(undefined, { meeting: 'm1', contacts: ['c1', 'x'.repeat(65)] }), 'data.contacts[1]',
    '`data.contacts[1]`: expected a string of at most 64 characters'],
  ['an empty referral', event('referral_given', { referral: '', introducer: 'c1', referred: 'c2' }), 'data.referral',
    '`data.referral`: expected a non-empty string'],
  ['at without an offset', event(undefined, undefined, { at: '2026-05-12T10:30:00' }), 'at',
    '`at`: expected a date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00'],
  ['at as a date', event(undefined, undefined, { at: '2026-05-12' }), 'at',
    '`at`: expected an ISO 8601 date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00'],
  ['at on February 30', event(undefined, undefined, { at: '2026-02-30T10:00:00Z' }), 'at',
    '`at`: expected an ISO 8601 date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00'],
  ['at as a number', event(undefined, undefined, { at: 1747038600 }), 'at', '`at`: expected `datetime`, got `int`'],
  ['at before 1900', event(undefined, undefined, { at: '1899-12-31T23:59:59.5Z' }), 'at',
    '`at`: 1899-12-31T23:59:59.500000+00:00 is out of range (years 1900 to 2999)'],
  ['at written in 3000', event(undefined, undefined, { at: '3000-01-01T00:30:00+01:00' }), 'at',
    '`at`: 3000-01-01T00:30:00+01:00 is out of range (years 1900 to 2999)'],
  ['at rounded into 3000', event(undefined, undefined, { at: '2999-12-31T23:59:59.9999999Z' }), 'at',
    '`at`: 3000-01-01T00:00:00+00:00 is out of range (years 1900 to 2999)'],
  ['a legacy ICU zone id', event('settings_changed', { timezone: 'PST' }), 'data.timezone',
    "`data.timezone`: unknown time zone 'PST' (expected an IANA name such as Europe/Paris)"],
  ['a machine-specific zone', event('settings_changed', { timezone: 'localtime' }), 'data.timezone',
    "`data.timezone`: unknown time zone 'localtime' (expected an IANA name such as Europe/Paris)"],
  ['a bad snooze date', event('obligation_snoozed', { obligation: 'thank:m1:c1', until: '2026-02-30' }), 'data.until',
    '`data.until`: expected a date such as 2026-05-12'],
  ['a snooze date as a number', event('obligation_snoozed', { obligation: 'x', until: 5 }), 'data.until',
    '`data.until`: expected `date`, got `int`'],
  ['a reminder hour of 24', event('settings_changed', { reminder_hour: 24 }), 'data.reminder_hour',
    '`data.reminder_hour`: expected `int` <= 23'],
  ['a negative cadence', event('contact_added', { contact: 'c1', name: 'A', cadence_days: -1 }), 'data.cadence_days',
    '`data.cadence_days`: expected `int` >= 0'],
  ['a cadence as a string', event('contact_added', { contact: 'c1', name: 'A', cadence_days: '3' }), 'data.cadence_days',
    '`data.cadence_days`: expected `int | null`, got `str`'],
  ['an unknown time zone', event('settings_changed', { timezone: 'Mars/Olympus_Mons' }), 'data.timezone',
    "`data.timezone`: unknown time zone 'Mars/Olympus_Mons' (expected an IANA name such as Europe/Paris)"],
  ['a time zone in the wrong case', event('settings_changed', { timezone: 'europe/paris' }), 'data.timezone',
    "`data.timezone`: unknown time zone 'europe/paris' (expected an IANA name such as Europe/Paris)"],
  ['an offset as a time zone', event('settings_changed', { timezone: '+02:00' }), 'data.timezone',
    "`data.timezone`: unknown time zone '+02:00' (expected an IANA name such as Europe/Paris)"],
  ['no contacts', event(undefined, { meeting: 'm1', contacts: [] }), 'data.contacts', '`data.contacts`: expected `array` of length >= 1'],
  ['contacts as a string', event(undefined, { meeting: 'm1', contacts: 'c1' }), 'data.contacts', '`data.contacts`: expected `array`, got `str`'],
  ['a seq of 0', event(undefined, undefined, { seq: 0 }), 'seq', '`seq`: expected `int` >= 1'],
  ['data as null', event(undefined, undefined, { data: null }), 'data', '`data`: expected `object`, got `null`'],
  ['a name cleared by null', event('contact_updated', { contact: 'c', name: null }), 'data.name', '`data.name`: expected `str`, got `null`'],
  ['an array', '[]', null, 'an event must be a JSON object, not an array'],
  ['a number', '42', null, 'an event must be a JSON object, not a number'],
  ['null', 'null', null, 'an event must be a JSON object, not null'],
  ['a key like __proto__', event(undefined, undefined, { ['__proto__']: 1 }), '__proto__', 'unknown field `__proto__`'],
  ['a data key like constructor', event('job_found', { constructor: 1 }), 'data.constructor', 'unknown field `constructor` in `data`'],
  // a correction's data: any object of field values (checked against the named event's type when it is read)
  ['a correction naming a field in capitals', event('event_corrected', { event: 'e1', data: { Place: 'x' } }), 'data.data',
    '`data.data`: a field name is 1 to 32 lowercase letters or `_`'],
  ['a correction naming a field by a number', '{"id": "a", "type": "event_corrected", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"event": "e", "data": {"place": 1.5, "1": 2}}}',
    'data.data[...]', '`data.data[...]`: expected `int | str | array | null`, got `float`'],
  ['a correction with an object value', event('event_corrected', { event: 'e1', data: { place: { a: 1 } } }), 'data.data[...]',
    '`data.data[...]`: expected `int | str | array | null`, got `object`'],
  ['a correction with a list of numbers', event('event_corrected', { event: 'e1', data: { contacts: ['c1', 2] } }),
    'data.data[...][1]', '`data.data[...][1]`: expected `str`, got `int`'],
  ['a correction with 21 fields', event('event_corrected', { event: 'e1', data: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f_${'a'.repeat(i)}`, 1])) }),
    'data.data', '`data.data`: expected `object` of length <= 20'],
  ['a correction of 3651 days', event('event_corrected', { event: 'e1', data: { cadence_days: 3651 } }), 'data.data[...]',
    '`data.data[...]`: expected `int` <= 3650'],
  ['a correction without data', event('event_corrected', { event: 'e1' }), 'data.data', 'missing required field `data` in `data`'],
  ['a correction to the year 3000', event('event_corrected', { event: 'e1', at: '3000-01-01T00:30:00+01:00', data: {} }), 'data.at',
    '`data.at`: 3000-01-01T00:30:00+01:00 is out of range (years 1900 to 2999)'],
  ['a corrected at without an offset', event('event_corrected', { event: 'e1', at: '2026-05-12T10:00:00', data: {} }), 'data.at',
    '`data.at`: expected a date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00'],
  ['a merge from me', event('contacts_merged', { from: 'me', into: 'c1' }), 'data.from',
    '`data.from`: a contact id cannot be `me` (the word for you in obligations) nor contain `:`'],
  ['a merge into nobody', event('contacts_merged', { from: 'c1' }), 'data.into', 'missing required field `into` in `data`'],
  ['a retraction of nothing', event('event_retracted', { reason: 'x' }), 'data.event', 'missing required field `event` in `data`'],
  ['an idea with an empty tag', event('idea_saved', { idea: 'i1', tags: [''] }), 'data.tags[0]', '`data.tags[0]`: expected a non-empty string'],
];

for (const [what, raw, field, message] of REFUSED) {
  test(`refused: ${what}`, () => {
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    const error = refused(text);
    assert.equal(error.message, message);
    assert.equal(error.field, field);
  });
}

test('the error carries the event id when there is one', () => {
  assert.equal(refused(event(undefined, undefined, { v: 7, id: 'ev-42' })).eventId, 'ev-42');
});

test('not JSON is refused as such', () => {
  for (const raw of ['{not json', '{"id": "a",', '', '[1, 2', '{"a": 1}x', '{"id": "\\ud800"}', '{"v": NaN}']) {
    assert.match(refused(raw).message, /^not valid JSON \(/, raw);
  }
});

// --- NDJSON logs -------------------------------------------------------------------------------------

const good = (n) => Array.from({ length: n }, (_, i) => JSON.stringify(event('job_found', {}, { id: `ev-${i + 1}` })));

function badLine(content) {
  try {
    readLog(content);
  } catch (error) {
    assert.ok(error instanceof LogError);
    return error;
  }
  return assert.fail('the log was read');
}

test('a log is read in file order; blank lines, CRLF and a leading BOM are fine', () => {
  assert.deepEqual(readLog(good(3).join('\n')).map((e) => e.id), ['ev-1', 'ev-2', 'ev-3']);
  assert.deepEqual(readLog(`\ufeff${good(2).join('\r\n')}\r\n\r\n   \n`).map((e) => e.id), ['ev-1', 'ev-2']);
  const bytes = Buffer.from(`\ufeff${good(2).join('\n')}`);
  assert.deepEqual(readLog(bytes).map((e) => e.id), ['ev-1', 'ev-2']);
  assert.deepEqual(readLog(''), []);
});

test('the first bad line is reported with its number, blank lines counted', () => {
  const lines = good(5);
  lines[2] = JSON.stringify(event(undefined, undefined, { v: 2 }));
  lines[3] = '{';
  const error = badLine(lines.join('\n'));
  assert.equal(error.line, 3);
  assert.match(error.message, /^line 3: unsupported version 2/);
  assert.equal(error.error.field, 'v');
  assert.equal(badLine([...good(2), '', '', '{oops'].join('\n')).line, 5);
});

test('a carriage return inside a line is JSON whitespace, not a line end', () => {
  const lines = good(3);
  lines[1] = lines[1].replace('"type":', '\r"type":');
  assert.equal(readLog(lines.join('\n')).length, 3);
  assert.equal(badLine([...lines, '{broken'].join('\n')).line, 4);
});

test('a line that is not UTF-8 is a bad line with its number', () => {
  const latin1 = Buffer.from(JSON.stringify(event('contact_added', { contact: 'c', name: 'Hervé' })), 'latin1');
  const error = badLine(Buffer.concat([Buffer.from(`${good(1)[0]}\n`), latin1, Buffer.from(`\n{`)]));
  assert.equal(error.line, 2);
  assert.equal(error.error.message, 'not valid UTF-8 (events are UTF-8 JSON)');
  assert.equal(badLine(Buffer.concat([Buffer.from('{\n'), latin1])).line, 1, 'the first bad line, whatever its fault');
});

// --- both decoders, line for line ----------------------------------------------------------------------

/** Lines made by spoiling valid events in one or two places: a value of the wrong kind or size, a field
 * dropped or added, keys in another order, numbers written as floats. */
function fuzzedLines(count, seed) {
  const r = random(seed);
  const values = () => r.pick([
    null, true, 0, -1, 1, 24, 3651, 2 ** 53, '', 'x', 'x'.repeat(65), 'x'.repeat(201), 'é'.repeat(64), 'them', 'me',
    'email', 'fr', 'Europe/Paris', 'Mars/X', '2026-05-12', '2026-05-12T10:00:00', '2026-05-12T10:00:00+01:00',
    '1899-12-31T23:00:00Z', [], ['c1'], [''], [1], Array(51).fill('c'), {}, { a: 1 }, '__FLOAT__1.0', '__FLOAT__1e1',
    '__FLOAT__0.5', 'it\'s "x"', 'line\nbreak', '\u0000', '😀',
  ]);
  const lines = [];
  const types = Object.keys(EXAMPLES);
  for (let i = 0; i < count; i++) {
    const type = r.pick(types);
    const raw = event(type, structuredClone(EXAMPLES[type]), { id: `f${i}` });
    for (let k = r.int(1, 2); k > 0; k--) {
      const inData = r.chance(0.7) && raw.data !== null && typeof raw.data === 'object' && !Array.isArray(raw.data);
      const target = inData ? raw.data : raw;
      const keys = Object.keys(target);
      const action = r.weighted([['set', 6], ['drop', 2], ['add', 1], ['shuffle', 1]]);
      if (action === 'set') target[r.pick(keys)] = values();
      else if (action === 'drop') delete target[r.pick(keys)];
      else if (action === 'add') target[r.pick(['mood', 'seq', 'device', 'recorded_at', 'note', 'x'])] = values();
      else {
        const entries = Object.entries(target).sort(() => r.next() - 0.5);
        for (const key of keys) delete target[key];
        for (const [key, value] of entries) target[key] = value;
      }
    }
    lines.push(JSON.stringify(raw).replace(/"__FLOAT__([^"]*)"/g, '$1'));
  }
  return lines;
}

const HAND_MADE = [
  ...Object.entries(EXAMPLES).map(([type, data]) => JSON.stringify(event(type, data))),
  ...REFUSED.map(([, raw]) => (typeof raw === 'string' ? raw : JSON.stringify(raw))),
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "id": "a", "data": {"job": "x", "job": 5}}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "id": "a", "data": {}, "type": "thanks_sent"}',
  '{"type": 1.0, "v": 1}',
  '{"type": {"a": [1, true, null, 1.5, "x"]}, "v": 1}',
  '{"type": "x\\u0000y\\u00e9", "v": 1}',
  '{"type": "job_found", "v": -0}',
  '{"type": "job_found", "v": 0.5e1}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "id": "\\ud83d\\ude00", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30:00.9999996+23:59", "id": "a", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "1899-12-31T23:30:00-01:00", "id": "a", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "1900-01-01T00:30:00+01:00", "id": "a", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "2999-12-31T23:30:00-01:00", "id": "a", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30:00+24:00", "id": "a", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T24:00:00Z", "id": "a", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30Z", "id": "a", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30:00+02", "id": "a", "data": {}}',
  '{"1": 2, "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "id": "", "data": {}}',
  '{"type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "id": "", "data": {}, "1": 2}',
  '{"type": "settings_changed", "v": 1, "id": "x", "at": "2026-05-12T10:30:00Z", "data": {"timezone": "Mars/X"}, "seq": 0}',
  '{"type": "settings_changed", "v": 1, "data": {"timezone": "Mars/X", "zz": 1}, "id": "x", "at": "2026-05-12T10:30:00Z"}',
  '{"type": "settings_changed", "v": 1, "data": {"language": "de", "timezone": "Mars/X"}, "id": "x", "at": "2026-05-12T10:30:00Z"}',
  ...['Europe/Paris', 'America/New_York', 'UTC', 'Etc/UTC', 'GMT', 'GMT0', 'Asia/Calcutta', 'Etc/GMT+5', 'US/Eastern',
    'utc', 'etc/gmt+5', 'GMT+5', 'Europe/../Europe/Paris', '', 'PST', 'CST', 'IST', 'ECT', 'SystemV/AST4', 'US/Pacific-New',
    'localtime', 'posixrules', 'Factory', 'EST', 'EST5EDT', 'Europe/Kyiv', 'Europe/Kiev'].map((zone) => JSON.stringify(event('settings_changed', { timezone: zone }))),
];

// U+0000 anywhere: PostgreSQL cannot store it in text, so both decoders refuse it first, naming where it is.
const WITH_NUL = [
  '{"id": "a\\u0000", "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {}}',
  '{"id": "a", "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"note": "x\\u0000y"}}',
  '{"id": "a", "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"meeting": "m", "contacts": ["c", "d\\u0000"]}}',
  '{"id": "a", "type": "contact_added", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"contact": "c", "name": "\\u0000", "tags": ["t\\u0000"]}}',
  '{"id": "a", "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"no\\u0000te": "x"}}',
  '{"id": "a", "ty\\u0000pe": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {}}',
  '{"id": "a", "type": "job_f\\u0000ound", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {}}',
  '{"id": "a", "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z\\u0000", "data": {}}',
  '{"id": "a", "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {}, "device": "\\u0000"}',
  '{"id": "a", "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"note": "ok", "job": "\\u0000", "employer": "\\u0000"}}',
  '{"id": "a", "type": "job_found", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"note": "a literal \\\\u0000 is text"}}',
  '{"id": "a", "type": "job_found", "v": 1.5, "at": "2026-05-12T10:30:00Z", "data": {"note": "\\u0000"}}',
  '{"id": "a", "type": "idea_shared", "v": 1, "at": "2026-05-12T10:30:00Z", "data": {"contact": "c", "link": "https://x/\\u0000", "z": [{"k\\u0000": 1}]}}',
];

test('U+0000 in any string, keys included, is refused with where it is', () => {
  const nul = 'U+0000 (the NUL character) is not allowed in any text';
  const cases = [
    [WITH_NUL[0], `\`id\`: ${nul}`, 'id'],
    [WITH_NUL[1], `\`data.note\`: ${nul}`, 'data.note'],
    [WITH_NUL[2], `\`data.contacts[1]\`: ${nul}`, 'data.contacts[1]'],
    [WITH_NUL[3], `\`data.name\`: ${nul}`, 'data.name'],
    [WITH_NUL[4], `\`data\`: ${nul}, field names included`, 'data'],
    [WITH_NUL[5], `${nul}, field names included`, null],
    [WITH_NUL[6], `\`type\`: ${nul}`, 'type'],
    [WITH_NUL[9], `\`data.job\`: ${nul}`, 'data.job'],
  ];
  for (const [line, message, field] of cases) {
    const error = refused(line);
    assert.equal(error.message, message, line);
    assert.equal(error.field, field, line);
    assert.equal(error.eventId, JSON.parse(line).id);
  }
  assert.equal(decodeEvent(WITH_NUL[10]).data.note, 'a literal \\u0000 is text');
  assert.throws(() => readLog(`${WITH_NUL[10]}\n\n${WITH_NUL[1]}\n`),
    (error) => error instanceof LogError && error.line === 3 && error.message === `line 3: \`data.note\`: ${nul}`);
});

/** Values just inside and just outside a catalogue type's limits, and of every other JSON kind. */
function edges(type) {
  const wrong = [null, true, 0, 1.5, 'x', [], {}];
  switch (type.kind) {
    case 'str': {
      const { min, max } = type;
      const at = (n, unit = 'a') => unit.repeat(n);
      return [...wrong, '', at(max), at(max + 1), at(max, '😀'), at(max + 1, '😀'), at(max, 'é') + 'é',
        ...(min ? [at(min)] : []), ...(type.pattern ? ['me', 'a:b', ':', 'me:'] : [])];
    }
    case 'int': return [...wrong, type.ge - 1, type.ge, ...(type.le === null ? [2 ** 53] : [type.le, type.le + 1]), 1.0, -0];
    case 'enum': return [...wrong, ...type.values, type.values[0].toUpperCase(), `${type.values[0]} `];
    case 'list': {
      const item = edges(type.item).find((value) => typeof value === 'string' && value.length === 1) ?? 'a';
      return [...wrong, Array(type.min).fill(item), Array(type.max).fill(item), Array(type.max + 1).fill(item),
        Array(type.max).fill(item).concat([null]), ...edges(type.item).slice(0, 12).map((value) => [value])];
    }
    case 'date': return [...wrong, '2026-05-12', '2026-02-30', '2026-5-12', '2026-05-12T00:00:00Z', '20260512'];
    default: return [...wrong, AT, '2026-05-12T10:30:00', '2026-05-12', '2026-05-12T10:30:00.123456789+02:00'];
  }
}

/** For every field of every type of the catalogue (so a new field is covered by itself): each edge value,
 * the field left out, and an unknown field beside it — valid example events otherwise. */
function catalogueLines() {
  const lines = [];
  for (const [type, { data }] of Object.entries(CATALOGUE.types)) {
    const base = EXAMPLES[type];
    for (const field of data) {
      const { [field.name]: _left, ...without } = base;
      lines.push(JSON.stringify(event(type, without)), JSON.stringify(event(type, { ...base, [`${field.name}_x`]: 1 })));
      for (const value of edges(field.type)) lines.push(JSON.stringify(event(type, { ...base, [field.name]: value })));
    }
  }
  for (const [name, field] of Object.entries(CATALOGUE.envelope)) {
    for (const value of edges(field.type)) lines.push(JSON.stringify(event('job_found', {}, { [name]: value })));
  }
  return lines;
}

test('every field of the catalogue has its edge cases, and most are refused naming that field', () => {
  const lines = catalogueLines();
  let named = 0;
  for (const line of lines) {
    try {
      decodeEvent(line);
    } catch (error) {
      assert.ok(error instanceof EventError, String(error));
      if (error.field !== null) named += 1;
    }
  }
  assert.ok(lines.length > 1000 && named > lines.length / 2, `${named} of ${lines.length} refused naming a field`);
});

test('the Python decoder and this one agree on every line: same canonical form, or same error'
, { skip: !HAS_PYTHON && 'no .venv/bin/python' }, async () => {
  const lines = [...HAND_MADE, ...WITH_NUL, ...catalogueLines(), ...fuzzedLines(3000, 7)];
  const done = await run(PYTHON, ['tests/js/decode_lines.py'], { input: JSON.stringify(lines), cwd: ROOT });
  assert.equal(done.code, 0, done.stderr);
  const python = JSON.parse(done.stdout);
  const disagreements = [];
  lines.forEach((line, i) => {
    const [encoding, message, field] = python[i];
    let ours;
    try {
      ours = [JSON.stringify(decodeEvent(line)), null, null];
    } catch (error) {
      if (!(error instanceof EventError)) throw error;
      ours = [null, error.message, error.field];
    }
    const same = message?.startsWith('not valid JSON')
      ? ours[1]?.startsWith('not valid JSON') // the parsers word their syntax errors differently
      : ours[0] === encoding && ours[1] === message && ours[2] === field;
    if (!same) disagreements.push({ line, python: python[i], javascript: ours });
  });
  assert.deepEqual(disagreements.slice(0, 5), []);
  const refusals = python.filter(([encoding]) => encoding === null).length;
  assert.ok(refusals > 1000 && refusals < lines.length - 200, `${refusals} of ${lines.length} refused: the fuzzing is off`);
});
