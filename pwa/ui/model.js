/** What the screens read: the local log from IndexedDB, projected by the JavaScript rules engine
 * (pwa/lib/rules/) on the device, so every screen works offline. Projections are cached per log version
 * and date. */

import { allEvents } from '../lib/db.js';
import { todayIn } from './i18n.js';

/** The rules engine, loaded with the first log (the sign-in screen does not need it). */
let projection, replayDocument, contactHistory, logTimeZone, order, isoDay;

async function loadEngine() {
  if (projection) return;
  const [project, facts, dates] = await Promise.all([
    import('../lib/rules/project.js'), import('../lib/rules/facts.js'), import('../lib/rules/dates.js'),
  ]);
  ({ projection, replayDocument, contactHistory, logTimeZone } = project);
  ({ order } = facts);
  isoDay = dates.formatDay;
}

export const ME = 'me';

let events = [];
let byId = new Map();
let zone = 'UTC';
let version = 0;
const cache = new Map();

/** Read the local log again (after a write or a sync). */
export async function load() {
  [events] = await Promise.all([allEvents(), loadEngine()]);
  byId = new Map(events.map((e) => [e.id, e]));
  try {
    zone = logTimeZone(order(events)) ?? 'UTC';
  } catch (error) {
    console.warn('time zone', error);
    zone = 'UTC';
  }
  version += 1;
  cache.clear();
  return version;
}

export const logVersion = () => version;
export const eventCount = () => events.length;
export const allLocalEvents = () => events;
export const eventById = (id) => byId.get(id);

/** The account's time zone: the log's latest setting, else UTC. */
export const timeZone = () => zone;

export const today = () => todayIn(zone);

/** The projection as it stood at the end of `asOf` (default today): {p, doc}. */
export function view(asOf = today()) {
  let found = cache.get(asOf);
  if (!found) {
    const p = projection(events, asOf, zone);
    found = { p, doc: replayDocument(p) };
    cache.set(asOf, found);
  }
  return found;
}

let days = null;

/** The local date ('YYYY-MM-DD') of an event counted today, or null. */
export function eventDay(id) {
  if (!days || days.version !== version) {
    days = new Map(view().p.facts.occurrences.map((o) => [o.event.id, o.day]));
    days.version = version;
  }
  const day = days.get(id);
  return day === undefined ? null : isoDay(day);
}

/** The account's settings as of today (defaults for what the log never set). */
export function settings() {
  return view().p.facts.settings;
}

/** Every contact the log names, as of today: [{id, name, added, archived, fields}]. */
export function contacts() {
  const { p } = view();
  return [...p.facts.contacts.values()].map((c) => ({
    id: c.id, name: c.name, added: c.added, archived: c.archived !== null, fields: c.fields,
  }));
}

export function contact(id) {
  const c = view().p.facts.contacts.get(id);
  return c ? { id: c.id, name: c.name, added: c.added, archived: c.archived !== null, fields: c.fields } : null;
}

export const nameOf = (id, p = view().p) => p.facts.contacts.get(id)?.name ?? id;
export const emailOf = (id) => view().p.facts.contacts.get(id)?.fields.get('email') ?? null;

/** The other side of an obligation (never "me"). */
export const counterpart = (o) => (o.debtor === ME ? o.creditor : o.debtor);

/** One relationship as of `asOf`: events naming them, obligations both ways, both scores. */
export function history(id, asOf = today()) {
  return contactHistory(view(asOf).p, id);
}

/** The referral an obligation `report:{referral}` is about: {kind: 'given'|'made', data}. */
export function referralOf(referral, p = view().p) {
  const given = p.facts.referralsGiven.get(referral);
  if (given) return { kind: 'given', data: given.event.data };
  const made = p.facts.referralsMade.get(referral);
  if (made) return { kind: 'made', data: made.event.data };
  return null;
}

/** Forget the log in memory (after log out). */
export function reset() {
  events = [];
  byId = new Map();
  zone = 'UTC';
  version += 1;
  cache.clear();
}
