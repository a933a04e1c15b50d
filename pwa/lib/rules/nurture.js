// nurture — keep the link alive regularly and intelligently, with ideas that may interest them.
//
// | created when      | listed from due−w, w = min(7, ⌊cadence/2⌋); due = last touch + cadence (once met)   |
// | debtor → creditor | me → contact                                                                       |
// | due               | last touch + cadence; on time due…due+14, late due+15…due+44, very late ≥ due+45    |
// | fulfilled by      | any touch dated ≥ due−w; a touch before due−w only moves due; the next cycle starts |
// |                   | from the fulfilling touch                                                          |
//
// w is at most half the cadence so that a cycle's next due always falls after the one just fulfilled: with a
// weekly cadence and w = 7, a touch on due−7 would start a cycle due on the same day, under the same id.

import { formatDay } from './dates.js';
import { ME, Obligation, Window, register } from './obligations.js';

export const RULE = 'nurture';
export const WINDOW = register(RULE, new Window(14, 44));
/** w, in days, for cadences of 14 days and more; shorter ones are listed from half the cadence before due. */
export const LISTED_BEFORE_DUE = 7;

/** w = min(7, ⌊cadence/2⌋): how many days before due a cycle is listed and a touch fulfils it. */
export function earlyWindow(cadence) {
  return Math.min(LISTED_BEFORE_DUE, Math.floor(cadence / 2));
}

export function* derive(facts) {
  for (const [contact, meetings] of facts.meetingsWith) {
    const cadence = facts.cadence(contact);
    if (cadence === 0) continue;
    const early = earlyWindow(cadence);
    const archived = facts.archived(contact);
    const firstMeeting = meetings[0].pos;
    const until = archived === null ? Infinity : archived.pos;
    const touches = facts.touches(contact).filter((touch) => touch.pos >= firstMeeting && touch.pos < until);
    if (touches.length === 0) continue; // archived before the first meeting
    let { day: last, event: trigger } = touches[0];
    for (let i = 1; i < touches.length; i++) {
      const { pos, day, event } = touches[i];
      const due = last + cadence;
      if (day >= due - early) {
        const obligation = cycle(contact, due, trigger.id);
        if (!facts.dismissedBefore(obligation.id, pos)) obligation.fulfil(day);
        yield obligation;
      }
      last = day;
      trigger = event;
    }
    const due = last + cadence;
    if (archived === null && facts.asOf >= due - early) yield cycle(contact, due, trigger.id);
  }
}

function cycle(contact, due, trigger) {
  return new Obligation(`nurture:${contact}:${formatDay(due)}`, RULE, ME, contact, due, trigger);
}
