// Dates for the rules: plain local dates as day numbers, instants as epoch seconds, and the local
// date of an instant in an IANA time zone (through Intl, the only zone database a browser has).
//
// A date is a day number (days since 1970-01-01) while the engine computes, and 'YYYY-MM-DD' on
// the way in and out. No local-time Date arithmetic anywhere: the device's own zone never matters.

import { IANA_ZONES } from './zones.js';

export const SECONDS_PER_DAY = 86400;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number. */
export function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}

export function isLeapYear(year) {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year, month) {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

function pad2(n) {
  return n < 10 ? `0${n}` : `${n}`;
}

function pad4(n) {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : `${n}`;
}

const formatted = new Map();

/** 'YYYY-MM-DD' of a day number (cached: a replay prints the same few hundred dates many times). */
export function formatDay(days) {
  let text = formatted.get(days);
  if (text === undefined) {
    const [y, m, d] = civilFromDays(days);
    text = `${pad4(y)}-${pad2(m)}-${pad2(d)}`;
    if (formatted.size < 100000) formatted.set(days, text);
  }
  return text;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of a strict 'YYYY-MM-DD' date (years 0001 to 9999), or null. */
export function parseDay(text) {
  const match = typeof text === 'string' ? DAY_RE.exec(text) : null;
  if (match === null) return null;
  const year = +match[1];
  const month = +match[2];
  const day = +match[3];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

export function yearOf(days) {
  return civilFromDays(days)[0];
}

export function monthOf(days) {
  return civilFromDays(days)[1];
}

// --- instants --------------------------------------------------------------------------------------

// 'YYYY-MM-DD' 'T'|'t'|' ' 'hh:mm:ss' ['.' digits] ['Z'|'z'|±hh[:]mm], as msgspec reads RFC 3339.
const AT_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

function digits(text, at, count) {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * An ISO 8601 date-time read to the microsecond (more digits round half up on the seventh, as the
 * Python engine does): {sec, us, offset} with `sec` the epoch seconds of the instant, `us` its
 * microseconds, `offset` the written UTC offset in seconds (null when none was written).
 * Returns null when the text is not a valid date-time at all.
 */
export function parseInstant(text) {
  // The usual shape, read without a regular expression: 2026-05-12T10:30:00[.ffffff](Z|+hh:mm)
  const n = text.length;
  if (n >= 20 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 84
      && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58) {
    let i = 19;
    let us = 0;
    if (text.charCodeAt(i) === 46) {
      let scale = 100000;
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j) - 48;
        if (d < 0 || d > 9) break;
        if (scale >= 1) us += d * scale;
        else if (scale > 0.05 && d >= 5) us += 1; // the seventh digit rounds
        scale /= 10;
      }
      if (j === i + 1) return null;
      i = j;
    }
    let offset = -1;
    const c = text.charCodeAt(i);
    if ((c === 90 || c === 122) && i + 1 === n) offset = 0;
    else if ((c === 43 || c === 45) && i + 6 === n && text.charCodeAt(i + 3) === 58) {
      const hours = digits(text, i + 1, 2);
      const minutes = digits(text, i + 4, 2);
      if (hours >= 0 && hours <= 23 && minutes >= 0 && minutes <= 59) offset = (c === 45 ? -1 : 1) * (hours * 3600 + minutes * 60);
    }
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    if (offset !== -1 && year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
        && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59) {
      let sec = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
      if (us === 1000000) {
        sec += 1;
        us = 0;
      }
      return { sec, us, offset };
    }
  }
  return parseInstantSlowly(text);
}

function parseInstantSlowly(text) {
  const m = AT_RE.exec(text);
  if (m === null) return null;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
      || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let us = 0;
  const fraction = m[7];
  if (fraction !== undefined) {
    us = fraction.length >= 6 ? +fraction.slice(0, 6) : +fraction.padEnd(6, '0');
    if (fraction.length > 6 && fraction.charCodeAt(6) >= 53 /* '5' */) us += 1;
  }
  let offset = null;
  if (m[8] !== undefined) {
    offset = 0;
  } else if (m[9] !== undefined) {
    const hours = +m[10];
    const minutes = +m[11];
    if (hours > 23 || minutes > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  }
  let sec = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second
    - (offset ?? 0);
  if (us === 1000000) {
    sec += 1;
    us = 0;
  }
  return { sec, us, offset };
}

/** Compare two instants {sec, us}. */
export function compareInstants(a, b) {
  return a.sec - b.sec || a.us - b.us;
}

function offsetText(offset, utcAsZ) {
  if (offset === 0 && utcAsZ) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad2(Math.floor(abs / 3600))}:${pad2(Math.floor((abs % 3600) / 60))}`;
}

/**
 * The wall time of an instant at its written offset, as ISO 8601: 'Z' for UTC and six fractional
 * digits when there are microseconds, as the Python engine writes them (`isoformat` style with
 * utcAsZ false: '+00:00').
 */
export function formatInstant({ sec, us, offset }, utcAsZ = true) {
  const local = sec + offset;
  const days = Math.floor(local / SECONDS_PER_DAY);
  const rest = local - days * SECONDS_PER_DAY;
  const clock = `${pad2(Math.floor(rest / 3600))}:${pad2(Math.floor((rest % 3600) / 60))}:${pad2(rest % 60)}`;
  const fraction = us ? `.${String(us).padStart(6, '0')}` : '';
  return `${formatDay(days)}T${clock}${fraction}${offsetText(offset, utcAsZ)}`;
}

// --- time zones --------------------------------------------------------------------------------------

const formatters = new Map();

function formatterOf(zone) {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    if (!isTimeZone(zone)) throw new RangeError(`unknown time zone ${zone}`);
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * Whether `name` is an IANA time zone name, as the server has it (tzdata's list: the same everywhere,
 * where browsers also accept any letter case and legacy ids such as 'PST').
 */
export function isTimeZone(name) {
  return typeof name === 'string' && IANA_ZONES.has(name);
}

/** The UTC offset in seconds of `zone` at epoch second `sec` (local wall time minus UTC). */
export function offsetAt(zone, sec) {
  if (zone === 'UTC') return 0;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of formatterOf(zone).formatToParts(sec * 1000)) {
    switch (part.type) {
      case 'year': year = +part.value; break;
      case 'month': month = +part.value; break;
      case 'day': day = +part.value; break;
      case 'hour': hour = +part.value % 24; break;
      case 'minute': minute = +part.value; break;
      case 'second': second = +part.value; break;
      case 'era': bc = part.value === 'BC' || part.value === 'B'; break;
      default: break;
    }
  }
  if (bc) year = 1 - year;
  const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  return local - sec;
}

/** The local date (day number) of epoch second `sec` in `zone`. */
export function localDay(zone, sec) {
  return Math.floor((sec + offsetAt(zone, sec)) / SECONDS_PER_DAY);
}

/**
 * Local dates of many instants in one zone, converting through Intl about twice per day of the log
 * rather than once per event: it remembers a span of at most a day over which the offset was found
 * constant, inside which the local date is plain arithmetic. Fastest for instants in order.
 */
export class LocalDates {
  constructor(zone) {
    this.zone = zone;
    this.from = 1;
    this.until = 0; // the span [from, until) of constant offset `offset`; empty at first
    this.offset = 0;
  }

  dayOf(sec) {
    if (sec < this.from || sec >= this.until) this.#span(sec);
    return Math.floor((sec + this.offset) / SECONDS_PER_DAY);
  }

  #span(sec) {
    const { zone } = this;
    const offset = offsetAt(zone, sec);
    let until = sec + SECONDS_PER_DAY;
    if (zone !== 'UTC' && offsetAt(zone, until) !== offset) {
      // The offset changes within the day: find the first second at the new offset.
      let low = sec;
      while (until - low > 1) {
        const mid = Math.floor((low + until) / 2);
        if (offsetAt(zone, mid) === offset) low = mid;
        else until = mid;
      }
    }
    this.from = sec;
    this.until = until;
    this.offset = offset;
  }
}
