"""greetings — send season's greetings at every year end.

| created when | on Dec 1 of year Y, for each non-archived contact with a meeting by Dec 31 Y |
| debtor → creditor | me → contact |
| due | Dec 1 Y; on time Dec 1…Dec 31, late Jan 1…Jan 31 Y+1, missed after Jan 31 |
| fulfilled by | greetings_sent naming the contact, dated Dec 1 Y…Jan 31 Y+1 |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..facts import Facts
from . import ME, Obligation, Window

RULE = "greetings"
WINDOW = Window(on_time=30, late=61, closes=True)  # Dec 1 + 30 = Dec 31, + 61 = Jan 31


def derive(facts: Facts) -> Iterable[Obligation]:
    for contact, meetings in facts.meetings_with.items():
        first_on, first = meetings[0][1], meetings[0][2]
        archived = facts.archived(contact)
        sent = facts.greetings.get(contact, ())
        for year in range(first_on.year, facts.as_of.year + 1):
            due = dt.date(year, 12, 1)
            if due > facts.as_of:
                break
            oid = f"greetings:{year}:{contact}"
            obligation = Obligation(oid, RULE, ME, contact, due, first.id, WINDOW, created=due)
            for pos, day, event in sent:
                if due <= day and WINDOW.accepts(due, day):
                    if not facts.dismissed_before(oid, pos) and (archived is None or pos < archived[0]):
                        obligation.fulfil(day, event.id)
                    break
            if obligation.done_on is None and archived is not None and WINDOW.accepts(due, archived[1]):
                continue  # archived while it was still open: dropped
            yield obligation
