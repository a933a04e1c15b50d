"""Log-in limits that bound password guessing without letting strangers lock the owner out (issue 10, point 2).

Each client gets its address the way uvicorn gives it, in the ASGI scope: the real app, with the address a
test names in a header (loopback alone could not show two networks)."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.ratelimit import RateLimiter, RecentKeys, address_key, hit_all

from .api import PASSWORD, settings

ADDRESS_HEADER = b"x-test-client-address"
OWNER = "ann@example.org"


@asynccontextmanager
async def app_seen_from(data: Path, **overrides: Any) -> AsyncIterator[AsyncTestClient]:
    """The real app; each request comes from the address in its `X-Test-Client-Address` header."""
    app = create_app(settings(data, **overrides))
    inner = app.asgi_handler

    async def from_address(scope, receive, send):
        if scope["type"] == "http":
            named = dict(scope["headers"]).get(ADDRESS_HEADER)
            if named:
                scope["client"] = (named.decode(), 50000)
        await inner(scope, receive, send)

    app.asgi_handler = from_address
    async with AsyncTestClient(app) as client:
        yield client


async def log_in(client: AsyncTestClient, address: str, password: str = PASSWORD, email: str = OWNER):
    return await client.post("/api/sessions", json={"email": email, "password": password},
                             headers={"X-Test-Client-Address": address})


async def sign_up_from(client: AsyncTestClient, address: str) -> dict:
    answer = await client.post("/api/accounts", json={"email": OWNER, "password": PASSWORD},
                               headers={"X-Test-Client-Address": address})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_the_owner_logs_in_from_their_address_after_strangers_failed_from_others(tmp_path):
    async with app_seen_from(tmp_path) as client:
        await sign_up_from(client, "198.51.100.7")
        # Given strangers who guessed the owner's password from five addresses until refused
        strangers = []
        for n in range(5):
            strangers += [(await log_in(client, f"203.0.113.{n}", "guess-guess")).status_code for _ in range(11)]
        assert strangers.count(429) == 5  # each address was stopped after its 10 guesses

        # When the owner logs in from an address never used before
        owner = await log_in(client, "192.0.2.10")

    # Then they are let in
    assert owner.status_code == 201, owner.text


async def test_the_per_email_ceiling_spares_an_address_the_owner_signed_in_from(tmp_path):
    async with app_seen_from(tmp_path, login_attempts_per_email=20) as client:
        await sign_up_from(client, "198.51.100.7")
        assert (await log_in(client, "192.0.2.10")).status_code == 201  # the owner's phone, at home
        # Given strangers spread over many addresses, past the per-email ceiling
        for n in range(4):
            for _ in range(10):
                await log_in(client, f"203.0.113.{n}", "guess-guess")

        new_stranger = await log_in(client, "203.0.113.99", "guess-guess")
        owner_at_home = await log_in(client, "192.0.2.10")
        owner_where_they_signed_up = await log_in(client, "198.51.100.7")

    # Then the ceiling still stops a new address, and not the owner's
    assert new_stranger.status_code == 429
    assert "too many log-in attempts" in new_stranger.json()["error"]
    assert owner_at_home.status_code == 201, owner_at_home.text
    assert owner_where_they_signed_up.status_code == 201, owner_where_they_signed_up.text


async def test_guessing_from_one_address_is_still_bounded_per_address_across_emails(tmp_path):
    async with app_seen_from(tmp_path, login_attempts_per_address=12) as client:
        await sign_up_from(client, "198.51.100.7")
        answers = [
            (await log_in(client, "203.0.113.5", "guess-guess", email=f"user{n}@example.org")).status_code
            for n in range(13)
        ]
        right_password_too_late = await log_in(client, "203.0.113.5")

    assert answers == [401] * 12 + [429]
    assert right_password_too_late.status_code == 429


async def test_guessing_one_email_from_one_address_stops_after_ten(tmp_path):
    async with app_seen_from(tmp_path) as client:
        await sign_up_from(client, "198.51.100.7")
        answers = [(await log_in(client, "203.0.113.5", "guess-guess")).status_code for _ in range(11)]
        right_password_too_late = await log_in(client, "203.0.113.5")
        same_email_elsewhere = await log_in(client, "203.0.113.6")

    assert answers == [401] * 10 + [429]
    assert right_password_too_late.status_code == 429
    assert same_email_elsewhere.status_code == 201


async def test_addresses_of_one_ipv6_64_share_their_limit(tmp_path):
    async with app_seen_from(tmp_path, login_attempts_per_address=3) as client:
        answers = [
            (await log_in(client, f"2001:db8:1:2::{n:x}", "guess-guess", email=f"user{n}@example.org")).status_code
            for n in range(4)
        ]
        next_network = await log_in(client, "2001:db8:1:3::1", "guess-guess", email="user9@example.org")

    assert answers == [401, 401, 401, 429]
    assert next_network.status_code == 401


def test_an_ipv6_address_is_keyed_by_its_64_and_others_as_they_are():
    assert address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert address_key("::ffff:203.0.113.5") == "203.0.113.5"
    assert address_key("203.0.113.5") == "203.0.113.5"
    assert address_key("fe80::1%eth0") == "fe80::/64"
    assert address_key("testclient") == "testclient"


def test_a_refused_hit_spends_nothing_from_the_other_buckets():
    now = [0.0]
    tight, loose = RateLimiter(1, 60, clock=lambda: now[0]), RateLimiter(3, 60, clock=lambda: now[0])
    assert hit_all([(tight, "a"), (loose, "x")]) == 0
    for _ in range(5):
        assert hit_all([(tight, "a"), (loose, "x")]) > 0
    # "x" was spent once only: two more hits with another tight key get through
    assert hit_all([(tight, "b"), (loose, "x")]) == 0
    assert hit_all([(tight, "c"), (loose, "x")]) == 0
    assert hit_all([(tight, "d"), (loose, "x")]) > 0


def test_recent_keys_forget_after_their_time_and_past_their_number():
    now = [0.0]
    recent = RecentKeys(10, max_keys=2, clock=lambda: now[0])
    recent.add("a")
    now[0] = 9.9
    assert "a" in recent
    now[0] = 10.0
    assert "a" not in recent
    recent.add("a"), recent.add("b"), recent.add("c")
    assert "a" not in recent and "b" in recent and "c" in recent


async def change_password(client: AsyncTestClient, token: str, current: str, address: str = "198.51.100.7"):
    change = {"current_password": current, "new_password": "a new passphrase", "sign_out_other_devices": False}
    return await client.put("/api/account/password", json=change,
                            headers={"Authorization": f"Bearer {token}", "X-Test-Client-Address": address})


async def test_strangers_log_in_failures_do_not_stop_a_signed_in_device_changing_the_password(tmp_path):
    async with app_seen_from(tmp_path, login_attempts_per_email=5) as client:
        phone = await sign_up_from(client, "198.51.100.7")
        for n in range(10):  # the email's ceiling is spent, from strangers' addresses
            await log_in(client, f"203.0.113.{n}", "guess-guess")
        assert (await log_in(client, "203.0.113.99", "guess-guess")).status_code == 429

        changed = await change_password(client, phone["token"], PASSWORD)
        erased = await client.request(
            "DELETE", "/api/account", json={"password": "a new passphrase"},
            headers={"Authorization": f"Bearer {phone['token']}"},
        )

    assert changed.status_code == 204, changed.text
    assert erased.status_code == 204, erased.text


async def test_password_checks_are_limited_per_device(tmp_path):
    async with app_seen_from(tmp_path, password_checks_per_device=3) as client:
        phone = await sign_up_from(client, "198.51.100.7")
        laptop = (await log_in(client, "198.51.100.7")).json()
        wrong = [(await change_password(client, phone["token"], "guess-guess")).status_code for _ in range(4)]
        right_too_late = await change_password(client, phone["token"], PASSWORD)
        erase_too = await client.request("DELETE", "/api/account", json={"password": PASSWORD},
                                         headers={"Authorization": f"Bearer {phone['token']}"})
        other_device = await change_password(client, laptop["token"], PASSWORD)

    assert wrong == [403, 403, 403, 429]
    assert right_too_late.status_code == 429
    assert "too many password attempts from this device" in right_too_late.json()["error"]
    assert int(right_too_late.headers["Retry-After"]) >= 1
    assert erase_too.status_code == 429
    assert other_device.status_code == 204, other_device.text


@given(st.integers(0, 2**128 - 1), st.integers(0, 2**64 - 1))
def test_two_ipv6_addresses_share_a_key_exactly_when_they_share_their_64(address, other_low):
    one = ipaddress.IPv6Address(address)
    assume(one.ipv4_mapped is None)
    same_network = ipaddress.IPv6Address((address >> 64 << 64) | other_low)
    next_network = ipaddress.IPv6Address(address ^ (1 << 64))
    assert address_key(str(one)) == address_key(str(same_network)) or same_network.ipv4_mapped is not None
    assert address_key(str(one)) != address_key(str(next_network)) or next_network.ipv4_mapped is not None


@given(st.lists(st.tuples(st.sampled_from("abc"), st.floats(0, 30)), max_size=60))
def test_the_loose_bucket_is_spent_only_by_hits_every_bucket_allowed(hits):
    now = [0.0]
    tight, loose = RateLimiter(2, 60, clock=lambda: now[0]), RateLimiter(5, 600, clock=lambda: now[0])
    shadow = RateLimiter(5, 600, clock=lambda: now[0])
    for key, pause in hits:
        now[0] += pause
        if hit_all([(tight, key), (loose, "x")]) == 0:
            assert shadow.hit("x") == 0  # the loose bucket counted exactly the hits let through
    assert loose.wait("x") == shadow.wait("x")
