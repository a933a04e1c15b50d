/** Today: what is due and overdue, owed by me first, then what others owe me; each with its action. */

import { h, nextId } from './dom.js';
import { t, formatLongDay, addDays, daysBetween } from './i18n.js';
import { makeEvent } from '../lib/outbox.js';
import * as model from './model.js';
import { describe, context, when, draft, fulfilment, isOpen, byUrgency, statusBadge } from './obligations.js';

const SOON_DAYS = 7;
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

/** One obligation with its actions: write (mailto draft), done, snooze, dismiss. */
export function card(o, ctx, today) {
  const titleId = nextId('ob');
  const mail = draft(o);
  const [doneType, doneData] = fulfilment(o) ?? [];
  const extra = h('div', { class: 'more', hidden: true });

  const record = async (type, data, message) => {
    await ctx.record([makeEvent(type, data)]);
    ctx.toast(message);
  };
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
      mail ? h('a', { class: 'button primary', href: mail.href }, mail.label) : null,
      doneType ? h('button', {
        type: 'button', class: mail ? 'button' : 'button primary',
        onclick: () => record(doneType, doneData, t('toast.done')),
      }, t(o.debtor === model.ME ? 'action.done' : 'action.they_did')) : null,
      h('button', { type: 'button', class: 'button quiet', onclick: snooze }, t('action.snooze')),
      h('button', { type: 'button', class: 'button quiet', onclick: dismiss }, t('action.dismiss'))),
    extra);
}
