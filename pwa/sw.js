/* Merci's service worker: precaches the app shell (versioned), answers every navigation with it so the
 * app opens offline, deletes old caches on activate, waits to take over until the person accepts the
 * new version, and sends the outbox on Background Sync even when the app is closed. Shows the daily
 * reminder (push), opens Today when it is tapped, and records its "Done" and "Snooze a day" actions into
 * the local log and outbox, offline too. Never caches the API: a person's data lives in IndexedDB only. */

// The server serves this line as '2026-11-27.10+<digest of every other file of the app>' (server/routes/pwa.py):
// any change to the app's files installs a new version, bumped here or not (the date part is a label).
const VERSION = '2026-11-27.10';
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
  '/lib/db.js',
  '/lib/engine.js',
  '/lib/engine-worker.js',
  '/lib/ids.js',
  '/lib/outbox.js',
  '/lib/projector.js',
  '/lib/push.js',
  '/lib/sync.js',
  '/lib/rules/announce.js',
  '/lib/rules/dates.js',
  '/lib/rules/events.js',
  '/lib/rules/facts.js',
  '/lib/rules/greetings.js',
  '/lib/rules/nurture.js',
  '/lib/rules/obligations.js',
  '/lib/rules/project.js',
  '/lib/rules/report.js',
  '/lib/rules/story.js',
  '/lib/rules/thank.js',
  '/lib/rules/zones.js',
  '/ui/audit.js',
  '/ui/auth.js',
  '/ui/contacts.js',
  '/ui/dom.js',
  '/ui/i18n.js',
  '/ui/log.js',
  '/ui/model.js',
  '/ui/obligations.js',
  '/ui/settings.js',
  '/ui/story.js',
  '/ui/today.js',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-192.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
];
const BACKGROUND_SYNC_TAG = 'merci-outbox';
const BATCH = 100;

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

function handleMessage(event) {
  if (event.data?.type === 'SKIP_WAITING') self.skipWaiting();
}

// --- Background Sync ------------------------------------------------------------------------------

/** An open app syncs itself (push and pull); with none open, push the outbox from here. A failure
 * rejects, and the browser tries again later. */
async function handleBackgroundSync() {
  const windows = await self.clients.matchAll({ type: 'window' });
  if (windows.length) {
    for (const client of windows) client.postMessage({ type: 'sync' });
    return;
  }
  const run = () => pushOutbox();
  await (self.navigator.locks ? self.navigator.locks.request('merci-sync', run) : run());
}

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** The page's database, if it exists: never made here (wiped by a log out between the check and the open,
 * it would come back empty, at a version the page then never upgrades). Null if there is none. */
async function openExisting() {
  if (!(await indexedDB.databases()).some((d) => d.name === 'merci')) return null;
  const request = indexedDB.open('merci');
  request.onupgradeneeded = () => request.transaction.abort(); // it did not exist after all: leave it so
  try {
    return await done(request);
  } catch {
    return null;
  }
}

/** The page's db.js owns the schema: here, open it only if it exists, and only read the outbox, send
 * it, and drop what the server acknowledged (the page pulls, and settles refusals, next time it runs). */
async function pushOutbox() {
  const db = await openExisting();
  if (!db) return;
  try {
    if (!db.objectStoreNames.contains('outbox')) return;
    for (;;) {
      const read = db.transaction(['meta', 'outbox']);
      const [session, cursor, oldest] = await Promise.all([
        done(read.objectStore('meta').get('session')),
        done(read.objectStore('meta').get('cursor')),
        done(read.objectStore('outbox').getAll(null, BATCH)),
      ]);
      if (!session || session.revoked || !oldest.length) return;
      const batch = fitting(oldest, BATCH_BYTES);
      const answer = await fetch('/api/sync', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ device: session.device, cursor: cursor ?? 0, events: batch, limit: 1 }),
      });
      if (!answer.ok) throw new Error(`sync answered ${answer.status}`);
      const { accepted, duplicates } = await answer.json();
      const write = db.transaction('outbox', 'readwrite');
      const outbox = write.objectStore('outbox');
      await Promise.all([...accepted, ...duplicates].map(async (id) => {
        const key = await done(outbox.index('id').getKey(id));
        if (key !== undefined) await done(outbox.delete(key));
      }));
      if (batch.length === oldest.length && oldest.length < BATCH) return;
    }
  } finally {
    db.close();
  }
}

// As lib/outbox.js has it (a copy: a classic service worker cannot import a module; a shell test compares).
const BATCH_BYTES = 512 * 1024;
const utf8 = new TextEncoder();

function fitting(events, limit) {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    bytes += utf8.encode(JSON.stringify(events[i])).length + 1;
    if (bytes > limit && i > 0) return events.slice(0, i);
  }
  return events;
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
  const event = action ? actionEvent(message, action) : null;
  if (event && (await recordFromWorker([event]))) {
    await afterRecording();
    return event;
  }
  await openApp(message.url || '/#/today');
  return null;
}

function actionEvent(message, action) {
  if (action === 'done' && message.done) return makeEvent(message.done.type, message.done.data);
  if (action === 'snooze' && message.obligation) {
    return makeEvent('obligation_snoozed', { obligation: message.obligation, until: nextDay(todayIn(message.timezone)) });
  }
  return null;
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

/** An open app shows and sends the new event itself; with none open, send the outbox from here, or let
 * Background Sync do it when the network is back. */
async function afterRecording() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) client.postMessage({ type: 'recorded' });
  if (windows.length) return;
  try {
    await (self.navigator.locks ? self.navigator.locks.request('merci-sync', pushOutbox) : pushOutbox());
  } catch {
    await self.registration.sync?.register(BACKGROUND_SYNC_TAG).catch(() => {});
  }
}

/** The browser replaced the subscription: send the new one with this device's token. */
async function handleSubscriptionChange(event) {
  const session = await readSession();
  if (!session) return;
  let subscription = event.newSubscription;
  const key = event.oldSubscription?.options?.applicationServerKey;
  if (!subscription && key) subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  if (!subscription) return;
  await fetch('/api/push/subscriptions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session.token}` },
    body: JSON.stringify(subscription.toJSON()),
  });
}

// The local log, written the way lib/db.js `recordEvents` writes it: the event into `events` and
// `outbox` in one transaction. (A module service worker could import db.js itself, but not every browser
// runs those yet, and this one must work everywhere the app does.)

const transactionDone = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
});

async function openLocalLog() {
  const db = await openExisting();
  if (!db) return null;
  if (!['events', 'outbox', 'meta'].every((name) => db.objectStoreNames.contains(name))) {
    db.close();
    return null;
  }
  return db;
}

async function readSession() {
  const db = await openLocalLog();
  if (!db) return null;
  try {
    const session = await done(db.transaction('meta').objectStore('meta').get('session'));
    return session && !session.revoked ? session : null;
  } finally {
    db.close();
  }
}

/** Record events made here, for the signed-in person only (after a log out, there is nobody to record for). */
async function recordFromWorker(events) {
  const db = await openLocalLog();
  if (!db) return false;
  try {
    const session = await done(db.transaction('meta').objectStore('meta').get('session'));
    if (!session || session.revoked) return false;
    const tx = db.transaction(['events', 'outbox'], 'readwrite');
    for (const event of events) {
      tx.objectStore('events').put(event);
      tx.objectStore('outbox').put(event);
    }
    await transactionDone(tx);
    return true;
  } finally {
    db.close();
  }
}

// Events as lib/outbox.js `makeEvent` makes them (ids and instants as lib/ids.js does). A copy, since a classic
// service worker cannot import an ES module (module service workers are not in every browser yet);
// tests/e2e/test_pwa_shell.py checks that the two stay the same.

let lastMs = -1;
let counter = 0;

function uuidv7() {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = crypto.getRandomValues(new Uint16Array(1))[0] & 0x3ff;
  } else {
    ms = lastMs;
    counter += 1;
    if (counter > 0xfff) { lastMs = ms = lastMs + 1; counter = 0; }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let high = Math.floor(ms / 2 ** 16);
  const low = ms % 2 ** 16;
  for (let i = 3; i >= 0; i--) { bytes[i] = high & 0xff; high = Math.floor(high / 256); }
  bytes[4] = low >> 8;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function localInstant(date = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function makeEvent(type, data) {
  return { id: uuidv7(), type, v: 1, at: localInstant(), data };
}

/** Today's date in the account's time zone, 'YYYY-MM-DD'. */
function todayIn(timeZone) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date());
  } catch {
    parts = new Intl.DateTimeFormat('en', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date());
  }
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function nextDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
