// The pre-pass: corrections, retractions and merges resolved before the rules run (DESIGN.md section 1,
// 2026-12), the twin of events/prepass.py.
//
// The log stays append-only; these events change how earlier events are *read*, for the whole history and
// whatever their own date. In order: retractions (a retracted event drops out), corrections (the latest
// valid correction of an event still in effect replaces its `at` and `data`), merges (every event naming
// `from` is read as naming `into`). The result is again a function of the set of events. docs/rules.md
// reads its open points.

import { EventError, INSTANT, convertEvent } from './events.js';
import { compareText, instantOf, sortBy } from './facts.js';

/** The events that change how others are read; they cannot be corrected, and retracting one undoes it. */
export const CONTROL = new Set(['event_corrected', 'event_retracted', 'contacts_merged']);

/**
 * Resolve the control events among `ordered` (the items of facts.js's `order`: {event, sec, us, ...} in
 * (at, id) order, each id once). Returns {items, merged, corrections, originals, retractions}: the items
 * still in effect (corrected and merged, in (at, id) order), each merged-away contact -> the contact it is
 * read as, event id -> the correction applied, event id -> the event as logged (of those corrected or
 * retracted), event id -> the first retraction that took it out of effect.
 */
export function resolve(ordered) {
  const resolution = {
    items: ordered, merged: new Map(), corrections: new Map(), originals: new Map(), retractions: new Map(),
  };
  if (!ordered.some((item) => CONTROL.has(item.event.type))) return resolution; // the usual case
  const byId = new Map(ordered.map((item) => [item.event.id, item.event]));

  // 1. retractions: naming a retraction, or an event not in the log, does nothing
  const { retractions, corrections, originals, merged } = resolution;
  for (const { event } of ordered) {
    if (event.type !== 'event_retracted') continue;
    const target = byId.get(event.data.event);
    if (target !== undefined && target.type !== 'event_retracted' && !retractions.has(target.id)) {
      retractions.set(target.id, event);
    }
  }

  // 2. corrections: the latest valid one, in (at, id) order, of an event still in effect
  const corrected = new Map();
  for (const { event } of ordered) {
    if (event.type !== 'event_corrected' || retractions.has(event.id)) continue;
    const target = byId.get(event.data.event);
    if (target === undefined || retractions.has(target.id) || CONTROL.has(target.type)) continue;
    const replaced = correctedEvent(target, event);
    if (replaced !== null) {
      corrections.set(target.id, event);
      corrected.set(target.id, replaced);
    }
  }

  // 3. merges still in effect, in (at, id) order
  const parent = new Map();
  for (const { event } of ordered) {
    if (event.type !== 'contacts_merged' || retractions.has(event.id)) continue;
    const { from, into } = event.data;
    if (parent.has(from) || root(parent, into) === from) continue; // merged already, or a cycle: left out
    parent.set(from, into);
  }
  for (const from of parent.keys()) merged.set(from, root(parent, from));

  const items = [];
  for (const item of ordered) {
    const { id } = item.event;
    if (retractions.has(id)) continue;
    let event = corrected.get(id) ?? item.event;
    if (merged.size) event = readMerged(event, merged);
    if (event === item.event) items.push(item);
    else {
      const { sec, us } = instantOf(event);
      items.push({ event, sec, us, pos: 0, day: 0 });
    }
  }
  if (corrected.size) sortBy(items, (item) => item.sec, (a, b) => a.us - b.us || compareText(a.event.id, b.event.id));
  for (const id of [...corrections.keys(), ...retractions.keys()]) originals.set(id, byId.get(id));
  resolution.items = items;
  return resolution;
}

/** `target` read with the correction's `at` and `data`, or null if that data is not valid for its type. */
export function correctedEvent(target, correction) {
  const { at, data } = correction.data;
  try {
    const { type, v, id } = target;
    return convertEvent({ type, v, id, at: at ?? target.at, data, ...server(target) });
  } catch (error) {
    if (error instanceof EventError) return null; // an invalid correction does nothing
    throw error;
  }
}

function server(event) {
  const fields = {};
  for (const key of ['seq', 'recorded_at', 'device']) if (event[key] !== undefined) fields[key] = event[key];
  return fields;
}

function root(parent, contact) {
  let found = contact;
  for (let seen = 0; parent.has(found) && seen <= parent.size; seen++) found = parent.get(found);
  return found;
}

const PAIRS = {
  referral_given: ['introducer', 'referred'],
  referral_made: ['to', 'referred'],
  thanks_sent: ['contact'],
  thanks_received: ['contact'],
  job_announced: ['contact'],
  idea_shared: ['contact'],
};

/** The event with every contact it names read through the merges; lists keep each contact once. Events about
 * a contact's record (contact_added, _updated, _archived) keep their own id: facts.js keeps those records apart. */
function readMerged(event, merged) {
  const { data } = event;
  let changes = null;
  switch (event.type) {
    case 'meeting_logged':
    case 'greetings_sent': {
      const contacts = [...new Set(data.contacts.map((c) => merged.get(c) ?? c))];
      if (contacts.length !== data.contacts.length || contacts.some((c, i) => c !== data.contacts[i])) {
        changes = { contacts };
      }
      break;
    }
    case 'obligation_snoozed':
    case 'obligation_dismissed': {
      const obligation = mergedObligationId(data.obligation, merged);
      if (obligation !== data.obligation) changes = { obligation };
      break;
    }
    default:
      for (const name of PAIRS[event.type] ?? []) {
        if (merged.has(data[name])) (changes ??= {})[name] = merged.get(data[name]);
      }
  }
  if (changes === null) return event;
  const read = { ...event, data: { ...data, ...changes } };
  Object.defineProperty(read, INSTANT, { value: instantOf(event) });
  return read;
}

/** Where an obligation id names its contact: thank:{meeting}:{contact}, announce:{job}:{contact},
 * greetings:{Y}:{contact}, nurture:{contact}:{due}. */
const CONTACT_PART = { thank: 2, announce: 2, greetings: 2, nurture: 1 };

/** An obligation id with its contact read through the merges. */
export function mergedObligationId(obligation, merged) {
  const parts = obligation.split(':');
  const index = Object.hasOwn(CONTACT_PART, parts[0]) ? CONTACT_PART[parts[0]] : undefined;
  if (index === undefined || parts.length !== 3 || !merged.has(parts[index])) return obligation;
  parts[index] = merged.get(parts[index]);
  return parts.join(':');
}
