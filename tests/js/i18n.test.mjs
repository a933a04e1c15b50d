// The app's strings (pwa/i18n/*.json): the same keys and placeholders in both languages, French typography
// (« … », no straight or English quotes), no first person where the app speaks about someone ("told me").

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const load = (lang) => JSON.parse(readFileSync(new URL(`../../pwa/i18n/${lang}.json`, import.meta.url), 'utf8'));
const en = load('en');
const fr = load('fr');
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('both languages have the same keys and the same placeholders', () => {
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) assert.deepEqual(placeholders(fr[key]), placeholders(en[key]), key);
});

test('French quotes are « … » and the app never speaks as the person about others', () => {
  for (const [key, text] of Object.entries(fr)) {
    assert.doesNotMatch(text, /["“”]/, `${key}: ${text}`);
    assert.doesNotMatch(text, /tenu informé|m’a donné des nouvelles|depuis \{when\}/, `${key}: ${text}`);
  }
  for (const [key, text] of Object.entries(en)) assert.doesNotMatch(text, /told me|since \{when\}/, `${key}: ${text}`);
});
