"""`merci replay` and `merci history` as a person runs them: the real console script, real files, stdin."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli import main

MERCI = Path(sys.executable).with_name("merci")
OBLIGATION_KEYS = {"id", "rule", "debtor", "creditor", "due", "status", "grade", "done_on", "snoozed_until",
                   "trigger"}


def ev(id_: str, type_: str, at: str, **data) -> dict:
    return {"id": id_, "type": type_, "v": 1, "at": at, "data": data}


# Paris, spring 2026, replayed as of 2026-06-01:
#   m1 Hervé received me 05-12, thanked 05-13: thank done on time; he gave me Anne's name (r1)
#   m2 I received Anne 05-20 (she met me through r1: report O = 05-20, due..05-27 on time, overdue by 06-01)
#   m3 Marc received me 05-30: thank due 05-31, overdue on 06-01
#   m4 Paul and Zoé received me 05-31: thanks due 06-01, due
#   m5 Léa received me 06-01: thank due 06-02, upcoming
LOG = [
    ev("e01", "settings_changed", "2026-05-01T09:00:00+02:00", timezone="Europe/Paris"),
    ev("e02", "contact_added", "2026-05-10T09:00:00+02:00", contact="c-herve", name="Hervé"),
    ev("e03", "meeting_logged", "2026-05-12T10:00:00+02:00", meeting="m1", contacts=["c-herve"]),
    ev("e04", "referral_given", "2026-05-12T11:00:00+02:00", referral="r1", introducer="c-herve", referred="c-anne"),
    ev("e05", "thanks_sent", "2026-05-13T09:00:00+02:00", contact="c-herve", meeting="m1", channel="email"),
    ev("e06", "contact_added", "2026-05-14T09:00:00+02:00", contact="c-anne", name="Anne"),
    ev("e07", "meeting_logged", "2026-05-20T15:00:00+02:00", meeting="m2", contacts=["c-anne"], host="me"),
    ev("e08", "meeting_logged", "2026-05-30T10:00:00+02:00", meeting="m3", contacts=["c-marc"]),
    ev("e09", "meeting_logged", "2026-05-31T10:00:00+02:00", meeting="m4", contacts=["c-zoe", "c-paul"]),
    ev("e10", "meeting_logged", "2026-06-01T10:00:00+02:00", meeting="m5", contacts=["c-lea"]),
    ev("e11", "meeting_logged", "2026-06-03T10:00:00+02:00", meeting="m6", contacts=["c-herve"]),  # after as_of
]
AS_OF = "2026-06-01"


def write_log(folder: Path, events: list[dict], name: str = "log.ndjson") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    return path


@pytest.fixture
def log(tmp_path) -> Path:
    return write_log(tmp_path, LOG)


def merci(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(MERCI), *map(str, args)], input=stdin, capture_output=True, timeout=60)


def replay_json(capsys, *args) -> dict:
    assert main(["replay", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# --- replay --json --------------------------------------------------------------------------------


def test_replay_json_has_the_documented_shape(log, capsys):
    doc = replay_json(capsys, log, "--as-of", AS_OF)
    assert set(doc) == {"as_of", "timezone", "obligations", "scores", "overall"}
    assert doc["as_of"] == AS_OF and doc["timezone"] == "Europe/Paris"
    assert doc["obligations"], "the log owes things"
    for obligation in doc["obligations"]:
        assert set(obligation) == OBLIGATION_KEYS
    assert set(doc["overall"]) == {"owed_by_me", "owed_to_me"}
    for sides in doc["scores"].values():
        assert set(sides) == {"owed_by_me", "owed_to_me"}


def test_replay_json_says_what_is_owed_as_of_that_day(log, capsys):
    doc = replay_json(capsys, log, "--as-of", AS_OF)
    got = {o["id"]: o for o in doc["obligations"]}
    assert got["thank:m1:c-herve"] | {"trigger": None} == {
        "id": "thank:m1:c-herve", "rule": "thank", "debtor": "me", "creditor": "c-herve", "due": "2026-05-13",
        "status": "done", "grade": "on_time", "done_on": "2026-05-13", "snoozed_until": None, "trigger": None}
    assert got["thank:m1:c-herve"]["trigger"] == "e03"
    assert (got["thank:m2:c-anne"]["debtor"], got["thank:m2:c-anne"]["creditor"]) == ("c-anne", "me")
    assert got["thank:m2:c-anne"]["status"] == "overdue"
    assert got["report:r1"]["due"] == "2026-05-20" and got["report:r1"]["status"] == "overdue"
    assert got["thank:m3:c-marc"]["status"] == "overdue"
    assert got["thank:m4:c-paul"]["status"] == got["thank:m4:c-zoe"]["status"] == "due"
    assert got["thank:m5:c-lea"]["status"] == "upcoming"
    assert "thank:m6:c-herve" not in got  # dated after as_of
    # scores: by me, 1 on time of (1 done + report + m3 + nothing else counted); to me: 0 of 1 overdue
    assert doc["overall"] == {"owed_by_me": pytest.approx(1 / 3), "owed_to_me": 0.0}
    assert doc["scores"]["c-herve"] == {"owed_by_me": 0.5, "owed_to_me": None}
    assert doc["scores"]["c-anne"] == {"owed_by_me": None, "owed_to_me": 0.0}
    assert doc["scores"]["c-lea"] == {"owed_by_me": None, "owed_to_me": None}


def test_replay_json_sorts_obligations_by_due_then_id(log, capsys):
    doc = replay_json(capsys, log, "--as-of", AS_OF)
    keys = [(o["due"], o["id"]) for o in doc["obligations"]]
    assert keys == sorted(keys)
    # m4 lists Zoé before Paul; sorted by id, Paul comes first on the same due date
    ids = [o["id"] for o in doc["obligations"]]
    assert ids.index("thank:m4:c-paul") < ids.index("thank:m4:c-zoe")
    # report:r1 (due 05-20) comes before thank:m2 (due 05-21) though logged after it
    assert ids.index("report:r1") < ids.index("thank:m2:c-anne")


def test_replay_json_does_not_depend_on_the_order_of_lines(tmp_path, capsys):
    forward = replay_json(capsys, write_log(tmp_path, LOG, "a.ndjson"), "--as-of", AS_OF)
    backward = replay_json(capsys, write_log(tmp_path, LOG[::-1], "b.ndjson"), "--as-of", AS_OF)
    assert forward == backward


def test_tz_overrides_the_log_time_zone(tmp_path, capsys):
    # 00:30 in Paris on May 13 is still May 12 in New York: the thank is due a day earlier there
    events = [*LOG[:2], ev("x1", "meeting_logged", "2026-05-13T00:30:00+02:00", meeting="mx", contacts=["c-herve"])]
    path = write_log(tmp_path, events)
    paris = replay_json(capsys, path, "--as-of", AS_OF)
    new_york = replay_json(capsys, path, "--as-of", AS_OF, "--tz", "America/New_York")
    assert paris["timezone"] == "Europe/Paris" and new_york["timezone"] == "America/New_York"
    due = {doc["timezone"]: {o["id"]: o["due"] for o in doc["obligations"]}["thank:mx:c-herve"]
           for doc in (paris, new_york)}
    assert due == {"Europe/Paris": "2026-05-14", "America/New_York": "2026-05-13"}


def test_a_log_without_a_time_zone_is_replayed_in_utc(tmp_path, capsys):
    path = write_log(tmp_path, LOG[1:3])
    assert replay_json(capsys, path, "--as-of", AS_OF)["timezone"] == "UTC"


NOON_UTC_JUNE_3 = dt.datetime(2026, 6, 3, 12, 0, tzinfo=dt.UTC)
"""June 3 in Paris (14:00), already June 4 in Kiritimati (02:00, UTC+14)."""


def test_as_of_defaults_to_today_in_the_log_time_zone(log, capsys):
    assert main(["replay", str(log), "--json"], now=lambda: NOON_UTC_JUNE_3) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == "2026-06-03"
    assert "thank:m6:c-herve" in {o["id"] for o in doc["obligations"]}  # m6, on June 3, counts


def test_as_of_defaults_to_today_in_the_tz_given(log, capsys):
    assert main(["replay", str(log), "--json", "--tz", "Pacific/Kiritimati"], now=lambda: NOON_UTC_JUNE_3) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2026-06-04"


def test_replay_reads_the_log_from_stdin_with_a_dash(log, capsys):
    done = merci("replay", "-", "--as-of", AS_OF, "--json", stdin=log.read_bytes())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == replay_json(capsys, log, "--as-of", AS_OF)


def test_replay_json_is_utf8_json_with_names_kept(tmp_path):
    path = write_log(tmp_path, [ev("a", "meeting_logged", "2026-05-12T10:00:00Z", meeting="m", contacts=["c-hervé"])])
    done = merci("replay", path, "--as-of", AS_OF, "--json")
    assert done.returncode == 0
    assert "thank:m:c-hervé" in done.stdout.decode("utf-8")


# --- replay as a table ----------------------------------------------------------------------------


def test_replay_table_groups_overdue_first_then_due_upcoming_done(log, capsys):
    assert main(["replay", str(log), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Merci replay as of 2026-06-01 (Europe/Paris)")
    headers = [line for line in out.splitlines() if line and line.split(" (")[0].isupper() and "(" in line]
    assert headers == ["OVERDUE (3)", "DUE (2)", "UPCOMING (1)", "DONE (1)"]
    overdue = out.split("OVERDUE (3)")[1].split("DUE (2)")[0]
    assert "[thank:m3:c-marc]" in overdue and "[report:r1]" in overdue and "[thank:m2:c-anne]" in overdue
    assert "Anne → me" in overdue and "me → Hervé" in overdue  # names, not ids, once a contact is added
    done = out.split("DONE (1)")[1]
    assert "on_time on 2026-05-13" in done
    assert "overall" in out and "33%" in out


def test_replay_table_shows_snoozed_with_its_date(tmp_path, capsys):
    events = [*LOG, ev("s1", "obligation_snoozed", "2026-05-31T12:00:00+02:00", obligation="thank:m3:c-marc",
                       until="2026-06-05")]
    assert main(["replay", str(write_log(tmp_path, events)), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "SNOOZED (1)" in out and "until 2026-06-05" in out and "OVERDUE (2)" in out


# --- history --------------------------------------------------------------------------------------


def test_history_json_shows_one_relationship_both_ways(log, capsys):
    assert main(["history", str(log), "c-anne", "--as-of", AS_OF, "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert history["contact"] == "c-anne" and history["name"] == "Anne" and history["archived"] is None
    # the referral names her as the referred person: it is part of her story, before she was even added
    assert [e["id"] for e in history["events"]] == ["e04", "e06", "e07"]
    assert [e["date"] for e in history["events"]] == ["2026-05-12", "2026-05-14", "2026-05-20"]
    assert {o["id"] for o in history["obligations"]} == {"thank:m2:c-anne"}
    assert history["scores"] == {"owed_by_me": None, "owed_to_me": 0.0}


def test_history_text_has_timeline_and_obligations(log, capsys):
    assert main(["history", str(log), "c-herve", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Hervé [c-herve]")
    assert "Timeline" in out and "Obligations" in out
    assert "2026-05-12  meeting_logged" in out and "2026-05-13  thanks_sent" in out
    assert "2026-06-03" not in out  # m6 is after as_of
    assert "on_time on 2026-05-13" in out
    assert "owed by me 50%" in out


def test_history_of_an_unknown_contact_is_an_error(log):
    done = merci("history", log, "c-nobody", "--as-of", AS_OF)
    assert done.returncode != 0
    assert b"c-nobody" in done.stderr and b"Traceback" not in done.stderr
    assert done.stdout == b""


VECTORS = Path(__file__).resolve().parents[1] / "vectors"


@pytest.mark.parametrize("name", ["paul", "PAUL", "Paul", "pa"])
def test_history_finds_a_contact_by_name_case_aside(name, capsys):
    assert main(["history", str(VECTORS / "seed-helper.ndjson"), name, "--as-of", "2026-11-30", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["contact"] == "c-paul"


# Three people whose name has a word starting with "paul"; accents in names and in what is typed.
NAMES = [
    ev("n1", "contact_added", "2026-05-10T09:00:00+02:00", contact="c-pm", name="Paul Martin", org="Atelier Éloi"),
    ev("n2", "contact_added", "2026-05-10T09:01:00+02:00", contact="c-pd", name="Paule Dupont"),
    ev("n3", "contact_added", "2026-05-10T09:02:00+02:00", contact="c-hp", name="Hervé Paulin"),
    ev("n4", "contact_added", "2026-05-10T09:03:00+02:00", contact="c-zl", name="Zoé Lemaire-Saint"),
    ev("n5", "meeting_logged", "2026-05-12T10:00:00+02:00", meeting="m1", contacts=["c-hp"]),
]


@pytest.mark.parametrize(("name", "contact"), [
    ("herve", "c-hp"), ("HERVÉ PAUL", "c-hp"), ("hérvé", "c-hp"),  # accents and case aside, either way
    ("saint", "c-zl"), ("zoe lem", "c-zl"),  # any word of the name (a hyphen splits words)
    ("eloi", "c-pm"),  # a word of the organisation, as the app's search
    ("paul martin", "c-pm"), ("Paule", "c-pd"),  # the whole name wins over those it only starts
    ("c-pd", "c-pd"),  # an id as it is
])
def test_history_finds_a_name_accents_and_case_aside(tmp_path, capsys, name, contact):
    path = write_log(tmp_path, NAMES)
    assert main(["history", str(path), name, "--as-of", AS_OF, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["contact"] == contact


def test_an_ambiguous_name_exits_2_and_lists_the_matches(tmp_path):
    path = write_log(tmp_path, NAMES)
    done = merci("history", path, "paul", "--as-of", AS_OF)
    assert done.returncode == 2 and done.stdout == b""
    message = done.stderr.decode()
    assert "'paul' matches 3 contacts" in message
    for line in ("Hervé Paulin [c-hp]", "Paul Martin [c-pm]", "Paule Dupont [c-pd]"):
        assert line in message
    assert "Zoé" not in message and "Traceback" not in message


def test_a_name_nobody_has_is_a_clear_error_naming_it(tmp_path):
    path = write_log(tmp_path, NAMES)
    message = failed(merci("history", path, "Mathilde", "--as-of", AS_OF))
    assert "'Mathilde'" in message and "no contact" in message and str(path) in message


def test_history_reads_stdin_too(log):
    done = merci("history", "-", "c-herve", "--as-of", AS_OF, "--json", stdin=log.read_bytes())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["contact"] == "c-herve"


# --- every error: one clear line, a non-zero exit, no traceback ------------------------------------


def failed(done: subprocess.CompletedProcess) -> str:
    assert done.returncode != 0
    assert b"Traceback" not in done.stderr
    assert done.stdout == b""
    return done.stderr.decode()


def test_a_missing_file_is_a_clear_error(tmp_path):
    message = failed(merci("replay", tmp_path / "nope.ndjson", "--as-of", AS_OF))
    assert "nope.ndjson: no such file" in message


def test_a_folder_is_a_clear_error(tmp_path):
    message = failed(merci("replay", tmp_path, "--as-of", AS_OF))
    assert "is a folder" in message


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "01/06/2026", "2026-02-30"])
def test_a_bad_as_of_is_a_clear_error(log, bad):
    message = failed(merci("replay", log, "--as-of", bad))
    assert "--as-of" in message and bad in message


@pytest.mark.parametrize("bad", ["Mars/Olympus", "paris", "+02:00"])
def test_a_bad_tz_is_a_clear_error(log, bad):
    message = failed(merci("replay", log, "--as-of", AS_OF, "--tz", bad))
    assert "--tz" in message and "unknown time zone" in message


def test_a_malformed_line_is_named_by_its_number(tmp_path):
    lines = [json.dumps(e) for e in LOG[:5]]
    lines[2] = lines[2].replace('"host"', '"hots"').replace('"contacts"', '"contacts", "mood": 1, "x"')
    path = tmp_path / "bad.ndjson"
    path.write_text("\n".join(lines) + "\n")
    done = merci("replay", path, "--as-of", AS_OF, "--json")
    message = failed(done)
    assert done.returncode == 3
    assert "line 3" in message and "bad.ndjson" in message


@pytest.mark.parametrize(("line", "says"), [
    ("{not json", "not valid JSON"),
    ('{"id": "x", "type": "meeting_logged", "v": 2, "at": "2026-05-12T10:00:00Z", "data": {}}', "unsupported version"),
    ('{"id": "x", "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:00:00", '
     '"data": {"meeting": "m", "contacts": ["c"]}}', "UTC offset"),
    ("[1, 2]", "JSON object"),
])
def test_a_bad_line_on_stdin_is_named_by_its_number(line, says):
    content = "\n".join([json.dumps(LOG[0]), "", line]).encode()
    message = failed(merci("replay", "-", "--as-of", AS_OF, stdin=content))
    assert "line 3" in message and says in message


def test_history_reports_a_malformed_line_too(tmp_path):
    path = tmp_path / "bad.ndjson"
    path.write_text(json.dumps(LOG[0]) + "\n{\n")
    message = failed(merci("history", path, "c-herve", "--as-of", AS_OF))
    assert "line 2" in message


def test_a_missing_argument_is_a_usage_error():
    done = merci("replay")
    assert done.returncode == 2
    assert b"usage" in done.stderr and b"Traceback" not in done.stderr


def test_an_empty_log_replays_to_nothing(tmp_path, capsys):
    path = tmp_path / "empty.ndjson"
    path.write_bytes(b"")
    doc = replay_json(capsys, path, "--as-of", AS_OF)
    assert doc == {"as_of": AS_OF, "timezone": "UTC", "obligations": [], "scores": {},
                   "overall": {"owed_by_me": None, "owed_to_me": None}}


def test_a_log_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.ndjson"
    path.write_bytes((json.dumps(LOG[1], ensure_ascii=False) + "\n").encode("latin-1"))
    message = failed(merci("replay", path, "--as-of", AS_OF))
    assert "line 1" in message


def test_a_meeting_on_the_last_day_of_the_calendar_is_not_a_traceback(tmp_path):
    path = write_log(tmp_path, [ev("a", "meeting_logged", "9999-12-31T10:00:00+00:00", meeting="m", contacts=["c"])])
    done = merci("replay", path, "--as-of", "9999-12-31", "--tz", "UTC")
    assert b"Traceback" not in done.stderr


def test_an_event_before_year_1_in_utc_is_refused_or_replayed_not_a_traceback(tmp_path):
    path = write_log(tmp_path, [ev("a", "meeting_logged", "0001-01-01T00:00:00+05:00", meeting="m", contacts=["c"]),
                                ev("b", "meeting_logged", "2026-05-12T10:00:00+02:00", meeting="m2", contacts=["c"])])
    done = merci("replay", path, "--as-of", AS_OF, "--tz", "UTC")
    assert b"Traceback" not in done.stderr
