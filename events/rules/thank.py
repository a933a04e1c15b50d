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
from . import ME, Obligation, Window, days

RULE = "thank"
WINDOW = Window(on_time=0, late=5)


def derive(facts: Facts) -> Iterable[Obligation]:
    made: dict[str, Obligation] = {}
    by_pair: dict[tuple[str, str], list[Obligation]] = {}
    for _, day, event in facts.meetings:
        data = event.data
        for contact in dict.fromkeys(data.contacts):
            oid = f"thank:{data.meeting}:{contact}"
            if oid in made:
                continue  # the same meeting id logged twice: the first counts
            debtor, creditor = (ME, contact) if data.host == "them" else (contact, ME)
            obligation = Obligation(oid, RULE, debtor, creditor, day + days(1), event.id, WINDOW, created=day)
            made[oid] = obligation
            by_pair.setdefault((debtor, creditor), []).append(obligation)

    for contact, thanks in facts.thanks_sent.items():
        _fulfil(facts, (ME, contact), by_pair, made, thanks)
    for contact, thanks in facts.thanks_received.items():
        _fulfil(facts, (contact, ME), by_pair, made, thanks)
    return made.values()


def _fulfil(facts: Facts, pair, by_pair, made: dict[str, Obligation], thanks: list[Occurrence]) -> None:
    """Each thanks event fulfils one open thank between that pair: its meeting's, else the oldest."""
    owed = sorted(by_pair.get(pair, ()), key=lambda o: (o.due, o.id))
    if not owed:
        return
    for pos, day, event in thanks:
        meeting = event.data.meeting
        if meeting is not None:
            target = made.get(f"thank:{meeting}:{event.data.contact}")
            matches = target is not None and (target.debtor, target.creditor) == pair
            candidates = (target,) if matches else ()
        else:
            candidates = owed
        for obligation in candidates:
            if obligation.done_on is None and obligation.created <= day and not facts.dismissed_before(obligation.id, pos):
                obligation.fulfil(day, event.id)
                break
