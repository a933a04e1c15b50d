/** Merge two records of one person (`contacts_merged`): `#/merge/{a}` picks the other record of a (search
 * ignoring case and accents, the likely duplicates first), `#/merge/{a}/{b}` says what will happen and which
 * card is kept (a's by default), records the merge, shows the surviving contact, with Undo (an
 * `event_retracted` of the merge: the two are apart again). The contact page's "Merge with…" and the Contacts
 * list's duplicate warning link here. */

import { h, field, fill, nextId } from './dom.js';
import { t } from './i18n.js';
import * as model from './model.js';
import { sameAs, search } from '../lib/people.js';

const SHOWN = 8;

const link = (...ids) => `#/merge/${ids.map(encodeURIComponent).join('/')}`;
const contactLink = (id) => `#/contacts/${encodeURIComponent(id)}`;

function person(c) {
  return { id: c.id, name: c.name, org: c.fields.get('org') ?? '', email: c.fields.get('email') ?? '', archived: c.archived };
}

/** A person as the picker and the choice show them: the name, then what tells two records apart. */
function who(p) {
  const more = [p.org, p.email, p.archived ? t('contacts.archived') : null].filter(Boolean).join(' · ');
  return h('span', { class: 'who' }, h('span', { class: 'name' }, p.name), more ? h('span', { class: 'details' }, more) : null);
}

export function renderMerge(ctx, a, b) {
  const first = a ? model.contact(a) : null;
  const back = h('a', { class: 'back', href: first ? contactLink(a) : '#/contacts' },
    `← ${first ? first.name : t('contacts.title')}`);
  if (!first) {
    return h('div', { class: 'screen' }, back, h('h1', { tabindex: '-1' }, t('merge.title')), h('p', {}, t('merge.gone')));
  }
  const second = b ? model.contact(b) : null;
  return h('div', { class: 'screen merge' }, back, h('h1', { tabindex: '-1' }, t('merge.title')),
    second && b !== a ? confirm(ctx, first, second) : picker(first, b));
}

/** The other record: a search over every other contact; with nothing typed, the likely duplicates. */
function picker(first, asked) {
  const others = model.contacts().filter((c) => c.id !== first.id).map(person);
  const likely = sameAs(others, { name: first.name, email: first.fields.get('email') ?? '' });
  const input = h('input', { type: 'search', autocomplete: 'off', enterkeyhint: 'search' });
  const list = h('ul', { class: 'suggestions merge-picks' });
  const status = h('p', { class: 'hint', role: 'status' });
  const row = (p) => h('li', {}, h('a', { class: 'suggestion pick', href: link(first.id, p.id) }, who(p)));
  const draw = () => {
    const typed = input.value.trim();
    const found = typed ? search(others, typed) : likely;
    fill(list, found.slice(0, SHOWN).map(row));
    status.textContent = typed
      ? (found.length ? t('merge.found', { count: found.length }) : t('merge.no_match', { query: typed }))
      : (likely.length ? t('merge.likely', { count: likely.length }) : t('merge.type_a_name'));
  };
  input.addEventListener('input', draw);
  draw();
  queueMicrotask(() => { if (document.activeElement === document.body) input.focus(); });
  return [
    h('p', {}, t('merge.intro', { name: first.name })),
    asked ? h('p', { class: 'error', role: 'alert' }, t('merge.gone')) : null,
    field(t('merge.search'), input, t('merge.search_hint')),
    status,
    list,
  ];
}

/** The two records: which card to keep, what will happen, Merge. */
function confirm(ctx, first, second) {
  const group = nextId('keep');
  const radios = [first, second].map((c, i) => h('label', {},
    h('input', { type: 'radio', name: group, value: c.id, checked: i === 0, onchange: () => explain() }), who(person(c))));
  const what = h('p', { class: 'merge-what', 'aria-live': 'polite' });
  const counts = h('p', { class: 'hint' });
  const kept = () => (radios[1].firstChild.checked ? [second, first] : [first, second]);
  const size = (id) => (model.historyReady(id) ? model.history(id).events.length : null);
  const explain = () => {
    const [into, from] = kept();
    what.textContent = t('merge.what', { from: from.name, into: into.name });
    const [n, m] = [size(into.id), size(from.id)];
    counts.textContent = n === null || m === null ? '' : `${t('merge.count', { name: into.name, count: n })} ${t('merge.count', { name: from.name, count: m })}`;
  };
  explain();
  const error = h('p', { class: 'error', role: 'alert' });
  const go = h('button', { type: 'button', class: 'button primary', onclick: async () => {
    const [into, from] = kept();
    const { CommandError, mergeContacts } = await import('../lib/commands.js');
    let events;
    try {
      events = mergeContacts(from.id, into.id);
    } catch (problem) {
      if (!(problem instanceof CommandError)) throw problem;
      error.textContent = t(problem.key, problem.params);
      return;
    }
    go.disabled = true;
    location.hash = contactLink(into.id); // the surviving contact, drawn once the merge is recorded
    await ctx.recordUndoable(events, t('toast.merged', { from: from.name, into: into.name }));
  } }, t('merge.do'));
  return [
    h('p', {}, t('merge.two', { a: first.name, b: second.name })),
    h('fieldset', { class: 'radios' }, h('legend', {}, t('merge.keep')), radios),
    what, counts, h('p', { class: 'hint' }, t('merge.undo_hint')), error,
    h('div', { class: 'actions' }, go,
      h('a', { class: 'button quiet', href: link(first.id) }, t('merge.other')),
      h('a', { class: 'button quiet', href: contactLink(first.id) }, t('action.cancel'))),
  ];
}
