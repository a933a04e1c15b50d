// The event catalogue, wire format v1 (DESIGN.md section 1), and its strict decoder.
//
// The same limits as the Python decoder, read from the catalogue generated from events/types.py
// (lib/catalogue.js), and the same error messages (events/codec.py):
// a message names the field (`data.contacts[1]`) and what is wrong with it. A decoded event is the
// canonical wire object, as the server writes it back: keys in schema order, defaults left out,
// `at` normalised to the microsecond.

import { CATALOGUE } from '../catalogue.js';
import { civilFromDays, formatInstant, isTimeZone, parseDay, parseInstant, SECONDS_PER_DAY } from './dates.js';

/** The schema version every type is decoded to (each type has its own in the catalogue; all are 1 now). */
export const CURRENT_VERSION = 1;

/**
 * Where a decoded event keeps its instant ({sec, us}): a symbol, not enumerable, so that JSON, IndexedDB
 * and copies ({...event}) never carry it. Its presence also says the event is canonical, as decoded
 * (decoded events are facts: change one and it is another event, to decode again).
 */
export const INSTANT = Symbol('instant');

/** Whether `event` came out of this decoder as it is (then its JSON is its wire encoding). */
export function isCanonical(event) {
  return Object.hasOwn(event, INSTANT);
}

export class EventError extends Error {
  /** An event that cannot be accepted; `field` is a path such as `data.contacts[0]`, or null. */
  constructor(message, field = null, eventId = null) {
    super(message);
    this.name = 'EventError';
    this.field = field;
    this.eventId = eventId;
  }
}

export class LogError extends Error {
  /** A bad line of an NDJSON log: `line` counts from 1, blank lines included. */
  constructor(line, error) {
    super(`line ${line}: ${error.message}`);
    this.name = 'LogError';
    this.line = line;
    this.error = error;
  }
}

// --- field types, from the catalogue generated from events/types.py --------------------------------

const UNSET = Symbol('unset');
const EXPECT = { str: 'str', enum: 'str', int: 'int', list: 'array', date: 'date', datetime: 'datetime' };
// The patterns of events/types.py, each checked here by hand so that the message says why: no `:` in ids (it
// separates the parts of obligation ids, `thank:{meeting}:{contact}`); a contact is never `me`, the word
// obligations use for the account's owner.
const PATTERNS = { '^[^:]*$': { noColon: true }, '^(?!me$)[^:]*$': { noColon: true, notMe: true } };

/** A catalogue type as check() takes it. A pattern this file does not know stops the app from loading: a
 * new constraint in events/types.py needs its check (and its message) here too. */
function typeOf(spec) {
  if (spec.kind === 'fields') return fieldsOf(spec);
  const type = { ...spec, expect: EXPECT[spec.kind] };
  if (spec.kind === 'list') type.item = typeOf(spec.item);
  if (spec.kind === 'int' && spec.le === null) type.le = Infinity;
  if (spec.pattern !== undefined) {
    if (!PATTERNS[spec.pattern]) throw new Error(`events.js has no check for the pattern ${spec.pattern}`);
    Object.assign(type, PATTERNS[spec.pattern]);
  }
  return type;
}

/** A correction's `data` (a dict in events/types.py): names checked against FIELD_NAME, values of kind
 * 'fieldValue', each a string, a day count or a list of strings as the catalogue bounds them (or null). */
function fieldsOf(spec) {
  if (spec.key.pattern !== FIELD_NAME.source) {
    throw new Error(`events.js checks a correction's field names against ${FIELD_NAME.source}, not ${spec.key.pattern}`);
  }
  const of = (kind) => typeOf(spec.value.types.find((t) => t.kind === kind));
  return {
    kind: 'fields', expect: 'object', max: spec.max,
    value: { kind: 'fieldValue', expect: 'int | str | array | null', text: of('str'), days: of('int'), items: of('list') },
  };
}

// A field of `data`: required; optional, with a default (null, or host's 'them') left out when the value
// equals it; or unset: it may be absent, and a null is kept (in contact_updated, it clears the field).
function fieldOf({ name, type, presence, nullable, default: fallback }) {
  return {
    name, type: typeOf(type), required: presence === 'required', nullable,
    fallback: presence === 'optional' ? fallback : presence === 'unset' ? UNSET : undefined,
  };
}

export const HOSTS = CATALOGUE.choices.Host;
export const MEETING_KINDS = CATALOGUE.choices.MeetingKind;
export const OUTCOMES = CATALOGUE.choices.Outcome;
export const CHANNELS = CATALOGUE.choices.Channel;
export const LANGUAGES = CATALOGUE.choices.Language;

// --- corrections, retractions, merges and ideas (DESIGN.md section 1, 2026-12) ------------------------
// A correction's `data` is any object of field values, checked against the named event's type when the
// correction is read (prepass.js); here, only that it could be one: field names in lowercase and `_`,
// values of the kinds the catalogue's fields hold (events/types.py FieldName, FieldValue, read from the
// catalogue as a type of kind 'fields').

const FIELD_NAME = /^[a-z_]{1,32}$/;
/** A correction's `data` (kind 'fields') or one of its values (kind 'fieldValue'): as check() does for the others. */
function checkFields(value, type, path, eventId) {
  if (type.kind === 'fields') {
    const keys = keysOf(value);
    if (keys.length > type.max) return fail(path, `expected \`object\` of length <= ${type.max}`, eventId);
    for (const key of keys) {
      if (!FIELD_NAME.test(key)) return fail(path, 'a field name is 1 to 32 lowercase letters or `_`', eventId);
      check(value[key], type.value, true, `${path}[...]`, eventId);
    }
    return value;
  }
  switch (kindOf(value)) {
    case 'str': return check(value, type.text, false, path, eventId);
    case 'int': return check(value, type.days, false, path, eventId);
    case 'array': return check(value, type.items, false, path, eventId);
    default: return fail(path, expected(type, false, value), eventId);
  }
}

/** The corrected `at` of an event_corrected, as the server writes it, and in the years an `at` may be in. */
function checkCorrectedAt(data, eventId) {
  if (data.at === undefined) return data;
  const at = parseInstant(data.at);
  const year = civilFromDays(Math.floor((at.sec + at.offset) / SECONDS_PER_DAY))[0];
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) {
    throw new EventError(
      `\`data.at\`: ${formatInstant(at, false)} is out of range (years 1900 to 2999)`, 'data.at', eventId,
    );
  }
  return isCanonicalInstant(data.at, at) ? data : { ...data, at: formatInstant(at) };
}

const SCHEMAS = new Map(Object.entries(CATALOGUE.types).map(([type, { v, data }]) => {
  const fields = data.map(fieldOf);
  fields.forEach((field, index) => { field.index = index; });
  const byName = new Map(fields.map((field) => [field.name, field]));
  return [type, { v, fields, byName, requiredCount: fields.filter((field) => field.required).length }];
}));

/** The wire names of every event type, sorted. */
export const EVENT_TYPES = [...SCHEMAS.keys()].sort();

const KNOWN = EVENT_TYPES.join(', ');
const { id: ID, seq: SEQ, device: DEVICE } = Object.fromEntries(
  Object.entries(CATALOGUE.envelope).map(([name, field]) => [name, typeOf(field.type)]),
);
const DATETIME = typeOf(CATALOGUE.envelope.at.type);

/** The years `at` may be written in: far outside, date arithmetic (due = D+1) would overflow. */
const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2999;

// --- JSON values as the Python decoder sees them ------------------------------------------------------

/** A JSON number written with a fraction or an exponent: never an integer, even 1.0. */
class JsonFloat {
  constructor(value) {
    this.value = value;
  }
}

const KEYS = Symbol('keys'); // the order keys were written in, when JSON.parse would not keep it

function kindOf(value) {
  switch (typeof value) {
    case 'string': return 'str';
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(value) ? 'int' : 'float';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'array';
      if (value instanceof JsonFloat) return 'float';
      return 'object';
  }
}

const JSON_KINDS = { object: 'an object', array: 'an array', str: 'a string', bool: 'a boolean', null: 'null' };

function jsonKind(value) {
  return JSON_KINDS[kindOf(value)] ?? 'a number';
}

function keysOf(object) {
  return object[KEYS] ?? Object.keys(object);
}

function codePoints(text) {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        i += 1;
      }
    }
  }
  return count;
}

// Python's repr(), for the values an error message quotes.
const UNPRINTABLE = /[\p{C}\p{Z}]/u;

function reprString(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0);
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (char !== ' ' && UNPRINTABLE.test(char)) {
      const hex = code.toString(16);
      out += code <= 0xff ? `\\x${hex.padStart(2, '0')}` : code <= 0xffff ? `\\u${hex.padStart(4, '0')}`
        : `\\U${hex.padStart(8, '0')}`;
    } else out += char;
  }
  return out + quote;
}

function reprFloat(value) {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  if (Object.is(value, -0)) return '-0.0';
  const [digits, exponentText] = value.toExponential().split('e'); // the shortest digits that round-trip
  const exponent = +exponentText;
  if (exponent < -4 || exponent >= 16) {
    return `${digits}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(value);
  return text.includes('.') ? text : `${text}.0`;
}

/** How Python would print a JSON value in a message: 'x', 5, 1.0, None, True, ['a'], {'k': 1}. */
export function pyRepr(value) {
  switch (kindOf(value)) {
    case 'str': return reprString(value);
    case 'bool': return value ? 'True' : 'False';
    case 'null': return 'None';
    case 'int': return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
    case 'float': return reprFloat(value instanceof JsonFloat ? value.value : value);
    case 'array': return `[${value.map(pyRepr).join(', ')}]`;
    default: return `{${keysOf(value).map((key) => `${reprString(key)}: ${pyRepr(value[key])}`).join(', ')}}`;
  }
}

// --- parsing a line ----------------------------------------------------------------------------------

const MAY_HOLD_FLOAT = /\d[.eE]/;
const MAY_HOLD_SURROGATE = /\\u[dD][89a-fA-F]/;
const MAY_HOLD_INDEX_KEY = /"\d+"\s*:/;

/** Whether a number with a fraction or an exponent is written outside the strings of `text`. */
function hasFloatLiteral(text) {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const quote = text.indexOf('"', i);
    const end = quote < 0 ? n : quote;
    for (let j = i; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c === 46 /* . */) return true;
      if ((c === 101 || c === 69) && j > 0) {
        const before = text.charCodeAt(j - 1);
        if (before >= 48 && before <= 57) return true;
      }
    }
    if (quote < 0) return false;
    let k = quote + 1;
    for (;;) {
      const close = text.indexOf('"', k);
      if (close < 0) return false;
      let slashes = 0;
      for (let b = close - 1; text.charCodeAt(b) === 92; b--) slashes++;
      k = close + 1;
      if (slashes % 2 === 0) break;
    }
    i = k;
  }
  return false;
}

/** A small strict JSON reader, for the rare lines JSON.parse would read differently from the server. */
class StrictReader {
  constructor(text) {
    this.text = text;
    this.i = 0;
  }

  fail(what) {
    throw new SyntaxError(`${what} at position ${this.i}`);
  }

  space() {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else return;
    }
  }

  document() {
    this.space();
    const value = this.value();
    this.space();
    if (this.i < this.text.length) this.fail('unexpected data after the value');
    return value;
  }

  value() {
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]]) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return value;
      }
    }
    return this.fail('unexpected character');
  }

  object() {
    this.i++;
    const object = {};
    const keys = [];
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return object;
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      this.space();
      const value = this.value();
      if (!Object.prototype.hasOwnProperty.call(object, key)) keys.push(key);
      Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      this.space();
      const c = this.text[this.i++];
      if (c === '}') break;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
    Object.defineProperty(object, KEYS, { value: keys, enumerable: false });
    return object;
  }

  array() {
    this.i++;
    const array = [];
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return array;
    }
    for (;;) {
      this.space();
      array.push(this.value());
      this.space();
      const c = this.text[this.i++];
      if (c === ']') return array;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  string() {
    const start = this.i;
    let k = start + 1;
    for (;;) {
      const close = this.text.indexOf('"', k);
      if (close < 0) this.fail('unterminated string');
      let slashes = 0;
      for (let b = close - 1; this.text.charCodeAt(b) === 92; b--) slashes++;
      k = close + 1;
      if (slashes % 2 === 0) break;
    }
    this.i = k;
    const value = JSON.parse(this.text.slice(start, k));
    for (let j = 0; j < value.length; j++) {
      const unit = value.charCodeAt(j);
      if (unit >= 0xd800 && unit <= 0xdfff) {
        const next = value.charCodeAt(j + 1);
        if (unit >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) this.fail('invalid UTF-16 surrogate pair');
        j++;
      }
    }
    return value;
  }

  number() {
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400));
    if (match === null) this.fail('invalid number');
    this.i += match[0].length;
    const value = Number(match[0]);
    return match[1] !== undefined || match[2] !== undefined ? new JsonFloat(value) : value;
  }
}

function lowerFirst(text) {
  return text.length > 1 && text[1] === text[1].toUpperCase() && text[1] !== text[1].toLowerCase()
    ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** Parse one line of JSON as the server would read it. */
export function parseJSON(text) {
  let value;
  try {
    value = JSON.parse(text);
    if ((MAY_HOLD_FLOAT.test(text) && hasFloatLiteral(text)) || MAY_HOLD_SURROGATE.test(text)
        || MAY_HOLD_INDEX_KEY.test(text)) {
      value = new StrictReader(text).document();
    }
  } catch (error) {
    throw new EventError(`not valid JSON (${lowerFirst(error.message)})`);
  }
  return value;
}

// --- validation --------------------------------------------------------------------------------------

function expected(type, nullable, value) {
  return `expected \`${type.expect}${nullable ? ' | null' : ''}\`, got \`${kindOf(value)}\``;
}

function fail(path, text, eventId) {
  throw new EventError(`\`${path}\`: ${text}`, path, eventId);
}

/** Check one value against its type: returns its normalised form, or throws an EventError. */
function check(value, type, nullable, path, eventId) {
  if (value === null) {
    if (nullable) return null;
    return fail(path, expected(type, nullable, value), eventId);
  }
  if (type.kind === 'fields' || type.kind === 'fieldValue') {
    if (type.kind === 'fields' && kindOf(value) !== 'object') {
      return fail(path, expected(type, nullable, value), eventId);
    }
    return checkFields(value, type, path, eventId);
  }
  switch (type.kind) {
    case 'str': {
      if (typeof value !== 'string') return fail(path, expected(type, nullable, value), eventId);
      if (value.length < type.min) return fail(path, 'expected a non-empty string', eventId);
      if (value.length > type.max && codePoints(value) > type.max) {
        return fail(path, `expected a string of at most ${type.max} characters`, eventId);
      }
      if (type.notMe && (value === 'me' || value.includes(':'))) {
        return fail(path, 'a contact id cannot be `me` (the word for you in obligations) nor contain `:`', eventId);
      }
      if (type.noColon && value.includes(':')) {
        return fail(path, 'an id cannot contain `:` (it separates the parts of obligation ids)', eventId);
      }
      return value;
    }
    case 'enum': {
      if (typeof value !== 'string') return fail(path, expected(type, nullable, value), eventId);
      if (!type.values.includes(value)) {
        return fail(path, `invalid value ${reprString(value)} (expected one of: ${type.values.join(', ')})`, eventId);
      }
      return value;
    }
    case 'int': {
      if (kindOf(value) !== 'int') return fail(path, expected(type, nullable, value), eventId);
      if (value < type.ge) return fail(path, `expected \`int\` >= ${type.ge}`, eventId);
      if (value > type.le) return fail(path, `expected \`int\` <= ${type.le}`, eventId);
      return value;
    }
    case 'list': {
      if (!Array.isArray(value)) return fail(path, expected(type, nullable, value), eventId);
      if (value.length < type.min) return fail(path, `expected \`array\` of length >= ${type.min}`, eventId);
      if (value.length > type.max) return fail(path, `expected \`array\` of length <= ${type.max}`, eventId);
      for (let i = 0; i < value.length; i++) check(value[i], type.item, false, `${path}[${i}]`, eventId);
      return value;
    }
    case 'date': {
      if (typeof value !== 'string') return fail(path, expected(type, nullable, value), eventId);
      if (parseDay(value) === null) return fail(path, 'expected a date such as 2026-05-12', eventId);
      return value;
    }
    default: { // datetime
      if (typeof value !== 'string') return fail(path, expected(type, nullable, value), eventId);
      const instant = parseInstant(value);
      if (instant === null) {
        return fail(path, 'expected an ISO 8601 date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00', eventId);
      }
      if (instant.offset === null) {
        return fail(path, 'expected a date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00', eventId);
      }
      return instant;
    }
  }
}

/** Whether `text` is already `at` as the server writes it (then it is kept as it is). */
function isCanonicalInstant(text, { us, offset }) {
  const n = text.length;
  if (text.charCodeAt(10) !== 84 /* T */) return false;
  let body;
  if (offset === 0) {
    if (text.charCodeAt(n - 1) !== 90 /* Z */) return false;
    body = n - 1;
  } else {
    if (text.charCodeAt(n - 3) !== 58 /* : */) return false;
    body = n - 6;
  }
  return body === 19 ? us === 0 : body === 26 && us !== 0;
}

function checkData(type, raw, eventId) {
  if (kindOf(raw) !== 'object') {
    throw new EventError(`\`data\`: expected \`object\`, got \`${kindOf(raw)}\``, 'data', eventId);
  }
  const { fields, byName, requiredCount } = SCHEMAS.get(type);
  let inOrder = raw[KEYS] === undefined; // in schema order, no default: `raw` is already the canonical data
  let last = -1;
  let requiredSeen = 0;
  for (const key of keysOf(raw)) {
    const field = byName.get(key);
    if (field === undefined) throw new EventError(`unknown field \`${key}\` in \`data\``, `data.${key}`, eventId);
    const value = check(raw[key], field.type, field.nullable, `data.${key}`, eventId); // the value itself
    if (field.required) requiredSeen += 1;
    if (inOrder) {
      inOrder = field.index > last && value !== field.fallback;
      last = field.index;
    }
  }
  if (requiredSeen < requiredCount) {
    const missing = fields.find((field) => field.required && !Object.hasOwn(raw, field.name));
    throw new EventError(`missing required field \`${missing.name}\` in \`data\``, `data.${missing.name}`, eventId);
  }
  let data = raw;
  if (!inOrder) {
    data = {};
    for (const field of fields) {
      if (!Object.hasOwn(raw, field.name)) continue;
      const value = raw[field.name];
      if (value !== field.fallback) data[field.name] = value; // defaults are left out, as the server writes
    }
  }
  if (type === 'settings_changed' && data.timezone !== undefined && !isTimeZone(data.timezone)) {
    throw new EventError(
      `\`data.timezone\`: unknown time zone ${reprString(data.timezone)} (expected an IANA name such as Europe/Paris)`,
      'data.timezone', eventId,
    );
  }
  return data;
}

/**
 * Why a string holding U+0000 is refused, wherever it is (events/codec.py says the same): PostgreSQL cannot
 * store it in text, so a log holding one could not move from a SQLite server to a PostgreSQL one.
 */
export const NUL_MESSAGE = 'U+0000 (the NUL character) is not allowed in any text';

/**
 * The first string of a parsed JSON value (keys included, in the order written, depth first) holding U+0000,
 * as an EventError naming where; null if there is none.
 */
export function findNul(value) {
  const stack = [['', value]];
  while (stack.length > 0) {
    const [path, item] = stack.pop();
    const kind = kindOf(item);
    if (kind === 'str') {
      if (item.includes('\0')) return new EventError(path ? `\`${path}\`: ${NUL_MESSAGE}` : NUL_MESSAGE, path || null);
    } else if (kind === 'object') {
      const keys = keysOf(item);
      if (keys.some((key) => key.includes('\0'))) {
        const message = `${NUL_MESSAGE}, field names included`;
        return new EventError(path ? `\`${path}\`: ${message}` : message, path || null);
      }
      for (let i = keys.length - 1; i >= 0; i--) stack.push([path ? `${path}.${keys[i]}` : keys[i], item[keys[i]]]);
    } else if (kind === 'array') {
      for (let i = item.length - 1; i >= 0; i--) stack.push([`${path}[${i}]`, item[i]]);
    }
  }
  return null;
}

/** Validate an already-parsed JSON value as an event: the canonical event, or an EventError. */
export function convertEvent(raw) {
  return convert(raw, true);
}

function convert(raw, mayHoldNul) {
  if (kindOf(raw) !== 'object') throw new EventError(`an event must be a JSON object, not ${jsonKind(raw)}`);
  const eventId = typeof raw.id === 'string' ? raw.id : null;
  if (mayHoldNul) {
    const nul = findNul(raw);
    if (nul !== null) {
      nul.eventId = eventId;
      throw nul;
    }
  }
  const type = Object.hasOwn(raw, 'type') ? raw.type : null;
  if (type === null) throw new EventError('missing field `type`', 'type', eventId);
  if (typeof type !== 'string' || !SCHEMAS.has(type)) {
    throw new EventError(`unknown event type ${pyRepr(type)} (known: ${KNOWN})`, 'type', eventId);
  }
  const version = Object.hasOwn(raw, 'v') ? raw.v : null;
  if (version === null) throw new EventError('missing field `v` (the schema version, 1 for now)', 'v', eventId);
  if (kindOf(version) !== 'int') {
    throw new EventError(`\`v\` must be an integer, not ${jsonKind(version)}`, 'v', eventId);
  }
  const current = SCHEMAS.get(type).v;
  if (version !== current) {
    throw new EventError(
      `unsupported version ${pyRepr(version)} of ${type} (this server reads version ${current})`, 'v', eventId,
    );
  }
  let id;
  let at;
  let data;
  let seq = null;
  let recordedAt = null;
  let device = null;
  for (const key of keysOf(raw)) {
    switch (key) {
      case 'type':
      case 'v':
        break;
      case 'data':
        data = checkData(type, raw.data, eventId);
        break;
      case 'id':
        id = check(raw.id, ID, false, 'id', eventId);
        break;
      case 'at':
        at = check(raw.at, DATETIME, false, 'at', eventId);
        break;
      case 'seq':
        seq = check(raw.seq, SEQ, true, 'seq', eventId);
        break;
      case 'recorded_at':
        recordedAt = check(raw.recorded_at, DATETIME, true, 'recorded_at', eventId);
        break;
      case 'device':
        device = check(raw.device, DEVICE, true, 'device', eventId);
        break;
      default:
        throw new EventError(`unknown field \`${key}\``, key, eventId);
    }
  }
  if (data === undefined) throw new EventError('missing required field `data`', 'data', eventId);
  if (id === undefined) throw new EventError('missing required field `id`', 'id', eventId);
  if (at === undefined) throw new EventError('missing required field `at`', 'at', eventId);
  const year = civilFromDays(Math.floor((at.sec + at.offset) / SECONDS_PER_DAY))[0]; // as written
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) {
    throw new EventError(
      `\`at\`: ${formatInstant(at, false)} is out of range (years 1900 to 2999)`, 'at', eventId,
    );
  }
  if (type === 'event_corrected') data = checkCorrectedAt(data, eventId);
  const event = { type, data, id, v: current, at: isCanonicalInstant(raw.at, at) ? raw.at : formatInstant(at) };
  if (seq !== null) event.seq = seq;
  if (recordedAt !== null) event.recorded_at = isCanonicalInstant(raw.recorded_at, recordedAt) ? raw.recorded_at : formatInstant(recordedAt);
  if (device !== null) event.device = device;
  Object.defineProperty(event, INSTANT, { value: at });
  return event;
}

/** Decode one wire-format event (a JSON text), or throw an EventError naming what is wrong. */
export function decodeEvent(text) {
  // U+0000 is written `\u0000` in JSON (a raw NUL is not valid JSON): lines without it skip the look for it.
  return convert(parseJSON(text), text.includes('\\u0000'));
}

// --- NDJSON logs -------------------------------------------------------------------------------------

const BLANK = /^[ \t\n\r\v\f]*$/;

function decodeLines(lines, events) {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (BLANK.test(line)) continue;
    try {
      events.push(decodeEvent(line));
    } catch (error) {
      if (error instanceof EventError) throw new LogError(i + 1, error);
      throw error;
    }
  }
  return events;
}

function isBlankBytes(bytes, start, end) {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 32 && (b < 9 || b > 13)) return false;
  }
  return true;
}

/**
 * Decode a whole NDJSON log (a string, or UTF-8 bytes): the events in file order, or a LogError at the
 * first bad line. Only \n ends a line; blank lines are skipped but counted; a leading BOM is ignored.
 */
export function readLog(content) {
  if (typeof content === 'string') {
    return decodeLines((content.charCodeAt(0) === 0xfeff ? content.slice(1) : content).split('\n'), []);
  }
  let bytes = content instanceof Uint8Array ? content : new Uint8Array(content);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let text = null;
  try {
    text = strict.decode(bytes);
  } catch {
    // Not UTF-8 somewhere: read line by line, so that the first bad line is the one reported.
  }
  if (text !== null) return decodeLines(text.split('\n'), []);
  const events = [];
  let start = 0;
  for (let number = 1; start <= bytes.length; number++) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    if (!isBlankBytes(bytes, start, end)) {
      let line;
      try {
        line = strict.decode(bytes.subarray(start, end));
      } catch {
        throw new LogError(number, new EventError('not valid UTF-8 (events are UTF-8 JSON)'));
      }
      try {
        events.push(decodeEvent(line));
      } catch (error) {
        if (error instanceof EventError) throw new LogError(number, error);
        throw error;
      }
    }
    start = end + 1;
  }
  return events;
}
