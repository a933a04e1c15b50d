// report — keep the person who gave you names informed of what came of them, obtained or not.
//
// | created when      | the outcome is known: the first referral_outcome, or (referral_given) the first     |
// |                   | meeting with `referred` on or after the referral — whichever is earlier; date O     |
// | debtor → creditor | referral_given: me → introducer; referral_made: `to` → me                          |
// | due               | O; on time O…O+7, late O+8…O+20, very late ≥ O+21                                  |
// | fulfilled by      | introducer_informed (given) / update_received (made) for the referral, dated ≥ O   |

import { ME, Obligation, Window, register } from './obligations.js';

export const RULE = 'report';
export const WINDOW = register(RULE, new Window(7, 20));

export function* derive(facts) {
  const { referralsGiven, referralsMade } = facts;
  for (const [referral, { pos, day: givenOn, event }] of referralsGiven) {
    if (referralsMade.get(referral)?.pos < pos) continue; // one id, one referral: the one logged first
    const meetings = facts.meetingsWith.get(event.data.referred);
    const firstMeeting = meetings === undefined ? null : meetings.find((m) => m.day >= givenOn) ?? null;
    const known = outcomeKnown(facts.outcomes.get(referral), firstMeeting, givenOn);
    if (known !== null) {
      yield report(facts, referral, ME, event.data.introducer, known, facts.informed.get(referral));
    }
  }
  for (const [referral, { pos, day: madeOn, event }] of referralsMade) {
    if (referralsGiven.get(referral)?.pos < pos) continue; // one id, one referral: the one logged first
    const known = outcomeKnown(facts.outcomes.get(referral), null, madeOn);
    if (known !== null) yield report(facts, referral, event.data.to, ME, known, facts.updates.get(referral));
  }
}

/** {trigger, on}: the occurrence that made the outcome known and O, never before the referral — or null. */
function outcomeKnown(outcomes, meeting, referralOn) {
  let first = null;
  let firstOn = 0;
  for (const candidate of [outcomes === undefined ? null : outcomes[0], meeting]) {
    if (candidate === null) continue;
    const on = Math.max(candidate.day, referralOn);
    if (first === null || on < firstOn || (on === firstOn && candidate.pos < first.pos)) {
      first = candidate;
      firstOn = on;
    }
  }
  return first === null ? null : { trigger: first.event, on: firstOn };
}

function report(facts, referral, debtor, creditor, known, reports) {
  const id = `report:${referral}`;
  const obligation = new Obligation(id, RULE, debtor, creditor, known.on, known.trigger.id);
  for (const { pos, day } of reports ?? []) {
    if (day >= known.on) {
      if (!facts.dismissedBefore(id, pos)) obligation.fulfil(day);
      break;
    }
  }
  return obligation;
}
