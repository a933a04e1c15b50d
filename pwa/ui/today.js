/** Today: what is due and overdue, owed by me first, then what others owe me; each with its action. */

import { CATALOGUE } from '../lib/catalogue.js';
import { h, nextId } from './dom.js';
import { t, formatLongDay, formatDay, addDays, daysBetween } from './i18n.js';
import * as model from './model.js';
import {
  describe, context, when, draft, fulfilment, isOpen, byUrgency, statusBadge, takesChannel, defaultChannel, CHANNELS,
  referrals,
} from './obligations.js';

const SOON_DAYS = 7;
const NEWS_AFTER_DAYS = 7; // a name received or given a week ago with no outcome yet: ask what came of it
const SHOWN = 12; // a calm list: the most urgent first, the rest one tap away
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
  sections.push(h('section', { 'aria-labelledby': 'mine-h' },
    h('h2', { id: 'mine-h' }, t('today.mine'), count(mine.length)),
    mine.length ? cards(mine, ctx, today) : h('p', { class: 'calm' }, t('today.mine_none'))));
  if (soon.length) {
    sections.push(h('section', { 'aria-labelledby': 'soon-h' },
      h('h2', { id: 'soon-h' }, t('today.soon')),
      h('ul', { class: 'rows' }, soon.map((o) => h('li', { class: 'row', dataset: { obligation: o.id } },
        h('span', { class: 'what' }, describe(o)), h('span', { class: 'when' }, when(o, today)))))));
  }
  sections.push(h('section', { 'aria-labelledby': 'theirs-h' },
    h('h2', { id: 'theirs-h' }, t('today.theirs'), count(theirs.length)),
    theirs.length ? cards(theirs, ctx, today) : h('p', { class: 'calm' }, t('today.theirs_none'))));
  const quiet = referrals().filter((r) => !r.outcome && daysBetween(r.day, today) >= NEWS_AFTER_DAYS);
  if (quiet.length) {
    sections.push(h('section', { 'aria-labelledby': 'news-h' },
      h('h2', { id: 'news-h' }, t('referrals.waiting'), count(quiet.length)),
      h('p', { class: 'hint' }, t('referrals.waiting_hint')),
      h('ul', { class: 'cards' }, quiet.slice(0, showAll ? quiet.length : SHOWN).map((r) => referralItem(r, ctx)))));
  }
  if (snoozed.length) sections.push(h('p', { class: 'hint' }, t('today.snoozed', { count: snoozed.length })));

  return h('div', { class: 'screen' },
    h('h1', { tabindex: '-1' }, t('today.title')),
    h('p', { class: 'subtitle' }, formatLongDay(today)),
    !mine.length && !theirs.length && !model.eventCount()
      ? h('p', { class: 'empty' }, t('today.empty'), ' ', h('a', { href: '#/log' }, t('today.empty_link'))) : null,
    sections);
}

function cards(list, ctx, today) {
  const shown = showAll ? list : list.slice(0, SHOWN);
  return [
    h('ul', { class: 'cards' }, shown.map((o) => card(o, ctx, today))),
    shown.length < list.length ? h('button', { type: 'button', class: 'button quiet',
      onclick: () => { showAll = true; ctx.rerender(); } }, t('today.show_all', { count: list.length })) : null,
  ];
}

function count(n) {
  return n ? h('span', { class: 'count' }, ` ${n}`) : null;
}

/** "Done" and, for what I owe, how it was done: a compact select beside it, set to the channel I used last
 * for that kind of follow-up (else the rule's), so "Done" stays one tap. */
function doneControl(o, onDone) {
  const primary = !draft(o);
  const button = h('button', { type: 'button', class: primary ? 'button primary' : 'button' },
    t(o.debtor === model.ME ? 'action.done' : 'action.they_did'));
  if (!takesChannel(o)) {
    button.addEventListener('click', () => onDone(fulfilment(o)));
    return { element: button, select: null };
  }
  const select = h('select', { class: 'channel', id: nextId('channel') },
    CHANNELS.map((c) => h('option', { value: c }, t(`channel_by.${c}`))));
  select.value = defaultChannel(o);
  button.addEventListener('click', () => onDone(fulfilment(o, select.value)));
  return {
    element: h('span', { class: 'done-with' }, button,
      h('label', { for: select.id, class: 'visually-hidden' }, t('action.channel', { what: describe(o) })), select),
    select,
  };
}

/** One obligation with its actions: write (mailto draft), done (and how), snooze, dismiss. */
export function card(o, ctx, today) {
  const titleId = nextId('ob');
  const mail = draft(o);
  const extra = h('div', { class: 'more', hidden: true });

  const record = async (type, data, message) => {
    const { makeEvent } = await import('../lib/commands.js'); // with the decoder: loaded on the first save
    await ctx.record([makeEvent(type, data)]);
    ctx.toast(message);
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
        onclick: () => { if (done?.select) done.select.value = 'email'; } }, mail.label) : null,
      done?.element,
      h('button', { type: 'button', class: 'button quiet', onclick: snooze }, t('action.snooze')),
      h('button', { type: 'button', class: 'button quiet', onclick: dismiss }, t('action.dismiss'))),
    extra);
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
    await ctx.record(events.map(([type, data]) => makeEvent(type, data)));
    ctx.toast(message);
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
