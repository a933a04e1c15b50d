"""announce — on the day you find a job, tell and thank personally everyone who helped.

| created when | job_found, one per helper: each non-archived contact met (either host), or introducer of
                 a referral_given, dated after the previous job_found's date and up to D |
| debtor → creditor | me → contact |
| due | D; on time S = D, late D+1…D+6, very late ≥ D+7 |
| fulfilled by | job_announced naming the contact, dated ≥ D (the oldest open announce to them) |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..facts import Facts
from . import ME, Obligation, Window, register

RULE = "announce"
WINDOW = register(RULE, Window(on_time=0, late=6))


def derive(facts: Facts) -> Iterable[Obligation]:
    owed: dict[str, list[Obligation]] = {}
    made: list[Obligation] = []
    previous = None
    for _, found_on, job in facts.jobs_found:
        for contact in sorted(_helpers(facts, previous, found_on)):
            obligation = Obligation(
                id=f"announce:{job.id}:{contact}", rule=RULE, debtor=ME, creditor=contact, due=found_on, trigger=job.id
            )
            made.append(obligation)
            owed.setdefault(contact, []).append(obligation)
        previous = found_on

    for contact, announced in facts.jobs_announced.items():
        open_ones = sorted(owed.get(contact, ()), key=lambda o: (o.due, o.id))
        for pos, day, _ in announced:
            for obligation in open_ones:
                if obligation.done_on is None and obligation.due <= day and not facts.dismissed_before(obligation.id, pos):
                    obligation.fulfil(day)
                    break
    return made


def _helpers(facts: Facts, after: dt.date | None, up_to: dt.date) -> set[str]:
    """Who helped between the previous job (exclusive) and this one (inclusive), not archived by then."""
    def within(day: dt.date) -> bool:
        return (after is None or day > after) and day <= up_to

    helpers = {c for _, day, m in facts.meetings if within(day) for c in m.data.contacts}
    helpers |= {e.data.introducer for _, day, e in facts.referrals_given.values() if within(day)}
    return {c for c in helpers if (archived := facts.archived(c)) is None or archived[1] > up_to}
