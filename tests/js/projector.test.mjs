// The engine the PWA's worker runs (pwa/lib/engine.js) answers what the page used to compute itself, in
// data that survives the trip to and from a worker; the projector (pwa/lib/projector.js) answers in order,
// turns the worker's errors into errors, and falls back to the page when no worker starts.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { Engine, viewOf } from '../../pwa/lib/engine.js';
import { createProjector } from '../../pwa/lib/projector.js';
import { order } from '../../pwa/lib/rules/facts.js';
import { contactHistory, logTimeZone, project, projection } from '../../pwa/lib/rules/project.js';
import { vectors } from './helpers.mjs';

const raw = (path) => readFileSync(path, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
const ev = (id, type, at, data) => ({ id, type, v: 1, at, data });

const LOG = [
  ev('e1', 'settings_changed', '2026-01-01T09:00:00+00:00', { timezone: 'Europe/Paris', language: 'fr' }),
  ev('e2', 'contact_added', '2026-01-02T09:00:00+01:00', { contact: 'c-herve', name: 'Hervé', email: 'h@example.org' }),
  ev('e3', 'contact_added', '2026-01-02T09:00:00+01:00', { contact: 'c-paul', name: 'Paul' }),
  ev('e4', 'meeting_logged', '2026-01-05T10:00:00+01:00', { meeting: 'm1', contacts: ['c-herve'] }),
  ev('e5', 'referral_given', '2026-01-05T10:00:00+01:00', { referral: 'r1', introducer: 'c-herve', referred: 'c-paul', meeting: 'm1' }),
  ev('e6', 'thanks_sent', '2026-01-06T09:00:00+01:00', { contact: 'c-herve', meeting: 'm1', channel: 'letter' }),
];

/** Whether `value` comes back from a structured clone the same, prototypes included (no class, no getter). */
function survivesCloning(value) {
  assert.deepStrictEqual(structuredClone(value), value);
}

/** Run without the console lines the engine writes on purpose (a refused log, the fallback). */
async function quietly(run) {
  const { info, warn } = console;
  console.info = () => {};
  console.warn = () => {};
  try {
    return await run();
  } finally {
    Object.assign(console, { info, warn });
  }
}

test('the engine answers the log time zone and language first, then the replay document of any date', () => {
  const engine = new Engine();
  assert.deepEqual(engine.load(LOG), { zone: 'Europe/Paris', language: 'fr' });
  const view = engine.view('2026-01-20');
  assert.deepEqual(view.doc, project(LOG, '2026-01-20', 'Europe/Paris'));
  assert.equal(view.days.get('e4'), '2026-01-05');
  assert.deepEqual([...view.contacts.keys()], ['c-herve', 'c-paul']);
  assert.deepEqual(view.contacts.get('c-herve'), {
    id: 'c-herve', name: 'Hervé', added: true, archived: false,
    fields: new Map([['name', 'Hervé'], ['email', 'h@example.org'], ['phone', null], ['org', null], ['title', null],
      ['tags', null], ['note', null], ['cadence_days', null]]),
    met: '2026-01-05', given: false, // the last meeting with them; nobody gave me their name
  });
  assert.deepEqual([view.contacts.get('c-paul').met, view.contacts.get('c-paul').given], [null, true]); // given, not met
  assert.deepEqual(view.channels, [['thanks_sent', 'letter']]);
  assert.equal(view.referralsGiven.get('r1').event.id, 'e5');
  assert.equal(view.settings.language, 'fr');
  survivesCloning(view);
  assert.deepEqual(engine.history('c-herve', '2026-01-20'), contactHistory(projection(LOG, '2026-01-20', 'Europe/Paris'), 'c-herve'));
  survivesCloning(engine.history('c-herve', '2026-01-20'));
  assert.equal(engine.history('nobody', '2026-01-20'), null);
  assert.deepEqual(engine.view('2026-01-04').doc.obligations, []); // a past date: nothing was owed yet
});

test('a new version of the log forgets the projections of the last', () => {
  const engine = new Engine();
  engine.load(LOG.slice(0, 4));
  assert.equal(engine.view('2026-01-20').doc.obligations[0].status, 'overdue');
  engine.load(LOG);
  assert.equal(engine.view('2026-01-20').doc.obligations.find((o) => o.rule === 'thank').status, 'done');
  assert.deepEqual(engine.load([]), { zone: 'UTC', language: null });
});

test('every vector: the engine gives the page what the projection gives', () => {
  for (const { name, log } of vectors()) {
    const events = raw(log);
    const engine = new Engine();
    let zone;
    try {
      zone = logTimeZone(order(events)) ?? 'UTC';
    } catch {
      zone = 'UTC';
    }
    assert.equal(engine.load(events).zone, zone, name);
    for (const asOf of ['2026-11-20', '2025-01-01']) {
      let want;
      try {
        want = project(events, asOf, zone);
      } catch (error) {
        assert.throws(() => engine.view(asOf), { message: error.message }, name);
        continue;
      }
      const view = engine.view(asOf);
      assert.deepEqual(view.doc, want, name);
      assert.deepEqual(viewOf(projection(events, asOf, zone)).doc, want, name);
    }
  }
});

test('a log the engine refuses is refused with the projection own error', async () => {
  const engine = new Engine();
  const bad = [...LOG, ev('e9', 'meeting_logged', 'yesterday', { meeting: 'm9', contacts: ['c-paul'] })];
  assert.deepEqual(await quietly(() => engine.load(bad)), { zone: 'UTC', language: null });
  assert.throws(() => engine.view('2026-01-20'), /bad `at`/);
});

// --- the projector ---------------------------------------------------------------------------------

/** A worker in the same process: answers as lib/engine-worker.js does, data cloned both ways. */
class FakeWorker extends EventTarget {
  constructor({ fails = false } = {}) {
    super();
    this.engine = new Engine();
    this.terminated = false;
    this.seen = [];
    queueMicrotask(() => this.emit(fails ? 'error' : 'message', fails ? { message: 'SyntaxError: import' } : { data: { ready: true } }));
  }

  emit(type, fields) {
    this.dispatchEvent(Object.assign(new Event(type, { cancelable: true }), fields));
  }

  postMessage(message) {
    const { id, method, args } = structuredClone(message);
    this.seen.push(method);
    setTimeout(() => {
      if (this.terminated) return;
      let answer;
      try {
        answer = { id, result: this.engine[method](...args) };
      } catch (error) {
        answer = { id, error: { name: error.name, message: error.message } };
      }
      this.emit('message', { data: structuredClone(answer) });
    }, 1);
  }

  terminate() {
    this.terminated = true;
  }
}

test('the projector sends the log once, then answers each question in order, from the worker', async () => {
  let worker;
  const projector = createProjector({ startWorker: () => (worker = new FakeWorker()), localEngine: () => assert.fail('no fallback') });
  assert.equal(projector.runsIn, null);
  const answers = await Promise.all([
    projector.call('load', LOG), projector.call('view', '2026-01-20'), projector.call('history', 'c-paul', '2026-01-20'),
  ]);
  assert.deepEqual(answers[0], { zone: 'Europe/Paris', language: 'fr' });
  assert.deepEqual(answers[1].doc, project(LOG, '2026-01-20', 'Europe/Paris'));
  assert.equal(answers[2].name, 'Paul');
  assert.deepEqual(worker.seen, ['load', 'view', 'history']);
  assert.equal(projector.runsIn, 'worker');
});

test('a log the engine refuses rejects with its error, and the worker keeps answering', async () => {
  const projector = createProjector({ startWorker: () => new FakeWorker() });
  await quietly(() => projector.call('load', [...LOG, ev('e9', 'meeting_logged', 'yesterday', { meeting: 'm9', contacts: ['c-paul'] })]));
  await assert.rejects(projector.call('view', '2026-01-20'), (error) => error instanceof Error && /bad `at`/.test(error.message));
  await projector.call('load', LOG);
  assert.equal((await projector.call('view', '2026-01-20')).settings.language, 'fr');
});

test('no worker (an old browser): the engine runs on the page', async () => {
  await quietly(async () => {
    const projector = createProjector({ startWorker: () => { throw new ReferenceError('Worker is not defined'); } });
    await projector.call('load', LOG);
    assert.deepEqual((await projector.call('view', '2026-01-20')).doc, project(LOG, '2026-01-20', 'Europe/Paris'));
    assert.equal(projector.runsIn, 'page');
  });
});

test('a worker that fails to start: what was asked is answered on the page, in order', async () => {
  await quietly(async () => {
    let worker;
    const projector = createProjector({ startWorker: () => (worker = new FakeWorker({ fails: true })) });
    const load = projector.call('load', LOG);
    const view = projector.call('view', '2026-01-20');
    assert.deepEqual(await load, { zone: 'Europe/Paris', language: 'fr' });
    assert.deepEqual((await view).doc, project(LOG, '2026-01-20', 'Europe/Paris'));
    assert.ok(worker.terminated);
    assert.equal(projector.runsIn, 'page');
    await assert.rejects(projector.call('view', 'not a date'), RangeError);
  });
});

test('a worker that stops once started: nobody waits forever', async () => {
  let worker;
  const projector = createProjector({ startWorker: () => (worker = new FakeWorker()) });
  await projector.call('load', LOG);
  const waiting = projector.call('view', '2026-01-20');
  worker.terminated = true; // its answer never comes
  worker.emit('error', { message: 'out of memory' });
  await assert.rejects(waiting, /out of memory/);
});

test('events appended to the log the engine holds project as the whole log would, and keep a new zone', () => {
  for (let cut = 0; cut <= LOG.length; cut++) {
    const grown = new Engine();
    grown.load(LOG.slice(0, cut));
    grown.view('2026-01-20'); // a projection of the shorter log, which the appended events make stale
    const known = grown.append(LOG.slice(cut));
    const whole = new Engine();
    assert.deepEqual(known, whole.load(LOG), `cut at ${cut}`);
    assert.deepEqual(grown.view('2026-01-20').doc, whole.view('2026-01-20').doc, `cut at ${cut}`);
  }
});
