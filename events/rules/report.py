"""report — keep the person who gave you names informed of what came of them, obtained or not.

| created when | the outcome is known: the first referral_outcome, or (referral_given) the first meeting
                 with `referred` on or after the referral — whichever is earlier; its date is O |
| debtor → creditor | referral_given: me → introducer; referral_made: `to` → me |
| due | O; on time O…O+7, late O+8…O+20, very late ≥ O+21 |
| fulfilled by | introducer_informed (given) / update_received (made) for the referral, dated ≥ O |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..facts import Facts, Occurrence
from . import ME, Obligation, Window, register

RULE = "report"
WINDOW = register(RULE, Window(on_time=7, late=20))


def derive(facts: Facts) -> Iterable[Obligation]:
    for referral, (given_pos, given_on, event) in facts.referrals_given.items():
        if referral in facts.referrals_made and facts.referrals_made[referral][0] < given_pos:
            continue  # one id, one referral: the one logged first
        first_meeting = next(
            (m for m in facts.meetings_with.get(event.data.referred, ()) if m[1] >= given_on), None
        )
        known = _outcome_known(facts.outcomes.get(referral), first_meeting, given_on)
        if known is not None:
            yield _report(facts, referral, ME, event.data.introducer, known, facts.informed.get(referral, ()))
    for referral, (made_pos, made_on, event) in facts.referrals_made.items():
        if referral in facts.referrals_given and facts.referrals_given[referral][0] < made_pos:
            continue  # one id, one referral: the one logged first
        known = _outcome_known(facts.outcomes.get(referral), None, made_on)
        if known is not None:
            yield _report(facts, referral, event.data.to, ME, known, facts.updates.get(referral, ()))


def _outcome_known(outcomes: list[Occurrence] | None, meeting: Occurrence | None, referral_on: dt.date):
    """(the event that made the outcome known, O) — O never before the referral itself — or None."""
    candidates = [c for c in (outcomes[0] if outcomes else None, meeting) if c is not None]
    if not candidates:
        return None
    first = min(candidates, key=lambda c: (max(c[1], referral_on), c[0]))
    return first[2], max(first[1], referral_on)


def _report(facts: Facts, referral: str, debtor: str, creditor: str, known, reports) -> Obligation:
    trigger, outcome_on = known
    oid = f"report:{referral}"
    obligation = Obligation(id=oid, rule=RULE, debtor=debtor, creditor=creditor, due=outcome_on, trigger=trigger.id)
    for pos, day, _ in reports:
        if day >= outcome_on:
            if not facts.dismissed_before(oid, pos):
                obligation.fulfil(day)
            break
    return obligation
