"""What the route handlers share: settings, the store, the rate limits, the import quotas, the read cache.

One `Services` per app, handed to handlers as the `services` dependency. Passwords (server/passwords.py), device
activity (server/activity.py) and the clock (server/clock.py) are dependencies of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .clock import Clock
from .imports import ImportQuotas
from .projections import Projections
from .ratelimit import RateLimiter, RecentKeys
from .settings import Settings
from .store.contract import Store

if TYPE_CHECKING:
    from litestar import Litestar


@dataclass(slots=True)
class Services:
    settings: Settings
    store: Store
    projections: Projections
    login_by_email: RateLimiter
    login_by_email_and_address: RateLimiter
    login_by_address: RateLimiter
    password_checks_by_device: RateLimiter
    signed_in_from: RecentKeys
    """"email address" pairs that signed in lately: spared the per-email log-in ceiling."""
    signups_by_address: RateLimiter
    device_requests: RateLimiter
    imports: ImportQuotas

    @classmethod
    def build(cls, settings: Settings, store: Store, clock: Clock) -> Services:
        """The services of an app reading the time from `clock`."""
        s = settings
        ticks = clock.monotonic
        return cls(
            settings=s, store=store,
            projections=Projections(store, clock.now, max_accounts=s.cached_accounts, max_events=s.cached_events),
            login_by_email=RateLimiter(s.login_attempts_per_email, s.login_window_seconds, clock=ticks),
            login_by_email_and_address=RateLimiter(s.login_attempts_per_email_and_address, s.login_window_seconds,
                                                   clock=ticks),
            login_by_address=RateLimiter(s.login_attempts_per_address, s.login_window_seconds, clock=ticks),
            password_checks_by_device=RateLimiter(s.password_checks_per_device, s.login_window_seconds, clock=ticks),
            signed_in_from=RecentKeys(s.login_known_address_days * 86400, clock=ticks),
            signups_by_address=RateLimiter(s.signups_per_address, s.signup_window_seconds, clock=ticks),
            device_requests=RateLimiter(
                s.device_request_burst, s.device_request_burst / s.device_requests_per_second, clock=ticks
            ),
            imports=ImportQuotas(s.import_quota_events, s.import_quota_bytes, s.import_quota_window_seconds,
                                 clock=ticks),
        )

    async def provide(self) -> Services:
        return self

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        """Open the store when the app starts; finish pending writes and close it when it stops."""
        await self.store.open()
        try:
            yield
        finally:
            await self.store.close()
