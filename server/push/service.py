"""Reminders as the app holds them: the VAPID keys, the endpoint policy, the sender and the digest
scheduler, made when the app starts (keys on first start) and stopped with it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..live.hub import LiveHub
from ..projections import Projections
from ..ratelimit import RateLimiter
from ..settings import Settings
from ..store.contract import Store
from .endpoints import EndpointPolicy
from .keys import VapidKeys, load_or_create
from .scheduler import Clock, DigestScheduler, utc_now
from .sender import PushSender

if TYPE_CHECKING:
    from litestar import Litestar

log = logging.getLogger("merci.push")

FALLBACK_SUBJECT = "mailto:operator@merci.invalid"
"""Used, with a warning, until the operator sets MERCI_VAPID_SUBJECT."""


class Reminders:
    """Web push for one app: `keys`, `policy`, `sender` and `scheduler` exist once the app has started."""

    def __init__(self, settings: Settings, store: Store, projections: Projections, clock: Clock = utc_now,
                 news: LiveHub | None = None):
        self.settings = settings
        self.news = news
        """Where appends are announced (the scheduler re-plans accounts whose settings may have changed)."""
        self.store = store
        self.projections = projections
        self.clock = clock
        self.policy = EndpointPolicy(settings.push_hosts, settings.push_allow_local)
        self.tests_by_device = RateLimiter(5, 60)
        self.keys: VapidKeys | None = None
        self.sender: PushSender | None = None
        self.scheduler: DigestScheduler | None = None

    @property
    def subject(self) -> str:
        return self.settings.vapid_subject or FALLBACK_SUBJECT

    async def provide(self) -> Reminders:
        return self

    def subscribed(self, account_id: str) -> None:
        """A device of the account just subscribed: the scheduler (if it runs here) plans the account at once."""
        if self.scheduler is not None and self.settings.push_scheduler:
            self.scheduler.watch(account_id)

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        """Load (or make) the keys, then run the scheduler unless `push_scheduler` is off."""
        s = self.settings
        self.keys = load_or_create(s.data, s.vapid_private_key)
        if s.vapid_subject is None:
            log.warning("MERCI_VAPID_SUBJECT is not set: push services may refuse reminders (Apple's does); "
                        "set it to mailto:you@your-domain or an https:// page of yours")
        if s.push_allow_local:
            log.warning("MERCI_PUSH_ALLOW_LOCAL is on: push endpoints on loopback over http are accepted (tests only)")
        self.sender = PushSender(
            self.keys, self.subject, self.policy, timeout=s.push_timeout_seconds, lanes=s.push_concurrency
        )
        self.scheduler = DigestScheduler(self.store, self.projections, self.sender, clock=self.clock, news=self.news)
        task = asyncio.create_task(self.scheduler.run(s.push_tick_seconds), name="merci-digests") if s.push_scheduler else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.sender.aclose()
