"""Web-push reminders: the server's public key, each device's subscription with its delivery log, and a
test notification. The digests themselves are sent by the scheduler (server/push/scheduler.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND, HTTP_409_CONFLICT, HTTP_429_TOO_MANY_REQUESTS, HTTP_502_BAD_GATEWAY,
)
from msgspec import Meta, Struct

from ..auth import Session
from ..clock import Clock
from ..errors import ApiError, read_json_body
from ..push.digest import confirmation_message
from ..push.endpoints import MAX_ENDPOINT_LENGTH, EndpointRefused, check_keys
from ..push.service import Reminders
from ..ratelimit import retry_after
from ..services import Services
from ..store.contract import EndpointTaken

BEARER = [{"bearer": []}]
TEST_TTL = 600

Endpoint = Annotated[str, Meta(
    min_length=1, max_length=MAX_ENDPOINT_LENGTH,
    description="The push service's URL for this browser: https on port 443, a known push service",
)]


class SubscriptionKeys(Struct, forbid_unknown_fields=True):
    p256dh: Annotated[str, Meta(min_length=1, max_length=200, description="The browser's P-256 public key, base64url")]
    auth: Annotated[str, Meta(min_length=1, max_length=100, description="16 bytes of authentication secret, base64url")]


class NewSubscription(Struct, forbid_unknown_fields=True):
    """The browser's `PushSubscription.toJSON()`, as it is."""

    endpoint: Endpoint
    keys: SubscriptionKeys
    expirationTime: float | None = None  # noqa: N815 - the browser's own name
    """Sent by browsers (almost always null); not used: the app re-sends its subscription on every start."""


class EndpointOnly(Struct, forbid_unknown_fields=True):
    endpoint: Endpoint


class PublicKey(Struct):
    public_key: str
    """The server's VAPID public key: base64url of the uncompressed P-256 point, for `applicationServerKey`."""


class SubscriptionOut(Struct):
    """A device's subscription and its delivery log."""

    id: str
    device: str
    device_name: str
    current: bool
    """Whether it is the device making the request."""
    service: str
    """The push service's host (the endpoint itself is not shown)."""
    created_at: dt.datetime
    last_sent_at: dt.datetime | None
    last_digest_day: dt.date | None
    last_failure_at: dt.datetime | None
    last_failure: str | None
    """Why the last message that did not get through did not."""


class SubscriptionList(Struct):
    subscriptions: list[SubscriptionOut]


class DeliveryOut(Struct):
    subscription: str
    outcome: str
    """delivered, gone (the subscription was removed), refused or failed."""
    status: int | None
    reason: str


class TestSent(Struct):
    delivered: int
    deliveries: list[DeliveryOut]


class PushController(Controller):
    """Reminders by web push."""

    path = "/api/push"
    tags = ["push"]

    @get("/key")
    async def show_public_key(self, reminders: NamedDependency[Reminders]) -> PublicKey:
        """The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})` (no token needed)."""
        assert reminders.keys is not None
        return PublicKey(public_key=reminders.keys.public_key)

    @post("/subscriptions", status_code=201, security=BEARER, before_request=read_json_body)
    async def save_subscription(
        self, data: JSONBody[NewSubscription], session: NamedDependency[Session], services: NamedDependency[Services],
        reminders: NamedDependency[Reminders], clock: NamedDependency[Clock],
    ) -> SubscriptionOut:
        """Subscribe this device to reminders with the browser's `PushSubscription.toJSON()`. A device has one
        subscription: sending a new endpoint replaces the old one, sending the same one again refreshes its
        keys (the app does it on every start). The endpoint must be https on port 443 at a known push service;
        anything else is a 400 saying why. An endpoint another account holds is a 409: it is never taken from
        that account (nor shared with it)."""
        try:
            reminders.policy.check(data.endpoint)
            check_keys(data.keys.p256dh, data.keys.auth)
        except EndpointRefused as exc:
            raise ApiError(HTTP_400_BAD_REQUEST, exc.reason, field=exc.field) from None
        try:
            saved = await services.store.save_subscription(
                session.account_id, session.device_id, data.endpoint, data.keys.p256dh, data.keys.auth, clock.now()
            )
        except EndpointTaken:
            raise ApiError(
                HTTP_409_CONFLICT, "this endpoint is subscribed to another account's reminders; the browser must "
                "subscribe again (unsubscribe, then subscribe) to get an endpoint of its own", field="endpoint",
            ) from None
        reminders.subscribed(session.account_id)
        (out,) = await _described(services, session, [saved])
        return out

    @get("/subscriptions", security=BEARER)
    async def list_subscriptions(
        self, session: NamedDependency[Session], services: NamedDependency[Services]
    ) -> SubscriptionList:
        """The account's subscribed devices, each with its delivery log: when a message last got through, and
        when and why one last did not."""
        subscriptions = await services.store.list_subscriptions(session.account_id)
        return SubscriptionList(subscriptions=await _described(services, session, subscriptions))

    @delete("/subscriptions", status_code=204, security=BEARER, before_request=read_json_body)
    async def unsubscribe(
        self, data: JSONBody[EndpointOnly], session: NamedDependency[Session], services: NamedDependency[Services]
    ) -> None:
        """Stop reminders to the browser with this endpoint (body: `{endpoint}`); 404 if it is not subscribed."""
        for subscription in await services.store.list_subscriptions(session.account_id):
            if subscription.endpoint == data.endpoint:
                await services.store.remove_subscription(session.account_id, subscription.id)
                return
        raise ApiError(HTTP_404_NOT_FOUND, "this endpoint is not subscribed to this account's reminders")

    @delete("/subscriptions/{subscription_id:str}", status_code=204, security=BEARER)
    async def remove_subscription(
        self, subscription_id: FromPath[str], session: NamedDependency[Session], services: NamedDependency[Services]
    ) -> None:
        """Stop reminders to one of the account's devices, by the subscription's id."""
        if not await services.store.remove_subscription(session.account_id, subscription_id):
            raise ApiError(HTTP_404_NOT_FOUND, f"this account has no subscription {subscription_id!r}",
                           subscription=subscription_id)

    @post("/test", status_code=200, security=BEARER)
    async def send_test_notification(
        self, session: NamedDependency[Session], services: NamedDependency[Services],
        reminders: NamedDependency[Reminders],
    ) -> TestSent:
        """Send this device a test notification now. 409 if this device is not subscribed; 502 with the push
        service's reason if it did not get through (also kept in the delivery log)."""
        wait = reminders.tests_by_device.hit(session.device_id)
        if wait:
            raise ApiError(HTTP_429_TOO_MANY_REQUESTS, f"too many test notifications; try again in {retry_after(wait)} s",
                           headers={"Retry-After": retry_after(wait)})
        mine = [s for s in await services.store.list_subscriptions(session.account_id) if s.device_id == session.device_id]
        if not mine:
            raise ApiError(HTTP_409_CONFLICT, "this device is not subscribed to reminders; turn them on first")
        settings = await services.projections.settings(session.account_id)
        payload = confirmation_message(settings["language"] or "en", settings["reminder_hour"])
        assert reminders.scheduler is not None
        deliveries = [
            await reminders.scheduler.deliver(s, payload, ttl=TEST_TTL, topic="merci-test", urgency="high") for s in mine
        ]
        out = [DeliveryOut(s.id, d.outcome, d.status, d.reason) for s, d in zip(mine, deliveries)]
        delivered = sum(d.outcome == "delivered" for d in deliveries)
        if not delivered:
            raise ApiError(HTTP_502_BAD_GATEWAY, f"the test notification did not get through: {deliveries[0].reason}",
                           deliveries=[{"subscription": d.subscription, "outcome": d.outcome, "status": d.status,
                                        "reason": d.reason} for d in out])
        return TestSent(delivered=delivered, deliveries=out)


async def _described(services: Services, session: Session, subscriptions: list) -> list[SubscriptionOut]:
    names = {device.id: device.name for device in await services.store.list_devices(session.account_id)}
    return [
        SubscriptionOut(
            id=s.id, device=s.device_id, device_name=names.get(s.device_id, "?"), current=s.device_id == session.device_id,
            service=urlsplit(s.endpoint).hostname or "?", created_at=s.created_at, last_sent_at=s.last_sent_at,
            last_digest_day=s.last_digest_day, last_failure_at=s.last_failure_at, last_failure=s.last_failure,
        )
        for s in subscriptions
    ]
