// The projection: (events, as_of, time zone) -> obligations both ways, scores, relationship histories.
//
// A pure function: no clock, no I/O. The same set of events gives the same answer whatever order or
// how many times they arrived, and replaying to a past date shows what was pending then. The
// document is the one `merci replay --json` prints (DESIGN.md section 3), value for value.

import { LocalDates, formatDay, isTimeZone, parseDay } from './dates.js';
import { allBelowSurrogates, collect, compareText, instantOf, order, sortBy } from './facts.js';
import { ME, WINDOWS } from './obligations.js';
import { CONTROL, correctedEvent, resolve } from './prepass.js';
import * as thank from './thank.js';
import * as report from './report.js';
import * as announce from './announce.js';
import * as nurture from './nurture.js';
import * as greetings from './greetings.js';

/** Every rule, called the same way: derive(facts) -> obligations. */
export const RULES = [thank, report, announce, nurture, greetings];

/** Statuses a score counts; due, upcoming, snoozed and dismissed are left out. */
export const COUNTED = new Set(['done', 'overdue', 'missed']);

export const SIDES = ['owed_by_me', 'owed_to_me'];

class Score {
  constructor() {
    this.onTime = 0;
    this.counted = 0;
  }

  get value() {
    return this.counted ? this.onTime / this.counted : null;
  }
}

/**
 * The time zone the log's settings name last, in (at, id) order, whether or not it is dated after the
 * replay's as_of (DESIGN.md §2, 2026-12): the zone set at sign-up also dates what was back-logged before it.
 */
export function logTimeZone(ordered) {
  let zone = null;
  for (const { event } of ordered) {
    if (event.type === 'settings_changed' && event.data.timezone !== undefined) zone = event.data.timezone;
  }
  return zone;
}

function dayOf(asOf) {
  const day = typeof asOf === 'number' ? asOf : parseDay(asOf);
  if (day === null || !Number.isInteger(day)) throw new RangeError(`as_of: ${asOf} is not a date (expected YYYY-MM-DD)`);
  return day;
}

/**
 * Everything owed, both ways, as it stood at the end of `asOf` ('YYYY-MM-DD', a local date in the time
 * zone: `timezone` if given, else the log's own setting, else UTC). `events` are decoded events
 * (events.js). The projection keeps the indexes, for contactHistory.
 */
export function projection(events, asOf, timezone = null) {
  const today = dayOf(asOf);
  if (timezone != null && !isTimeZone(timezone)) throw new RangeError(`unknown time zone ${timezone}`);
  const resolution = resolve(order(events)); // corrections, retractions and merges, before the rules
  const ordered = resolution.items;
  const zone = timezone ?? logTimeZone(ordered) ?? 'UTC';
  const facts = collect(ordered, today, zone, resolution.merged);
  const obligations = [];
  for (const rule of RULES) for (const obligation of rule.derive(facts)) obligations.push(obligation);
  settle(obligations, facts);
  // (due, id) order, stable: the same id twice keeps the rules' order
  const byId = allBelowSurrogates(obligations.map((o) => o.id)) ? (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    : (a, b) => compareText(a.id, b.id);
  sortBy(obligations, (o) => o.due, byId);
  const { scores, overall } = score(obligations, facts);
  return { asOf: today, timezone: zone, facts, obligations, scores, overall, resolution };
}

/** Status on `asOf` of those not done: dismissed, snoozed, or where their window puts them. */
function settle(obligations, facts) {
  const { asOf, dismissals, snoozes } = facts;
  for (const obligation of obligations) {
    if (obligation.status === 'done') continue;
    if (dismissals.has(obligation.id)) {
      obligation.status = 'dismissed';
      continue;
    }
    let status = WINDOWS.get(obligation.rule).status(obligation.due, asOf);
    const snooze = snoozes.size ? snoozes.get(obligation.id) : undefined;
    if (snooze !== undefined && status !== 'missed') {
      const until = parseDay(snooze.event.data.until);
      if (asOf < until) {
        obligation.snoozedUntil = until;
        status = 'snoozed';
      }
    }
    obligation.status = status;
  }
}

/** Each counterpart's scores both ways (every contact of the log, even with nothing counted), and overall. */
function score(obligations, facts) {
  const scores = new Map();
  for (const id of facts.contacts.keys()) scores.set(id, [new Score(), new Score()]);
  const overall = [new Score(), new Score()];
  for (const obligation of obligations) {
    if (!COUNTED.has(obligation.status)) continue;
    const [contact, side] = obligation.debtor === ME ? [obligation.creditor, 0] : [obligation.debtor, 1];
    let pair = scores.get(contact);
    if (pair === undefined) scores.set(contact, pair = [new Score(), new Score()]);
    const onTime = obligation.grade === 'on_time' ? 1 : 0;
    pair[side].counted += 1;
    pair[side].onTime += onTime;
    overall[side].counted += 1;
    overall[side].onTime += onTime;
  }
  return { scores, overall };
}

function scorePair([byMe, toMe]) {
  return { owed_by_me: byMe.value, owed_to_me: toMe.value };
}

/** An own property even for a key such as '__proto__' (contact ids are anyone's strings). */
function setOwn(object, key, value) {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** An obligation as the document shows it, keys in the document's order. */
export function obligationView(o) {
  return {
    id: o.id,
    rule: o.rule,
    debtor: o.debtor,
    creditor: o.creditor,
    due: formatDay(o.due),
    status: o.status,
    grade: o.grade,
    done_on: o.doneOn === null ? null : formatDay(o.doneOn),
    snoozed_until: o.snoozedUntil === null ? null : formatDay(o.snoozedUntil),
    trigger: o.trigger,
  };
}

/**
 * The `merci replay --json` document of a projection. `scores` is keyed by contact id in code point
 * order (an object lists integer-like keys such as "42" first whatever: replayJSON in cli.mjs writes
 * them in order).
 */
export function replayDocument(p) {
  const scores = {};
  for (const id of [...p.scores.keys()].sort(compareText)) setOwn(scores, id, scorePair(p.scores.get(id)));
  return {
    as_of: formatDay(p.asOf),
    timezone: p.timezone,
    obligations: p.obligations.map(obligationView),
    scores,
    overall: scorePair(p.overall),
  };
}

/** project(events, asOf, timezone) -> the replay document (see `projection`). */
export function project(events, asOf, timezone = null) {
  return replayDocument(projection(events, asOf, timezone));
}

// --- one relationship -------------------------------------------------------------------------------

/** The contacts an event names, directly or through the referral it is about (read through merges). */
export function mentions(event, facts) {
  const found = namedIn(event, facts);
  if (facts.merged.size === 0) return found;
  return new Set([...found].map((contact) => facts.merged.get(contact) ?? contact));
}

function namedIn(event, facts) {
  const { data } = event;
  switch (event.type) {
    case 'contacts_merged':
      return new Set([data.from, data.into]);
    case 'event_corrected':
    case 'event_retracted':
    case 'idea_saved':
      return new Set(); // the changes are listed apart (contactHistory's `changes`)
    case 'meeting_logged':
    case 'greetings_sent':
      return new Set(data.contacts);
    case 'referral_given':
      return new Set([data.introducer, data.referred]);
    case 'referral_made':
      return new Set([data.to, data.referred]);
    case 'referral_outcome':
    case 'introducer_informed':
    case 'update_received': {
      const found = new Set();
      const given = facts.referralsGiven.get(data.referral);
      if (given !== undefined) found.add(given.event.data.introducer).add(given.event.data.referred);
      const made = facts.referralsMade.get(data.referral);
      if (made !== undefined) found.add(made.event.data.to).add(made.event.data.referred);
      return found;
    }
    case 'obligation_snoozed':
    case 'obligation_dismissed':
      return new Set(data.obligation.split(':').slice(1)); // a superset is fine: matched against one contact
    default:
      return new Set(data.contact !== undefined ? [data.contact] : []);
  }
}

/** A contact's card: fields, archived or not, both scores. */
export function contactView(p, contactId) {
  const contact = p.facts.contacts.get(contactId);
  const fields = {};
  for (const [name, value] of contact.fields) if (value !== null) fields[name] = value;
  const pair = p.scores.get(contactId) ?? [new Score(), new Score()];
  return {
    contact: contactId,
    name: contact.name,
    added: contact.added,
    archived: contact.archived === null ? null : formatDay(contact.archived.day),
    fields,
    scores: scorePair(pair),
  };
}

/**
 * One relationship, both ways: every event naming the contact in order (each with its local `date`),
 * the obligations both ways, both scores. Null if the log never names that contact.
 */
export function contactHistory(p, asked) {
  const { facts } = p;
  const contactId = facts.merged.get(asked) ?? asked; // a merged-away contact: the one it was merged into
  if (!facts.contacts.has(contactId)) return null;
  const own = p.obligations.filter((o) => o.counterpart === contactId);
  const ownIds = new Set(own.map((o) => o.id));
  const events = [];
  for (const { day, event } of facts.occurrences) {
    if (!mentions(event, facts).has(contactId)) continue;
    if ((event.type === 'obligation_snoozed' || event.type === 'obligation_dismissed')
        && !ownIds.has(event.data.obligation)) {
      continue;
    }
    events.push({ ...event, date: formatDay(day) });
  }
  return { ...contactView(p, contactId), events, obligations: own.map(obligationView), changes: changes(p, contactId) };
}

/**
 * The corrections and retractions that touched the contact (an event naming them, as logged or as corrected),
 * each with its own local date: an audit shows that the record changed, and when. Only those of events that
 * count for as_of (by their corrected date; a retracted event by its own), whatever the date of the change
 * itself: the record shown is the changed one. A retracted correction or merge is listed whatever its date.
 */
function changes(p, contactId) {
  const { resolution, facts } = p;
  if (resolution === undefined || resolution.originals.size === 0) return [];
  const dates = new LocalDates(p.timezone);
  const counted = new Map(facts.occurrences.map(({ event }) => [event.id, event]));
  const found = [];
  for (const [target, correction] of resolution.corrections) {
    const event = counted.get(target);
    if (event !== undefined && (mentions(event, facts).has(contactId)
        || mentions(resolution.originals.get(target), facts).has(contactId))) {
      found.push([correction, 'corrected', event]);
    }
  }
  for (const [target, retraction] of resolution.retractions) {
    const event = resolution.originals.get(target);
    if (!CONTROL.has(event.type) && dates.dayOf(instantOf(event).sec) > p.asOf) continue;
    let touched = mentions(event, facts);
    if (event.type === 'event_corrected') { // what it corrected (if it counts), as read, logged, and corrected so
      const current = counted.get(event.data.event);
      touched = new Set();
      if (current !== undefined && !CONTROL.has(current.type)) { // a correction of those never applied
        const logged = resolution.originals.get(current.id) ?? current;
        const undone = correctedEvent(logged, event);
        for (const read of [current, logged, ...(undone === null ? [] : [undone])]) {
          for (const contact of mentions(read, facts)) touched.add(contact);
        }
      }
    }
    if (touched.has(contactId)) found.push([retraction, 'retracted', event]);
  }
  const keyed = found.map((change) => ({ change, instant: instantOf(change[0]) }));
  keyed.sort((a, b) => a.instant.sec - b.instant.sec || a.instant.us - b.instant.us
    || compareText(a.change[0].id, b.change[0].id));
  return keyed.map(({ change: [by, what, event], instant }) => ({
    date: formatDay(dates.dayOf(instant.sec)), change: what, by: by.id, event: event.id, type: event.type,
  }));
}
