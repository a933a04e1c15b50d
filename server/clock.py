"""The server's one clock. Every date the server writes or reasons with (recorded_at, last seen, "today" of an
audit, the reminder hour, the 24-hour horizon of an event's `at`) and every interval it measures (rate limits,
last-seen throttling) is read from the `Clock` that `create_app` is given, so tests pin it instead of reading
the machine's calendar.

`MERCI_CLOCK_START` (tests only) starts it at a given instant; it then runs at the machine's pace. Not governed
by it: VAPID tokens (`push/sender.py`), whose expiry the push services check against their own clocks.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable


class Clock:
    """Wall time in UTC, and a monotonic reading for intervals."""

    def __init__(self, start: dt.datetime | None = None, monotonic: Callable[[], float] = time.monotonic):
        self._monotonic = monotonic
        self._origin = monotonic()
        self._start = start.astimezone(dt.UTC) if start is not None else None

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        if self._start is None:
            return dt.datetime.now(dt.UTC)
        return self._start + dt.timedelta(seconds=self._monotonic() - self._origin)

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back: only differences mean anything."""
        return self._monotonic()


class ManualClock(Clock):
    """A clock that moves only when told: for tests that walk through days."""

    def __init__(self, start: dt.datetime):
        self._instant = start.astimezone(dt.UTC)
        self._seconds = 0.0
        super().__init__(start, monotonic=lambda: self._seconds)

    def now(self) -> dt.datetime:
        return self._instant

    def set(self, instant: dt.datetime) -> None:
        """Move to `instant` (forward: a monotonic clock never goes back)."""
        instant = instant.astimezone(dt.UTC)
        step = (instant - self._instant).total_seconds()
        if step < 0:
            raise ValueError(f"a clock does not go back: {instant.isoformat()} is before {self._instant.isoformat()}")
        self._instant, self._seconds = instant, self._seconds + step

    def advance(self, **delta: float) -> dt.datetime:
        """Move forward by a timedelta's keywords (hours=1, days=2); returns the new instant."""
        self.set(self._instant + dt.timedelta(**delta))
        return self._instant
