// thank — the day after the meeting, thank by email the person who received you.
//
// | created when      | meeting_logged, one per contact                                              |
// | debtor → creditor | host them: me → contact; host me: contact → me                               |
// | due               | D+1; on time S = D+1 (S = D is early), late D+2…D+6, very late ≥ D+7         |
// | fulfilled by      | thanks_sent / thanks_received naming the contact (and the meeting if given;  |
// |                   | without a meeting, the oldest open one), dated ≥ D                           |

import { ME, Obligation, Window, register } from './obligations.js';
import { compareText } from './facts.js';

export const RULE = 'thank';
export const WINDOW = register(RULE, new Window(0, 5));

export function derive(facts) {
  const made = new Map();
  const between = new Map(); // debtor -> creditor -> [obligation]
  for (const { day, event } of facts.meetings) {
    const { meeting, contacts } = event.data;
    const theyHosted = (event.data.host ?? 'them') === 'them';
    for (const contact of contacts) {
      const id = `thank:${meeting}:${contact}`;
      if (made.has(id)) continue; // the same meeting id logged twice (or a contact listed twice): the first counts
      const [debtor, creditor] = theyHosted ? [ME, contact] : [contact, ME];
      const obligation = new Obligation(id, RULE, debtor, creditor, day + 1, event.id);
      made.set(id, obligation);
      let byCreditor = between.get(debtor);
      if (byCreditor === undefined) between.set(debtor, byCreditor = new Map());
      const list = byCreditor.get(creditor);
      if (list === undefined) byCreditor.set(creditor, [obligation]);
      else list.push(obligation);
    }
  }
  for (const [contact, thanks] of facts.thanksSent) {
    const owed = between.get(ME)?.get(contact);
    if (owed !== undefined) fulfil(facts, owed, made, thanks);
  }
  for (const [contact, thanks] of facts.thanksReceived) {
    const owed = between.get(contact)?.get(ME);
    if (owed !== undefined) fulfil(facts, owed, made, thanks);
  }
  return made.values();
}

/** Each thanks event fulfils one open thank between the pair: its meeting's, else the oldest. */
function fulfil(facts, owed, made, thanks) {
  owed.sort(byDue);
  const { debtor, creditor } = owed[0];
  let firstOpen = 0; // every obligation before it is done: no need to look at them again
  for (const { pos, day, event } of thanks) {
    const { meeting, contact } = event.data;
    if (meeting != null) {
      const target = made.get(`thank:${meeting}:${contact}`);
      if (target !== undefined && target.debtor === debtor && target.creditor === creditor
          && target.doneOn === null && target.due - 1 <= day && !facts.dismissedBefore(target.id, pos)) {
        target.fulfil(day);
      }
      continue;
    }
    while (firstOpen < owed.length && owed[firstOpen].doneOn !== null) firstOpen++;
    for (let i = firstOpen; i < owed.length; i++) {
      const obligation = owed[i];
      if (obligation.due - 1 > day) break; // sorted by due: none further on is dated on or before `day`
      if (obligation.doneOn === null && !facts.dismissedBefore(obligation.id, pos)) {
        obligation.fulfil(day);
        break;
      }
    }
  }
}

function byDue(a, b) {
  return a.due - b.due || compareText(a.id, b.id);
}
