"""A line nested deeper than the JSON decoder goes is a bad line like any other: an EventError naming it, never a
RecursionError escaping to a 500 or a traceback (issue 10, point 6)."""

from __future__ import annotations

import json
import subprocess

import pytest

from events import EventError, LogError, decode_event, iter_log, read_log

from .test_cli import MERCI

DEPTH = 100_000
VALID = json.dumps({"id": "e1", "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:30:00+02:00",
                    "data": {"meeting": "m1", "contacts": ["c-herve"]}})
NESTED = {
    "a bare array": "[" * DEPTH + "]" * DEPTH,
    "an object": '{"a":' * DEPTH + "1" + "}" * DEPTH,
    "a field before the type": '{"x":' + "[" * DEPTH + "]" * DEPTH + ', "type": "meeting_logged", "v": 1}',
    "the data of an event": VALID.replace('"data": {', '"data": {"deep": ' + "[" * DEPTH + "]" * DEPTH + ", ", 1),
}


@pytest.mark.parametrize("line", NESTED.values(), ids=NESTED.keys())
def test_a_line_nested_too_deeply_is_an_event_error(line):
    with pytest.raises(EventError):
        decode_event(line)
    with pytest.raises(EventError):
        decode_event(line.encode())


@pytest.mark.parametrize("line", NESTED.values(), ids=NESTED.keys())
def test_a_log_with_a_line_nested_too_deeply_names_that_line(line):
    content = "\n".join([VALID, "", line]).encode()
    for read in (read_log, lambda c: list(iter_log(c.split(b"\n")))):
        with pytest.raises(LogError) as caught:
            read(content)
        assert caught.value.line == 3


def test_merci_replay_reports_the_line_and_prints_no_traceback(tmp_path):
    path = tmp_path / "deep.ndjson"
    path.write_text(VALID + "\n" + NESTED["a bare array"] + "\n")
    done = subprocess.run([str(MERCI), "replay", str(path), "--as-of", "2026-05-20"], capture_output=True, timeout=60)
    assert done.returncode == 3
    assert b"Traceback" not in done.stderr
    assert b"line 2" in done.stderr and b"nested too deeply" in done.stderr
