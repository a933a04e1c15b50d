// The story of each relationship, read from a projection: a timeline of what happened between me and a
// contact, each obligation an event created and how it was kept (both ways), counts per side and per rule,
// the on-time rate month by month, and the "before you meet again" brief of what is still open.
//
// A pure function of the projection, the twin of events/story.py: both give the same JSON
// (`merci history LOG CONTACT --story`, `merci replay LOG --story`) and the same English text.

import { formatDay } from './dates.js';
import { compareText } from './facts.js';
import { ME, WINDOWS } from './obligations.js';
import { mentions } from './project.js';

export const RULE_ORDER = ['thank', 'report', 'announce', 'nurture', 'greetings'];
export const SIDES = ['owed_by_me', 'owed_to_me'];
/** How an obligation was kept, or where it stands: a done one by its grade; an open one by its status. */
export const KEPT = ['early', 'on_time', 'late', 'very_late', 'still_owed', 'due', 'upcoming', 'snoozed', 'missed', 'dismissed'];
/** What the brief lists: nothing done, nothing closed. */
export const OPEN = new Set(['still_owed', 'due', 'upcoming', 'snoozed']);

/** The event types that can keep an obligation of a rule, by side (DESIGN.md section 2, "fulfilled by"). */
const FULFILLED_BY = new Map([
  ['thank owed_by_me', ['thanks_sent']],
  ['thank owed_to_me', ['thanks_received']],
  ['report owed_by_me', ['introducer_informed']],
  ['report owed_to_me', ['update_received']],
  ['announce owed_by_me', ['job_announced']],
  ['nurture owed_by_me', ['meeting_logged', 'thanks_sent', 'introducer_informed', 'job_announced', 'idea_shared']],
  ['greetings owed_by_me', ['greetings_sent']],
]);

/** Events about a referral by its id only: the story names its parties. */
const REFERRAL_NEWS = new Set(['referral_outcome', 'introducer_informed', 'update_received']);

/** The obligation's reading: its grade once done, else its status (`overdue`: still owed). */
export function kept(obligation) {
  if (obligation.status === 'done') return obligation.grade || 'on_time';
  return obligation.status === 'overdue' ? 'still_owed' : obligation.status;
}

function tally() {
  const found = { total: 0 };
  for (const reading of KEPT) found[reading] = 0;
  return found;
}

/** Counts per side and per rule of each reading: "4 of 7 on time, 2 late, 1 still owed". */
export function counts(obligations) {
  const sides = { owed_by_me: tally(), owed_to_me: tally() };
  const byRule = new Map();
  for (const o of obligations) {
    if (!byRule.has(o.rule)) byRule.set(o.rule, { owed_by_me: tally(), owed_to_me: tally() });
    for (const t of [sides[o.direction], byRule.get(o.rule)[o.direction]]) {
      t.total += 1;
      t[o.kept] += 1;
    }
  }
  const by_rule = {};
  for (const rule of RULE_ORDER) if (byRule.has(rule)) by_rule[rule] = byRule.get(rule);
  return { ...sides, by_rule };
}

/** The on-time rate month by month, both ways, by the month obligations fell due, counted as scores count. */
export function months(obligations) {
  const found = new Map();
  for (const o of obligations) {
    if (o.status !== 'done' && o.status !== 'overdue' && o.status !== 'missed') continue;
    const month = o.due.slice(0, 7);
    if (!found.has(month)) found.set(month, { owed_by_me: { on_time: 0, counted: 0 }, owed_to_me: { on_time: 0, counted: 0 } });
    const cell = found.get(month)[o.direction];
    cell.counted += 1;
    if (o.grade === 'on_time') cell.on_time += 1;
  }
  return [...found.keys()].sort().map((month) => ({ month, ...found.get(month) }));
}

function push(map, key, value) {
  const found = map.get(key);
  if (found === undefined) map.set(key, [value]);
  else found.push(value);
}

/** What the story needs of a projection, indexed once: events by id, names, referrals. */
class Reader {
  constructor(p) {
    this.p = p;
    this.facts = p.facts;
    this.byId = new Map();
    for (const occurrence of this.facts.occurrences) this.byId.set(occurrence.event.id, occurrence);
    // indexes, so that telling every relationship costs one pass, not one per contact
    this.owed = new Map(); // counterpart -> obligations, in the projection's (due, id) order
    this.thanksOwed = new Map(); // creditor -> [rank, obligation] of the open thanks I owe
    p.obligations.forEach((o, rank) => {
      push(this.owed, o.counterpart, o);
      if (o.debtor === ME && o.rule === 'thank' && OPEN.has(kept(o))) push(this.thanksOwed, o.creditor, [rank, o]);
    });
    // the saved ideas by their id (`idea_saved`, the last of an id in (at, id) order), as the pre-pass left them:
    // an `idea_shared` naming one is told by its title
    this.ideas = new Map();
    for (const { event } of this.facts.occurrences) if (event.type === 'idea_saved') this.ideas.set(event.data.idea, event.data);
    this.introduced = new Map(); // introducer -> Set of the people they introduced me to
    for (const { event } of this.facts.referralsGiven.values()) {
      const { introducer, referred } = event.data;
      if (referred === introducer) continue;
      if (!this.introduced.has(introducer)) this.introduced.set(introducer, new Set());
      this.introduced.get(introducer).add(referred);
    }
  }

  name(contact) {
    const found = this.facts.contacts.get(contact);
    return found !== undefined ? found.name : contact;
  }

  /** The title of the saved idea an `idea_shared` names (its link when it has no title); null when it names none
   * (free text, or an older log). */
  ideaTitle(idea) {
    const saved = idea == null ? undefined : this.ideas.get(idea);
    if (saved === undefined) return null;
    return saved.title || (saved.link ?? null);
  }

  /** The referral's parties, whichever way it went (the one logged first, as the report rule reads it). */
  referral(referral) {
    const given = this.facts.referralsGiven.get(referral);
    const made = this.facts.referralsMade.get(referral);
    if (given !== undefined && (made === undefined || given.pos < made.pos)) {
      const { data } = given.event;
      return { referral, way: 'given', introducer: data.introducer, referred: data.referred, on: formatDay(given.day) };
    }
    if (made !== undefined) {
      const { data } = made.event;
      return { referral, way: 'made', to: data.to, referred: data.referred, on: formatDay(made.day) };
    }
    return null;
  }

  /** One obligation as the story tells it: what it is about, how it was kept, how many days after due. */
  obligation(o) {
    const end = o.doneOn ?? this.p.asOf;
    return {
      id: o.id,
      rule: o.rule,
      direction: o.debtor === ME ? 'owed_by_me' : 'owed_to_me',
      counterpart: o.counterpart,
      due: formatDay(o.due),
      status: o.status,
      grade: o.grade,
      done_on: o.doneOn === null ? null : formatDay(o.doneOn),
      snoozed_until: o.snoozedUntil === null ? null : formatDay(o.snoozedUntil),
      kept: kept(o),
      days_after_due: end - o.due,
      on_time_until: formatDay(o.due + WINDOWS.get(o.rule).onTime),
      about: this.about(o),
      trigger: o.trigger,
      kept_by: null,
    };
  }

  /** What the obligation is for: the meeting of a thank, the referral of a report, the job, the last touch, the year. */
  about(o) {
    const found = this.byId.get(o.trigger);
    const day = found ? formatDay(found.day) : null;
    const data = found ? found.event.data : {};
    switch (o.rule) {
      case 'thank':
        return { meeting: o.id.split(':')[1], date: day, place: data.place ?? null, kind: data.kind ?? 'meeting', host: data.host ?? 'them' };
      case 'report':
        return { ...(this.referral(o.id.slice('report:'.length)) ?? {}), outcome: data.outcome ?? 'meeting_obtained',
          known_on: formatDay(o.due), learnt_from: found ? found.event.id : null };
      case 'announce':
        return { job_found: day, employer: data.employer ?? null, job: data.job ?? null };
      case 'nurture':
        return { last_touch: day };
      case 'greetings':
        return { year: Number(o.id.split(':')[1]) };
      default:
        return {};
    }
  }
}

function entry(reader, { day, event }) {
  const id = REFERRAL_NEWS.has(event.type) ? event.data.referral : undefined;
  const referral = id !== undefined ? reader.referral(id) : null;
  const found = {
    date: formatDay(day),
    event: event.id,
    type: event.type,
    data: event.data,
    referral,
    obligations: [],
    kept: [],
    unseen_thanks: unseenThanks(day, event, referral),
  };
  if (event.type === 'idea_shared') found.idea_title = reader.ideaTitle(event.data.idea);
  return found;
}

/** The thank-you I cannot see: a name I gave led to a meeting (`referral_outcome` meeting_obtained of a
 * `referral_made`), so by the thank rule the person I helped owed the person they met a thank-you the day
 * after. Nothing in my log can say whether it was sent: the story says so, it creates no obligation. */
function unseenThanks(day, event, referral) {
  if (event.type !== 'referral_outcome' || event.data.outcome !== 'meeting_obtained' || referral === null
    || referral.way !== 'made') return [];
  return [{ referral: referral.referral, seeker: referral.to, referred: referral.referred, known_on: formatDay(day), event: event.id }];
}

function namesSame(e, story) {
  if (story.rule === 'report') return e.data.referral === story.about.referral;
  if (story.rule === 'thank' && e.data.meeting != null) return e.data.meeting === story.about.meeting;
  return true;
}

/** Hang each obligation on the event that created it, and mark the event that kept it. */
function links(entries, stories) {
  const byEvent = new Map(entries.map((e) => [e.event, e]));
  const used = new Set();
  for (const story of stories) {
    const home = byEvent.get(story.trigger);
    if (home !== undefined) home.obligations.push(story);
    if (story.done_on === null) continue;
    const types = FULFILLED_BY.get(`${story.rule} ${story.direction}`) ?? [];
    for (const e of entries) {
      const key = `${story.rule} ${e.event}`;
      if (e.date !== story.done_on || !types.includes(e.type) || used.has(key) || !namesSame(e, story)) continue;
      used.add(key);
      e.kept.push(story.id);
      story.kept_by = e.event;
      break;
    }
  }
}

/** Each contact's occurrences (those naming them, as their history lists them), one pass over the log. */
function timelines(p, wanted) {
  const { facts } = p;
  const own = new Map();
  for (const o of p.obligations) if (!own.has(o.id)) own.set(o.id, o.counterpart);
  const found = new Map();
  for (const occurrence of facts.occurrences) {
    const { event } = occurrence;
    let named = mentions(event, facts);
    if (event.type === 'obligation_snoozed' || event.type === 'obligation_dismissed') {
      const counterpart = own.get(event.data.obligation);
      named = counterpart !== undefined && named.has(counterpart) ? new Set([counterpart]) : new Set();
    }
    for (const contact of named) {
      if (!facts.contacts.has(contact) || (wanted !== null && !wanted.has(contact))) continue;
      if (!found.has(contact)) found.set(contact, []);
      found.get(contact).push(occurrence);
    }
  }
  return found;
}

function brief(reader, contact, obligations, entries) {
  const introduced = [];
  for (const referred of reader.introduced.get(contact) ?? []) introduced.push(...(reader.thanksOwed.get(referred) ?? []));
  introduced.sort((a, b) => a[0] - b[0]); // in the projection's order
  const owedToMe = obligations.filter((o) => o.direction === 'owed_to_me' && OPEN.has(o.kept)).map((o) => o.id);
  // the people they met through me, whose thank-you I cannot see: raised while they still owe me the news of
  // that meeting (once told, or once I let it go, the question is no longer mine to raise)
  const openReports = new Set(owedToMe.filter((id) => id.startsWith('report:')).map((id) => id.slice('report:'.length)));
  const unseen = [];
  const seen = new Set();
  for (const e of entries) {
    for (const note of e.unseen_thanks) {
      if (note.seeker !== contact || !openReports.has(note.referral) || seen.has(note.referral)) continue;
      seen.add(note.referral);
      unseen.push(note);
    }
  }
  return {
    owed_by_me: obligations.filter((o) => o.direction === 'owed_by_me' && OPEN.has(o.kept)).map((o) => o.id),
    owed_to_me: owedToMe,
    introduced: introduced.map(([, o]) => reader.obligation(o)),
    unseen_thanks: unseen,
  };
}

function story(reader, contact, events) {
  const { p } = reader;
  const obligations = (reader.owed.get(contact) ?? []).map((o) => reader.obligation(o));
  const ids = new Set(events.map((occurrence) => occurrence.event.id));
  // an obligation created by an event that does not name the contact (the meeting with the person they
  // introduced me to, the job found) brings that event into the timeline: it is where the obligation starts
  const byPos = new Map(events.map((occurrence) => [occurrence.pos, occurrence]));
  for (const o of obligations) {
    if (!ids.has(o.trigger) && reader.byId.has(o.trigger)) {
      const occurrence = reader.byId.get(o.trigger);
      byPos.set(occurrence.pos, occurrence);
    }
  }
  const ordered = [...byPos.values()].sort((a, b) => a.pos - b.pos);
  const entries = ordered.map((occurrence) => entry(reader, occurrence));
  links(entries, obligations);
  const record = p.facts.contacts.get(contact);
  const named = new Set([contact]);
  const add = (id) => { if (id !== undefined && id !== null) named.add(id); };
  for (const e of entries) {
    if (e.type === 'meeting_logged') for (const id of e.data.contacts) add(id); // greetings' recipients are not named
    for (const key of ['introducer', 'referred', 'to', 'contact']) add(e.data[key]);
    if (e.referral !== null) for (const key of ['introducer', 'referred', 'to']) add(e.referral[key]);
  }
  for (const o of obligations) for (const key of ['introducer', 'referred', 'to']) add(o.about[key]);
  const summary = brief(reader, contact, obligations, entries);
  for (const item of summary.introduced) add(item.counterpart);
  return {
    contact,
    name: record.name,
    archived: record.archived === null ? null : formatDay(record.archived.day),
    as_of: formatDay(p.asOf),
    timezone: p.timezone,
    names: [...named].sort(compareText).map((id) => ({ contact: id, name: reader.name(id) })),
    entries,
    obligations,
    counts: counts(obligations),
    months: months(obligations),
    brief: summary,
  };
}

/** One relationship's story (see the module's comment); null if the log never names that contact. */
export function contactStory(p, contact) {
  if (!p.facts.contacts.has(contact)) return null;
  const reader = new Reader(p);
  return story(reader, contact, timelines(p, new Set([contact])).get(contact) ?? []);
}

/** Every relationship's story, people in order of name (then id), with the whole network's counts and rates. */
export function networkStory(p) {
  const reader = new Reader(p);
  const found = timelines(p, null);
  const people = [...p.facts.contacts.keys()].sort((a, b) => compareText(reader.name(a), reader.name(b)) || compareText(a, b));
  const stories = people.map((contact) => story(reader, contact, found.get(contact) ?? []));
  const every = stories.flatMap((s) => s.obligations); // each obligation once; counts ignore order
  return {
    as_of: formatDay(p.asOf),
    timezone: p.timezone,
    counts: counts(every),
    months: months(every),
    people: stories,
  };
}

/** What changed between two replays of one log (an earlier and a later as_of), per side. */
export function changes(earlier, later) {
  const before = new Map(earlier.obligations.map((o) => [o.id, o]));
  const found = {};
  for (const side of SIDES) found[side] = { kept: [], became_overdue: [], new: [], dismissed: [] };
  const late = new Set(['overdue', 'missed']);
  for (const o of later.obligations) {
    const side = found[o.debtor === ME ? 'owed_by_me' : 'owed_to_me'];
    const old = before.get(o.id);
    if (old === undefined) side.new.push(o.id);
    if (o.status === 'done' && (old === undefined || old.status !== 'done')) side.kept.push(o.id);
    else if (late.has(o.status) && (old === undefined || !late.has(old.status))) side.became_overdue.push(o.id);
    else if (o.status === 'dismissed' && (old === undefined || old.status !== 'dismissed')) side.dismissed.push(o.id);
  }
  return { since: formatDay(earlier.asOf), as_of: formatDay(later.asOf), ...found };
}

// --- the story in plain English, for the terminal ----------------------------------------------------------

function monthsAgo(days) {
  if (days >= 60) return ` — ${Math.floor(days / 30)} months`;
  if (days >= 14) return ` — ${Math.floor(days / 7)} weeks`;
  return '';
}

function plural(n) {
  return n === 1 ? `${n} day` : `${n} days`;
}

/** What the obligation asks, in words: "thank Hervé for the meeting of 2026-05-12 at Son bureau". */
export function obligationPhrase(o, names) {
  const who = names.get(o.counterpart) ?? o.counterpart;
  const { about } = o;
  const mine = o.direction === 'owed_by_me';
  switch (o.rule) {
    case 'thank': {
      const meeting = `the meeting of ${about.date}${about.place ? ` at ${about.place}` : ''}`;
      return mine ? `thank ${who} for ${meeting}` : `${who} to thank me for ${meeting}`;
    }
    case 'report': {
      const referred = names.get(about.referred) ?? about.referred ?? '?';
      const outcome = { meeting_obtained: 'met', declined: 'declined', no_answer: 'no answer' }[about.outcome] ?? 'met';
      const news = `how it went with ${referred} (${outcome}, known ${about.known_on})`;
      return mine ? `tell ${who} ${news}` : `${who} to tell me ${news}`;
    }
    case 'announce': return `tell and thank ${who} for the new job (found ${about.job_found})`;
    case 'nurture': return `keep in touch with ${who} (last touch ${about.last_touch})`;
    case 'greetings': return `send ${who} season's greetings for ${about.year}`;
    default: return `${o.rule} ${who}`;
  }
}

/** The thank-you I cannot see: "Paul met Anne through me (known 2026-06-10): did Paul thank Anne? Nothing tells me so". */
export function unseenThanksPhrase(note, names) {
  const seeker = names.get(note.seeker) ?? note.seeker;
  const referred = names.get(note.referred) ?? note.referred;
  return `${seeker} met ${referred} through me (known ${note.known_on}): did ${seeker} thank ${referred}? Nothing tells me so`;
}

/** How it was kept: "STILL OWED since 2026-05-13 (191 days — 6 months)", "done late, on … (2 days after it was due)". */
export function readingPhrase(o) {
  const days = o.days_after_due;
  switch (o.kept) {
    case 'early': return `done early, on ${o.done_on} (${plural(-days)} before it was due)`;
    case 'on_time': return `done on time, on ${o.done_on}`;
    case 'late':
    case 'very_late':
      return `done ${o.kept === 'very_late' ? 'very ' : ''}late, on ${o.done_on} (${plural(days)} after it was due)`;
    case 'still_owed': return `STILL OWED since ${o.due} (${plural(days)}${monthsAgo(days)})`;
    case 'due': return `due now (on time until ${o.on_time_until})`;
    case 'upcoming': return `upcoming, due ${o.due}`;
    case 'snoozed': return `snoozed until ${o.snoozed_until} (due ${o.due})`;
    case 'missed': return `missed (due ${o.due})`;
    default: return `dismissed (was due ${o.due})`;
  }
}

function eventPhrase(e, contact, names) {
  const { data, type } = e;
  const name = (c) => names.get(c) ?? c;
  if (type === 'meeting_logged') {
    const contacts = data.contacts ?? [];
    const others = contacts.filter((c) => c !== contact).map(name);
    let withWhom = contacts.includes(contact) ? name(contact) : others.join(', ');
    if (contacts.includes(contact) && others.length) withWhom += ` (with ${others.join(', ')})`;
    const how = (data.host ?? 'them') === 'them' ? 'they received me' : 'I received them';
    return `${data.kind ?? 'meeting'} with ${withWhom}${data.place ? ` at ${data.place}` : ''} (${how})`;
  }
  if (type === 'referral_given') return `${name(data.introducer)} gave me the name of ${name(data.referred)}`;
  if (type === 'referral_made') return `I gave ${name(data.to)} the name of ${name(data.referred)}`;
  const referral = e.referral ?? {};
  const seeker = referral.way === 'made' ? name(referral.to ?? ME) : 'I';
  const referred = name(referral.referred ?? '?');
  switch (type) {
    case 'referral_outcome': {
      if (e.referral === null) return `outcome of referral ${data.referral}: ${data.outcome}`;
      const said = {
        meeting_obtained: `${seeker} obtained a meeting with ${referred}`,
        declined: `${referred} declined to meet ${seeker === 'I' ? 'me' : seeker}`,
        no_answer: `${seeker} had no answer from ${referred}`,
      }[data.outcome];
      return seeker === 'I' ? said : `I learnt that ${said}`;
    }
    case 'thanks_sent': return `I thanked ${name(data.contact)}${data.channel ? ` (${data.channel})` : ''}`;
    case 'thanks_received': return `${name(data.contact)} thanked me`;
    case 'introducer_informed': return `I told ${name(referral.introducer ?? '?')} how it went with ${referred}`;
    case 'update_received': return `${seeker} told me how it went with ${referred}`;
    case 'job_found': return `I found a job${data.employer ? ` at ${data.employer}` : ''}`;
    case 'job_announced': return `I told ${name(data.contact)} about my new job`;
    case 'idea_shared':
      if (e.idea_title) return `I shared ‘${e.idea_title}’ with ${name(data.contact)}`;
      return `I shared an idea with ${name(data.contact)}${data.idea ? `: ${data.idea}` : ''}`;
    case 'greetings_sent': return "season's greetings sent";
    case 'contact_added': return `added ${name(data.contact)} to my contacts`;
    case 'contact_updated': return `updated ${name(data.contact)}'s card`;
    case 'contact_archived': return `archived ${name(data.contact)}`;
    case 'obligation_snoozed': return `snoozed ${data.obligation} until ${data.until}`;
    case 'obligation_dismissed': return `dismissed ${data.obligation}`;
    default: return type.replaceAll('_', ' ');
  }
}

/** "4 of 7 on time, 2 late, 1 still owed" (the readings that occur, in KEPT order). */
export function countPhrase(t) {
  const parts = [`${t.on_time} of ${t.total} on time`];
  for (const reading of KEPT) if (reading !== 'on_time' && t[reading]) parts.push(`${t[reading]} ${reading.replaceAll('_', ' ')}`);
  return parts.join(', ');
}

function countLines(tallies, labels) {
  const lines = [];
  SIDES.forEach((side, i) => {
    const t = tallies[side];
    if (!t.total) {
      lines.push(`${labels[i]}: nothing yet`);
      return;
    }
    lines.push(`${labels[i]}: ${countPhrase(t)}`);
    for (const [rule, sides] of Object.entries(tallies.by_rule)) {
      if (sides[side].total) lines.push(`  ${rule.padEnd(9)} ${countPhrase(sides[side])}`);
    }
  });
  return lines;
}

/** One relationship's story in plain English: the brief first, then the timeline, then the counts. */
export function storyText(s) {
  const names = new Map(s.names.map((n) => [n.contact, n.name]));
  const who = s.name;
  const byId = new Map(s.obligations.map((o) => [o.id, o]));
  const lines = [`The story with ${who} [${s.contact}], as of ${s.as_of} (${s.timezone})${s.archived ? `, archived on ${s.archived}` : ''}`, ''];
  const { brief: b } = s;
  const line = (o) => `    - ${obligationPhrase(o, names)}: ${readingPhrase(o)}`;
  if (b.owed_by_me.length || b.owed_to_me.length || b.introduced.length || b.unseen_thanks.length) {
    lines.push(`Before you meet ${who} again:`);
    if (b.owed_by_me.length) {
      lines.push(`  Make good first (${b.owed_by_me.length} still open from me):`);
      for (const id of b.owed_by_me) lines.push(line(byId.get(id)));
    }
    if (b.introduced.length) {
      lines.push(`  And the people ${who} introduced you to:`);
      for (const o of b.introduced) lines.push(line(o));
    }
    if (b.owed_to_me.length || b.unseen_thanks.length) {
      lines.push(`  To raise, kindly (${b.owed_to_me.length} still open from ${who}):`);
      for (const id of b.owed_to_me) lines.push(line(byId.get(id)));
      for (const note of b.unseen_thanks) lines.push(`    - ${unseenThanksPhrase(note, names)}`);
    }
  } else {
    lines.push(`Before you meet ${who} again: nothing is open between you, either way.`);
  }
  lines.push('', 'Timeline');
  for (const e of s.entries) {
    lines.push(`  ${e.date}  ${eventPhrase(e, s.contact, names)}`);
    for (const o of e.obligations) lines.push(`      → ${obligationPhrase(o, names)}: ${readingPhrase(o)}`);
    for (const id of e.kept) lines.push(`      ✓ kept: ${obligationPhrase(byId.get(id), names)}`);
    for (const note of e.unseen_thanks) lines.push(`      ? ${unseenThanksPhrase(note, names)}`);
  }
  for (const o of s.obligations) {
    if (s.entries.every((e) => !e.obligations.includes(o))) lines.push(`  ${o.due}  → ${obligationPhrase(o, names)}: ${readingPhrase(o)}`);
  }
  lines.push('');
  lines.push(...countLines(s.counts, [`What I owe ${who}`, `What ${who} owes me`]));
  return lines;
}

/** The whole network's story: the counts, then each person's story. */
export function networkText(network) {
  const lines = [`Merci: the story of every relationship, as of ${network.as_of} (${network.timezone})`, ''];
  lines.push(...countLines(network.counts, ['What I owe others', 'What others owe me']));
  for (const s of network.people) {
    if (!s.entries.length && !s.obligations.length) continue;
    lines.push('', '='.repeat(72), ...storyText(s));
  }
  return lines;
}
