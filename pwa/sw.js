/* Merci's service worker: precaches the app shell (versioned), answers every navigation with it so the
 * app opens offline, deletes old caches on activate, waits to take over until the person accepts the
 * new version, and sends the outbox on Background Sync even when the app is closed. Never caches the
 * API: a person's data lives in IndexedDB only. */

const VERSION = '2026-11-27.6';
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
  '/lib/ids.js',
  '/lib/outbox.js',
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

/** The page's db.js owns the schema: here, open it only if it exists, and only read the outbox, send
 * it, and drop what the server acknowledged (the page pulls, and settles refusals, next time it runs). */
async function pushOutbox() {
  if (!(await indexedDB.databases()).some((d) => d.name === 'merci')) return;
  const db = await done(indexedDB.open('merci'));
  try {
    if (!db.objectStoreNames.contains('outbox')) return;
    for (;;) {
      const read = db.transaction(['meta', 'outbox']);
      const [session, cursor, batch] = await Promise.all([
        done(read.objectStore('meta').get('session')),
        done(read.objectStore('meta').get('cursor')),
        done(read.objectStore('outbox').getAll(null, BATCH)),
      ]);
      if (!session || session.revoked || !batch.length) return;
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
      if (batch.length < BATCH) return;
    }
  } finally {
    db.close();
  }
}
