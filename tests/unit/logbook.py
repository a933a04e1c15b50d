"""A tiny builder of event logs for the unit tests: readable given/when/then without JSON noise.

Every event goes through the real decoder, so a test cannot build an event the wire format refuses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from events import contact_history, decode_event, project, replay_document
from events.types import Event


class Log:
    """An event log being written: `log.meeting_logged("2026-05-12", meeting="m1", contacts=["c1"])`.

    Times are local to `offset` ("+00:00" by default) and 10:00 unless `time=` says otherwise, so in the
    UTC zone the date written is the local date."""

    def __init__(self, offset: str = "+00:00"):
        self.offset = offset
        self.events: list[Event] = []

    def add(self, type_: str, day: str, time: str = "10:00", *, id: str | None = None, offset: str | None = None,
            **data: Any) -> str:
        event_id = id or f"e{len(self.events) + 1:03d}"
        raw = {"id": event_id, "type": type_, "v": 1, "at": f"{day}T{time}:00{offset or self.offset}",
               "data": data}
        self.events.append(decode_event(msgspec.json.encode(raw)))
        return event_id

    def __getattr__(self, type_: str):
        if type_.startswith("_"):
            raise AttributeError(type_)
        return lambda day, time="10:00", **data: self.add(type_, day, time, **data)

    # --- reading it back -------------------------------------------------------------------------

    def replay(self, as_of: str, tz: str | None = "UTC") -> dict:
        """The `merci replay --json` document as of that date, as plain JSON values."""
        return msgspec.to_builtins(replay_document(project(self.events, dt.date.fromisoformat(as_of), tz)))

    def obligations(self, as_of: str, tz: str | None = "UTC") -> dict[str, dict]:
        """The obligations as of that date, by id."""
        return {o["id"]: o for o in self.replay(as_of, tz)["obligations"]}

    def history(self, contact: str, as_of: str, tz: str | None = "UTC") -> dict | None:
        return msgspec.to_builtins(contact_history(project(self.events, dt.date.fromisoformat(as_of), tz), contact))


def day(text: str, plus: int = 0) -> str:
    """The ISO date `plus` days after `text`."""
    return (dt.date.fromisoformat(text) + dt.timedelta(days=plus)).isoformat()
