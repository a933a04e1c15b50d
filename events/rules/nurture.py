"""nurture — keep the link alive regularly and intelligently, with ideas that may interest them.

| created when | listed from due−7; due = last touch + cadence (once the contact has had a meeting) |
| debtor → creditor | me → contact |
| due | last touch + cadence; on time due…due+14, late due+15…due+44, very late ≥ due+45 |
| fulfilled by | any touch dated ≥ due−7; a touch before due−7 only moves due; the next cycle starts
                 from the fulfilling touch |
"""

from __future__ import annotations

from collections.abc import Iterable

from ..facts import Facts
from . import ME, Obligation, Window, days

RULE = "nurture"
WINDOW = Window(on_time=14, late=44)
LISTED_BEFORE_DUE = 7


def derive(facts: Facts) -> Iterable[Obligation]:
    for contact, meetings in facts.meetings_with.items():
        cadence = facts.cadence(contact)
        if cadence == 0:
            continue
        archived = facts.archived(contact)
        first_meeting = meetings[0][0]
        touches = [t for t in facts.touches(contact) if t[0] >= first_meeting]
        if archived is not None:
            touches = [t for t in touches if t[0] < archived[0]]
        if not touches:
            continue  # archived before the first meeting
        (_, last, trigger), rest = touches[0], touches[1:]
        for pos, day, event in rest:
            due = last + days(cadence)
            listed = due - days(LISTED_BEFORE_DUE)
            if day >= listed:
                obligation = _cycle(contact, due, trigger.id, listed)
                if not facts.dismissed_before(obligation.id, pos):
                    obligation.fulfil(day, event.id)
                yield obligation
            last, trigger = day, event
        if archived is None:
            due = last + days(cadence)
            if facts.as_of >= due - days(LISTED_BEFORE_DUE):
                yield _cycle(contact, due, trigger.id, due - days(LISTED_BEFORE_DUE))


def _cycle(contact: str, due, trigger: str, listed) -> Obligation:
    return Obligation(f"nurture:{contact}:{due.isoformat()}", RULE, ME, contact, due, trigger, WINDOW, created=listed)
