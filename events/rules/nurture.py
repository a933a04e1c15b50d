"""nurture — keep the link alive regularly and intelligently, with ideas that may interest them.

| created when | listed from due−w, w = min(7, ⌊cadence/2⌋); due = last touch + cadence (once the contact has met) |
| debtor → creditor | me → contact |
| due | last touch + cadence; on time due…due+14, late due+15…due+44, very late ≥ due+45 |
| fulfilled by | any touch dated ≥ due−w; a touch before due−w only moves due; the next cycle starts
                 from the fulfilling touch |

w is at most half the cadence so that a cycle's next due always falls after the one just fulfilled: with a
weekly cadence and w = 7, a touch on due−7 would start a cycle due on the same day, under the same id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..facts import Facts
from . import ME, Obligation, Window, register

RULE = "nurture"
WINDOW = register(RULE, Window(on_time=14, late=44))
LISTED_BEFORE_DUE = 7
"""w, in days, for cadences of 14 days and more; shorter ones are listed from half the cadence before due."""


def early_window(cadence_days: int) -> dt.timedelta:
    """w = min(7, ⌊cadence/2⌋): how long before due a cycle is listed and a touch fulfils it."""
    return dt.timedelta(days=min(LISTED_BEFORE_DUE, cadence_days // 2))


def derive(facts: Facts) -> Iterable[Obligation]:
    for contact, meetings in facts.meetings_with.items():
        cadence_days = facts.cadence(contact)
        if cadence_days == 0:
            continue
        cadence = dt.timedelta(days=cadence_days)
        early = early_window(cadence_days)
        archived = facts.archived(contact)
        first_meeting = meetings[0][0]
        touches = [t for t in facts.touches(contact) if t[0] >= first_meeting]
        if archived is not None:
            touches = [t for t in touches if t[0] < archived[0]]
            if not touches:
                continue  # archived before the first meeting
        _, last, trigger = touches[0]
        for pos, day, event in touches[1:]:
            due = last + cadence
            if day >= due - early:
                obligation = _cycle(contact, due, trigger.id)
                if not facts.dismissed_before(obligation.id, pos):
                    obligation.fulfil(day)
                yield obligation
            last, trigger = day, event
        due = last + cadence
        if archived is None and facts.as_of >= due - early:
            yield _cycle(contact, due, trigger.id)


def _cycle(contact: str, due: dt.date, trigger: str) -> Obligation:
    return Obligation(id=f"nurture:{contact}:{due.isoformat()}", rule=RULE, debtor=ME, creditor=contact, due=due,
                      trigger=trigger)
