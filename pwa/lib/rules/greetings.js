// greetings — send season's greetings at every year end.
//
// | created when      | on Dec 1 of year Y, for each non-archived contact with a meeting by Dec 31 Y |
// | debtor → creditor | me → contact                                                                 |
// | due               | Dec 1 Y; on time Dec 1…Dec 31, late Jan 1…Jan 31 Y+1, missed after Jan 31   |
// | fulfilled by      | greetings_sent naming the contact, dated Dec 1 Y…Jan 31 Y+1                  |

import { civilFromDays, daysFromCivil } from './dates.js';
import { ME, Obligation, Window, register } from './obligations.js';

export const RULE = 'greetings';
export const WINDOW = register(RULE, new Window(30, 61, true)); // Dec 1 + 30 = Dec 31, + 61 = Jan 31

export function* derive(facts) {
  const [year, month] = civilFromDays(facts.asOf);
  const lastYear = month === 12 ? year : year - 1;
  for (const [contact, meetings] of facts.meetingsWith) {
    const { day: firstOn, event: first } = meetings[0];
    const archived = facts.archived(contact);
    const sent = facts.greetings.get(contact) ?? [];
    for (let y = civilFromDays(firstOn)[0]; y <= lastYear; y++) {
      const due = daysFromCivil(y, 12, 1);
      const obligation = new Obligation(`greetings:${y}:${contact}`, RULE, ME, contact, due, first.id);
      for (const { pos, day } of sent) {
        if (due <= day && WINDOW.accepts(due, day)) {
          if (!facts.dismissedBefore(obligation.id, pos) && (archived === null || pos < archived.pos)) {
            obligation.fulfil(day);
          }
          break;
        }
      }
      if (obligation.doneOn === null && archived !== null && WINDOW.accepts(due, archived.day)) {
        continue; // archived while it was still open: dropped
      }
      yield obligation;
    }
  }
}
