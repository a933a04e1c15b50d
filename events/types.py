"""The event catalogue, wire format v1: every event type as a frozen msgspec Struct in one tagged union.

An event is a fact in the past tense. The tag strings and field names are the public wire contract
(../shared/DESIGN.md section 1): renaming a class never changes what is stored. No string of an event, field
names included, may hold U+0000: `events.codec` refuses it before these types are checked (`NUL_MESSAGE`), since
PostgreSQL cannot store it in text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[^:]*$")]
"""A client-made id of an event, meeting or referral. No `:`: it separates the parts of obligation ids
(`thank:{meeting}:{contact}`), so `a:b` + `c` and `a` + `b:c` would be the same obligation."""
ContactId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^(?!me$)[^:]*$")]
"""A client-made contact id: an Id that is not `me`, the word obligations use for the account's owner."""
ObligationId = Annotated[str, Meta(min_length=1, max_length=200)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Text = Annotated[str, Meta(max_length=4000)]
Short = Annotated[str, Meta(max_length=200)]
Email = Annotated[str, Meta(max_length=254)]
Tag = Annotated[str, Meta(min_length=1, max_length=50)]
Url = Annotated[str, Meta(max_length=2000)]
Days = Annotated[int, Meta(ge=0, le=3650)]
Hour = Annotated[int, Meta(ge=0, le=23)]
Zone = Annotated[str, Meta(min_length=1, max_length=64)]
Instant = Annotated[dt.datetime, Meta(tz=True)]
"""ISO 8601 with a UTC offset: a naive time would be read differently on every device."""

Host = Literal["them", "me"]
MeetingKind = Literal["meeting", "call", "video", "coffee", "event"]
Outcome = Literal["meeting_obtained", "declined", "no_answer"]
Channel = Literal["email", "letter", "call", "message", "in_person"]
Language = Literal["fr", "en"]


class Data(Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    """The `data` object of an event: unknown fields are an error."""


class Event(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True,
    tag_field="type", gc=False,
):
    """One fact of the log. `seq`, `recorded_at` and `device` are added by the server."""

    id: Id
    v: Literal[1]
    at: Instant
    seq: Annotated[int, Meta(ge=1)] | None = None
    recorded_at: Instant | None = None
    device: Annotated[str, Meta(max_length=64)] | None = None


# --- contacts ---------------------------------------------------------------------------------


class ContactAddedData(Data, frozen=True):
    contact: ContactId
    name: Name
    email: Email | None = None
    phone: Short | None = None
    org: Short | None = None
    title: Short | None = None
    tags: Annotated[list[Tag], Meta(max_length=50)] | None = None
    note: Text | None = None
    cadence_days: Days | None = None


class ContactAdded(Event, frozen=True, tag="contact_added"):
    """A person in my network."""

    data: ContactAddedData


class ContactUpdatedData(Data, frozen=True):
    contact: ContactId
    name: Name | UnsetType = UNSET
    email: Email | None | UnsetType = UNSET
    phone: Short | None | UnsetType = UNSET
    org: Short | None | UnsetType = UNSET
    title: Short | None | UnsetType = UNSET
    tags: Annotated[list[Tag], Meta(max_length=50)] | None | UnsetType = UNSET
    note: Text | None | UnsetType = UNSET
    cadence_days: Days | None | UnsetType = UNSET


class ContactUpdated(Event, frozen=True, tag="contact_updated"):
    """Some fields of a contact changed; a null clears the field."""

    data: ContactUpdatedData


class ContactArchivedData(Data, frozen=True):
    contact: ContactId


class ContactArchived(Event, frozen=True, tag="contact_archived"):
    """No more nurture or greetings obligations to or from this contact."""

    data: ContactArchivedData


# --- meetings and referrals -------------------------------------------------------------------


class MeetingLoggedData(Data, frozen=True):
    meeting: Id
    contacts: Annotated[list[ContactId], Meta(min_length=1, max_length=50)]
    host: Host = "them"
    kind: MeetingKind | None = None
    place: Short | None = None
    note: Text | None = None


class MeetingLogged(Event, frozen=True, tag="meeting_logged"):
    """A meeting that happened at `at`; host "them": they received me, "me": I received them."""

    data: MeetingLoggedData


class ReferralGivenData(Data, frozen=True):
    referral: Id
    introducer: ContactId
    referred: ContactId
    meeting: Id | None = None
    note: Text | None = None


class ReferralGiven(Event, frozen=True, tag="referral_given"):
    """The introducer gave me the referred person's name, to contact on their behalf."""

    data: ReferralGivenData


class ReferralMadeData(Data, frozen=True):
    referral: Id
    to: ContactId
    referred: ContactId
    meeting: Id | None = None
    note: Text | None = None


class ReferralMade(Event, frozen=True, tag="referral_made"):
    """I gave `to` the name of `referred`."""

    data: ReferralMadeData


class ReferralOutcomeData(Data, frozen=True):
    referral: Id
    outcome: Outcome
    meeting: Id | None = None


class ReferralOutcome(Event, frozen=True, tag="referral_outcome"):
    """What came of a referral (for one I made: what I learnt)."""

    data: ReferralOutcomeData


# --- what I did, what they did ----------------------------------------------------------------


class ThanksSentData(Data, frozen=True):
    contact: ContactId
    channel: Channel
    meeting: Id | None = None
    note: Text | None = None


class ThanksSent(Event, frozen=True, tag="thanks_sent"):
    """I thanked them."""

    data: ThanksSentData


class ThanksReceivedData(Data, frozen=True):
    contact: ContactId
    meeting: Id | None = None
    channel: Channel | None = None
    note: Text | None = None


class ThanksReceived(Event, frozen=True, tag="thanks_received"):
    """They thanked me."""

    data: ThanksReceivedData


class IntroducerInformedData(Data, frozen=True):
    referral: Id
    channel: Channel
    note: Text | None = None


class IntroducerInformed(Event, frozen=True, tag="introducer_informed"):
    """I told the introducer how the referral went."""

    data: IntroducerInformedData


class UpdateReceivedData(Data, frozen=True):
    referral: Id
    channel: Channel | None = None
    note: Text | None = None


class UpdateReceived(Event, frozen=True, tag="update_received"):
    """The person I referred told me how it went."""

    data: UpdateReceivedData


class JobFoundData(Data, frozen=True):
    job: Short | None = None
    employer: Short | None = None
    note: Text | None = None


class JobFound(Event, frozen=True, tag="job_found"):
    """I found a job, on the local date of `at`."""

    data: JobFoundData


class JobAnnouncedData(Data, frozen=True):
    contact: ContactId
    channel: Channel
    note: Text | None = None


class JobAnnounced(Event, frozen=True, tag="job_announced"):
    """I told and thanked them personally for their help."""

    data: JobAnnouncedData


class IdeaSharedData(Data, frozen=True):
    contact: ContactId
    idea: Text | None = None
    link: Url | None = None
    note: Text | None = None


class IdeaShared(Event, frozen=True, tag="idea_shared"):
    """I sent them something of interest."""

    data: IdeaSharedData


class GreetingsSentData(Data, frozen=True):
    contacts: Annotated[list[ContactId], Meta(min_length=1, max_length=1000)]
    channel: Channel | None = None
    note: Text | None = None


class GreetingsSent(Event, frozen=True, tag="greetings_sent"):
    """Season's greetings."""

    data: GreetingsSentData


# --- obligations and settings -----------------------------------------------------------------


class ObligationSnoozedData(Data, frozen=True):
    obligation: ObligationId
    until: dt.date


class ObligationSnoozed(Event, frozen=True, tag="obligation_snoozed"):
    """Hide and silence an obligation until that date."""

    data: ObligationSnoozedData


class ObligationDismissedData(Data, frozen=True):
    obligation: ObligationId
    reason: Text | None = None


class ObligationDismissed(Event, frozen=True, tag="obligation_dismissed"):
    """An obligation no longer applies."""

    data: ObligationDismissedData


class SettingsChangedData(Data, frozen=True):
    timezone: Zone | UnsetType = UNSET
    reminder_hour: Hour | UnsetType = UNSET
    cadence_days: Days | UnsetType = UNSET
    language: Language | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.timezone is not UNSET and not is_time_zone(self.timezone):
            raise ValueError(f"unknown time zone {self.timezone!r} (expected an IANA name such as Europe/Paris)")


class SettingsChanged(Event, frozen=True, tag="settings_changed"):
    """Account settings; each field's latest value applies to the whole history."""

    data: SettingsChangedData


# --- corrections, retractions, merges and ideas (DESIGN.md section 1, 2026-12) ---------------------
# These change how earlier events are read; events.prepass resolves them before the rules run.

FieldName = Annotated[str, Meta(pattern=r"^[a-z_]{1,32}$")]
"""A field of an event's `data`, as a correction names it: every field of the catalogue is lowercase and `_`."""
FieldValue = Union[Text, Days, Annotated[list[Annotated[str, Meta(max_length=64)]], Meta(max_length=1000)], None]
"""Any value a field of the catalogue holds (strings, dates, day counts, lists of ids or tags); the named
event's own type checks it exactly when the correction is read (events.prepass)."""


class EventCorrectedData(Data, frozen=True, kw_only=True):
    event: Id
    at: Instant | None = None
    data: Annotated[dict[FieldName, FieldValue], Meta(max_length=20)]


class EventCorrected(Event, frozen=True, tag="event_corrected"):
    """The named event is read as if it had carried this `at` (if given) and this complete `data`."""

    data: EventCorrectedData


class EventRetractedData(Data, frozen=True):
    event: Id
    reason: Text | None = None


class EventRetracted(Event, frozen=True, tag="event_retracted"):
    """The named event is read as if it had never been logged (an undo)."""

    data: EventRetractedData


class ContactsMergedData(Data, frozen=True):
    from_: ContactId = msgspec.field(name="from")
    into: ContactId


class ContactsMerged(Event, frozen=True, tag="contacts_merged"):
    """Two records of one person: every event naming `from` is read as naming `into`."""

    data: ContactsMergedData


class IdeaSavedData(Data, frozen=True):
    idea: Id
    title: Short | None = None
    link: Url | None = None
    tags: Annotated[list[Tag], Meta(max_length=50)] | None = None
    note: Text | None = None


class IdeaSaved(Event, frozen=True, tag="idea_saved"):
    """Something worth sharing, kept in the ideas inbox; it creates no obligation."""

    data: IdeaSavedData


AnyEvent = Union[
    ContactAdded, ContactUpdated, ContactArchived,
    MeetingLogged, ReferralGiven, ReferralMade, ReferralOutcome,
    ThanksSent, ThanksReceived, IntroducerInformed, UpdateReceived,
    JobFound, JobAnnounced, IdeaShared, GreetingsSent,
    ObligationSnoozed, ObligationDismissed, SettingsChanged,
    EventCorrected, EventRetracted, ContactsMerged, IdeaSaved,
]

EVENT_TYPES: dict[str, type[Event]] = {cls.__struct_config__.tag: cls for cls in AnyEvent.__args__}
"""Every event type by its wire name."""

CURRENT_VERSION: dict[str, int] = {name: 1 for name in EVENT_TYPES}
"""The schema version each type is decoded to; older versions go through `events.codec.UPCASTERS`."""


def _iana_zones() -> frozenset[str]:
    """Every IANA time zone name (the tzdata package's list, the same on every machine)."""
    from importlib.resources import files

    return frozenset(files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()) - {"Factory"}


IANA_ZONES = _iana_zones()


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone. Machine-specific names (`localtime`) are not: a log must
    replay the same everywhere."""
    return name in IANA_ZONES


__all__ = ["AnyEvent", "Event", "EVENT_TYPES", "CURRENT_VERSION", "UNSET", "is_time_zone"] + [
    cls.__name__ for cls in AnyEvent.__args__
]
