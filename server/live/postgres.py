"""News from every instance on one PostgreSQL database: each append's transaction announces the account's new
last seq (`NOTIFY merci_events`, see server/store/postgres.py); this listens on a connection of its own and
hands each announcement to the hub. A lost connection is made again with backoff, after which the hub checks
everything (announcements made meanwhile were lost with it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import msgspec

from ..settings import describe_database
from ..store.postgres import CHANNEL
from .hub import LiveHub

log = logging.getLogger("merci.live")

PING_SECONDS = 30.0
"""A connection cut without a TCP reset is noticed only when used: ping it this often."""
FIRST_DELAY, MAX_DELAY = 0.5, 30.0


class _Announcement(msgspec.Struct):
    account: str
    last_seq: int


_decode = msgspec.json.Decoder(_Announcement).decode


class PostgresNews:
    """LISTEN merci_events for as long as it runs."""

    def __init__(self, dsn: str, hub: LiveHub):
        self.dsn = dsn
        self.hub = hub
        self.listening = asyncio.Event()
        """Set while the LISTEN connection is up (tests and benchmarks wait for it)."""
        self._task: asyncio.Task | None = None
        self._lost_before = False
        """A LISTEN connection was up before this one: announcements may have been lost in between."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="merci-live-listen")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = FIRST_DELAY
        while True:
            conn = None
            try:
                conn = await asyncpg.connect(self.dsn, timeout=10)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _: lost.set())
                await conn.add_listener(CHANNEL, self._heard)
                # Whatever was announced before this LISTEN began: streams look again; listeners (the scheduler)
                # only after a reconnection, since they read everything when they start.
                self.hub.check_all(listeners=self._lost_before)
                self._lost_before = True
                self.listening.set()
                delay = FIRST_DELAY
                while not lost.is_set():
                    try:
                        async with asyncio.timeout(PING_SECONDS):
                            await lost.wait()
                    except TimeoutError:
                        await conn.fetchval("SELECT 1", timeout=10)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("live news: the LISTEN connection to %s failed (%s); again in %.1f s",
                            describe_database(self.dsn), exc, delay)
            finally:
                self.listening.clear()
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 5)
            await asyncio.sleep(delay)
            delay = min(MAX_DELAY, delay * 2)

    def _heard(self, conn: object, pid: int, channel: str, payload: str) -> None:
        try:
            news = _decode(payload)
        except msgspec.DecodeError:
            log.warning("live news: an announcement that is not ours on %s: %.100r", channel, payload)
            return
        self.hub.announce(news.account, news.last_seq)
