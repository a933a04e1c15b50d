"""Rate limits: a token bucket per key (an email, a client address, a device), held in memory.

One process, one set of buckets: good enough for log-in throttling and a runaway client. Several instances
behind a load balancer each keep their own, which multiplies the limit by the number of instances.
"""

from __future__ import annotations

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


def retry_after(wait: float) -> str:
    """The `Retry-After` header value for a wait in seconds (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait)))
