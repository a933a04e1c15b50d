// Finding people (pwa/lib/people.js): case and accents ignored, any word of the name or the organisation, and
// the contact a new one would duplicate.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fold, matches, sameAs, search } from '../../pwa/lib/people.js';

const PEOPLE = [
  { id: 'c-herve', name: 'Hervé Martin', org: 'Atelier Martin', email: 'herve@example.org' },
  { id: 'c-paul', name: 'Paul Lemaire' },
  { id: 'c-zoe', name: 'Zoé Saint-Éloi', org: 'Lumen' },
  { id: 'c-lea', name: 'Léa Moreau', email: 'Lea.Moreau@example.org' },
];
const ids = (found) => found.map((p) => p.id);

test('fold drops case and accents', () => {
  assert.equal(fold('  Hervé  ÉLOI '), 'herve eloi');
  assert.equal(fold('Zoé'), fold('ZOE'));
});

test('a name box finds any word of the name or the organisation, accents and case aside', () => {
  assert.deepEqual(ids(search(PEOPLE, 'herve')), ['c-herve']);
  assert.deepEqual(ids(search(PEOPLE, 'lem')), ['c-paul']);
  assert.deepEqual(ids(search(PEOPLE, 'eloi')), ['c-zoe']); // a hyphenated name's second word
  assert.deepEqual(ids(search(PEOPLE, 'lumen')), ['c-zoe']); // the organisation
  assert.deepEqual(ids(search(PEOPLE, 'mart')), ['c-herve']);
  assert.deepEqual(ids(search(PEOPLE, 'herve mar')), ['c-herve']);
  assert.deepEqual(ids(search(PEOPLE, 'xyz')), []);
  assert.equal(search(PEOPLE, '').length, PEOPLE.length);
});

test('whoever starts with what is typed comes first', () => {
  const people = [{ id: 'a', name: 'Anne Leroy' }, { id: 'b', name: 'Leo Blanc' }];
  assert.deepEqual(ids(search(people, 'le')), ['b', 'a']);
});

test('a new contact with the name of an existing one (accents aside) or its email is the same person', () => {
  assert.deepEqual(ids(sameAs(PEOPLE, { name: 'herve martin' })), ['c-herve']);
  assert.deepEqual(ids(sameAs(PEOPLE, { name: 'Someone', email: 'lea.moreau@EXAMPLE.org' })), ['c-lea']);
  assert.deepEqual(ids(sameAs(PEOPLE, { name: 'Hervé' })), []); // a part of a name is not the same person
  assert.deepEqual(ids(sameAs(PEOPLE, { name: 'New Person', email: '' })), []);
});

test('matches agrees with search', () => {
  for (const query of ['herve', 'lem', 'z', 'atelier', 'moreau lea']) {
    assert.deepEqual(ids(PEOPLE.filter((p) => matches(p, query))).sort(), ids(search(PEOPLE, query)).sort());
  }
});
