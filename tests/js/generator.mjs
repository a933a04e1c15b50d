// A seeded generator of valid event logs, to run both engines on logs no one wrote by hand: every event
// type, several time zones and UTC offsets, events around daylight-saving changes and local midnight,
// duplicate ids, lines out of order, ids that look alike ("m:1", "c:1"), contacts never added.
//
//   import { generateLog } from './generator.mjs';
//   const { lines, asOf, tz } = generateLog(seed, { events: 120 });

import { daysFromCivil, formatDay, offsetAt, parseDay, parseInstant, SECONDS_PER_DAY } from '../../pwa/lib/rules/dates.js';

const instantOf = (at) => parseInstant(at).sec;

/** mulberry32: a small, good-enough seeded PRNG. */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low, high) => low + Math.floor(next() * (high - low + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const weighted = (table) => {
    const total = table.reduce((sum, [, weight]) => sum + weight, 0);
    let x = next() * total;
    for (const [value, weight] of table) {
      x -= weight;
      if (x < 0) return value;
    }
    return table[table.length - 1][0];
  };
  return { next, int, pick, chance, weighted };
}

/** Zones with daylight saving at 02:00, at midnight, by half an hour, none, and far from UTC. */
export const ZONES = [
  'Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Australia/Lord_Howe',
  'America/Santiago', 'America/Havana', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/St_Johns',
  'Asia/Kathmandu', 'UTC', 'Europe/London', 'Pacific/Chatham',
];

/** Periods a log may span: mostly now; sometimes 2000-2011, when St. John's and Goose Bay fell back at 00:01
 * (local dates going backwards), or the 1950s and 60s. */
const ERAS = [
  { weight: 8, start: daysFromCivil(2025, 1, 1), end: daysFromCivil(2027, 6, 30), zones: ZONES },
  { weight: 1, start: daysFromCivil(2000, 1, 1), end: daysFromCivil(2011, 6, 30),
    zones: ['America/St_Johns', 'America/Goose_Bay', 'America/Moncton', 'Europe/Paris', 'America/Santiago'] },
  { weight: 1, start: daysFromCivil(1950, 1, 1), end: daysFromCivil(1969, 12, 31), zones: ZONES },
];
const [NOW] = ERAS;

const transitions = new Map();

/** The instants (epoch seconds) where `zone` changes its offset between `start` and `end` (day numbers). */
function transitionsOf(zone, start, end) {
  const cached = `${zone} ${start} ${end}`;
  let found = transitions.get(cached);
  if (found === undefined) {
    found = [];
    let previous = offsetAt(zone, start * SECONDS_PER_DAY);
    for (let day = start + 1; day <= end; day++) {
      const sec = day * SECONDS_PER_DAY;
      const offset = offsetAt(zone, sec);
      if (offset !== previous) {
        let low = sec - SECONDS_PER_DAY;
        let high = sec;
        while (high - low > 1) {
          const mid = Math.floor((low + high) / 2);
          if (offsetAt(zone, mid) === previous) low = mid;
          else high = mid;
        }
        found.push(high);
        previous = offset;
      }
    }
    transitions.set(cached, found);
  }
  return found;
}

function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

/** `sec` written as ISO 8601 at `offset` seconds, with `fraction` digits after the seconds (maybe none). */
export function writeInstant(sec, offset, fraction = '', zulu = false) {
  const local = sec + offset;
  const day = Math.floor(local / SECONDS_PER_DAY);
  const rest = local - day * SECONDS_PER_DAY;
  const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  let tz;
  if (offset === 0 && zulu) tz = 'Z';
  else {
    const abs = Math.abs(offset);
    tz = `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
  }
  return `${formatDay(day)}T${clock}${fraction ? `.${fraction}` : ''}${tz}`;
}

const OTHER_OFFSETS = [0, 3600, -18000, 19800, 50400, -39600, 7200, -12600, 45900, -36000];

/**
 * One random valid log: {lines, asOf, tz} where lines are NDJSON lines (some duplicated, some out of
 * order), asOf a date to replay to and tz a zone to pass with --tz (or null: the log's own setting).
 * `events` is about how many distinct events to make; `contacts` how many people.
 */
export function generateLog(seed, { events = 80, contacts: people = null, span = null, era = null } = {}) {
  const r = random(seed);
  const { start: START, end: END, zones } = era ?? (span === null ? r.weighted(ERAS.map((e) => [e, e.weight])) : NOW);
  const zone = r.pick(zones);
  const changes = transitionsOf(zone, START, END);
  const contactCount = people ?? r.int(3, 12);
  const contacts = Array.from({ length: contactCount }, (_, i) => r.weighted([
    [`c${i + 1}`, 12], [`c-hervé-${i + 1}`, 1], [`c.${i + 1}`, 1], [`c😀${i + 1}`, 1], [`C${i + 1}`, 1], [`${i + 1}`, 1],
    [`c\uE000${i + 1}`, 1],
  ]));
  if (r.chance(0.05)) contacts.push('meg'); // close to `me`, the word obligations use for me (refused as an id)
  const days = span ?? r.int(30, 500);
  const first = r.int(START, END - days);
  // The day to replay to, chosen first so that some snoozes run past it.
  const asOf = formatDay(r.weighted([
    [first + days + r.int(-5, 60), 6], [first + r.int(0, days), 3],
    [daysFromCivil(+formatDay(first).slice(0, 4) + r.int(0, 2), 12, 1) + r.int(-2, 65), 2],
  ]));
  const meetings = [];
  const referralsGiven = [];
  const referralsMade = [];
  const jobs = [];
  const obligations = []; // ids worth snoozing or dismissing
  const lines = [];
  let serial = 0;
  const nextId = () => {
    serial += 1;
    return r.weighted([[`e${pad(serial, 5)}`, 20], [`${seed}-${serial}`, 2], [`É${serial}`, 1], [`e${serial}`, 2]]);
  };

  /** An instant in the log's span, sometimes right around a daylight-saving change or local midnight. */
  const when = () => {
    const kind = r.weighted([['any', 6], ['change', changes.length ? 2 : 0], ['midnight', 2]]);
    if (kind === 'change') {
      return r.pick(changes) + r.int(-3 * 3600, 3 * 3600);
    }
    const day = first + r.int(0, days);
    if (kind === 'midnight') {
      const sec = day * SECONDS_PER_DAY;
      return sec - offsetAt(zone, sec) + r.int(-5400, 5400);
    }
    return day * SECONDS_PER_DAY + r.int(0, SECONDS_PER_DAY - 1);
  };

  /** How a person writes that instant: in the zone's own offset (mostly), in UTC, or any offset. */
  const write = (sec) => {
    const how = r.weighted([['zone', 6], ['utc', 2], ['other', 2]]);
    const offset = how === 'zone' ? offsetAt(zone, sec) : how === 'utc' ? 0 : r.pick(OTHER_OFFSETS);
    const fraction = r.weighted([['', 8], [String(r.int(0, 999)).padStart(3, '0'), 1],
      [String(r.int(0, 999999999)).padStart(9, '0'), 1]]);
    return writeInstant(sec, offset, fraction, r.chance(0.5));
  };

  const some = (list, most = 3) => {
    const n = r.int(1, Math.min(most, list.length));
    const chosen = new Set();
    while (chosen.size < n) chosen.add(r.pick(list));
    const out = [...chosen];
    if (r.chance(0.03)) out.push(out[0]); // a contact listed twice
    return out;
  };
  const channel = () => r.pick(['email', 'letter', 'call', 'message', 'in_person']);
  const dayOf = (sec) => formatDay(Math.floor((sec + offsetAt(zone, sec)) / SECONDS_PER_DAY));

  const emit = (type, sec, data) => {
    const event = { id: nextId(), type, v: 1, at: write(sec), data };
    lines.push(JSON.stringify(event));
    return event;
  };

  if (r.chance(0.7)) emit('settings_changed', first * SECONDS_PER_DAY - r.int(0, 86400 * 30), { timezone: zone });
  for (let i = 0; i < events; i++) {
    const sec = when();
    const type = r.weighted([
      ['contact_added', 6], ['contact_updated', 2], ['contact_archived', 1], ['meeting_logged', 14],
      ['referral_given', 3], ['referral_made', 2], ['referral_outcome', 3], ['thanks_sent', 8],
      ['thanks_received', 4], ['introducer_informed', 3], ['update_received', 2], ['job_found', 1],
      ['job_announced', 3], ['idea_shared', 4], ['greetings_sent', 3], ['obligation_snoozed', 2],
      ['obligation_dismissed', 1], ['settings_changed', 1],
    ]);
    const contact = r.pick(contacts);
    switch (type) {
      case 'contact_added': {
        const data = { contact, name: r.pick(['Hervé', 'Anne', 'Paul', 'Zoé', '李', 'O\'Brien']) };
        if (r.chance(0.3)) data.cadence_days = r.pick([0, 1, 3, 5, 10, 30, 60]);
        if (r.chance(0.2)) data.email = `${contact.length}@example.org`;
        if (r.chance(0.1)) data.tags = r.chance(0.5) ? [] : ['mentor'];
        emit(type, sec, data);
        break;
      }
      case 'contact_updated': {
        const data = { contact };
        if (r.chance(0.6)) data.cadence_days = r.pick([null, 0, 7, 20, 45]);
        if (r.chance(0.4)) data.name = 'Renamed';
        if (r.chance(0.2)) data.org = null;
        emit(type, sec, data);
        break;
      }
      case 'contact_archived':
        emit(type, sec, { contact });
        break;
      case 'meeting_logged': {
        const meeting = r.chance(0.05) && meetings.length ? r.pick(meetings).meeting
          : r.weighted([[`m${meetings.length + 1}`, 10], [`m:${meetings.length + 1}`, 1]]);
        const data = { meeting, contacts: some(contacts) };
        if (r.chance(0.3)) data.host = r.pick(['me', 'them']);
        if (r.chance(0.2)) data.kind = r.pick(['meeting', 'call', 'video', 'coffee', 'event']);
        if (r.chance(0.1)) data.place = 'Café de la Paix';
        emit(type, sec, data);
        meetings.push({ meeting, contacts: data.contacts });
        for (const c of data.contacts) obligations.push(`thank:${meeting}:${c}`);
        break;
      }
      case 'referral_given': {
        const referral = r.chance(0.05) && referralsMade.length ? r.pick(referralsMade) : `r${referralsGiven.length + referralsMade.length + 1}`;
        const [introducer, referred] = [r.pick(contacts), r.pick(contacts)];
        emit(type, sec, { referral, introducer, referred });
        referralsGiven.push(referral);
        obligations.push(`report:${referral}`);
        break;
      }
      case 'referral_made': {
        const referral = r.chance(0.05) && referralsGiven.length ? r.pick(referralsGiven) : `r${referralsGiven.length + referralsMade.length + 1}`;
        emit(type, sec, { referral, to: r.pick(contacts), referred: r.pick(contacts) });
        referralsMade.push(referral);
        obligations.push(`report:${referral}`);
        break;
      }
      case 'referral_outcome': {
        const all = [...referralsGiven, ...referralsMade];
        const referral = all.length && r.chance(0.9) ? r.pick(all) : 'r-unknown';
        const data = { referral, outcome: r.pick(['meeting_obtained', 'declined', 'no_answer']) };
        emit(type, sec, data);
        break;
      }
      case 'thanks_sent':
      case 'thanks_received': {
        const data = { contact };
        if (meetings.length && r.chance(0.5)) {
          const m = r.pick(meetings);
          data.meeting = m.meeting;
          data.contact = r.chance(0.8) ? r.pick(m.contacts) : contact;
        }
        if (type === 'thanks_sent' || r.chance(0.5)) data.channel = channel();
        emit(type, sec, data);
        break;
      }
      case 'introducer_informed':
      case 'update_received': {
        const pool = type === 'introducer_informed' ? referralsGiven : referralsMade;
        const data = { referral: pool.length && r.chance(0.9) ? r.pick(pool) : r.pick(['r1', 'r2', 'r-x']) };
        if (type === 'introducer_informed' || r.chance(0.5)) data.channel = channel();
        emit(type, sec, data);
        break;
      }
      case 'job_found': {
        const job = emit(type, sec, r.chance(0.5) ? { employer: 'ACME' } : {});
        jobs.push(job.id);
        for (const c of contacts) obligations.push(`announce:${job.id}:${c}`);
        break;
      }
      case 'job_announced':
        emit(type, sec, { contact, channel: channel() });
        break;
      case 'idea_shared':
        emit(type, sec, r.chance(0.5) ? { contact, link: 'https://example.org/a' } : { contact });
        break;
      case 'greetings_sent':
        emit(type, sec, { contacts: some(contacts, 6) });
        break;
      case 'obligation_snoozed':
      case 'obligation_dismissed': {
        const year = +dayOf(sec).slice(0, 4) - r.int(0, 1);
        const obligation = obligations.length && r.chance(0.7) ? r.pick(obligations) : r.pick([
          `greetings:${year}:${contact}`, `nurture:${contact}:${dayOf(sec + r.int(-20, 60) * SECONDS_PER_DAY)}`,
          `thank:m1:${contact}`]);
        if (type === 'obligation_snoozed') {
          const until = r.chance(0.3) ? formatDay(parseDay(asOf) + r.int(-2, 10)) : dayOf(sec + r.int(-2, 40) * SECONDS_PER_DAY);
          emit(type, sec, { obligation, until });
        } else {
          emit(type, sec, r.chance(0.5) ? { obligation, reason: 'no longer' } : { obligation });
        }
        break;
      }
      default: { // settings_changed
        const data = {};
        if (r.chance(0.5)) data.cadence_days = r.pick([0, 1, 3, 7, 14, 30, 90]);
        if (r.chance(0.3)) data.timezone = r.chance(0.7) ? zone : r.pick(ZONES);
        if (r.chance(0.3)) data.language = r.pick(['fr', 'en']);
        if (r.chance(0.3)) data.reminder_hour = r.int(0, 23);
        emit(type, sec, data);
      }
    }
  }

  // Corrections, retractions and merges (DESIGN.md section 1, 2026-12) of events and contacts in the log, now
  // and then of ones that are not (or of each other: a correction of a correction, a retraction of one).
  const logged = lines.map((line) => JSON.parse(line));
  const controls = r.chance(0.8) ? r.int(1, Math.max(2, Math.floor(events / 8))) : 0;
  for (let i = 0; i < controls; i++) {
    const sec = when();
    const target = r.pick(logged);
    const kind = r.weighted([['event_corrected', 4], ['event_retracted', 3], ['contacts_merged', 2], ['idea_saved', 2]]);
    if (kind === 'event_retracted') {
      logged.push(emit(kind, sec, r.chance(0.9) ? { event: target.id } : { event: 'not-in-the-log', reason: 'x' }));
    } else if (kind === 'contacts_merged') {
      logged.push(emit(kind, sec, { from: r.pick(contacts), into: r.pick(contacts) }));
    } else if (kind === 'idea_saved') {
      // an idea saved, then (often) shared from the inbox: its idea_shared names it by id, and the story tells
      // it by its title (or link) as the pre-pass leaves it (corrected, retracted: later controls may target it)
      const idea = r.chance(0.1) ? 'i0' : `i${i}`; // now and then an id saved twice
      const data = r.weighted([[{ idea, tags: ['fintech'] }, 1], [{ idea, title: 'A report' }, 2],
        [{ idea, link: 'https://example.org/i' }, 1], [{ idea, title: 'Open banking', link: 'https://example.org/ob' }, 1]]);
      logged.push(emit(kind, sec, data));
      if (r.chance(0.7)) {
        logged.push(emit('idea_shared', when(), { contact: r.pick(contacts), idea: r.chance(0.9) ? idea : 'free text' }));
      }
    } else {
      // its data as it is, or another event's of its type, or data not valid for it; its `at` moved, or kept
      const alike = logged.filter((e) => e.type === target.type);
      let data = target.type === 'event_corrected' ? { event: target.data.event } : r.pick(alike).data;
      if (r.chance(0.1)) data = { place: 'nowhere' };
      const correction = { event: target.id, data };
      if (r.chance(0.6)) correction.at = write(instantOf(target.at) + r.int(-4 * SECONDS_PER_DAY, 4 * SECONDS_PER_DAY));
      logged.push(emit(kind, sec, correction));
    }
  }

  // The same event sent twice (a retry), or two events that happen to share an id.
  const duplicates = r.int(0, Math.max(1, Math.floor(lines.length / 15)));
  for (let i = 0; i < duplicates; i++) {
    const line = r.pick(lines);
    const how = r.weighted([['same', 6], ['later', 2], ['conflict', 2]]);
    if (how === 'same') lines.push(line);
    else {
      const copy = JSON.parse(line);
      if (how === 'later') copy.at = write(when());
      else {
        // another event under the same id at the same instant (written with another offset, maybe)
        const other = JSON.parse(r.pick(lines));
        other.id = copy.id;
        other.at = r.chance(0.5) ? copy.at : write(instantOf(copy.at));
        lines.push(JSON.stringify(other));
        continue;
      }
      lines.push(JSON.stringify(copy));
    }
  }
  // Out of order: mostly time order as a phone would write it, with stretches shuffled.
  const ordered = lines.map((line) => [line, Date.parse(JSON.parse(line).at.replace(/\.\d+/, ''))]);
  if (r.chance(0.8)) ordered.sort((a, b) => a[1] - b[1]);
  for (let i = 0; i < ordered.length / 10; i++) {
    const a = r.int(0, ordered.length - 1);
    const b = r.int(0, ordered.length - 1);
    [ordered[a], ordered[b]] = [ordered[b], ordered[a]];
  }
  if (r.chance(0.1)) ordered.splice(r.int(0, ordered.length), 0, ['', 0]); // a blank line

  const tz = r.weighted([[null, 3], [zone, 6], [r.pick(ZONES), 1]]);
  return { lines: ordered.map(([line]) => line), asOf, tz, zone };
}
