/** Merci's app: boots from IndexedDB (so it opens offline), routes between the screens, keeps the sync
 * status in view, offers the new version when one waits, and wipes this device on log out. */

import { getMeta, setMeta, wipe, pendingCount, close as closeDatabase } from './lib/db.js';
import * as sync from './lib/sync.js';
import { startLive, stopLive } from './lib/live.js';
import * as api from './lib/api.js';
import { setLanguage, browserLanguage, t, language, formatLongDay } from './ui/i18n.js';
import * as model from './ui/model.js';
import { h, fill, icon } from './ui/dom.js';
import { renderAuth } from './ui/auth.js';

/** The signed-in screens: each one's module (the first screen drawn waits for its own only; the others are
 * fetched meanwhile, not waited for), and how it draws. */
const SCREENS = {
  today: [() => import('./ui/today.js'), (m) => m.renderToday(ctx)],
  log: [() => import('./ui/log.js'), (m, arg, { query }) => m.renderLog(ctx, arg, query.get('with') ?? null)],
  contacts: [() => import('./ui/contacts.js'), (m, arg) => (arg ? m.renderContact(ctx, arg) : m.renderContacts(ctx))],
  audit: [() => import('./ui/audit.js'), (m) => m.renderAudit(ctx)],
  settings: [() => import('./ui/settings.js'), (m) => m.renderSettings(ctx)],
  ideas: [() => import('./ui/ideas.js'), (m) => m.renderIdeas(ctx)],
  share: [() => import('./ui/share.js'), (m, arg, { query }) => m.renderShare(ctx, query)],
  // #/merge/{a} (pick the other record of a) and #/merge/{a}/{b} (merge those two)
  merge: [() => import('./ui/merge.js'), (m, arg, { parts }) => m.renderMerge(ctx, parts[0] ?? null, parts[1] ?? null)],
};
const screenOf = (name) => (Object.hasOwn(SCREENS, name) ? name : 'today');
const loadedScreens = new Map();
const loadingScreens = new Map();

function loadScreen(name) {
  let loading = loadingScreens.get(name);
  if (loading === undefined) {
    loading = SCREENS[name][0]().then((module) => { loadedScreens.set(name, module); });
    loading.catch(() => loadingScreens.delete(name)); // offline before the worker cached it: tried again next time
    loadingScreens.set(name, loading);
  }
  return loading;
}

/** What a save runs (the command builders, the decoder that checks what they make, the outbox) and the other
 * screens, fetched as soon as the first signed-in screen is drawn (draw), while the network is surely there (a
 * save offline, before the service worker controls the page, could not fetch them); not waited for: the first
 * screen waits for its own module only, and Today draws as fast as it did with five screens. */
let restLoading = false;

function loadTheRest() {
  if (restLoading) return;
  restLoading = true;
  Promise.all([import('./lib/commands.js'), import('./lib/outbox.js'), ...Object.keys(SCREENS).map(loadScreen)])
    .then(() => { document.documentElement.dataset.loaded = 'true'; }) // all here: a save works offline now
    .catch((error) => {
      restLoading = false; // tried again after the next screen drawn
      console.info('the screens and command builders are not all loaded yet', error.message);
    });
}

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const statusButton = document.getElementById('sync-status');
const toastBox = document.getElementById('toast');
const updateBox = document.getElementById('update');

const ICONS = {
  today: 'M4 6h16v14H4z M4 10h16 M9 3v5 M15 3v5',
  log: 'M12 5v14 M5 12h14',
  contacts: 'M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21c0-4 3.6-6 8-6s8 2 8 6',
  audit: 'M12 7v5l3 2 M21 12a9 9 0 1 1-3-6.7 M21 4v4h-4',
  settings: 'M4 7h9 M17 7h3 M4 17h3 M11 17h9 M15 5v4 M9 15v4',
};
/** Screens that hold what a person is typing: a sync in the background must not redraw them. */
const FORMS = new Set(['log', 'settings', 'ideas', 'share', 'merge']);

let session = null;
let notice = null;
let shownRoute = null;
let lastState = null;
let updateAccepted = false;

const ctx = {
  get session() { return session; },
  get notice() { return notice; },
  /** Record events made by lib/commands.js: into the log and outbox, then sync soon; the engine gets only them. */
  async record(events) {
    const { record } = await import('./lib/outbox.js'); // with the screens that make events, not the first load
    await record(events);
    sync.recorded();
    await model.append(events);
    render({ keepFocus: true });
  },
  toast,
  /** Record events and say so, with "Undo" for a few seconds: it retracts them, or records what `undo` (a
   * function) makes then (a removal is undone by logging the event again: a retraction cannot be retracted). */
  async recordUndoable(events, message, { undo = null } = {}) {
    await ctx.record(events);
    toast(message, { undo: events, undoWith: undo });
    return events;
  },
  navigate(hash) {
    if (location.hash === hash) render(); else location.hash = hash;
  },
  rerender: () => render({ keepFocus: true }),
  async setLanguage(lang) {
    await setLanguage(lang);
    labelShell();
    render({ keepFocus: true });
  },
  signedIn,
  logout,
  pending: () => pendingCount(),
};

/** The screen named by the address: `#/name/arg?query` (the share page takes what was shared in its query). */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const cut = hash.indexOf('?');
  const [name = 'today', ...rest] = (cut < 0 ? hash : hash.slice(0, cut)).split('/');
  const parts = rest.map((part) => { try { return decodeURIComponent(part); } catch { return part; } });
  return { name: name || 'today', arg: rest.length ? decodeURIComponent(rest.join('/')) : null, parts,
    query: new URLSearchParams(cut < 0 ? '' : hash.slice(cut + 1)) };
}

/** What tells one drawn screen from another: who is signed in, the screen, its argument and query. */
function routeKey({ name, arg, query }) {
  const asked = String(query);
  return `${signedInNow()}:${name}:${arg}${asked ? `?${asked}` : ''}`;
}

const signedInNow = () => session && !session.revoked;

let turn = 0; // each render's number: a projection that arrives after a newer render is not drawn
let shownComplete = false;

/** Draw the route's screen. One that needs a projection not computed yet shows its loading state (or
 * keeps the same screen in view while it is redrawn), then draws when the engine answers. */
/** The screen in view and the log version it was drawn from: a sync that only brings back this device's own
 * events (with their `seq`) changes nothing to draw, and a redraw would reset what the person is choosing. */
let drawnFrom = { key: null, version: -1 };

function render({ keepFocus = false } = {}) {
  const found = route();
  const { name, arg, query, parts } = found;
  const key = routeKey(found);
  const mine = ++turn;
  if (!signedInNow()) {
    draw(renderAuth(ctx), { name, key, keepFocus });
    return;
  }
  const waits = projectionsFor(name, arg, parts);
  const shown = screenOf(name);
  if (!loadedScreens.has(shown)) waits.push(loadScreen(shown));
  if (!waits.length) {
    let screen;
    try {
      screen = SCREENS[shown][1](loadedScreens.get(shown), arg, { query, parts });
    } catch (error) {
      screen = errorScreen(error);
    }
    drawnFrom = { key, version: model.logVersion() };
    draw(screen, { name, key, keepFocus });
    return;
  }
  if (!(shownComplete && shownRoute === key)) draw(loadingScreen(name, arg), { name, key, keepFocus, complete: false });
  Promise.all(waits).then(
    () => { if (mine === turn) render({ keepFocus: true }); },
    (error) => { if (mine === turn) draw(errorScreen(error), { name, key, keepFocus: true }); },
  );
}

/** The projections a screen reads, not computed yet: today's, and the history of the contact shown. */
function projectionsFor(name, arg, parts) {
  const waits = [];
  if (!model.ready()) waits.push(model.prepare());
  if (name === 'contacts' && arg && !model.historyReady(arg)) waits.push(model.prepareHistory(arg));
  if (name === 'merge') {
    for (const id of parts.slice(0, 2)) if (!model.historyReady(id)) waits.push(model.prepareHistory(id));
  }
  return waits;
}

const TITLES = { today: 'today.title', log: 'log.title', contacts: 'contacts.title', audit: 'audit.title', settings: 'settings.title',
  ideas: 'ideas.title', share: 'inbound.title', merge: 'merge.title' };

/** The screen's heading (and Today's date) where its content will be, so nothing jumps when it comes. */
function loadingScreen(name, arg) {
  const contact = name === 'contacts' && arg;
  const title = contact ? (model.ready() ? model.nameOf(arg) : t('contacts.title')) : t(TITLES[name] ?? TITLES.today);
  return h('div', { class: 'screen', 'aria-busy': 'true' },
    contact ? h('a', { class: 'back', href: '#/contacts' }, `← ${t('contacts.title')}`) : null,
    h('h1', { tabindex: '-1' }, title),
    (TITLES[name] ? name : 'today') === 'today' ? h('p', { class: 'subtitle' }, formatLongDay(model.today())) : null,
    h('p', { class: 'loading', role: 'status' }, t('loading.projection')));
}

function errorScreen(error) {
  console.error(error);
  return h('div', { class: 'screen' }, h('h1', { tabindex: '-1' }, t('error.title')), h('p', {}, String(error.message)));
}

function draw(screen, { name, key, keepFocus, complete = true }) {
  const focusIndex = keepFocus ? focusedIndex() : -1;
  const headingFocused = document.activeElement !== null && document.activeElement === main.querySelector('h1');
  fill(main, screen);
  nav.hidden = !signedInNow();
  statusButton.hidden = !signedInNow();
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.route === name && signedInNow()) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const title = main.querySelector('h1')?.textContent ?? 'Merci';
  document.title = title === 'Merci' ? 'Merci' : `${title} · Merci`;
  if (focusIndex >= 0) restoreFocus(focusIndex);
  else if (headingFocused || (shownRoute !== null && shownRoute !== key)) main.querySelector('h1')?.focus();
  shownRoute = key;
  shownComplete = complete;
  if (complete && signedInNow() && !restLoading) setTimeout(loadTheRest, 0); // once this screen is on its way
  if (complete && !document.documentElement.dataset.ready) {
    // The screen is drawn with what it shows, its handlers wired: what the browser tests wait for.
    performance.mark('merci:ready');
    document.documentElement.dataset.ready = 'true';
  }
}

function focusables() {
  return [...main.querySelectorAll('a[href], button, input, select, textarea')];
}

function focusedIndex() {
  return main.contains(document.activeElement) ? focusables().indexOf(document.activeElement) : -1;
}

function restoreFocus(index) {
  const list = focusables();
  (list[Math.min(index, list.length - 1)] ?? main.querySelector('h1'))?.focus();
}

function labelShell() {
  document.getElementById('skip').textContent = t('shell.skip');
  for (const link of nav.querySelectorAll('a')) {
    fill(link, icon(ICONS[link.dataset.route]), h('span', {}, t(`nav.${link.dataset.route}`)));
  }
  nav.setAttribute('aria-label', t('nav.label'));
  updateBox.querySelector('.label').textContent = t('update.ready');
  updateBox.querySelector('button').textContent = t('update.reload');
  showStatus();
}

let toastTimer = null;
let undoable = null;
let undoWith = null;
const toastText = toastBox.querySelector('.toast-text');
const undoButton = toastBox.querySelector('.toast-undo');
const TOAST_MS = 4000;
const UNDO_MS = 8000; // time to read the message and reach "Undo"; paused while the toast is pointed at or focused

/** A short message above the tabs, read by screen readers (role=status) without taking the focus. With `undo`
 * (the events just recorded), an "Undo" button retracts them (lib/commands.js undo: event_retracted). */
function toast(message, { undo = null, undoWith: making = null } = {}) {
  toastText.textContent = message;
  undoable = undo?.length ? undo : null;
  undoWith = undoable ? making : null;
  undoButton.hidden = !undoable;
  undoButton.textContent = t('action.undo');
  toastBox.classList.toggle('with-undo', Boolean(undoable));
  toastBox.classList.add('on');
  hideToastLater();
}

function hideToastLater() {
  clearTimeout(toastTimer);
  toastTimer = setTimeout(hideToast, undoable ? UNDO_MS : TOAST_MS);
}

function hideToast() {
  const hadFocus = toastBox.contains(document.activeElement);
  toastBox.classList.remove('on', 'with-undo');
  toastText.textContent = '';
  undoable = null;
  undoWith = null;
  undoButton.hidden = true;
  if (hadFocus) main.querySelector('h1')?.focus(); // never leave the focus on what went away
}

for (const [type, pause] of [['pointerenter', true], ['focusin', true], ['pointerleave', false], ['focusout', false]]) {
  toastBox.addEventListener(type, () => {
    if (!toastBox.classList.contains('on')) return;
    if (pause) clearTimeout(toastTimer); else hideToastLater();
  });
}

undoButton.addEventListener('click', async () => {
  const events = undoable;
  const making = undoWith;
  if (!events) return;
  undoable = null;
  undoWith = null;
  const { undo } = await import('./lib/commands.js');
  await ctx.record(making ? await making(events) : undo(events));
  toast(t('toast.undone'));
  if (toastBox.contains(document.activeElement) || document.activeElement === document.body) {
    main.querySelector('h1')?.focus();
  }
});

// --- sync status ------------------------------------------------------------------------------------

function showStatus() {
  const { phase, pending, rejected, error } = sync.current;
  let text;
  let tone = 'ok';
  if (phase === 'syncing') { text = t('sync.syncing'); tone = 'busy'; }
  else if (phase === 'offline') { text = pending ? t('sync.offline_waiting', { count: pending }) : t('sync.offline'); tone = 'off'; }
  else if (phase === 'error') { text = t('sync.error', { count: pending }); tone = 'bad'; }
  else if (phase === 'signed_out') { text = t('sync.signed_out'); tone = 'bad'; }
  else if (pending) { text = t('sync.waiting', { count: pending }); tone = 'busy'; }
  else text = t('sync.synced');
  if (rejected) text += ` · ${t('sync.rejected', { count: rejected })}`;
  statusButton.querySelector('.label').textContent = text;
  statusButton.dataset.tone = tone;
  statusButton.dataset.phase = phase;
  statusButton.dataset.pending = String(pending);
  statusButton.title = error ?? t('sync.now');
  // Screen readers hear where things stand, not each minute's "Syncing…".
  const live = document.getElementById('sync-live');
  if (phase !== 'syncing' && signedInNow() && live.textContent !== text) live.textContent = text;
}

async function onSyncStatus() {
  showStatus();
  const { phase } = sync.current;
  if (phase === 'signed_out' && session) {
    stopLive();
    session = { ...session, revoked: true };
    notice = t('auth.revoked');
    render();
    return;
  }
  if (phase !== 'synced' && phase !== 'idle') return;
  if (!session) return; // logged out: nothing to read (reading would open the erased database again)
  // What the log holds changes when events are pulled (the cursor moves) or refused (they leave it).
  const state = `${(await getMeta('cursor')) ?? 0}/${sync.current.rejected}`;
  if (state === lastState || !session) return;
  lastState = state;
  await model.updated(); // what onSyncSettled handed the model
  await model.prepare().catch(() => {}); // its error is the screen's to show
  const lang = accountLanguage();
  if (lang && lang !== language) await ctx.setLanguage(lang);
  else if (!FORMS.has(route().name) && !editingHere() && !drawnFromCurrentLog()) render({ keepFocus: true });
}

/** Whether the screen holds a small form open (a history line's Edit or Remove, ui/history.js): what a sync
 * brings waits for the next draw (its save draws the page anyway), not to close what the person is typing. */
const editingHere = () => main.querySelector('[data-editing]') !== null;

function drawnFromCurrentLog() {
  return drawnFrom.key === routeKey(route()) && drawnFrom.version === model.logVersion();
}

/** One sync answer settled: the events it pulled join the model (only those cross to the engine's worker); events
 * the server refused left the log, which is read again (rare). */
function onSyncSettled({ pulled, rejected }) {
  if (!session) return;
  const update = rejected.length ? model.load() : pulled.length ? model.append(pulled) : null;
  update?.catch((error) => console.warn('the log could not be read again', error)); // read whole on the next start
}

/** The account's language: today's setting once projected, before that the log's latest. */
const accountLanguage = () => (model.ready() ? model.settings().language : model.logLanguage());

// --- session --------------------------------------------------------------------------------------

async function startSession() {
  await Promise.all([model.load(), loadScreen(screenOf(route().name))]);
  const lang = accountLanguage();
  if (lang && lang !== language) await setLanguage(lang);
  registerServiceWorker().then(resendPushSubscription);
  sync.persistStorage();
  sync.startAutoSync({ periodMs: syncPeriod() });
  startLive({ token: session.token, onNews: sync.syncNow });
}

/** The timed rounds' period: a minute, unless `merci.sync_period_ms` in localStorage says otherwise (the
 * browser tests shorten it; the live stream makes a longer one fine). */
function syncPeriod() {
  const asked = Number(localStorage.getItem('merci.sync_period_ms'));
  return asked >= 1000 ? asked : undefined;
}

/** Browsers rarely say when a push subscription changes: send it again on every start. */
async function resendPushSubscription() {
  try {
    const push = await import('./lib/push.js');
    if (session && !session.revoked) await push.refresh(session.token);
  } catch (error) {
    console.info('push subscription not re-sent', error.message);
  }
}

/** The service worker recorded an event from a notification ("Done", "Snooze a day": show it, and send it),
 * synced on Background Sync (show what it pulled), or asks to show Today (the notification was tapped). */
function onWorkerMessage(event) {
  const type = event.data?.type;
  if (type === 'open' && typeof event.data.hash === 'string' && event.data.hash.startsWith('#/')) {
    if (location.hash === event.data.hash) render(); else location.hash = event.data.hash;
  } else if ((type === 'recorded' || type === 'synced') && signedInNow()) {
    if (type === 'recorded') sync.recorded();
    model.load().then(() => {
      if (!FORMS.has(route().name) && !editingHere()) render({ keepFocus: true });
      if (type === 'synced') sync.refreshStatus();
    });
  }
}

async function signedIn(next) {
  const previous = await getMeta('session');
  // Another account's data never mixes; nor does what a device holds with no session at all (written by a
  // tab still open when the last account logged out in another): nobody's to send to this account.
  if (!previous || previous.account !== next.account) await wipe();
  await setMeta('session', next);
  session = next;
  notice = null;
  const from = location.hash;
  await startSession();
  await sync.syncNow();
  await model.load();
  const lang = accountLanguage();
  if (lang && lang !== language) await setLanguage(lang);
  labelShell();
  // Today, unless the first sync was slow and the user has gone elsewhere meanwhile (the menu is shown
  // from startSession on): a tap on Settings is not undone a second later.
  if (location.hash === from && !from.startsWith('#/share')) location.hash = '#/today'; // a share waits to be saved
  render();
}

/** Log out: tell the server (if it answers), then forget everything this device holds — the database,
 * the caches, the service worker. */
async function logout() {
  const token = session?.token;
  sync.stopAutoSync();
  stopLive();
  session = null;
  await sync.settled();
  try { if (token) await api.signOut(token); } catch { /* offline: the token is forgotten here anyway */ }
  await wipe();
  if ('caches' in self) await Promise.all((await caches.keys()).map((key) => caches.delete(key)));
  const registrations = (await navigator.serviceWorker?.getRegistrations?.()) ?? [];
  await Promise.all(registrations.map((r) => r.unregister()));
  tabs?.postMessage({ type: 'logged-out' });
  signedOutHere(t('auth.logged_out'));
}

/** The other tabs of this app: a log out in one signs them all out (their database is gone). */
const tabs = 'BroadcastChannel' in self ? new BroadcastChannel('merci-session') : null;

function signedOutHere(message) {
  model.reset();
  notice = message;
  location.hash = '#/';
  render();
}

async function onOtherTab({ data }) {
  if (data?.type !== 'logged-out' || !session) return;
  sync.stopAutoSync();
  stopLive();
  session = null;
  await sync.settled();
  await closeDatabase(); // the database was erased: let go of it, and never write to it again from here
  signedOutHere(t('auth.logged_out'));
}

// --- service worker -------------------------------------------------------------------------------

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  let registration;
  try {
    // A module worker, importing the page's own modules (Chromium 91, Safari 15, Firefox 147): where one is not
    // supported, registering throws and the app runs online without it (see docs/architecture.md).
    registration = await navigator.serviceWorker.register('/sw.js', { scope: '/', type: 'module' });
  } catch (error) {
    console.warn('service worker', error);
    return;
  }
  const offer = (worker) => {
    updateBox.hidden = false;
    updateBox.querySelector('button').onclick = () => {
      updateAccepted = true;
      worker.postMessage({ type: 'SKIP_WAITING' });
    };
  };
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
    });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updateAccepted) location.reload();
  });
  addEventListener('focus', () => registration.update().catch(() => {}));
}

/** Whether this device holds a database at all (not creating an empty one to find out). */
async function hasDatabase() {
  if (!indexedDB.databases) return true;
  return (await indexedDB.databases()).some((d) => d.name === 'merci');
}

// --- boot -----------------------------------------------------------------------------------------

async function boot() {
  const held = hasDatabase();
  // A device that holds a log is most likely signed in: the engine's worker loads meanwhile (it waits for no one).
  held.then((yes) => yes && model.warm(), () => {});
  await setLanguage(browserLanguage());
  session = (await held) ? (await getMeta('session')) ?? null : null;
  if (session?.revoked) notice = t('auth.revoked');
  if (session) await startSession();
  labelShell();
  statusButton.addEventListener('click', () => sync.syncNow());
  navigator.serviceWorker?.addEventListener('message', onWorkerMessage);
  sync.status.addEventListener('change', onSyncStatus);
  sync.status.addEventListener('settled', onSyncSettled);
  tabs?.addEventListener('message', onOtherTab);
  addEventListener('hashchange', () => render());
  render();
  // The shell answers taps from here, while the engine may still be replaying the log in its worker.
  performance.mark('merci:interactive');
}

boot();
