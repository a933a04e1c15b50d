/** Live sync: follows GET /api/live (Server-Sent Events) and asks for a sync as soon as the account's log ends
 * past this device's cursor, so what another device saved shows here within a second. Read with fetch, not
 * EventSource, so the token goes in the Authorization header and never in a URL (URLs end up in logs). The
 * stream only says where the log ends; the cursor decides what a sync pulls, so a dropped stream loses nothing.
 * It reconnects with backoff; while it is down, sync.js's timed rounds carry on. `data-live` on <html> says
 * whether it is connected ("on") or not ("off"). */

import { getMeta } from './db.js';

const FIRST_DELAY_MS = 1000; // then doubled up to MAX_DELAY_MS while the stream cannot be opened or keeps dropping
const MAX_DELAY_MS = 60_000;
const SILENCE_MS = 75_000; // the server sends a keep-alive every 25 s: longer silence is a connection lost unseen

let following = null;

/** Follow the account's log with `token`, calling `onNews()` when there is something to pull (and when the
 * token stops working, so that the sync finds out and signs out). Replaces any stream followed before. */
export function startLive({ token, onNews }) {
  stopLive();
  const stop = new AbortController();
  following = stop;
  run(token, onNews, stop.signal);
}

export function stopLive() {
  following?.abort();
  following = null;
  show(false);
}

async function run(token, onNews, signal) {
  let delay = FIRST_DELAY_MS;
  const connected = () => { delay = FIRST_DELAY_MS; show(true); };
  while (!signal.aborted) {
    if (!navigator.onLine) await waitFor('online', signal);
    let outcome;
    try {
      outcome = await follow(token, onNews, signal, connected);
    } catch {
      outcome = 'lost';
    }
    show(false);
    if (outcome === 'refused' || signal.aborted) return;
    await sleep(delay * (0.8 + Math.random() * 0.4), signal);
    delay = Math.min(MAX_DELAY_MS, delay * 2);
  }
}

/** One stream, until it ends: 'lost' (try again later) or 'refused' (the token no longer works). */
async function follow(token, onNews, signal, connected) {
  const connection = new AbortController();
  const abort = () => connection.abort();
  signal.addEventListener('abort', abort);
  let silence = setTimeout(abort, SILENCE_MS);
  try {
    const answer = await fetch('/api/live', {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
      cache: 'no-store', credentials: 'omit', signal: connection.signal,
    });
    if (answer.status === 401) { onNews(); return 'refused'; }
    if (!answer.ok || !answer.body) return 'lost';
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = 'message';
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'lost';
      clearTimeout(silence);
      silence = setTimeout(abort, SILENCE_MS);
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          const outcome = data.length ? await dispatch(event, data.join('\n'), onNews, connected) : null;
          if (outcome === 'refused') return 'refused';
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) { // a `:` line is a keep-alive comment
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'event') event = text;
          else if (name === 'data') data.push(text);
        }
      }
    }
  } finally {
    clearTimeout(silence);
    signal.removeEventListener('abort', abort);
  }
}

async function dispatch(event, data, onNews, connected) {
  if (event === 'revoked') { onNews(); return 'refused'; }
  if (event !== 'log') return null;
  connected();
  const { last_seq: lastSeq } = JSON.parse(data);
  if (lastSeq > ((await getMeta('cursor')) ?? 0)) onNews();
  return null;
}

function show(on) {
  document.documentElement.dataset.live = on ? 'on' : 'off';
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

function waitFor(name, signal) {
  return new Promise((resolve) => {
    const done = () => { removeEventListener(name, done); resolve(); };
    addEventListener(name, done);
    signal.addEventListener('abort', done, { once: true });
  });
}
