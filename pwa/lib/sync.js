/** Sync: push the outbox and pull what other devices wrote (POST /api/sync), on start, when the network
 * comes back, when the app gets the focus, every minute, and after each local write. One sync at a time
 * across tabs (Web Locks); `status` tells the UI whether everything is synced and what is waiting. */

import { ApiError, Unreachable, syncEvents } from './api.js';
import { getMeta, setMeta, pendingCount, rejectedEvents, requeueAfter } from './db.js';
import { flush, changes } from './outbox.js';

const PERIOD_MS = 60_000;
const AFTER_WRITE_MS = 300;
const RETRY_FIRST_MS = 2000; // then doubled up to RETRY_MAX_MS while the server cannot be reached
const RETRY_MAX_MS = 30_000;

export const status = new EventTarget(); // 'change', with `current` below
export let current = { phase: 'idle', pending: 0, rejected: 0, lastSyncedAt: null, error: null };

let running = null;
let again = false;

/** Sync now (or once more right after the sync in flight); resolves when done, never throws. */
export function syncNow() {
  if (running) { again = true; return running; }
  running = (async () => {
    try {
      do { again = false; await withLock(syncRound); } while (again);
    } finally { running = null; }
  })();
  return running;
}

function withLock(work) {
  return navigator.locks ? navigator.locks.request('merci-sync', work) : work();
}

async function syncRound() {
  const session = await getMeta('session');
  if (!session || session.revoked) return publish(session ? 'signed_out' : 'idle');
  await publish('syncing');
  try {
    await flush((batch) => exchange(session, batch));
    retryDelay = 0;
    clearTimeout(retryTimer);
    await publish('synced');
  } catch (error) {
    scheduleRetry();
    if (error instanceof Unreachable) return publish('offline');
    if (error instanceof ApiError && error.status === 401) {
      await setMeta('session', { ...session, revoked: true });
      return publish('signed_out');
    }
    console.warn('sync failed', error);
    return publish('error', error.message);
  }
}

/** One request: push `batch`, pull after the stored cursor; the answer in the shape `settleSync` takes. */
async function exchange(session, batch) {
  const cursor = (await getMeta('cursor')) ?? 0;
  const body = { device: session.device, cursor, events: batch };
  let answer;
  try {
    answer = await syncEvents(session.token, body);
  } catch (error) {
    // The server's log is shorter than what this device pulled (it was restored from a backup): send again
    // whatever it may have lost of what this device holds (next round), and pull it all again.
    if (!(error instanceof ApiError && error.status === 409 && 'last_seq' in error.body)) throw error;
    if (await requeueAfter(error.body.last_seq)) again = true;
    answer = await syncEvents(session.token, { ...body, cursor: 0 });
  }
  return {
    acknowledged: [...answer.accepted, ...answer.duplicates],
    rejected: answer.rejected.map((r) => ({ event: batch[r.index], error: r.error })),
    pulled: answer.events,
    cursor: answer.cursor,
    more: answer.more,
  };
}

async function publish(phase, error = null) {
  const [pending, rejected, lastSyncedAt] = await Promise.all([
    pendingCount(), rejectedEvents().then((r) => r.length), getMeta('last_synced_at'),
  ]);
  if (phase === 'synced' && pending > 0) phase = 'idle'; // written while we were sending: next round
  current = { phase, pending, rejected, lastSyncedAt: lastSyncedAt ?? null, error };
  status.dispatchEvent(new Event('change'));
}

/** Refresh the counts without syncing (after a local write, before the sync it triggers). */
export const refreshStatus = () => publish(current.phase === 'synced' ? 'idle' : current.phase, current.error);

let timer = null;
let debounce = null;
let retryTimer = null;
let retryDelay = 0;

/** The server did not answer: try again soon, then less and less often (the network may be back
 * without any `online` event, e.g. the server was restarted or the Wi-Fi had no internet). */
function scheduleRetry() {
  if (!timer) return;
  retryDelay = Math.min(RETRY_MAX_MS, retryDelay ? retryDelay * 2 : RETRY_FIRST_MS);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(syncNow, retryDelay);
}

/** Start syncing by itself: now, on `online`, on focus, every `periodMs` (a minute), after writes, when the
 * service worker asks. */
export function startAutoSync({ periodMs = PERIOD_MS } = {}) {
  if (timer) return;
  syncNow();
  addEventListener('online', syncNow);
  addEventListener('focus', syncNow);
  document.addEventListener('visibilitychange', syncWhenVisible);
  navigator.serviceWorker?.addEventListener('message', syncWhenAsked);
  changes.addEventListener('recorded', () => {
    refreshStatus();
    retryDelay = 0; // something new to send: worth trying again soon
    clearTimeout(debounce);
    debounce = setTimeout(syncNow, AFTER_WRITE_MS);
  });
  timer = setInterval(() => { if (document.visibilityState !== 'hidden') syncNow(); }, periodMs);
}

function syncWhenVisible() {
  if (document.visibilityState === 'visible') syncNow();
}

function syncWhenAsked(event) {
  if (event.data?.type === 'sync') syncNow();
}

export function stopAutoSync() {
  clearInterval(timer);
  clearTimeout(retryTimer);
  clearTimeout(debounce);
  timer = null;
  removeEventListener('online', syncNow);
  removeEventListener('focus', syncNow);
  document.removeEventListener('visibilitychange', syncWhenVisible);
  navigator.serviceWorker?.removeEventListener('message', syncWhenAsked);
}

/** Resolves once the sync in flight, if any, is over: any round reads the database, and would open it again
 * (empty) after a log out erased it. */
export const settled = () => running ?? Promise.resolve();

/** Ask the browser not to evict this device's data under storage pressure. */
export async function persistStorage() {
  try { return await navigator.storage?.persist?.(); } catch { return false; }
}
