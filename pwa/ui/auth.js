/** Sign up and log in. A device gets its own token; the session lives in this device's IndexedDB. */

import { h, field } from './dom.js';
import { t, language } from './i18n.js';

/** The shortest password the server takes (server/routes/accounts.py): sign-up and a password change alike. */
export const PASSWORD_MIN_LENGTH = 8;
import * as api from '../lib/api.js';

let mode = 'signup';

function deviceName() {
  const platform = navigator.userAgentData?.platform || (/(Android|iPhone|iPad|Mac|Windows|Linux)/.exec(navigator.userAgent)?.[1] ?? '');
  const brand = navigator.userAgentData?.brands?.find((b) => !/Not.?A.?Brand/i.test(b.brand))?.brand
    ?? (/Firefox|Safari|Chrom(e|ium)/.exec(navigator.userAgent)?.[0] ?? 'Browser');
  return `${brand}${platform ? ` · ${platform}` : ''}`.slice(0, 100);
}

export function renderAuth(ctx) {
  const email = h('input', { type: 'email', autocomplete: 'username', required: true, maxLength: 254, inputMode: 'email' });
  const password = h('input', {
    type: 'password', required: true, minLength: mode === 'signup' ? PASSWORD_MIN_LENGTH : 1, maxLength: 1024,
    autocomplete: mode === 'signup' ? 'new-password' : 'current-password',
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, t(`auth.${mode}_submit`));

  const send = async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!email.value.trim() || !password.value) { error.textContent = t('auth.error_missing'); return; }
    if (mode === 'signup' && password.value.length < PASSWORD_MIN_LENGTH) { error.textContent = t('auth.error_password'); password.focus(); return; }
    submit.disabled = true;
    try {
      const fields = { email: email.value.trim(), password: password.value, device_name: deviceName() };
      const answer = mode === 'signup'
        ? await api.signUp({ ...fields, language, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone })
        : await api.signIn(fields);
      await ctx.signedIn({ token: answer.token, device: answer.device, account: answer.account, email: fields.email });
    } catch (problem) {
      error.textContent = authFailure(problem, mode);
      submit.disabled = false;
    }
  };

  const tab = (which) => h('button', {
    type: 'button', class: `tab ${mode === which ? 'on' : ''}`, 'aria-pressed': String(mode === which),
    onclick: () => { mode = which; ctx.rerender(); },
  }, t(`auth.${which}`));

  return h('div', { class: 'screen auth' },
    h('h1', { tabindex: '-1' }, t('auth.title')),
    h('p', { class: 'subtitle' }, t('auth.tagline')),
    h('div', { class: 'segmented', role: 'group', 'aria-label': t('auth.mode') }, tab('signup'), tab('login')),
    ctx.notice ? h('p', { class: 'notice' }, ctx.notice) : null,
    // a share that came before anyone signed in here waits in the address: the share page opens once signed in
    location.hash.startsWith('#/share?') ? h('p', { class: 'notice share-waiting' }, t('auth.share_waiting')) : null,
    h('form', { onsubmit: send, novalidate: true },
      field(t('auth.email'), email),
      field(t('auth.password'), password, mode === 'signup' ? t('auth.password_hint') : null),
      error,
      submit),
    h('div', { class: 'segmented small', role: 'group', 'aria-label': t('settings.language') },
      ['fr', 'en'].map((l) => h('button', { type: 'button', class: `tab ${language === l ? 'on' : ''}`, lang: l,
        'aria-pressed': String(language === l), onclick: () => ctx.setLanguage(l) }, t(`lang.${l}`)))),
    h('p', { class: 'hint' }, t('auth.privacy')));
}

/** Why signing up or in did not work, in the person's language (the server's sentence is for developers:
 * "`email`: 'x' is not an email address"), from the status and the field it names. */
export function authFailure(problem, mode) {
  if (problem instanceof api.Unreachable) return t('auth.error_offline');
  const text = `${problem.body?.field ?? ''} ${problem.message ?? ''}`;
  if (problem.status === 409) return t('auth.error_taken');
  if (problem.status === 429) return t('auth.error_too_many');
  if (problem.status === 401 || problem.status === 403) return t('auth.error_wrong');
  if (/email/i.test(text)) return t('auth.error_email');
  if (/password/i.test(text)) return t('auth.error_password');
  console.info(mode, problem);
  return t('auth.error_other');
}
