// The story of a relationship told by the JavaScript engine (pwa/lib/rules/story.js) for the post's two
// scenarios, as the app reads it: the mentee's brief before meeting Hervé again, and the mentor's side — the
// people Paul met through the mentor, whose thank-you nothing in the mentor's log can show (a question the
// story raises, never an obligation). engines.test.mjs checks the same JSON and text against Python's.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { readLog } from '../../pwa/lib/rules/events.js';
import { projection } from '../../pwa/lib/rules/project.js';
import { contactStory, networkStory, storyText } from '../../pwa/lib/rules/story.js';
import { ROOT } from './helpers.mjs';

const AS_OF = '2026-11-20'; // six months after the meeting of 2026-05-12
const seed = (name) => projection(readLog(readFileSync(join(ROOT, 'tests', 'vectors', `${name}.ndjson`))), AS_OF, 'Europe/Paris');

test('the mentor is asked whether Paul thanked the two people met through them, under each outcome and in the brief', () => {
  const p = seed('seed-helper');
  const story = contactStory(p, 'c-paul');
  const anne = { referral: 'r1', seeker: 'c-paul', referred: 'c-anne', known_on: '2026-06-10', event: 'seed-helper-08' };
  const marc = { referral: 'r2', seeker: 'c-paul', referred: 'c-marc', known_on: '2026-06-15', event: 'seed-helper-09' };
  assert.deepEqual(story.brief.unseen_thanks, [anne, marc]);
  assert.deepEqual(story.brief.owed_to_me, ['thank:m1:c-paul', 'report:r1', 'report:r2']);
  const outcomes = story.entries.filter((e) => e.type === 'referral_outcome');
  assert.deepEqual(outcomes.map((e) => e.unseen_thanks), [[anne], [marc]]);
  assert.ok(story.entries.filter((e) => e.type !== 'referral_outcome').every((e) => e.unseen_thanks.length === 0));
  // a story-level note: the obligations are the rules' alone
  assert.deepEqual(p.obligations.map((o) => o.id), ['thank:m1:c-paul', 'report:r1', 'report:r2', 'nurture:c-paul:2026-08-10']);
  const text = storyText(story).join('\n');
  const raise = text.slice(text.indexOf('  To raise, kindly'), text.indexOf('\n\nTimeline'));
  assert.match(raise, /^ {4}- Paul met Anne through me \(known 2026-06-10\): did Paul thank Anne\? Nothing tells me so$/m);
  assert.match(raise, /^ {4}- Paul met Marc through me \(known 2026-06-15\): did Paul thank Marc\? Nothing tells me so$/m);
  assert.match(text, /2026-06-10 {2}I learnt that Paul obtained a meeting with Anne\n.*\n {6}\? Paul met Anne through me/);
  // Anne's own story tells the outcome and its question, but raises nothing with Anne
  const anneStory = contactStory(p, 'c-anne');
  assert.deepEqual(anneStory.brief.unseen_thanks, []);
  assert.deepEqual(anneStory.entries.flatMap((e) => e.unseen_thanks), [anne]);
});

test('once the news of a meeting was given, its question leaves the brief; a declined name raises none', () => {
  const log = [
    { id: 'e1', type: 'contact_added', v: 1, at: '2026-05-01T10:00:00+00:00', data: { contact: 'c-paul', name: 'Paul' } },
    { id: 'e2', type: 'meeting_logged', v: 1, at: '2026-05-12T10:00:00+00:00', data: { meeting: 'm1', contacts: ['c-paul'], host: 'me' } },
    { id: 'e3', type: 'referral_made', v: 1, at: '2026-05-12T11:00:00+00:00', data: { referral: 'r1', to: 'c-paul', referred: 'c-anne' } },
    { id: 'e4', type: 'referral_made', v: 1, at: '2026-05-12T11:01:00+00:00', data: { referral: 'r2', to: 'c-paul', referred: 'c-zoe' } },
    { id: 'e5', type: 'referral_outcome', v: 1, at: '2026-06-10T10:00:00+00:00', data: { referral: 'r1', outcome: 'meeting_obtained' } },
    { id: 'e6', type: 'referral_outcome', v: 1, at: '2026-06-11T10:00:00+00:00', data: { referral: 'r2', outcome: 'declined' } },
  ];
  const before = contactStory(projection(log, '2026-07-01', 'UTC'), 'c-paul');
  assert.deepEqual(before.brief.unseen_thanks.map((n) => n.referral), ['r1']);
  const told = [...log, { id: 'e7', type: 'update_received', v: 1, at: '2026-07-02T10:00:00+00:00', data: { referral: 'r1' } }];
  const after = contactStory(projection(told, '2026-07-10', 'UTC'), 'c-paul');
  assert.deepEqual(after.brief.unseen_thanks, []);
  assert.deepEqual(after.entries.flatMap((e) => e.unseen_thanks).map((n) => n.referral), ['r1']); // the timeline keeps it
});

test("the mentee's brief names each broken rule of the post, and has no unseen thank-you (the mentee owes them)", () => {
  const story = contactStory(seed('seed-mentee'), 'c-herve');
  assert.deepEqual(story.brief.owed_by_me, ['thank:m1:c-herve', 'report:r1', 'report:r2', 'nurture:c-herve:2026-08-10']);
  assert.deepEqual(story.brief.introduced.map((o) => o.id), ['thank:m2:c-anne', 'thank:m3:c-marc']);
  assert.deepEqual(story.brief.unseen_thanks, []);
  const text = storyText(story).join('\n');
  assert.match(text, /thank Hervé for the meeting of 2026-05-12 at Son bureau: STILL OWED since 2026-05-13 \(191 days — 6 months\)/);
  assert.match(text, /And the people Hervé introduced you to:\n {4}- thank Anne .*\n {4}- thank Marc /);
  assert.equal(networkStory(seed('seed-mentee')).people.flatMap((s) => s.brief.unseen_thanks).length, 0);
});

test('an idea shared from the inbox is told by its title (or link) as the pre-pass leaves it; free text as written', () => {
  const at = (day) => `${day}T10:00:00+00:00`;
  let n = 0;
  const ev = (day, type, data) => ({ id: `e${String(++n).padStart(3, '0')}`, type, v: 1, at: at(day), data });
  const saved = ev('2026-05-02', 'idea_saved', { idea: 'i-open', title: 'Open banking', link: 'https://example.org/ob' });
  const gone = ev('2026-05-02', 'idea_saved', { idea: 'i-gone', title: 'Retracted' });
  const log = [
    ev('2026-05-01', 'contact_added', { contact: 'c-paul', name: 'Paul' }),
    saved,
    ev('2026-05-03', 'event_corrected', { event: saved.id, data: { idea: 'i-open', title: 'Open banking, five years on', link: 'https://example.org/ob' } }),
    ev('2026-05-02', 'idea_saved', { idea: 'i-link', link: 'https://example.org/a-link' }),
    gone,
    ev('2026-05-03', 'event_retracted', { event: gone.id }),
    ...['i-open', 'i-link', 'i-gone'].map((idea) => ev('2026-05-10', 'idea_shared', { contact: 'c-paul', idea })),
    ev('2026-05-11', 'idea_shared', { contact: 'c-paul', idea: 'An article on fintech' }),
    ev('2026-05-12', 'idea_shared', { contact: 'c-paul', link: 'https://example.org/b' }),
  ];
  const story = contactStory(projection(log, '2026-06-01', 'UTC'), 'c-paul');
  const shared = story.entries.filter((e) => e.type === 'idea_shared');
  assert.deepEqual(shared.map((e) => e.idea_title), ['Open banking, five years on', 'https://example.org/a-link', null, null, null]);
  assert.equal(shared[0].data.idea, 'i-open'); // the data as logged, the title beside it
  assert.ok(story.entries.filter((e) => e.type !== 'idea_shared').every((e) => !('idea_title' in e)));
  const text = storyText(story).join('\n');
  assert.ok(text.includes('2026-05-10  I shared ‘Open banking, five years on’ with Paul'));
  assert.ok(text.includes('2026-05-10  I shared ‘https://example.org/a-link’ with Paul'));
  assert.ok(text.includes('2026-05-10  I shared an idea with Paul: i-gone'));
  assert.ok(text.includes('2026-05-11  I shared an idea with Paul: An article on fintech'));
  assert.ok(text.includes('2026-05-12  I shared an idea with Paul\n'));
});
