"""Who is asking: argon2id passwords, per-device bearer tokens (kept only as a SHA-256 hash), and the
`session` dependency that turns `Authorization: Bearer <token>` into (account, device) or a 401.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Request
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_429_TOO_MANY_REQUESTS

from .errors import ApiError
from .ratelimit import address_key, retry_after

if TYPE_CHECKING:
    from .services import Services

TOKEN_PREFIX = "merci_"
SEEN_EVERY_SECONDS = 60.0
"""Record a device's last use at most this often: a write per request would cost every sync a commit."""
SEEN_KEPT = 10_000
"""When the devices remembered reach this many, those not seen for SEEN_EVERY_SECONDS are forgotten (they
throttle nothing any more): one entry per device used in the last minute, not per device ever used."""


def remember_seen(seen: dict[str, float], device_id: str, now: float) -> None:
    if len(seen) >= SEEN_KEPT and device_id not in seen:
        for stale in [d for d, at in seen.items() if now - at >= SEEN_EVERY_SECONDS]:
            del seen[stale]
    seen[device_id] = now


@dataclass(frozen=True, slots=True)
class Session:
    """The account and device a request's token belongs to."""

    account_id: str
    device_id: str


class Passwords:
    """argon2id hashing, off the event loop and at most `concurrency` at a time (each takes its memory)."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int, concurrency: int = 4):
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._limiter = anyio.CapacityLimiter(concurrency)
        # Verifying against this when the email is unknown makes both answers take as long.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash (unknown account), spend the same time and say no."""
        return await anyio.to_thread.run_sync(self._verify, password_hash, password, limiter=self._limiter)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


def new_token() -> tuple[str, bytes]:
    """A fresh device token and the hash the store keeps instead of it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    # Tokens carry 256 random bits: a fast hash is enough, no salt or stretching needed.
    return hashlib.sha256(token.encode()).digest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def client_address(request: Request) -> str:
    """The client's address as rate limits count it: an IPv6 address by its /64 (see `address_key`)."""
    return address_key(request.client.host) if request.client else "unknown"


def unauthorized(message: str) -> ApiError:
    return ApiError(HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(request: Request) -> Session:
    """The `session` dependency: resolve the bearer token to its device, or answer 401."""
    services: Services = request.app.state.services
    header = request.headers.get("authorization")
    if not header:
        raise unauthorized(
            "missing `Authorization: Bearer <token>` header; get a token from POST /api/sessions or POST /api/accounts"
        )
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("the Authorization header must read `Bearer <token>`")
    device = await services.store.device_by_token(hash_token(token))
    if device is None:
        raise unauthorized("this token is unknown or was revoked; sign in again at POST /api/sessions")
    request.scope["state"]["merci.account"] = device.account_id
    wait = services.device_requests.hit(device.id)
    if wait:
        raise ApiError(
            HTTP_429_TOO_MANY_REQUESTS, f"too many requests from this device; try again in {retry_after(wait)} s",
            headers={"Retry-After": retry_after(wait)},
        )
    now = services.clock.monotonic()
    if now - services.seen.get(device.id, -SEEN_EVERY_SECONDS) >= SEEN_EVERY_SECONDS:
        remember_seen(services.seen, device.id, now)
        await services.store.mark_seen(device.id, services.now())
    return Session(account_id=device.account_id, device_id=device.id)
