/** Today: what is due and overdue, owed by me first, then what others owe me; each with its action. */

import { CATALOGUE } from '../lib/catalogue.js';
import { h, nextId } from './dom.js';
import { t, formatLongDay, formatDay, addDays, daysBetween } from './i18n.js';
import * as model from './model.js';
import {
  describe, context, when, draft, fulfilment, isOpen, byUrgency, statusBadge, takesChannel, defaultChannel, CHANNELS,
  referrals, referredName,
} from './obligations.js';
import { ideaOffers, savedIdeas } from './ideas.js';

const SOON_DAYS = 7;
const NEWS_AFTER_DAYS = 7; // a name received or given a week ago with no outcome yet: ask what came of it
const SHOWN = 12; // things owed shown at first: a calm list, the most urgent first, the rest one tap away
let showAll = false;

export function renderToday(ctx) {
  const today = model.today();
  const { doc } = model.view(today);
  const mine = doc.obligations.filter((o) => o.debtor === model.ME && isOpen(o)).sort(byUrgency);
  const theirs = doc.obligations.filter((o) => o.creditor === model.ME && isOpen(o)).sort(byUrgency);
  const soon = doc.obligations.filter((o) => o.debtor === model.ME && o.status === 'upcoming'
    && daysBetween(today, o.due) <= SOON_DAYS);
  const snoozed = doc.obligations.filter((o) => o.status === 'snoozed');

  const sections = [];
  const greetings = mine.filter((o) => o.rule === 'greetings');
  sections.push(h('section', { 'aria-labelledby': 'mine-h' },
    h('h2', { id: 'mine-h' }, t('today.mine'), count(mine.length)),
    greetings.length > 1 ? allGreetings(greetings, ctx) : null,
    mine.length ? people(mine, ctx, today) : h('p', { class: 'calm' }, t('today.mine_none'))));
  if (soon.length) {
    sections.push(h('section', { 'aria-labelledby': 'soon-h' },
      h('h2', { id: 'soon-h' }, t('today.soon')),
      h('ul', { class: 'rows' }, soon.map((o) => h('li', { class: 'row', dataset: { obligation: o.id } },
        h('span', { class: 'what' }, describe(o)), h('span', { class: 'when' }, when(o, today)))))));
  }
  sections.push(h('section', { 'aria-labelledby': 'theirs-h' },
    h('h2', { id: 'theirs-h' }, t('today.theirs'), count(theirs.length)),
    theirs.length ? people(theirs, ctx, today) : h('p', { class: 'calm' }, t('today.theirs_none'))));
  const quiet = referrals().filter((r) => !r.outcome && daysBetween(r.day, today) >= NEWS_AFTER_DAYS);
  if (quiet.length) {
    sections.push(h('section', { 'aria-labelledby': 'news-h' },
      h('h2', { id: 'news-h' }, t('referrals.waiting'), count(quiet.length)),
      h('p', { class: 'hint' }, t('referrals.waiting_hint_short')),
      h('ul', { class: 'cards' }, quiet.slice(0, showAll ? quiet.length : SHOWN).map((r) => newsItem(r, ctx)))));
  }
  if (snoozed.length) sections.push(snoozedList(snoozed, ctx));
  const ideas = savedIdeas().length; // the inbox is always one tap from Contacts; from here once it holds ideas
  if (ideas) sections.push(h('p', { class: 'ideas-link' }, h('a', { href: '#/ideas' }, t('ideas.link_today', { count: ideas }))));

  return h('div', { class: 'screen today' },
    h('h1', { tabindex: '-1' }, t('today.title')),
    h('p', { class: 'subtitle' }, formatLongDay(today)),
    !mine.length && !theirs.length && !model.eventCount()
      ? h('p', { class: 'empty' }, t('today.empty'), ' ', h('a', { href: '#/log' }, t('today.empty_link'))) : null,
    sections);
}

function count(n) {
  return n ? h('span', { class: 'count' }, ` ${n}`) : null;
}

/** What is owed, one card per person (the most urgent person first), each item one line and one action. */
function people(list, ctx, today) {
  const byPerson = new Map();
  for (const o of list) {
    const who = model.counterpart(o);
    if (!byPerson.has(who)) byPerson.set(who, []);
    byPerson.get(who).push(o);
  }
  const groups = [...byPerson];
  // whole cards, the most urgent first, until about SHOWN things owed are in view: a long history that owes a
  // person five things does not make Today five times longer (nor slower to draw)
  let shown = groups;
  if (!showAll) {
    shown = [];
    for (let i = 0, things = 0; i < groups.length && things < SHOWN; i++) {
      shown.push(groups[i]);
      things += groups[i][1].length;
    }
  }
  return [
    h('ul', { class: 'cards people' }, shown.map(([who, owed]) => {
      const titleId = nextId('person');
      return h('li', { class: 'card person', 'aria-labelledby': titleId, dataset: { contact: who } },
        h('h3', { id: titleId }, h('a', { href: `#/contacts/${encodeURIComponent(who)}` }, model.nameOf(who))),
        h('ul', { class: 'items' }, owed.map((o) => item(o, ctx, today))));
    })),
    shown.length < groups.length ? h('button', { type: 'button', class: 'button quiet',
      onclick: () => { showAll = true; ctx.rerender(); } }, t('today.show_all', { count: groups.length })) : null,
  ];
}

/** A disclosure: a "More" button (aria-expanded) that shows and hides `panel`; Escape closes it. */
function disclosure(label, context, panel) {
  panel.id ||= nextId('menu');
  panel.hidden = true;
  const button = h('button', { type: 'button', class: 'button quiet more-button', 'aria-expanded': 'false',
    'aria-controls': panel.id }, h('span', { 'aria-hidden': 'true' }, '⋯ '), label,
  context ? h('span', { class: 'visually-hidden' }, ` · ${context}`) : null);
  const set = (open) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => {
    set(panel.hidden);
    if (!panel.hidden) panel.querySelector('a, button, select')?.focus();
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { set(false); button.focus(); }
  });
  return button;
}

/** One thing owed, in a person's card: what and when, one primary action ("Done", with how), the rest (the
 * draft, snooze, dismiss) behind "More". Each action is recorded with "Undo". */
function item(o, ctx, today) {
  const mail = draft(o);
  const record = async (type, data, message) => {
    const { makeEvent } = await import('../lib/commands.js'); // with the decoder: loaded on the first save
    await ctx.recordUndoable([makeEvent(type, data)], message);
  };
  const done = fulfilment(o) ? doneControl(o, ([type, data]) => record(type, data, t('toast.done')), true) : null;
  const menu = h('div', { class: 'menu', role: 'group', 'aria-label': describe(o) },
    mail ? h('a', { class: 'button', href: mail.href,
      onclick: () => emailed(o, done) }, mail.label) : null,
    [[1, 'action.remind_tomorrow'], [7, 'action.remind_week']].map(([days, key]) => h('button', {
      type: 'button', class: 'button',
      onclick: () => record('obligation_snoozed', { obligation: o.id, until: addDays(today, days) },
        t('toast.snoozed')),
    }, t(key))),
    h('button', { type: 'button', class: 'button',
      onclick: () => record('obligation_dismissed', { obligation: o.id }, t('toast.dismissed')) }, t('action.dismiss')));
  const what = t(`ob.short.${o.rule}.${o.debtor === model.ME ? 'mine' : 'theirs'}`,
    { referred: o.rule === 'report' ? referredName(o) : '' });
  return h('li', { class: 'item', dataset: { obligation: o.id } },
    h('p', { class: 'what' }, h('span', {}, what), ' ',
      h('span', { class: `due${o.status === 'overdue' ? ' late' : ''}` }, when(o, today))),
    h('div', { class: 'actions' }, done?.element, disclosure(t('action.more'), describe(o), menu)),
    menu,
    ideaOffers(o, ctx)); // keeping in touch: the saved ideas that meet the person's tags
}

/** "Done" for every season's greeting due, in one event (greetings_sent naming them all). */
function allGreetings(list, ctx) {
  const contacts = list.map((o) => model.counterpart(o));
  return h('button', { type: 'button', class: 'button wide bulk-greetings', onclick: async () => {
    const { greetingsSent } = await import('../lib/commands.js');
    await ctx.recordUndoable(greetingsSent(contacts, { channel: defaultChannel(list[0]) }),
      t('toast.greetings_all', { count: contacts.length }));
  } }, t('today.greetings_all', { count: contacts.length }));
}

/** A name received or given with no news: what came of it, the three answers behind one button. */
function newsItem(r, ctx) {
  const titleId = nextId('news');
  const record = async (events, message) => {
    const { makeEvent } = await import('../lib/commands.js');
    await ctx.recordUndoable(events.map(([type, data]) => makeEvent(type, data)), message);
  };
  const outcomeToast = r.kind === 'given' ? t('toast.outcome_given', { name: model.nameOf(r.who) }) : t('toast.outcome_made');
  const menu = h('div', { class: 'outcomes', role: 'group', 'aria-label': referralTitle(r) },
    OUTCOMES.map((outcome) => {
      const text = t(`referral.${outcome === 'meeting_obtained' ? (r.kind === 'given' ? 'we_met' : 'they_met') : outcome}`);
      if (outcome === 'meeting_obtained' && r.kind === 'given') {
        return h('a', { class: 'button', href: `#/log/${encodeURIComponent(r.referral)}` }, text);
      }
      return h('button', { type: 'button', class: 'button',
        onclick: () => record([['referral_outcome', { referral: r.referral, outcome }]], outcomeToast) }, text);
    }));
  return h('li', { class: 'card news', 'aria-labelledby': titleId, dataset: { referral: r.referral } },
    h('p', { class: 'what', id: titleId }, referralTitle(r), ' ', h('span', { class: 'due' }, formatDay(r.day))),
    h('div', { class: 'actions' }, disclosure(t('referral.question'), referralTitle(r), menu)),
    menu);
}

/** What is snoozed, behind one button: each with "Un-snooze" (the snoozes retracted). */
function snoozedList(list, ctx) {
  const panel = h('ul', { class: 'rows snoozed' }, list.map((o) => h('li', { class: 'row', dataset: { obligation: o.id } },
    h('span', { class: 'what' }, describe(o)), h('span', { class: 'when' }, when(o, model.today())),
    h('button', { type: 'button', class: 'button small', onclick: async () => {
      const { unsnooze } = await import('../lib/commands.js');
      await ctx.recordUndoable(unsnooze(model.allLocalEvents(), o.id), t('toast.unsnoozed'));
    } }, t('action.unsnooze'), h('span', { class: 'visually-hidden' }, ` · ${describe(o)}`)))));
  return h('section', { 'aria-labelledby': 'snoozed-h' },
    h('h2', { id: 'snoozed-h', class: 'small-heading' },
      disclosure(t('today.snoozed', { count: list.length }), '', panel)),
    panel);
}

/** "Done" and, for what I owe, how it was done: a compact select beside it, set to the channel I used last
 * for that kind of follow-up (else the rule's), so "Done" stays one tap. */
/** The channel picked for an obligation on this page (or set by writing its draft): a redraw (a sync that
 * settles) keeps it rather than going back to the default. */
const pickedChannel = new Map();

function doneControl(o, onDone, primary = !draft(o)) {
  const button = h('button', { type: 'button', class: primary ? 'button primary' : 'button' },
    t(o.debtor === model.ME ? 'action.done' : 'action.they_did'));
  if (!takesChannel(o)) {
    button.addEventListener('click', () => onDone(fulfilment(o)));
    return { element: button, select: null };
  }
  const select = h('select', { class: 'channel', id: nextId('channel') },
    CHANNELS.map((c) => h('option', { value: c }, t(`channel_by.${c}`))));
  select.value = pickedChannel.get(o.id) ?? defaultChannel(o);
  select.addEventListener('change', () => pickedChannel.set(o.id, select.value));
  button.addEventListener('click', () => onDone(fulfilment(o, select.value)));
  return {
    element: h('span', { class: 'done-with' }, button,
      h('label', { for: select.id, class: 'visually-hidden' }, t('action.channel', { what: describe(o) })), select),
    select,
  };
}

/** Writing through the draft means it went by email: "Done" then says so (and keeps saying so). */
function emailed(o, done) {
  if (!done?.select) return;
  done.select.value = 'email';
  pickedChannel.set(o.id, 'email');
}

/** One obligation with its actions: write (mailto draft), done (and how), snooze, dismiss. */
export function card(o, ctx, today) {
  const titleId = nextId('ob');
  const mail = draft(o);
  const extra = h('div', { class: 'more', hidden: true });

  const record = async (type, data, message) => {
    const { makeEvent } = await import('../lib/commands.js'); // with the decoder: loaded on the first save
    await ctx.recordUndoable([makeEvent(type, data)], message);
  };
  const done = fulfilment(o) ? doneControl(o, ([type, data]) => record(type, data, t('toast.done'))) : null;
  const reveal = (...children) => {
    extra.replaceChildren(...children);
    extra.hidden = false;
    extra.querySelector('button')?.focus();
  };
  const cancel = () => h('button', { type: 'button', class: 'button quiet', onclick: () => { extra.hidden = true; } },
    t('action.cancel'));

  const snooze = () => reveal(
    h('p', { class: 'hint' }, t('action.snooze_until')),
    h('div', { class: 'actions' },
      [[1, 'action.snooze_day'], [7, 'action.snooze_week']].map(([days, key]) => h('button', {
        type: 'button', class: 'button',
        onclick: () => record('obligation_snoozed', { obligation: o.id, until: addDays(today, days) }, t('toast.snoozed')),
      }, t(key))),
      cancel()));
  const dismiss = () => reveal(
    h('p', { class: 'hint' }, t('action.dismiss_confirm')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button danger',
        onclick: () => record('obligation_dismissed', { obligation: o.id }, t('toast.dismissed')) }, t('action.dismiss')),
      cancel()));

  return h('li', { class: `card ${o.status}`, 'aria-labelledby': titleId, dataset: { obligation: o.id } },
    h('div', { class: 'card-head' },
      h('h3', { id: titleId }, describe(o)),
      statusBadge(o)),
    context(o) ? h('p', { class: 'context' }, context(o)) : null,
    h('p', { class: 'when' }, when(o, today)),
    h('div', { class: 'actions' },
      // Writing through the draft means it went by email: "Done" then says so.
      mail ? h('a', { class: 'button primary', href: mail.href,
        onclick: () => emailed(o, done) }, mail.label) : null,
      done?.element,
      h('button', { type: 'button', class: 'button quiet', onclick: snooze }, t('action.snooze')),
      h('button', { type: 'button', class: 'button quiet', onclick: dismiss }, t('action.dismiss'))),
    extra,
    ideaOffers(o, ctx)); // keeping in touch: the saved ideas that meet the person's tags, as on Today
}

// --- referrals ----------------------------------------------------------------------------------------

const OUTCOMES = CATALOGUE.choices.Outcome;

/** What the referral is: "Hervé gave you the name of Paul", "You gave Anne the name of Paul". */
export function referralTitle(r) {
  return r.kind === 'given'
    ? t('event.referral_given', { introducer: model.nameOf(r.who), referred: model.nameOf(r.referred) })
    : t('event.referral_made', { to: model.nameOf(r.who), referred: model.nameOf(r.referred) });
}

/**
 * A referral and what came of it (rule 2). No outcome yet: "We met" (a name I received: log the meeting
 * with them, which settles it), "Declined", "No answer". For a name I gave: "They met"…, and "Anne told me
 * how it went" (update_received, with the outcome when it was not known yet).
 */
export function referralItem(r, ctx) {
  const titleId = nextId('ref');
  const who = model.nameOf(r.who);
  const referred = model.nameOf(r.referred);
  const extra = h('div', { class: 'more', hidden: true });

  const record = async (events, message) => {
    const { makeEvent } = await import('../lib/commands.js');
    await ctx.recordUndoable(events.map(([type, data]) => makeEvent(type, data)), message);
  };
  const outcomeEvent = (outcome) => ['referral_outcome', { referral: r.referral, outcome }];
  const updateEvent = ['update_received', { referral: r.referral }];
  const outcomeToast = r.kind === 'given' ? t('toast.outcome_given', { name: who }) : t('toast.outcome_made');

  /** The three outcomes as buttons; `also` is recorded with the outcome. */
  const outcomeButtons = (label, also = []) => h('div', { class: 'outcomes', role: 'group', 'aria-label': label },
    OUTCOMES.map((outcome) => {
      const text = t(`referral.${outcome === 'meeting_obtained' ? (r.kind === 'given' ? 'we_met' : 'they_met') : outcome}`);
      if (outcome === 'meeting_obtained' && r.kind === 'given') {
        return h('a', { class: 'button', href: `#/log/${encodeURIComponent(r.referral)}` }, text);
      }
      return h('button', { type: 'button', class: 'button',
        onclick: () => record([outcomeEvent(outcome), ...also], also.length ? t('toast.done') : outcomeToast) }, text);
    }));

  const parts = [];
  if (r.outcome) {
    parts.push(h('p', { class: 'outcome' }, t(`referral.outcome.${r.kind}.${r.outcome.what}`, { who, referred }),
      ` · ${formatDay(r.outcome.day)}`));
    const { report } = r;
    if (report.status === 'done') {
      parts.push(h('p', { class: 'when' }, t(`referral.reported.${r.kind}`, { name: who, date: formatDay(report.done_on) })));
    } else if (report.status !== 'dismissed') {
      parts.push(h('p', { class: 'when' }, t(`referral.to_report.${r.kind}`, { name: who })));
      if (r.kind === 'made') {
        parts.push(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button',
          onclick: () => record([updateEvent], t('toast.done')) }, t('referral.told_me', { name: who }))));
      }
    }
  } else {
    const question = t('referral.question');
    const ask = h('div', {}, h('p', { class: 'when' }, question), outcomeButtons(question));
    parts.push(ask);
    if (r.kind === 'made') {
      // Told by the person I gave the name to: what they said is the outcome, and the news they owed me.
      const told = h('button', { type: 'button', class: 'button quiet', onclick: () => {
        const asked = t('referral.told_what', { name: who });
        extra.replaceChildren(h('p', { class: 'when' }, asked), outcomeButtons(asked, [updateEvent]),
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button quiet', onclick: () => {
            extra.hidden = true; ask.hidden = false; told.focus();
          } }, t('action.cancel'))));
        ask.hidden = true;
        extra.hidden = false;
        extra.querySelector('button')?.focus();
      } }, t('referral.told_me', { name: who }));
      ask.append(h('div', { class: 'actions' }, told));
      parts.push(extra);
    }
  }

  return h('li', { class: 'card referral-card', 'aria-labelledby': titleId, dataset: { referral: r.referral } },
    h('h3', { id: titleId }, referralTitle(r)),
    h('p', { class: 'context' }, formatDay(r.day)),
    parts);
}
