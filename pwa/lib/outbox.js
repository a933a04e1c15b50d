/** Recording what this device did: events checked by the decoder (made by lib/commands.js) go into the local
 * log and the outbox in one transaction, and wait there until the server acknowledges them (lib/sync.js sends
 * them). The page and the service worker both record through here. */

import { recordEvents, pendingCount } from './db.js';
import { isCanonical } from './rules/events.js';

/** Store events made here (log + outbox, one transaction). Only decoded events are taken: a hand-made object
 * could be one the server refuses, which would sit in the outbox, then in `rejected`. */
export async function record(events) {
  const unchecked = events.find((event) => !isCanonical(event));
  if (unchecked) {
    throw new TypeError(`not a checked event (make it with lib/commands.js): ${JSON.stringify(unchecked)}`);
  }
  await recordEvents(events);
  return events;
}

export { pendingCount };
