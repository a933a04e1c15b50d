"""Who follows which account's log, and how news reaches them: `announce(account, last_seq)` wakes every
stream following that account (and nothing else: an account's news never reaches another's devices).

News is only a hint to sync: a follower keeps the highest last seq it was told and is woken once for any
number of appends in between, and a device that missed some (disconnected, or the server's LISTEN
connection was lost) loses nothing, since its own cursor, not the news, decides what it pulls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger("merci.live")

NewsListener = Callable[[str | None, int], None]
"""Called with (account id, its last seq) for each announcement, or (None, 0) when news may have been lost
and everything should be looked at again."""


class Follower:
    """One live stream's mailbox: the account's last seq as last heard, and a wake-up call."""

    __slots__ = ("account_id", "device_id", "last_seq", "stale", "closed", "_wake")

    def __init__(self, account_id: str, device_id: str):
        self.account_id = account_id
        self.device_id = device_id
        self.last_seq = 0
        self.stale = False
        """News may have been missed: read the last seq from the store again."""
        self.closed = False
        """The server is stopping: end the stream (the device reconnects to another instance, or later)."""
        self._wake = asyncio.Event()

    def tell(self, last_seq: int) -> None:
        if last_seq > self.last_seq:
            self.last_seq = last_seq
            self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    async def wait(self, timeout: float) -> bool:
        """Until told something (True) or `timeout` seconds pass (False)."""
        if not self._wake.is_set():
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                return False
        self._wake.clear()
        return True


class LiveHub:
    """The followers of each account in this process, and the listeners of every announcement."""

    def __init__(self, streams_per_device: int = 8):
        self.streams_per_device = streams_per_device
        self.closed = False
        self._followers: dict[str, set[Follower]] = {}
        self._per_device: dict[str, int] = {}
        self._listeners: list[NewsListener] = []

    @property
    def following(self) -> int:
        """Streams open now."""
        return sum(self._per_device.values())

    def streams_of(self, device_id: str) -> int:
        """How many streams the device has open (at most `streams_per_device` are let in)."""
        return self._per_device.get(device_id, 0)

    def follow(self, account_id: str, device_id: str) -> Follower:
        """A new follower of the account's log."""
        follower = Follower(account_id, device_id)
        follower.closed = self.closed
        self._followers.setdefault(account_id, set()).add(follower)
        self._per_device[device_id] = self._per_device.get(device_id, 0) + 1
        return follower

    def unfollow(self, follower: Follower) -> None:
        followers = self._followers.get(follower.account_id)
        if followers is None or follower not in followers:
            return
        followers.discard(follower)
        if not followers:
            del self._followers[follower.account_id]
        left = self._per_device[follower.device_id] - 1
        if left:
            self._per_device[follower.device_id] = left
        else:
            del self._per_device[follower.device_id]

    def on_news(self, listener: NewsListener) -> None:
        """Also tell `listener` of every announcement (the digest scheduler re-plans accounts that changed)."""
        self._listeners.append(listener)

    def announce(self, account_id: str, last_seq: int) -> None:
        """The account's log now ends at `last_seq` (or later): wake its followers."""
        for follower in self._followers.get(account_id, ()):
            follower.tell(last_seq)
        for listener in self._listeners:
            listener(account_id, last_seq)

    def check_all(self, *, listeners: bool = True) -> None:
        """News may have been lost (LISTEN reconnected): every follower reads its account's last seq again, and
        the listeners are told (None, 0) unless `listeners` is False."""
        for followers in self._followers.values():
            for follower in followers:
                follower.stale = True
                follower.wake()
        if listeners:
            for listener in self._listeners:
                listener(None, 0)

    def close(self) -> None:
        """End every stream, and any opened from now on: the server is stopping."""
        self.closed = True
        for followers in self._followers.values():
            for follower in followers:
                follower.closed = True
                follower.wake()
