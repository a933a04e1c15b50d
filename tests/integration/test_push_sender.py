"""The webpush adapter against the local push service: every answer a push service gives, the headers and
the VAPID token it checks, and the sharp edges of the `webpush` package the adapter exists to cover."""

from __future__ import annotations

import logging
import socket
import time

import jwt
import pytest
from webpush import WebPush, WebPushSubscription

from server.push.endpoints import EndpointPolicy
from server.push.keys import VapidKeys
from server.push.sender import MAX_BODY_BYTES, MAX_PAYLOAD_BYTES, PayloadTooLarge, PushSender, Target

from .push_receiver import PushReceiver, TestSubscription, new_subscription

SUBJECT = "mailto:ops@merci.example"
KEYS = VapidKeys.generate()


@pytest.fixture(scope="module")
def receiver():
    with PushReceiver(KEYS.public_key, SUBJECT) as running:
        yield running


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
async def sender(waits):
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    sender = PushSender(KEYS, SUBJECT, EndpointPolicy((), allow_local=True), timeout=5, sleep=sleep)
    yield sender
    await sender.aclose()


def target(sub: TestSubscription) -> Target:
    return Target(sub.endpoint, sub.p256dh, sub.to_json()["keys"]["auth"])


async def test_a_message_is_encrypted_signed_and_delivered_with_ttl_urgency_and_topic(receiver, sender):
    sub = receiver.subscribe()
    delivery = await sender.send(target(sub), b'{"body": "1 follow-up today: thank Herv\xc3\xa9"}', ttl=3600,
                                 urgency="high", topic="merci-digest")
    assert (delivery.outcome, delivery.status, delivery.attempts) == ("delivered", 201, 1)
    (got,) = receiver.messages(sub)
    assert got.message == {"body": "1 follow-up today: thank Hervé"}
    assert (got.headers["ttl"], got.headers["urgency"], got.headers["topic"]) == ("3600", "high", "merci-digest")
    assert got.claims["aud"] == receiver.origin, "the audience keeps the endpoint's port"
    assert got.claims["sub"] == SUBJECT
    assert 0 < got.claims["exp"] - time.time() <= 24 * 3600
    assert not receiver.problems


async def test_an_https_subject_is_sent_as_given():
    subject = "https://merci.example/operator"
    sender = PushSender(KEYS, subject, EndpointPolicy((), allow_local=True))
    with PushReceiver(KEYS.public_key, subject) as own:
        try:
            sub = own.subscribe()
            assert (await sender.send(target(sub), b"{}", ttl=60)).outcome == "delivered"
        finally:
            await sender.aclose()
    assert own.messages(sub)[0].claims["sub"] == subject and not own.problems


async def test_each_send_has_its_own_ttl_and_zero_is_zero(receiver, sender):
    sub = receiver.subscribe()
    for ttl in (60, 86400, 0, 600):
        await sender.send(target(sub), b"{}", ttl=ttl)
    assert [m.headers["ttl"] for m in receiver.messages(sub)] == ["60", "86400", "0", "600"]
    assert [m.headers["urgency"] for m in receiver.messages(sub)] == ["normal"] * 4
    assert all("topic" not in m.headers for m in receiver.messages(sub))


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_reported_gone(receiver, sender, status):
    sub = receiver.subscribe()
    receiver.respond(sub, status)
    delivery = await sender.send(target(sub), b"{}", ttl=60)
    assert (delivery.outcome, delivery.status, delivery.attempts) == ("gone", status, 1)


async def test_413_is_logged_as_our_bug_and_not_retried(receiver, sender, caplog):
    sub = receiver.subscribe()
    receiver.respond(sub, 413)
    with caplog.at_level(logging.ERROR, "merci.push"):
        delivery = await sender.send(target(sub), b"{}", ttl=60)
    assert (delivery.outcome, delivery.status, delivery.attempts) == ("refused", 413, 1)
    assert "too large" in delivery.reason
    assert any("a bug of ours" in r.getMessage() for r in caplog.records)


async def test_429_waits_what_retry_after_says_then_delivers(receiver, sender, waits):
    sub = receiver.subscribe()
    receiver.respond(sub, (429, {"Retry-After": "7"}))
    delivery = await sender.send(target(sub), b"{}", ttl=60, topic="merci-digest")
    assert (delivery.outcome, delivery.attempts) == ("delivered", 2)
    assert waits == [7.0]
    assert [m.status for m in receiver.messages(sub, status=None)] == [429, 201]
    assert {m.headers["topic"] for m in receiver.messages(sub, status=None)} == {"merci-digest"}


async def test_retry_after_as_an_http_date_is_honoured(receiver, sender, waits):
    sub = receiver.subscribe()
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    receiver.respond(sub, (503, {"Retry-After": when}))
    assert (await sender.send(target(sub), b"{}", ttl=60)).outcome == "delivered"
    assert 25 <= waits[0] <= 31


async def test_5xx_backs_off_exponentially_then_delivers(receiver, sender, waits):
    sub = receiver.subscribe()
    receiver.respond(sub, 500, 502, 503)
    delivery = await sender.send(target(sub), b"{}", ttl=60)
    assert (delivery.outcome, delivery.attempts) == ("delivered", 4)
    assert len(waits) == 3
    for wait, base in zip(waits, (1, 2, 4)):
        assert 0.8 * base <= wait <= 1.2 * base


async def test_5xx_that_lasts_fails_after_the_last_attempt_saying_why(receiver, sender, waits):
    sub = receiver.subscribe()
    receiver.respond(sub, *[500] * 5)
    delivery = await sender.send(target(sub), b"{}", ttl=60)
    assert (delivery.outcome, delivery.status, delivery.attempts) == ("failed", 500, 5)
    assert "500" in delivery.reason and "gave up after 5 attempts" in delivery.reason
    assert len(waits) == 4


async def test_a_retry_after_too_long_gives_up_at_once(receiver, sender, waits):
    sub = receiver.subscribe()
    receiver.respond(sub, (429, {"Retry-After": "86400"}))
    delivery = await sender.send(target(sub), b"{}", ttl=60)
    assert (delivery.outcome, delivery.status, waits) == ("failed", 429, [])
    assert "86400 s" in delivery.reason


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_other_4xx_are_refused_and_say_so(receiver, sender, status):
    sub = receiver.subscribe()
    receiver.respond(sub, status)
    delivery = await sender.send(target(sub), b"{}", ttl=60)
    assert (delivery.outcome, delivery.status, delivery.attempts) == ("refused", status, 1)
    assert f"refused the message ({status}" in delivery.reason


async def test_redirects_are_not_followed(receiver, sender):
    sub, elsewhere = receiver.subscribe(), receiver.subscribe()
    receiver.respond(sub, (307, {"Location": elsewhere.endpoint}))
    delivery = await sender.send(target(sub), b"{}", ttl=60)
    assert (delivery.outcome, delivery.status) == ("refused", 307)
    assert receiver.messages(elsewhere, status=None) == []


async def test_a_push_service_that_cannot_be_reached_is_retried_then_failed(sender, waits):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    nowhere = new_subscription(f"http://127.0.0.1:{port}/push/x")
    delivery = await sender.send(target(nowhere), b"{}", ttl=60)
    assert (delivery.outcome, delivery.status, delivery.attempts) == ("failed", None, 5)
    assert "could not be reached" in delivery.reason and len(waits) == 4


async def test_the_4kb_limit_is_checked_before_sending(receiver, sender):
    sub = receiver.subscribe()
    exactly = b'"' + b"x" * (MAX_PAYLOAD_BYTES - 2) + b'"'
    assert (await sender.send(target(sub), exactly, ttl=60)).outcome == "delivered"
    assert len(sender.encrypt(exactly, target(sub))) == MAX_BODY_BYTES
    with pytest.raises(PayloadTooLarge):
        await sender.send(target(sub), exactly + b" ", ttl=60)
    assert len(receiver.messages(sub, status=None)) == 1


async def test_an_endpoint_is_checked_again_when_sending(receiver):
    strict = PushSender(KEYS, SUBJECT, EndpointPolicy(("fcm.googleapis.com",), allow_local=False))
    try:
        sub = receiver.subscribe()
        delivery = await strict.send(target(sub), b"{}", ttl=60)
    finally:
        await strict.aclose()
    assert (delivery.outcome, delivery.attempts) == ("refused", 0)
    assert "only https" in delivery.reason
    assert receiver.messages(sub, status=None) == []


async def test_one_token_per_audience_is_reused_until_near_expiry(sender):
    first = sender.authorization("https://fcm.googleapis.com/fcm/send/a")
    assert sender.authorization("https://fcm.googleapis.com/fcm/send/b") == first
    other = sender.authorization("https://updates.push.services.mozilla.com/wpush/v2/c")
    assert other != first
    token = first.split("t=")[1].split(",")[0]
    claims = jwt.decode(token, KEYS.private_key.public_key(), algorithms=["ES256"], audience="https://fcm.googleapis.com")
    assert claims["sub"] == SUBJECT
    sender.clock = lambda: time.time() + 11.5 * 3600  # within the last hour of its 12
    assert sender.authorization("https://fcm.googleapis.com/fcm/send/a") != first


def test_the_webpush_package_still_has_the_sharp_edges_the_adapter_covers():
    """If one of these starts failing, webpush fixed it upstream and the adapter may shrink."""
    package = WebPush(private_key=KEYS.private_pem(), public_key=KEYS.public_pem(), subscriber="ops@merci.example")
    browser = new_subscription("https://push.example:8443/push/x")
    subscription = WebPushSubscription.model_validate(browser.to_json())
    message = package.get("{}", subscription)
    assert message.headers["ttl"] == "0", "default TTL 0"
    assert set(message.headers) == {"ttl", "content-encoding", "authorization"}, "no Urgency, no Topic"
    token = message.headers["authorization"].split("t=")[1].split(",")[0]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == "https://push.example", "the audience drops the port"
    assert claims["sub"] == "mailto:ops@merci.example", "the subject is always mailto:"
    package.get("{}", subscription, ttl=60)
    assert package.get("{}", subscription).headers["ttl"] == "60", "a per-call override sticks"
    assert len(package.get("x" * 5000, subscription).encrypted) > 4096, "no 4 KB check"
