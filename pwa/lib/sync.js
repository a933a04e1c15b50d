/** Sync: push the outbox and pull what other devices wrote (POST /api/sync). The one loop, run by the page (on
 * start, when the network comes back, on focus, every minute, after each local write) and by the service worker
 * (Background Sync, a reminder's action with the app closed). One sync at a time across tabs and the worker
 * (Web Locks); `status` tells the UI whether everything is synced and what is waiting, and `settled` events
 * carry what each answer pulled into the log. Workbox's loop, without the library: take the oldest, send, and
 * only an acknowledgement takes them out — a failure leaves them where they were, in order. */

import { ApiError, Unreachable, syncEvents } from './api.js';
import { getMeta, setMeta, outboxBatch, pendingCount, rejectedEvents, requeueAfter, settleSync } from './db.js';

export const BACKGROUND_SYNC_TAG = 'merci-outbox';
export const BATCH = 100;
export const BATCH_BYTES = 512 * 1024; // the server takes at most 1 MiB a request: long notes in any script fit

const PERIOD_MS = 60_000;
const AFTER_WRITE_MS = 300;
const RETRY_FIRST_MS = 2000; // then doubled up to RETRY_MAX_MS while the server cannot be reached
const RETRY_MAX_MS = 30_000;

/** 'change' (with `current` below) and 'settled' ({pulled, rejected}: what one answer put in the log and took out). */
export const status = new EventTarget();
export let current = { phase: 'idle', pending: 0, rejected: 0, lastSyncedAt: null, error: null };

let running = null;
let again = false;

/** Sync now (or once more right after the sync in flight); resolves with the phase it ended in, never throws. */
export function syncNow() {
  clearTimeout(debounce); // the round about to run sends what was recorded until now
  if (running) { again = true; return running; }
  running = (async () => {
    let phase;
    try {
      do { again = false; phase = await withLock(syncRound); } while (again);
    } finally { running = null; }
    return phase;
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
    await flush(session);
    retryDelay = 0;
    clearTimeout(retryTimer);
    return publish('synced');
  } catch (error) {
    scheduleRetry();
    if (error instanceof ApiError && error.status === 401) {
      await setMeta('session', { ...session, revoked: true });
      return publish('signed_out');
    }
    const offline = error instanceof Unreachable;
    if (!offline) console.warn('sync failed', error);
    const phase = await publish(offline ? 'offline' : 'error', offline ? null : error.message);
    if (current.pending) requestBackgroundSync(); // the browser sends them later, even with the app closed by then
    return phase;
  }
}

/** Send the outbox oldest first, `BATCH` at a time (and at most BATCH_BYTES), pulling after the cursor with
 * each; settle each answer. Stops at the first failure (the events stay queued) or once the outbox is empty
 * and nothing more is to pull. */
async function flush(session) {
  for (;;) {
    const oldest = await outboxBatch(BATCH);
    const batch = fitting(oldest, BATCH_BYTES);
    const answer = await exchange(session, batch);
    await settleSync(answer);
    status.dispatchEvent(Object.assign(new Event('settled'), { pulled: answer.pulled, rejected: answer.rejected }));
    if (batch.length === oldest.length && oldest.length < BATCH && !answer.more && !answer.requeued) return;
  }
}

const utf8 = new TextEncoder();

/** The first events of `events` whose JSON adds up to at most `limit` bytes (always at least one: an event
 * alone is far below the server's limit, its fields being capped). */
export function fitting(events, limit) {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    bytes += utf8.encode(JSON.stringify(events[i])).length + 1;
    if (bytes > limit && i > 0) return events.slice(0, i);
  }
  return events;
}

/** One request: push `batch`, pull after the stored cursor; the answer in the shape `settleSync` takes, and
 * `requeued` when the server had lost events this device holds (they are queued again, to send next). */
async function exchange(session, batch) {
  const cursor = (await getMeta('cursor')) ?? 0;
  const body = { device: session.device, cursor, events: batch };
  let answer;
  let requeued = false;
  try {
    answer = await syncEvents(session.token, body);
  } catch (error) {
    // The server's log is shorter than what this device pulled (it was restored from a backup): send again
    // whatever it may have lost of what this device holds (next round), and pull it all again.
    if (!(error instanceof ApiError && error.status === 409 && 'last_seq' in error.body)) throw error;
    requeued = (await requeueAfter(error.body.last_seq)) > 0;
    answer = await syncEvents(session.token, { ...body, cursor: 0 });
  }
  return {
    acknowledged: [...answer.accepted, ...answer.duplicates],
    rejected: answer.rejected.map((r) => ({ event: batch[r.index], error: r.error })),
    pulled: answer.events,
    cursor: answer.cursor,
    more: answer.more,
    requeued,
  };
}

async function publish(phase, error = null) {
  const [pending, rejected, lastSyncedAt] = await Promise.all([
    pendingCount(), rejectedEvents().then((r) => r.length), getMeta('last_synced_at'),
  ]);
  if (phase === 'synced' && pending > 0) phase = 'idle'; // written while we were sending: next round
  current = { phase, pending, rejected, lastSyncedAt: lastSyncedAt ?? null, error };
  status.dispatchEvent(new Event('change'));
  return phase;
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

/** Something was just recorded on this device: show it waiting, and send it shortly (writes in a row go as one
 * request). */
export function recorded() {
  refreshStatus();
  retryDelay = 0; // something new to send: worth trying again soon
  clearTimeout(debounce);
  debounce = setTimeout(syncNow, AFTER_WRITE_MS);
}

/** Start syncing by itself: now, on `online`, on focus, every `periodMs` (a minute). */
export function startAutoSync({ periodMs = PERIOD_MS } = {}) {
  if (timer) return;
  syncNow();
  addEventListener('online', syncNow);
  addEventListener('focus', syncNow);
  document.addEventListener('visibilitychange', syncWhenVisible);
  timer = setInterval(() => { if (document.visibilityState !== 'hidden') syncNow(); }, periodMs);
}

function syncWhenVisible() {
  if (document.visibilityState === 'visible') syncNow();
}

/** Where the browser has Background Sync, let it wake the service worker to send the outbox later, even if the
 * app is closed by then (from the worker itself, its own registration). */
export async function requestBackgroundSync() {
  try {
    const registration = self.registration ?? (await navigator.serviceWorker?.getRegistration());
    await registration?.sync?.register(BACKGROUND_SYNC_TAG);
  } catch { /* not available or not allowed: the app syncs on its own */ }
}

export function stopAutoSync() {
  clearInterval(timer);
  clearTimeout(retryTimer);
  clearTimeout(debounce);
  timer = null;
  removeEventListener('online', syncNow);
  removeEventListener('focus', syncNow);
  document.removeEventListener('visibilitychange', syncWhenVisible);
}

/** Resolves once the sync in flight, if any, is over: any round reads the database, and would open it again
 * (empty) after a log out erased it. */
export const settled = () => running ?? Promise.resolve();

/** Ask the browser not to evict this device's data under storage pressure. */
export async function persistStorage() {
  try { return await navigator.storage?.persist?.(); } catch { return false; }
}
