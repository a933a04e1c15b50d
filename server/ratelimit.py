"""Rate limits: a token bucket per key (an email, a client address, a device), held in memory.

One process, one set of buckets: good enough for log-in throttling and a runaway client. Several instances
behind a load balancer each keep their own, which multiplies the limit by the number of instances.

Client addresses are keyed by `address_key`: an IPv6 address by its /64, the smallest block one subscriber
is usually given, so that walking the 2^64 addresses of one's own network gives no fresh buckets.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """At most `capacity` hits in a burst, refilled at `capacity / per_seconds` hits per second."""

    def __init__(
        self, capacity: int, per_seconds: float, *, max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.capacity = capacity
        self.rate = capacity / per_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        """key -> (tokens left, when last counted), least recently used first."""

    def wait(self, key: str) -> float:
        """The seconds to wait before `key` may be hit (0: now), counting nothing: to check several buckets and
        spend from them only if all allow it."""
        now = self._clock()
        tokens, then = self._buckets.get(key, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + (now - then) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def hit(self, key: str) -> float:
        """Count one hit for `key`: 0 if allowed, else the seconds to wait before the next one is."""
        now = self._clock()
        tokens, then = self._buckets.pop(key, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + (now - then) * self.rate)
        if tokens >= 1:
            tokens -= 1
            wait = 0.0
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            # The least recently used key has been idle longest: dropping it forgets the least.
            self._buckets.popitem(last=False)
        return wait


class RecentKeys:
    """Keys seen within the last `keep_seconds`, at most `max_keys` of them (the least recently seen go first)."""

    def __init__(self, keep_seconds: float, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self.keep_seconds = keep_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def add(self, key: str) -> None:
        self._seen.pop(key, None)
        self._seen[key] = self._clock()
        if len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)

    def __contains__(self, key: str) -> bool:
        seen = self._seen.get(key)
        return seen is not None and self._clock() - seen < self.keep_seconds


def hit_all(limits: list[tuple[RateLimiter, str]]) -> float:
    """Count one hit in each (limiter, key) if every one allows it: 0. Else count nothing and answer the longest
    wait, so that refused attempts never drain the other buckets (a stranger refused for their own address
    does not spend the owner's allowance)."""
    wait = max(limiter.wait(key) for limiter, key in limits)
    if wait:
        return wait
    for limiter, key in limits:
        limiter.hit(key)
    return 0.0


IPV6_PREFIX = 64


def address_key(host: str) -> str:
    """The rate-limit key of a client address: an IPv6 address's /64 network (an IPv4-mapped one as IPv4), an
    IPv4 address or anything else as it is."""
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def retry_after(wait: float) -> str:
    """The `Retry-After` header value for a wait in seconds (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait)))
