"""`GET /api/live`: a live stream of news of the account's log (Server-Sent Events), so a device syncs as soon
as another one appended, not at its next timed round.

The stream says only "the log now ends at seq N" (`event: log`, `data: {"last_seq": N}`): first at once
(the device syncs if its cursor is behind, which also covers whatever it missed while disconnected), then
after each append to the account, through any instance. What to pull is still decided by the device's
cursor in `POST /api/sync`, so a dropped stream loses nothing. The token goes in the Authorization header
(browsers read the stream with `fetch`, not `EventSource`, which cannot send one): never in the URL, which
proxies and servers write to their logs.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS, HTTP_503_SERVICE_UNAVAILABLE

from ..auth import Session, hash_token
from ..errors import ApiError
from ..live.hub import LiveHub
from ..services import Services

BEARER = [{"bearer": []}]
RETRY_MS = 2000
"""What an EventSource-like client waits before reconnecting after the stream ends (the app has its own backoff)."""

_encode = msgspec.json.Encoder().encode


@get("/api/live", security=BEARER, tags=["sync"], media_type="text/event-stream")
async def follow_log(
    request: Request, session: NamedDependency[Session], services: NamedDependency[Services],
    live: NamedDependency[LiveHub],
) -> ServerSentEvent:
    """News of this account's log as Server-Sent Events: `event: log` with `{"last_seq": N}` at once and after
    every append (from any device, through any instance), a `: keep-alive` comment when idle, and
    `event: revoked` before the stream ends if this device's token stops working. Sync (`POST /api/sync`) when
    `last_seq` is past your cursor. Reconnect with backoff when the stream ends; nothing is lost meanwhile."""
    if live.closed:
        raise ApiError(HTTP_503_SERVICE_UNAVAILABLE, "the server is stopping; connect again in a moment",
                       headers={"Retry-After": "1"})
    if live.streams_of(session.device_id) >= live.streams_per_device:
        raise ApiError(HTTP_429_TOO_MANY_REQUESTS,
                       f"this device already has {live.streams_per_device} live streams open; close one first",
                       headers={"Retry-After": "30"})
    token_hash = hash_token(request.headers["authorization"].strip().partition(" ")[2].strip())
    settings, store = services.settings, services.store

    async def news() -> AsyncIterator[ServerSentEventMessage]:
        # Followed from inside the stream, so that the `finally` that unfollows always runs with it.
        follower = live.follow(session.account_id, session.device_id)
        try:
            follower.tell(await store.last_seq(session.account_id))
            told = -1
            check_at = time.monotonic() + settings.live_recheck_seconds
            while not follower.closed:
                if follower.stale:
                    follower.stale = False
                    follower.tell(await store.last_seq(session.account_id))
                if follower.last_seq != told:
                    first, told = told == -1, follower.last_seq
                    yield ServerSentEventMessage(event="log", data=_encode({"last_seq": told}).decode(),
                                                 retry=RETRY_MS if first else None)
                    continue
                if await follower.wait(settings.live_heartbeat_seconds):
                    continue
                if time.monotonic() >= check_at:
                    check_at = time.monotonic() + settings.live_recheck_seconds
                    if await store.device_by_token(token_hash) is None:
                        yield ServerSentEventMessage(event="revoked", data="{}")
                        return
                yield ServerSentEventMessage(comment="keep-alive", data=None)
        finally:
            live.unfollow(follower)

    # X-Accel-Buffering: nginx would otherwise hold the events back until its buffer fills.
    return ServerSentEvent(news(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
