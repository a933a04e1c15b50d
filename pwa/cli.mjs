#!/usr/bin/env node
// The JavaScript engine from the command line, a twin of `merci replay` and `merci history`:
//
//   node pwa/cli.mjs replay LOG.ndjson [--as-of YYYY-MM-DD] [--tz ZONE] [--format table|text] [--json | --story]
//   node pwa/cli.mjs history LOG.ndjson CONTACT [--as-of YYYY-MM-DD] [--tz ZONE] [--json | --story]
//
// It prints what the Python CLI prints, byte for byte, so any log can be checked on both engines.
// Bad input ends with one clear line on stderr and a non-zero exit (2: usage, 3: a bad log).

import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDay, isTimeZone, localDay, parseDay } from './lib/rules/dates.js';
import { LogError, pyRepr, readLog } from './lib/rules/events.js';
import { compareText, order } from './lib/rules/facts.js';
import { contactHistory, logTimeZone, projection, replayDocument } from './lib/rules/project.js';
import { resolve } from './lib/rules/prepass.js';
import { contactStory, networkStory, networkText, storyText } from './lib/rules/story.js';
import { fold, matches } from './lib/people.js';

const EXIT_USAGE = 2;
const EXIT_BAD_LOG = 3;
const STATUS_ORDER = ['overdue', 'due', 'upcoming', 'snoozed', 'done', 'missed', 'dismissed'];

class CliError extends Error {
  constructor(message, code = EXIT_USAGE) {
    super(message);
    this.code = code;
  }
}

class UsageError extends Error {
  constructor(usage, message, prog = 'merci') {
    super(message);
    this.usage = usage;
    this.prog = prog;
  }
}

// --- arguments, the way argparse reads them ----------------------------------------------------------

const COMMANDS = {
  replay: { positionals: ['log'], help: 'what was owed, both ways, on a date (the audit)' },
  history: { positionals: ['log', 'contact'], shown: { contact: 'NAME-OR-ID' }, help: "one relationship's timeline, both ways" },
};
const OPTIONS = {
  replay: { '--as-of': 'asOf', '--tz': 'tz', '--format': 'format', '--json': 'json', '--story': 'story' },
  history: { '--as-of': 'asOf', '--tz': 'tz', '--json': 'json', '--story': 'story' },
};
const FLAGS = new Set(['json', 'story']);
const FORMATS = ['table', 'text'];
const MAIN_USAGE = 'usage: merci [-h] COMMAND ...';

function commandUsage(command) {
  // as argparse wraps it in 80 columns
  return command === 'replay'
    ? 'usage: merci replay [-h] [--as-of YYYY-MM-DD] [--tz ZONE]\n                    [--format {table,text}] [--json | --story]\n                    log'
    : 'usage: merci history [-h] [--as-of YYYY-MM-DD] [--tz ZONE] [--json | --story]\n                     log NAME-OR-ID';
}

function commandHelp(command) {
  if (command === 'replay') {
    return `${commandUsage(command)}

positional arguments:
  log                   an NDJSON event log (- for standard input)

options:
  -h, --help            show this help message and exit
  --as-of YYYY-MM-DD    replay up to the end of this local date (default
                        today)
  --tz ZONE             IANA time zone (default: the log's setting, else UTC)
  --format {table,text}
                        table: what was owed, by status (the default); text:
                        every relationship's story
  --json                print the replay document as JSON
  --story               print every relationship's story as JSON
`;
  }
  return `${commandUsage(command)}

positional arguments:
  log                 an NDJSON event log (- for standard input)
  NAME-OR-ID          the contact's id, or their name: any words starting
                      words of the name or organisation, accents and case
                      aside (as the app's search)

options:
  -h, --help          show this help message and exit
  --as-of YYYY-MM-DD  replay up to the end of this local date (default today)
  --tz ZONE           IANA time zone (default: the log's setting, else UTC)
  --json              print the history as JSON
  --story             print the relationship's story as JSON
`;
}

const MAIN_HELP = `${MAIN_USAGE}

Merci: networking follow-up, from an event log (the JavaScript engine).

positional arguments:
  COMMAND
    replay    ${COMMANDS.replay.help}
    history   ${COMMANDS.history.help}

options:
  -h, --help  show this help message and exit
`;

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError(MAIN_USAGE, 'the following arguments are required: COMMAND');
  if (command === '-h' || command === '--help') return { help: MAIN_HELP };
  if (!Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(MAIN_USAGE, `argument COMMAND: invalid choice: ${pyRepr(command)} (choose from 'replay', 'history')`);
  }
  const usage = commandUsage(command);
  const prog = `merci ${command}`;
  const args = { command, asOf: null, tz: null, json: false, story: false, format: 'table' };
  const options = OPTIONS[command];
  const positionals = [];
  const unknown = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') return { help: commandHelp(command) };
    if (arg.startsWith('--')) {
      const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
      const matches = Object.keys(options).filter((name) => name === flag || name.startsWith(flag));
      const name = matches.includes(flag) ? flag : matches.length === 1 ? matches[0] : null;
      if (name === null) {
        if (matches.length > 1) {
          throw new UsageError(usage, `ambiguous option: ${flag} could match ${matches.join(', ')}`, prog);
        }
        unknown.push(arg);
        continue;
      }
      const key = options[name];
      if (FLAGS.has(key)) {
        if (inline !== null) throw new UsageError(usage, `argument ${name}: ignored explicit argument ${pyRepr(inline)}`, prog);
        const other = key === 'json' ? 'story' : 'json';
        if (args[other]) throw new UsageError(usage, `argument ${name}: not allowed with argument --${other}`, prog);
        args[key] = true;
        continue;
      }
      let value = inline;
      if (value === null) {
        value = rest[i + 1];
        if (value === undefined || (value.startsWith('-') && value !== '-' && !/^-\d/.test(value))) {
          throw new UsageError(usage, `argument ${name}: expected one argument`, prog);
        }
        i += 1;
      }
      if (key === 'format' && !FORMATS.includes(value)) {
        throw new UsageError(usage, `argument --format: invalid choice: ${pyRepr(value)} (choose from 'table', 'text')`, prog);
      }
      args[key] = value;
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      unknown.push(arg);
      continue;
    }
    positionals.push(arg);
  }
  const names = COMMANDS[command].positionals;
  if (positionals.length < names.length) {
    const shown = (name) => COMMANDS[command].shown?.[name] ?? name; // argparse names a positional by its metavar
    throw new UsageError(usage, `the following arguments are required: ${names.slice(positionals.length).map(shown).join(', ')}`, prog);
  }
  unknown.push(...positionals.slice(names.length));
  if (unknown.length) throw new UsageError(MAIN_USAGE, `unrecognized arguments: ${unknown.join(' ')}`);
  names.forEach((name, i) => { args[name] = positionals[i]; });
  return args;
}

// --- loading --------------------------------------------------------------------------------------

function read(path) {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    if (error.code === 'ENOENT') throw new CliError(`${path}: no such file`);
    if (error.code === 'EISDIR') throw new CliError(`${path}: is a folder, not a log file`);
    const reason = { EACCES: 'Permission denied', EPERM: 'Operation not permitted' }[error.code] ?? error.code;
    throw new CliError(`${path}: cannot read (${reason})`);
  }
}

function load(args) {
  if (args.tz !== null && !isTimeZone(args.tz)) {
    throw new CliError(`--tz: unknown time zone ${pyRepr(args.tz)} (expected an IANA name such as Europe/Paris)`);
  }
  let asOf = null;
  if (args.asOf !== null) {
    asOf = parseDay(args.asOf);
    if (asOf === null) throw new CliError(`--as-of: ${pyRepr(args.asOf)} is not a date (expected YYYY-MM-DD)`);
  }
  let events;
  try {
    events = readLog(read(args.log));
  } catch (error) {
    if (error instanceof LogError) throw new CliError(`${args.log}: ${error.message}`, EXIT_BAD_LOG);
    throw error;
  }
  if (asOf === null) {
    const zone = args.tz ?? logTimeZone(resolve(order(events)).items) ?? 'UTC';
    asOf = localDay(zone, Math.floor(args.now() / 1000));
  }
  return projection(events, asOf, args.tz);
}

// --- printing -------------------------------------------------------------------------------------

const FLOAT_KEYS = new Set(['owed_by_me', 'owed_to_me']);

function float(value) {
  if (value === null) return 'null';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${Object.is(value, -0) ? '-0' : value}.0`;
  return String(value).replace('e+', 'e');
}

/** JSON as the Python CLI writes it (msgspec): scores as floats (0.0, 1.0), compact or indented by `indent`. */
export function toJSON(value, indent = 0, key = null, depth = 0) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'number': return FLOAT_KEYS.has(key) ? float(value) : String(value);
    case 'boolean': return String(value);
    default: break;
  }
  const [open, close, entries] = Array.isArray(value)
    ? ['[', ']', value.map((item) => toJSON(item, indent, null, depth + 1))]
    : ['{', '}', Object.keys(value).map((k) => `${JSON.stringify(k)}:${indent ? ' ' : ''}${toJSON(value[k], indent, k, depth + 1)}`)];
  if (entries.length === 0) return open + close;
  if (!indent) return open + entries.join(',') + close;
  const inner = '\n' + ' '.repeat(indent * (depth + 1));
  return open + inner + entries.join(`,${inner}`) + '\n' + ' '.repeat(indent * depth) + close;
}

/** The replay document's JSON, with scores in code point order of the contact ids. */
function replayJSON(document, ids) {
  const scores = ids.map((id) => `${JSON.stringify(id)}:${toJSON(document.scores[id], 0, null, 1)}`);
  return `{"as_of":${JSON.stringify(document.as_of)},"timezone":${JSON.stringify(document.timezone)},`
    + `"obligations":${JSON.stringify(document.obligations)},"scores":{${scores.join(',')}},` // strings and nulls only
    + `"overall":${toJSON(document.overall)}}`;
}

function codePointLength(text) {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function padEnd(text, width) {
  return text + ' '.repeat(Math.max(0, width - codePointLength(text)));
}

function padStart(text, width) {
  return ' '.repeat(Math.max(0, width - codePointLength(text))) + text;
}

/** Python's f"{value:.0%}": rounding half to even, as Python formats the exact binary value. */
function pct(value) {
  if (value === null) return '—';
  const x = value * 100;
  const floor = Math.floor(x);
  const rounded = x - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(x);
  return `${rounded}%`;
}

/** How Python prints a value in an f-string: strings as they are, lists as their repr. */
function str(value) {
  return typeof value === 'string' ? value : pyRepr(value);
}

function printReplay(p, out) {
  const document = replayDocument(p);
  const names = new Map([...p.facts.contacts].map(([id, contact]) => [id, contact.name]));
  const name = (id) => names.get(id) ?? id;
  out.push(`Merci replay as of ${document.as_of} (${document.timezone})`);
  for (const status of STATUS_ORDER) {
    const rows = document.obligations.filter((o) => o.status === status);
    if (rows.length === 0) continue;
    out.push(`\n${status.toUpperCase()} (${rows.length})`);
    for (const o of rows) {
      const who = o.debtor === 'me' ? `me → ${name(o.creditor)}` : `${name(o.debtor)} → me`;
      let extra = o.done_on ? `  ${o.grade} on ${o.done_on}` : '';
      if (o.snoozed_until) extra = `  until ${o.snoozed_until}`;
      out.push(`  ${o.due}  ${padEnd(o.rule, 9)} ${padEnd(who, 32)}${extra}  [${o.id}]`);
    }
  }
  out.push('\nScores (on time / counted)     owed by me   owed to me');
  for (const id of [...p.scores.keys()].sort(compareText)) {
    const pair = document.scores[id];
    if (pair.owed_by_me === null && pair.owed_to_me === null) continue;
    out.push(`  ${padEnd(name(id), 28)} ${padStart(pct(pair.owed_by_me), 10)}   ${padStart(pct(pair.owed_to_me), 10)}`);
  }
  const { overall } = document;
  out.push(`  ${padEnd('overall', 28)} ${padStart(pct(overall.owed_by_me), 10)}   ${padStart(pct(overall.owed_to_me), 10)}`);
}

/** The id of the contact `wanted` names, as `merci history` finds it (server/cli.py `_find_contact`): an id as it
 * is, else a name as the app's search finds it (lib/people.js), one whose whole name it is winning over those it
 * only starts. None or several: a CliError saying what was searched, or who matched. */
function findContact(p, wanted, log) {
  const { contacts, merged } = p.facts;
  if (contacts.has(wanted) || merged.has(wanted)) return wanted; // a merged-away id reads as the one it joined
  const folded = fold(wanted);
  if (!folded) throw new CliError("no contact named: give a contact's id or name");
  const found = [...contacts.values()].filter((c) => matches({ name: c.name, org: c.fields.get('org') ?? '' }, folded));
  const exact = found.filter((c) => fold(c.name) === folded);
  if (exact.length === 1 || found.length === 1) return (exact.length === 1 ? exact : found)[0].id;
  if (!found.length) {
    throw new CliError(`no contact has the id or a name matching ${pyRepr(wanted)} in ${log} up to ${formatDay(p.asOf)}`);
  }
  const listed = found.sort((a, b) => compareText(fold(a.name), fold(b.name)) || compareText(a.id, b.id))
    .map((c) => `  ${c.name} [${c.id}]`).join('\n');
  throw new CliError(`${pyRepr(wanted)} matches ${found.length} contacts; give one's id (or more of the name):\n${listed}`);
}

function printHistory(p, history, out) {
  out.push(`${history.name} [${history.contact}]${history.archived ? ' (archived)' : ''}`);
  out.push(`as of ${formatDay(p.asOf)} (${p.timezone}); `
    + `owed by me ${pct(history.scores.owed_by_me)}, owed to me ${pct(history.scores.owed_to_me)}`);
  out.push('\nTimeline');
  for (const event of history.events) {
    const detail = Object.entries(event.data)
      .filter(([k, v]) => k !== 'contact' && v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k}=${str(v)}`).join(', ');
    out.push(`  ${event.date}  ${padEnd(event.type, 20)} ${detail}`);
  }
  out.push('\nObligations');
  for (const o of history.obligations) {
    const direction = o.debtor === 'me' ? 'I owe' : 'they owe';
    const done = o.done_on ? ` — ${o.grade} on ${o.done_on}` : '';
    out.push(`  ${o.due}  ${padEnd(o.rule, 9)} ${padEnd(direction, 8)} ${o.status}${done}`);
  }
  if (history.changes.length) { // the record changed: say what and when
    out.push('\nChanges');
    for (const c of history.changes) out.push(`  ${c.type} ${c.event} ${c.change} on ${c.date} (by ${c.by})`);
  }
}

function run(args) {
  const p = load(args);
  const out = [];
  if (args.command === 'replay') {
    if (args.story) {
      out.push(toJSON(networkStory(p), 1));
    } else if (args.format === 'text') {
      out.push(...networkText(networkStory(p)));
    } else if (args.json) {
      const document = replayDocument(p);
      const ids = [...p.scores.keys()].sort(compareText);
      out.push(replayJSON(document, ids));
    } else {
      printReplay(p, out);
    }
  } else {
    const contact = findContact(p, args.contact, args.log);
    const history = contactHistory(p, contact);
    if (history === null) {
      throw new CliError(`contact ${pyRepr(args.contact)} does not appear in ${args.log} up to ${formatDay(p.asOf)}`);
    }
    if (args.story) out.push(toJSON(contactStory(p, contact), 1));
    else if (args.json) out.push(toJSON(history, 1));
    else {
      printHistory(p, history, out);
      out.push('', ...storyText(contactStory(p, contact)));
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * Run the CLI with `argv` (the arguments after the script), writing to `io.stdout` and `io.stderr`
 * (anything with a write(string) method); returns the exit code. `io.now` (milliseconds since the epoch,
 * Date.now by default) is the clock that dates "today" when --as-of is not given.
 */
export function main(argv, io = process) {
  try {
    const args = { ...parseArgs(argv), now: io.now ?? Date.now };
    if (args.help) {
      io.stdout.write(args.help);
      return 0;
    }
    io.stdout.write(run(args));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.usage}\n${error.prog}: error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      io.stderr.write(`merci: ${error.message}\n`);
      return error.code;
    }
    io.stderr.write(`merci: internal error: ${error?.message ?? error}\n`);
    if (process.env.MERCI_DEBUG) io.stderr.write(`${error?.stack}\n`);
    return 1;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0); // `| head`: stop quietly, as the Python CLI does
    throw error;
  });
  process.exitCode = main(process.argv.slice(2));
}
