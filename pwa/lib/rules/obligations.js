// What the five rules make: obligations, and each rule's window of days around `due`.
//
// A rule module has RULE (its name), WINDOW and derive(facts) -> obligations, which creates the rule's
// obligations and marks the fulfilled ones done. Status, snooze and dismissal are applied afterwards,
// the same way for every rule (project.js). Dates here are day numbers.

export const ME = 'me';

/**
 * The days around `due`: on time through due+onTime, late through due+late, then very late. A window
 * that `closes` (greetings) cannot be fulfilled after due+late: the obligation is missed.
 */
export class Window {
  constructor(onTime, late, closes = false) {
    this.onTime = onTime;
    this.late = late;
    this.closes = closes;
  }

  /** How well it was kept: early, on_time, late or very_late. */
  grade(due, doneOn) {
    const days = doneOn - due;
    if (days < 0) return 'early';
    if (days <= this.onTime) return 'on_time';
    if (days <= this.late) return 'late';
    return 'very_late';
  }

  /** Where an open obligation stands on `today`: upcoming, due, overdue or missed. */
  status(due, today) {
    const days = today - due;
    if (days < 0) return 'upcoming';
    if (days <= this.onTime) return 'due';
    if (this.closes && days > this.late) return 'missed';
    return 'overdue';
  }

  /** Whether an event dated `day` can still fulfil it (always, unless the window closes). */
  accepts(due, day) {
    return !this.closes || day - due <= this.late;
  }
}

/** Each rule's window, by rule name (filled by the rule modules through `register`). */
export const WINDOWS = new Map();

export function register(rule, window) {
  WINDOWS.set(rule, window);
  return window;
}

/** What one party owes the other under one rule; `debtor`/`creditor` are "me" or a contact id. */
export class Obligation {
  constructor(id, rule, debtor, creditor, due, trigger) {
    this.id = id;
    this.rule = rule;
    this.debtor = debtor;
    this.creditor = creditor;
    this.due = due;
    this.status = 'upcoming';
    this.grade = null;
    this.doneOn = null;
    this.snoozedUntil = null;
    this.trigger = trigger;
  }

  get counterpart() {
    return this.debtor === ME ? this.creditor : this.debtor;
  }

  fulfil(day) {
    this.status = 'done';
    this.doneOn = day;
    this.grade = WINDOWS.get(this.rule).grade(this.due, day);
  }
}
