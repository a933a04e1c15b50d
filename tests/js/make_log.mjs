#!/usr/bin/env node
// Write a random valid log (tests/js/generator.mjs) to stdout, to measure or try the engines on:
//   node tests/js/make_log.mjs [--events N] [--contacts N] [--seed S] > big.ndjson
// It prints the suggested `--as-of ... --tz ...` on stderr.

import { generateLog } from './generator.mjs';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const events = option('events', 1000);
const { lines, asOf, tz, zone } = generateLog(option('seed', 1), {
  events, contacts: option('contacts', Math.max(5, Math.round(events / 50))), span: Math.min(880, 30 + Math.round(events / 100)),
});
process.stdout.write(`${lines.join('\n')}\n`);
process.stderr.write(`--as-of ${asOf} --tz ${tz ?? zone}\n`);
