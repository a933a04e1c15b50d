/** The device's IndexedDB: its schema and upgrades, and every read and write of it. One place, so that
 * no transaction ever awaits anything but its own requests (idb's rule: no fetch inside a transaction). */

import { openDB, deleteDB } from '../vendor/idb.js';

export const DB_NAME = 'merci';
export const DB_VERSION = 1;

/* Stores:
 *   events   – the local log (keyPath id): pulled from the server (with seq) and made here.
 *   outbox   – events made here not yet acknowledged by the server, oldest first (auto-increment key).
 *   rejected – events the server refused, with its reason (kept to show, out of the log).
 *   meta     – session {token, device, account, email}, cursor (the last seq pulled), last_synced_at. */
const UPGRADES = [
  (db) => {
    db.createObjectStore('events', { keyPath: 'id' });
    const outbox = db.createObjectStore('outbox', { autoIncrement: true });
    outbox.createIndex('id', 'id', { unique: true });
    db.createObjectStore('rejected', { keyPath: 'event.id' });
    db.createObjectStore('meta');
  },
];

let opening = null;
let makeIfMissing = true;

/** There is no local log: this device is signed out (or a log out erased it), and the service worker never
 * makes one. */
export class NoLocalLog extends Error {}

/** For the service worker: open the page's database only if it exists. Made there, it would come back empty
 * after a log out erased it, for nobody. */
export function openExistingOnly() {
  makeIfMissing = false;
}

export function database() {
  opening ??= open().catch((error) => {
    opening = null;
    throw error;
  });
  return opening;
}

async function open() {
  if (!makeIfMissing && !(await indexedDB.databases()).some((d) => d.name === DB_NAME)) throw new NoLocalLog();
  try {
    return await openDB(DB_NAME, DB_VERSION, {
      upgrade(db, oldVersion, newVersion, transaction) {
        if (oldVersion === 0 && !makeIfMissing) {
          transaction.abort(); // erased between the check and the open: leave it so
          return;
        }
        for (let v = oldVersion; v < UPGRADES.length; v++) UPGRADES[v](db);
      },
      blocking() { close(); }, // another tab upgrades or wipes: let it
      terminated() { opening = null; },
    });
  } catch (error) {
    if (!makeIfMissing && error?.name === 'AbortError') throw new NoLocalLog();
    throw error;
  }
}

export async function close() {
  const pending = opening;
  opening = null;
  if (pending) (await pending).close();
}

/** Record events made on this device: into the log and the outbox, in one transaction. */
export async function recordEvents(events) {
  const db = await database();
  const tx = db.transaction(['events', 'outbox'], 'readwrite');
  for (const event of events) {
    tx.objectStore('events').put(event);
    tx.objectStore('outbox').put(event);
  }
  await tx.done;
}

export async function allEvents() {
  return (await database()).getAll('events');
}

export async function pendingCount() {
  return (await database()).count('outbox');
}

/** The oldest `limit` events waiting to be sent. */
export async function outboxBatch(limit) {
  return (await database()).getAll('outbox', null, limit);
}

export async function rejectedEvents() {
  return (await database()).getAll('rejected');
}

/** Settle one sync answer in one transaction: acknowledged events leave the outbox, refused ones leave
 * the log for `rejected`, pulled events join the log, and the cursor moves with them. */
export async function settleSync({ acknowledged, rejected, pulled, cursor }) {
  const db = await database();
  const tx = db.transaction(['events', 'outbox', 'rejected', 'meta'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const byId = outbox.index('id');
  const drop = async (id) => {
    const key = await byId.getKey(id);
    if (key !== undefined) await outbox.delete(key);
  };
  const work = [];
  for (const id of acknowledged) work.push(drop(id));
  for (const { event, error } of rejected) {
    work.push(drop(event.id), tx.objectStore('events').delete(event.id), tx.objectStore('rejected').put({ event, error }));
  }
  for (const event of pulled) work.push(tx.objectStore('events').put(event));
  work.push(tx.objectStore('meta').put(cursor, 'cursor'));
  work.push(tx.objectStore('meta').put(new Date().toISOString(), 'last_synced_at'));
  await Promise.all([...work, tx.done]);
}

/** The server's log was restored from a backup and ends at `lastSeq`: every local event it may have lost
 * (pulled with a later seq, or made here and acknowledged since) goes back in the outbox, as the wire
 * format has it (no server fields). The server answers those it still holds as duplicates. How many. */
export async function requeueAfter(lastSeq) {
  const db = await database();
  const tx = db.transaction(['events', 'outbox'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const [events, queued] = await Promise.all([tx.objectStore('events').getAll(), outbox.getAll()]);
  const waiting = new Set(queued.map((e) => e.id));
  const lost = events.filter((e) => !waiting.has(e.id) && !(e.seq <= lastSeq));
  const work = lost.map(({ id, type, v, at, data }) => outbox.put({ id, type, v, at, data }));
  await Promise.all([...work, tx.done]);
  return lost.length;
}

export async function getMeta(key) {
  return (await database()).get('meta', key);
}

export async function setMeta(key, value) {
  return (await database()).put('meta', value, key);
}

/** Forget everything this device holds: the whole database. */
export async function wipe() {
  await close();
  await deleteDB(DB_NAME, { blocked() { /* another tab closes on `blocking` */ } });
}
