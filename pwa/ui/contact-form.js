/** A contact's fields on screen: the Contacts screen's "Add a contact" (short, the rest behind "More fields",
 * with a warning when the person seems to be there already) and the contact page's "Edit details". Every field
 * `contact_added` and `contact_updated` carry, each input bounded by the catalogue's limits. */

import { h, field, fill, nextId } from './dom.js';
import { t } from './i18n.js';
import { limit } from '../lib/catalogue.js';
import { uuidv7 } from '../lib/ids.js';
import { sameAs } from '../lib/people.js';
import * as model from './model.js';
import { tagsField } from './ideas.js';
import { parseTags } from '../lib/ideas.js';

/** The text fields of a contact, in the order the forms show them: [field, input type, autocomplete]. */
const TEXTS = [['email', 'email', 'off'], ['org', 'text', 'off'], ['phone', 'tel', 'off'], ['title', 'text', 'off']];

/** The inputs of every field but the name, bounded by `type`'s limits ('contact_added' or 'contact_updated'),
 * filled from `fields` (a contact's current values). */
function inputs(type, fields = {}) {
  const made = {};
  for (const [key, kind, autocomplete] of TEXTS) {
    made[key] = h('input', { type: kind, autocomplete, maxLength: limit(type, key).max, value: fields[key] ?? '' });
  }
  // what they follow, with the tags already used one tap away: Today offers them the ideas of the same topics
  made.tagBox = tagsField(fields.tags ?? []);
  made.tags = made.tagBox.input;
  made.note = h('textarea', { rows: 3, maxLength: limit(type, 'note').max, value: fields.note ?? '' });
  const days = limit(type, 'cadence_days');
  made.cadence = h('input', { type: 'number', min: days.ge, max: days.le, inputMode: 'numeric',
    value: fields.cadence_days ?? '' });
  return made;
}

/** The tags typed ("a, b"; the same tag twice, case and accents aside, once), or {error} when they break the
 * catalogue's limits. */
function readTags(type, text) {
  const tags = parseTags(text);
  const list = limit(type, 'tags');
  if (tags.length > list.max) return { error: t('contact.error_tags_many', { max: list.max }) };
  const long = tags.find((tag) => [...tag].length > list.item.max);
  if (long) return { error: t('contact.error_tag_long', { tag: long, max: list.item.max }) };
  return { tags };
}

/** The cadence typed: a number of days within the limits, null when empty, or {error}. */
function readCadence(type, input) {
  if (input.value === '') return { days: null };
  const days = Number(input.value);
  const bounds = limit(type, 'cadence_days');
  if (!(Number.isInteger(days) && days >= bounds.ge && days <= bounds.le)) {
    return { error: t('contact.error_cadence', { min: bounds.ge, max: bounds.le }) };
  }
  return { days };
}

/** What the inputs hold, as event data: {data} (only the fields given values: text trimmed, tags a list, the
 * cadence a number; empty ones null), or {error, input}. */
function read(type, made) {
  const data = {};
  for (const [key] of TEXTS) data[key] = made[key].value.trim() || null;
  data.note = made.note.value.trim() || null;
  const tags = readTags(type, made.tags.value);
  if (tags.error) return { error: tags.error, input: made.tags };
  data.tags = tags.tags.length ? tags.tags : null;
  const cadence = readCadence(type, made.cadence);
  if (cadence.error) return { error: cadence.error, input: made.cadence };
  data.cadence_days = cadence.days;
  return { data };
}

/** The fields behind a disclosure ("More fields"), or shown as they are. */
function moreFields(made) {
  return [
    field(t('contact.phone'), made.phone),
    field(t('contact.title_field'), made.title),
    made.tagBox.element,
    field(t('contact.note'), made.note),
    field(t('contact.cadence'), made.cadence, t('contact.cadence_hint')),
  ];
}

/** A button that shows or hides `box` (aria-expanded says which). */
function disclosure(label, box) {
  box.id ||= nextId('more');
  const button = h('button', { type: 'button', class: 'button quiet disclosure', 'aria-expanded': 'false',
    'aria-controls': box.id, onclick: () => {
      box.hidden = !box.hidden;
      button.setAttribute('aria-expanded', String(!box.hidden));
      if (!box.hidden) box.querySelector('input, textarea')?.focus();
    } }, label);
  return button;
}

// --- add ------------------------------------------------------------------------------------------------

/** "Add a contact": name, email, organisation; the other fields behind "More fields". A name (accents and case
 * aside) or an email an existing contact has is said as it is typed, and "Add" saves nothing until the person
 * chose: open the existing one, merge (the new one saved, then the merge screen), or add anyway. */
export function addContact(ctx) {
  const name = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('contact_added', 'name').max, required: true });
  const made = inputs('contact_added');
  const extra = h('div', { class: 'more-fields', hidden: true }, moreFields(made));
  const error = h('p', { class: 'error', role: 'alert' });
  const warning = h('div', { class: 'warning', role: 'status' });
  const people = () => model.contacts().map((c) => ({ id: c.id, name: c.name, email: c.fields.get('email') }));
  /** The existing contacts this one would duplicate (sameAs, as the log form's: lib/people.js). */
  const duplicates = () => sameAs(people(), { name: name.value, email: made.email.value });

  /** The new contact's event, or null after saying what to fix. */
  const build = async () => {
    error.textContent = '';
    if (!name.value.trim()) { error.textContent = t('contacts.error_name'); name.focus(); return null; }
    const found = read('contact_added', made);
    if (found.error) {
      error.textContent = found.error;
      if (found.input === made.tags || found.input === made.cadence) showExtra();
      found.input.focus();
      return null;
    }
    const data = { contact: uuidv7(), name: name.value.trim() };
    for (const [key, value] of Object.entries(found.data)) if (value !== null) data[key] = value;
    const { makeEvent } = await import('../lib/commands.js');
    return makeEvent('contact_added', data);
  };
  const save = async () => {
    const event = await build();
    if (!event) return null;
    await ctx.recordUndoable([event], t('toast.contact_added', { name: event.data.name }));
    return event;
  };

  const warn = () => {
    const same = duplicates();
    if (!same.length) { fill(warning); return same; }
    fill(warning,
      h('p', {}, t(same.length === 1 ? 'contacts.same_one' : 'contacts.same_many', { count: same.length })),
      h('ul', { class: 'same' }, same.map((c) => h('li', {},
        h('span', { class: 'name' }, c.name, c.email ? h('span', { class: 'muted' }, ` · ${c.email}`) : null),
        h('span', { class: 'actions' },
          h('a', { class: 'button small', href: `#/contacts/${encodeURIComponent(c.id)}` }, t('contacts.open_existing', { name: c.name })),
          mergeLink(c))))),
      h('button', { type: 'submit', class: 'button small quiet', dataset: { anyway: 'true' } }, t('contacts.add_anyway')));
    return same;
  };
  /** "Merge": the new contact saved, then the merge screen with both, the existing record (and its history) kept
   * unless the person picks the new one there (`#/merge/{existing}/{new}`: ui/merge.js keeps the first). */
  const mergeLink = (existing) => h('a', { class: 'button small', href: `#/merge/${encodeURIComponent(existing.id)}`,
    onclick: async (event) => {
      event.preventDefault();
      const saved = await save();
      if (saved) ctx.navigate(`#/merge/${encodeURIComponent(existing.id)}/${encodeURIComponent(saved.data.contact)}`);
    } }, t('contacts.merge_with', { name: existing.name }));
  name.addEventListener('input', warn);
  made.email.addEventListener('input', warn);

  const showExtra = () => {
    extra.hidden = false;
    more.setAttribute('aria-expanded', 'true');
  };
  const more = disclosure(t('contact.more_fields'), extra);
  const form = h('form', { class: 'more', hidden: true, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const anyway = event.submitter?.dataset.anyway === 'true';
    if (!anyway && warn().length) {
      error.textContent = t('contacts.same_first');
      warning.querySelector('a')?.focus();
      return;
    }
    await save();
  } },
  field(t('contact.name'), name), field(t('contact.email'), made.email), field(t('contact.org'), made.org),
  warning, more, extra, error,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'button primary' }, t('contacts.add_save')),
    h('button', { type: 'button', class: 'button quiet', onclick: () => { form.hidden = true; open.hidden = false; open.focus(); } },
      t('action.cancel'))));
  const open = h('button', { type: 'button', class: 'button',
    onclick: () => { form.hidden = false; open.hidden = true; name.focus(); } }, t('contacts.add'));
  return h('div', { class: 'add-contact' }, open, form);
}

// --- edit -----------------------------------------------------------------------------------------------

/** "Edit details": every field, as it is now; only what changed is recorded (a contact_updated; an emptied
 * field is cleared with null). */
export function edit(ctx, id, history) {
  const f = history.fields;
  const name = h('input', { type: 'text', value: history.name, maxLength: limit('contact_updated', 'name').max, required: true });
  const made = inputs('contact_updated', f);
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'more', hidden: true, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!name.value.trim()) { error.textContent = t('contacts.error_name'); name.focus(); return; }
    const found = read('contact_updated', made);
    if (found.error) { error.textContent = found.error; found.input.focus(); return; }
    const data = { contact: id };
    if (name.value.trim() !== history.name) data.name = name.value.trim();
    for (const [key, value] of Object.entries(found.data)) {
      if (JSON.stringify(value) !== JSON.stringify(f[key] ?? null)) data[key] = value;
    }
    const { makeEvent } = await import('../lib/commands.js');
    if (Object.keys(data).length > 1) await ctx.recordUndoable([makeEvent('contact_updated', data)], t('toast.saved'));
    else ctx.toast(t('toast.saved'));
  } },
  field(t('contact.name'), name), field(t('contact.email'), made.email), field(t('contact.org'), made.org),
  moreFields(made), error,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'button primary' }, t('action.save')),
    h('button', { type: 'button', class: 'button quiet', onclick: () => { form.hidden = true; } }, t('action.cancel'))));
  return h('div', { class: 'contact-actions' },
    h('button', { type: 'button', class: 'button', onclick: () => { form.hidden = false; name.focus(); } }, t('contact.edit')),
    form);
}

// --- the contact page's header --------------------------------------------------------------------------

/** What the contact page shows under the name: title · organisation, phone (a tel: link), email, tags as chips,
 * the notes. `fields`: the history's (only those with a value). */
export function contactDetails(fields) {
  const line = [fields.title, fields.org].filter(Boolean).join(' · ');
  const phone = fields.phone ? fields.phone.replace(/[^\d+]/g, '') : '';
  return h('div', { class: 'contact-details' },
    line ? h('p', { class: 'subtitle' }, line) : null,
    fields.phone || fields.email ? h('p', { class: 'reach' },
      fields.phone ? h('a', { href: `tel:${phone}` }, fields.phone) : null,
      fields.email ? h('a', { href: `mailto:${fields.email}` }, fields.email) : null) : null,
    fields.tags?.length ? h('ul', { class: 'tags', 'aria-label': t('contact.tags') },
      fields.tags.map((tag) => h('li', { class: 'tag' }, tag))) : null,
    fields.note ? h('p', { class: 'note' }, fields.note) : null);
}
