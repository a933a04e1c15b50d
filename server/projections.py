"""The read side's cache: each recently read account's log in memory, and its projections keyed by the
account's last `seq`, so a read with nothing new costs one `last_seq` query and no replay.

New events are fetched incrementally (seq > what is held). The store stays the only source of truth: the
cache is checked against `last_seq` on every read, so it is also right with several server instances.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import anyio

from events import Event, Projection, project
from events.facts import log_settings

from .store.contract import Store


VIEWS_PER_ACCOUNT = 8
REPLAY_IN_THREAD_FROM = 2000
"""Logs at least this long are replayed in a worker thread, so other requests keep being served."""


@dataclass(slots=True)
class _AccountLog:
    last_seq: int = 0
    events: list[Event] = field(default_factory=list)
    settings: dict[str, Any] | None = None
    views: OrderedDict[tuple[dt.date, str | None], Projection] = field(default_factory=OrderedDict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Projections:
    """Per-account projections, cached until the account's log grows."""

    def __init__(self, store: Store, now: Callable[[], dt.datetime], max_accounts: int = 256,
                 max_events: int = 200_000, page: int = 1000):
        self.store = store
        self.now = now
        """The app's clock (server/clock.py): what "today" is when a read names no date."""
        self.max_accounts = max_accounts
        self.max_events = max_events
        """Accounts are dropped, least recently read first, while the logs held add up to more than this."""
        self.page = page
        self.replays = 0
        """How many projections were computed: the work the cache exists to save."""
        self._accounts: OrderedDict[str, _AccountLog] = OrderedDict()

    async def projection(self, account_id: str, as_of: dt.date | None = None, timezone: str | None = None) -> Projection:
        """The account's projection on `as_of` (default: today in `timezone`, else the account's time zone)."""
        entry = self._entry(account_id)
        async with entry.lock:
            await self._refresh(account_id, entry)
            if as_of is None:
                zone = timezone or self._settings(entry)["timezone"]
                as_of = self.now().astimezone(ZoneInfo(zone)).date()
            key = (as_of, timezone)
            view = entry.views.get(key)
            if view is None:
                if len(entry.events) >= REPLAY_IN_THREAD_FROM:
                    view = await anyio.to_thread.run_sync(project, entry.events, as_of, timezone)
                else:
                    view = project(entry.events, as_of, timezone)
                self.replays += 1
                entry.views[key] = view
                if len(entry.views) > VIEWS_PER_ACCOUNT:
                    entry.views.popitem(last=False)
            return view

    async def settings(self, account_id: str) -> dict[str, Any]:
        """The latest value of each setting over the whole log, defaults for those never set."""
        entry = self._entry(account_id)
        async with entry.lock:
            await self._refresh(account_id, entry)
            return dict(self._settings(entry))

    def forget(self, account_id: str) -> None:
        """Drop what is held for an account (erased)."""
        self._accounts.pop(account_id, None)

    def _entry(self, account_id: str) -> _AccountLog:
        entry = self._accounts.get(account_id)
        if entry is None:
            entry = self._accounts[account_id] = _AccountLog()
            if len(self._accounts) > self.max_accounts:
                self._accounts.popitem(last=False)
        else:
            self._accounts.move_to_end(account_id)
        return entry

    async def _refresh(self, account_id: str, entry: _AccountLog) -> None:
        last = await self.store.last_seq(account_id)
        if last == entry.last_seq:
            return
        if last < entry.last_seq:  # the log shrank: only an erased account does that
            entry.events.clear()
            entry.last_seq = 0
        while entry.last_seq < last:
            page = await self.store.read(account_id, entry.last_seq, self.page)
            if not page:
                break
            entry.events.extend(page)
            entry.last_seq = page[-1].seq
        entry.views.clear()
        entry.settings = None
        self._trim(keep=account_id)

    def _trim(self, keep: str) -> None:
        held = sum(len(entry.events) for entry in self._accounts.values())
        for account_id in list(self._accounts):
            if held <= self.max_events:
                break
            if account_id != keep:
                held -= len(self._accounts.pop(account_id).events)

    @staticmethod
    def _settings(entry: _AccountLog) -> dict[str, Any]:
        if entry.settings is None:
            entry.settings = latest_settings(entry.events)
        return entry.settings


def latest_settings(events: list[Event]) -> dict[str, Any]:
    """The account's settings over its whole log (the domain's own fold), with the server's defaults for a
    time zone (UTC) and a language (English) never set."""
    settings = log_settings(events)
    return {
        "timezone": settings.timezone or "UTC", "reminder_hour": settings.reminder_hour,
        "cadence_days": settings.cadence_days, "language": settings.language or "en",
    }
