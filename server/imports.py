"""Per-account import quotas: events and bytes imported per window, and one import at a time, held in memory.

An import is the one request that can write a quarter of a million events; these keep one account from
importing without end. Like the rate limits (server/ratelimit.py), each process counts on its own: with several
instances on PostgreSQL, an account may import up to the quota through each.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


class QuotaExceeded(Exception):
    """An import that may not go on: `what` says which quota, `wait` the seconds until it is renewed."""

    def __init__(self, what: str, wait: float):
        super().__init__(what)
        self.what = what
        self.wait = wait


@dataclass(slots=True)
class _Window:
    started: float
    events: int = 0
    bytes: int = 0


class ImportQuotas:
    """At most `events` events (non-blank lines) and `bytes` bytes imported by one account per window of
    `window_seconds` (the window starts with the account's first import in it), one import at a time."""

    def __init__(self, events: int, bytes_: int, window_seconds: float, *, clock: Callable[[], float] = time.monotonic):
        self.events = events
        self.bytes = bytes_
        self.window_seconds = window_seconds
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._running: set[str] = set()

    def start(self, account_id: str, declared_bytes: int | None = None) -> AccountImport:
        """Begin an import for the account, or raise QuotaExceeded: one is already running, the window's
        quota is used up, or the body's declared size is more than is left of it."""
        if account_id in self._running:
            raise QuotaExceeded("an import of this account is already running; wait for its answer", 1)
        window = self._window(account_id)
        if window.events >= self.events or window.bytes >= self.bytes:
            raise QuotaExceeded(self._used_up(window), self._wait(window))
        if declared_bytes is not None and window.bytes + declared_bytes > self.bytes:
            raise QuotaExceeded(
                f"this import's {declared_bytes} bytes are more than the {self.bytes - window.bytes} bytes left of "
                f"this account's import quota ({self.bytes} bytes per {self.window_seconds:g} s)", self._wait(window),
            )
        self._running.add(account_id)
        return AccountImport(self, account_id, window)

    def _window(self, account_id: str) -> _Window:
        now = self._clock()
        window = self._windows.get(account_id)
        if window is None or now - window.started >= self.window_seconds:
            if len(self._windows) > 10_000:  # forget the accounts whose window is over
                self._windows = {a: w for a, w in self._windows.items() if now - w.started < self.window_seconds}
            window = self._windows[account_id] = _Window(now)
        return window

    def _wait(self, window: _Window) -> float:
        return max(0.0, window.started + self.window_seconds - self._clock())

    def _used_up(self, window: _Window) -> str:
        if window.events >= self.events:
            return f"this account imported its quota of {self.events} events per {self.window_seconds:g} s"
        return f"this account imported its quota of {self.bytes} bytes per {self.window_seconds:g} s"


@dataclass(slots=True)
class AccountImport:
    """One running import: counts what it reads against its account's window; `finish` it in any case."""

    quotas: ImportQuotas
    account_id: str
    window: _Window

    def read_bytes(self, count: int) -> None:
        self.window.bytes += count
        if self.window.bytes > self.quotas.bytes:
            raise QuotaExceeded(self.quotas._used_up(self.window), self.quotas._wait(self.window))

    def read_event(self) -> None:
        self.window.events += 1
        if self.window.events > self.quotas.events:
            raise QuotaExceeded(self.quotas._used_up(self.window), self.quotas._wait(self.window))

    def finish(self) -> None:
        self.quotas._running.discard(self.account_id)
