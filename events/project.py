"""The projection: (events, as_of, time zone) -> obligations both ways, scores, relationship histories.

A pure function: no clock, no I/O. The same set of events gives the same answer whatever order or how
many times they arrived, and replaying to a past date shows what was pending then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from zoneinfo import ZoneInfo

from msgspec import UNSET, to_builtins

from . import types as t
from .facts import Facts, collect, order
from .prepass import CONTROL, Resolution, corrected_event, resolve
from .rules import ME, WINDOWS, Obligation, announce, greetings, nurture, report, thank

RULES = (thank, report, announce, nurture, greetings)
"""Every rule, called the same way: `derive(facts) -> obligations`."""

COUNTED = ("done", "overdue", "missed")
"""Statuses a score counts; due, upcoming, snoozed and dismissed are left out."""


@dataclass(slots=True)
class Score:
    on_time: int = 0
    counted: int = 0

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
    resolution: Resolution | None = None
    """What the pre-pass corrected, retracted and merged (events.prepass)."""


def project(events: Iterable[t.Event], as_of: dt.date, timezone: str | None = None) -> Projection:
    """Everything owed, both ways, as it stood at the end of `as_of` (a local date in the time zone:
    `timezone` if given, else the log's own setting, else UTC)."""
    resolution = resolve(order(list(events)))  # corrections, retractions and merges, before the rules
    ordered = resolution.events
    zone = timezone or log_time_zone(ordered) or "UTC"
    facts = collect(ordered, as_of, zone, resolution.merged)
    obligations = [obligation for rule in RULES for obligation in rule.derive(facts)]
    _settle(obligations, facts)
    obligations.sort(key=_id)
    obligations.sort(key=_due)  # stable: (due, id) order
    scores, overall = _scores(obligations, facts)
    return Projection(as_of, zone, facts, obligations, scores, overall, resolution)


def _scores(obligations: list[Obligation], facts: Facts):
    """Each counterpart's scores both ways, and the overall ones."""
    counted: dict[tuple[str, int], int] = {}
    on_time: dict[tuple[str, int], int] = {}
    for obligation in obligations:
        if obligation.status in COUNTED:
            key = (obligation.creditor, 0) if obligation.debtor == ME else (obligation.debtor, 1)
            counted[key] = counted.get(key, 0) + 1
            if obligation.grade == "on_time":
                on_time[key] = on_time.get(key, 0) + 1
    scores = {contact: (Score(), Score()) for contact in facts.contacts}
    overall = (Score(), Score())
    for (contact, side), count in counted.items():
        good = on_time.get((contact, side), 0)
        pair = scores.setdefault(contact, (Score(), Score()))
        pair[side].counted, pair[side].on_time = count, good
        overall[side].counted += count
        overall[side].on_time += good
    return (
        {contact: dict(zip(SIDES, pair)) for contact, pair in scores.items()},
        dict(zip(SIDES, overall)),
    )


SIDES = ("owed_by_me", "owed_to_me")


_id = attrgetter("id")
_due = attrgetter("due")


def log_time_zone(ordered: list[t.Event]) -> str | None:
    """The time zone the log's settings name last, in (at, id) order, whether or not it is dated after the
    replay's `as_of` (DESIGN.md §2, 2026-12): the zone a person sets at sign-up also dates what they
    back-logged before it, and a past audit keeps the zone the person lives in."""
    zone = None
    for event in ordered:
        if type(event) is t.SettingsChanged and event.data.timezone is not UNSET:
            zone = event.data.timezone
    return zone


def _settle(obligations: list[Obligation], facts: Facts) -> None:
    """Status on `as_of` of those not done: dismissed, snoozed, or where their window puts them."""
    as_of, dismissals, snoozes = facts.as_of, facts.dismissals, facts.snoozes
    for obligation in obligations:
        if obligation.status == "done":
            continue
        if obligation.id in dismissals:
            obligation.status = "dismissed"
            continue
        status = WINDOWS[obligation.rule].status(obligation.due, as_of)
        snooze = snoozes.get(obligation.id) if snoozes else None
        if snooze is not None and status != "missed" and as_of < snooze[2].data.until:
            obligation.snoozed_until = snooze[2].data.until
            status = "snoozed"
        obligation.status = status


def _score_pair(sides: dict[str, Score]) -> dict[str, float | None]:
    return {side: score.value for side, score in sides.items()}


def replay_document(projection: Projection) -> dict:
    """The `merci replay --json` document (DESIGN.md section 3), also served by GET /api/audit.

    Its obligations are `Obligation` Structs, encoded by msgspec as they are (`msgspec.to_builtins`
    turns the document into plain dicts and strings)."""
    return {
        "as_of": projection.as_of.isoformat(),
        "timezone": projection.timezone,
        "obligations": projection.obligations,  # Structs: msgspec encodes them as they are
        "scores": {contact: _score_pair(sides) for contact, sides in sorted(projection.scores.items())},
        "overall": _score_pair(projection.overall),
    }


def mentions(event: t.Event, facts: Facts) -> set[str]:
    """The contacts an event names, directly or through the referral it is about (read through merges)."""
    found = _mentions(event, facts)
    if facts.merged:
        return {facts.merged.get(contact, contact) for contact in found}
    return found


def _mentions(event: t.Event, facts: Facts) -> set[str]:
    data = event.data
    kind = type(event)
    if kind is t.ContactsMerged:
        return {data.from_, data.into}
    if kind in (t.EventCorrected, t.EventRetracted, t.IdeaSaved):
        return set()  # the changes are listed apart (contact_history's `changes`)
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
    both scores, and the corrections and retractions that changed its record (`changes`). None if the log
    never names that contact. A merged-away contact's history is the history of the one it was merged into."""
    facts = projection.facts
    contact_id = facts.merged.get(contact_id, contact_id)
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
        "obligations": [o for o in projection.obligations if o.counterpart == contact_id],
        "changes": _changes(projection, contact_id),
    }


def _changes(projection: Projection, contact_id: str) -> list[dict]:
    """The corrections and retractions that touched the contact (an event naming them, as logged or as
    corrected), each with its own local date: an audit shows that the record changed, and when. Only those
    of events that count for as_of (by their corrected date; a retracted event by its own), whatever the date
    of the change itself: the record shown is the changed one."""
    resolution, facts = projection.resolution, projection.facts
    if resolution is None or not resolution.originals:
        return []
    zone = ZoneInfo(projection.timezone)
    counted = {event.id: event for _, _, event in facts.occurrences}
    found = []
    for target, correction in resolution.corrections.items():
        event = counted.get(target)
        if event is not None and (contact_id in mentions(event, facts)
                                  or contact_id in mentions(resolution.originals[target], facts)):
            found.append((correction, "corrected", event))
    for target, retraction in resolution.retractions.items():
        event = resolution.originals[target]
        if type(event) not in CONTROL and event.at.astimezone(zone).date() > projection.as_of:
            continue  # (a retracted correction or merge is listed whatever its date, as it applied)
        touched = mentions(event, facts)
        if type(event) is t.EventCorrected:  # what it corrected (if it counts), as read, logged, and corrected so
            current = counted.get(event.data.event)
            touched = set()
            if current is not None and type(current) not in CONTROL:  # a correction of those never applied
                logged = resolution.originals.get(current.id, current)
                touched = mentions(current, facts) | mentions(logged, facts)
                if (undone := corrected_event(logged, event)) is not None:
                    touched |= mentions(undone, facts)
        if contact_id in touched:
            found.append((retraction, "retracted", event))
    found.sort(key=lambda change: (change[0].at, change[0].id))
    return [{"date": change.at.astimezone(zone).date().isoformat(), "change": what, "by": change.id,
             "event": event.id, "type": type(event).__struct_config__.tag} for change, what, event in found]


def _obligation_of(obligation_id: str, contact_id: str, projection: Projection) -> bool:
    return any(o.id == obligation_id and o.counterpart == contact_id for o in projection.obligations)


__all__ = ["ME", "Projection", "project", "replay_document", "contact_history", "contact_view", "mentions"]
