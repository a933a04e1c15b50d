"""announce — on the day you find a job, tell and thank personally everyone who helped.

| created when | job_found, one per helper: each non-archived contact met (either host), or introducer of
                 a referral_given, dated after the previous job_found's date and up to D |
| debtor → creditor | me → contact |
| due | D; on time S = D, late D+1…D+6, very late ≥ D+7 |
| fulfilled by | job_announced naming the contact, dated ≥ D (the oldest open announce to them) |
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable

from ..facts import Facts
from . import ME, Obligation, Window, register

RULE = "announce"
WINDOW = register(RULE, Window(on_time=0, late=6))


def derive(facts: Facts) -> Iterable[Obligation]:
    jobs = facts.jobs_found
    if not jobs:
        return ()
    owed: dict[str, list[Obligation]] = {}
    made: list[Obligation] = []
    for (_, found_on, job), helpers in zip(jobs, _helpers_by_job(facts)):
        for contact in sorted(helpers):
            archived = facts.archived(contact)
            if archived is not None and archived[1] <= found_on:
                continue
            obligation = Obligation(
                id=f"announce:{job.id}:{contact}", rule=RULE, debtor=ME, creditor=contact, due=found_on, trigger=job.id
            )
            made.append(obligation)
            owed.setdefault(contact, []).append(obligation)

    for contact, announced in facts.jobs_announced.items():
        open_ones = sorted(owed.get(contact, ()), key=lambda o: (o.due, o.id))
        for pos, day, _ in announced:
            for obligation in open_ones:
                if obligation.done_on is None and obligation.due <= day and not facts.dismissed_before(obligation.id, pos):
                    obligation.fulfil(day)
                    break
    return made


def _helpers_by_job(facts: Facts) -> list[set[str]]:
    """For each job_found, who helped: met (either host) or introduced me to someone, dated after the
    previous job_found's date (exclusive) and up to its own (inclusive)."""
    days = [day for _, day, _ in facts.jobs_found]
    helpers: list[set[str]] = [set() for _ in days]

    def window(day: dt.date) -> int | None:
        """The job whose window holds `day`: the first dated on or after it (of two on one day, the first:
        the second's window is empty)."""
        index = bisect_left(days, day)
        return index if index < len(days) else None

    for _, day, meeting in facts.meetings:
        if (index := window(day)) is not None:
            helpers[index].update(meeting.data.contacts)
    for _, day, given in facts.referrals_given.values():
        if (index := window(day)) is not None:
            helpers[index].add(given.data.introducer)
    return helpers
