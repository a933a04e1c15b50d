/** What a person did, turned into the events to record: pure builders (form -> events), each event checked by
 * the decoder (rules/events.js) as it is made, so nothing the server would refuse is ever queued. No DOM, no
 * IndexedDB; the clock and the ids are arguments (defaults: now, UUIDv7), so node tests them as they are. */

import { CATALOGUE, limit } from './catalogue.js';
import { convertEvent } from './rules/events.js';
import { instantOf, order } from './rules/facts.js';
import { correctedEvent, resolve } from './rules/prepass.js';
import { localInstant, uuidv7 } from './ids.js';
import { parseTags } from './ideas.js';

/** A form that cannot be saved as it is: `key` is its i18n message (with `params`), `input` the field to fix. */
export class CommandError extends Error {
  constructor(key, params = {}, input = null) {
    super(key);
    this.name = 'CommandError';
    this.key = key;
    this.params = params;
    this.input = input;
  }
}

export { limit };

/** An event of `type` with `data`, made at `at` (a Date: now by default) with a new id: the canonical event
 * the decoder returns, or the EventError that says what is wrong (a bug of the caller: forms check first). */
export function makeEvent(type, data, at = new Date(), id = uuidv7()) {
  return convertEvent({ id, type, v: CATALOGUE.types[type]?.v ?? 1, at: localInstant(at), data });
}

/** "2026-05-12T10:30" (a datetime-local input, in the device's own time) as a Date, or null. */
export function fromLocalInput(text) {
  const when = new Date(text);
  return text && !Number.isNaN(when.getTime()) ? when : null;
}

/** How far ahead of the device's clock a meeting may be dated (a clock a little behind the input's minute). */
export const FUTURE_SLACK_MS = 60_000;

/**
 * The events of one meeting logged on the form, in the order they replay:
 *   form = {people: [{id, name, isNew, email?}], at: Date|null, host: 'them'|'me', kind, place, note,
 *           received: [{name, who}] (names they gave me), given: [{name, who}] (names I gave them),
 *           referral: the id of the referral this meeting settles ("We met"), or null}
 *   known = [{id, name}]: the contacts of the log (a referred name that matches one is that contact)
 * New people first (contact_added), then referred names not known yet, the meeting, the referrals, the
 * referral's outcome. Throws a CommandError for a form that cannot be saved.
 */
export function logMeeting(form, { known = [], now = new Date(), newId = uuidv7 } = {}) {
  const { people, at } = form;
  const most = limit('meeting_logged', 'contacts').max;
  if (!people.length) throw new CommandError('log.error_who', {}, 'who');
  if (people.length > most) throw new CommandError('log.error_too_many', { max: most }, 'who');
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new CommandError('log.error_when', {}, 'at');
  if (at.getTime() > now.getTime() + FUTURE_SLACK_MS) throw new CommandError('log.error_future', {}, 'at');

  const events = [];
  const make = (type, data) => events.push(makeEvent(type, data, at, newId()));
  const byName = new Map(known.map((c) => [c.name.toLowerCase(), c.id]));
  for (const c of people) byName.set(c.name.toLowerCase(), c.id);
  const added = ({ id, name, email }) => {
    const data = { contact: id, name };
    if (email?.trim()) data.email = email.trim();
    make('contact_added', data);
  };
  for (const c of people) if (c.isNew) added(c);
  /** The contact id of a referred name: known, or added now. */
  const person = (name) => {
    const key = name.toLowerCase();
    if (!byName.has(key)) {
      const id = newId();
      byName.set(key, id);
      added({ id, name });
    }
    return byName.get(key);
  };
  const meeting = newId();
  const referrals = [
    ...form.received.map((row) => ['referral_given',
      { referral: newId(), introducer: row.who, referred: person(row.name), meeting }]),
    ...form.given.map((row) => ['referral_made', { referral: newId(), to: row.who, referred: person(row.name), meeting }]),
  ];
  const data = { meeting, contacts: people.map((c) => c.id), host: form.host, kind: form.kind };
  if (form.place?.trim()) data.place = form.place.trim();
  if (form.note?.trim()) data.note = form.note.trim();
  make('meeting_logged', data);
  for (const [type, referral] of referrals) make(type, referral);
  if (form.referral) make('referral_outcome', { referral: form.referral, outcome: 'meeting_obtained', meeting });
  return events;
}

/** The day after `day` ('YYYY-MM-DD'). */
export function nextDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The event a reminder's button records (server/push/digest.py sends what "Done" records and the obligation
 * to snooze): "done", or "snooze" until the day after `today` (in the account's zone); null for anything else. */
export function notificationAction(message, action, { today, at = new Date(), newId = uuidv7 } = {}) {
  if (action === 'done' && message.done) return makeEvent(message.done.type, message.done.data, at, newId());
  if (action === 'snooze' && message.obligation) {
    return makeEvent('obligation_snoozed', { obligation: message.obligation, until: nextDay(today) }, at, newId());
  }
  return null;
}

// --- undo -----------------------------------------------------------------------------------------------

/** "Undo" of what was just recorded: one `event_retracted` per event, the last recorded retracted first (a
 * meeting's referrals before the meeting, the meeting before the people it added). The log stays append-only:
 * the engines' pre-pass reads a retracted event as if it had never been logged (DESIGN.md section 1). */
export function undo(events, { at = new Date(), newId = uuidv7 } = {}) {
  if (!events.length) throw new CommandError('undo.error_nothing');
  return [...events].reverse().map((event) => makeEvent('event_retracted', { event: event.id }, at, newId()));
}

/** The ids of the events `log` retracts (a retraction is final: one naming a retraction does nothing). */
export function retractedIds(log) {
  return new Set(log.filter((e) => e.type === 'event_retracted').map((e) => e.data.event));
}

/** Un-snooze an obligation: retract every snooze of it still in effect, so it is due (or overdue) again as
 * the rules say. Throws a CommandError when nothing snoozes it. */
export function unsnooze(log, obligation, { at = new Date(), newId = uuidv7 } = {}) {
  const retracted = retractedIds(log);
  const snoozes = log.filter((e) => e.type === 'obligation_snoozed' && e.data.obligation === obligation
    && !retracted.has(e.id));
  if (!snoozes.length) throw new CommandError('today.error_not_snoozed', { obligation });
  return snoozes.map((event) => makeEvent('event_retracted', { event: event.id }, at, newId()));
}

/** Season's greetings sent to several people at once ("Done" for all of them): one `greetings_sent`. */
export function greetingsSent(contacts, { channel = 'email', at = new Date(), newId = uuidv7 } = {}) {
  const unique = [...new Set(contacts)];
  const most = limit('greetings_sent', 'contacts').max;
  if (!unique.length) throw new CommandError('today.error_no_greetings');
  if (unique.length > most) throw new CommandError('log.error_too_many', { max: most });
  return [makeEvent('greetings_sent', { contacts: unique, channel }, at, newId())];
}

// --- a job found ----------------------------------------------------------------------------------------

/** 'YYYY-MM-DD' of `date` on the device's own calendar. */
function deviceDay(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "Found a job": form = {job, employer, day: 'YYYY-MM-DD' (the day it was found, the rule's D; today when
 * empty)}. Today is recorded at now; an earlier day at noon of that day, so its local date is D. */
export function jobFound(form, { now = new Date(), newId = uuidv7 } = {}) {
  const day = form.day?.trim() || deviceDay(now);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(new Date(`${day}T12:00`).getTime())) {
    throw new CommandError('job.error_day', {}, 'day');
  }
  if (day > deviceDay(now)) throw new CommandError('job.error_future', {}, 'day');
  const at = day === deviceDay(now) ? now : new Date(`${day}T12:00`);
  const data = {};
  if (form.job?.trim()) data.job = form.job.trim();
  if (form.employer?.trim()) data.employer = form.employer.trim();
  return [makeEvent('job_found', data, at, newId())];
}

// --- ideas (DESIGN.md section 1 idea_saved, section 4 sharing into Merci) -----------------------------------

/** The text cut to `max` characters (a shared page's title may be longer than an idea's). */
const cut = (text, max) => (text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text);

/** "Save as an idea": form = {title, link, tags: [..] or 'a, b', note}; an idea needs a title or a link. Titles
 * and notes too long are cut, tags checked against the catalogue's limits. One `idea_saved`, under a new id. */
export function ideaSaved(form, { at = new Date(), newId = uuidv7 } = {}) {
  const title = cut(form.title?.trim() ?? '', limit('idea_saved', 'title').max);
  const link = form.link?.trim() ?? '';
  if (!title && !link) throw new CommandError('ideas.error_empty', {}, 'title');
  if (link.length > limit('idea_saved', 'link').max) throw new CommandError('ideas.error_link', {}, 'link');
  const tags = Array.isArray(form.tags) ? parseTags(form.tags.join(',')) : parseTags(form.tags);
  const tag = limit('idea_saved', 'tags');
  const longest = tag.item?.max ?? 50;
  if (tags.some((t) => t.length > longest)) throw new CommandError('ideas.error_tag', { max: longest }, 'tags');
  if (tags.length > tag.max) throw new CommandError('ideas.error_tags', { max: tag.max }, 'tags');
  const data = { idea: newId() };
  if (title) data.title = title;
  if (link) data.link = link;
  if (tags.length) data.tags = tags;
  const note = cut(form.note?.trim() ?? '', limit('idea_saved', 'note').max);
  if (note) data.note = note;
  return [makeEvent('idea_saved', data, at, newId())];
}

/** "Share" an idea with a contact: one `idea_shared` naming the idea (its id) and its link. A touch: it keeps
 * the link alive (the nurture rule). */
export function ideaShared(idea, contact, { at = new Date(), newId = uuidv7 } = {}) {
  if (!contact) throw new CommandError('ideas.error_contact');
  const data = { contact, idea: idea.id };
  if (idea.link) data.link = idea.link;
  return [makeEvent('idea_shared', data, at, newId())];
}

/** "New contact" from what was shared: form = {name, note}; the note keeps the shared link. */
export function contactFromShare(form, { at = new Date(), newId = uuidv7 } = {}) {
  const name = form.name?.trim() ?? '';
  if (!name) throw new CommandError('inbound.error_name', {}, 'name');
  if (name.length > limit('contact_added', 'name').max) throw new CommandError('inbound.error_name_long', {}, 'name');
  const data = { contact: newId(), name };
  const note = cut(form.note?.trim() ?? '', limit('contact_added', 'note').max);
  if (note) data.note = note;
  return [makeEvent('contact_added', data, at, newId())];
}

// --- the history: edit, remove, merge (DESIGN.md section 1, 2026-12) -------------------------------------

/** What can be edited from a contact's history, and the fields of `data` the form may change (the others, such
 * as a meeting's id or a thanks' meeting, are kept as they are). */
export const EDITABLE = {
  meeting_logged: ['contacts', 'host', 'kind', 'place', 'note'],
  referral_given: ['introducer', 'referred', 'note'],
  referral_made: ['to', 'referred', 'note'],
  thanks_sent: ['channel', 'note'],
  thanks_received: ['channel', 'note'],
  job_found: ['job', 'employer', 'note'],
};

/** What can be removed from the history (an `event_retracted`): what a person recorded, never the control
 * events but a merge (removing it splits the two contacts again). */
export const REMOVABLE = new Set([
  'meeting_logged', 'referral_given', 'referral_made', 'referral_outcome', 'thanks_sent', 'thanks_received',
  'introducer_informed', 'update_received', 'job_found', 'job_announced', 'idea_shared', 'greetings_sent',
  'obligation_snoozed', 'obligation_dismissed', 'contact_updated', 'contacts_merged',
]);

/** The event `id` of `log` as it is read now, before merges: as logged, or as its latest correction still in
 * effect reads it; null if it is not in the log or no longer in effect (retracted). Merges are left out on
 * purpose: a correction names contacts as they were logged, so that undoing a merge later splits them right. */
export function currentEvent(log, id) {
  const { retractions, corrections, originals, items } = resolve(order(log));
  if (retractions.has(id)) return null;
  const correction = corrections.get(id);
  if (correction !== undefined) return correctedEvent(originals.get(id), correction);
  const found = items.find((item) => item.event.id === id)?.event;
  if (found === undefined) return null;
  return log.find((e) => e.id === id) ?? found; // as logged (items are read through merges)
}

function sameData(a, b) {
  const canonical = (value) => JSON.stringify(value, (key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v));
  return canonical(a) === canonical(b);
}

/**
 * Edit an event from the history: one `event_corrected` naming it, with its whole `data` as it should read (the
 * fields of EDITABLE changed as `changes` says: a value, or null / '' to leave an optional field out) and its
 * `at` only if `when` (a Date) moves it. The correction is checked against the event's own type as the engines
 * will read it (an invalid one would do nothing). Throws a CommandError: gone (removed meanwhile), not
 * editable, a meeting in the future, invalid data, or nothing changed.
 */
export function correctEvent(log, id, { when = null, changes = {} }, { now = new Date(), newId = uuidv7 } = {}) {
  const current = currentEvent(log, id);
  if (current === null) throw new CommandError('history.error_gone');
  const fields = EDITABLE[current.type];
  if (fields === undefined) throw new CommandError('history.error_not_editable', { type: current.type });
  const data = { ...current.data };
  for (const [name, value] of Object.entries(changes)) {
    if (!fields.includes(name)) throw new CommandError('history.error_not_editable', { type: current.type }, name);
    const empty = value === null || value === undefined || (typeof value === 'string' && !value.trim());
    if (empty) delete data[name];
    else data[name] = typeof value === 'string' ? value.trim() : value;
  }
  if (Array.isArray(data.contacts)) {
    data.contacts = [...new Set(data.contacts)];
    if (!data.contacts.length) throw new CommandError('log.error_who', {}, 'contacts');
    const most = limit(current.type, 'contacts').max;
    if (data.contacts.length > most) throw new CommandError('log.error_too_many', { max: most }, 'contacts');
  }
  let at;
  if (when !== null) {
    if (!(when instanceof Date) || Number.isNaN(when.getTime())) throw new CommandError('log.error_when', {}, 'at');
    if (when.getTime() > now.getTime() + FUTURE_SLACK_MS) throw new CommandError('history.error_future', {}, 'at');
    if (Math.floor(when.getTime() / 1000) !== Math.floor(instantOf(current).sec)) at = localInstant(when);
  }
  const correction = { event: id, data };
  if (at !== undefined) correction.at = at;
  const read = correctedEvent(current, { data: correction });
  if (read === null) throw new CommandError('history.error_invalid');
  if (at === undefined && sameData(read.data, current.data)) throw new CommandError('history.error_unchanged');
  correction.data = read.data; // its canonical form: defaults left out, as the decoder writes the event
  return [makeEvent('event_corrected', correction, now, newId())];
}

/** Remove an event from the history: one `event_retracted` naming it (the engines read the log as if it had never
 * been logged; a removed merge splits the two contacts again). Throws a CommandError if it is gone already or
 * is not something a person recorded. */
export function removeEvent(log, id, { at = new Date(), newId = uuidv7 } = {}) {
  const current = currentEvent(log, id);
  if (current === null) throw new CommandError('history.error_gone');
  if (!REMOVABLE.has(current.type)) throw new CommandError('history.error_not_removable', { type: current.type });
  return [makeEvent('event_retracted', { event: id }, at, newId())];
}

/**
 * "Undo" of a removal. A retraction cannot be retracted (DESIGN.md: naming an `event_retracted` does nothing;
 * log the event again): the removed event is logged again, under a new id, with its `at` and its data as it was
 * read (its correction applied). Obligations keyed by the meeting, the referral or the contact come back as
 * they were; those keyed by the event's own id (announce:{job_found id}:…) get the new id.
 */
export function restoreEvent(log, id, { at = new Date(), newId = uuidv7 } = {}) {
  const { retractions, originals } = resolve(order(log));
  const logged = originals.get(id) ?? log.find((e) => e.id === id);
  if (logged === undefined) throw new CommandError('history.error_gone');
  if (!retractions.has(id)) return []; // in effect already
  const correction = latestCorrection(log, logged, retractions);
  const read = correction ? correctedEvent(logged, correction) ?? logged : logged;
  return [convertEvent({ id: newId(), type: read.type, v: read.v, at: read.at, data: read.data })];
  // (`at` is the event's own: it happened then; the server stamps when it was recorded)
}

/** The latest correction of `id` still in effect (the pre-pass drops those of a retracted event). */
function latestCorrection(log, logged, retractions) {
  const found = order(log).filter(({ event }) => event.type === 'event_corrected' && event.data.event === logged.id
    && !retractions.has(event.id));
  for (let i = found.length - 1; i >= 0; i--) if (correctedEvent(logged, found[i].event) !== null) return found[i].event;
  return null;
}

/** Merge two records of one person: `from`'s history joins `into`'s (every event naming `from` is read as naming
 * `into`; `into` keeps its name and details, `from`'s fill in what it lacks). Throws a CommandError for the
 * same contact twice, or one already merged away. */
export function mergeContacts(from, into, { merged = new Map(), at = new Date(), newId = uuidv7 } = {}) {
  if (!from || !into || from === into) throw new CommandError('merge.error_same');
  if (merged.has(from) || merged.has(into)) throw new CommandError('merge.error_merged');
  return [makeEvent('contacts_merged', { from, into }, at, newId())];
}
