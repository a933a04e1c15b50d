/** The rules engine, off the main thread: lib/engine.js in a module worker (lib/engine-worker.js), so the
 * page paints and answers taps while a long log is replayed; the same Engine on the page where no module
 * worker starts (an old browser). Calls are answered in the order they were made. */

const startEngineWorker = () => new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module' });
const pageEngine = () => import('./engine.js').then(({ Engine }) => new Engine());

/**
 * call(method, ...args) -> Promise of the Engine's answer (load, append, view, history). `startWorker` and
 * `localEngine` are what tests replace.
 */
export function createProjector({ startWorker = startEngineWorker, localEngine = pageEngine } = {}) {
  let worker = null;
  let ready = false; // the worker said its modules loaded: from then on its errors are the engine's
  let local = null; // Promise of the page's Engine, once fallen back
  let next = 0;
  const pending = new Map(); // id -> {method, args, resolve, reject}, in the order made

  function runLocal({ method, args, resolve, reject }) {
    local.then((engine) => resolve(engine[method](...args))).catch(reject); // .then runs in order
  }

  function fallBack(reason) {
    console.info('rules engine on the page:', reason?.message ?? reason);
    worker?.terminate();
    worker = null;
    local = localEngine();
    const waiting = [...pending.values()];
    pending.clear();
    for (const call of waiting) runLocal(call);
  }

  function onMessage({ data }) {
    if (data.ready) {
      ready = true;
      return;
    }
    const call = pending.get(data.id);
    if (!call) return;
    pending.delete(data.id);
    if (data.error) call.reject(Object.assign(new Error(data.error.message), { name: data.error.name }));
    else call.resolve(data.result);
  }

  function onError(event) {
    event.preventDefault?.();
    if (!ready) {
      fallBack(event.message || 'the worker did not start');
      return;
    }
    // Never reached by a log the engine refuses (answered as an error); still, nobody waits forever.
    const error = new Error(event.message || 'the rules engine stopped');
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  }

  function start() {
    try {
      worker = startWorker();
    } catch (error) {
      fallBack(error);
      return;
    }
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    worker.addEventListener('messageerror', onError);
  }

  function call(method, ...args) {
    if (!worker && !local) start();
    return new Promise((resolve, reject) => {
      const entry = { method, args, resolve, reject };
      if (local) {
        runLocal(entry);
        return;
      }
      const id = ++next;
      pending.set(id, entry);
      try {
        worker.postMessage({ id, method, args });
      } catch (error) {
        pending.delete(id);
        reject(error);
      }
    });
  }

  return {
    call,
    /** Start the worker now, so its modules load while the page does something else (reads the log). */
    warm() {
      if (!worker && !local) start();
    },
    /** Where the engine runs: 'worker' (once it said so), 'page', or null (not asked yet or starting). */
    get runsIn() {
      return local ? 'page' : ready ? 'worker' : null;
    },
  };
}
