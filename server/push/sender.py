"""Sending one push message (RFC 8030): our small adapter around the `webpush` package.

`webpush` encrypts (RFC 8291, aes128gcm) and that is all we take from it: its `WebPush.get` has sharp
edges, so the headers and the VAPID token (RFC 8292) are made here —
- its default TTL is 0 (a phone that is offline at that second never gets the message): TTL is explicit;
- per-call `ttl`/`subscriber` overrides are stored on the shared instance and stick to later calls (and
  `ttl=0` cannot be asked for): nothing here is per-call state on a shared object;
- it sets no Urgency or Topic: both are set, Topic so a retried or newer digest replaces the one waiting;
- it does not check the 4 KB limit: the encrypted body is checked before sending (413 is our bug);
- its JWT audience drops the port and its subject is always `mailto:`: ours is the endpoint's origin
  (scheme://host[:port]) and the configured subject as given (`mailto:` or `https:`).

Requests go through transport.py (keep-alive connections per push service, a timeout, redirects never
followed). 201 (any 2xx) is delivered; 404/410 mean the subscription is gone; 413 is logged as a bug; 429
and 5xx (and network errors) are retried with exponential backoff, honouring Retry-After; other answers are
refused, with the push service's reason kept for the person to see.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import certifi
import jwt
from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription

from .endpoints import EndpointPolicy, EndpointRefused
from .keys import VapidKeys
from .transport import Answer, PushConnectionError, PushTransport

log = logging.getLogger("merci.push")

MAX_BODY_BYTES = 4096
"""Push services must accept 4096 bytes of encrypted body (RFC 8030 section 7.2)..."""
ENCRYPTION_OVERHEAD = 16 + 4 + 1 + 65 + 16 + 1
"""...of which aes128gcm takes salt, record size, key id length, key id, tag and the padding delimiter."""
MAX_PAYLOAD_BYTES = MAX_BODY_BYTES - ENCRYPTION_OVERHEAD
JWT_LIFETIME = 12 * 3600
"""RFC 8292 allows at most 24 h; a token is reused for an audience until an hour before it expires."""
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

Urgency = Literal["very-low", "low", "normal", "high"]
Outcome = Literal["delivered", "gone", "refused", "failed"]


class PayloadTooLarge(ValueError):
    """A message whose encrypted body would exceed the 4096 bytes push services must accept."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where one message goes: a subscription's endpoint and keys."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one message."""

    outcome: Outcome
    """delivered; gone (404/410: drop the subscription); refused (will not work as is: a 4xx, a refused
    endpoint, a redirect); failed (429/5xx/network, still failing after the retries)."""
    status: int | None
    """The push service's last HTTP status, if it answered."""
    reason: str
    """For the person: what happened, in a sentence."""
    attempts: int


class PushSender:
    """Encrypts, signs and sends push messages; one per server, safe to share between tasks."""

    def __init__(
        self, keys: VapidKeys, subject: str, policy: EndpointPolicy, *, timeout: float = 10.0,
        max_attempts: int = 5, first_delay: float = 1.0, max_delay: float = 120.0, lanes: int = 32,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, clock: Callable[[], float] = time.time,
    ):
        self.keys = keys
        self.subject = subject
        self.policy = policy
        self.max_attempts = max_attempts
        self.first_delay = first_delay
        self.max_delay = max_delay
        """A Retry-After longer than this gives up (the next digest will come)."""
        self.sleep = sleep
        self.clock = clock
        self.timeout = timeout
        self.lanes = lanes
        """Requests in flight at once to each push service, each on a keep-alive connection of its own."""
        self._transport = PushTransport(
            timeout=timeout, per_service=lanes, tls=ssl.create_default_context(cafile=certifi.where()),
        )
        # The key pair webpush wants as PEM; only its encryption is used (see the module's docstring).
        self._webpush = WebPush(private_key=keys.private_pem(), public_key=keys.public_pem())
        self._tokens: dict[str, tuple[float, str]] = {}

    async def aclose(self) -> None:
        await self._transport.aclose()

    # --- the message ------------------------------------------------------------------------------

    def encrypt(self, payload: bytes, target: Target) -> bytes:
        """The aes128gcm body for `target` (RFC 8291); PayloadTooLarge past 4096 bytes."""
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise PayloadTooLarge(f"{len(payload)} bytes of payload; at most {MAX_PAYLOAD_BYTES} fit in a push message")
        subscription = WebPushSubscription.model_construct(
            endpoint=target.endpoint, keys=WebPushKeys(p256dh=target.p256dh, auth=target.auth)
        )
        body = self._webpush._encrypt(payload, subscription)
        if len(body) > MAX_BODY_BYTES:  # cannot happen with the check above; kept as the contract
            raise PayloadTooLarge(f"{len(body)} bytes encrypted; push services accept {MAX_BODY_BYTES}")
        return body

    def authorization(self, endpoint: str) -> str:
        """`vapid t=<JWT>, k=<public key>` for the endpoint's origin, port included (RFC 8292)."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        now = self.clock()
        cached = self._tokens.get(audience)
        if cached is None or cached[0] - 3600 < now:
            expires = int(now) + JWT_LIFETIME
            token = jwt.encode(
                {"aud": audience, "exp": expires, "sub": self.subject}, self.keys.private_key, algorithm="ES256"
            )
            cached = self._tokens[audience] = (expires, token)
        return f"vapid t={cached[1]}, k={self.keys.public_key}"

    def headers(self, endpoint: str, *, ttl: int, urgency: Urgency, topic: str | None) -> dict[str, str]:
        if ttl < 0:
            raise ValueError("TTL must be >= 0")
        headers = {
            "TTL": str(int(ttl)),
            "Urgency": urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self.authorization(endpoint),
        }
        if topic is not None:
            if not _TOPIC.match(topic):
                raise ValueError(f"a Topic is 1-32 characters of base64url, not {topic!r}")
            headers["Topic"] = topic
        return headers

    # --- sending ----------------------------------------------------------------------------------

    async def send(
        self, target: Target, payload: bytes, *, ttl: int, urgency: Urgency = "normal", topic: str | None = None,
    ) -> Delivery:
        """Send `payload` to `target`, retrying 429/5xx/network failures with backoff."""
        try:
            await self.policy.check_before_sending(target.endpoint)
        except EndpointRefused as exc:
            return Delivery("refused", None, f"endpoint refused: {exc.reason}", 0)
        body = self.encrypt(payload, target)
        attempt = 0
        while True:
            attempt += 1
            headers = self.headers(target.endpoint, ttl=ttl, urgency=urgency, topic=topic)
            try:  # a connection is held for the request only, never across a backoff
                answer = await self._transport.post(target.endpoint, body, headers)
            except PushConnectionError as exc:
                status, wait, reason = None, None, f"the push service could not be reached ({exc})"
            else:
                status = answer.status
                if 200 <= status < 300:
                    return Delivery("delivered", status, "delivered", attempt)
                why = _why(answer)
                if status in (404, 410):
                    return Delivery("gone", status, f"the push service says this subscription is gone ({status}{why})", attempt)
                if status == 413:
                    log.error("push service answered 413 for %d bytes to %s: a bug of ours", len(body), _origin(target.endpoint))
                    return Delivery("refused", status, f"the message was too large for the push service (413{why})", attempt)
                if 300 <= status < 400:
                    return Delivery("refused", status, f"the push service redirected ({status}); redirects are not followed", attempt)
                if status != 429 and status < 500:
                    log.warning("push service %s refused a message: %s%s", _origin(target.endpoint), status, why)
                    return Delivery("refused", status, f"the push service refused the message ({status}{why})", attempt)
                wait = _retry_after(answer.headers.get("retry-after"), self.clock())
                reason = f"the push service answered {status}{why}"
            if attempt >= self.max_attempts:
                return Delivery("failed", status, f"{reason}; gave up after {attempt} attempts", attempt)
            if wait is None:
                wait = self.first_delay * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
            if wait > self.max_delay:
                return Delivery("failed", status, f"{reason}; it asked to wait {wait:.0f} s", attempt)
            await self.sleep(wait)


def _retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


def _why(answer: Answer) -> str:
    text = " ".join(answer.body.decode("utf-8", "replace").split())[:200] if answer.body else ""
    return f": {text}" if text else ""


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"
