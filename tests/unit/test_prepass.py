"""Corrections, retractions and merges as behaviour (events.prepass; docs/rules.md "The pre-pass"): what the
vectors leave implicit — a merged contact's record, the history of a merged-away id, the changes a history
lists and their dates, settings read through the pre-pass."""

from __future__ import annotations

import datetime as dt

from events import project
from events.prepass import merged_obligation_id
from server.cli import main

from .logbook import Log


def merged_log() -> Log:
    log = Log()
    log.contact_added("2026-05-01", contact="c-herve", name="Hervé", org="BPI")
    log.meeting_logged("2026-05-04", meeting="m1", contacts=["c-herve"])
    log.contact_added("2026-05-06", contact="c-herve-2", name="Herve D.", email="herve@example.org", org="Other",
                      tags=["fintech"])
    log.meeting_logged("2026-05-11", meeting="m2", contacts=["c-herve-2"])
    log.add("contacts_merged", "2026-05-20", id="merge", **{"from": "c-herve-2", "into": "c-herve"})
    log.contact_updated("2026-05-25", contact="c-herve-2", name="Someone else")  # after the merge: no rename
    return log


def test_into_keeps_its_own_record_and_takes_only_what_it_lacks():
    history = merged_log().history("c-herve", "2026-05-31")
    assert history["name"] == "Hervé"
    assert history["fields"] == {"name": "Hervé", "org": "BPI", "email": "herve@example.org", "tags": ["fintech"]}


def test_the_merged_away_contact_is_gone_from_the_scores_and_its_history_is_the_merged_one():
    log = merged_log()
    assert set(log.replay("2026-05-31")["scores"]) == {"c-herve"}
    history = log.history("c-herve-2", "2026-05-31")
    assert history["contact"] == "c-herve"
    assert [e["id"] for e in history["events"]] == ["e001", "e002", "e003", "e004", "merge", "e006"]
    assert [o["id"] for o in history["obligations"]] == ["thank:m1:c-herve", "thank:m2:c-herve"]


def test_archiving_the_merged_away_record_does_not_archive_the_person():
    log = merged_log()
    log.contact_archived("2026-05-07", contact="c-herve-2")
    assert log.history("c-herve", "2026-05-31")["archived"] is None


def test_a_history_lists_the_corrections_and_retractions_that_touched_the_contact_with_their_dates():
    log = Log()
    log.meeting_logged("2026-05-12", id="meeting", meeting="m1", contacts=["c-anne"])
    log.thanks_sent("2026-05-13", id="thanks", contact="c-anne", channel="email", meeting="m1")
    log.meeting_logged("2026-05-14", id="other", meeting="m2", contacts=["c-paul"])
    log.event_corrected("2026-06-02", id="fix", event="meeting", at="2026-05-11T10:00:00+00:00",
                        data={"meeting": "m1", "contacts": ["c-anne"]})
    log.event_retracted("2026-06-03", id="undo", event="thanks")
    log.event_corrected("2026-06-04", id="move", event="other", data={"meeting": "m2", "contacts": ["c-anne"]})
    log.event_retracted("2026-06-05", id="undo-move", event="move")
    changes = log.history("c-anne", "2026-05-31")["changes"]  # corrected after as_of: the record shown is changed
    assert changes == [
        {"date": "2026-06-02", "change": "corrected", "by": "fix", "event": "meeting", "type": "meeting_logged"},
        {"date": "2026-06-03", "change": "retracted", "by": "undo", "event": "thanks", "type": "thanks_sent"},
        {"date": "2026-06-05", "change": "retracted", "by": "undo-move", "event": "move", "type": "event_corrected"},
    ]
    assert log.history("c-paul", "2026-05-31")["changes"] == [changes[2]]
    assert log.obligations("2026-05-31")["thank:m1:c-anne"]["due"] == "2026-05-12"


def test_retracting_a_merge_shows_in_both_histories():
    log = merged_log()
    log.event_retracted("2026-05-28", id="split", event="merge")
    for contact in ("c-herve", "c-herve-2"):
        assert log.history(contact, "2026-05-31")["changes"] == [
            {"date": "2026-05-28", "change": "retracted", "by": "split", "event": "merge", "type": "contacts_merged"}]
    assert log.history("c-herve-2", "2026-05-31")["name"] == "Someone else"


def test_a_retracted_time_zone_setting_does_not_date_the_log():
    log = Log()
    log.settings_changed("2026-05-01", id="paris", timezone="Europe/Paris")
    log.settings_changed("2026-05-02", id="tokyo", timezone="Asia/Tokyo")
    log.event_retracted("2026-05-03", event="tokyo")
    assert project(log.events, dt.date(2026, 5, 31)).timezone == "Europe/Paris"


def test_an_obligation_id_names_its_contact_in_the_rule_own_place():
    merged = {"a": "b"}
    assert merged_obligation_id("thank:m1:a", merged) == "thank:m1:b"
    assert merged_obligation_id("announce:job-1:a", merged) == "announce:job-1:b"
    assert merged_obligation_id("greetings:2026:a", merged) == "greetings:2026:b"
    assert merged_obligation_id("nurture:a:2026-08-01", merged) == "nurture:b:2026-08-01"
    assert merged_obligation_id("report:a", merged) == "report:a"
    assert merged_obligation_id("thank:a:m1", merged) == "thank:a:m1"  # a meeting called `a` is no contact


def test_merci_history_says_corrected_on_and_retracted_on(tmp_path, capsys):
    path = tmp_path / "log.ndjson"
    log = Log()
    log.meeting_logged("2026-05-12", id="meeting", meeting="m1", contacts=["c-anne"])
    log.thanks_sent("2026-05-13", id="thanks", contact="c-anne", channel="email", meeting="m1")
    log.event_corrected("2026-05-20", id="fix", event="meeting", data={"meeting": "m1", "contacts": ["c-anne"],
                                                                        "place": "Café"})
    log.event_retracted("2026-05-21", id="undo", event="thanks")
    from events import encode_event

    path.write_bytes(b"\n".join(encode_event(e) for e in log.events) + b"\n")
    assert main(["history", str(path), "c-anne", "--as-of", "2026-05-31"]) == 0
    out = capsys.readouterr().out
    assert "meeting_logged meeting corrected on 2026-05-20 (by fix)" in out
    assert "thanks_sent thanks retracted on 2026-05-21 (by undo)" in out
