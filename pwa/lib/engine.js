/** The rules engine (rules/) behind the few questions the screens ask, answered with plain data that a
 * worker can send back cheaply (structured clone: no classes, no getters, no symbols): the log once per
 * version (or the events appended to it), then a date (what was owed then) or a contact (their history).
 * Runs in lib/engine-worker.js,
 * or on the main thread where no module worker starts. */

import { formatDay } from './rules/dates.js';
import { order } from './rules/facts.js';
import { resolve } from './rules/prepass.js';
import { contactHistory, logTimeZone, projection, replayDocument } from './rules/project.js';
import { changes, contactStory, networkStory } from './rules/story.js';

/** Projections kept per log version: today's, and a few dates the audit or a contact asked for. */
const KEPT = 4;

export class Engine {
  constructor() {
    this.events = [];
    this.zone = 'UTC';
    this.projections = new Map();
  }

  /** Take a new version of the log; answer its time zone and language (the latest each was set to), which
   * the page needs to know today's date and to speak before any projection is done. */
  load(events) {
    this.events = events;
    this.projections.clear();
    let zone = null;
    let language = null;
    try {
      const ordered = resolve(order(events)).items; // as the rules read it: corrected, retractions dropped
      zone = logTimeZone(ordered);
      for (const { event } of ordered) {
        if (event.type === 'settings_changed' && event.data.language !== undefined) language = event.data.language;
      }
    } catch (error) {
      console.warn('time zone', error); // the projection refuses that log with a clear error
    }
    this.zone = zone ?? 'UTC';
    return { zone: this.zone, language };
  }

  /** Events that joined the log since (a save, a sync): the log grows without crossing from the page again. */
  append(events) {
    return this.load(this.events.concat(events));
  }

  /** The projection as it stood at the end of `asOf` ('YYYY-MM-DD'), in the log's zone. */
  projection(asOf) {
    let p = this.projections.get(asOf);
    if (p === undefined) {
      p = projection(this.events, asOf, this.zone);
      if (this.projections.size >= KEPT) this.projections.delete(this.projections.keys().next().value);
      this.projections.set(asOf, p);
    }
    return p;
  }

  /** What the screens read of a date: see viewOf. */
  view(asOf) {
    return viewOf(this.projection(asOf));
  }

  /** One relationship as of `asOf` (contactHistory), or null. */
  history(contact, asOf) {
    return contactHistory(this.projection(asOf), contact);
  }

  /** Every relationship's story as of `asOf` (rules/story.js networkStory: plain JSON). */
  story(asOf) {
    return networkStory(this.projection(asOf));
  }

  /** One relationship's story as of `asOf`, or null. */
  contactStory(contact, asOf) {
    return contactStory(this.projection(asOf), contact);
  }

  /** What changed between two dates (rules/story.js changes). */
  changes(since, asOf) {
    return changes(this.projection(since), this.projection(asOf));
  }
}

/**
 * A projection as the screens read it, in plain data: the replay document; the contacts
 * ({id, name, added, archived, fields, met: the local date of the last meeting with them or null, given: whether
 * someone gave me their name}); each counted event's local date by id; the referrals given and
 * made ({pos, event} by referral id); the settings; [type, channel] of each event that says how it
 * was done, in order (the UI offers the channel used last); and the saved ideas (ideasOf).
 */
export function viewOf(p) {
  const { facts } = p;
  const contacts = new Map();
  // Whose name I was given (a referral_given names them), for "not met yet" on the list.
  const given = new Set();
  for (const { event } of facts.referralsGiven.values()) given.add(event.data.referred);
  for (const c of facts.contacts.values()) {
    const meetings = facts.meetingsWith.get(c.id);
    const met = meetings === undefined ? null : formatDay(meetings[meetings.length - 1].day);
    contacts.set(c.id, { id: c.id, name: c.name, added: c.added, archived: c.archived !== null, fields: c.fields,
      met, given: given.has(c.id) });
  }
  const days = new Map();
  const channels = [];
  for (const { event, day } of facts.occurrences) {
    days.set(event.id, formatDay(day));
    if (event.data.channel) channels.push([event.type, event.data.channel]);
  }
  const referrals = (found) => new Map([...found].map(([id, { pos, event }]) => [id, { pos, event }]));
  return {
    doc: replayDocument(p),
    contacts,
    days,
    channels,
    settings: { ...facts.settings },
    referralsGiven: referrals(facts.referralsGiven),
    referralsMade: referrals(facts.referralsMade),
    ideas: ideasOf(facts.occurrences),
  };
}

/** The ideas inbox: each idea saved (idea_saved, as the pre-pass reads it: retracted ones gone, corrections
 * applied; saved again under the same id, the latest), newest first: {id, event, title, link, tags, note, day,
 * pos, shares: [{contact, day}], sharedWith: [contact]}. An idea_shared names the idea by its id (`idea`), or
 * by its link. */
export function ideasOf(occurrences) {
  const ideas = new Map();
  const shared = [];
  for (const { event, day, pos } of occurrences) {
    const { data } = event;
    if (event.type === 'idea_saved') {
      ideas.set(data.idea, {
        id: data.idea, event: event.id, title: data.title ?? null, link: data.link ?? null, tags: data.tags ?? [],
        note: data.note ?? null, day: formatDay(day), pos, shares: [], sharedWith: [],
      });
    } else if (event.type === 'idea_shared' && (data.idea || data.link)) {
      shared.push({ data, day: formatDay(day) });
    }
  }
  const byLink = new Map([...ideas.values()].filter((i) => i.link).map((i) => [i.link, i]));
  for (const { data, day } of shared) {
    const idea = ideas.get(data.idea) ?? byLink.get(data.link);
    if (idea) idea.shares.push({ contact: data.contact, day });
  }
  for (const idea of ideas.values()) idea.sharedWith = [...new Set(idea.shares.map((s) => s.contact))];
  return [...ideas.values()].sort((a, b) => b.pos - a.pos);
}
