/** Edits and removals from a contact's history (DESIGN.md section 1, 2026-12: `event_corrected`,
 * `event_retracted`): the event as it reads now, its correction, its removal and, for the toast's Undo, logging it
 * again. They read the log through the engine's pre-pass (rules/prepass.js), so this module is loaded only when a
 * contact's history offers Edit and Remove (ui/history.js), never on Today: the engine's replay stays in its
 * worker. */

import { CommandError, FUTURE_SLACK_MS, makeEvent } from './commands.js';
import { localInstant, uuidv7 } from './ids.js';
import { convertEvent } from './rules/events.js';
import { instantOf, order } from './rules/facts.js';
import { correctedEvent, resolve } from './rules/prepass.js';
import { limit } from './catalogue.js';

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
