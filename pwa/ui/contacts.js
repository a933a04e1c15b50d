/** Contacts: search, add; each contact's history both ways with both scores; edit, archive. The add and edit
 * forms and the page's details are contact-form.js's. */

import { h, field, fill } from './dom.js';
import { t, formatDay, percent } from './i18n.js';
import { matches } from '../lib/people.js';
import * as model from './model.js';
import { describe, when, statusBadge, isOpen, referrals, referredName } from './obligations.js';
import { addContact, contactDetails, edit } from './contact-form.js';
import { card, referralItem } from './today.js';
import { briefView, countsView, monthlyChart, timelineView } from './story.js';
import { ideaTitle } from './ideas.js';
import { changesView, correctedDates, focusBack, lineTools, toolsPending } from './history.js';

/** What the search box holds: kept while the Contacts screen is redrawn (a sync, "Show archived"), cleared when
 * the person leaves it (see `entering`). */
let query = '';
let showArchived = false;

/** nextOwed per projection: worked out once, not on each redraw. */
const owedBy = new WeakMap();

/** Whether this draw comes from another screen (the search box of the one in view is not this screen's). */
const entering = () => !document.querySelector('main input.contacts-search');

export function renderContacts(ctx) {
  if (entering()) query = '';
  const today = model.today();
  const { doc } = model.view(today);
  const all = model.contacts().sort((a, b) => a.name.localeCompare(b.name));
  const people = all.map((c) => ({ id: c.id, name: c.name, org: c.fields.get('org') ?? '' }));
  const archivedCount = all.filter((c) => c.archived).length;
  let next = owedBy.get(doc);
  if (!next) owedBy.set(doc, next = nextOwed(doc.obligations));
  const list = h('ul', { class: 'contacts', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', class: 'contacts-search', value: query, autocomplete: 'off',
    enterkeyhint: 'search' });

  const draw = () => {
    const typed = query.trim();
    // One search for the app (lib/people.js): case and accents aside, any word of the name or organisation.
    const shown = all.filter((c, i) => (showArchived || !c.archived) && matches(people[i], typed));
    let empty = null;
    if (!shown.length) empty = typed ? t('contacts.no_match', { query: typed }) : t('contacts.none');
    fill(list, empty ? h('li', { class: 'calm' }, empty)
      : shown.map((c) => contactRow(c, doc.scores[c.id], next.get(c.id), today)));
  };
  search.addEventListener('input', () => { query = search.value; draw(); });
  draw();

  return h('div', { class: 'screen' },
    h('h1', { tabindex: '-1' }, t('contacts.title')),
    field(t('contacts.search'), search, t('contacts.search_hint')),
    addContact(ctx),
    list,
    h('p', { class: 'ideas-link' }, h('a', { href: '#/ideas' }, t('ideas.title'))), // ui/ideas.js
    archivedCount ? h('button', { type: 'button', class: 'button quiet', 'aria-pressed': String(showArchived),
      onclick: () => { showArchived = !showArchived; ctx.rerender(); } },
    t(showArchived ? 'contacts.hide_archived' : 'contacts.show_archived', { count: archivedCount })) : null);
}

/** What is owed next with each contact, both ways: id -> {mine, theirs}, each the obligation still to keep
 * (overdue, due, upcoming or snoozed) that comes first — one pass over the obligations, whatever the history's
 * length. */
export function nextOwed(obligations) {
  const RANK = { overdue: 0, due: 1, upcoming: 2, snoozed: 3 };
  const by = new Map();
  for (const o of obligations) {
    if (!(o.status in RANK)) continue;
    const id = model.counterpart(o);
    let found = by.get(id);
    if (!found) by.set(id, found = { mine: null, theirs: null });
    const side = o.debtor === model.ME ? 'mine' : 'theirs';
    found[side] = found[side] ? pick(found[side], o) : o;
  }
  return by;

  function pick(a, b) {
    const rank = RANK[b.status] - RANK[a.status];
    if (rank !== 0) return rank < 0 ? b : a;
    return b.due < a.due ? b : a;
  }
}

/** "Say thank you · Due tomorrow": one obligation in a list row. */
function owedLine(o, today, side) {
  const what = t(`ob.short.${o.rule}.${side}`, { referred: o.rule === 'report' ? referredName(o) : '' });
  return h('span', { class: `owed ${o.status}` },
    h('span', { class: 'side' }, t(`contacts.next_${side}`)), ' ', `${what} · ${when(o, today)}`);
}

function contactRow(c, scores, owed, today) {
  const org = c.fields.get('org');
  const notMet = !c.met && c.given;
  return h('li', {},
    h('a', { class: 'contact-row', href: `#/contacts/${encodeURIComponent(c.id)}` },
      h('span', { class: 'name' }, c.name, c.archived ? h('span', { class: 'muted' }, ` · ${t('contacts.archived')}`) : null),
      org ? h('span', { class: 'org' }, org) : null,
      c.met ? h('span', { class: 'met' }, t('contacts.last_met', { date: formatDay(c.met, { year: c.met.slice(0, 4) !== today.slice(0, 4) }) }))
        : notMet ? h('span', { class: 'badge not-met' }, t('contacts.not_met')) : null,
      owed?.mine ? owedLine(owed.mine, today, 'mine') : null,
      owed?.theirs ? owedLine(owed.theirs, today, 'theirs') : null,
      h('span', { class: 'scores' },
        t('scores.short', { mine: percent(scores?.owed_by_me ?? null), theirs: percent(scores?.owed_to_me ?? null) }))));
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
    contactDetails(fields),
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
