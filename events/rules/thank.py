"""thank — the day after the meeting, thank by email the person who received you.

| created when | meeting_logged, one per contact |
| debtor → creditor | host them: me → contact; host me: contact → me |
| due | D+1; on time S = D+1 (S = D is early), late D+2…D+6, very late ≥ D+7 |
| fulfilled by | thanks_sent / thanks_received naming the contact (and the meeting if given; without a
                 meeting, the oldest open one), dated ≥ D |
"""

from __future__ import annotations

from collections.abc import Iterable

from ..facts import Facts, Occurrence
from . import ME, ONE_DAY, Obligation, Window, register

RULE = "thank"
WINDOW = register(RULE, Window(on_time=0, late=5))


def derive(facts: Facts) -> Iterable[Obligation]:
    made: dict[str, Obligation] = {}
    between: dict[tuple[str, str], list[Obligation]] = {}
    for _, day, event in facts.meetings:
        data = event.data
        due = day + ONE_DAY
        for contact in data.contacts:
            oid = f"thank:{data.meeting}:{contact}"
            if oid in made:
                continue  # the same meeting id logged twice (or a contact listed twice): the first counts
            debtor, creditor = (ME, contact) if data.host == "them" else (contact, ME)
            made[oid] = obligation = Obligation(
                id=oid, rule=RULE, debtor=debtor, creditor=creditor, due=due, trigger=event.id
            )
            between.setdefault((debtor, creditor), []).append(obligation)

    for contact, thanks in facts.thanks_sent.items():
        if (ME, contact) in between:
            _fulfil(facts, between[ME, contact], made, thanks)
    for contact, thanks in facts.thanks_received.items():
        if (contact, ME) in between:
            _fulfil(facts, between[contact, ME], made, thanks)
    return made.values()


def _fulfil(facts: Facts, owed: list[Obligation], made: dict[str, Obligation], thanks: list[Occurrence]) -> None:
    """Each thanks event fulfils one open thank between the pair: its meeting's, else the oldest."""
    owed.sort(key=_by_due)
    pair = (owed[0].debtor, owed[0].creditor)
    for pos, day, event in thanks:
        meeting = event.data.meeting
        if meeting is not None:
            target = made.get(f"thank:{meeting}:{event.data.contact}")
            candidates = (target,) if target is not None and (target.debtor, target.creditor) == pair else ()
        else:
            candidates = owed
        for obligation in candidates:
            if (obligation.done_on is None and obligation.due - ONE_DAY <= day
                    and not facts.dismissed_before(obligation.id, pos)):
                obligation.fulfil(day)
                break


def _by_due(obligation: Obligation):
    return obligation.due, obligation.id
