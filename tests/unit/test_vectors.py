"""The shared test vectors: every `NAME.ndjson` with its `NAME.expected.json`, replayed in-process and compared
exactly as ../shared/tools/check_scenarios.py compares the CLI's output (the JavaScript engine passes the same)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from events import project, read_log, replay_document

ROOT = Path(__file__).parents[2]
SHARED = ROOT.parent / "shared"
FIELDS = ("id", "rule", "debtor", "creditor", "due", "status", "grade", "done_on")
"""Compared for every expected obligation; any other key an expectation lists is compared too."""


def vectors() -> list:
    """tests/vectors/ (which holds copies of the shared scenarios), and ../shared/scenarios/ when it is beside
    the clone (CI has it; a plain `git clone` does not, and needs nothing from it)."""
    found = []
    for folder in (ROOT / "tests" / "vectors", SHARED / "scenarios"):
        for log in sorted(folder.glob("*.ndjson")) if folder.is_dir() else ():
            expected = log.with_name(log.name[: -len(".ndjson")] + ".expected.json")
            if expected.exists():
                found.append(pytest.param(log, expected, id=f"{folder.name}/{log.stem}"))
    return found


def close(got, want) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(float(got) - float(want)) < 1e-3


def differences(document: dict, expected: dict) -> list[str]:
    """What check_scenarios.py would complain about."""
    problems = []
    got = {o["id"]: o for o in document["obligations"]}
    want = {o["id"]: o for o in expected["obligations"]}
    for oid, w in want.items():
        g = got.get(oid)
        if g is None:
            problems.append(f"missing {oid}")
            continue
        for key in FIELDS + tuple(k for k in w if k not in FIELDS):
            if g.get(key) != w.get(key):
                problems.append(f"{oid}.{key}: got {g.get(key)!r}, want {w.get(key)!r}")
    problems += [f"unexpected {oid} ({got[oid]['status']})" for oid in got.keys() - want.keys()]
    for side, value in expected.get("overall", {}).items():
        if not close(document["overall"].get(side), value):
            problems.append(f"overall.{side}: got {document['overall'].get(side)!r}, want {value!r}")
    for contact, sides in expected.get("scores", {}).items():
        for side, value in sides.items():
            got_value = document["scores"].get(contact, {}).get(side)
            if not close(got_value, value):
                problems.append(f"scores.{contact}.{side}: got {got_value!r}, want {value!r}")
    return problems


VECTORS = vectors()


def test_there_are_vectors():
    assert len([v for v in VECTORS if v.id.startswith("vectors/")]) >= 60, "tests/vectors/ lost vectors"


@pytest.mark.skipif(not (SHARED / "scenarios").is_dir(), reason="../shared is not beside this clone (CI has it)")
def test_the_shared_scenarios_are_copied_in_tests_vectors_unchanged():
    for shared in (SHARED / "scenarios").iterdir():
        copy = ROOT / "tests" / "vectors" / shared.name
        assert copy.exists(), f"{shared.name} is not copied into tests/vectors/"
        assert copy.read_bytes() == shared.read_bytes(), f"tests/vectors/{shared.name} differs from ../shared's"


@pytest.mark.parametrize(("log", "expected_file"), VECTORS)
def test_vector(log: Path, expected_file: Path):
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    events = read_log(log.read_bytes())
    projection = project(events, dt.date.fromisoformat(expected["as_of"]), expected["timezone"])
    document = msgspec.to_builtins(replay_document(projection))
    assert document["as_of"] == expected["as_of"] and document["timezone"] == expected["timezone"]
    assert differences(document, expected) == []
    if expected.get("tz_from_log"):
        # the vector checks the log's own time zone too: replayed with no zone given, the same document
        own = msgspec.to_builtins(replay_document(project(events, dt.date.fromisoformat(expected["as_of"]))))
        assert own == document


def test_the_comparison_catches_a_wrong_answer():
    """The comparison itself can fail: a changed field, a missing or extra obligation, a wrong score."""
    expected = {"obligations": [{"id": "a", "rule": "thank", "debtor": "me", "creditor": "c", "due": "2026-01-02",
                                 "status": "done", "grade": "on_time", "done_on": "2026-01-02", "trigger": "e1"}],
                "overall": {"owed_by_me": 1.0, "owed_to_me": None}, "scores": {"c": {"owed_by_me": 1.0}}}
    right = {"obligations": [dict(expected["obligations"][0], snoozed_until=None)],
             "overall": {"owed_by_me": 1.0, "owed_to_me": None}, "scores": {"c": {"owed_by_me": 1.0, "owed_to_me": None}}}
    assert differences(right, expected) == []
    wrong_grade = json.loads(json.dumps(right))
    wrong_grade["obligations"][0]["grade"] = "late"
    assert differences(wrong_grade, expected) == ["a.grade: got 'late', want 'on_time'"]
    wrong_trigger = json.loads(json.dumps(right))
    wrong_trigger["obligations"][0]["trigger"] = "e2"
    assert differences(wrong_trigger, expected) == ["a.trigger: got 'e2', want 'e1'"]
    extra = json.loads(json.dumps(right))
    extra["obligations"].append(dict(right["obligations"][0], id="b"))
    assert differences(extra, expected) == ["unexpected b (done)"]
    assert differences(dict(right, obligations=[]), expected) == ["missing a"]
    assert differences(dict(right, overall={"owed_by_me": 0.5, "owed_to_me": None}), expected) == [
        "overall.owed_by_me: got 0.5, want 1.0"]
    assert differences(dict(right, scores={}), expected) == ["scores.c.owed_by_me: got None, want 1.0"]


@pytest.mark.skipif(not (SHARED / "tools" / "check_scenarios.py").exists(), reason="../shared is not here")
def test_check_scenarios_passes_against_the_cli():
    merci = Path(sys.executable).with_name("merci")
    if not merci.exists():
        merci = ROOT / ".venv" / "bin" / "merci"
    done = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "check_scenarios.py"), str(merci), str(SHARED / "scenarios")],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 failed" in done.stdout
