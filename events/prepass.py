"""The pre-pass: corrections, retractions and merges resolved before the rules run (DESIGN.md section 1, 2026-12).

The log stays append-only; these events change how earlier events are *read*, for the whole history and
whatever their own date. In order: retractions (a retracted event drops out), corrections (the latest valid
correction of an event still in effect replaces its `at` and `data`), merges (every event naming `from` is
read as naming `into`). The result is again a function of the set of events. docs/rules.md reads its open
points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import msgspec

from . import types as t

CONTROL = (t.EventCorrected, t.EventRetracted, t.ContactsMerged)
"""The events that change how others are read; they cannot be corrected, and retracting one undoes it."""


@dataclass(slots=True)
class Resolution:
    """The log as the rules read it, and what was changed, for the relationship histories."""

    events: list[t.Event]
    """Every event still in effect, corrected and merged, in (at, id) order."""
    merged: dict[str, str] = field(default_factory=dict)
    """Each merged-away contact id -> the contact it is read as (chains resolved)."""
    corrections: dict[str, t.EventCorrected] = field(default_factory=dict)
    """Event id -> the correction applied to it."""
    originals: dict[str, t.Event] = field(default_factory=dict)
    """Event id -> the event as logged, for those corrected or retracted."""
    retractions: dict[str, t.EventRetracted] = field(default_factory=dict)
    """Event id -> the first retraction (in (at, id) order) that took it out of effect."""

    def contact(self, contact_id: str) -> str:
        """The contact an id is read as."""
        return self.merged.get(contact_id, contact_id)


def resolve(ordered: list[t.Event]) -> Resolution:
    """Resolve the control events of `ordered` (events in (at, id) order, each id once)."""
    if not any(type(event) in CONTROL for event in ordered):
        return Resolution(ordered)  # the usual case: nothing to resolve
    by_id = {event.id: event for event in ordered}

    # 1. retractions: naming a retraction, or an event not in the log, does nothing
    retractions: dict[str, t.EventRetracted] = {}
    for event in ordered:
        if type(event) is t.EventRetracted:
            target = by_id.get(event.data.event)
            if target is not None and type(target) is not t.EventRetracted:
                retractions.setdefault(target.id, event)

    # 2. corrections: the latest valid one, in (at, id) order, of an event still in effect
    corrections: dict[str, t.EventCorrected] = {}
    corrected: dict[str, t.Event] = {}
    for event in ordered:
        if type(event) is not t.EventCorrected or event.id in retractions:
            continue
        target = by_id.get(event.data.event)
        if target is None or target.id in retractions or type(target) in CONTROL:
            continue
        replaced = corrected_event(target, event)
        if replaced is not None:
            corrections[target.id] = event
            corrected[target.id] = replaced

    # 3. merges still in effect, in (at, id) order
    parent: dict[str, str] = {}
    for event in ordered:
        if type(event) is t.ContactsMerged and event.id not in retractions:
            source, into = event.data.from_, event.data.into
            if source in parent or _root(parent, into) == source:
                continue  # merged already, or a cycle (a→b then b→a; a→a): the later merge is left out
            parent[source] = into
    merged = {source: _root(parent, source) for source in parent}

    events = []
    for event in ordered:
        if event.id in retractions:
            continue
        event = corrected.get(event.id, event)
        if merged:
            event = _read_merged(event, merged)
        events.append(event)
    if corrected:
        events.sort(key=_id)
        events.sort(key=_at)  # a corrected `at` decides where the event sorts
    originals = {i: by_id[i] for i in (*corrections, *retractions)}
    return Resolution(events, merged, corrections, originals, retractions)


def corrected_event(target: t.Event, correction: t.EventCorrected) -> t.Event | None:
    """`target` read with the correction's `at` and `data`, or None if that data is not valid for its type."""
    try:
        data = msgspec.convert(correction.data.data, _DATA_TYPES[type(target)], strict=True)
    except msgspec.ValidationError:
        return None  # an invalid correction does nothing
    at = correction.data.at if correction.data.at is not None else target.at
    return msgspec.structs.replace(target, at=at, data=data)


_DATA_TYPES: dict[type, type] = {kind: getattr(t, kind.__annotations__["data"]) for kind in t.EVENT_TYPES.values()}
"""Each event type's `data` Struct, to read a correction's data as."""
_id = attrgetter("id")
_at = attrgetter("at")


def _root(parent: dict[str, str], contact: str) -> str:
    seen = 0
    while contact in parent and seen <= len(parent):
        contact = parent[contact]
        seen += 1
    return contact


RECORD_TYPES = (t.ContactAdded, t.ContactUpdated, t.ContactArchived)
"""Events about a contact's record: read under their own id, so that `into` keeps its own record
(events.facts fills what it lacks from the merged-away records)."""


def _read_merged(event: t.Event, merged: dict[str, str]) -> t.Event:
    """The event with every contact it names read through the merges; lists keep each contact once."""
    kind = type(event)
    data = event.data
    changes: dict[str, Any] = {}
    if kind in (t.MeetingLogged, t.GreetingsSent):
        contacts = list(dict.fromkeys(merged.get(c, c) for c in data.contacts))
        if contacts != data.contacts:
            changes["contacts"] = contacts
    elif kind is t.ReferralGiven:
        changes = _renamed(data, merged, "introducer", "referred")
    elif kind is t.ReferralMade:
        changes = _renamed(data, merged, "to", "referred")
    elif kind in (t.ThanksSent, t.ThanksReceived, t.JobAnnounced, t.IdeaShared):
        changes = _renamed(data, merged, "contact")
    elif kind in (t.ObligationSnoozed, t.ObligationDismissed):
        obligation = merged_obligation_id(data.obligation, merged)
        if obligation != data.obligation:
            changes["obligation"] = obligation
    if not changes:
        return event
    return msgspec.structs.replace(event, data=msgspec.structs.replace(data, **changes))


def _renamed(data: Any, merged: dict[str, str], *names: str) -> dict[str, str]:
    return {name: merged[getattr(data, name)] for name in names if getattr(data, name) in merged}


CONTACT_PART = {"thank": 2, "announce": 2, "greetings": 2, "nurture": 1}
"""Where an obligation id names its contact: thank:{meeting}:{contact}, announce:{job}:{contact},
greetings:{Y}:{contact}, nurture:{contact}:{due}."""


def merged_obligation_id(obligation: str, merged: dict[str, str]) -> str:
    """An obligation id with its contact read through the merges."""
    parts = obligation.split(":")
    index = CONTACT_PART.get(parts[0])
    if index is None or len(parts) != 3 or parts[index] not in merged:
        return obligation
    parts[index] = merged[parts[index]]
    return ":".join(parts)


__all__ = ["CONTROL", "Resolution", "resolve", "corrected_event", "merged_obligation_id"]
