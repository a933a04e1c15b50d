/** What the screens read: the local log from IndexedDB, projected by the JavaScript rules engine on the
 * device, so every screen works offline. The engine runs in a worker (lib/projector.js): `load()` sends it
 * the whole log (on start), `append(events)` only what joined it since (a save, a sync), `prepare(asOf)` and
 * `prepareHistory(id)` ask for a date or a contact, and the screens then read the answers synchronously.
 * Answers are cached per log version and date. */

import { allEvents } from '../lib/db.js';
import { createProjector } from '../lib/projector.js';
import { todayIn } from './i18n.js';

export const ME = 'me';

const engine = createProjector();

let events = [];
let byId = new Map();
let zone = 'UTC';
let language = null;
let version = 0;
/** asOf -> {promise, value}: `value` once the engine answered. */
const views = new Map();
/** The views of the version before, for a tap on what is still drawn from them while the new one is worked out. */
let drawn = new Map();
/** `${asOf}\n${contact}` -> {promise, value}. */
const histories = new Map();
/** Stories (lib/rules/story.js): `network\n${asOf}`, `contact\n${asOf}\n${id}`, `changes\n${since}\n${asOf}` -> {promise, value}. */
const stories = new Map();

/** Says `version` each time a new version of the log reached the engine (a sync pulled events, another tab or the
 * service worker recorded some, a save here): a screen that is not redrawn on sync (a form being typed in, app.js
 * FORMS) listens to update a part of itself, e.g. the log form's brief (ui/log.js). */
export const changes = new EventTarget();

/** Start the engine before the log is read (its worker's modules load meanwhile). */
export const warm = () => engine.warm();

/** The model's updates, one after the other: a log read from IndexedDB and events appended reach the engine in
 * the order they were asked for, never an older read after a newer append. */
let updating = Promise.resolve();

function update(work) {
  const done = updating.then(work);
  updating = done.catch(() => {});
  return done;
}

/** Resolves once every update asked so far has reached the engine. */
export const updated = () => updating.then(() => version);

/** Read the whole local log again (on start, after a log out, after events left it) and hand it to the engine;
 * today's projection starts at once. Resolves with the new version once the engine knows the log's time zone. */
export function load() {
  engine.warm();
  return update(async () => {
    const read = await allEvents();
    events = read;
    byId = new Map(read.map((e) => [e.id, e]));
    return hand('load', read);
  });
}

/** Events that joined the log (recorded here, or pulled by a sync): only those new to it cross to the engine's
 * worker, not the whole log again. One it holds already (an event made here, back from the server with its
 * `seq`) only replaces its copy here. */
export function append(added) {
  return update(async () => {
    const fresh = [];
    const again = new Map();
    for (const event of added) {
      if (byId.has(event.id)) again.set(event.id, event);
      else if (!fresh.some((e) => e.id === event.id)) fresh.push(event);
    }
    if (again.size) events = events.map((e) => again.get(e.id) ?? e);
    for (const event of added) byId.set(event.id, event);
    if (!fresh.length) return version;
    events = events.concat(fresh);
    return hand('append', fresh);
  });
}

/** A new version of the log for the engine (`load` the whole log, or `append` events to the one it holds). */
async function hand(method, sent) {
  version += 1;
  forget();
  const mine = version;
  let known;
  try {
    known = await engine.call(method, sent);
  } catch (error) {
    console.warn('rules engine', error); // the projection asked next says what went wrong, on screen
    known = { zone: 'UTC', language: null };
  }
  if (mine !== version) return version; // a newer version went out meanwhile: its answer is the one to keep
  ({ zone, language } = known);
  prepare().catch(() => {}); // its error, if any, is shown by the screen that reads it
  changes.dispatchEvent(new Event('version'));
  return version;
}

export const logVersion = () => version;
export const eventCount = () => events.length;
export const allLocalEvents = () => events;
export const eventById = (id) => byId.get(id);

/** Where the rules engine runs: 'worker', 'page', or null before it first answered. */
export const engineRunsIn = () => engine.runsIn;

/** The account's time zone: the log's latest setting, else UTC. */
export const timeZone = () => zone;

/** The language the log last set (null if never), known before any projection. */
export const logLanguage = () => language;

export const today = () => todayIn(zone);

/** Ask the engine once per version for `key`; the answer lands in `found.value`. */
function ask(cache, key, method, ...args) {
  let found = cache.get(key);
  if (!found) {
    const mine = version;
    found = { value: undefined };
    found.promise = engine.call(method, ...args).then((value) => {
      if (mine === version) found.value = value;
      return value;
    });
    cache.set(key, found);
  }
  return found;
}

/** The projection as it stood at the end of `asOf` (default today), once computed: see view(). */
export function prepare(asOf = today()) {
  return ask(views, asOf, 'view', asOf).promise;
}

/** Whether view(asOf) can be read now. */
export const ready = (asOf = today()) => views.get(asOf)?.value !== undefined;

/**
 * What the screens read of a date, prepared first (prepare): {doc (the replay document), contacts (Map id ->
 * {id, name, added, archived, fields}), days (Map event id -> its local date), channels, settings,
 * referralsGiven, referralsMade} — lib/engine.js viewOf.
 */
export function view(asOf = today()) {
  const found = views.get(asOf)?.value ?? drawn.get(asOf);
  if (found === undefined) throw new Error(`the projection of ${asOf} is not ready`);
  return found;
}

/** The local date ('YYYY-MM-DD') of an event counted today, or null. */
export function eventDay(id) {
  return view().days.get(id) ?? null;
}

/** The account's settings as of today (defaults for what the log never set). */
export function settings() {
  return view().settings;
}

/** Every contact the log names, as of today: [{id, name, added, archived, fields, met, given}] (lib/engine.js viewOf). */
export function contacts() {
  return [...view().contacts.values()];
}

export function contact(id) {
  return view().contacts.get(id) ?? null;
}

export const nameOf = (id, v = view()) => v.contacts.get(id)?.name ?? id;
export const emailOf = (id) => view().contacts.get(id)?.fields.get('email') ?? null;

/** The other side of an obligation (never "me"). */
export const counterpart = (o) => (o.debtor === ME ? o.creditor : o.debtor);

/** One relationship as of `asOf` (events naming them, obligations both ways, both scores), once computed. */
export function prepareHistory(id, asOf = today()) {
  return ask(histories, `${asOf}\n${id}`, 'history', id, asOf).promise;
}

export const historyReady = (id, asOf = today()) => histories.get(`${asOf}\n${id}`)?.value !== undefined;

/** The history prepareHistory asked for (null if the log never names that contact). */
export function history(id, asOf = today()) {
  const found = histories.get(`${asOf}\n${id}`)?.value;
  if (found === undefined) throw new Error(`the history of ${id} is not ready`);
  return found;
}

/** The referral an obligation `report:{referral}` is about: {kind: 'given'|'made', data}. */
export function referralOf(referral, v = view()) {
  const given = v.referralsGiven.get(referral);
  if (given) return { kind: 'given', data: given.event.data };
  const made = v.referralsMade.get(referral);
  if (made) return { kind: 'made', data: made.event.data };
  return null;
}

/** Forget the log in memory (after log out). */
export function reset() {
  events = [];
  byId = new Map();
  zone = 'UTC';
  language = null;
  version += 1;
  forget();
  drawn.clear();
  engine.call('load', []).catch(() => {}); // nor does the worker keep it
}

function forget() {
  const kept = new Map([...views].filter(([, found]) => found.value !== undefined).map(([asOf, found]) => [asOf, found.value]));
  if (kept.size) drawn = kept;
  views.clear();
  histories.clear();
  stories.clear();
}

// --- stories: how each relationship was followed up (ui/story.js draws them) ----------------------------

/** Every relationship's story as of `asOf` (networkStory), once computed. */
export function prepareStory(asOf = today()) {
  return ask(stories, `network\n${asOf}`, 'story', asOf).promise;
}

/** One relationship's story as of `asOf` (contactStory; null if the log never names them), once computed. */
export function prepareContactStory(id, asOf = today()) {
  return ask(stories, `contact\n${asOf}\n${id}`, 'contactStory', id, asOf).promise;
}

/** What changed from the end of `since` to the end of `asOf`, per side (kept, became_overdue, new, dismissed). */
export function prepareChanges(since, asOf = today()) {
  return ask(stories, `changes\n${since}\n${asOf}`, 'changes', since, asOf).promise;
}

/** The story prepareContactStory computed (undefined while it is being worked out). */
export const contactStoryNow = (id, asOf = today()) => stories.get(`contact\n${asOf}\n${id}`)?.value;

/** The story prepareStory computed (undefined while it is being worked out). */
export const storyNow = (asOf = today()) => stories.get(`network\n${asOf}`)?.value;
