"""One pass over the counted events, in (at, id) order, indexing what the rules ask about.

An occurrence is `(pos, day, event)`: its rank in that order, its local date, the event itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from operator import attrgetter, itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import UNSET

from . import types as t

Occurrence = tuple[int, dt.date, Any]

DEFAULT_CADENCE_DAYS = 90
DEFAULT_REMINDER_HOUR = 9
CONTACT_FIELDS = ("name", "email", "phone", "org", "title", "tags", "note", "cadence_days")


@dataclass(slots=True)
class Contact:
    """What the log says of a person: the latest value of each field; archived once and for all."""

    id: str
    added: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    archived: Occurrence | None = None

    @property
    def name(self) -> str:
        return self.fields.get("name") or self.id


@dataclass(slots=True)
class Settings:
    timezone: str | None = None
    reminder_hour: int = DEFAULT_REMINDER_HOUR
    cadence_days: int = DEFAULT_CADENCE_DAYS
    language: str | None = None


def _occ() -> defaultdict[str, list[Occurrence]]:
    return defaultdict(list)


@dataclass(slots=True)
class Facts:
    """The indexes every rule reads. Lists are in (at, id) order."""

    as_of: dt.date
    timezone: str
    settings: Settings = field(default_factory=Settings)
    occurrences: list[Occurrence] = field(default_factory=list)
    contacts: dict[str, Contact] = field(default_factory=dict)
    meetings: list[Occurrence] = field(default_factory=list)
    meetings_with: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    referrals_given: dict[str, Occurrence] = field(default_factory=dict)
    referrals_made: dict[str, Occurrence] = field(default_factory=dict)
    outcomes: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    informed: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    updates: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    thanks_sent: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    thanks_received: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    jobs_found: list[Occurrence] = field(default_factory=list)
    jobs_announced: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    ideas: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    greetings: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    snoozes: dict[str, Occurrence] = field(default_factory=dict)
    dismissals: dict[str, int] = field(default_factory=dict)
    informed_introducer: defaultdict[str, list[Occurrence]] = field(default_factory=_occ)
    """`introducer_informed` occurrences by the introducer they went to (a touch of that contact)."""
    merged: dict[str, str] = field(default_factory=dict)
    """Each merged-away contact id -> the contact it is read as (events.prepass)."""
    absorbed: dict[str, Contact] = field(default_factory=dict)
    """The records of merged-away contacts, by their own id: they fill what `into`'s own record lacks."""

    def contact(self, contact_id: str) -> Contact:
        """The contact of that id, made on first mention: an unknown contact is shown under its id."""
        found = self.contacts.get(contact_id)
        if found is None:
            found = self.contacts[contact_id] = Contact(contact_id)
        return found

    def archived(self, contact_id: str) -> Occurrence | None:
        found = self.contacts.get(contact_id)
        return found.archived if found else None

    def dismissed_before(self, obligation_id: str, pos: int) -> bool:
        """Whether the obligation was dismissed before the event at `pos` could fulfil it."""
        when = self.dismissals.get(obligation_id)
        return when is not None and when < pos

    def cadence(self, contact_id: str) -> int:
        """Days between touches: the contact's own cadence if set (0 = never), else the account's."""
        own = self.contacts[contact_id].fields.get("cadence_days")
        return self.settings.cadence_days if own is None else own

    def touches(self, contact_id: str) -> list[Occurrence]:
        """Every touch of a contact, for nurture: meetings, thanks sent, introducer informed (of a
        referral they gave), job announced, ideas shared."""
        found = [
            *self.meetings_with.get(contact_id, ()),
            *self.thanks_sent.get(contact_id, ()),
            *self.jobs_announced.get(contact_id, ()),
            *self.ideas.get(contact_id, ()),
            *self.informed_introducer.get(contact_id, ()),
        ]
        found.sort(key=_pos)
        return found


_pos = itemgetter(0)


def order(events: list[t.Event]) -> list[t.Event]:
    """Events in (at, id) order, each id once (the first in that order)."""
    # Two stable sorts (id, then instant) are cheaper than one on (at, id) tuples.
    ordered = sorted(events, key=_id)
    ordered.sort(key=_at)
    if len(set(map(_id, ordered))) == len(ordered):
        return ordered  # the usual case, checked at C speed
    # Two different events under one id and one instant: keep the one whose encoding sorts first, so the
    # answer depends on the set of events, never on their order in the log.
    chosen: dict[str, t.Event] = {}
    for event in ordered:
        kept = chosen.get(event.id)
        if kept is None:
            chosen[event.id] = event
        elif kept.at == event.at and _encoded(event) < _encoded(kept):
            chosen[event.id] = event
    unique = []
    for event in ordered:
        if chosen.get(event.id) is event:
            unique.append(event)
            del chosen[event.id]  # the same object given twice counts once
    return unique


def _encoded(event: t.Event) -> bytes:
    from .codec import encode_event

    return encode_event(event)


_id = attrgetter("id")
_at = attrgetter("at")


def collect(ordered: list[t.Event], as_of: dt.date, timezone: str, merged: dict[str, str] | None = None) -> Facts:
    """Index the events dated on or before `as_of` (local dates in `timezone`). `merged` maps each merged-away
    contact to the one it is read as (the other events already name that one: events.prepass)."""
    facts = Facts(as_of=as_of, timezone=timezone, merged=merged or {})
    append = facts.occurrences.append
    index = _INDEX
    for pos, day in _local_days(ordered, as_of, ZoneInfo(timezone)):
        event = ordered[pos]
        occurrence = (pos, day, event)
        append(occurrence)
        index[type(event)](facts, occurrence, event.data)
    for referral, informed in facts.informed.items():
        given = facts.referrals_given.get(referral)
        if given is not None:
            facts.informed_introducer[given[2].data.introducer].extend(informed)
    if facts.absorbed:
        _fill_merged_records(facts)
    return facts


def _record(facts: Facts, contact_id: str) -> Contact:
    """The record an event about a contact's record writes to: a merged-away contact's own, kept apart."""
    if contact_id in facts.merged:
        found = facts.absorbed.get(contact_id)
        if found is None:
            found = facts.absorbed[contact_id] = Contact(contact_id)
        return found
    return facts.contact(contact_id)


def _fill_merged_records(facts: Facts) -> None:
    """`into` keeps its own name and fields; a field only a merged-away record had fills in what it lacks
    (merged-away records in id order). Archiving stays with the record that was archived."""
    for source in sorted(facts.absorbed):
        absorbed = facts.absorbed[source]
        into = facts.contact(facts.merged[source])
        into.added = into.added or absorbed.added
        for name, value in absorbed.fields.items():
            if value is not None and into.fields.get(name) is None:
                into.fields[name] = value


def _local_days(ordered: list[t.Event], as_of: dt.date, tz: ZoneInfo) -> Iterator[tuple[int, dt.date]]:
    """(position, local date) of each event dated on or before `as_of`.

    (at, id) order is local-date order on a day when the clocks do not change: there, one conversion and one
    binary search find all of the day's events. On a day when they do, each event is converted on its own
    (where clocks fall back across midnight, a later event can even be dated a day earlier)."""
    instants = list(map(_at, ordered))
    beyond = as_of + dt.timedelta(days=2) if as_of < _LAST_DAYS else dt.date.max  # dates go back a day at most
    pos, count = 0, len(instants)
    while pos < count:
        day = instants[pos].astimezone(tz).date()
        if day >= beyond:
            return
        ends = _end_of_regular_day(day, tz)
        upto = bisect_left(instants, ends, pos) if ends is not None else pos + 1
        if day <= as_of:
            for each in range(pos, upto):
                yield each, day
        pos = upto


_MIN = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
_LAST_DAYS = dt.date.max - dt.timedelta(days=2)


def _end_of_regular_day(day: dt.date, tz: ZoneInfo) -> dt.datetime | None:
    """The instant the local `day` ends, if the clocks do not change during it (then every instant before
    it, from the day's first, falls on `day`); None on a day when they change: convert each event."""
    first = dt.datetime.combine(day, dt.time(), tz)
    last = dt.datetime.combine(day, dt.time.max, tz)
    if first.utcoffset() != last.utcoffset() or tz.utcoffset(first.replace(fold=1)) != first.utcoffset():
        return None
    following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    if following.utcoffset() != tz.utcoffset(following.replace(fold=1)):
        return None  # the next midnight is repeated or skipped
    return following.astimezone(dt.timezone.utc)


def _contact_added(facts: Facts, occ: Occurrence, data: t.ContactAddedData) -> None:
    contact = _record(facts, data.contact)
    contact.added = True
    for name in CONTACT_FIELDS:
        contact.fields[name] = getattr(data, name)


def _contact_updated(facts: Facts, occ: Occurrence, data: t.ContactUpdatedData) -> None:
    contact = _record(facts, data.contact)
    for name in CONTACT_FIELDS:
        value = getattr(data, name)
        if value is not UNSET:
            contact.fields[name] = value


def _contact_archived(facts: Facts, occ: Occurrence, data: t.ContactArchivedData) -> None:
    contact = _record(facts, data.contact)
    if contact.archived is None:
        contact.archived = occ


def _meeting_logged(facts: Facts, occ: Occurrence, data: t.MeetingLoggedData) -> None:
    facts.meetings.append(occ)
    contacts = data.contacts
    for contact in contacts if len(contacts) == 1 else dict.fromkeys(contacts):
        facts.contact(contact)
        facts.meetings_with[contact].append(occ)


def _referral_given(facts: Facts, occ: Occurrence, data: t.ReferralGivenData) -> None:
    facts.contact(data.introducer)
    facts.contact(data.referred)
    facts.referrals_given.setdefault(data.referral, occ)


def _referral_made(facts: Facts, occ: Occurrence, data: t.ReferralMadeData) -> None:
    facts.contact(data.to)
    facts.contact(data.referred)
    facts.referrals_made.setdefault(data.referral, occ)


def _referral_outcome(facts: Facts, occ: Occurrence, data: t.ReferralOutcomeData) -> None:
    facts.outcomes[data.referral].append(occ)


def _thanks_sent(facts: Facts, occ: Occurrence, data: t.ThanksSentData) -> None:
    facts.contact(data.contact)
    facts.thanks_sent[data.contact].append(occ)


def _thanks_received(facts: Facts, occ: Occurrence, data: t.ThanksReceivedData) -> None:
    facts.contact(data.contact)
    facts.thanks_received[data.contact].append(occ)


def _introducer_informed(facts: Facts, occ: Occurrence, data: t.IntroducerInformedData) -> None:
    facts.informed[data.referral].append(occ)


def _update_received(facts: Facts, occ: Occurrence, data: t.UpdateReceivedData) -> None:
    facts.updates[data.referral].append(occ)


def _job_found(facts: Facts, occ: Occurrence, data: t.JobFoundData) -> None:
    facts.jobs_found.append(occ)


def _job_announced(facts: Facts, occ: Occurrence, data: t.JobAnnouncedData) -> None:
    facts.contact(data.contact)
    facts.jobs_announced[data.contact].append(occ)


def _idea_shared(facts: Facts, occ: Occurrence, data: t.IdeaSharedData) -> None:
    facts.contact(data.contact)
    facts.ideas[data.contact].append(occ)


def _greetings_sent(facts: Facts, occ: Occurrence, data: t.GreetingsSentData) -> None:
    contacts = data.contacts
    for contact in contacts if len(contacts) == 1 else dict.fromkeys(contacts):
        facts.contact(contact)
        facts.greetings[contact].append(occ)


def _obligation_snoozed(facts: Facts, occ: Occurrence, data: t.ObligationSnoozedData) -> None:
    facts.snoozes[data.obligation] = occ


def _obligation_dismissed(facts: Facts, occ: Occurrence, data: t.ObligationDismissedData) -> None:
    facts.dismissals.setdefault(data.obligation, occ[0])


def _settings_changed(facts: Facts, occ: Occurrence, data: t.SettingsChangedData) -> None:
    _apply_settings(facts.settings, data)


def _apply_settings(settings: Settings, data: t.SettingsChangedData) -> None:
    for name in ("timezone", "reminder_hour", "cadence_days", "language"):
        value = getattr(data, name)
        if value is not UNSET:
            setattr(settings, name, value)


def log_settings(events: Iterable[t.Event]) -> Settings:
    """Each setting's latest value over the whole log, folded in (at, id) order as projections fold them
    (a late-synced old change never overrides a newer one); defaults for those never set."""
    settings = Settings()
    events = list(events)
    if any(type(e) in (t.EventCorrected, t.EventRetracted) for e in events):
        from .prepass import resolve  # a retracted or corrected setting is read as the rules read it

        events = resolve(order(events)).events
    for event in sorted((e for e in events if type(e) is t.SettingsChanged), key=attrgetter("at", "id")):
        _apply_settings(settings, event.data)
    return settings


def _nothing(facts: Facts, occ: Occurrence, data: Any) -> None:
    pass


_INDEX = {
    t.ContactAdded: _contact_added, t.ContactUpdated: _contact_updated, t.ContactArchived: _contact_archived,
    t.MeetingLogged: _meeting_logged, t.ReferralGiven: _referral_given, t.ReferralMade: _referral_made,
    t.ReferralOutcome: _referral_outcome, t.ThanksSent: _thanks_sent, t.ThanksReceived: _thanks_received,
    t.IntroducerInformed: _introducer_informed, t.UpdateReceived: _update_received,
    t.JobFound: _job_found, t.JobAnnounced: _job_announced, t.IdeaShared: _idea_shared,
    t.GreetingsSent: _greetings_sent, t.ObligationSnoozed: _obligation_snoozed,
    t.ObligationDismissed: _obligation_dismissed, t.SettingsChanged: _settings_changed,
    # read by the pre-pass (events.prepass), or kept for the ideas inbox: nothing for the rules
    t.EventCorrected: _nothing, t.EventRetracted: _nothing, t.ContactsMerged: _nothing, t.IdeaSaved: _nothing,
}
