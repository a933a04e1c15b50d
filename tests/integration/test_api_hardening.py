"""The low items of the adversarial review (issue 10, point 6), each over the real app on a real SQLite file:
a line nested too deeply, a sync racing its account's erasure, a push endpoint held by another account, the
database file's mode, an id re-sent with other content."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.store.sqlite import SQLiteStore

from .api import meeting, running_app, settings, sign_up
from .test_push_api import GOOD as GOOD_KEYS


@pytest.fixture
async def client(tmp_path):
    async with running_app(tmp_path) as client:
        yield client


async def test_an_import_with_a_line_nested_too_deeply_rejects_that_line(client):
    account = await sign_up(client)
    nested = b"[" * 100_000 + b"]" * 100_000
    body = b"\n".join([b'{"id": "e1", "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:30:00+02:00",'
                       b' "data": {"meeting": "m1", "contacts": ["c-herve"]}}', nested])

    answer = await client.post("/api/import", content=body, headers=account.auth)

    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    assert answer.json()["rejected_count"] == 1
    (rejected,) = answer.json()["rejected"]
    assert rejected["line"] == 2 and "nested too deeply" in rejected["error"]


async def test_a_sync_with_a_body_nested_too_deeply_is_a_400(client):
    account = await sign_up(client)
    body = b'{"cursor": 0, "events": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    answer = await client.post("/api/sync", content=body, headers={**account.auth, "Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text


class ErasedMidRequest(SQLiteStore):
    """The real SQLite store, where the account's erasure lands between a sync's token check and its append (the
    race a second device erasing the account makes)."""

    async def append(self, account_id, device_id, events, now):
        await self.erase_account(account_id)
        return await super().append(account_id, device_id, events, now)


async def test_a_sync_racing_its_accounts_erasure_is_a_401_and_stores_nothing(tmp_path):
    store = ErasedMidRequest(tmp_path / "merci.sqlite3")
    async with AsyncTestClient(create_app(settings(tmp_path), store=store)) as client:
        account = await sign_up(client)

        answer = await client.post("/api/sync", json={"cursor": 0, "events": [meeting("e1")]}, headers=account.auth)
        after = await client.post("/api/sync", json={"cursor": 0, "events": []}, headers=account.auth)

        assert answer.status_code == 401, answer.text
        assert "no longer exists" in answer.json()["error"]
        assert answer.headers["www-authenticate"] == "Bearer"
        assert after.status_code == 401
        assert await store.read(account.id) == []


class ErasedBeforeThePull(SQLiteStore):
    """The real SQLite store, where the erasure lands after the token check, before the sync reads the log."""

    async def read(self, account_id, after=0, limit=1000):
        await self.erase_account(account_id)
        return await super().read(account_id, after, limit)


async def test_a_pull_racing_its_accounts_erasure_is_a_401_not_a_cursor_conflict(tmp_path):
    store = ErasedBeforeThePull(tmp_path / "merci.sqlite3")
    async with AsyncTestClient(create_app(settings(tmp_path), store=store)) as client:
        account = await sign_up(client)

        answer = await client.post("/api/sync", json={"cursor": 3, "events": []}, headers=account.auth)

    assert answer.status_code == 401, answer.text
    assert "no longer exists" in answer.json()["error"]


async def test_an_id_resent_with_other_content_is_listed_as_a_conflict_and_stores_nothing(client):
    account = await sign_up(client)
    await account.sync([meeting("e1", note="first"), meeting("e2")])

    answer = await account.sync([meeting("e1", note="changed"), meeting("e2"), meeting("e3"), meeting("e3", place="x")])

    assert answer["accepted"] == ["e3"]
    assert answer["duplicates"] == ["e1", "e2", "e3"]
    assert answer["conflicts"] == ["e1", "e3"]
    stored = {e["id"]: e["data"] for e in await account.log()}
    assert stored["e1"]["note"] == "first" and "place" not in stored["e3"]


async def test_a_plain_resend_has_no_conflicts(client):
    account = await sign_up(client)
    first = await account.sync([meeting("e1")])
    again = await account.sync([meeting("e1"), *first["events"]])
    assert first["conflicts"] == [] and again["conflicts"] == []
    assert again["duplicates"] == ["e1", "e1"]


async def test_an_endpoint_held_by_another_account_is_refused_with_a_409_and_stays_its_owners(tmp_path):
    async with running_app(tmp_path, push_scheduler=False) as client:
        ana, bob = await sign_up(client, "ana@example.org"), await sign_up(client, "bob@example.org")
        subscription = {"endpoint": "https://fcm.googleapis.com/fcm/send/ana-phone", "keys": GOOD_KEYS}
        assert (await client.post("/api/push/subscriptions", json=subscription, headers=ana.auth)).status_code == 201

        taken = await client.post("/api/push/subscriptions", json=subscription, headers=bob.auth)

        assert taken.status_code == 409, taken.text
        assert "another account" in taken.json()["error"] and taken.json()["field"] == "endpoint"
        anas = (await ana.get("/api/push/subscriptions")).json()["subscriptions"]
        assert [(s["device"], s["service"]) for s in anas] == [(ana.device, "fcm.googleapis.com")]
        assert (await bob.get("/api/push/subscriptions")).json()["subscriptions"] == []
