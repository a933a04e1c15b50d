// One pass over the counted events, in (at, id) order, indexing what the rules ask about.
//
// An occurrence is {pos, day, event}: its rank in that order, its local date (a day number), the
// event itself. Every index is a Map keyed by id, each list in (at, id) order.

import { LocalDates, parseInstant, SECONDS_PER_DAY } from './dates.js';
import { INSTANT, convertEvent, isCanonical } from './events.js';

export const DEFAULT_CADENCE_DAYS = 90;
export const DEFAULT_REMINDER_HOUR = 9;
export const CONTACT_FIELDS = ['name', 'email', 'phone', 'org', 'title', 'tags', 'note', 'cadence_days'];

/** Compare two strings as Python does: by code point (UTF-16 order differs above U+D7FF). */
export function compareText(a, b) {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // surrogates (U+10000 and up) sort after U+E000..U+FFFF
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** What the log says of a person: the latest value of each field; archived once and for all. */
export class Contact {
  constructor(id) {
    this.id = id;
    this.added = false;
    this.fields = new Map();
    this.archived = null; // the occurrence that archived them
  }

  get name() {
    return this.fields.get('name') || this.id;
  }
}

function push(map, key, occurrence) {
  const found = map.get(key);
  if (found === undefined) map.set(key, [occurrence]);
  else found.push(occurrence);
}

/** The instant of an event's `at` ({sec, us}): kept by the decoder, else read again. */
export function instantOf(event) {
  const kept = event[INSTANT];
  if (kept !== undefined) return kept;
  const instant = parseInstant(event.at);
  if (instant === null || instant.offset === null) throw new TypeError(`event ${event.id}: bad \`at\` ${event.at}`);
  return instant;
}

const MAX_EXACT = 2 ** 53;

/** Whether every string compares the same in UTF-16 as by code point (no character from U+D800 up). */
export function allBelowSurrogates(strings) {
  for (const text of strings) if (/[\uD800-\uFFFF]/.test(text)) return false;
  return true;
}

function nativeCompare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sort `items` (in place, stably) by `whole(item)`, an integer, then by `rest(a, b)`: the integers are
 * sorted natively (packed with the index into one exact number), and only runs of equal integers are
 * sorted with `rest`. Much cheaper than a comparator over the whole array, for large logs.
 */
export function sortBy(items, whole, rest) {
  const n = items.length;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < n; i++) {
    const w = whole(items[i]);
    if (w < low) low = w;
    if (w > high) high = w;
  }
  if (n < 2) return items;
  if ((high - low + 1) * n >= MAX_EXACT) return items.sort((a, b) => whole(a) - whole(b) || rest(a, b));
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (whole(items[i]) - low) * n + i;
  packed.sort();
  const sorted = new Array(n);
  for (let k = 0; k < n; k++) sorted[k] = items[packed[k] % n];
  let start = 0;
  for (let k = 1; k <= n; k++) {
    if (k === n || whole(sorted[k]) !== whole(sorted[start])) {
      if (k - start > 1) {
        const run = sorted.slice(start, k).sort(rest); // stable: equal ones keep their order
        for (let j = 0; j < run.length; j++) sorted[start + j] = run[j];
      }
      start = k;
    }
  }
  for (let k = 0; k < n; k++) items[k] = sorted[k];
  return items;
}

/**
 * Events in (at, id) order — `at` as an instant, ids by code point — each id once: the first in that
 * order, and of different events under one id at one instant, the one whose wire encoding sorts first
 * (so the answer depends on the set of events, never on their order in the log). Returns the
 * occurrences-to-be [{event, sec, us, pos, day}], the instant kept for what follows.
 */
export function order(events) {
  const items = new Array(events.length);
  const ids = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const { sec, us } = instantOf(event);
    items[i] = { event, sec, us, pos: 0, day: 0 };
    ids[i] = event.id;
  }
  const byId = allBelowSurrogates(ids) ? nativeCompare : compareText;
  sortBy(items, (item) => item.sec, (a, b) => a.us - b.us || byId(a.event.id, b.event.id));
  // Each id once. Events under one id at one instant are side by side now: the smallest encoding wins.
  const seen = new Set();
  const kept = [];
  for (let k = 0; k < items.length; k++) {
    let item = items[k];
    const { id } = item.event;
    if (seen.has(id)) continue; // a later instant: the first in (at, id) order counts
    let next = k + 1;
    for (; next < items.length; next++) {
      const other = items[next];
      if (other.sec !== item.sec || other.us !== item.us || other.event.id !== id) break;
      if (other.event !== item.event && compareText(encoded(other.event), encoded(item.event)) < 0) item = other;
    }
    seen.add(id);
    kept.push(item);
    k = next - 1;
  }
  return kept;
}

/** The wire encoding of an event, as the server writes it (the canonical form of events.js). */
function encoded(event) {
  if (isCanonical(event)) return JSON.stringify(event);
  try {
    return JSON.stringify(convertEvent(JSON.parse(JSON.stringify(event))));
  } catch {
    return JSON.stringify(event);
  }
}

/** The indexes every rule reads. */
export class Facts {
  constructor(asOf, timezone) {
    this.asOf = asOf;
    this.timezone = timezone;
    this.settings = {
      timezone: null, reminder_hour: DEFAULT_REMINDER_HOUR, cadence_days: DEFAULT_CADENCE_DAYS, language: null,
    };
    this.occurrences = [];
    this.contacts = new Map();
    this.meetings = [];
    this.meetingsWith = new Map();
    this.referralsGiven = new Map();
    this.referralsMade = new Map();
    this.outcomes = new Map();
    this.informed = new Map();
    this.updates = new Map();
    this.thanksSent = new Map();
    this.thanksReceived = new Map();
    this.jobsFound = [];
    this.jobsAnnounced = new Map();
    this.ideas = new Map();
    this.greetings = new Map();
    this.snoozes = new Map();
    this.dismissals = new Map();
    /** `introducer_informed` occurrences by the introducer they went to (a touch of that contact). */
    this.informedIntroducer = new Map();
    /** Each merged-away contact id -> the contact it is read as (prepass.js). */
    this.merged = new Map();
    /** The records of merged-away contacts, by their own id: they fill what `into`'s own record lacks. */
    this.absorbed = new Map();
  }

  /** The record an event about a contact's record writes to: a merged-away contact's own, kept apart. */
  record(id) {
    if (!this.merged.has(id)) return this.contact(id);
    let found = this.absorbed.get(id);
    if (found === undefined) this.absorbed.set(id, found = new Contact(id));
    return found;
  }

  /** The contact of that id, made on first mention: an unknown contact is shown under its id. */
  contact(id) {
    let found = this.contacts.get(id);
    if (found === undefined) {
      found = new Contact(id);
      this.contacts.set(id, found);
    }
    return found;
  }

  archived(id) {
    const found = this.contacts.get(id);
    return found === undefined ? null : found.archived;
  }

  /** Whether the obligation was dismissed before the event at `pos` could fulfil it. */
  dismissedBefore(obligationId, pos) {
    const when = this.dismissals.get(obligationId);
    return when !== undefined && when < pos;
  }

  /** Days between touches: the contact's own cadence if set (0 = never), else the account's. */
  cadence(id) {
    const own = this.contacts.get(id).fields.get('cadence_days');
    return own == null ? this.settings.cadence_days : own;
  }

  /** Every touch of a contact, for nurture: meetings, thanks sent, introducer informed (of a referral
   * they gave), job announced, ideas shared; in (at, id) order. */
  touches(id) {
    const found = [];
    for (const index of [this.meetingsWith, this.thanksSent, this.jobsAnnounced, this.ideas, this.informedIntroducer]) {
      const some = index.get(id);
      if (some !== undefined) for (const occurrence of some) found.push(occurrence);
    }
    return found.sort(byPos);
  }
}

function byPos(a, b) {
  return a.pos - b.pos;
}

/**
 * Index the ordered events (from `order`, through prepass.js) whose local date in `timezone` is on or before
 * `asOf` (a day number). `merged` maps each merged-away contact to the one it is read as (the other events
 * already name that one).
 */
export function collect(ordered, asOf, timezone, merged = null) {
  const facts = new Facts(asOf, timezone);
  if (merged !== null) facts.merged = merged;
  const dates = new LocalDates(timezone);
  // No zone is more than a day off UTC: past this instant, no event can fall on or before asOf.
  const beyond = (asOf + 3) * SECONDS_PER_DAY;
  const { occurrences } = facts;
  for (let pos = 0; pos < ordered.length; pos++) {
    const occurrence = ordered[pos]; // the item of `order` becomes the occurrence: {event, pos, day, ...}
    const { event, sec } = occurrence;
    if (sec >= beyond) break;
    const day = dates.dayOf(sec);
    if (day > asOf) continue;
    occurrence.pos = pos;
    occurrence.day = day;
    occurrences.push(occurrence);
    INDEX[event.type](facts, occurrence, event.data);
  }
  for (const [referral, informed] of facts.informed) {
    const given = facts.referralsGiven.get(referral);
    if (given !== undefined) {
      const { introducer } = given.event.data;
      let list = facts.informedIntroducer.get(introducer);
      if (list === undefined) facts.informedIntroducer.set(introducer, list = []);
      for (const occurrence of informed) list.push(occurrence);
    }
  }
  if (facts.absorbed.size) fillMergedRecords(facts);
  return facts;
}

/** `into` keeps its own name and fields; a field only a merged-away record had fills in what it lacks
 * (merged-away records in id order). Archiving stays with the record that was archived. */
function fillMergedRecords(facts) {
  for (const source of [...facts.absorbed.keys()].sort(compareText)) {
    const absorbed = facts.absorbed.get(source);
    const into = facts.contact(facts.merged.get(source));
    into.added = into.added || absorbed.added;
    for (const [name, value] of absorbed.fields) {
      if (value !== null && (into.fields.get(name) ?? null) === null) into.fields.set(name, value);
    }
  }
}

function eachOnce(contacts, visit) {
  if (contacts.length === 1) visit(contacts[0]);
  else for (const contact of new Set(contacts)) visit(contact);
}

const INDEX = {
  contact_added(facts, occurrence, data) {
    const contact = facts.record(data.contact);
    contact.added = true;
    for (const name of CONTACT_FIELDS) contact.fields.set(name, data[name] ?? null);
  },
  contact_updated(facts, occurrence, data) {
    const contact = facts.record(data.contact);
    for (const name of CONTACT_FIELDS) {
      if (name in data) contact.fields.set(name, data[name]);
    }
  },
  contact_archived(facts, occurrence, data) {
    const contact = facts.record(data.contact);
    if (contact.archived === null) contact.archived = occurrence;
  },
  meeting_logged(facts, occurrence, data) {
    facts.meetings.push(occurrence);
    eachOnce(data.contacts, (contact) => {
      facts.contact(contact);
      push(facts.meetingsWith, contact, occurrence);
    });
  },
  referral_given(facts, occurrence, data) {
    facts.contact(data.introducer);
    facts.contact(data.referred);
    if (!facts.referralsGiven.has(data.referral)) facts.referralsGiven.set(data.referral, occurrence);
  },
  referral_made(facts, occurrence, data) {
    facts.contact(data.to);
    facts.contact(data.referred);
    if (!facts.referralsMade.has(data.referral)) facts.referralsMade.set(data.referral, occurrence);
  },
  referral_outcome(facts, occurrence, data) {
    push(facts.outcomes, data.referral, occurrence);
  },
  thanks_sent(facts, occurrence, data) {
    facts.contact(data.contact);
    push(facts.thanksSent, data.contact, occurrence);
  },
  thanks_received(facts, occurrence, data) {
    facts.contact(data.contact);
    push(facts.thanksReceived, data.contact, occurrence);
  },
  introducer_informed(facts, occurrence, data) {
    push(facts.informed, data.referral, occurrence);
  },
  update_received(facts, occurrence, data) {
    push(facts.updates, data.referral, occurrence);
  },
  job_found(facts, occurrence) {
    facts.jobsFound.push(occurrence);
  },
  job_announced(facts, occurrence, data) {
    facts.contact(data.contact);
    push(facts.jobsAnnounced, data.contact, occurrence);
  },
  idea_shared(facts, occurrence, data) {
    facts.contact(data.contact);
    push(facts.ideas, data.contact, occurrence);
  },
  greetings_sent(facts, occurrence, data) {
    eachOnce(data.contacts, (contact) => {
      facts.contact(contact);
      push(facts.greetings, contact, occurrence);
    });
  },
  obligation_snoozed(facts, occurrence, data) {
    facts.snoozes.set(data.obligation, occurrence);
  },
  obligation_dismissed(facts, occurrence, data) {
    if (!facts.dismissals.has(data.obligation)) facts.dismissals.set(data.obligation, occurrence.pos);
  },
  // read by the pre-pass (prepass.js), or kept for the ideas inbox: nothing for the rules
  event_corrected() {},
  event_retracted() {},
  contacts_merged() {},
  idea_saved() {},
  settings_changed(facts, occurrence, data) {
    for (const name of ['timezone', 'reminder_hour', 'cadence_days', 'language']) {
      if (data[name] !== undefined) facts.settings[name] = data[name];
    }
  },
};
