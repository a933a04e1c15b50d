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
from . import ME, Obligation, Window, register

RULE = "greetings"
WINDOW = register(RULE, Window(on_time=30, late=61, closes=True))  # Dec 1 + 30 = Dec 31, + 61 = Jan 31


def derive(facts: Facts) -> Iterable[Obligation]:
    as_of = facts.as_of
    last_year = as_of.year if as_of.month == 12 else as_of.year - 1
    for contact, meetings in facts.meetings_with.items():
        _, first_on, first = meetings[0]
        archived = facts.archived(contact)
        sent = facts.greetings.get(contact, ())
        for year in range(first_on.year, last_year + 1):
            due = dt.date(year, 12, 1)
            oid = f"greetings:{year}:{contact}"
            obligation = Obligation(id=oid, rule=RULE, debtor=ME, creditor=contact, due=due, trigger=first.id)
            for pos, day, _ in sent:
                if due <= day and WINDOW.accepts(due, day):
                    if not facts.dismissed_before(oid, pos) and (archived is None or pos < archived[0]):
                        obligation.fulfil(day)
                    break
            if obligation.done_on is None and archived is not None and WINDOW.accepts(due, archived[1]):
                continue  # archived while it was still open: dropped
            yield obligation
