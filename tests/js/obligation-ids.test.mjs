// An obligation id names one obligation: it appears at most once in a projection (DESIGN.md §2). Random
// logs from the generator, and dense touches with short cadences, where a 7-day early window on a weekly
// cadence once started a cycle due on the day just fulfilled, under the same id.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readLog } from '../../pwa/lib/rules/events.js';
import { projection } from '../../pwa/lib/rules/project.js';
import { generateLog, random } from './generator.mjs';

const SEED = Number(process.env.MERCI_SEED ?? 20261204);
const COUNT = 1500;

function repeated(events, asOf, tz) {
  const ids = projection(events, asOf, tz).obligations.map((o) => o.id);
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

test(`no obligation id appears twice in ${COUNT} random logs (seed ${SEED})`, () => {
  for (let seed = SEED; seed < SEED + COUNT; seed++) {
    const { lines, asOf, tz } = generateLog(seed);
    let events;
    try {
      events = readLog(`${lines.join('\n')}\n`);
    } catch {
      continue; // the generator makes bad lines on purpose now and then: the decoder's tests cover those
    }
    assert.deepEqual(repeated(events, asOf, tz ?? null), [], `seed ${seed}`);
  }
});

test('no nurture cycle id appears twice with cadences of 1 to 30 days and touches on every nearby day', () => {
  const r = random(SEED);
  const day = (n) => new Date(Date.UTC(2026, 0, 1) + n * 86400000).toISOString().slice(0, 10);
  for (let round = 0; round < 400; round++) {
    const cadence = r.pick([1, 2, 3, 7, 13, 14, 15, 30]);
    const lines = [
      { id: 'a', type: 'contact_added', v: 1, at: `${day(0)}T08:00:00Z`, data: { contact: 'c1', name: 'C1', cadence_days: cadence } },
      { id: 'm', type: 'meeting_logged', v: 1, at: `${day(0)}T09:00:00Z`, data: { meeting: 'm1', contacts: ['c1'] } },
    ];
    for (let i = 0, n = r.int(1, 40); i < n; i++) {
      lines.push({ id: `t${i}`, type: 'idea_shared', v: 1, at: `${day(r.int(0, 120))}T10:00:00Z`, data: { contact: 'c1' } });
    }
    const events = readLog(lines.map((l) => JSON.stringify(l)).join('\n'));
    assert.deepEqual(repeated(events, day(r.int(0, 150)), 'UTC'), [], `cadence ${cadence}, round ${round}`);
  }
});
