"""Accounts and devices over the real app and a real SQLite file: sign up, sign in, devices, password, erase."""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import time

import httpx
import pytest

from server.app import create_app

from .api import PASSWORD, meeting, running_app, settings, sign_in, sign_up


@pytest.fixture
async def client(tmp_path):
    async with running_app(tmp_path) as client:
        yield client


def dump(tmp_path) -> str:
    """Every row of the database as SQL text (the -wal included: sqlite3 reads it)."""
    with sqlite3.connect(tmp_path / "merci.sqlite3") as db:
        return "\n".join(db.iterdump())


async def test_signing_up_answers_a_token_that_opens_the_account(client):
    account = await sign_up(client)

    devices = (await account.get("/api/devices")).json()["devices"]

    assert [(d["id"], d["current"]) for d in devices] == [(account.device, True)]


async def test_the_time_zone_and_language_given_at_sign_up_are_the_first_event_of_the_log(client):
    account = await sign_up(client, timezone="Europe/Paris", language="fr")

    log = await account.log()
    settings = (await account.get("/api/settings")).json()

    assert [(e["type"], e["data"], e["seq"]) for e in log] == [
        ("settings_changed", {"timezone": "Europe/Paris", "language": "fr"}, 1)
    ]
    assert settings == {"timezone": "Europe/Paris", "reminder_hour": 9, "cadence_days": 90, "language": "fr"}


async def test_signing_up_without_settings_leaves_the_log_empty_and_the_settings_at_their_defaults(client):
    account = await sign_up(client)

    assert await account.log() == []
    assert (await account.get("/api/settings")).json() == {
        "timezone": "UTC", "reminder_hour": 9, "cadence_days": 90, "language": "en"
    }


async def test_an_email_has_one_account_whatever_its_case(client):
    await sign_up(client, "ann@example.org")

    answer = await client.post("/api/accounts", json={"email": "ANN@Example.org", "password": PASSWORD})

    assert answer.status_code == 409
    assert "already exists" in answer.json()["error"]


@pytest.mark.parametrize(("body", "named"), [
    ({"email": "not-an-email", "password": PASSWORD}, "email"),
    ({"email": "ann@example.org", "password": "short"}, "password"),
    ({"email": "ann@example.org", "password": PASSWORD, "timezone": "Mars/Olympus"}, "timezone"),
    ({"email": "ann@example.org", "password": PASSWORD, "language": "de"}, "language"),
    ({"email": "ann@example.org", "password": PASSWORD, "admin": True}, "admin"),
])
async def test_sign_up_refuses_bad_fields_naming_them_and_creates_nothing(client, body, named):
    answer = await client.post("/api/accounts", json=body)

    assert answer.status_code == 400
    assert f"`{named}`" in answer.json()["error"]
    assert (await client.post("/api/sessions", json={"email": "ann@example.org", "password": PASSWORD})).status_code == 401


async def test_each_device_signing_in_gets_its_own_token(client):
    phone = await sign_up(client, device_name="phone")

    laptop = await sign_in(client, "Ann@Example.org", device_name="laptop")

    assert laptop.id == phone.id
    assert laptop.token != phone.token and laptop.device != phone.device
    devices = (await laptop.get("/api/devices")).json()["devices"]
    assert [(d["name"], d["current"]) for d in devices] == [("phone", False), ("laptop", True)]


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client):
    await sign_up(client)

    wrong_password = await client.post("/api/sessions", json={"email": "ann@example.org", "password": "guess-guess"})
    unknown_email = await client.post("/api/sessions", json={"email": "bob@example.org", "password": "guess-guess"})

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json() == {"error": "wrong email or password"}


async def test_an_unknown_email_takes_as_long_to_refuse_as_a_wrong_password(tmp_path):
    # Given hashing costly enough to measure (a few ms)
    async with running_app(tmp_path, argon2_time_cost=2, argon2_memory_kib=16384, login_attempts_per_email=100,
                           login_attempts_per_address=100) as client:
        await sign_up(client)

        async def refusal_ms(email: str) -> float:
            # the CPU this process spent (the app runs in it; argon2 in its threads counts too): the machine's
            # other load, which stretches wall-clock time at random, does not change it
            started = time.process_time()
            answer = await client.post("/api/sessions", json={"email": email, "password": "guess-guess"})
            assert answer.status_code == 401
            return (time.process_time() - started) * 1000

        # When both are tried, interleaved
        known, unknown = [], []
        for _ in range(7):
            known.append(await refusal_ms("ann@example.org"))
            unknown.append(await refusal_ms("bob@example.org"))

    # Then an unknown email is not answered noticeably faster (it hashes a dummy password)
    assert statistics.median(unknown) > 0.6 * statistics.median(known), (known, unknown)


async def test_log_in_attempts_are_limited_per_email_and_address_even_with_the_right_password(tmp_path):
    async with running_app(tmp_path, login_attempts_per_email_and_address=3) as client:
        await sign_up(client)
        for _ in range(3):
            await client.post("/api/sessions", json={"email": "ann@example.org", "password": "guess-guess"})

        limited = await client.post("/api/sessions", json={"email": "ANN@example.org", "password": PASSWORD})
        other_email = await client.post("/api/sessions", json={"email": "bob@example.org", "password": PASSWORD})

    assert limited.status_code == 429
    assert "too many log-in attempts" in limited.json()["error"]
    assert int(limited.headers["Retry-After"]) >= 1
    assert other_email.status_code == 401


async def test_log_in_attempts_are_limited_per_client_address_across_emails(tmp_path):
    async with running_app(tmp_path, login_attempts_per_address=3) as client:
        answers = [
            await client.post("/api/sessions", json={"email": f"user{i}@example.org", "password": "guess-guess"})
            for i in range(4)
        ]

    assert [a.status_code for a in answers] == [401, 401, 401, 429]


async def test_sign_ups_are_limited_per_client_address(tmp_path):
    async with running_app(tmp_path, signups_per_address=2) as client:
        answers = [
            await client.post("/api/accounts", json={"email": f"user{i}@example.org", "password": PASSWORD})
            for i in range(3)
        ]

    assert [a.status_code for a in answers] == [201, 201, 429]


async def test_revoking_a_device_stops_its_token_at_once(client):
    phone = await sign_up(client)
    laptop = await phone.new_device()

    revoked = await client.delete(f"/api/devices/{laptop.device}", headers=phone.auth)

    assert revoked.status_code == 204
    assert (await laptop.get("/api/devices")).status_code == 401
    assert [d["id"] for d in (await phone.get("/api/devices")).json()["devices"]] == [phone.device]


async def test_revoking_an_unknown_device_answers_404_naming_it(client):
    account = await sign_up(client)

    answer = await client.delete("/api/devices/no-such-device", headers=account.auth)

    assert answer.status_code == 404
    assert "no-such-device" in answer.json()["error"]


async def test_logging_out_revokes_only_this_device(client):
    phone = await sign_up(client)
    laptop = await phone.new_device()

    answer = await client.post("/api/sessions/logout", headers=laptop.auth)

    assert answer.status_code == 204
    assert (await laptop.get("/api/devices")).status_code == 401
    assert (await phone.get("/api/devices")).status_code == 200


async def test_changing_the_password_needs_the_current_one(client):
    account = await sign_up(client)

    answer = await client.put("/api/account/password", headers=account.auth,
                              json={"current_password": "guess-guess", "new_password": "a new passphrase"})

    assert answer.status_code == 403
    assert "password" in answer.json()["error"]
    assert (await client.post("/api/sessions", json={"email": account.email, "password": PASSWORD})).status_code == 201


async def test_changing_the_password_signs_out_the_other_devices(client):
    phone = await sign_up(client)
    laptop = await phone.new_device()

    answer = await client.put("/api/account/password", headers=phone.auth,
                              json={"current_password": PASSWORD, "new_password": "a new passphrase"})

    assert answer.status_code == 204
    assert (await laptop.get("/api/devices")).status_code == 401
    assert (await phone.get("/api/devices")).status_code == 200
    old = await client.post("/api/sessions", json={"email": phone.email, "password": PASSWORD})
    assert old.status_code == 401
    await sign_in(client, phone.email, "a new passphrase")


async def test_changing_the_password_can_keep_the_other_devices_signed_in(client):
    phone = await sign_up(client)
    laptop = await phone.new_device()

    await client.put("/api/account/password", headers=phone.auth, json={
        "current_password": PASSWORD, "new_password": "a new passphrase", "sign_out_other_devices": False,
    })

    assert (await laptop.get("/api/devices")).status_code == 200


async def test_erasing_the_account_removes_every_row_of_it(client, tmp_path):
    # Given an account with two devices and events, and another account
    ann = await sign_up(client, "ann@example.org", timezone="Europe/Paris")
    await ann.new_device()
    await ann.sync([meeting("e-ann-1"), meeting("e-ann-2")])
    bob = await sign_up(client, "bob@example.org")
    await bob.sync([meeting("e-bob-1")])

    # When Ann erases hers
    answer = await client.request("DELETE", "/api/account", headers=ann.auth, json={"password": PASSWORD})

    # Then nothing of Ann's is left in the database, her token is dead, her email is free again; Bob's stays
    assert answer.status_code == 204
    rows = dump(tmp_path)
    assert ann.id not in rows and "e-ann-1" not in rows and "ann@example.org" not in rows
    assert "e-bob-1" in rows
    assert (await ann.get("/api/audit")).status_code == 401
    again = await sign_up(client, "ann@example.org")
    assert again.id != ann.id and await again.log() == []
    assert [e["id"] for e in await bob.log()] == ["e-bob-1"]


async def test_erasing_the_account_needs_the_password(client):
    account = await sign_up(client)
    await account.sync([meeting("e1")])

    answer = await client.request("DELETE", "/api/account", headers=account.auth, json={"password": "guess-guess"})

    assert answer.status_code == 403
    assert [e["id"] for e in await account.log()] == ["e1"]


async def test_tokens_and_passwords_are_stored_only_as_hashes(client, tmp_path):
    account = await sign_up(client)
    second = await account.new_device()

    rows = dump(tmp_path)

    assert account.token not in rows and second.token not in rows
    assert PASSWORD not in rows
    assert "$argon2id$" in rows


async def test_a_devices_last_use_is_recorded(client):
    account = await sign_up(client)

    await account.sync([])
    devices = (await account.get("/api/devices")).json()["devices"]

    assert devices[0]["last_seen_at"] is not None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _sign_in_held_after_its_password_check(app, client, then):
    """Sign in as ann while `then()` runs between the password check and the new device (the check is slow:
    argon2); the sign-in's answer."""
    passwords = app.state.passwords
    real_verify = passwords.verify
    release, verified = asyncio.Event(), asyncio.Event()

    async def slow_verify(hashed, password):
        ok = await real_verify(hashed, password)
        if not verified.is_set():
            verified.set()
            await release.wait()
        return ok

    passwords.verify = slow_verify
    signing_in = asyncio.create_task(client.post("/api/sessions", json={"email": "ann@example.org", "password": PASSWORD}))
    await verified.wait()
    passwords.verify = real_verify
    await then()
    release.set()
    return await signing_in


async def test_a_sign_in_checked_against_the_old_password_adds_no_device_once_it_changed(tmp_path):
    app = create_app(settings(tmp_path))
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        owner = bearer((await client.post("/api/accounts", json={"email": "ann@example.org", "password": PASSWORD})).json()["token"])

        async def change_password():
            answer = await client.put("/api/account/password", headers=owner, json={
                "current_password": PASSWORD, "new_password": "a whole new secret 123", "sign_out_other_devices": True})
            assert answer.status_code == 204, answer.text

        answer = await _sign_in_held_after_its_password_check(app, client, change_password)
        assert answer.status_code == 401, answer.text
        assert len((await client.get("/api/devices", headers=owner)).json()["devices"]) == 1


async def test_a_sign_in_to_an_account_erased_meanwhile_is_refused_not_a_server_error(tmp_path):
    app = create_app(settings(tmp_path))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        owner = bearer((await client.post("/api/accounts", json={"email": "ann@example.org", "password": PASSWORD})).json()["token"])

        async def erase():
            answer = await client.request("DELETE", "/api/account", headers=owner, json={"password": PASSWORD})
            assert answer.status_code == 204, answer.text

        answer = await _sign_in_held_after_its_password_check(app, client, erase)
        assert answer.status_code == 401, answer.text


async def test_an_email_with_a_non_ascii_capital_signs_in_whatever_its_case(tmp_path):
    async with running_app(tmp_path) as client:
        assert (await client.post("/api/accounts", json={"email": "Élodie@example.org", "password": PASSWORD})).status_code == 201
        for typed in ("Élodie@example.org", "élodie@example.org", "ÉLODIE@EXAMPLE.ORG"):
            answer = await client.post("/api/sessions", json={"email": typed, "password": PASSWORD})
            assert answer.status_code == 201, (typed, answer.text)
        again = await client.post("/api/accounts", json={"email": "élodie@example.org", "password": PASSWORD})
        assert again.status_code == 409
