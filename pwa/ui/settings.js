/** Settings: the account's (time zone, reminder hour, default cadence, language — recorded as a
 * settings_changed event), reminders on this device and their delivery log, this account's devices,
 * contacts in and out (vCard, LinkedIn CSV), the private calendar feed, export, log out. */

import { h, field, fill } from './dom.js';
import { t, formatInstant, language } from './i18n.js';
import { limit } from '../lib/catalogue.js';
import * as api from '../lib/api.js';
import { allEvents } from '../lib/db.js';
import * as model from './model.js';
import * as push from '../lib/push.js';
import { syncNow } from '../lib/sync.js';
import { PASSWORD_MIN_LENGTH } from './auth.js';

/** Old names the browser may still give (ICU keeps them) and the names in use today. */
const CURRENT_NAMES = {
  'Asia/Calcutta': 'Asia/Kolkata', 'Europe/Kiev': 'Europe/Kyiv', 'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu', 'Asia/Rangoon': 'Asia/Yangon', 'Atlantic/Faeroe': 'Atlantic/Faroe',
  'America/Godthab': 'America/Nuuk', 'Pacific/Truk': 'Pacific/Chuuk', 'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Enderbury': 'Pacific/Kanton', 'Europe/Uzhgorod': 'Europe/Kyiv', 'Europe/Zaporozhye': 'Europe/Kyiv',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires', 'Asia/Ulan_Bator': 'Asia/Ulaanbaatar',
};
const currentName = (zone) => CURRENT_NAMES[zone] ?? zone;

/** The time zones to pick from, in today's names: the account's and the device's first, then the rest. */
export function zoneChoices(current, detected = Intl.DateTimeFormat().resolvedOptions().timeZone) {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const first = [currentName(current), currentName(detected)];
  return [...new Set([...first, ...all.map(currentName).sort()])].filter(Boolean);
}

/** A searchable time-zone box (an input with its list of names): typing "kolk" or "kyiv" narrows it. */
function zonePicker(current) {
  const choices = zoneChoices(current);
  const list = h('datalist', { id: 'zones' }, choices.map((z) => h('option', { value: z })));
  const input = h('input', { type: 'text', value: currentName(current), autocomplete: 'off', spellcheck: false,
    autocapitalize: 'none', enterkeyhint: 'done' });
  input.setAttribute('list', list.id);
  return { input, list, known: new Set(choices) };
}

export function renderSettings(ctx) {
  const s = model.settings();
  const tz = model.timeZone();
  const zone = zonePicker(tz);
  const hour = h('select', {}, Array.from({ length: 24 }, (_, n) => h('option', { value: String(n), selected: n === s.reminder_hour },
    `${String(n).padStart(2, '0')}:00`)));
  const most = limit('settings_changed', 'cadence_days').le; // at least a day here: 0 would ask every day
  const cadence = h('input', { type: 'number', min: 1, max: most, inputMode: 'numeric', value: s.cadence_days, required: true });
  const lang = h('select', {}, ['fr', 'en'].map((l) => h('option', { value: l, selected: l === language }, t(`lang.${l}`))));
  const error = h('p', { class: 'error', role: 'alert' });

  const save = async (event) => {
    event.preventDefault();
    error.textContent = '';
    const days = Number(cadence.value);
    if (!(Number.isInteger(days) && days >= 1 && days <= most)) { error.textContent = t('settings.error_cadence'); cadence.focus(); return; }
    const data = {};
    const picked = zone.input.value.trim();
    if (!zone.known.has(picked)) { error.textContent = t('settings.error_zone', { zone: picked }); zone.input.focus(); return; }
    if (picked !== currentName(tz)) data.timezone = picked;
    if (Number(hour.value) !== s.reminder_hour) data.reminder_hour = Number(hour.value);
    if (days !== s.cadence_days) data.cadence_days = days;
    if (lang.value !== (s.language ?? language)) data.language = lang.value;
    const { makeEvent } = await import('../lib/commands.js');
    if (Object.keys(data).length) await ctx.record([makeEvent('settings_changed', data)]);
    if (data.language) await ctx.setLanguage(data.language);
    ctx.toast(t('toast.saved'));
  };

  const devices = h('div', { class: 'devices' }, h('p', { class: 'calm' }, t('settings.devices_loading')));
  loadDevices(ctx, devices);
  const reminders = h('div', { class: 'reminders' });
  renderReminders(ctx, reminders, s.reminder_hour);

  return h('div', { class: 'screen' },
    h('h1', { tabindex: '-1' }, t('settings.title')),
    h('form', { class: 'settings', onsubmit: save, novalidate: true },
      field(t('settings.timezone'), zone.input, t('settings.timezone_hint', {
        zone: currentName(Intl.DateTimeFormat().resolvedOptions().timeZone) })),
      zone.list,
      field(t('settings.reminder_hour'), hour, t('settings.reminder_hint')),
      field(t('settings.cadence'), cadence, t('settings.cadence_hint')),
      field(t('settings.language'), lang),
      error,
      h('button', { type: 'submit', class: 'button primary' }, t('action.save'))),
    h('section', { 'aria-labelledby': 'push-h' }, h('h2', { id: 'push-h' }, t('push.title')), reminders),
    h('section', { 'aria-labelledby': 'dev-h' }, h('h2', { id: 'dev-h' }, t('settings.devices')), devices),
    h('section', { 'aria-labelledby': 'contacts-h' },
      h('h2', { id: 'contacts-h' }, t('interop.contacts')), contactsInOut(ctx)),
    h('section', { 'aria-labelledby': 'calendar-h' },
      h('h2', { id: 'calendar-h' }, t('interop.calendar')), calendarFeed(ctx)),
    h('section', { 'aria-labelledby': 'data-h' },
      h('h2', { id: 'data-h' }, t('settings.data')),
      h('p', { class: 'hint' }, t('settings.export_hint')),
      h('button', { type: 'button', class: 'button', onclick: () => exportLog(ctx) }, t('settings.export'))),
    h('section', { 'aria-labelledby': 'acct-h' },
      h('h2', { id: 'acct-h' }, t('settings.account')),
      h('p', {}, t('settings.signed_in_as', { email: ctx.session.email })),
      logout(ctx),
      changePassword(ctx),
      importLog(ctx),
      eraseAccount(ctx)));
}

async function loadDevices(ctx, box) {
  let answer;
  try {
    answer = await api.listDevices(ctx.session.token);
  } catch (error) {
    fill(box, h('p', { class: 'calm' }, error instanceof api.Unreachable ? t('settings.devices_offline') : error.message));
    return;
  }
  const tz = model.timeZone();
  fill(box, h('ul', { class: 'rows' }, answer.devices.map((d) => h('li', { class: 'row device' },
    h('span', { class: 'what' }, d.name, d.current ? h('span', { class: 'badge' }, t('settings.this_device')) : null),
    h('span', { class: 'when' }, d.last_seen_at ? t('settings.last_seen', { date: formatInstant(d.last_seen_at, tz) })
      : t('settings.added', { date: formatInstant(d.created_at, tz) })),
    d.current ? null : h('button', { type: 'button', class: 'button quiet small', 'aria-label': t('settings.revoke_named', { name: d.name }),
      onclick: async () => {
        try {
          await api.revokeDevice(ctx.session.token, d.id);
          ctx.toast(t('toast.revoked', { name: d.name }));
          loadDevices(ctx, box);
        } catch (error) { ctx.toast(error.message); }
      } }, t('settings.revoke'))))));
}

/** Reminders on this device: the switch (permission is asked on the tap), why it cannot be on where it
 * cannot (iOS outside the Home Screen, blocked, unsupported), the test notification, the delivery log. */
async function renderReminders(ctx, box, hour) {
  const state = push.support();
  const log = h('div', { class: 'delivery-log' });
  if (state !== 'ok') {
    fill(box, h('p', { class: state === 'blocked' ? 'error' : 'hint' }, t(`push.${state}`)), log);
    if (state === 'blocked') loadDeliveryLog(ctx, log);
    return;
  }
  const on = await push.isOn();
  const status = h('p', { class: 'hint', role: 'status' });
  const toggle = h('input', { type: 'checkbox', role: 'switch', checked: on, 'aria-describedby': 'push-hint' });
  const test = h('button', { type: 'button', class: 'button', hidden: !on, onclick: () => sendTest(ctx, test) }, t('push.test'));
  toggle.addEventListener('change', async () => {
    const wanted = toggle.checked;
    toggle.disabled = true;
    status.textContent = '';
    try {
      if (wanted) await push.enable(ctx.session.token); else await push.disable(ctx.session.token);
      status.textContent = t(wanted ? 'push.on' : 'push.off');
    } catch (error) {
      toggle.checked = !wanted;
      status.textContent = subscribeFailure(error);
      status.className = 'error';
    } finally {
      toggle.disabled = false;
      test.hidden = !(await push.isOn());
      loadDeliveryLog(ctx, log);
    }
  });
  fill(box,
    h('label', { class: 'switch' }, toggle, h('span', {}, t('push.switch'))),
    h('p', { class: 'hint', id: 'push-hint' }, t('push.hint', { hour: String(hour).padStart(2, '0') })),
    status,
    h('div', { class: 'actions' }, test),
    log);
  loadDeliveryLog(ctx, log);
}

/** Why reminders could not be turned on or off, in the person's language (the browser's own text, in its
 * language and for developers, goes to the console). */
function subscribeFailure(error) {
  if (error instanceof push.PushRefused) return t('push.denied');
  if (error instanceof api.Unreachable) return t('push.offline');
  console.info('reminders:', error);
  if (error instanceof api.ApiError) return t('push.failed_server');
  return t('push.failed_browser');
}

async function sendTest(ctx, button) {
  button.disabled = true;
  try {
    await push.sendTest(ctx.session.token);
    ctx.toast(t('push.test_sent'));
  } catch (error) {
    ctx.toast(error instanceof api.Unreachable ? t('push.offline') : error.message);
  } finally {
    button.disabled = false;
    loadDeliveryLog(ctx, button.closest('.reminders')?.querySelector('.delivery-log'));
  }
}

/** Each subscribed device: when a reminder last got through, and when and why one last did not. */
async function loadDeliveryLog(ctx, box) {
  if (!box) return;
  let answer;
  try {
    answer = await push.deliveryLog(ctx.session.token);
  } catch (error) {
    fill(box, h('p', { class: 'calm' }, error instanceof api.Unreachable ? t('push.log_offline') : error.message));
    return;
  }
  const tz = model.timeZone();
  const rows = answer.subscriptions.map((s) => {
    const failedLast = s.last_failure && (!s.last_sent_at || s.last_failure_at > s.last_sent_at);
    return h('li', { class: 'row delivery' },
      h('span', { class: 'what' }, s.device_name, s.current ? h('span', { class: 'badge' }, t('settings.this_device')) : null),
      h('span', { class: 'when' }, s.last_sent_at ? t('push.last_sent', { date: formatInstant(s.last_sent_at, tz) }) : t('push.never_sent')),
      s.last_failure ? h('span', { class: failedLast ? 'error' : 'hint' },
        t('push.last_failure', { date: formatInstant(s.last_failure_at, tz), reason: s.last_failure })) : null);
  });
  fill(box, h('h3', {}, t('push.log')),
    rows.length ? h('ul', { class: 'rows' }, rows) : h('p', { class: 'calm' }, t('push.log_none')));
}

/** The whole log as NDJSON: the server's export when online, else this device's copy. */
async function exportLog(ctx) {
  let blob;
  try {
    const answer = await api.exportLog(ctx.session.token);
    blob = await answer.blob();
  } catch (error) {
    if (!(error instanceof api.Unreachable)) { ctx.toast(error.message); return; }
    const events = await allEvents();
    blob = new Blob(events.map((e) => `${JSON.stringify(e)}\n`), { type: 'application/x-ndjson' });
    ctx.toast(t('toast.export_local'));
  }
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: `merci-log-${model.today()}.ndjson`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A server's answer, or the sentence to show: offline actions say so rather than fail quietly. */
function problem(error) {
  return error instanceof api.Unreachable ? t('interop.offline') : error.message;
}

/** Import contacts (a .vcf or LinkedIn's .csv): the preview first (counts and each card's reason), then Import;
 * export them as a .vcf. Both need the server. */
function contactsInOut(ctx) {
  const input = h('input', {
    type: 'file', accept: '.vcf,.vcard,text/vcard,text/x-vcard,.csv,text/csv', id: 'contacts-file',
  });
  const status = h('p', { class: 'hint', role: 'status' });
  const preview = h('div', { class: 'import-preview' });
  const pick = async () => {
    fill(preview);
    status.className = 'hint';
    const file = input.files[0];
    if (!file) return;
    const format = /\.csv$/i.test(file.name) || file.type === 'text/csv' ? 'linkedin_csv' : 'vcard';
    status.textContent = t('interop.reading');
    try {
      const plan = await api.importContacts(ctx.session.token, file, format, true);
      status.textContent = '';
      showPreview(ctx, preview, plan, file, format, status, input);
    } catch (error) {
      status.textContent = problem(error);
      status.className = 'error';
    }
  };
  input.addEventListener('change', pick);
  return h('div', { class: 'interop' },
    h('p', { class: 'hint' }, t('interop.import_hint')),
    h('label', { class: 'button', for: 'contacts-file' }, t('interop.import_pick')),
    h('span', { class: 'visually-hidden' }, input),
    status, preview,
    h('p', { class: 'hint' }, t('interop.export_hint')),
    h('button', { type: 'button', class: 'button', onclick: () => exportContacts(ctx) }, t('interop.export')));
}

function showPreview(ctx, box, plan, file, format, status, input) {
  const rows = plan.contacts.map((c) => h('li', { class: `row planned ${c.outcome}` },
    h('span', { class: 'what' }, c.name ?? t('interop.card', { card: c.card })),
    h('span', { class: 'when' }, t(`interop.outcome.${c.outcome}`), ' — ', t(`interop.reason.${c.reason}`),
      c.outcome === 'updated' ? ` (${Object.keys(c.changes).join(', ')})` : '')));
  const go = h('button', { type: 'button', class: 'button primary', disabled: !(plan.added + plan.updated) },
    t('interop.import_go'));
  go.addEventListener('click', async () => {
    go.disabled = true;
    try {
      const done = await api.importContacts(ctx.session.token, file, format, false);
      fill(box);
      input.value = '';
      status.className = 'hint';
      status.textContent = t('interop.imported', { added: done.added, updated: done.updated });
      await syncNow(); // the new contacts come to this device like any other device's events
      ctx.toast(t('interop.imported', { added: done.added, updated: done.updated }));
    } catch (error) {
      go.disabled = false;
      status.textContent = problem(error);
      status.className = 'error';
    }
  });
  fill(box,
    h('p', { class: 'counts', 'data-testid': 'import-counts' },
      t('interop.counts', { added: plan.added, updated: plan.updated, skipped: plan.skipped })),
    h('ul', { class: 'rows' }, rows),
    h('div', { class: 'actions' }, go,
      h('button', { type: 'button', class: 'button quiet', onclick: () => { fill(box); input.value = ''; } },
        t('action.cancel'))));
}

async function exportContacts(ctx) {
  try {
    const answer = await api.exportContacts(ctx.session.token);
    download(await answer.blob(), `merci-contacts-${model.today()}.vcf`);
  } catch (error) {
    ctx.toast(problem(error));
  }
}

/** The private calendar feed: its url to copy into a calendar app, and "Make a new link" (the old one stops). */
function calendarFeed(ctx) {
  const box = h('div', { class: 'calendar-feed' });
  const url = h('input', { type: 'text', readOnly: true, id: 'calendar-url', 'aria-describedby': 'calendar-hint' });
  const status = h('p', { class: 'hint', role: 'status' });
  const show = async (load) => {
    status.className = 'hint';
    try {
      url.value = (await load()).url;
      status.textContent = '';
    } catch (error) {
      status.textContent = problem(error);
      status.className = 'error';
    }
  };
  const copy = async () => {
    url.select();
    try {
      await navigator.clipboard.writeText(url.value);
      ctx.toast(t('interop.copied'));
    } catch { /* no clipboard permission: the link is selected, to copy by hand */ }
  };
  const confirm = h('div', { class: 'more', hidden: true },
    h('p', { class: 'error' }, t('interop.rotate_warning')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button danger', onclick: async () => {
        confirm.hidden = true;
        await show(() => api.rotateCalendarLink(ctx.session.token));
        if (status.className !== 'error') ctx.toast(t('interop.rotated'));
      } }, t('interop.rotate')),
      h('button', { type: 'button', class: 'button quiet', onclick: () => { confirm.hidden = true; } },
        t('action.cancel'))));
  fill(box,
    h('p', { class: 'hint', id: 'calendar-hint' }, t('interop.calendar_hint')),
    field(t('interop.calendar_url'), url),
    status,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', onclick: copy }, t('interop.copy')),
      h('button', { type: 'button', class: 'button quiet', onclick: () => { confirm.hidden = false; } },
        t('interop.rotate'))),
    confirm);
  show(() => api.calendarLink(ctx.session.token));
  return box;
}

function download(blob, name) {
  const link = h('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

function logout(ctx) {
  const box = h('div', { class: 'more', hidden: true });
  const open = async () => {
    const pending = await ctx.pending();
    fill(box,
      h('p', { class: pending ? 'error' : 'hint' }, pending ? t('settings.logout_pending', { count: pending }) : t('settings.logout_confirm')),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button danger', onclick: () => ctx.logout() }, t('settings.logout')),
        h('button', { type: 'button', class: 'button quiet', onclick: () => { box.hidden = true; } }, t('action.cancel'))));
    box.hidden = false;
    box.querySelector('button').focus();
  };
  return h('div', {}, h('button', { type: 'button', class: 'button', onclick: open }, t('settings.logout')), box);
}

// --- the account: password, import, erase ---------------------------------------------------------------

/** What an account request's failure means, in the person's language. */
function accountFailure(error) {
  if (error instanceof api.Unreachable) return t('account.offline');
  if (error.status === 403) return t('account.wrong_password');
  if (error.status === 429) return t('account.too_many');
  if (error.status === 400 || error.status === 422) return t('auth.error_password');
  console.info('account:', error);
  return t('account.failed');
}

/** A section that opens from its button (a disclosure), with its own form. */
function opening(id, label, body, { danger = false } = {}) {
  const panel = h('div', { class: 'more', hidden: true, id }, body);
  const button = h('button', { type: 'button', class: danger ? 'button danger-outline' : 'button',
    'aria-expanded': 'false', 'aria-controls': panel.id, onclick: () => {
      panel.hidden = !panel.hidden;
      button.setAttribute('aria-expanded', String(!panel.hidden));
      if (!panel.hidden) panel.querySelector('input, button')?.focus();
    } }, label);
  return h('div', { class: 'account-part' }, button, panel);
}

function changePassword(ctx) {
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', minLength: PASSWORD_MIN_LENGTH, required: true });
  const others = h('input', { type: 'checkbox', checked: true, id: 'pw-others' });
  const message = h('p', { class: 'error', role: 'alert' });
  const submit = async (event) => {
    event.preventDefault();
    message.textContent = '';
    if (next.value.length < PASSWORD_MIN_LENGTH) { message.textContent = t('auth.error_password'); next.focus(); return; }
    try {
      await api.changePassword(ctx.session.token, { current_password: current.value, new_password: next.value,
        sign_out_other_devices: others.checked });
    } catch (error) {
      message.textContent = accountFailure(error);
      (error.status === 403 ? current : next).focus();
      return;
    }
    current.value = '';
    next.value = '';
    ctx.toast(t('account.password_changed'));
  };
  return opening('password-panel', t('account.change_password'), h('form', { onsubmit: submit, novalidate: true },
    field(t('account.current_password'), current),
    field(t('account.new_password'), next, t('account.new_password_hint')),
    h('label', { class: 'check', for: others.id }, others, t('account.sign_out_others')),
    message,
    h('button', { type: 'submit', class: 'button primary' }, t('account.change_password'))));
}

/** Import a log (NDJSON, as exported): appended to the account on the server, then pulled here. */
function importLog(ctx) {
  const file = h('input', { type: 'file', accept: '.ndjson,.jsonl,application/x-ndjson,application/json,text/plain' });
  const result = h('div', { role: 'status' });
  const submit = async (event) => {
    event.preventDefault();
    const [chosen] = file.files;
    if (!chosen) { fill(result, h('p', { class: 'error' }, t('import.choose'))); file.focus(); return; }
    fill(result, h('p', { class: 'hint' }, t('import.sending')));
    let answer;
    try {
      answer = await api.importLog(ctx.session.token, chosen);
    } catch (error) {
      fill(result, h('p', { class: 'error' }, error instanceof api.Unreachable ? t('account.offline') : t('import.failed', {
        reason: error.message })));
      return;
    }
    fill(result,
      h('p', {}, t('import.done', { accepted: answer.accepted, duplicates: answer.duplicates, rejected: answer.rejected_count })),
      answer.rejected.length ? h('ul', { class: 'rows' }, answer.rejected.slice(0, 5).map((r) => h('li', { class: 'row' },
        rejectedLine(r)))) : null);
    const sync = await import('../lib/sync.js');
    sync.syncNow();
  };
  return opening('import-panel', t('import.title'), h('form', { onsubmit: submit, novalidate: true },
    field(t('import.file'), file, t('import.hint')),
    h('button', { type: 'submit', class: 'button primary' }, t('import.send')),
    result));
}

/** The server's reasons for refusing an imported line (events/codec.py, server/routes/sync.py), each kind in the
 * person's words: [pattern (its group, if any: the field it names), i18n key]. */
const REFUSALS = [
  [/^not valid JSON/, 'import.reason.json'],
  [/^not valid UTF-8/, 'import.reason.utf8'],
  [/^an event must be a JSON object/, 'import.reason.object'],
  [/^unknown event type/, 'import.reason.type'],
  [/^missing field `([^`]+)`/, 'import.reason.missing'],
  [/^unsupported version/, 'import.reason.version'],
  [/hours ahead of the server's clock/, 'import.reason.future'],
  [/^the line is longer than/, 'import.reason.too_long'],
];

/** "Line 3: …": a refused line of an import, its reason in the account's language. English reads the server's
 * sentence as it is; another language reads the kind of refusal, and for a field the server found wrong, which
 * field, with the server's English detail marked as English (lang="en") for screen readers. */
function rejectedLine(r) {
  if (language === 'en') return t('import.line', { line: r.line, reason: r.error });
  for (const [pattern, key] of REFUSALS) {
    const found = pattern.exec(r.error);
    if (found) return t('import.line', { line: r.line, reason: t(key, { field: found[1] ?? r.field ?? '' }) });
  }
  const reason = r.field ? t('import.reason.field', { field: r.field }) : t('import.reason.other');
  return h('span', {}, t('import.line', { line: r.line, reason }), ' ', h('span', { lang: 'en', class: 'muted' }, `(${r.error})`));
}

/** Erase the account for good, with the password and a warning that says what goes. */
function eraseAccount(ctx) {
  const password = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'error', role: 'alert' });
  const submit = async (event) => {
    event.preventDefault();
    message.textContent = '';
    if (!password.value) { message.textContent = t('account.password_needed'); password.focus(); return; }
    try {
      await api.eraseAccount(ctx.session.token, password.value);
    } catch (error) {
      message.textContent = accountFailure(error);
      password.focus();
      return;
    }
    await ctx.logout();
  };
  return opening('erase-panel', t('account.erase'), h('form', { onsubmit: submit, novalidate: true },
    h('p', { class: 'warning-box' }, t('account.erase_warning')),
    field(t('account.current_password'), password),
    message,
    h('button', { type: 'submit', class: 'button danger' }, t('account.erase_for_good'))), { danger: true });
}
