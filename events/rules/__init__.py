"""The five rules of good manners. Each module reads like its row of the table in DESIGN.md section 2.

A rule module has `RULE` (its name), `WINDOW` (due, on time, late, very late, whether it closes) and
`derive(facts) -> Iterable[Obligation]`, which creates the rule's obligations and marks the fulfilled ones
done. Status, snooze and dismissal are applied afterwards, the same way for every rule (events.project).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec

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


class Obligation(msgspec.Struct, kw_only=True, gc=False):
    """What one party owes the other under one rule. `debtor`/`creditor` are "me" or a contact id.

    Its fields, in this order, are the obligation objects of the `merci replay --json` document."""

    id: str
    rule: str
    debtor: str
    creditor: str
    due: dt.date
    status: str = "upcoming"
    grade: str | None = None
    done_on: dt.date | None = None
    snoozed_until: dt.date | None = None
    trigger: str

    @property
    def counterpart(self) -> str:
        return self.creditor if self.debtor == ME else self.debtor

    @property
    def owed_by_me(self) -> bool:
        return self.debtor == ME

    def fulfil(self, day: dt.date) -> None:
        self.status = "done"
        self.done_on = day
        self.grade = WINDOWS[self.rule].grade(self.due, day)


WINDOWS: dict[str, Window] = {}
"""Each rule's window, by rule name (filled by the rule modules through `register`)."""


def register(rule: str, window: Window) -> Window:
    WINDOWS[rule] = window
    return window


ONE_DAY = dt.timedelta(days=1)
