/** French and English: the strings in pwa/i18n/*.json, plurals through Intl.PluralRules, dates in the
 * account's time zone and the person's locale. */

export const LANGUAGES = ['fr', 'en'];

let strings = {};
export let language = 'en';
export let locale = 'en';
let plural = new Intl.PluralRules('en');

/** The browser's first language we speak, else English. */
export function browserLanguage() {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = 'en';
  if (lang === language && Object.keys(strings).length) return;
  const answer = await fetch(`/i18n/${lang}.json`);
  strings = await answer.json();
  language = lang;
  // Keep the browser's regional format when it speaks the same language (en-GB dates for en-GB).
  const preferred = (navigator.languages ?? []).find((tag) => tag.toLowerCase().startsWith(lang));
  locale = preferred ?? (lang === 'fr' ? 'fr-FR' : 'en-GB');
  plural = new Intl.PluralRules(locale);
  document.documentElement.lang = lang;
}

/** The string `key`, with {name} placeholders filled; `count` picks key.one / key.other. */
export function t(key, vars = {}) {
  let text;
  if ('count' in vars) {
    text = strings[`${key}.${plural.select(vars.count)}`] ?? strings[`${key}.other`];
  }
  text ??= strings[key];
  if (text === undefined) {
    console.warn('missing string', key);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// --- dates ------------------------------------------------------------------------------------------

const formats = new Map();

/** An Intl formatter, made once per kind, locale and options: making one costs far more than using it (a
 * screen formats hundreds of dates, and model.today() asks for one each time it is read). */
export function intl(Kind, tag, options) {
  const key = `${Kind.name} ${tag} ${JSON.stringify(options)}`;
  let found = formats.get(key);
  if (found === undefined) formats.set(key, found = new Kind(tag, options));
  return found;
}

function dayToDate(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

/** A local date 'YYYY-MM-DD' as the person reads it: "ven. 13 mai" / "Fri 13 May". */
export function formatDay(day, { year = false, weekday = true } = {}) {
  return intl(Intl.DateTimeFormat, locale, {
    timeZone: 'UTC', weekday: weekday ? 'short' : undefined, day: 'numeric', month: 'short',
    year: year ? 'numeric' : undefined,
  }).format(dayToDate(day));
}

export function formatLongDay(day) {
  return intl(Intl.DateTimeFormat, locale, { timeZone: 'UTC', dateStyle: 'full' }).format(dayToDate(day));
}

/** An instant (an event's `at`) in the account's time zone. */
export function formatInstant(at, timeZone) {
  return intl(Intl.DateTimeFormat, locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at));
}

/** Whole days from `from` to `to` (both 'YYYY-MM-DD'). */
export function daysBetween(from, to) {
  return Math.round((dayToDate(to) - dayToDate(from)) / 86400000);
}

export function addDays(day, n) {
  const date = dayToDate(day);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** "today", "tomorrow", "in 3 days", "2 days ago" (or French), from `today`. */
export function relativeDay(day, today) {
  return intl(Intl.RelativeTimeFormat, locale, { numeric: 'auto' }).format(daysBetween(today, day), 'day');
}

/** Today's date in `timeZone`, as 'YYYY-MM-DD'. */
export function todayIn(timeZone, now = new Date()) {
  const parts = intl(Intl.DateTimeFormat, 'en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(now);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function percent(value) {
  return value === null || value === undefined
    ? '—'
    : intl(Intl.NumberFormat, locale, { style: 'percent', maximumFractionDigits: 0 }).format(value);
}
