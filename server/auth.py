"""Who is asking: per-device bearer tokens (kept only as a SHA-256 hash), and the `session` dependency that turns
`Authorization: Bearer <token>` into (account, device) or a 401.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from litestar import Request
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_429_TOO_MANY_REQUESTS

from .activity import DeviceActivity
from .errors import ApiError
from .ratelimit import RateLimiter, address_key, retry_after
from .store.contract import Store

TOKEN_PREFIX = "merci_"


@dataclass(frozen=True, slots=True)
class Session:
    """The account and device a request's token belongs to."""

    account_id: str
    device_id: str


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


class Authenticator:
    """The `session` dependency: the device a request's bearer token belongs to, each device's requests
    rate-limited, its use reported to the device activity."""

    def __init__(self, store: Store, device_requests: RateLimiter, activity: DeviceActivity):
        self._store = store
        self._device_requests = device_requests
        self._activity = activity

    async def session(self, request: Request) -> Session:
        """Resolve the bearer token to its device, or answer 401 (429 if the device asks too often)."""
        header = request.headers.get("authorization")
        if not header:
            raise unauthorized(
                "missing `Authorization: Bearer <token>` header; get a token from POST /api/sessions or "
                "POST /api/accounts"
            )
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("the Authorization header must read `Bearer <token>`")
        device = await self._store.device_by_token(hash_token(token))
        if device is None:
            raise unauthorized("this token is unknown or was revoked; sign in again at POST /api/sessions")
        request.scope["state"]["merci.account"] = device.account_id
        wait = self._device_requests.hit(device.id)
        if wait:
            raise ApiError(
                HTTP_429_TOO_MANY_REQUESTS, f"too many requests from this device; try again in {retry_after(wait)} s",
                headers={"Retry-After": retry_after(wait)},
            )
        await self._activity.used(device)
        return Session(account_id=device.account_id, device_id=device.id)
