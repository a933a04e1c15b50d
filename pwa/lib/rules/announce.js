// announce — on the day you find a job, tell and thank personally everyone who helped.
//
// | created when      | job_found, one per helper: each non-archived contact met (either host), or        |
// |                   | introducer of a referral_given, dated after the previous job_found's date and up to D |
// | debtor → creditor | me → contact                                                                        |
// | due               | D; on time S = D, late D+1…D+6, very late ≥ D+7                                     |
// | fulfilled by      | job_announced naming the contact, dated ≥ D (the oldest open announce to them)      |

import { ME, Obligation, Window, register } from './obligations.js';
import { compareText } from './facts.js';

export const RULE = 'announce';
export const WINDOW = register(RULE, new Window(0, 6));

export function derive(facts) {
  const owed = new Map();
  const made = [];
  // Who helped, by date: each job looks at the dates since the previous one, so the whole is one pass.
  const helped = [];
  for (const { day, event } of facts.meetings) for (const contact of event.data.contacts) helped.push({ day, contact });
  for (const { day, event } of facts.referralsGiven.values()) helped.push({ day, contact: event.data.introducer });
  helped.sort((a, b) => a.day - b.day);
  let previous = null;
  for (const { day: foundOn, event: job } of facts.jobsFound) {
    const next = previous === null ? 0 : firstAfter(helped, previous);
    const helpers = new Set();
    for (let i = next; i < helped.length && helped[i].day <= foundOn; i++) helpers.add(helped[i].contact);
    const sorted = [...helpers].filter((contact) => {
      const archived = facts.archived(contact);
      return archived === null || archived.day > foundOn;
    }).sort(compareText);
    for (const contact of sorted) {
      const obligation = new Obligation(`announce:${job.id}:${contact}`, RULE, ME, contact, foundOn, job.id);
      made.push(obligation);
      const list = owed.get(contact);
      if (list === undefined) owed.set(contact, [obligation]);
      else list.push(obligation);
    }
    previous = foundOn;
  }

  for (const [contact, announced] of facts.jobsAnnounced) {
    const open = owed.get(contact);
    if (open === undefined) continue;
    open.sort((a, b) => a.due - b.due || compareText(a.id, b.id));
    for (const { pos, day } of announced) {
      for (const obligation of open) {
        if (obligation.doneOn === null && obligation.due <= day && !facts.dismissedBefore(obligation.id, pos)) {
          obligation.fulfil(day);
          break;
        }
      }
    }
  }
  return made;
}

/** The index of the first of `helped` (sorted by day) dated after `day`. */
function firstAfter(helped, day) {
  let low = 0;
  let high = helped.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (helped[mid].day <= day) low = mid + 1;
    else high = mid;
  }
  return low;
}
