/** The outbox: every event is made here, stored in IndexedDB first, and waits in the outbox until the
 * server acknowledges it. Workbox's loop, without the library: take the oldest, send, and only an
 * acknowledgement takes them out — a failure leaves them where they were, in order. */

import { recordEvents, outboxBatch, pendingCount, settleSync } from './db.js';
import { uuidv7, localInstant } from './ids.js';

export const BACKGROUND_SYNC_TAG = 'merci-outbox';
export const BATCH = 100;
export const BATCH_BYTES = 512 * 1024; // the server takes at most 1 MiB a request: long notes in any script fit

export const changes = new EventTarget(); // 'recorded' after each local write

/** An event of `type` with `data`, made now on this device (or `at`, a Date the user chose). */
export function makeEvent(type, data, at = new Date()) {
  return { id: uuidv7(), type, v: 1, at: localInstant(at), data };
}

/** Store events made here (log + outbox, one transaction), then ask for a sync. */
export async function record(events) {
  await recordEvents(events);
  changes.dispatchEvent(new Event('recorded'));
  requestBackgroundSync();
  return events;
}

export { pendingCount };

/** Send the outbox oldest first, `BATCH` at a time, through `send(events) -> answer`, then settle the
 * answer. Stops at the first failure (the events stay queued) or when the outbox is empty. */
export async function flush(send) {
  for (;;) {
    const oldest = await outboxBatch(BATCH);
    const batch = fitting(oldest, BATCH_BYTES);
    const answer = await send(batch);
    await settleSync(answer);
    if (batch.length === oldest.length && oldest.length < BATCH && !answer.more) return;
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

/** Where the browser has Background Sync, let it wake the service worker to send the outbox later,
 * even if the app is closed by then. */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    await registration?.sync?.register(BACKGROUND_SYNC_TAG);
  } catch { /* not available or not allowed: the app syncs on its own */ }
}
