"""The post's story, told by `merci` (the real console script) from the two shared scenarios: `seed-mentee` (what I
owe: the man who asked for a second meeting) and `seed-helper` (what is owed to me: the mentor). Each broken rule
of the post must be named in what a person reads: the thank-you still owed after six months, the mentor never
told how the two meetings went, the two people met never thanked, and the brief to read before meeting again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MERCI = Path(sys.executable).with_name("merci")
VECTORS = Path(__file__).parents[1] / "vectors"
AS_OF = "2026-11-20"  # six months after the meeting of 2026-05-12


def merci(*args: str) -> str:
    done = subprocess.run([str(MERCI), *args], capture_output=True, timeout=60, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def section(text: str, heading: str) -> str:
    """The lines of `text` from `heading` up to the next blank line."""
    start = text.index(heading)
    end = text.find("\n\n", start)
    return text[start:end if end >= 0 else None]


def test_the_mentee_reads_what_to_make_good_before_meeting_herve_again():
    text = merci("history", str(VECTORS / "seed-mentee.ndjson"), "c-herve", "--as-of", AS_OF)
    brief = section(text, "Before you meet Hervé again:")
    # the thank-you, still owed after six months
    assert ("thank Hervé for the meeting of 2026-05-12 at Son bureau: STILL OWED since 2026-05-13 "
            "(191 days — 6 months)") in brief
    # the mentor never told how the two meetings went
    assert "tell Hervé how it went with Anne (met, known 2026-05-26): STILL OWED since 2026-05-26" in brief
    assert "tell Hervé how it went with Marc (met, known 2026-06-03): STILL OWED since 2026-06-03" in brief
    # the two people met, never thanked
    introduced = section(text, "  And the people Hervé introduced you to:")
    assert "thank Anne for the meeting of 2026-05-26: STILL OWED since 2026-05-27" in introduced
    assert "thank Marc for the meeting of 2026-06-03: STILL OWED since 2026-06-04" in introduced
    assert "Make good first (4 still open from me):" in brief
    # the counts, not only a rate
    assert "What I owe Hervé: 0 of 4 on time, 4 still owed" in text
    assert "  report    0 of 2 on time, 2 still owed" in text


def test_the_mentor_reads_what_to_raise_kindly_before_meeting_paul_again():
    text = merci("history", str(VECTORS / "seed-helper.ndjson"), "c-paul", "--as-of", AS_OF)
    brief = section(text, "Before you meet Paul again:")
    assert "To raise, kindly (3 still open from Paul):" in brief
    assert "Paul to thank me for the meeting of 2026-05-12: STILL OWED since 2026-05-13 (191 days — 6 months)" in brief
    assert "Paul to tell me how it went with Anne (met, known 2026-06-10): STILL OWED" in brief
    assert "Paul to tell me how it went with Marc (met, known 2026-06-15): STILL OWED" in brief
    # he learnt from his contacts that the meetings took place, not from Paul
    assert "2026-06-10  I learnt that Paul obtained a meeting with Anne" in text
    assert "2026-06-15  I learnt that Paul obtained a meeting with Marc" in text
    assert "What Paul owes me: 0 of 3 on time, 3 still owed" in text
    # the two people Paul met, never thanked as far as the mentor can tell: raised in the brief, told in the timeline
    for who, known in (("Anne", "2026-06-10"), ("Marc", "2026-06-15")):
        said = f"Paul met {who} through me (known {known}): did Paul thank {who}? Nothing tells me so"
        assert f"    - {said}" in brief
        assert f"  {known}  I learnt that Paul obtained a meeting with {who}\n" in text
        assert f"      ? {said}" in text
    # the JSON says the same, and the replay's --json document does not move
    story = json.loads(merci("history", str(VECTORS / "seed-helper.ndjson"), "c-paul", "--as-of", AS_OF, "--story"))
    assert [(n["seeker"], n["referred"]) for n in story["brief"]["unseen_thanks"]] == [("c-paul", "c-anne"),
                                                                                      ("c-paul", "c-marc")]
    document = json.loads(merci("replay", str(VECTORS / "seed-helper.ndjson"), "--as-of", AS_OF, "--json"))
    assert [o["id"] for o in document["obligations"]] == ["thank:m1:c-paul", "report:r1", "report:r2",
                                                          "nurture:c-paul:2026-08-10"]


def test_replay_as_text_tells_every_relationship_and_the_json_is_unchanged():
    log = str(VECTORS / "seed-mentee.ndjson")
    text = merci("replay", log, "--as-of", AS_OF, "--format", "text")
    assert "What I owe others: 0 of 8 on time, 8 still owed" in text
    for who in ("Anne", "Hervé", "Marc"):
        assert f"The story with {who} [" in text
    assert "thank Anne for the meeting of 2026-05-26: STILL OWED" in section(text, "Before you meet Anne again:")
    # the --json document does not move: the vector's expected document still matches, byte for byte as before
    document = json.loads(merci("replay", log, "--as-of", AS_OF, "--json"))
    assert list(document) == ["as_of", "timezone", "obligations", "scores", "overall"]
    assert list(document["obligations"][0]) == ["id", "rule", "debtor", "creditor", "due", "status", "grade",
                                                "done_on", "snoozed_until", "trigger"]


def test_story_json_for_one_relationship_and_the_network():
    log = str(VECTORS / "seed-mentee.ndjson")
    story = json.loads(merci("history", log, "c-herve", "--as-of", AS_OF, "--story"))
    assert story["brief"]["owed_by_me"] == ["thank:m1:c-herve", "report:r1", "report:r2", "nurture:c-herve:2026-08-10"]
    thank = next(o for o in story["obligations"] if o["id"] == "thank:m1:c-herve")
    assert (thank["kept"], thank["days_after_due"], thank["about"]["place"]) == ("still_owed", 191, "Son bureau")
    network = json.loads(merci("replay", log, "--as-of", AS_OF, "--story"))
    assert [p["name"] for p in network["people"]] == ["Anne", "Hervé", "Marc"]
    assert network["counts"]["owed_by_me"]["still_owed"] == 8
    assert network["months"][0] == {"month": "2026-05", "owed_by_me": {"on_time": 0, "counted": 3},
                                    "owed_to_me": {"on_time": 0, "counted": 0}}


def test_story_and_json_together_are_a_usage_error():
    done = subprocess.run([str(MERCI), "replay", str(VECTORS / "seed-mentee.ndjson"), "--json", "--story"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "not allowed with argument --json" in done.stderr
