// Ideas (issue 14): what a share to the app holds made tidy, a LinkedIn profile's name guessed, tags compared
// without case or accents, the ideas offered to a contact; the builders of idea_saved, idea_shared and a contact
// from a share (each event what the decoder, and so the server, accepts); the engine's ideas inbox (retractions
// and corrections read through the pre-pass, shares found by the idea's id or link).

process.env.TZ = 'Europe/Paris';

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CommandError, contactFromShare, ideaSaved, ideaShared, undo } from '../../pwa/lib/commands.js';
import { Engine } from '../../pwa/lib/engine.js';
import {
  commonTags, firstUrl, guessName, isLinkedInProfile, knownTags, offersFor, parseTags, sharedDraft, tagKey,
} from '../../pwa/lib/ideas.js';
import { decodeEvent, isCanonical } from '../../pwa/lib/rules/events.js';

const AT = new Date('2026-11-18T08:30:00Z');

function ids() {
  let n = 0;
  return () => `id-${++n}`;
}

function assertWire(events) {
  for (const event of events) {
    assert.ok(isCanonical(event));
    assert.deepEqual(decodeEvent(JSON.stringify(event)), event);
  }
}

// --- shares and names -------------------------------------------------------------------------------------

test('a share with its link in the text (Android) gets it as its url; the text keeps the rest', () => {
  assert.deepEqual(sharedDraft({ text: 'Worth a read https://ex.org/a?b=1.' }),
    { title: '', text: 'Worth a read.', url: 'https://ex.org/a?b=1' });
  assert.deepEqual(sharedDraft({ text: 'https://ex.org/a' }), { title: '', text: '', url: 'https://ex.org/a' });
  assert.deepEqual(sharedDraft({ title: ' A  title ', text: 'https://ex.org/a', url: 'https://ex.org/a' }),
    { title: 'A title', text: '', url: 'https://ex.org/a' });
  assert.deepEqual(sharedDraft({}), { title: '', text: '', url: '' });
  assert.deepEqual(sharedDraft({ title: null, text: undefined, url: null }), { title: '', text: '', url: '' });
  assert.equal(firstUrl('see (https://ex.org/x), then'), 'https://ex.org/x');
  assert.equal(firstUrl('no link'), null);
});

test('a LinkedIn profile: the name from its title, else from its address without the suffix LinkedIn adds', () => {
  assert.ok(isLinkedInProfile('https://www.linkedin.com/in/jeanne-dupont-1a2b3c4d/'));
  assert.ok(isLinkedInProfile('https://fr.linkedin.com/in/x'));
  assert.ok(!isLinkedInProfile('https://www.linkedin.com/company/acme'));
  assert.ok(!isLinkedInProfile('https://notlinkedin.com/in/x'));
  assert.ok(!isLinkedInProfile('not a url'));
  assert.equal(guessName({ url: 'https://www.linkedin.com/in/jeanne-dupont-1a2b3c4d/' }), 'Jeanne Dupont');
  assert.equal(guessName({ url: 'https://www.linkedin.com/in/jean-pierre-martin-b1234567' }), 'Jean Pierre Martin');
  assert.equal(guessName({ url: 'https://linkedin.com/in/h%C3%A9l%C3%A8ne-martin' }), 'Hélène Martin');
  assert.equal(guessName({ title: 'Jeanne Dupont - Product manager - Acme | LinkedIn', url: 'https://fr.linkedin.com/in/jd' }),
    'Jeanne Dupont');
  assert.equal(guessName({ title: '(3) Zoé Lefèvre | LinkedIn' }), 'Zoé Lefèvre');
  assert.equal(guessName({ title: 'An article', url: 'https://ex.org/a' }), '');
  assert.equal(guessName({}), '');
});

// --- tags --------------------------------------------------------------------------------------------------

test('tags meet whatever their case and accents; typed with commas, each once, the first spelling kept', () => {
  assert.equal(tagKey(' Économie  Sociale '), 'economie sociale');
  assert.deepEqual(parseTags('Fintech, fintech ,  design,, #IA'), ['Fintech', 'design', 'IA']);
  assert.deepEqual(parseTags(''), []);
  assert.deepEqual(commonTags(['FinTech', 'golf', 'Économie'], ['fintech', 'economie']), ['FinTech', 'Économie']);
  assert.deepEqual(commonTags(undefined, ['x']), []);
  assert.deepEqual(knownTags([['Fintech', 'IA'], ['fintech'], ['fintech'], null]), ['fintech', 'IA']);
});

test('the ideas offered to a contact: tags in common, not shared with them yet, the newest first', () => {
  const ideas = [
    { id: 'i3', tags: ['golf'], sharedWith: [], day: '2026-11-10', pos: 3 },
    { id: 'i2', tags: ['FINTECH', 'banks'], sharedWith: [], day: '2026-11-09', pos: 2 },
    { id: 'i1', tags: ['fintech'], sharedWith: ['c-paul'], day: '2026-11-08', pos: 1 },
    { id: 'i0', tags: ['Fintech'], sharedWith: ['c-anne'], day: '2026-11-01', pos: 0 },
  ];
  const offers = offersFor('c-paul', ['Fintech'], ideas);
  assert.deepEqual(offers.map(({ idea, common }) => [idea.id, common]), [['i2', ['FINTECH']], ['i0', ['Fintech']]]);
  assert.deepEqual(offersFor('c-paul', [], ideas), []);
});

// --- builders ------------------------------------------------------------------------------------------------

test('an idea saved: title, link, tags (each once) and a note, under a new idea id; the decoder accepts it', () => {
  const events = ideaSaved({ title: '  Open banking ', link: ' https://ex.org/a ', tags: 'Fintech, fintech, paiements', note: 'Worth it' },
    { at: AT, newId: ids() });
  assertWire(events);
  assert.deepEqual(events.map((e) => [e.type, e.id, e.data]), [['idea_saved', 'id-2',
    { idea: 'id-1', title: 'Open banking', link: 'https://ex.org/a', tags: ['Fintech', 'paiements'], note: 'Worth it' }]]);
  assert.equal(events[0].at, '2026-11-18T09:30:00+01:00');
  const bare = ideaSaved({ link: 'https://ex.org/b', tags: [] }, { at: AT, newId: ids() });
  assert.deepEqual(bare[0].data, { idea: 'id-1', link: 'https://ex.org/b' });
  assert.deepEqual(ideaSaved({ title: 'x', tags: ['a', 'A', 'b'] }, { newId: ids() })[0].data.tags, ['a', 'b']);
});

test('an idea that cannot be saved says why: nothing to keep, a tag too long, too many tags; long titles are cut', () => {
  const fails = (form, key, input) => assert.throws(() => ideaSaved(form, { newId: ids() }),
    (e) => e instanceof CommandError && e.key === key && e.input === input);
  fails({ title: '  ', link: '' }, 'ideas.error_empty', 'title');
  fails({ title: 'x', tags: 'y'.repeat(51) }, 'ideas.error_tag', 'tags');
  fails({ title: 'x', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'ideas.error_tags', 'tags');
  fails({ link: `https://ex.org/${'a'.repeat(2000)}` }, 'ideas.error_link', 'link');
  const long = ideaSaved({ title: 'word '.repeat(100) }, { newId: ids() });
  assertWire(long);
  assert.equal(long[0].data.title.length, 200);
  assert.ok(long[0].data.title.endsWith('…'));
});

test('sharing an idea: one idea_shared naming the contact, the idea and its link; Undo retracts it', () => {
  const events = ideaShared({ id: 'idea-1', link: 'https://ex.org/a' }, 'c-paul', { at: AT, newId: ids() });
  assertWire(events);
  assert.deepEqual(events[0].data, { contact: 'c-paul', idea: 'idea-1', link: 'https://ex.org/a' });
  assert.deepEqual(ideaShared({ id: 'idea-2', link: null }, 'c-paul', { newId: ids() })[0].data, { contact: 'c-paul', idea: 'idea-2' });
  assert.throws(() => ideaShared({ id: 'x' }, ''), CommandError);
  const back = undo(events, { newId: ids() });
  assertWire(back);
  assert.deepEqual(back[0].data, { event: events[0].id });
});

test('a contact from a share: the name given, the link kept in the note', () => {
  const events = contactFromShare({ name: ' Jeanne Dupont ', note: 'https://www.linkedin.com/in/jeanne-dupont-1a2b3c\n' },
    { at: AT, newId: ids() });
  assertWire(events);
  assert.deepEqual(events[0].data, { contact: 'id-1', name: 'Jeanne Dupont', note: 'https://www.linkedin.com/in/jeanne-dupont-1a2b3c' });
  assert.throws(() => contactFromShare({ name: ' ' }), (e) => e instanceof CommandError && e.key === 'inbound.error_name');
  assert.throws(() => contactFromShare({ name: 'x'.repeat(201) }), (e) => e instanceof CommandError && e.input === 'name');
});

// --- the engine's inbox ----------------------------------------------------------------------------------------

test('the inbox lists the ideas saved, newest first, with whom each was shared; an undone save or share is gone', () => {
  const newId = ids();
  const at = (day) => new Date(`${day}T10:00:00+01:00`);
  const first = ideaSaved({ title: 'First', link: 'https://ex.org/1', tags: 'fintech' }, { at: at('2026-11-01'), newId });
  const second = ideaSaved({ title: 'Second', tags: 'golf' }, { at: at('2026-11-02'), newId });
  const dropped = ideaSaved({ title: 'Dropped' }, { at: at('2026-11-03'), newId });
  const byId = ideaShared({ id: first[0].data.idea }, 'c-paul', { at: at('2026-11-04'), newId });
  const byLink = [{ ...ideaShared({ id: 'elsewhere', link: 'https://ex.org/1' }, 'c-anne', { at: at('2026-11-05'), newId })[0] }];
  const undoneShare = ideaShared({ id: second[0].data.idea }, 'c-paul', { at: at('2026-11-05'), newId });
  const log = [...first, ...second, ...dropped, ...byId, ...byLink, ...undoneShare,
    ...undo(dropped, { at: at('2026-11-06'), newId }), ...undo(undoneShare, { at: at('2026-11-06'), newId }),
    { id: 'settings', type: 'settings_changed', v: 1, at: '2026-11-01T09:00:00+01:00', data: { timezone: 'Europe/Paris' } }];
  const engine = new Engine();
  engine.load(log.map((e) => decodeEvent(JSON.stringify(e))));
  const { ideas } = engine.view('2026-11-18');
  assert.deepEqual(ideas.map((i) => [i.title, i.day, i.tags, i.sharedWith]), [
    ['Second', '2026-11-02', ['golf'], []],
    ['First', '2026-11-01', ['fintech'], ['c-paul', 'c-anne']],
  ]);
  assert.deepEqual(ideas[1].shares, [{ contact: 'c-paul', day: '2026-11-04' }, { contact: 'c-anne', day: '2026-11-05' }]);
  // as of a day before the second idea, only the first
  assert.deepEqual(engine.view('2026-11-01').ideas.map((i) => i.title), ['First']);
});
