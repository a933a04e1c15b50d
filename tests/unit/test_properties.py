"""Properties of the projection over realistic random logs (Hypothesis):

- a projection is a function of the *set* of events: shuffling the log or repeating events changes nothing;
- the answer as of a date depends only on the events dated (locally) on or before it;
- every event survives encode then decode unchanged;
- an obligation id names one obligation: it appears at most once in a projection;
- corrections, retractions and merges (drawn among the events and contacts really in the log) keep all of the
  above, and: retracting an event is the log without it; a correction is the log with the event replaced.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import msgspec
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from events import contact_history, decode_event, encode_event, project, replay_document
from events.prepass import CONTROL, resolve
from events.facts import order
from events.types import EventCorrected, EventRetracted, SettingsChanged

START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
SPAN_MINUTES = 2 * 365 * 24 * 60  # about two years
OFFSETS = ["+00:00", "+01:00", "+02:00", "-04:00", "-05:00", "+05:30", "+09:00", "-10:00", "+12:45", "+14:00",
           "-12:00"]
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago",
         "America/Santiago", "America/Havana", "Australia/Lord_Howe", "Africa/Casablanca"]
"""Zones with half-hour offsets, ±14 h, and clocks that change at midnight (Santiago, Havana)."""

CONTACTS = [f"c{i}" for i in range(6)]
MEETINGS = [f"m{i}" for i in range(12)]
REFERRALS = [f"r{i}" for i in range(5)]
CHANNELS = ["email", "letter", "call", "message", "in_person"]

contact = st.sampled_from(CONTACTS)
meeting = st.sampled_from(MEETINGS)
referral = st.sampled_from(REFERRALS)
channel = st.sampled_from(CHANNELS)
maybe = st.none  # an optional field left out


def at(minutes: int, offset: str) -> str:
    sign = 1 if offset[0] == "+" else -1
    delta = dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])) * sign
    local = (START + dt.timedelta(minutes=minutes) + delta).replace(tzinfo=None)
    return local.isoformat(timespec="seconds") + offset


def data(**fields) -> st.SearchStrategy[dict]:
    """A data object: optional fields (a strategy that may draw None) are left out when None."""
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})


BODIES: list[tuple[int, str, st.SearchStrategy[dict]]] = [
    # (weight, type, data)
    (3, "contact_added", data(contact=contact, name=st.sampled_from(["Hervé", "Anne", "Paul"]),
                              org=st.none() | st.just("BPI"),
                              cadence_days=st.none() | st.sampled_from([0, 1, 2, 7, 13, 14, 30, 120]))),
    (1, "contact_updated", data(contact=contact, title=st.none() | st.just("CTO"),
                                cadence_days=st.none() | st.sampled_from([15, 45])).map(
        lambda d: d | {"note": None})),  # null: clear the note
    (1, "contact_archived", data(contact=contact)),
    (8, "meeting_logged", data(meeting=meeting, contacts=st.lists(contact, min_size=1, max_size=3),
                               host=st.sampled_from([None, "them", "them", "me"]),
                               kind=st.none() | st.sampled_from(["coffee", "call"]))),
    (3, "referral_given", data(referral=referral, introducer=contact, referred=contact,
                               meeting=st.none() | meeting)),
    (2, "referral_made", data(referral=referral, to=contact, referred=contact)),
    (3, "referral_outcome", data(referral=referral, outcome=st.sampled_from(["meeting_obtained", "declined",
                                                                             "no_answer"]))),
    (6, "thanks_sent", data(contact=contact, channel=channel, meeting=st.none() | meeting)),
    (3, "thanks_received", data(contact=contact, meeting=st.none() | meeting, channel=st.none() | channel)),
    (2, "introducer_informed", data(referral=referral, channel=channel)),
    (2, "update_received", data(referral=referral)),
    (1, "job_found", data(employer=st.none() | st.just("ACME"))),
    (2, "job_announced", data(contact=contact, channel=channel)),
    (3, "idea_shared", data(contact=contact, idea=st.none() | st.just("an article"))),
    (2, "greetings_sent", data(contacts=st.lists(contact, min_size=1, max_size=4, unique=True))),
    (1, "settings_changed", data(cadence_days=st.none() | st.sampled_from([7, 30, 90, 180]),
                                 reminder_hour=st.none() | st.integers(0, 23),
                                 language=st.none() | st.sampled_from(["fr", "en"]))),
]
"""What a networking log holds, roughly in these proportions. Time zone settings are drawn apart."""

body = st.sampled_from([(kind, strategy) for weight, kind, strategy in BODIES for _ in range(weight)]).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), pair[1]))


def make(number: int, kind: str, body_data: dict, minutes: int, offset: str):
    raw = {"id": f"e{number:03d}", "type": kind, "v": 1, "at": at(minutes, offset), "data": body_data}
    return decode_event(msgspec.json.encode(raw))


@st.composite
def logs(draw, max_events: int = 45):
    """A log of a few contacts over about two years, with a time zone setting or not."""
    drawn = draw(st.lists(st.tuples(body, st.integers(0, SPAN_MINUTES), st.sampled_from(OFFSETS)),
                          min_size=4, max_size=max_events))
    events = [make(i, kind, body_data, minutes, offset) for i, ((kind, body_data), minutes, offset) in enumerate(drawn)]
    # what good manners add: thanks within days of a meeting, news within days of an outcome
    for number, ((kind, body_data), minutes, offset) in enumerate(drawn):
        later = minutes + draw(st.integers(-6 * 60, 9 * 24 * 60))
        if kind == "meeting_logged" and draw(st.booleans()):
            thanks = "thanks_sent" if body_data.get("host", "them") == "them" else "thanks_received"
            reply = {"contact": body_data["contacts"][0], "channel": "email"}
            if draw(st.booleans()):
                reply["meeting"] = body_data["meeting"]
            events.append(make(100 + number, thanks, reply, later, offset))
        elif kind == "referral_outcome" and draw(st.booleans()):
            news = draw(st.sampled_from(["introducer_informed", "update_received"]))
            events.append(make(100 + number, news, {"referral": body_data["referral"], "channel": "call"}, later,
                               offset))
    zone = draw(st.none() | st.sampled_from(ZONES))
    if zone is not None:  # set in the first days: which zone applies is then never in doubt
        events.append(make(900, "settings_changed", {"timezone": zone}, draw(st.integers(0, 2 * 24 * 60)), "+00:00"))
    # snoozes and dismissals of obligations that really arise (a guessed id would almost never match)
    arising = [o.id for o in project(events, dt.date(2027, 6, 30), "UTC").obligations]
    if arising:
        for i in range(draw(st.integers(0, 4))):
            minutes, oid = draw(st.integers(0, SPAN_MINUTES)), draw(st.sampled_from(arising))
            if draw(st.booleans()):
                until = (START + dt.timedelta(minutes=minutes, days=draw(st.integers(-3, 60)))).date().isoformat()
                events.append(make(950 + i, "obligation_snoozed", {"obligation": oid, "until": until}, minutes,
                                   draw(st.sampled_from(OFFSETS))))
            else:
                events.append(make(950 + i, "obligation_dismissed", {"obligation": oid}, minutes,
                                   draw(st.sampled_from(OFFSETS))))
    # corrections, retractions and merges of events and contacts really in the log (and now and then of none)
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["event_corrected", "event_retracted", "contacts_merged", "idea_saved"]))
        minutes, offset = draw(st.integers(0, SPAN_MINUTES)), draw(st.sampled_from(OFFSETS))
        if kind == "event_retracted":
            target = draw(st.sampled_from(events)).id if draw(st.integers(0, 9)) else "not-in-the-log"
            body_data = {"event": target}
        elif kind == "event_corrected":
            body_data = correction_of(draw(st.sampled_from(events)), events, draw)
        elif kind == "contacts_merged":
            body_data = {"from": draw(contact), "into": draw(contact)}
        else:
            body_data = {"idea": f"i{i}", "tags": ["fintech"]}
        events.append(make(980 + i, kind, body_data, minutes, offset))
    return events


def correction_of(target, events, draw) -> dict:
    """A correction of `target`: its data as it is, or another event's of its type, or not valid for it; its
    `at` moved by up to a few days, or kept."""
    if type(target) is EventCorrected:
        data = {"event": target.data.event}  # a correction of a correction (does nothing)
    else:
        alike = [e for e in events if type(e) is type(target)]
        data = msgspec.to_builtins(draw(st.sampled_from(alike)).data)
        if draw(st.integers(0, 9)) == 0:
            data = {"place": "nowhere"}  # not valid for most types: does nothing
    body_data = {"event": target.id, "data": data}
    if draw(st.booleans()):
        moved = target.at + dt.timedelta(minutes=draw(st.integers(-4 * 24 * 60, 4 * 24 * 60)))
        body_data["at"] = moved.isoformat()
    return body_data


as_of_dates = st.integers(-10, 2 * 365 + 60).map(lambda n: START.date() + dt.timedelta(days=n))


def document(events, as_of: dt.date, zone: str | None) -> bytes:
    """The replay document, and every contact's history, as bytes: equal answers are equal bytes."""
    projection = project(events, as_of, zone)
    histories = [contact_history(projection, c) for c in sorted(projection.facts.contacts)]
    return msgspec.json.encode([replay_document(projection), histories])


def again(event):
    """The same event read a second time from the wire."""
    return decode_event(encode_event(event))


def same(event):
    return event


def local_day(event, zone: str) -> dt.date:
    return event.at.astimezone(ZoneInfo(zone)).date()


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])


# --- (a) a function of the set of events ---------------------------------------------------------


@FAST
@given(events=logs(), as_of=as_of_dates, zone=st.none() | st.sampled_from(ZONES), seed=st.integers(0, 2**32),
       repeats=st.integers(0, 15))
def test_shuffling_and_repeating_events_changes_nothing(events, as_of, zone, seed, repeats):
    shuffler = random.Random(seed)
    # a repeat is the same line read again (an equal event, decoded anew) or the very same object again
    arrived = events + [(again if i % 2 else same)(shuffler.choice(events)) for i in range(repeats)]
    shuffler.shuffle(arrived)
    assert document(arrived, as_of, zone) == document(events, as_of, zone)


@FAST
@given(events=logs(), as_of=as_of_dates, seed=st.integers(0, 2**32))
def test_a_replayed_copy_of_the_log_counts_once(events, as_of, seed):
    twice = events + [again(e) for e in events]
    random.Random(seed).shuffle(twice)
    assert document(twice, as_of, None) == document(events, as_of, None)


# --- (b) the answer as of a date depends only on what happened by then ------------------------------


def effective(events) -> dict:
    """Each event as the rules read it (its corrected `at`), by id; a retracted one as it was logged."""
    return {e.id: e for e in resolve(order(list(events))).events}


@FAST
@given(events=logs(), as_of=as_of_dates, zone=st.sampled_from(ZONES))
def test_only_events_dated_up_to_as_of_count(events, as_of, zone):
    """By their corrected date; corrections, retractions and merges apply whatever their own date."""
    read = effective(events)
    counted = [e for e in events if type(e) in CONTROL or local_day(read.get(e.id, e), zone) <= as_of]
    assert document(events, as_of, zone) == document(counted, as_of, zone)


@FAST
@given(events=logs(max_events=30), later=logs(max_events=20), as_of=as_of_dates, zone=st.sampled_from(ZONES))
def test_adding_events_dated_after_as_of_changes_nothing(events, later, as_of, zone):
    before = [e for e in events if local_day(e, zone) <= as_of]
    # the same kinds of event, given fresh ids and pushed to after as_of (by up to two years)
    after_as_of = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), ZoneInfo(zone))
    later = [e for e in later if type(e) not in CONTROL]  # those apply whatever their date
    first = min(e.at for e in later)
    shifted = []
    for event in later:
        when = after_as_of + (event.at - first)
        shifted.append(msgspec.structs.replace(event, id="later-" + event.id, at=when.astimezone(event.at.tzinfo)))
    assert all(local_day(e, zone) > as_of for e in shifted)
    assert document(before + shifted, as_of, zone) == document(before, as_of, zone)


@FAST
@given(events=logs(), later=logs(max_events=20), as_of=as_of_dates)
def test_with_the_log_own_time_zone_later_events_change_nothing(events, later, as_of):
    """The same with no --tz: the zone comes from the log (set in its first days, so it is the same zone
    whatever as_of is). Later events here carry no time zone setting: see test_rules for those. Two days
    after as_of in UTC is after as_of in every zone (UTC-12 to UTC+14)."""
    zones = [e.data.timezone for e in events if type(e) is SettingsChanged and e.data.timezone is not msgspec.UNSET]
    zone = zones[-1] if zones else "UTC"
    if as_of < dt.date(2025, 1, 4):
        as_of = dt.date(2025, 1, 4)  # after the zone setting, in any zone
    before = [e for e in events if local_day(e, zone) <= as_of]
    after_as_of = dt.datetime.combine(as_of + dt.timedelta(days=2), dt.time(), dt.timezone.utc)
    later = [e for e in later if type(e) not in CONTROL]  # those apply whatever their date
    first = min(e.at for e in later)
    shifted = [msgspec.structs.replace(e, id="later-" + e.id, at=(after_as_of + (e.at - first)).astimezone(e.at.tzinfo))
               for e in later if type(e) is not SettingsChanged or e.data.timezone is msgspec.UNSET]
    assert document(before + shifted, as_of, None) == document(before, as_of, None)


# --- (b'') corrections and retractions are what they say -------------------------------------------


def without_changes(events, as_of: dt.date, zone: str | None) -> bytes:
    """The replay document and every history, but for the histories' list of changes (which says, precisely,
    that a correction or a retraction was made)."""
    projection = project(events, as_of, zone)
    histories = [contact_history(projection, c) for c in sorted(projection.facts.contacts)]
    for history in histories:
        del history["changes"]
    return msgspec.json.encode([replay_document(projection), histories])


@FAST
@given(events=logs(), as_of=as_of_dates, zone=st.none() | st.sampled_from(ZONES), pick=st.integers(0, 10**6),
       when=st.integers(0, SPAN_MINUTES))
def test_retracting_an_event_is_the_log_without_it(events, as_of, zone, pick, when):
    """Any event but a retraction (retracting a retraction does nothing)."""
    candidates = [e for e in events if type(e) is not EventRetracted]
    assume(candidates)
    target = candidates[pick % len(candidates)]
    retraction = make(999, "event_retracted", {"event": target.id}, when, "+00:00")
    without = [e for e in events if e.id != target.id]
    assert without_changes(events + [retraction], as_of, zone) == without_changes(without, as_of, zone)


@FAST
@given(events=logs(), as_of=as_of_dates, zone=st.none() | st.sampled_from(ZONES), pick=st.integers(0, 10**6),
       data=st.data())
def test_a_correction_is_the_log_with_the_event_replaced(events, as_of, zone, pick, data):
    """A correction of an event that is not itself a correction, retraction or merge, nor corrected by another
    (the latest correction applies, and in the log with the event replaced, another would apply to it)."""
    corrected = {e.data.event for e in events if type(e) is EventCorrected}
    candidates = [e for e in events if type(e) not in CONTROL and e.id not in corrected]
    assume(candidates)
    target = candidates[pick % len(candidates)]
    body_data = correction_of(target, events, data.draw)
    correction = make(999, "event_corrected", body_data, 6 * 365 * 24 * 60, "+00:00")  # in 2031
    at = correction.data.at if correction.data.at is not None else target.at
    try:
        replaced = msgspec.convert({**msgspec.to_builtins(target), "at": at.isoformat(), "data": body_data["data"]},
                                   type(target), strict=False)
    except msgspec.ValidationError:
        replaced = None  # not valid for its type: the correction does nothing
    swapped = events if replaced is None else [replaced if e.id == target.id else e for e in events]
    assert without_changes(events + [correction], as_of, zone) == without_changes(swapped, as_of, zone)


# --- (b') one obligation per id -------------------------------------------------------------------


def _dense_touches(draw_minutes: list[int], cadence: int) -> list:
    """A contact met once, then touched (ideas shared) on many nearby days: short cycles and touches on
    every side of each cycle's early window."""
    events = [make(0, "contact_added", {"contact": "c1", "name": "C1", "cadence_days": cadence}, 0, "+00:00"),
              make(1, "meeting_logged", {"meeting": "m1", "contacts": ["c1"]}, 60, "+00:00")]
    events += [make(10 + i, "idea_shared", {"contact": "c1"}, 60 + minutes, "+00:00")
               for i, minutes in enumerate(draw_minutes)]
    return events


@FAST
@given(events=logs(), as_of=as_of_dates, zone=st.none() | st.sampled_from(ZONES))
def test_no_obligation_id_appears_twice(events, as_of, zone):
    ids = [o.id for o in project(events, as_of, zone).obligations]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@FAST
@given(minutes=st.lists(st.integers(0, 120 * 24 * 60), min_size=1, max_size=40),
       cadence=st.sampled_from([1, 2, 3, 7, 13, 14, 15, 30]), days=st.integers(0, 150))
def test_no_nurture_cycle_id_appears_twice_with_short_cadences(minutes, cadence, days):
    """With a weekly cadence and a 7-day early window, a touch on due−7 started a cycle due on the same
    day, under the same id (DESIGN.md §2, 2026-12): w = min(7, ⌊cadence/2⌋) rules it out."""
    projection = project(_dense_touches(minutes, cadence), START.date() + dt.timedelta(days=days), "UTC")
    ids = [o.id for o in projection.obligations]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# --- (c) the wire format round trip ----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(events=logs(max_events=15))
def test_decoding_an_encoded_event_gives_it_back(events):
    for event in events:
        again = decode_event(encode_event(event))
        assert again == event
        assert again.at.utcoffset() == event.at.utcoffset()
        assert encode_event(again) == encode_event(event)
