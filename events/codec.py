"""Decoding and encoding events: strict, fast, with errors a person can act on.

The fast path is one msgspec decoder over the tagged union. Only when it fails do we look closer, to say
which field is wrong and why, and to run upcasters for older schema versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any

import msgspec

from .messages import NUL_MESSAGE, explain_event, sentence
from .types import CURRENT_VERSION, EVENT_TYPES, AnyEvent, Event, EventCorrected

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""(type, v) -> a function turning that version's event dict into version v+1. Empty while all is v1.

When a type gets v2, its Struct becomes v2 and `UPCASTERS[(type, 1)]` maps a v1 dict to v2: the stored
log is never rewritten, old lines are read through the chain."""

_decoder = msgspec.json.Decoder(AnyEvent)
_encoder = msgspec.json.Encoder()
_json = msgspec.json.Decoder()


class EventError(ValueError):
    """An event that cannot be accepted. `field` is a JSON path such as `data.contacts[0]`, or None."""

    def __init__(self, message: str, field: str | None = None, event_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.event_id = event_id


class LogError(ValueError):
    """A bad line in an NDJSON log."""

    def __init__(self, line: int, error: EventError):
        super().__init__(f"line {line}: {error.message}")
        self.line = line
        self.error = error


def decode_event(raw: bytes | str) -> Event:
    """Decode one wire-format event, or raise EventError naming what is wrong."""
    if not _may_hold_nul(raw):
        try:
            return _in_range(_decoder.decode(raw))
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            pass
    try:
        obj = _json.decode(raw)
    except msgspec.DecodeError as exc:
        raise EventError(f"not valid JSON ({sentence(str(exc))})") from None
    except UnicodeDecodeError:
        raise EventError("not valid UTF-8 (events are UTF-8 JSON)") from None
    except RecursionError:  # msgspec's depth guard; no event nests beyond a few levels
        raise EventError("not valid JSON for an event (nested too deeply)") from None
    return convert_event(obj)


EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
"""The years `at` (as written) may fall in: far outside, date arithmetic (due = D+1) would overflow."""


def _in_range(event: Event) -> Event:
    if not EARLIEST_YEAR <= event.at.year <= LATEST_YEAR:
        raise EventError(f"`at`: {event.at.isoformat()} is out of range (years 1900 to 2999)", "at", event.id)
    if type(event) is EventCorrected and event.data.at is not None:
        at = event.data.at  # the corrected `at` is dated as the event itself would be
        if not EARLIEST_YEAR <= at.year <= LATEST_YEAR:
            raise EventError(f"`data.at`: {at.isoformat()} is out of range (years 1900 to 2999)", "data.at", event.id)
    return event


_ESCAPED_NUL = "\\u0000"
"""How U+0000 appears in JSON (a raw NUL byte is not valid JSON): lines without it skip the look for it."""


def _may_hold_nul(raw: bytes | str) -> bool:
    if isinstance(raw, str):
        return _ESCAPED_NUL in raw
    return _ESCAPED_NUL.encode() in (raw if isinstance(raw, bytes) else memoryview(raw).tobytes())


def find_nul(value: Any) -> EventError | None:
    """The first string of a parsed JSON value (keys included, in the order written, depth first) holding
    U+0000, as an EventError naming where; None if there is none. A loop, not recursion: msgspec parses
    deeper nesting than Python recurses."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return EventError(f"`{path}`: {NUL_MESSAGE}" if path else NUL_MESSAGE, path or None)
        elif isinstance(value, dict):
            if any("\x00" in key for key in value):
                message = f"{NUL_MESSAGE}, field names included"
                return EventError(f"`{path}`: {message}" if path else message, path or None)
            stack.extend((f"{path}.{key}" if path else key, item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", value[index]) for index in range(len(value) - 1, -1, -1))
    return None


def convert_event(obj: Any) -> Event:
    """Validate an already-parsed JSON value as an event (the slow path, with precise errors)."""
    if not isinstance(obj, dict):
        raise EventError(f"an event must be a JSON object, not {_json_kind(obj)}")
    event_id = obj.get("id") if isinstance(obj.get("id"), str) else None
    nul = find_nul(obj)
    if nul is not None:
        nul.event_id = event_id
        raise nul
    kind = obj.get("type")
    if kind is None:
        raise EventError("missing field `type`", "type", event_id)
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        raise EventError(
            f"unknown event type {kind!r} (known: {', '.join(sorted(EVENT_TYPES))})", "type", event_id
        )
    version = obj.get("v")
    if version is None:
        raise EventError("missing field `v` (the schema version, 1 for now)", "v", event_id)
    current = CURRENT_VERSION[kind]
    if not isinstance(version, int) or isinstance(version, bool):
        raise EventError(f"`v` must be an integer, not {_json_kind(version)}", "v", event_id)
    while version != current:
        upcast = UPCASTERS.get((kind, version))
        if upcast is None:
            raise EventError(
                f"unsupported version {version} of {kind} (this server reads version {current})", "v", event_id
            )
        obj = upcast(dict(obj))
        version = obj["v"]
    try:
        event = msgspec.convert(obj, AnyEvent, strict=True)
    except msgspec.ValidationError as exc:
        message, field = explain_event(str(exc), _CHOICES)
        raise EventError(message, field, event_id) from None
    return _in_range(event)


def encode_event(event: Event) -> bytes:
    """The wire-format JSON of an event (server fields included when set)."""
    return _encoder.encode(event)


def iter_log(lines: Iterable[bytes | str]) -> Iterator[Event]:
    """Decode NDJSON lines; blank lines are skipped; a bad line raises LogError with its 1-based number."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield decode_event(line)
        except EventError as exc:
            raise LogError(number, exc) from None


def read_log(content: bytes) -> list[Event]:
    """Decode a whole NDJSON log at once (fast path), or raise LogError at the first bad line."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        if _may_hold_nul(content):
            raise msgspec.DecodeError("may hold U+0000: read line by line")
        events = _decoder.decode_lines(content)
        # the years as written: comparing aware datetimes of mixed offsets would cost more than decoding
        if not events or (EARLIEST_YEAR <= min(map(_year, events)) and max(map(_year, events)) <= LATEST_YEAR):
            for event in events:
                if type(event) is EventCorrected:
                    _in_range(event)  # its corrected `at` too
            return events
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError, RecursionError, EventError):
        pass
    # Only \n ends a line (a lone \r is JSON whitespace), as in the fast path.
    return list(iter_log(content.split(b"\n")))


_year = attrgetter("at.year")


def _choices() -> dict[str, tuple[str, ...]]:
    from typing import get_args

    from . import types

    return {
        "host": get_args(types.Host), "kind": get_args(types.MeetingKind), "outcome": get_args(types.Outcome),
        "channel": get_args(types.Channel), "language": get_args(types.Language),
    }


_CHOICES = _choices()


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
