/* Merci's service worker: precaches the app shell (versioned), answers every navigation with it so the
 * app opens offline, deletes old caches on activate, waits to take over until the person accepts the
 * new version, and syncs on Background Sync even when the app is closed. Shows the daily reminder (push),
 * opens Today when it is tapped, and records its "Done" and "Snooze a day" actions into the local log and
 * outbox, offline too. Takes what is shared to the app (the manifest's share_target: a POST to /share), offline
 * too: keeps it on the device and opens the share page, where the person saves it as an idea or a contact. Never caches the API: a person's data lives in IndexedDB only.
 *
 * A module worker (registered with type: 'module'): it records and syncs with the page's own modules
 * (lib/commands.js, lib/outbox.js, lib/sync.js, lib/db.js), so there is one implementation of each. */

import { saveSubscription } from './lib/api.js';
import { notificationAction } from './lib/commands.js';
import { NoLocalLog, getMeta, setMeta, openExistingOnly } from './lib/db.js';
import { SHARE_DRAFTS, sharedDraft } from './lib/ideas.js';
import { record } from './lib/outbox.js';
import { BACKGROUND_SYNC_TAG, requestBackgroundSync, syncNow } from './lib/sync.js';
import { todayIn } from './ui/i18n.js';

openExistingOnly(); // the page's database, never made here

// The server serves this line as '2026-11-27.10+<digest of every other file of the app>' (server/routes/pwa.py):
// any change to the app's files installs a new version, bumped here or not (the date part is a label).
const VERSION = '2026-12-04.1';
const CACHE = `merci-shell-${VERSION}`;
const SHELL = [
  '/',
  '/app.js',
  '/styles.css',
  '/manifest.webmanifest',
  '/i18n/en.json',
  '/i18n/fr.json',
  '/vendor/idb.js',
  '/lib/api.js',
  '/lib/catalogue.js',
  '/lib/commands.js',
  '/lib/corrections.js',
  '/lib/db.js',
  '/lib/engine.js',
  '/lib/engine-worker.js',
  '/lib/ideas.js',
  '/lib/ids.js',
  '/lib/live.js',
  '/lib/outbox.js',
  '/lib/people.js',
  '/lib/projector.js',
  '/lib/push.js',
  '/lib/share-limits.js',
  '/lib/sync.js',
  '/lib/rules/announce.js',
  '/lib/rules/dates.js',
  '/lib/rules/events.js',
  '/lib/rules/facts.js',
  '/lib/rules/greetings.js',
  '/lib/rules/nurture.js',
  '/lib/rules/obligations.js',
  '/lib/rules/prepass.js',
  '/lib/rules/project.js',
  '/lib/rules/report.js',
  '/lib/rules/story.js',
  '/lib/rules/thank.js',
  '/lib/rules/zones.js',
  '/ui/audit.js',
  '/ui/auth.js',
  '/ui/contact-form.js',
  '/ui/contacts.js',
  '/ui/dom.js',
  '/ui/history.js',
  '/ui/i18n.js',
  '/ui/ideas.js',
  '/ui/log.js',
  '/ui/merge.js',
  '/ui/model.js',
  '/ui/obligations.js',
  '/ui/settings.js',
  '/ui/share.js',
  '/ui/story.js',
  '/ui/today.js',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-192.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
];

self.addEventListener('install', (event) => event.waitUntil(precache()));
self.addEventListener('activate', (event) => event.waitUntil(removeOldCaches().then(() => self.clients.claim())));
self.addEventListener('fetch', handleFetch);
self.addEventListener('message', handleMessage);
self.addEventListener('sync', (event) => {
  if (event.tag === BACKGROUND_SYNC_TAG) event.waitUntil(handleBackgroundSync());
});
self.addEventListener('push', (event) => event.waitUntil(handlePush(event.data)));
self.addEventListener('notificationclick', (event) => event.waitUntil(handleNotificationClick(event.notification, event.action)));
self.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(handleSubscriptionChange(event)));

// Module scope is not the worker's global one: what the browser tests call through the DevTools protocol.
Object.assign(self, { handleNotificationClick, handleBackgroundSync });

async function precache() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
}

async function removeOldCaches() {
  const keys = await caches.keys();
  await Promise.all(keys.filter((key) => key.startsWith('merci-') && key !== CACHE).map((key) => caches.delete(key)));
}

function handleFetch(event) {
  const { request } = event;
  if (request.method === 'POST' && new URL(request.url).pathname === SHARE_ACTION) {
    event.respondWith(handleShare(request));
    return;
  }
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/schema')) return;
  if (url.pathname.startsWith('/s/')) return; // a coach link's page is the server's, never the app shell
  if (request.mode === 'navigate') event.respondWith(handleNavigation(request));
  else event.respondWith(handleAsset(request));
}

/** Every page of the app is the shell: from the cache, or the network if the cache lost it. */
async function handleNavigation(request) {
  const cached = await caches.match('/', { cacheName: CACHE });
  return cached ?? fetch(request);
}

async function handleAsset(request) {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return cached ?? fetch(request);
}

// --- shared to the app (the manifest's share_target) -------------------------------------------------

const SHARE_ACTION = '/share';

/** A share (title, text, url) kept in the local database, and the share page opened on it (303: the browser gets
 * it). With nobody signed in here (no database yet), the share travels in the page's address instead, as the
 * server answers the same POST when no worker takes it (server/routes/pwa.py). */
async function handleShare(request) {
  let form = null;
  try {
    form = await request.formData();
  } catch { /* an empty or unreadable body: an empty share page */ }
  const shared = sharedDraft({ title: form?.get('title') ?? '', text: form?.get('text') ?? '', url: form?.get('url') ?? '' });
  let target;
  try {
    if (!(await readSession())) throw new NoLocalLog('nobody signed in');
    const id = crypto.randomUUID();
    const drafts = (await getMeta(SHARE_DRAFTS)) ?? {};
    drafts[id] = { ...shared, at: new Date().toISOString() };
    await setMeta(SHARE_DRAFTS, drafts);
    target = `/#/share?draft=${id}`;
  } catch {
    target = `/#/share?${new URLSearchParams(shared)}`;
  }
  return Response.redirect(new URL(target, self.location.origin).href, 303);
}

function handleMessage(event) {
  if (event.data?.type === 'SKIP_WAITING') self.skipWaiting();
}

// --- Background Sync ------------------------------------------------------------------------------

/** The sync loop of lib/sync.js, run here (one at a time with the open tabs' own, through its lock); the open
 * tabs then read what it pulled. A round that did not reach the server rejects: the browser tries again later. */
async function handleBackgroundSync() {
  const phase = await syncSignedIn();
  if (phase === 'offline' || phase === 'error') throw new Error(`sync ${phase}`);
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'synced' });
}

/** A sync round if someone is signed in on this device (null if nobody is). */
async function syncSignedIn() {
  return (await readSession()) ? syncNow() : null;
}

// --- reminders (web push) -------------------------------------------------------------------------

/** Show the message the server sent (server/push/digest.py): the day's digest, or a test. Its tag makes a
 * new digest replace the one still shown; it alerts again only for a new day. */
async function handlePush(data) {
  let message;
  try {
    message = data ? data.json() : {};
  } catch {
    message = { body: data.text() };
  }
  const tag = message.tag || 'merci-digest';
  const shown = await self.registration.getNotifications({ tag });
  const actions = (message.actions ?? [])
    .filter((a) => (a.action === 'done' ? message.done : a.action === 'snooze' && message.obligation))
    .slice(0, self.Notification?.maxActions ?? 2);
  await self.registration.showNotification(message.title || 'Merci', {
    body: message.body ?? '', tag, data: message, lang: message.lang, icon: '/icons/icon-192.png',
    renotify: !shown.some((n) => n.data?.day && n.data.day === message.day), actions, timestamp: Date.now(),
  });
}

/** "Done" or "Snooze a day" record their event here, offline too; a tap on the notification opens Today. */
async function handleNotificationClick(notification, action) {
  const message = notification.data ?? {};
  notification.close();
  const event = action ? notificationAction(message, action, { today: today(message.timezone) }) : null;
  if (event && (await recordForTheSignedIn([event]))) {
    await afterRecording();
    return event;
  }
  await openApp(message.url || '/#/today');
  return null;
}

/** Today in the account's zone (the digest says which), else in the device's. */
function today(timeZone) {
  try {
    return todayIn(timeZone);
  } catch {
    return todayIn(undefined);
  }
}

async function openApp(url) {
  const hash = new URL(url, self.location.origin).hash || '#/today';
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (client) {
    await client.focus?.().catch(() => {});
    client.postMessage({ type: 'open', hash });
    return;
  }
  await self.clients.openWindow(`/${hash}`);
}

/** An open app shows and sends the new event itself; with none open, sync from here, or let Background Sync
 * do it when the network is back. */
async function afterRecording() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) client.postMessage({ type: 'recorded' });
  if (windows.length) return;
  const phase = await syncNow();
  if (phase === 'offline' || phase === 'error') await requestBackgroundSync();
}

/** The browser replaced the subscription: send the new one with this device's token. */
async function handleSubscriptionChange(event) {
  const session = await readSession();
  if (!session) return;
  let subscription = event.newSubscription;
  const key = event.oldSubscription?.options?.applicationServerKey;
  if (!subscription && key) subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  if (!subscription) return;
  await saveSubscription(session.token, subscription.toJSON());
}

async function readSession() {
  try {
    const session = await getMeta('session');
    return session && !session.revoked ? session : null;
  } catch (error) {
    if (error instanceof NoLocalLog) return null;
    throw error;
  }
}

/** Record events made here, for the signed-in person only (after a log out, there is nobody to record for). */
async function recordForTheSignedIn(events) {
  if (!(await readSession())) return false;
  await record(events);
  return true;
}
