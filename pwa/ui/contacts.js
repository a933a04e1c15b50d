/** Contacts: search, add; each contact's history both ways with both scores; edit, archive. */

import { h, field, fill } from './dom.js';
import { t, formatDay, percent } from './i18n.js';
import { limit } from '../lib/catalogue.js';
import { uuidv7 } from '../lib/ids.js';
import * as model from './model.js';
import { describe, when, statusBadge, isOpen, referrals } from './obligations.js';
import { card, referralItem } from './today.js';
import { briefView, countsView, monthlyChart, timelineView } from './story.js';
import { ideaTitle, tagsField } from './ideas.js';
import { changesView, correctedDates, focusBack, lineTools, toolsPending } from './history.js';

let query = '';
let showArchived = false;

export function renderContacts(ctx) {
  const { doc } = model.view();
  const all = model.contacts().sort((a, b) => a.name.localeCompare(b.name));
  const archivedCount = all.filter((c) => c.archived).length;
  const list = h('ul', { class: 'contacts', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', value: query, autocomplete: 'off', enterkeyhint: 'search' });

  const draw = () => {
    const wanted = fold(query.trim());
    const shown = all.filter((c) => (showArchived || !c.archived)
      && (!wanted || fold(c.name).includes(wanted) || fold(String(c.fields.get('org') ?? '')).includes(wanted)));
    fill(list, shown.length ? shown.map((c) => contactRow(c, doc.scores[c.id])) : h('li', { class: 'calm' }, t('contacts.none')));
  };
  search.addEventListener('input', () => { query = search.value; draw(); });
  draw();

  return h('div', { class: 'screen' },
    h('h1', { tabindex: '-1' }, t('contacts.title')),
    field(t('contacts.search'), search),
    addContact(ctx),
    list,
    h('p', { class: 'ideas-link' }, h('a', { href: '#/ideas' }, t('ideas.title'))), // ui/ideas.js
    archivedCount ? h('button', { type: 'button', class: 'button quiet', 'aria-pressed': String(showArchived),
      onclick: () => { showArchived = !showArchived; ctx.rerender(); } },
    t(showArchived ? 'contacts.hide_archived' : 'contacts.show_archived', { count: archivedCount })) : null);
}

/** Text as a search compares it: case and accents aside ("herve" finds "Hervé"; both sides folded alike). */
export function fold(text) {
  return text.normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase();
}

function contactRow(c, scores) {
  const org = c.fields.get('org');
  return h('li', {},
    h('a', { class: 'contact-row', href: `#/contacts/${encodeURIComponent(c.id)}` },
      h('span', { class: 'name' }, c.name, c.archived ? h('span', { class: 'muted' }, ` · ${t('contacts.archived')}`) : null),
      org ? h('span', { class: 'org' }, org) : null,
      h('span', { class: 'scores' },
        t('scores.short', { mine: percent(scores?.owed_by_me ?? null), theirs: percent(scores?.owed_to_me ?? null) }))));
}

function addContact(ctx) {
  const name = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('contact_added', 'name').max, required: true });
  const email = h('input', { type: 'email', autocomplete: 'off', maxLength: limit('contact_added', 'email').max });
  const org = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('contact_added', 'org').max });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'more', hidden: true, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!name.value.trim()) { error.textContent = t('contacts.error_name'); name.focus(); return; }
    const data = { contact: uuidv7(), name: name.value.trim() };
    if (email.value.trim()) data.email = email.value.trim();
    if (org.value.trim()) data.org = org.value.trim();
    const { makeEvent } = await import('../lib/commands.js');
    await ctx.record([makeEvent('contact_added', data)]);
    ctx.toast(t('toast.contact_added', { name: data.name }));
  } },
  field(t('contact.name'), name), field(t('contact.email'), email), field(t('contact.org'), org), error,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'button primary' }, t('contacts.add_save')),
    h('button', { type: 'button', class: 'button quiet', onclick: () => { form.hidden = true; } }, t('action.cancel'))));
  const open = h('button', { type: 'button', class: 'button', onclick: () => { form.hidden = false; name.focus(); } },
    t('contacts.add'));
  return h('div', { class: 'add-contact' }, open, form);
}

// --- one contact ------------------------------------------------------------------------------------

export function renderContact(ctx, id) {
  const today = model.today();
  const history = model.history(id, today);
  if (!history) {
    return h('div', { class: 'screen' }, back(), h('h1', { tabindex: '-1' }, t('contact.unknown')));
  }
  const obligations = model.view(today).doc.obligations.filter((o) => model.counterpart(o) === id);
  const open = obligations.filter(isOpen);
  const rest = obligations.filter((o) => !isOpen(o));
  const names = referrals().filter((r) => r.who === id || r.referred === id);
  const { fields } = history;
  const email = fields.email;
  // Edit and Remove under each line of what was recorded (ui/history.js), once the command builders are here
  const pending = toolsPending();
  if (pending) pending.then(() => ctx.rerender(), () => {});
  const corrected = correctedDates(history);
  const tools = (entry) => lineTools(ctx, entry, corrected);

  // The story (lib/rules/story.js) is worked out by the engine: the brief goes at the top, the timeline, counts
  // and chart below the scores; the plain history shows until it comes.
  const briefBox = h('div', { class: 'brief-box' });
  const storyBox = h('div', { class: 'story-box' });
  const historySection = h('section', { 'aria-labelledby': 'hist-h' },
    h('h2', { id: 'hist-h' }, t('contact.history')),
    history.events.length
      ? h('ol', { class: 'timeline' }, history.events.map((e) => h('li', { dataset: { event: e.id, type: e.type } },
        h('span', { class: 'date' }, formatDay(e.date, { year: true })), h('span', {}, describeEvent(e)),
        tools({ event: e.id, type: e.type, data: e.data }))))
      : h('p', { class: 'calm' }, t('contact.no_history')));
  const showStory = (story) => {
    if (!story) return;
    fill(briefBox, briefView(story));
    fill(storyBox,
      h('section', { 'aria-labelledby': 'counts-h' }, h('h2', { id: 'counts-h' }, t('audit.per_rule')),
        countsView(story.counts, [t('story.counts_mine', { name: story.name }), t('story.counts_theirs', { name: story.name })]),
        monthlyChart(story.months, 'contact-chart')),
      timelineView(story, { tools }));
    historySection.remove();
    focusBack(storyBox);
  };
  const ready = model.contactStoryNow(id, today);
  if (ready !== undefined) queueMicrotask(() => showStory(ready));
  else model.prepareContactStory(id, today).then(showStory, (error) => console.warn('story', error));

  return h('div', { class: 'screen' },
    back(),
    h('h1', { tabindex: '-1' }, history.name),
    fields.org || fields.title ? h('p', { class: 'subtitle' }, [fields.title, fields.org].filter(Boolean).join(' · ')) : null,
    email ? h('p', {}, h('a', { href: `mailto:${email}` }, email)) : null,
    history.archived ? h('p', { class: 'badge archived' }, t('contact.archived_on', { date: formatDay(history.archived) })) : null,
    briefBox,
    history.archived ? null : h('p', { class: 'log-with no-print' }, h('a', { class: 'button', href: `#/log?with=${encodeURIComponent(id)}` },
      t('contact.log_meeting', { name: history.name }))),
    h('section', { 'aria-labelledby': 'scores-h' },
      h('h2', { id: 'scores-h' }, t('scores.title')),
      h('dl', { class: 'scores-grid' },
        h('div', {}, h('dt', {}, t('scores.mine')), h('dd', {}, percent(history.scores.owed_by_me))),
        h('div', {}, h('dt', {}, t('scores.theirs')), h('dd', {}, percent(history.scores.owed_to_me)))),
      h('p', { class: 'hint' }, t('scores.explain'))),
    open.length ? h('section', { 'aria-labelledby': 'open-h' },
      h('h2', { id: 'open-h' }, t('contact.open')),
      h('ul', { class: 'cards' }, open.map((o) => card(o, ctx, today)))) : null,
    names.length ? h('section', { 'aria-labelledby': 'ref-h' },
      h('h2', { id: 'ref-h' }, t('referrals.title')),
      h('ul', { class: 'cards' }, names.map((r) => referralItem(r, ctx)))) : null,
    rest.length ? h('section', { 'aria-labelledby': 'ob-h' },
      h('h2', { id: 'ob-h' }, t('contact.obligations')),
      h('ul', { class: 'rows' }, rest.map((o) => h('li', { class: 'row' },
        h('span', { class: 'what' }, describe(o)), statusBadge(o), h('span', { class: 'when' }, when(o, today)))))) : null,
    storyBox,
    historySection,
    changesView(history),
    edit(ctx, id, history),
    h('div', { class: 'contact-actions' },
      h('a', { class: 'button', href: `#/merge/${encodeURIComponent(id)}` }, t('contact.merge'))),
    history.archived ? null : archive(ctx, id, history.name));
}

function back() {
  return h('a', { class: 'back', href: '#/contacts' }, `← ${t('contacts.title')}`);
}

/** A line of the relationship's history, in the person's words. */
export function describeEvent(e) {
  const d = e.data;
  const name = (id) => model.nameOf(id);
  const how = d.channel ? ` (${t(`channel.${d.channel}`)})` : '';
  /** The two people of the referral an event is about: [introducer or `to`, referred]. */
  const about = () => {
    const referral = model.referralOf(d.referral)?.data;
    return referral ? [name(referral.introducer ?? referral.to), name(referral.referred)] : ['?', '?'];
  };
  switch (e.type) {
    case 'meeting_logged': {
      const what = t(`kind.${d.kind ?? 'meeting'}`);
      const people = d.contacts.map(name).join(', ');
      const host = t(d.host === 'me' ? 'event.host_me' : 'event.host_them');
      return [t('event.meeting', { what, people, host }), d.place ? ` — ${d.place}` : '', d.note ? ` — “${d.note}”` : ''].join('');
    }
    case 'referral_given': return t('event.referral_given', { introducer: name(d.introducer), referred: name(d.referred) });
    case 'referral_made': return t('event.referral_made', { to: name(d.to), referred: name(d.referred) });
    case 'referral_outcome': return t('event.referral_outcome', { referred: about()[1], outcome: t(`outcome.${d.outcome}`) });
    case 'thanks_sent': return t('event.thanks_sent', { name: name(d.contact), channel: t(`channel.${d.channel}`) });
    case 'thanks_received': return t('event.thanks_received', { name: name(d.contact) }) + how;
    case 'introducer_informed': {
      const [to, referred] = about();
      return t('event.introducer_informed', { name: to, referred }) + how;
    }
    case 'update_received': {
      const [from, referred] = about();
      return t('event.update_received', { name: from, referred }) + how;
    }
    case 'job_announced': return t('event.job_announced', { name: name(d.contact) }) + how;
    case 'idea_shared': { // with the idea's title when it names one saved (ui/ideas.js), else what it says
      const saved = d.idea ? (model.view().ideas ?? []).find((i) => i.id === d.idea) : null;
      const what = saved ? ideaTitle(saved) : d.idea ?? d.link;
      return t('event.idea_shared', { name: name(d.contact) }) + (what ? ` — ${what}` : '');
    }
    case 'greetings_sent': return t('event.greetings_sent') + how;
    case 'contact_added': return t('event.contact_added');
    case 'contact_updated': return t('event.contact_updated');
    case 'contact_archived': return t('event.contact_archived');
    case 'obligation_snoozed': return t('event.snoozed', { date: formatDay(d.until) });
    case 'obligation_dismissed': return t('event.dismissed');
    case 'job_found': return [t('event.job_found'), d.job, d.employer].filter(Boolean).join(' — ');
    case 'contacts_merged': return t('event.contacts_merged', { name: recordName(d.from) });
    default: return e.type;
  }
}

/** A contact's name, also of one merged away (no longer a contact of its own): the name its card was given last. */
function recordName(id) {
  if (model.contact(id)) return model.nameOf(id);
  let found = id;
  for (const e of model.allLocalEvents()) {
    if ((e.type === 'contact_added' || e.type === 'contact_updated') && e.data.contact === id && e.data.name) found = e.data.name;
  }
  return found;
}

function edit(ctx, id, history) {
  const f = history.fields;
  const name = h('input', { type: 'text', value: history.name, maxLength: limit('contact_updated', 'name').max, required: true });
  const email = h('input', { type: 'email', value: f.email ?? '', maxLength: limit('contact_updated', 'email').max });
  const org = h('input', { type: 'text', value: f.org ?? '', maxLength: limit('contact_updated', 'org').max });
  const days = limit('contact_updated', 'cadence_days');
  const cadence = h('input', { type: 'number', min: days.ge, max: days.le, inputMode: 'numeric', value: f.cadence_days ?? '' });
  const tags = tagsField(f.tags ?? []); // what they follow: Today offers them the ideas of the same topics
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'more', hidden: true, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const data = { contact: id };
    const text = (input, key) => {
      const value = input.value.trim();
      if (value !== (f[key] ?? '')) data[key] = value || null;
    };
    if (!name.value.trim()) { error.textContent = t('contacts.error_name'); name.focus(); return; }
    if (name.value.trim() !== history.name) data.name = name.value.trim();
    text(email, 'email');
    text(org, 'org');
    const chosen = cadence.value === '' ? null : Number(cadence.value);
    if (chosen !== null && !(Number.isInteger(chosen) && chosen >= days.ge && chosen <= days.le)) {
      error.textContent = t('contact.error_cadence'); cadence.focus(); return;
    }
    if (chosen !== (f.cadence_days ?? null)) data.cadence_days = chosen;
    const tagged = tags.tags();
    const tag = limit('contact_updated', 'tags');
    if (tagged.some((x) => x.length > tag.item.max) || tagged.length > tag.max) {
      error.textContent = t(tagged.length > tag.max ? 'ideas.error_tags' : 'ideas.error_tag', { max: tagged.length > tag.max ? tag.max : tag.item.max });
      tags.input.focus();
      return;
    }
    if (tagged.join('\n') !== (f.tags ?? []).join('\n')) data.tags = tagged.length ? tagged : null;
    const { makeEvent } = await import('../lib/commands.js');
    if (Object.keys(data).length > 1) await ctx.record([makeEvent('contact_updated', data)]);
    ctx.toast(t('toast.saved'));
  } },
  field(t('contact.name'), name), field(t('contact.email'), email), field(t('contact.org'), org),
  field(t('contact.cadence'), cadence, t('contact.cadence_hint')), tags.element, error,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'button primary' }, t('action.save')),
    h('button', { type: 'button', class: 'button quiet', onclick: () => { form.hidden = true; } }, t('action.cancel'))));
  return h('div', { class: 'contact-actions' },
    h('button', { type: 'button', class: 'button', onclick: () => { form.hidden = false; name.focus(); } }, t('contact.edit')),
    form);
}

function archive(ctx, id, name) {
  const confirm = h('div', { class: 'more', hidden: true },
    h('p', { class: 'hint' }, t('contact.archive_confirm', { name })),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button danger', onclick: async () => {
        const { makeEvent } = await import('../lib/commands.js');
        await ctx.record([makeEvent('contact_archived', { contact: id })]);
        ctx.toast(t('toast.archived', { name }));
      } }, t('contact.archive')),
      h('button', { type: 'button', class: 'button quiet', onclick: () => { confirm.hidden = true; } }, t('action.cancel'))));
  return h('div', { class: 'contact-actions' },
    h('button', { type: 'button', class: 'button quiet', onclick: () => { confirm.hidden = false; confirm.querySelector('button').focus(); } },
      t('contact.archive')),
    confirm);
}
