/** An obligation as people read it (what, to whom, when) and the events its actions record. */

import { CATALOGUE } from '../lib/catalogue.js';
import { h } from './dom.js';
import { t, formatDay, relativeDay, daysBetween, locale, intl } from './i18n.js';
import * as model from './model.js';

const longDate = (day) => intl(Intl.DateTimeFormat, locale, { timeZone: 'UTC', dateStyle: 'long' })
  .format(new Date(`${day}T12:00:00Z`));

/** The local date of the event that created the obligation (the meeting, the job found…). */
function triggerDay(o) {
  return model.eventDay(o.trigger);
}

/** The name a report obligation is about (the referred person). */
export function referredName(o) {
  const referral = model.referralOf(o.id.slice('report:'.length));
  return referral ? model.nameOf(referral.data.referred) : '?';
}

/** "Thank Hervé", "Hervé thanks you", "Tell Anne how it went with Paul"… */
export function describe(o) {
  const owedByMe = o.debtor === model.ME;
  const name = model.nameOf(model.counterpart(o));
  switch (o.rule) {
    case 'thank': return t(owedByMe ? 'ob.thank.mine' : 'ob.thank.theirs', { name });
    case 'report': return t(owedByMe ? 'ob.report.mine' : 'ob.report.theirs', { name, referred: referredName(o) });
    case 'announce': return t('ob.announce', { name });
    case 'nurture': return t('ob.nurture', { name });
    case 'greetings': return t('ob.greetings', { name, year: o.id.split(':')[1] });
    default: return o.id;
  }
}

/** A line of context: which meeting, which referral. */
export function context(o) {
  const day = triggerDay(o);
  if (o.rule === 'thank' && day) return t('ob.context.meeting', { date: formatDay(day) });
  if (o.rule === 'announce' && day) return t('ob.context.job', { date: formatDay(day) });
  if (o.rule === 'report') return t('ob.context.referral', { referred: referredName(o) });
  return null;
}

/** "Due today", "Due tomorrow", "Overdue by 3 days", "Done on time"… */
export function when(o, today) {
  const rel = relativeDay(o.due, today);
  switch (o.status) {
    case 'upcoming': return t('when.upcoming', { when: rel });
    case 'due': return o.due >= today ? t('when.due_today') : t('when.due_since', { count: daysBetween(o.due, today) });
    case 'overdue': return t('when.overdue', { count: daysBetween(o.due, today) });
    case 'missed': return t('when.missed');
    case 'snoozed': return t('when.snoozed', { date: formatDay(o.snoozed_until) });
    case 'dismissed': return t('when.dismissed');
    case 'done': return t('when.done', { date: formatDay(o.done_on), grade: t(`grade.${o.grade}`) });
    default: return o.status;
  }
}

export function statusBadge(o) {
  return h('span', { class: `badge ${o.status}` }, t(`status.${o.status}`));
}

/** A mailto: draft in the person's language, or null when the rule has none. */
export function draft(o) {
  if (o.debtor !== model.ME) return null;
  const id = model.counterpart(o);
  const name = model.nameOf(id);
  const day = triggerDay(o);
  const trigger = model.eventById(o.trigger);
  const referred = o.rule === 'report' ? referredName(o) : '';
  const vars = { name, date: day ? longDate(day) : '', referred,
    year: o.rule === 'greetings' ? Number(o.id.split(':')[1]) + 1 : '' };
  // What was logged, reused: the meeting's place; what came of the name (the report's trigger: the outcome, or
  // the meeting with that person).
  const place = trigger?.type === 'meeting_logged' ? trigger.data.place : null;
  vars.place = place ? t('mail.place', { place }) : '';
  if (o.rule === 'report') {
    const outcome = trigger?.type === 'referral_outcome' ? trigger.data.outcome : 'meeting_obtained';
    vars.outcome = t(`mail.outcome.${outcome}`, { referred, date: vars.date });
  }
  const key = `mail.${o.rule}`;
  const email = model.emailOf(id) ?? '';
  const query = `subject=${encodeURIComponent(t(`${key}.subject`, vars))}&body=${encodeURIComponent(t(`${key}.body`, vars))}`;
  return { href: `mailto:${encodeURIComponent(email).replace(/%40/g, '@')}?${query}`, label: t(`${key}.action`, vars) };
}

/** The channels "Done" offers (the wire format's), and the rule's own first choice (rule 3 says to tell people
 * personally). */
export const CHANNELS = CATALOGUE.choices.Channel;
const CHANNEL_OF = { thank: ['thanks_sent', 'email'], report: ['introducer_informed', 'email'],
  announce: ['job_announced', 'call'], greetings: ['greetings_sent', 'email'] };

/** Whether "Done" on `o` says how it was done (what I owe, but keeping in touch: an idea has no channel). */
export const takesChannel = (o) => o.debtor === model.ME && o.rule in CHANNEL_OF;

let lastChannels = { of: null, byType: new Map() };

/** The channel "Done" offers first: the one I used last for that kind of follow-up, else the rule's. */
export function defaultChannel(o) {
  const { channels } = model.view();
  if (lastChannels.of !== channels) {
    const byType = new Map();
    for (const [type, channel] of channels) if (CHANNELS.includes(channel)) byType.set(type, channel);
    lastChannels = { of: channels, byType };
  }
  const [type, fallback] = CHANNEL_OF[o.rule] ?? [];
  return lastChannels.byType.get(type) ?? fallback ?? 'email';
}

/** The event that fulfils `o` now ("Done"), in the log's words; `channel` for what I owe. */
export function fulfilment(o, channel = takesChannel(o) ? defaultChannel(o) : 'email') {
  const contact = model.counterpart(o);
  const trigger = model.eventById(o.trigger);
  const meeting = trigger?.type === 'meeting_logged' ? trigger.data.meeting : undefined;
  const owedByMe = o.debtor === model.ME;
  switch (o.rule) {
    case 'thank':
      return owedByMe
        ? ['thanks_sent', { contact, ...(meeting ? { meeting } : {}), channel }]
        : ['thanks_received', { contact, ...(meeting ? { meeting } : {}) }];
    case 'report': {
      const referral = o.id.slice('report:'.length);
      return owedByMe ? ['introducer_informed', { referral, channel }] : ['update_received', { referral }];
    }
    case 'announce': return ['job_announced', { contact, channel }];
    case 'nurture': return ['idea_shared', { contact }];
    case 'greetings': return ['greetings_sent', { contacts: [contact], channel }];
    default: return null;
  }
}

// --- referrals ----------------------------------------------------------------------------------------

/**
 * Every referral, as of today, with what came of it: [{referral, kind: 'given'|'made', who (the
 * introducer, or the person I gave the name to), referred, day, outcome: {what, day} | null,
 * report (the report obligation, once the outcome is known)}], newest first. The outcome is the engine's:
 * the first referral_outcome or, for a name I received, the first meeting with that person.
 */
export function referrals() {
  const { doc, referralsGiven, referralsMade } = model.view();
  const reports = new Map(doc.obligations.filter((o) => o.rule === 'report').map((o) => [o.id.slice('report:'.length), o]));
  const found = [];
  const add = (kind, referral, { pos, event }, other) => {
    if (other.get(referral)?.pos < pos) return; // one id, one referral: the one logged first
    const report = reports.get(referral) ?? null;
    let outcome = null;
    if (report) {
      const trigger = model.eventById(report.trigger);
      outcome = { what: trigger?.type === 'referral_outcome' ? trigger.data.outcome : 'meeting_obtained', day: report.due };
    }
    const d = event.data;
    found.push({ referral, kind, who: kind === 'given' ? d.introducer : d.to, referred: d.referred,
      day: model.eventDay(event.id), at: event.at, outcome, report });
  };
  for (const [referral, occurrence] of referralsGiven) add('given', referral, occurrence, referralsMade);
  for (const [referral, occurrence] of referralsMade) add('made', referral, occurrence, referralsGiven);
  return found.sort((a, b) => b.day.localeCompare(a.day) || b.referral.localeCompare(a.referral));
}

export const isOpen = (o) => o.status === 'due' || o.status === 'overdue';

/** Overdue first (oldest due first), then due. */
export function byUrgency(a, b) {
  return (a.status === 'overdue' ? 0 : 1) - (b.status === 'overdue' ? 0 : 1) || a.due.localeCompare(b.due) || a.id.localeCompare(b.id);
}

export { daysBetween };
