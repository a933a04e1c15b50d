"""The five rules of good manners. Each module reads like its row of the table in DESIGN.md section 2.

A rule module has `RULE` (its name), `WINDOW` (due, on time, late, very late, whether it closes) and
`derive(facts) -> Iterable[Obligation]`, which creates the rule's obligations and marks the fulfilled ones
done. Status, snooze and dismissal are applied afterwards, the same way for every rule (events.project).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ME = "me"


@dataclass(frozen=True, slots=True)
class Window:
    """The days around `due`: on time through due+on_time, late through due+late, then very late.

    A window that `closes` (greetings) cannot be fulfilled after due+late: the obligation is missed."""

    on_time: int
    late: int
    closes: bool = False

    def grade(self, due: dt.date, done_on: dt.date) -> str:
        """How well it was kept: early, on_time, late or very_late."""
        days = (done_on - due).days
        if days < 0:
            return "early"
        if days <= self.on_time:
            return "on_time"
        if days <= self.late:
            return "late"
        return "very_late"

    def status(self, due: dt.date, today: dt.date) -> str:
        """Where an open obligation stands on `today`: upcoming, due, overdue or missed."""
        days = (today - due).days
        if days < 0:
            return "upcoming"
        if days <= self.on_time:
            return "due"
        if self.closes and days > self.late:
            return "missed"
        return "overdue"

    def accepts(self, due: dt.date, day: dt.date) -> bool:
        """Whether an event dated `day` can still fulfil it (always, unless the window closes)."""
        return not self.closes or (day - due).days <= self.late


@dataclass(slots=True)
class Obligation:
    """What one party owes the other under one rule. `debtor`/`creditor` are "me" or a contact id."""

    id: str
    rule: str
    debtor: str
    creditor: str
    due: dt.date
    trigger: str
    window: Window
    created: dt.date
    """The local date from which it exists (D for thank, O for report, due-7 for nurture...)."""
    done_on: dt.date | None = None
    done_by: str | None = None
    grade: str | None = None
    status: str = "upcoming"
    snoozed_until: dt.date | None = None

    @property
    def counterpart(self) -> str:
        return self.creditor if self.debtor == ME else self.debtor

    @property
    def owed_by_me(self) -> bool:
        return self.debtor == ME

    def fulfil(self, day: dt.date, event_id: str) -> None:
        self.done_on = day
        self.done_by = event_id
        self.grade = self.window.grade(self.due, day)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "rule": self.rule, "debtor": self.debtor, "creditor": self.creditor,
            "due": self.due.isoformat(), "status": self.status, "grade": self.grade,
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "snoozed_until": self.snoozed_until.isoformat() if self.snoozed_until else None,
            "trigger": self.trigger,
        }


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
