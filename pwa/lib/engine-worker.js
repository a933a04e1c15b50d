/** The rules engine in a module worker, so replaying a long log never blocks the page: it answers
 * {id, method, args} with {id, result} or {id, error}, in the order asked (lib/projector.js). */

import { Engine } from './engine.js';

const engine = new Engine();
const METHODS = new Set(['load', 'append', 'view', 'history', 'story', 'contactStory', 'changes']);

self.addEventListener('message', ({ data: { id, method, args } }) => {
  const start = performance.now();
  try {
    if (!METHODS.has(method)) throw new TypeError(`no method ${method}`);
    self.postMessage({ id, result: engine[method](...args) });
    // In this worker's own timeline: what bench/pwa_budget.py and the browser tests read of the work done here.
    performance.measure(`merci:engine:${method}`, { start });
  } catch (error) {
    // An error crosses as its name and message: a log the engine refuses reads the same as on the page.
    self.postMessage({ id, error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } });
  }
});

// Said once the engine's modules have loaded: until then, an error means this browser cannot run it here.
self.postMessage({ ready: true });
