"""The projection: (events, as_of, time zone) -> obligations both ways, scores, relationship histories.

A pure function: no clock, no I/O. The same set of events gives the same answer whatever order or how
many times they arrived, and replaying to a past date shows what was pending then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from msgspec import UNSET, to_builtins

from . import types as t
from .facts import Facts, collect, order
from .rules import ME, Obligation, announce, greetings, nurture, report, thank

RULES = (thank, report, announce, nurture, greetings)
"""Every rule, called the same way: `derive(facts) -> obligations`."""

COUNTED = ("done", "overdue", "missed")
"""Statuses a score counts; due, upcoming, snoozed and dismissed are left out."""


@dataclass(slots=True)
class Score:
    on_time: int = 0
    counted: int = 0

    def add(self, obligation: Obligation) -> None:
        if obligation.status in COUNTED:
            self.counted += 1
            if obligation.grade == "on_time":
                self.on_time += 1

    @property
    def value(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


@dataclass(slots=True)
class Projection:
    as_of: dt.date
    timezone: str
    facts: Facts
    obligations: list[Obligation]
    """Sorted by (due, id)."""
    scores: dict[str, dict[str, Score]]
    overall: dict[str, Score]


def project(events: Iterable[t.Event], as_of: dt.date, timezone: str | None = None) -> Projection:
    """Everything owed, both ways, as it stood at the end of `as_of` (a local date in the time zone:
    `timezone` if given, else the log's own setting, else UTC)."""
    ordered = order(list(events))
    zone = timezone or log_time_zone(ordered, as_of) or "UTC"
    facts = collect(ordered, as_of, zone)
    obligations = [obligation for rule in RULES for obligation in rule.derive(facts)]
    for obligation in obligations:
        _settle(obligation, facts)
    obligations.sort(key=lambda o: (o.due, o.id))

    scores = {contact: {"owed_by_me": Score(), "owed_to_me": Score()} for contact in facts.contacts}
    overall = {"owed_by_me": Score(), "owed_to_me": Score()}
    for obligation in obligations:
        side = "owed_by_me" if obligation.owed_by_me else "owed_to_me"
        scores.setdefault(obligation.counterpart, {"owed_by_me": Score(), "owed_to_me": Score()})[side].add(obligation)
        overall[side].add(obligation)
    return Projection(as_of, zone, facts, obligations, scores, overall)


def log_time_zone(ordered: list[t.Event], as_of: dt.date | None = None) -> str | None:
    """The time zone the log's settings name last (among settings dated, as written, on or before as_of)."""
    zone = None
    for event in ordered:
        if type(event) is t.SettingsChanged and event.data.timezone is not UNSET:
            if as_of is None or event.at.date() <= as_of:
                zone = event.data.timezone
    return zone


def _settle(obligation: Obligation, facts: Facts) -> None:
    """Status on `as_of`: done, dismissed, snoozed, or where the window puts it."""
    if obligation.done_on is not None:
        obligation.status = "done"
        return
    if obligation.id in facts.dismissals:
        obligation.status = "dismissed"
        return
    status = obligation.window.status(obligation.due, facts.as_of)
    snooze = facts.snoozes.get(obligation.id)
    if snooze is not None and status != "missed" and facts.as_of < snooze[2].data.until:
        obligation.snoozed_until = snooze[2].data.until
        status = "snoozed"
    obligation.status = status


def _score_pair(sides: dict[str, Score]) -> dict[str, float | None]:
    return {side: score.value for side, score in sides.items()}


def replay_document(projection: Projection) -> dict:
    """The `merci replay --json` document (DESIGN.md section 3), also served by GET /api/audit."""
    return {
        "as_of": projection.as_of.isoformat(),
        "timezone": projection.timezone,
        "obligations": [o.to_dict() for o in projection.obligations],
        "scores": {contact: _score_pair(sides) for contact, sides in sorted(projection.scores.items())},
        "overall": _score_pair(projection.overall),
    }


def mentions(event: t.Event, facts: Facts) -> set[str]:
    """The contacts an event names, directly or through the referral it is about."""
    data = event.data
    kind = type(event)
    if kind in (t.MeetingLogged, t.GreetingsSent):
        return set(data.contacts)
    if kind is t.ReferralGiven:
        return {data.introducer, data.referred}
    if kind is t.ReferralMade:
        return {data.to, data.referred}
    if kind in (t.ReferralOutcome, t.IntroducerInformed, t.UpdateReceived):
        found = set()
        if (given := facts.referrals_given.get(data.referral)) is not None:
            found |= {given[2].data.introducer, given[2].data.referred}
        if (made := facts.referrals_made.get(data.referral)) is not None:
            found |= {made[2].data.to, made[2].data.referred}
        return found
    if kind in (t.ObligationSnoozed, t.ObligationDismissed):
        parts = data.obligation.split(":")
        return set(parts[1:])  # a superset is fine: ids are matched against one contact
    contact = getattr(data, "contact", None)
    return {contact} if contact is not None else set()


def contact_view(projection: Projection, contact_id: str) -> dict:
    """A contact's card: fields, archived or not, both scores."""
    facts = projection.facts
    contact = facts.contacts[contact_id]
    sides = projection.scores.get(contact_id) or {"owed_by_me": Score(), "owed_to_me": Score()}
    return {
        "contact": contact_id,
        "name": contact.name,
        "added": contact.added,
        "archived": contact.archived[1].isoformat() if contact.archived else None,
        "fields": {k: v for k, v in contact.fields.items() if v is not None},
        "scores": _score_pair(sides),
    }


def contact_history(projection: Projection, contact_id: str) -> dict | None:
    """One relationship, both ways: every event naming the contact in order, the obligations both ways,
    both scores. None if the log never names that contact."""
    facts = projection.facts
    if contact_id not in facts.contacts:
        return None
    timeline = []
    for _, day, event in facts.occurrences:
        if contact_id in mentions(event, facts):
            if type(event) in (t.ObligationSnoozed, t.ObligationDismissed) and not _obligation_of(
                event.data.obligation, contact_id, projection
            ):
                continue
            entry = to_builtins(event)
            entry["date"] = day.isoformat()
            timeline.append(entry)
    return {
        **contact_view(projection, contact_id),
        "events": timeline,
        "obligations": [o.to_dict() for o in projection.obligations if o.counterpart == contact_id],
    }


def _obligation_of(obligation_id: str, contact_id: str, projection: Projection) -> bool:
    return any(o.id == obligation_id and o.counterpart == contact_id for o in projection.obligations)


__all__ = ["ME", "Projection", "project", "replay_document", "contact_history", "contact_view", "mentions"]
