/** Audit: replay the log to any past date — what was pending then AND what had been done by then and how, per
 * rule and per person, filtered (person, rule, direction, how), the change since an earlier date, the on-time
 * rate month by month, printable; and the coach links that show this audit read-only to a coach or mentor. */

import { h, field, fill } from './dom.js';
import { t, formatDay, formatLongDay, percent } from './i18n.js';
import * as api from '../lib/api.js';
import { SHARE_LIMITS } from '../lib/share-limits.js';
import * as model from './model.js';
import { DONE, OPEN, countText, countsView, keptText, monthlyChart, obligationItem, obligationText, unseenItem } from './story.js';

let chosen = null;
let since = '';
const filters = { person: '', rule: '', direction: '', how: '' };
const RULES = ['thank', 'report', 'announce', 'nurture', 'greetings'];
const HOW = {
  pending: (o) => OPEN.has(o.kept),
  kept: (o) => DONE.has(o.kept),
  late: (o) => o.kept === 'late' || o.kept === 'very_late' || o.kept === 'still_owed' || o.kept === 'missed',
};

export function renderAudit(ctx) {
  const today = model.today();
  if (!chosen || chosen > today) chosen = today;
  const input = h('input', { type: 'date', value: chosen, max: today, required: true });
  const earlier = h('input', { type: 'date', value: since, max: today });
  const result = h('div', { class: 'audit-result', 'aria-live': 'polite' });
  const draw = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.value) || input.value > today) return;
    const asOf = input.value;
    chosen = asOf;
    since = /^\d{4}-\d{2}-\d{2}$/.test(earlier.value) && earlier.value < asOf ? earlier.value : '';
    const wanted = [model.prepare(asOf), model.prepareStory(asOf), since ? model.prepareChanges(since, asOf) : null];
    const ready = model.ready(asOf) && model.storyNow(asOf) !== undefined;
    if (!ready) {
      // The engine replays the log to that date in its worker: say so, and draw it when it answers.
      result.setAttribute('aria-busy', 'true');
      fill(result, h('p', { class: 'loading', role: 'status' }, t('loading.projection')));
    }
    Promise.all(wanted).then(([, story, changes]) => {
      if (chosen !== asOf) return; // another date was picked meanwhile
      result.removeAttribute('aria-busy');
      fill(result, report(asOf, story, changes));
    }, (error) => {
      result.removeAttribute('aria-busy');
      fill(result, h('p', { class: 'error', role: 'alert' }, t('error.title'), ' — ', String(error.message)));
    });
  };
  input.addEventListener('change', draw);
  earlier.addEventListener('change', draw);
  draw();
  return h('div', { class: 'screen audit' },
    h('h1', { tabindex: '-1' }, t('audit.title')),
    h('p', { class: 'hint' }, t('audit.intro')),
    h('div', { class: 'audit-dates no-print' }, field(t('audit.date'), input), field(t('audit.since'), earlier)), // the report says its dates
    result,
    h('div', { class: 'actions no-print' },
      h('button', { type: 'button', class: 'button', onclick: () => window.print() }, t('audit.print'))),
    coachLinks(ctx));
}

function report(asOf, story, changes) {
  const { doc } = model.view(asOf);
  const names = new Map(story.people.flatMap((p) => p.names.map((n) => [n.contact, n.name])));
  const everything = story.people.flatMap((p) => p.obligations).sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.id < b.id ? -1 : 1));
  const people = story.people.filter((p) => p.obligations.length);
  const table = h('div', {});
  const notes = h('div', {});
  const shown = h('p', { class: 'hint', role: 'status' });
  const drawTable = () => {
    fill(notes, storyNotes(story, names));
    const rows = everything.filter((o) => (!filters.person || o.counterpart === filters.person)
      && (!filters.rule || o.rule === filters.rule) && (!filters.direction || o.direction === filters.direction)
      && (!filters.how || HOW[filters.how](o)));
    const person = filters.person ? story.people.find((p) => p.contact === filters.person) : null;
    // the filters are not printed: the printout of one person says whose it is
    shown.textContent = [person ? t('audit.for_person', { name: person.name }) : '',
      t('audit.shown', { count: rows.length, shown: rows.length, total: everything.length })].filter(Boolean).join(' · ');
    fill(table, rows.length ? h('table', { class: 'audit-table' },
      h('thead', {}, h('tr', {}, ['audit.col_due', 'audit.col_what', 'audit.col_how'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, rows.map((o) => h('tr', { class: `kept-${o.kept}`, dataset: { obligation: o.id } },
        h('td', {}, formatDay(o.due, { year: true })), h('td', {}, obligationText(o, names)), h('td', { class: 'how' }, keptText(o))))))
      : h('p', { class: 'calm' }, t('audit.nothing')));
  };
  const select = (key, label, options) => {
    const control = h('select', { onchange: () => { filters[key] = control.value; drawTable(); } },
      h('option', { value: '' }, t('audit.filter.all')),
      options.map(([value, text]) => h('option', { value, selected: filters[key] === value }, text)));
    return field(label, control);
  };
  drawTable();
  return [
    h('h2', {}, t('audit.on', { date: formatLongDay(asOf) })),
    h('dl', { class: 'scores-grid' },
      h('div', {}, h('dt', {}, t('scores.overall_mine')), h('dd', {}, percent(doc.overall.owed_by_me))),
      h('div', {}, h('dt', {}, t('scores.overall_theirs')), h('dd', {}, percent(doc.overall.owed_to_me)))),
    changes ? h('p', { class: 'changes' }, changeText(changes)) : null,
    countsView(story.counts, [t('story.counts_all_mine'), t('story.counts_all_theirs')]),
    monthlyChart(story.months, 'audit-chart'),
    h('section', { 'aria-labelledby': 'all-h' },
      h('h3', { id: 'all-h' }, t('audit.everything')),
      h('div', { class: 'audit-filters' },
        select('person', t('audit.filter.person'), people.map((p) => [p.contact, p.name])),
        select('rule', t('audit.filter.rule'), RULES.map((r) => [r, t(`story.rule.${r}`)])),
        select('direction', t('audit.filter.direction'), [['owed_by_me', t('audit.dir.mine')], ['owed_to_me', t('audit.dir.theirs')]]),
        select('how', t('audit.filter.status'), Object.keys(HOW).map((k) => [k, t(`audit.filter.${k}`)]))),
      shown, table, notes),
    h('section', { 'aria-labelledby': 'people-h' },
      h('h3', { id: 'people-h' }, t('audit.per_person')),
      people.length ? h('table', { class: 'audit-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('audit.contact')), h('th', { scope: 'col' }, t('scores.col_mine')),
          h('th', { scope: 'col' }, t('scores.col_theirs')))),
        h('tbody', {}, people.map((p) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/contacts/${encodeURIComponent(p.contact)}` }, p.name)),
          h('td', {}, countText(p.counts.owed_by_me)), h('td', {}, countText(p.counts.owed_to_me))))))
        : h('p', { class: 'calm' }, t('audit.no_scores'))),
  ];
}

/** What each relationship's story says that its own rows cannot (lib/rules/story.js brief), under the table and with
 * its filters: the thank-yous I owe the people this person introduced me to, and the thank-yous the people they met
 * through me were owed, which nothing in my log can show (the mentor's question, to raise kindly). One block per
 * person, on screen and on paper. */
function storyNotes(story, names) {
  const thanks = !filters.rule || filters.rule === 'thank';
  const mine = thanks && filters.direction !== 'owed_to_me';
  const theirs = thanks && filters.direction !== 'owed_by_me' && filters.how !== 'kept';
  const blocks = story.people.filter((p) => !filters.person || p.contact === filters.person).map((p) => {
    const introduced = mine ? p.brief.introduced.filter((o) => !filters.how || HOW[filters.how](o)) : [];
    const unseen = theirs ? p.brief.unseen_thanks ?? [] : [];
    if (!introduced.length && !unseen.length) return null;
    return h('li', { class: 'audit-note', dataset: { contact: p.contact } },
      h('h5', {}, h('a', { href: `#/contacts/${encodeURIComponent(p.contact)}` }, p.name)),
      introduced.length ? [h('p', {}, t('story.introduced', { name: p.name })),
        h('ul', { class: 'brief-list' }, introduced.map((o) => obligationItem(o, names)))] : null,
      unseen.length ? [h('p', {}, t('audit.notes_unseen', { name: p.name })),
        h('ul', { class: 'brief-list' }, unseen.map((note) => unseenItem(note, names)))] : null);
  }).filter(Boolean);
  if (!blocks.length) return null;
  return h('section', { class: 'audit-notes', 'aria-labelledby': 'notes-h' },
    h('h4', { id: 'notes-h' }, t('audit.notes')), h('ul', { class: 'audit-notes-list' }, blocks));
}

function changeText(changes) {
  // each count agrees with its own word ("1 fait, 2 passés en retard")
  const line = (key, side) => t(key, { date: formatDay(changes.since, { year: true }), parts: [
    t('audit.change.kept', { count: side.kept.length }), t('audit.change.overdue', { count: side.became_overdue.length }),
    t('audit.change.new', { count: side.new.length })].join(', ') });
  const theirs = changes.owed_to_me;
  return [line('audit.changes', changes.owed_by_me),
    theirs.kept.length || theirs.became_overdue.length || theirs.new.length ? ` · ${line('audit.changes_theirs', theirs)}` : ''].join('');
}

// --- coach links --------------------------------------------------------------------------------------------

function coachLinks(ctx) {
  const box = h('div', {});
  const label = h('input', { type: 'text', maxLength: SHARE_LIMITS.labelMaxLength, autocomplete: 'off', required: true });
  const days = h('input', { type: 'number', min: SHARE_LIMITS.daysMin, max: SHARE_LIMITS.daysMax, value: 30,
    inputMode: 'numeric', required: true });
  const made = h('div', { 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!label.value.trim()) { error.textContent = t('share.error_label'); label.focus(); return; }
    try {
      const share = await api.request('/api/shares', { method: 'POST', token: ctx.session.token,
        body: { label: label.value.trim(), expires_in_days: Number(days.value), scope: 'audit' } });
      fill(made, h('p', {}, t('share.made')), h('p', { class: 'share-url' }, new URL(share.url, location.origin).href));
      label.value = '';
      loadShares(ctx, box);
    } catch (problem) {
      error.textContent = problem instanceof api.Unreachable ? t('share.offline') : problem.message;
    }
  } },
  field(t('share.label'), label), field(t('share.days'), days), error,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('share.make'))));
  loadShares(ctx, box);
  return h('section', { class: 'coach-links', 'aria-labelledby': 'share-h' },
    h('h2', { id: 'share-h' }, t('share.title')), h('p', { class: 'hint' }, t('share.intro')), form, made, box);
}

async function loadShares(ctx, box) {
  if (!ctx.session?.token) return;
  let answer;
  try {
    answer = await api.request('/api/shares', { token: ctx.session.token });
  } catch {
    fill(box, h('p', { class: 'hint' }, t('share.offline')));
    return;
  }
  const when = (instant) => formatDay(instant.slice(0, 10), { year: true });
  fill(box, answer.shares.length ? h('ul', { class: 'shares' }, answer.shares.map((s) => h('li', {},
    h('span', {}, h('strong', {}, s.label), ' — ', t('share.line', { created: when(s.created), expires: when(s.expires),
      opened: s.last_opened ? t('share.opened', { date: when(s.last_opened) }) : t('share.never') }),
    s.expired ? ` · ${t('share.expired')}` : ''),
    h('button', { type: 'button', class: 'button quiet', 'aria-label': `${t('share.revoke')} — ${s.label}`, onclick: async () => {
      try {
        await api.request(`/api/shares/${encodeURIComponent(s.id)}`, { method: 'DELETE', token: ctx.session.token });
      } catch (problem) {
        ctx.toast(problem instanceof api.Unreachable ? t('share.offline') : problem.message);
      }
      loadShares(ctx, box);
    } }, t('share.revoke')))))
    : h('p', { class: 'calm' }, t('share.none')));
}
