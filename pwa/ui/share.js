/** What was shared to Merci from another app (the manifest's share_target): the service worker kept it on the
 * device (`#/share?draft=<id>`), or the server sent it in the address (`#/share?title=…&text=…&url=…`, when no
 * worker took the POST). The person saves it as an idea (with tags) or as a new contact (a LinkedIn profile: the
 * name guessed, the link kept in the notes). */

import { limit } from '../lib/catalogue.js';
import { getMeta, setMeta } from '../lib/db.js';
import { SHARE_DRAFTS, guessName, isLinkedInProfile, sharedDraft } from '../lib/ideas.js';
import { h, field } from './dom.js';
import { t } from './i18n.js';
import { saveIdea, tagsField } from './ideas.js';

/** The share read from the local database: {id, draft (null once saved or dropped)}. */
let loaded = null;
let loading = null;
/** What the person chose for the share shown: 'idea' or 'contact' (null: the guess). */
let choice = { key: null, what: null };

/** The share page; `query` is the URLSearchParams of the route. */
export function renderShare(ctx, query) {
  const id = query.get('draft');
  let shared;
  if (id) {
    if (loaded?.id !== id) {
      if (loading !== id) {
        loading = id;
        readDraft(id).then((draft) => {
          loaded = { id, draft };
          loading = null;
          ctx.rerender();
        });
      }
      return h('div', { class: 'screen', 'aria-busy': 'true' }, h('h1', { tabindex: '-1' }, t('inbound.title')),
        h('p', { class: 'loading', role: 'status' }, t('inbound.loading')));
    }
    shared = loaded.draft;
  } else {
    shared = sharedDraft({ title: query.get('title') ?? '', text: query.get('text') ?? '', url: query.get('url') ?? '' });
    if (!shared.title && !shared.text && !shared.url) shared = null;
  }
  if (!shared) {
    return h('div', { class: 'screen share' },
      h('h1', { tabindex: '-1' }, t('inbound.title')),
      h('p', { class: 'calm' }, t('inbound.gone')),
      h('p', {}, h('a', { href: '#/ideas' }, t('ideas.title'))));
  }
  const key = id ?? `${shared.title}\n${shared.text}\n${shared.url}`;
  if (choice.key !== key) choice = { key, what: isLinkedInProfile(shared.url) ? 'contact' : 'idea' };
  const done = async () => {
    if (id) await forgetDraft(id);
  };
  const tab = (what) => h('button', {
    type: 'button', class: `tab ${choice.what === what ? 'on' : ''}`, 'aria-pressed': String(choice.what === what),
    onclick: () => { choice.what = what; ctx.rerender(); },
  }, t(`inbound.as_${what}`));

  return h('div', { class: 'screen share' },
    h('h1', { tabindex: '-1' }, t('inbound.title')),
    h('div', { class: 'card shared', 'aria-label': t('inbound.what') },
      shared.title ? h('p', { class: 'shared-title' }, shared.title) : null,
      shared.text ? h('p', { class: 'context' }, shared.text) : null,
      shared.url ? h('p', { class: 'link' }, shared.url) : null),
    h('div', { class: 'segmented', role: 'group', 'aria-label': t('inbound.choose') }, tab('idea'), tab('contact')),
    choice.what === 'contact' ? contactForm(ctx, shared, done) : ideaForm(ctx, shared, done));
}

function ideaForm(ctx, shared, done) {
  const title = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('idea_saved', 'title').max,
    value: (shared.title || (shared.url ? shared.text : '')).slice(0, limit('idea_saved', 'title').max) });
  const link = h('input', { type: 'url', autocomplete: 'off', inputMode: 'url', maxLength: limit('idea_saved', 'link').max,
    value: shared.url });
  const note = shared.title && shared.text ? shared.text : '';
  const tags = tagsField();
  const error = h('p', { class: 'error', role: 'alert' });
  return h('form', { class: 'share-idea', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!await saveIdea(ctx, { title, link, tags, error, note })) return;
    location.replace('#/ideas'); // "Back" does not return to a share saved already
    await done();
  } },
  field(t('ideas.idea_title'), title), field(t('ideas.link'), link), tags.element, error,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('inbound.save_idea'))));
}

function contactForm(ctx, shared, done) {
  const name = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('contact_added', 'name').max, required: true,
    value: guessName(shared) });
  const note = h('textarea', { rows: 5, maxLength: limit('contact_added', 'note').max }, // the link, a title, a text: in view
    [shared.url, shared.title && !guessName({ title: shared.title, url: shared.url }) ? shared.title : '', shared.text]
      .filter(Boolean).join('\n'));
  const error = h('p', { class: 'error', role: 'alert' });
  return h('form', { class: 'share-contact', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const { contactFromShare, CommandError } = await import('../lib/commands.js');
    let events;
    try {
      events = contactFromShare({ name: name.value, note: note.value });
    } catch (problem) {
      if (!(problem instanceof CommandError)) throw problem;
      error.textContent = t(problem.key, problem.params);
      name.focus();
      return;
    }
    await ctx.recordUndoable(events, t('toast.contact_added', { name: events[0].data.name }));
    location.replace(`#/contacts/${encodeURIComponent(events[0].data.contact)}`);
    await done();
  } },
  field(t('contact.name'), name, isLinkedInProfile(shared.url) ? t('inbound.name_guessed') : null),
  field(t('inbound.note'), note), error,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('inbound.save_contact'))));
}

async function readDraft(id) {
  try {
    return ((await getMeta(SHARE_DRAFTS)) ?? {})[id] ?? null;
  } catch {
    return null;
  }
}

async function forgetDraft(id) {
  const drafts = (await getMeta(SHARE_DRAFTS)) ?? {};
  delete drafts[id];
  await setMeta(SHARE_DRAFTS, drafts);
  if (loaded?.id === id) loaded = { id, draft: null };
}
