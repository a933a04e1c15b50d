/** What a person did, turned into the events to record: pure builders (form -> events), each event checked by
 * the decoder (rules/events.js) as it is made, so nothing the server would refuse is ever queued. No DOM, no
 * IndexedDB; the clock and the ids are arguments (defaults: now, UUIDv7), so node tests them as they are. */

import { CATALOGUE, limit } from './catalogue.js';
import { convertEvent } from './rules/events.js';
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

// --- merging two records of one person (DESIGN.md section 1, 2026-12); edits and removals: lib/corrections.js ---

/** Merge two records of one person: `from`'s history joins `into`'s (every event naming `from` is read as naming
 * `into`; `into` keeps its name and details, `from`'s fill in what it lacks). Throws a CommandError for the
 * same contact twice, or one already merged away. */
export function mergeContacts(from, into, { merged = new Map(), at = new Date(), newId = uuidv7 } = {}) {
  if (!from || !into || from === into) throw new CommandError('merge.error_same');
  if (merged.has(from) || merged.has(into)) throw new CommandError('merge.error_merged');
  return [makeEvent('contacts_merged', { from, into }, at, newId())];
}
