/** Edit and remove from a contact's history (the story's timeline, or the plain history until it comes): each
 * line of something recorded has "Edit" (a meeting, a referral, a thanks, a job found: a small form prefilled
 * with the event as read now, saved as one `event_corrected`) and "Remove" (confirmed, saved as an
 * `event_retracted`); both with Undo in the toast. A corrected line says "corrected on …". The builders are in
 * lib/corrections.js (correctEvent, removeEvent, restoreEvent); the engines' pre-pass does the rest. */

import { h, field, nextId } from './dom.js';
import { t, formatDay } from './i18n.js';
import { limit } from '../lib/catalogue.js';
import * as model from './model.js';
import { KINDS } from './log.js';
import { CHANNELS } from './obligations.js';

/** Whose history it is: the lines that name someone else (a meeting with Anne that Hervé's referral started) are
 * edited and removed from here too. Types whose `data` names people, by field. */
const PERSON_FIELDS = { referral_given: ['introducer', 'referred'], referral_made: ['to', 'referred'] };

/** Event id -> the local date of the latest correction that touched it (contactHistory's `changes`). */
export function correctedDates(history) {
  const found = new Map();
  for (const change of history?.changes ?? []) if (change.change === 'corrected') found.set(change.event, change.date);
  return found;
}

/** What a history line gets: [its note ("corrected on …") or null, its actions (Edit / Remove and the form or
 * confirmation they open) or null]. `entry`: {event (its id), type, data (as read: corrected and merged)}. */
export function lineTools(ctx, entry, corrected) {
  const note = corrected.has(entry.event)
    ? h('p', { class: 'changed line-extra' }, t('history.corrected_on', { date: formatDay(corrected.get(entry.event), { year: true }) }))
    : null;
  if (loaded === null) return [note, null]; // the builders are not here yet: the page is drawn again when they are
  const editable = Object.hasOwn(loaded.EDITABLE, entry.type);
  const removable = loaded.REMOVABLE.has(entry.type);
  if (!editable && !removable) return [note, null];
  const panel = h('div', { class: 'line-panel', hidden: true });
  const close = (opener) => {
    panel.hidden = true;
    panel.replaceChildren();
    delete panel.dataset.editing;
    opener?.setAttribute('aria-expanded', 'false');
    opener?.focus();
  };
  const open = (opener, build) => {
    const wasOpen = opener.getAttribute('aria-expanded') === 'true';
    for (const b of bar.querySelectorAll('button')) b.setAttribute('aria-expanded', 'false');
    if (wasOpen) { close(opener); return; }
    panel.replaceChildren(build(() => close(opener)));
    panel.hidden = false;
    panel.dataset.editing = 'true'; // app.js: a sync does not redraw the page under the form
    opener.setAttribute('aria-expanded', 'true');
    panel.querySelector('input, select, textarea, button')?.focus();
  };
  const what = lineLabel(entry);
  const bar = h('div', { class: 'line-tools' },
    editable ? h('button', { type: 'button', class: 'button quiet small', 'aria-expanded': 'false',
      'aria-label': t('history.edit_label', { what }), dataset: { tool: 'edit' },
      onclick: (event) => open(event.currentTarget, (done) => editForm(ctx, entry, done)) }, t('history.edit')) : null,
    removable ? h('button', { type: 'button', class: 'button quiet small', 'aria-expanded': 'false',
      'aria-label': t('history.remove_label', { what }), dataset: { tool: 'remove' },
      onclick: (event) => open(event.currentTarget, (done) => removeConfirm(ctx, entry, done)) }, t('history.remove')) : null);
  return [note, h('div', { class: 'line-extra' }, bar, panel)];
}

/** The line to give the focus back to once the page is drawn again after a save: {event, tool}. */
let after = null;

/** Give the focus back to the line just edited (its Edit button), or to the timeline's heading when the line left
 * it (removed): called once the timeline is drawn. Nothing to do when nothing was saved from here. */
export function focusBack(root) {
  if (after === null) return;
  if (Date.now() - after.since > 10_000) { after = null; return; } // the page drawn long after: someone went elsewhere
  const line = root.querySelector(`li[data-event="${CSS.escape(after.event)}"]`);
  const target = line?.querySelector(`[data-tool="${after.tool}"]`) ?? root.querySelector('#story-h, #hist-h');
  if (!target) return;
  after = null;
  if (target.tagName === 'H2') target.tabIndex = -1;
  target.focus({ preventScroll: false });
}

/** The command builders (lib/commands.js and lib/corrections.js), fetched the first time a contact's history is
 * drawn (not with the screens: corrections.js reads the log through the engine's pre-pass, which stays off the
 * page until it is needed), and not waited for: null until they are here. */
let loaded = null;
let loading = null;

/** null once the tools can be drawn; else a promise that resolves when they can (the page draws again then). */
export function toolsPending() {
  if (loaded !== null) return null;
  loading ??= Promise.all([import('../lib/commands.js'), import('../lib/corrections.js')])
    .then(([commands, corrections]) => { loaded = { ...commands, ...corrections }; });
  return loading;
}

/** The corrections and removals that touched this record (contactHistory's `changes`), oldest first, behind a
 * disclosure: an audit shows that the record changed, and when (DESIGN.md section 1). Null when there are none. */
let changesOpen = false; // kept open when the page is drawn again (a sync, a save)

export function changesView(history) {
  const changes = history?.changes ?? [];
  if (!changes.length) return null;
  const item = (c) => {
    const date = formatDay(c.date, { year: true });
    if (c.change === 'retracted' && c.type === 'event_corrected') return t('history.change.undone_edit', { date });
    if (c.change === 'retracted' && c.type === 'contacts_merged') return t('history.change.unmerged', { date });
    const logged = model.eventById(c.event);
    const day = model.eventDay(c.event) ?? logged?.at?.slice(0, 10) ?? null;
    const type = t(`history.type.${c.type}`);
    const what = day ? t('history.line', { type, date: formatDay(day, { year: true }) }) : type;
    return t(`history.change.${c.change}`, { date, what });
  };
  return h('details', { class: 'record-changes', open: changesOpen,
    ontoggle: (event) => { changesOpen = event.currentTarget.open; } },
    h('summary', {}, t('history.changes_title', { count: changes.length })),
    h('ul', {}, changes.map((c) => h('li', { dataset: { change: c.change, event: c.event } }, item(c)))));
}

/** A short name for the line, for the buttons' accessible names ("Edit: Meeting of 12 May 2026"). */
function lineLabel(entry) {
  const date = model.eventDay(entry.event);
  const type = t(`history.type.${entry.type}`);
  return date ? t('history.line', { type, date: formatDay(date, { year: true }) }) : type;
}

/** "2026-05-12T10:30" for a datetime-local input, in the device's own time. */
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function peopleOptions(selected, { empty = false } = {}) {
  const everyone = model.contacts().sort((a, b) => a.name.localeCompare(b.name));
  if (selected && !everyone.some((c) => c.id === selected)) everyone.unshift({ id: selected, name: model.nameOf(selected) });
  return [empty ? h('option', { value: '' }, t('history.nobody')) : null,
    ...everyone.map((c) => h('option', { value: c.id, selected: c.id === selected }, c.name))];
}

function choice(values, current, label, { empty = false } = {}) {
  return h('select', {}, empty ? h('option', { value: '' }, t('history.not_said')) : null,
    values.map((v) => h('option', { value: v, selected: v === current }, label(v))));
}

/** The edit form of a line: its fields prefilled with the event as read now (corrected, people read through the
 * merges); saving sends only what was changed to correctEvent, which keeps the rest as logged. */
function editForm(ctx, entry, done) {
  const { type, data } = entry;
  const current = loaded.currentEvent(model.allLocalEvents(), entry.event); // as read now, merges aside
  const at = current ? new Date(current.at) : null;
  const initialAt = at && !Number.isNaN(at.getTime()) ? localInputValue(at) : '';
  const when = h('input', { type: 'datetime-local', value: initialAt, required: true });
  const controls = []; // [name, read() -> value, initial]
  const text = (name, label, { area = false } = {}) => {
    const max = limit(type, name)?.max;
    const input = h(area ? 'textarea' : 'input', { ...(area ? { rows: 2 } : { type: 'text', autocomplete: 'off' }), maxLength: max });
    input.value = data[name] ?? '';
    controls.push([name, () => input.value.trim(), (data[name] ?? '').trim()]);
    return field(label, input);
  };
  const person = (name, label) => {
    const select = h('select', {}, peopleOptions(data[name]));
    controls.push([name, () => select.value, data[name]]);
    return field(label, select);
  };
  const parts = [field(t(type === 'job_found' ? 'history.when_found' : 'history.when'), when)];
  if (type === 'meeting_logged') {
    parts.push(peoplePicker(data.contacts ?? [], controls));
    const host = data.host ?? 'them';
    const name = nextId('host');
    const radios = ['them', 'me'].map((v) => h('label', {},
      h('input', { type: 'radio', name, value: v, checked: v === host }), t(`log.host_${v}`)));
    controls.push(['host', () => radios.find((r) => r.firstChild.checked)?.firstChild.value ?? host, host]);
    parts.push(h('fieldset', { class: 'radios' }, h('legend', {}, t('log.host')), radios));
    const kind = choice(KINDS, data.kind ?? 'meeting', (k) => t(`kind.${k}`));
    controls.push(['kind', () => kind.value, data.kind ?? 'meeting']);
    parts.push(field(t('log.kind'), kind), text('place', t('log.place')), text('note', t('log.note'), { area: true }));
  } else if (PERSON_FIELDS[type]) {
    const [first, referred] = PERSON_FIELDS[type];
    parts.push(person(first, t(`history.${type}.${first}`)), person(referred, t(`history.${type}.referred`)),
      text('note', t('log.note'), { area: true }));
  } else if (type === 'thanks_sent' || type === 'thanks_received') {
    const optional = type === 'thanks_received';
    const channel = choice(CHANNELS, data.channel ?? '', (c) => t(`history.channel.${c}`), { empty: optional });
    controls.push(['channel', () => channel.value, data.channel ?? '']);
    parts.push(field(t('history.channel'), channel), text('note', t('log.note'), { area: true }));
  } else if (type === 'job_found') {
    parts.push(text('job', t('job.what')), text('employer', t('job.employer')), text('note', t('log.note'), { area: true }));
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'edit-event', novalidate: true, dataset: { event: entry.event }, onsubmit: async (event) => {
    event.preventDefault();
    const { CommandError, correctEvent, fromLocalInput } = loaded;
    const changes = {};
    for (const [name, read, initial] of controls) {
      const value = read();
      if (JSON.stringify(value) !== JSON.stringify(initial)) changes[name] = value === '' ? null : value;
    }
    const moved = when.value !== initialAt ? fromLocalInput(when.value) ?? new Date(NaN) : null;
    let events;
    try {
      events = correctEvent(model.allLocalEvents(), entry.event, { when: moved, changes });
    } catch (problem) {
      if (!(problem instanceof CommandError)) throw problem;
      error.textContent = t(problem.key, problem.params);
      (problem.input === 'at' ? when : form.querySelector('input, select'))?.focus();
      return;
    }
    after = { event: entry.event, tool: 'edit', since: Date.now() };
    await ctx.recordUndoable(events, t('toast.corrected'));
  } },
  h('h3', { class: 'panel-title' }, t('history.edit_title', { what: lineLabel(entry) })),
  parts, error,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'button primary' }, t('action.save')),
    h('button', { type: 'button', class: 'button quiet', onclick: done }, t('action.cancel'))));
  return form;
}

/** The people of a meeting: a checkbox each (unchecked: left out), and a list to add someone. */
function peoplePicker(contacts, controls) {
  const list = h('div', { class: 'radios people-checks' });
  const add = (id, checked) => {
    list.append(h('label', {}, h('input', { type: 'checkbox', value: id, checked }), model.nameOf(id)));
  };
  for (const id of contacts) add(id, true);
  const adder = h('select', { onchange: () => {
    if (!adder.value) return;
    const there = [...list.querySelectorAll('input')].find((i) => i.value === adder.value);
    if (there) there.checked = true; else add(adder.value, true);
    adder.value = '';
  } }, peopleOptions(null, { empty: true }));
  adder.firstChild.textContent = t('history.add_person');
  controls.push(['contacts', () => [...list.querySelectorAll('input:checked')].map((i) => i.value), contacts]);
  return h('fieldset', {}, h('legend', {}, t('history.people')), list, field(t('history.add_person_label'), adder));
}

/** "Remove this from the history?" — an `event_retracted`; the toast's Undo logs it again (restoreEvent). */
function removeConfirm(ctx, entry, done) {
  const merge = entry.type === 'contacts_merged';
  const id = nextId('rm');
  const error = h('p', { class: 'error', role: 'alert' });
  return h('div', { class: 'remove-confirm', role: 'group', 'aria-labelledby': id },
    h('p', { class: 'hint', id }, t(merge ? 'history.remove_merge_confirm' : 'history.remove_confirm')), error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button danger', onclick: async () => {
        const { CommandError, removeEvent, restoreEvent } = loaded;
        let events;
        try {
          events = removeEvent(model.allLocalEvents(), entry.event);
        } catch (problem) {
          if (!(problem instanceof CommandError)) throw problem;
          error.textContent = t(problem.key, problem.params);
          return;
        }
        after = { event: entry.event, tool: 'remove', since: Date.now() };
        await ctx.recordUndoable(events, t(merge ? 'toast.unmerged' : 'toast.removed'),
          { undo: () => restoreEvent(model.allLocalEvents(), entry.event) });
      } }, t(merge ? 'history.remove_merge' : 'history.remove')),
      h('button', { type: 'button', class: 'button quiet', onclick: done }, t('action.cancel'))));
}
