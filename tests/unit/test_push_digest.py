"""The digest's text and payload: every rule in both languages, the most urgent first, the events the
notification's actions record, and the push size limit whatever the names."""

from __future__ import annotations

import datetime as dt
import itertools

import msgspec

from events import decode_event, project
from server.push.digest import build_digest, confirmation_message
from server.push.sender import MAX_PAYLOAD_BYTES

_ids = itertools.count(1)


def event(kind: str, at: str, **data):
    return decode_event(msgspec.json.encode({"id": f"e{next(_ids):04d}", "type": kind, "v": 1, "at": at, "data": data}))


def every_rule_log() -> list:
    """On 5 December 2026 in Paris: a nurture overdue, greetings due, a thank-you overdue, a report due,
    announcements overdue."""
    return [
        event("settings_changed", "2026-01-01T00:00:00+01:00", timezone="Europe/Paris"),
        event("contact_added", "2026-08-01T09:00:00+02:00", contact="c-herve", name="Hervé Martin"),
        event("contact_added", "2026-08-01T09:00:00+02:00", contact="c-paul", name="Paul Lemaire"),
        event("contact_added", "2026-08-01T09:00:00+02:00", contact="c-anne", name="Anne Leroy"),
        event("meeting_logged", "2026-08-20T10:00:00+02:00", meeting="m-old", contacts=["c-anne"]),
        event("thanks_sent", "2026-08-21T10:00:00+02:00", contact="c-anne", meeting="m-old", channel="email"),
        event("meeting_logged", "2026-12-01T10:00:00+01:00", meeting="m-herve", contacts=["c-herve"]),
        event("referral_given", "2026-12-01T10:30:00+01:00", referral="r-paul", introducer="c-herve", referred="c-paul"),
        event("meeting_logged", "2026-12-03T10:00:00+01:00", meeting="m-paul", contacts=["c-paul"]),
        event("job_found", "2026-12-04T10:00:00+01:00"),
    ]


def payload(digest) -> dict:
    return msgspec.json.decode(digest.payload)


def test_the_digest_counts_everything_and_names_the_most_urgent_first():
    digest = build_digest(project(every_rule_log(), dt.date(2026, 12, 5)), "en")
    assert digest.count == 10 and digest.day == dt.date(2026, 12, 5)
    assert digest.text == ("10 follow-ups today: keep in touch with Anne Leroy, thank Hervé Martin, "
                           "tell Anne Leroy about your new job, and 7 more")
    message = payload(digest)
    assert message["obligation"] == "nurture:c-anne:2026-11-19"
    assert message["done"] == {"type": "idea_shared", "data": {"contact": "c-anne"}}
    assert [a["title"] for a in message["actions"]] == ["Anne Leroy: done", "Anne Leroy: tomorrow"]
    assert message["timezone"] == "Europe/Paris"


def test_in_french():
    digest = build_digest(project(every_rule_log(), dt.date(2026, 12, 5)), "fr")
    assert digest.text == ("10 relances aujourd’hui\u00a0: garder le contact avec Anne Leroy, remercier Hervé Martin, "
                           "annoncer votre nouveau poste à Anne Leroy, et 7 autres")


def test_each_rule_has_its_words_and_its_done_event():
    projection = project(every_rule_log(), dt.date(2026, 12, 5))
    from server.push.digest import STRINGS, fulfilment, label

    mine = {o.id: o for o in projection.obligations if o.status in ("due", "overdue")}
    words = STRINGS["en"]
    assert label(mine["report:r-paul"], projection, words) == "tell Hervé Martin how it went with Paul Lemaire"
    assert label(mine["greetings:2026:c-paul"], projection, words) == "send Paul Lemaire season's greetings"
    assert fulfilment(mine["thank:m-herve:c-herve"], projection) == {
        "type": "thanks_sent", "data": {"contact": "c-herve", "meeting": "m-herve", "channel": "email"}}
    assert fulfilment(mine["report:r-paul"], projection) == {
        "type": "introducer_informed", "data": {"referral": "r-paul", "channel": "email"}}
    (announce,) = [o for o in mine.values() if o.rule == "announce" and o.creditor == "c-paul"]
    assert fulfilment(announce, projection) == {"type": "job_announced", "data": {"contact": "c-paul", "channel": "call"}}
    assert fulfilment(mine["greetings:2026:c-anne"], projection) == {
        "type": "greetings_sent", "data": {"contacts": ["c-anne"], "channel": "email"}}


def test_done_uses_the_channel_last_used_for_that_kind_of_follow_up():
    from server.push.digest import fulfilment

    log = every_rule_log() + [event("meeting_logged", "2026-11-30T10:00:00+01:00", meeting="m-x", contacts=["c-paul"]),
                              event("thanks_sent", "2026-12-01T09:00:00+01:00", contact="c-paul", meeting="m-x",
                                    channel="letter")]
    projection = project(log, dt.date(2026, 12, 5))
    (thank,) = [o for o in projection.obligations if o.id == "thank:m-herve:c-herve"]
    assert fulfilment(thank, projection)["data"]["channel"] == "letter"


def test_one_follow_up_reads_in_the_singular_with_plain_actions():
    log = every_rule_log()[:4] + [event("meeting_logged", "2026-11-19T10:00:00+01:00", meeting="m1", contacts=["c-paul"])]
    digest = build_digest(project(log, dt.date(2026, 11, 20)), "en")
    assert digest.text == "1 follow-up today: thank Paul Lemaire"
    assert [a["title"] for a in payload(digest)["actions"]] == ["Done", "Snooze a day"]


def test_nothing_due_is_no_digest():
    assert build_digest(project(every_rule_log()[:4], dt.date(2026, 12, 5)), "en") is None


def test_long_names_and_ids_stay_within_the_push_size_limit():
    name = "Ω" * 200  # two bytes each, the longest name the log accepts
    log = [event("settings_changed", "2026-01-01T00:00:00+00:00", timezone="UTC")]
    for n in range(60):
        contact = f"c{n:02d}" + "x" * 61
        log.append(event("contact_added", "2026-11-01T09:00:00+00:00", contact=contact, name=name))
        log.append(event("meeting_logged", "2026-11-02T09:00:00+00:00", meeting="m" * 60 + f"{n:04d}", contacts=[contact]))
    digest = build_digest(project(log, dt.date(2026, 11, 27)), "fr")
    assert digest.count == 60 and len(digest.payload) <= MAX_PAYLOAD_BYTES
    assert digest.text.startswith("60 relances aujourd’hui\u00a0: remercier " + "Ω" * 39 + "…")


def test_the_test_notification_says_when_the_digest_comes():
    assert msgspec.json.decode(confirmation_message("en", 8))["body"] == (
        "Reminders work on this device. Your digest comes at 08:00 on days something is due.")
