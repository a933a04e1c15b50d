/** Audit: replay the log to any past date — what was pending then, both ways, and the scores. */

import { h, field, fill } from './dom.js';
import { t, formatLongDay, percent } from './i18n.js';
import * as model from './model.js';
import { describe, when, statusBadge } from './obligations.js';

let chosen = null;
const PENDING = new Set(['due', 'overdue', 'snoozed']);

export function renderAudit() {
  const today = model.today();
  if (!chosen || chosen > today) chosen = today;
  const input = h('input', { type: 'date', value: chosen, max: today, required: true });
  const result = h('div', { class: 'audit-result', 'aria-live': 'polite' });
  const draw = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.value) || input.value > today) return;
    const asOf = input.value;
    chosen = asOf;
    if (model.ready(asOf)) {
      fill(result, report(asOf));
      return;
    }
    // The engine replays the log to that date in its worker: say so, and draw it when it answers.
    result.setAttribute('aria-busy', 'true');
    fill(result, h('p', { class: 'loading', role: 'status' }, t('loading.projection')));
    const shown = (...children) => {
      if (chosen !== asOf) return; // another date was picked meanwhile
      result.removeAttribute('aria-busy');
      fill(result, ...children);
    };
    model.prepare(asOf).then(() => shown(report(asOf)),
      (error) => shown(h('p', { class: 'error', role: 'alert' }, t('error.title'), ' — ', String(error.message))));
  };
  input.addEventListener('change', draw);
  draw();
  return h('div', { class: 'screen' },
    h('h1', { tabindex: '-1' }, t('audit.title')),
    h('p', { class: 'hint' }, t('audit.intro')),
    field(t('audit.date'), input),
    result);
}

function report(asOf) {
  const { doc } = model.view(asOf);
  const pending = (side) => doc.obligations.filter((o) => PENDING.has(o.status) && (side === 'mine' ? o.debtor === model.ME : o.creditor === model.ME));
  const list = (items) => (items.length
    ? h('ul', { class: 'rows' }, items.map((o) => h('li', { class: 'row' },
      h('span', { class: 'what' }, describe(o)), statusBadge(o), h('span', { class: 'when' }, when(o, asOf)))))
    : h('p', { class: 'calm' }, t('audit.nothing')));
  const rows = Object.entries(doc.scores)
    .map(([id, pair]) => ({ id, name: model.nameOf(id), ...pair }))
    .filter((r) => r.owed_by_me !== null || r.owed_to_me !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
  return [
    h('h2', {}, t('audit.on', { date: formatLongDay(asOf) })),
    h('dl', { class: 'scores-grid' },
      h('div', {}, h('dt', {}, t('scores.overall_mine')), h('dd', {}, percent(doc.overall.owed_by_me))),
      h('div', {}, h('dt', {}, t('scores.overall_theirs')), h('dd', {}, percent(doc.overall.owed_to_me)))),
    h('h3', {}, t('audit.pending_mine')), list(pending('mine')),
    h('h3', {}, t('audit.pending_theirs')), list(pending('theirs')),
    h('h3', {}, t('audit.by_contact')),
    rows.length ? h('table', { class: 'scores-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('audit.contact')), h('th', { scope: 'col' }, t('scores.col_mine')),
        h('th', { scope: 'col' }, t('scores.col_theirs')))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/contacts/${encodeURIComponent(r.id)}` }, r.name)),
        h('td', {}, percent(r.owed_by_me)), h('td', {}, percent(r.owed_to_me))))))
      : h('p', { class: 'calm' }, t('audit.no_scores')),
  ];
}
