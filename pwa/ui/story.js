/** How a relationship was followed up, drawn from the story JSON (lib/rules/story.js): the brief "before you
 * meet again", the timeline with each follow-up an event created and how it was kept, counts not only rates,
 * and a small accessible SVG chart of the on-time rate month by month, both ways (with its numbers as a table
 * for screen readers). Used by the contact page and the audit. */

import { h } from './dom.js';
import { t, formatDay } from './i18n.js';
import { describeEvent } from './contacts.js';

export const KEPT = ['early', 'on_time', 'late', 'very_late', 'still_owed', 'due', 'upcoming', 'snoozed', 'missed', 'dismissed'];
export const DONE = new Set(['early', 'on_time', 'late', 'very_late']);
export const OPEN = new Set(['still_owed', 'due', 'upcoming', 'snoozed']);

const day = (d) => formatDay(d, { year: true });

/** The names a story knows, as a Map id -> name. */
export const namesOf = (story) => new Map(story.names.map((n) => [n.contact, n.name]));

/** What a follow-up asks, in words: "Thank Hervé for the meeting of 12 May 2026 at Son bureau". */
export function obligationText(o, names) {
  const name = names.get(o.counterpart) ?? o.counterpart;
  const { about } = o;
  const side = o.direction === 'owed_by_me' ? 'mine' : 'theirs';
  switch (o.rule) {
    case 'thank':
      return t(`story.ob.thank.${side}`, { name, date: about.date ? day(about.date) : '?', place: about.place ? t('story.at', { place: about.place }) : '' });
    case 'report':
      return t(`story.ob.report.${side}`, { name, referred: names.get(about.referred) ?? about.referred ?? '?' });
    case 'announce': return t('story.ob.announce', { name, date: about.job_found ? day(about.job_found) : '?' });
    case 'nurture': return t('story.ob.nurture', { name, date: about.last_touch ? day(about.last_touch) : '?' });
    case 'greetings': return t('story.ob.greetings', { name, year: about.year });
    default: return o.id;
  }
}

/** How it was kept: "done 2 days late", "still owed since 13 May 2026 (191 days)". */
export function keptText(o) {
  const date = { early: o.done_on, on_time: o.done_on, late: o.done_on, very_late: o.done_on, due: o.on_time_until,
    snoozed: o.snoozed_until }[o.kept] ?? o.due;
  return t(`story.kept.${o.kept}`, { date: day(date), count: Math.abs(o.days_after_due) });
}

/** "4 of 7 on time, 2 late, 1 still owed" */
export function countText(tally) {
  if (!tally.total) return t('story.nothing');
  return [t('story.of_on_time', { n: tally.on_time, total: tally.total }),
    ...KEPT.filter((k) => k !== 'on_time' && tally[k]).map((k) => t(`story.reading.${k}`, { count: tally[k] }))].join(', ');
}

function keptClass(o) {
  if (o.kept === 'still_owed' || o.kept === 'missed') return 'kept-bad';
  if (o.kept === 'late' || o.kept === 'very_late') return 'kept-late';
  if (DONE.has(o.kept)) return 'kept-good';
  return 'kept-open';
}

export function obligationItem(o, names) {
  return h('li', { class: `story-ob ${keptClass(o)}`, dataset: { obligation: o.id, kept: o.kept } },
    h('span', { class: 'what' }, obligationText(o, names)), ' — ', h('span', { class: 'how' }, keptText(o)));
}

/** A thank-you the person I helped owed the one they met through me, which no log of mine can show. */
export function unseenThanksText(note, names) {
  const name = (id) => names.get(id) ?? id;
  return t('story.unseen_thanks', { seeker: name(note.seeker), referred: name(note.referred), date: day(note.known_on) });
}

export function unseenItem(note, names) {
  return h('li', { class: 'story-unseen', dataset: { unseen: note.referral } }, unseenThanksText(note, names));
}

/** Whether the brief has anything to say: something open, either way. */
export const briefOpen = ({ brief }) => Boolean(brief.owed_by_me.length || brief.owed_to_me.length
  || brief.introduced.length || brief.unseen_thanks?.length);

/** Before you meet them again: what to make good first, what is owed by the people they introduced, what to
 * raise kindly (with the thank-yous to the people they met through me, which I cannot see). `id` names its
 * heading (one per brief on a page), `level` its heading's rank (2 on the contact page, 3 inside the log form);
 * `compact` draws nothing when nothing is open. */
export function briefView(story, { id = 'brief-h', level = 2, compact = false } = {}) {
  const names = namesOf(story);
  const byId = new Map(story.obligations.map((o) => [o.id, o]));
  const { brief } = story;
  const unseen = brief.unseen_thanks ?? [];
  const list = (items, notes = []) => h('ul', { class: 'brief-list' }, items.map((o) => obligationItem(o, names)),
    notes.map((note) => unseenItem(note, names)));
  const empty = !briefOpen(story);
  if (empty && compact) return null;
  const sub = `h${level + 1}`;
  return h('section', { class: compact ? 'brief compact' : 'brief', 'aria-labelledby': id, dataset: { contact: story.contact } },
    h(`h${level}`, { id }, t('story.brief', { name: story.name })),
    empty ? h('p', { class: 'calm' }, t('story.all_clear')) : null,
    brief.owed_by_me.length ? [h(sub, {}, t('story.make_good', { count: brief.owed_by_me.length })),
      list(brief.owed_by_me.map((i) => byId.get(i)))] : null,
    brief.introduced.length ? [h(sub, {}, t('story.introduced', { name: story.name })), list(brief.introduced)] : null,
    brief.owed_to_me.length || unseen.length ? [h(sub, {}, t('story.raise', { count: brief.owed_to_me.length, name: story.name })),
      list(brief.owed_to_me.map((i) => byId.get(i)), unseen)] : null);
}

/** The timeline: each event, the follow-ups it created and how each was kept, and what it kept. `tools(entry)`, if
 * given, adds [a note under the line's text, the actions at its end] (the contact page's "corrected on …", Edit
 * and Remove: ui/history.js). */
export function timelineView(story, { tools = null } = {}) {
  const names = namesOf(story);
  const byId = new Map(story.obligations.map((o) => [o.id, o]));
  return h('section', { 'aria-labelledby': 'story-h' },
    h('h2', { id: 'story-h' }, t('story.timeline')),
    h('ol', { class: 'timeline story' }, story.entries.map((e) => {
      const [note, actions] = tools ? tools(e) : [null, null];
      return h('li', { dataset: { event: e.event, type: e.type } },
        h('span', { class: 'date' }, day(e.date)), h('span', {}, eventText(e, names)), note,
        e.obligations.length || e.kept.length || e.unseen_thanks?.length ? h('ul', { class: 'story-obs' },
          e.obligations.map((o) => obligationItem(o, names)),
          e.kept.map((id) => h('li', { class: 'story-kept kept-good' }, t('story.kept_by', { what: obligationText(byId.get(id), names) }))),
          (e.unseen_thanks ?? []).map((note) => unseenItem(note, names))) : null,
        actions);
    })));
}

function eventText(e, names) {
  if (e.type === 'referral_outcome' && e.referral?.way === 'made' && e.data.outcome === 'meeting_obtained') {
    return t('story.learnt', { name: names.get(e.referral.to) ?? e.referral.to, referred: names.get(e.referral.referred) ?? e.referral.referred });
  }
  // an idea shared from the inbox, by the title the story found for it (lib/rules/story.js idea_title)
  if (e.type === 'idea_shared' && e.idea_title) {
    return t('story.idea_shared', { title: e.idea_title, name: names.get(e.data.contact) ?? e.data.contact });
  }
  return describeEvent(e);
}

/** Counts both ways, each rule on its own line. */
export function countsView(counts, labels) {
  return h('dl', { class: 'story-counts' }, ['owed_by_me', 'owed_to_me'].map((side, i) => h('div', {},
    h('dt', {}, labels[i]), h('dd', {}, countText(counts[side])),
    Object.entries(counts.by_rule).filter(([, sides]) => sides[side].total)
      .map(([rule, sides]) => h('dd', { class: 'per-rule' }, `${t(`story.rule.${rule}`)} — ${countText(sides[side])}`)))));
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const child of children) el.append(child);
  return el;
}

function rate(cell) {
  if (!cell.counted) return t('story.chart.none');
  return `${cell.on_time}/${cell.counted} (${Math.round((100 * cell.on_time) / cell.counted)} %)`;
}

/** The on-time rate by month, both ways: bars for the eye (hidden from screen readers), the same numbers as a
 * table for them. No chart library: a dozen SVG rectangles. */
export function monthlyChart(months, id = 'chart') {
  if (!months.length) return null;
  const recent = months.slice(-12);
  const height = 100;
  const width = 36 + 34 * recent.length;
  // drawn at twice its user units: 9-unit labels read at 18 px, whatever the number of months
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 22}`, width: width * 2, height: (height + 22) * 2,
    class: 'month-chart', 'aria-hidden': 'true', focusable: 'false' },
    svg('line', { x1: 30, y1: height, x2: width, y2: height, class: 'axis' }),
    svg('text', { x: 0, y: 10, class: 'tick' }, '100%'),
    svg('text', { x: 8, y: height, class: 'tick' }, '0%'));
  recent.forEach((m, i) => {
    const x = 36 + 34 * i;
    ['owed_by_me', 'owed_to_me'].forEach((side, j) => {
      const cell = m[side];
      if (!cell.counted) return;
      const tall = Math.max(2, Math.round((cell.on_time / cell.counted) * (height - 8)));
      chart.append(svg('rect', { x: x + j * 13, y: height - tall, width: 12, height: tall, class: side === 'owed_by_me' ? 'bar-mine' : 'bar-theirs' }));
    });
    chart.append(svg('text', { x, y: height + 16, class: 'tick' }, m.month.slice(2)));
  });
  return h('figure', { class: 'chart', 'aria-labelledby': `${id}-cap` },
    h('figcaption', { id: `${id}-cap` }, t('story.chart.title'), h('span', { class: 'hint' }, ` — ${t('story.chart.desc')}`)),
    chart,
    // The table for screen readers sits in a hidden box: a table is never narrower than its content, so hidden
    // itself it widened the page (in French, past the phone's width: the browser zoomed out and taps missed).
    h('div', { class: 'visually-hidden' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('story.chart.month')), h('th', { scope: 'col' }, t('story.chart.mine')),
        h('th', { scope: 'col' }, t('story.chart.theirs')))),
      h('tbody', {}, recent.map((m) => h('tr', {}, h('th', { scope: 'row' }, m.month), h('td', {}, rate(m.owed_by_me)),
        h('td', {}, rate(m.owed_to_me))))))));
}
