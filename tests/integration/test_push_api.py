"""The push routes over the real app: the VAPID key (made once, kept 0600, or configured), subscriptions
per device, the test notification through the local push service, the delivery log, and the SSRF table."""

from __future__ import annotations

import stat

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import ec

from server.push.keys import KEY_FILE, VapidKeys, b64url

from .api import running_app, sign_up
from .push_receiver import PushReceiver, b64, new_subscription, unb64

SUBJECT = "mailto:ops@merci.example"
PUSH = {"push_allow_local": True, "push_scheduler": False, "vapid_subject": SUBJECT}


@pytest.fixture(scope="module")
def receiver():
    with PushReceiver(subject=SUBJECT) as running:
        yield running


async def test_the_key_is_made_on_first_start_kept_0600_and_the_same_after_a_restart(tmp_path):
    async with running_app(tmp_path, push_scheduler=False) as client:
        first = (await client.get("/api/push/key")).json()["public_key"]
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    async with running_app(tmp_path, push_scheduler=False) as client:
        assert (await client.get("/api/push/key")).json() == {"public_key": first}
    point = VapidKeys.parse(path.read_text()).public_key
    assert point == first and len(first) == 87  # 65 bytes, base64url without padding


async def test_a_configured_key_is_used_and_nothing_is_written(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    raw = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    async with running_app(tmp_path, push_scheduler=False, vapid_private_key=raw) as client:
        served = (await client.get("/api/push/key")).json()["public_key"]
    assert served == VapidKeys(key).public_key
    assert not (tmp_path / KEY_FILE).exists()


async def test_a_device_subscribes_gets_a_test_notification_and_sees_it_in_the_delivery_log(tmp_path, receiver):
    async with running_app(tmp_path, **PUSH) as client:
        receiver.vapid_public_key = (await client.get("/api/push/key")).json()["public_key"]
        ana = await sign_up(client, "ana@example.org", language="fr")
        sub = receiver.subscribe()
        saved = await client.post("/api/push/subscriptions", json=sub.to_json(), headers=ana.auth)
        assert saved.status_code == 201, saved.text
        assert saved.json()["current"] is True and saved.json()["service"] == "127.0.0.1"
        assert saved.json()["last_sent_at"] is None

        answer = await client.post("/api/push/test", headers=ana.auth)
        assert answer.status_code == 200, answer.text
        assert answer.json()["delivered"] == 1
        (got,) = receiver.messages(sub)
        assert got.message["kind"] == "test" and got.message["body"].startswith("Les rappels fonctionnent")
        assert got.headers["urgency"] == "high" and got.headers["topic"] == "merci-test"

        receiver.respond(sub, (403, {}))
        refused = await client.post("/api/push/test", headers=ana.auth)
        assert refused.status_code == 502
        assert refused.json()["error"] == "the test notification did not get through: the push service refused the message (403)"
        (logged,) = (await ana.get("/api/push/subscriptions")).json()["subscriptions"]
        assert logged["last_sent_at"] is not None and logged["last_digest_day"] is None
        assert logged["last_failure"] == "the push service refused the message (403)"
        assert logged["device_name"] == "first device"

        receiver.respond(sub, 410)
        gone = await client.post("/api/push/test", headers=ana.auth)
        assert gone.status_code == 502 and "gone" in gone.json()["error"]
        assert (await ana.get("/api/push/subscriptions")).json() == {"subscriptions": []}
    assert not receiver.problems


async def test_re_sending_the_subscription_on_each_start_keeps_one_per_device(tmp_path, receiver):
    async with running_app(tmp_path, **PUSH) as client:
        ana = await sign_up(client, "ana@example.org")
        laptop = await ana.new_device("laptop")
        sub = receiver.subscribe()
        for _ in range(3):
            assert (await client.post("/api/push/subscriptions", json=sub.to_json(), headers=ana.auth)).status_code == 201
        rotated = receiver.subscribe()  # the browser's endpoint changed
        await client.post("/api/push/subscriptions", json=rotated.to_json(), headers=ana.auth)
        await client.post("/api/push/subscriptions", json=receiver.subscribe().to_json(), headers=laptop.auth)
        listed = (await ana.get("/api/push/subscriptions")).json()["subscriptions"]
        assert [(s["device_name"], s["current"]) for s in listed] == [("first device", True), ("laptop", False)]


async def test_subscriptions_are_removed_by_endpoint_or_id_by_their_account_only(tmp_path, receiver):
    async with running_app(tmp_path, **PUSH) as client:
        ana, bob = await sign_up(client, "ana@example.org"), await sign_up(client, "bob@example.org")
        sub = receiver.subscribe()
        saved = (await client.post("/api/push/subscriptions", json=sub.to_json(), headers=ana.auth)).json()
        not_bobs = await client.request("DELETE", "/api/push/subscriptions", json={"endpoint": sub.endpoint}, headers=bob.auth)
        assert not_bobs.status_code == 404
        assert (await client.delete(f"/api/push/subscriptions/{saved['id']}", headers=bob.auth)).status_code == 404
        removed = await client.request("DELETE", "/api/push/subscriptions", json={"endpoint": sub.endpoint}, headers=ana.auth)
        assert removed.status_code == 204
        again = (await client.post("/api/push/subscriptions", json=sub.to_json(), headers=ana.auth)).json()
        assert (await client.delete(f"/api/push/subscriptions/{again['id']}", headers=ana.auth)).status_code == 204
        assert (await ana.get("/api/push/subscriptions")).json() == {"subscriptions": []}
        assert (await client.post("/api/push/test", headers=ana.auth)).status_code == 409


async def test_signing_out_or_erasing_the_account_removes_the_subscription(tmp_path, receiver):
    async with running_app(tmp_path, **PUSH) as client:
        ana = await sign_up(client, "ana@example.org")
        phone = await ana.new_device("phone")
        await client.post("/api/push/subscriptions", json=receiver.subscribe().to_json(), headers=phone.auth)
        await client.post("/api/push/subscriptions", json=receiver.subscribe().to_json(), headers=ana.auth)
        assert (await client.post("/api/sessions/logout", headers=phone.auth)).status_code == 204
        assert [s["device_name"] for s in (await ana.get("/api/push/subscriptions")).json()["subscriptions"]] == ["first device"]
        store = client.app.state.services.store
        erased = await client.request("DELETE", "/api/account", json={"password": "correct horse battery"}, headers=ana.auth)
        assert erased.status_code == 204
        assert await store.subscribed_accounts() == []


async def test_the_key_needs_no_token_but_subscriptions_do(tmp_path):
    async with running_app(tmp_path, push_scheduler=False) as client:
        assert (await client.get("/api/push/key")).status_code == 200
        assert (await client.get("/api/push/subscriptions")).status_code == 401
        assert (await client.post("/api/push/test")).status_code == 401


# --- the SSRF table -----------------------------------------------------------------------------------

GOOD = new_subscription("https://fcm.googleapis.com/fcm/send/abc").to_json()["keys"]
POINT = unb64(GOOD["p256dh"])
LONG = "https://fcm.googleapis.com/fcm/send/" + "a" * 2000

REFUSED = [
    ("http://fcm.googleapis.com/fcm/send/abc", "only https:// endpoints"),
    ("https://fcm.googleapis.com:8443/fcm/send/abc", "port is 8443"),
    ("https://fcm.googleapis.com:80/fcm/send/abc", "port is 80"),
    ("https://127.0.0.1/push/abc", "127.0.0.1 is a loopback address"),
    ("https://[::1]/push/abc", "::1 is a loopback address"),
    ("https://10.0.0.1/push/abc", "10.0.0.1 is a private address"),
    ("https://192.168.1.20/push/abc", "a private address"),
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("https://[fd00::1]/push/abc", "a private address"),
    ("https://[::ffff:127.0.0.1]/push/abc", "(::ffff:7f00:1) is a loopback address"),
    ("https://2130706433/push/abc", "2130706433 (127.0.0.1) is a loopback address"),
    ("https://0x7f.1/push/abc", "loopback"),
    ("https://localhost/push/abc", "not a known push service"),
    ("https://push.evil.example/fcm/send/abc", "not a known push service"),
    ("https://127.0.0.1/.fcm.googleapis.com/abc", "127.0.0.1 is a loopback address"),
    ("https://fcm.googleapis.com.evil.example/abc", "not a known push service"),
    ("https://evilfcm.googleapis.com/abc", "not a known push service"),
    ("https://fcm.googleapis.com@127.0.0.1/abc", "user name or password"),
    ("https://user:pw@fcm.googleapis.com/abc", "user name or password"),
    ("https://fcm.googleapis.com\\@127.0.0.1/abc", "backslashes"),
    ("https://fcm.googleapis.com./fcm/send/abc", "not a valid host name"),
    ("https://fcm.googleapis.com/fcm/send/abc#x", "fragment"),
    ("https://fcm.googleapis.com/fcm/send/a b", "spaces"),
    ("https://fcm.googleapis.com/fcm/send/abc\n", "control"),
    ("https://fcm.googleapis.com/fcm/send/abc\r\nX-Evil: 1", "control"),
    ("https://push.apple.com/abc", "not a known push service"),  # *.push.apple.com: subdomains only
    ("https://[fcm.googleapis.com]/x", "not a valid URL"),  # brackets around a name: urlsplit's ValueError
    ("https://[::1/x", "not a valid URL"),  # an unclosed bracket
    ("https://[::1]/x", "::1 is a loopback address"),
    ("file:///etc/passwd", "must be an https:// URL"),
    ("gopher://fcm.googleapis.com/abc", "must be an https:// URL"),
    ("", "expected a non-empty string"),
    (LONG, "at most 2000 characters"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def strict(tmp_path_factory):
    """One server for the whole table: the default list of push services, no local receiver allowed."""
    async with running_app(tmp_path_factory.mktemp("strict"), push_scheduler=False) as client:
        account = await sign_up(client, "ssrf@example.org")
        yield client, account


table = pytest.mark.asyncio(loop_scope="module")


@table
@pytest.mark.parametrize(("endpoint", "why"), REFUSED)
async def test_each_dangerous_endpoint_is_refused_with_a_clear_400(strict, endpoint, why):
    client, account = strict
    answer = await client.post("/api/push/subscriptions", json={"endpoint": endpoint, "keys": GOOD}, headers=account.auth)
    assert answer.status_code == 400, answer.text
    assert why in answer.json()["error"]


@table
@pytest.mark.parametrize(("keys", "why"), [
    ({"p256dh": b64(POINT[:64]), "auth": GOOD["auth"]}, "got 64 bytes"),
    ({"p256dh": b64(POINT + b"\x00"), "auth": GOOD["auth"]}, "got 66 bytes"),
    ({"p256dh": b64(POINT[:33]), "auth": GOOD["auth"]}, "got 33 bytes"),  # a compressed point
    ({"p256dh": b64(POINT[:-1] + bytes([POINT[-1] ^ 1])), "auth": GOOD["auth"]}, "not a point on the P-256 curve"),
    ({"p256dh": GOOD["p256dh"], "auth": b64(b"x" * 14)}, "must be 16 bytes; got 14"),
    ({"p256dh": GOOD["p256dh"], "auth": b64(b"x" * 32)}, "must be 16 bytes; got 32"),
    ({"p256dh": GOOD["p256dh"], "auth": "not base64!"}, "not base64url"),
    ({"p256dh": "***", "auth": GOOD["auth"]}, "not base64url"),
])
async def test_bad_keys_are_refused_with_a_clear_400(strict, keys, why):
    client, account = strict
    answer = await client.post("/api/push/subscriptions", json={"endpoint": "https://fcm.googleapis.com/fcm/send/abc",
                                                                 "keys": keys}, headers=account.auth)
    assert answer.status_code == 400, answer.text
    assert why in answer.json()["error"]


@table
@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
    "https://web.push.apple.com/QO6t5lTRXtR",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAABc%2bd",
])
async def test_real_push_services_are_accepted(strict, endpoint):
    client, account = strict
    answer = await client.post("/api/push/subscriptions", json={"endpoint": endpoint, "keys": GOOD, "expirationTime": None},
                               headers=account.auth)
    assert answer.status_code == 201, answer.text


async def test_a_listed_host_that_resolves_to_a_private_address_is_refused_when_sending():
    from server.push.endpoints import EndpointPolicy, EndpointRefused

    policy = EndpointPolicy(("localhost",))  # on the list, but its DNS answer is 127.0.0.1
    assert policy.check("https://localhost/push/x") == "localhost"
    with pytest.raises(EndpointRefused, match="resolves to 127.0.0.1, a loopback address"):
        await policy.check_before_sending("https://localhost/push/x")
