/** Log a meeting in a few taps: who (picked or created on the fly), when (now by default), who received
 * whom, where, a note, the names they gave me and the names I gave them. One save records every event, built
 * from what the form holds by lib/commands.js `logMeeting`. */

import { h, field, fill, nextId } from './dom.js';
import { t } from './i18n.js';
import { limit } from '../lib/catalogue.js';
import { uuidv7 } from '../lib/ids.js';
import * as model from './model.js';
import { fold, sameAs, search } from '../lib/people.js';
import { briefView } from './story.js';

export const KINDS = ['meeting', 'coffee', 'call', 'video', 'event'];
const SUGGESTIONS = 6;

/** "2026-05-12T10:30" for a datetime-local input, in the device's own time. */
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `#/log` or `#/log/{referral}`: the meeting with the person a referral named ("We met"), which also
 * records the referral's outcome; `#/log?with={contact}` (the contact page's "Log a meeting with …"): that
 * person picked already. As soon as a known person is picked, the brief of what is still open between you shows
 * above the save button ("before you meet again"). */
export function renderLog(ctx, referralId = null, withId = null) {
  const known = model.contacts().filter((c) => !c.archived).sort((a, b) => a.name.localeCompare(b.name));
  const people = known.map((c) => ({ id: c.id, name: c.name, org: c.fields.get('org'), email: c.fields.get('email') }));
  const chosen = []; // [{id, name, isNew, emailInput?}]
  const referral = referralId ? model.referralOf(referralId) : null;
  const met = referral?.kind === 'given' ? referral.data : null;
  if (met) chosen.push({ id: met.referred, name: model.nameOf(met.referred), isNew: false });
  const asked = withId ? known.find((c) => c.id === withId) : undefined;
  if (asked && !chosen.some((c) => c.id === asked.id)) chosen.push({ id: asked.id, name: asked.name, isNew: false });
  const chips = h('ul', { class: 'chips', 'aria-label': t('log.chosen') });
  const suggestions = h('ul', { class: 'suggestions', id: nextId('sugg') });
  const who = h('input', {
    type: 'text', autocomplete: 'off', enterkeyhint: 'done', placeholder: t('log.who_placeholder'),
    'aria-controls': suggestions.id,
  });
  const newEmails = h('div', { class: 'new-emails' });
  const errors = h('p', { class: 'error', role: 'alert' });
  const briefs = h('div', { class: 'log-briefs' });
  let briefTurn = 0;

  /** One compact brief per known person picked, in the order picked; none for someone with nothing open. The
   * engine tells each story (the contact page's, cached): at once when known, else as soon as it answers. */
  function drawBriefs() {
    const mine = ++briefTurn;
    const today = model.today();
    const ids = chosen.filter((c) => !c.isNew).map((c) => c.id);
    const show = (stories) => {
      if (mine !== briefTurn) return; // the people picked changed meanwhile: a newer drawing is on its way
      fill(briefs, stories.map((story) => (story ? briefView(story, { id: nextId('brief-h'), compact: true }) : null)));
    };
    const ready = ids.map((id) => model.contactStoryNow(id, today));
    if (ready.every((story) => story !== undefined)) show(ready);
    else Promise.all(ids.map((id) => model.prepareContactStory(id, today))).then(show, (error) => console.warn('story', error));
  }

  // A sync (or another tab) that brings what changes what is open with the people picked redraws their briefs,
  // not the form (app.js FORMS): what is typed stays. Once the form is gone, the next change lets go of it.
  const onLogChange = () => {
    if (briefs.isConnected) drawBriefs();
    else model.changes.removeEventListener('version', onLogChange);
  };
  model.changes.addEventListener('version', onLogChange);

  const now = new Date();
  const at = h('input', { type: 'datetime-local', value: localInputValue(now), required: true,
    max: localInputValue(new Date(now.getTime() + 60_000)) }); // a minute ahead, as logMeeting allows
  const hostThem = h('input', { type: 'radio', name: 'host', value: 'them', checked: true, id: nextId('host') });
  const hostMe = h('input', { type: 'radio', name: 'host', value: 'me', id: nextId('host') });
  const kind = h('select', {}, KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))));
  const place = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('meeting_logged', 'place').max });
  const note = h('textarea', { rows: 3, maxLength: limit('meeting_logged', 'note').max });

  const datalist = h('datalist', { id: nextId('names') }, known.map((c) => h('option', { value: c.name })));
  const received = referralList('given', datalist.id, chosen);
  const given = referralList('made', datalist.id, chosen);

  function redraw() {
    chips.replaceChildren(...chosen.map((c, i) => h('li', { class: 'chip' },
      h('span', {}, c.name, c.isNew ? h('span', { class: 'new' }, ` · ${t('log.new')}`) : null),
      h('button', { type: 'button', class: 'chip-x', 'aria-label': t('log.remove', { name: c.name }),
        onclick: () => { chosen.splice(i, 1); redraw(); who.focus(); } }, '×'))));
    newEmails.replaceChildren(...chosen.filter((c) => c.isNew).map((c) => {
      if (!c.emailInput) {
        c.emailInput = h('input', { type: 'email', autocomplete: 'off', maxLength: limit('contact_added', 'email').max });
        c.warning = h('div', { class: 'warning', role: 'status' });
        c.emailInput.addEventListener('input', () => warnSame(c));
      }
      return h('div', {}, field(t('log.email_of', { name: c.name }), c.emailInput, t('log.email_hint')), c.warning);
    }));
    received.refresh();
    given.refresh();
    suggest();
    drawBriefs();
  }

  /** A new person whose email is an existing contact's: say so, and offer the existing one instead. */
  function warnSame(entry) {
    const [existing] = sameAs(people, { name: '', email: entry.emailInput.value });
    if (!existing || chosen.some((c) => c.id === existing.id)) { entry.warning.replaceChildren(); return; }
    entry.warning.replaceChildren(
      h('p', {}, t('log.same_person', { name: existing.name, email: existing.email })),
      h('button', { type: 'button', class: 'button small', onclick: () => {
        chosen.splice(chosen.indexOf(entry), 1, { id: existing.id, name: existing.name, isNew: false });
        redraw();
        who.focus();
      } }, t('log.use_existing', { name: existing.name })));
  }

  function choose(entry) {
    chosen.push(entry);
    who.value = '';
    redraw();
    who.focus();
  }

  function suggest() {
    const text = who.value.trim();
    const folded = fold(text);
    const ids = new Set(chosen.map((c) => c.id));
    // Case and accents aside, any word of the name or organisation: "herve" finds Hervé, "lem" Paul Lemaire.
    const matches = search(people, text).filter((c) => !ids.has(c.id)).slice(0, text ? SUGGESTIONS : 3);
    const items = matches.map((c) => h('li', {}, h('button', { type: 'button', class: 'suggestion',
      onclick: () => choose({ id: c.id, name: c.name, isNew: false }) }, c.name,
    c.org ? h('span', { class: 'muted' }, ` · ${c.org}`) : null)));
    // The same name, accents and case aside, is that person: no "Add" to make a duplicate.
    const exact = people.some((c) => fold(c.name) === folded) || chosen.some((c) => fold(c.name) === folded);
    if (text && !exact) {
      items.push(h('li', {}, h('button', { type: 'button', class: 'suggestion add',
        onclick: () => choose({ id: uuidv7(), name: text, isNew: true }) }, t('log.add_new', { name: text }))));
    }
    suggestions.replaceChildren(...items);
  }

  who.addEventListener('input', suggest);
  who.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    chooseTyped();
  });

  /** The typed name: the contact of that exact name, else a new contact. */
  function chooseTyped() {
    const typed = who.value.trim();
    if (!typed || chosen.some((c) => fold(c.name) === fold(typed))) { who.value = ''; return; }
    const [match] = sameAs(people, { name: typed });
    choose(match ? { id: match.id, name: match.name, isNew: false } : { id: uuidv7(), name: typed, isNew: true });
  }

  async function save(event) {
    event.preventDefault();
    errors.textContent = '';
    chooseTyped();
    // The builders come with the decoder that checks what they make: loaded on the first save, not to draw the form.
    const [{ CommandError, fromLocalInput, logMeeting }, { EventError }] = await Promise.all([
      import('../lib/commands.js'), import('../lib/rules/events.js')]);
    let events;
    try {
      events = logMeeting({
        people: chosen.map(({ id, name, isNew, emailInput }) => ({ id, name, isNew, email: emailInput?.value })),
        at: fromLocalInput(at.value),
        host: hostMe.checked ? 'me' : 'them', kind: kind.value, place: place.value, note: note.value,
        received: received.rows(), given: given.rows(), referral: met ? referralId : null,
      }, { known });
    } catch (error) {
      if (!(error instanceof CommandError || error instanceof EventError)) throw error;
      // A CommandError is the form's to word; an EventError (a name longer than the wire format takes, say)
      // is the decoder's sentence: either way nothing is queued that the server would refuse.
      errors.textContent = error instanceof CommandError ? t(error.key, error.params) : error.message;
      (error.input === 'at' ? at : who).focus();
      return;
    }
    await ctx.recordUndoable(events, t('toast.meeting_saved'));
    ctx.navigate('#/today');
  }

  const form = h('form', { class: 'log', onsubmit: save, novalidate: true },
    h('fieldset', {},
      h('legend', {}, t('log.who')),
      chips,
      field(t('log.who_label'), who),
      suggestions,
      newEmails),
    field(t('log.when'), at),
    h('fieldset', { class: 'radios' },
      h('legend', {}, t('log.host')),
      h('label', { for: hostThem.id }, hostThem, t('log.host_them')),
      h('label', { for: hostMe.id }, hostMe, t('log.host_me'))),
    field(t('log.kind'), kind),
    field(t('log.place'), place),
    field(t('log.note'), note),
    received.element,
    given.element,
    datalist,
    briefs,
    errors,
    h('button', { type: 'submit', class: 'button primary wide' }, t('log.save')));

  redraw();
  return h('div', { class: 'screen' },
    h('h1', { tabindex: '-1' }, t('log.title')),
    met ? h('p', { class: 'notice' }, t('log.from_referral', {
      referred: model.nameOf(met.referred), introducer: model.nameOf(met.introducer) })) : null,
    form,
    jobFound(ctx));
}

/** Names received (`given`: they gave me a name) or given (`made`: I gave them one), as rows of
 * (name, which of the people met). */
function referralList(kind, datalistId, chosen) {
  const list = h('ul', { class: 'referrals' });
  const rows = [];
  const add = h('button', { type: 'button', class: 'button quiet', onclick: () => { addRow(); } }, t(`log.${kind}_add`));
  const hint = h('p', { class: 'hint' }, t('log.referral_need_contact'));

  function addRow() {
    const name = h('input', { type: 'text', autocomplete: 'off', maxLength: limit('contact_added', 'name').max });
    name.setAttribute('list', datalistId);
    const who = h('select', {});
    const row = { name, who };
    const li = h('li', { class: 'referral' },
      field(t(`log.${kind}_name`), name),
      field(t(`log.${kind}_who`), who),
      h('button', { type: 'button', class: 'button quiet', onclick: () => {
        rows.splice(rows.indexOf(row), 1); li.remove(); add.focus();
      } }, t('log.referral_remove')));
    rows.push(row);
    list.append(li);
    refresh();
    name.focus();
  }

  function refresh() {
    for (const { who } of rows) {
      const keep = who.value;
      who.replaceChildren(...chosen.map((c) => h('option', { value: c.id }, c.name)));
      if (chosen.some((c) => c.id === keep)) who.value = keep;
    }
    add.disabled = !chosen.length;
    hint.hidden = chosen.length > 0;
  }

  const element = h('fieldset', {}, h('legend', {}, t(`log.${kind}_legend`)), list, add, hint);
  return {
    element,
    refresh,
    rows: () => rows.filter((r) => r.name.value.trim() && r.who.value)
      .map((r) => ({ name: r.name.value.trim(), who: r.who.value })),
  };
}

/** Rule 3: the day I find a job (D), everyone who helped since the last one is to be told. The form records
 * the title, the employer and the day; once saved, the message names who to tell (the announce obligations the
 * engine now has, listed on Today). */
function jobFound(ctx) {
  const title = h('input', { type: 'text', autocomplete: 'organization-title', maxLength: limit('job_found', 'job').max });
  const employer = h('input', { type: 'text', autocomplete: 'organization', maxLength: limit('job_found', 'employer').max });
  const today = localInputValue(new Date()).slice(0, 10);
  const day = h('input', { type: 'date', value: today, max: today, required: true });
  const errors = h('p', { class: 'error', role: 'alert' });
  const confirm = h('div', { class: 'more', hidden: true },
    h('p', { class: 'hint' }, t('job.confirm')),
    field(t('job.what'), title),
    field(t('job.employer'), employer),
    field(t('job.day'), day, t('job.day_hint')),
    errors,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button primary', onclick: async () => {
        const { CommandError, jobFound: build } = await import('../lib/commands.js');
        let events;
        try {
          events = build({ job: title.value, employer: employer.value, day: day.value });
        } catch (error) {
          if (!(error instanceof CommandError)) throw error;
          errors.textContent = t(error.key, error.params);
          day.focus();
          return;
        }
        await ctx.record(events);
        const { doc } = await model.prepare();
        const helpers = doc.obligations.filter((o) => o.rule === 'announce' && o.trigger === events[0].id)
          .map((o) => model.nameOf(o.creditor));
        const message = helpers.length
          ? t('toast.job_helpers', { count: helpers.length, names: helpers.join(', ') })
          : t('toast.job_nobody');
        ctx.toast(message, { undo: events });
        ctx.navigate('#/today');
      } }, t('job.yes')),
      h('button', { type: 'button', class: 'button quiet', onclick: () => { confirm.hidden = true; } }, t('action.cancel'))));
  return h('section', { class: 'job', 'aria-labelledby': 'job-h' },
    h('h2', { id: 'job-h' }, t('job.title')),
    h('p', { class: 'hint' }, t('job.hint')),
    h('button', { type: 'button', class: 'button', onclick: () => { confirm.hidden = false; title.focus(); } },
      t('job.button')),
    confirm);
}
