/** The ideas inbox (the post's rule 4: keep the link alive *intelligently*, with ideas that may interest the
 * person): the ideas saved (idea_saved), with whom each was shared; a form to add one; and, on Today's "keep in
 * touch" items, the ideas whose tags meet the person's, one tap to share (idea_shared, then an email or the
 * system's share sheet). */

import { limit } from '../lib/catalogue.js';
import { knownTags, offersFor, parseTags, tagKey } from '../lib/ideas.js';
import { h, field, nextId } from './dom.js';
import { t, formatDay, intl, locale } from './i18n.js';
import * as model from './model.js';

/** The saved ideas, as the engine lists them (lib/engine.js ideasOf): newest first. */
export const savedIdeas = () => model.view().ideas ?? [];

/** An idea's name: its title, else its link's site. */
export function ideaTitle(idea) {
  if (idea.title) return idea.title;
  try {
    return new URL(idea.link).hostname.replace(/^www\./, '');
  } catch {
    return idea.link ?? '';
  }
}

/** "fintech and payments", "la fintech et les paiements" kept as typed: a list in the page's language. */
export const listOf = (items) => intl(Intl.ListFormat, locale, { style: 'long', type: 'conjunction' }).format(items);

/** Every tag used on contacts and ideas, the most used first (what the tags field suggests). */
export function usedTags() {
  return knownTags([...model.contacts().map((c) => c.fields.get('tags') ?? []), ...savedIdeas().map((i) => i.tags)]);
}

/**
 * A tags field: free tags, comma-separated, and the tags already used on contacts and ideas offered as toggles
 * under it (a tap adds or removes one). `{element, tags()}`.
 */
/** The most a tags box can hold: as many tags as a contact or an idea carries, each as long as it may be, with its
 * comma and space. */
const TAGS_TYPED = (() => {
  const tags = limit('idea_saved', 'tags');
  return tags.max * (tags.item.max + 2);
})();

export function tagsField(initial = []) {
  const input = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'none', value: initial.join(', '),
    maxLength: TAGS_TYPED, enterkeyhint: 'done' });
  const suggested = usedTags().slice(0, 12);
  const hintId = nextId('tags-hint');
  const toggles = suggested.map((tag) => h('button', { type: 'button', class: 'tag-toggle', 'aria-pressed': 'false',
    dataset: { tag },
    onclick: () => {
      const now = parseTags(input.value);
      const has = now.some((x) => tagKey(x) === tagKey(tag));
      input.value = (has ? now.filter((x) => tagKey(x) !== tagKey(tag)) : [...now, tag]).join(', ');
      sync();
    } }, tag));
  const sync = () => {
    const keys = new Set(parseTags(input.value).map(tagKey));
    for (const button of toggles) button.setAttribute('aria-pressed', String(keys.has(tagKey(button.dataset.tag))));
  };
  input.addEventListener('input', sync);
  sync();
  const element = h('div', {},
    field(t('ideas.tags'), input, t('ideas.tags_hint')),
    toggles.length ? h('div', { class: 'tag-suggestions', role: 'group', 'aria-labelledby': hintId },
      h('p', { class: 'hint', id: hintId }, t('ideas.tags_used')), toggles) : null);
  return { element, input, tags: () => parseTags(input.value) };
}

/** The ideas inbox. */
export function renderIdeas(ctx) {
  const ideas = savedIdeas();
  return h('div', { class: 'screen ideas' },
    h('a', { class: 'back', href: '#/today' }, `← ${t('today.title')}`),
    h('h1', { tabindex: '-1' }, t('ideas.title')),
    h('p', { class: 'subtitle' }, t('ideas.intro')),
    addIdea(ctx),
    h('section', { 'aria-labelledby': 'ideas-h' },
      h('h2', { id: 'ideas-h' }, t('ideas.saved', { count: ideas.length })),
      ideas.length ? h('ul', { class: 'cards idea-list' }, ideas.map(ideaCard)) : h('p', { class: 'calm' }, t('ideas.none'))));
}

function tagList(tags) {
  return tags.length ? h('ul', { class: 'tags', 'aria-label': t('ideas.tags') }, tags.map((tag) => h('li', { class: 'tag' }, tag))) : null;
}

function ideaCard(idea) {
  const titleId = nextId('idea');
  const names = idea.shares.map((s) => model.nameOf(s.contact));
  return h('li', { class: 'card idea', 'aria-labelledby': titleId, dataset: { idea: idea.id } },
    h('h3', { id: titleId }, /^https?:\/\//i.test(idea.link ?? '') // a web page only: never a javascript: or data: link
      ? h('a', { href: idea.link, target: '_blank', rel: 'noopener noreferrer' }, ideaTitle(idea)) : ideaTitle(idea)),
    idea.link && idea.title ? h('p', { class: 'link' }, ideaTitle({ link: idea.link })) : null,
    idea.note ? h('p', { class: 'context' }, idea.note) : null,
    tagList(idea.tags),
    h('p', { class: 'when' }, t('ideas.saved_on', { date: formatDay(idea.day) }), ' · ',
      names.length ? t('ideas.shared_with', { names: listOf([...new Set(names)]) }) : t('ideas.not_shared')));
}

/** "Add an idea": title, link, tags; saved as an idea_saved, with Undo. */
/** Save what an idea form holds (`title` and `link` inputs, a tagsField, the `error` paragraph; `note` text) as an
 * `idea_saved`, with Undo: true once recorded, false after saying what is wrong and focusing where. */
export async function saveIdea(ctx, { title, link, tags, error, note = '' }) {
  const { ideaSaved, CommandError } = await import('../lib/commands.js');
  let events;
  try {
    events = ideaSaved({ title: title.value, link: link.value, tags: tags.tags(), note });
  } catch (problem) {
    if (!(problem instanceof CommandError)) throw problem;
    error.textContent = t(problem.key, problem.params);
    ({ title, link, tags: tags.input })[problem.input]?.focus();
    return false;
  }
  await ctx.recordUndoable(events, t('toast.idea_saved'));
  return true;
}

function addIdea(ctx) {
  const title = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('idea_saved', 'title').max });
  const link = h('input', { type: 'url', autocomplete: 'off', inputMode: 'url', maxLength: limit('idea_saved', 'link').max,
    placeholder: 'https://' });
  const tags = tagsField();
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'more add-idea', hidden: true, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    await saveIdea(ctx, { title, link, tags, error });
  } },
  field(t('ideas.idea_title'), title), field(t('ideas.link'), link), tags.element, error,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'button primary' }, t('ideas.save')),
    h('button', { type: 'button', class: 'button quiet', onclick: () => {
      form.hidden = true;
      open.hidden = false;
      open.focus();
    } }, t('action.cancel'))));
  const open = h('button', { type: 'button', class: 'button', onclick: () => {
    form.hidden = false;
    open.hidden = true;
    title.focus();
  } }, t('ideas.add'));
  return h('div', { class: 'add-contact' }, open, form);
}

// --- offered on Today ------------------------------------------------------------------------------------

const OFFERED = 2; // a suggestion or two, not a list

/** On a "keep in touch" item: the ideas whose tags meet the person's, not shared with them yet. */
export function ideaOffers(o, ctx) {
  if (o.rule !== 'nurture' || o.debtor !== model.ME) return null;
  const contact = o.creditor;
  const tags = model.contact(contact)?.fields.get('tags') ?? [];
  if (!tags.length) return null;
  const offers = offersFor(contact, tags, savedIdeas()).slice(0, OFFERED);
  if (!offers.length) return null;
  return h('ul', { class: 'idea-offers' }, offers.map(({ idea, common }) => offer(idea, common, contact, ctx)));
}

/** The email that shares an idea, in the account's language. */
export function shareMail(idea, contact, common = []) {
  const name = model.nameOf(contact);
  const vars = { name, title: ideaTitle(idea), link: idea.link ?? '', tags: listOf(common) };
  const email = model.emailOf(contact) ?? '';
  const body = t(idea.link ? 'mail.idea.body' : 'mail.idea.body_no_link', vars);
  return `mailto:${encodeURIComponent(email).replace(/%40/g, '@')}?subject=${encodeURIComponent(t('mail.idea.subject', vars))}`
    + `&body=${encodeURIComponent(body)}`;
}

function offer(idea, common, contact, ctx) {
  const title = ideaTitle(idea);
  const mail = shareMail(idea, contact, common);
  const share = h('a', { class: 'button', href: mail, onclick: (event) => {
    const wanted = { title, text: t('mail.idea.share_text', { title }), url: idea.link ?? undefined };
    if (navigator.share && (!navigator.canShare || navigator.canShare(wanted))) {
      event.preventDefault(); // the system's share sheet rather than an email
      navigator.share(wanted).catch(() => { /* closed without sharing: Undo is there */ });
    }
    shared(idea, contact, ctx);
  } }, t('ideas.share'), h('span', { class: 'visually-hidden' }, ` · ${title} · ${model.nameOf(contact)}`));
  return h('li', { class: 'idea-offer', dataset: { idea: idea.id } },
    h('p', {}, t('ideas.offer', { title, tags: listOf(common) })),
    share);
}

async function shared(idea, contact, ctx) {
  const { ideaShared } = await import('../lib/commands.js');
  await ctx.recordUndoable(ideaShared(idea, contact), t('toast.idea_shared', { name: model.nameOf(contact) }));
}
