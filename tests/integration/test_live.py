"""The live channel (`GET /api/live`) on real `merci serve` processes: news of an append reaches the account's
other devices at once, through any instance sharing PostgreSQL, and never another account's; a device that was
away pulls everything it missed; the stream needs a working token; a stopping server ends its streams and the
devices connect again once it is back."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx
import pytest

from tests.e2e.server import MerciServer, bearer, meeting, sign_in, sign_up

from .live_client import LiveStream, StreamEnded

FAST = {"MERCI_PUSH_SCHEDULER": "0", "MERCI_LIVE_HEARTBEAT_SECONDS": "0.2", "MERCI_LIVE_RECHECK_SECONDS": "0.2"}
QUIET = 1.0
"""How long a stream that must hear nothing is watched (news, when it comes, comes within milliseconds)."""


@pytest.fixture
def server(tmp_path):
    with MerciServer(tmp_path / "data", env=FAST) as running:
        yield running


def push(url: str, token: str, *ids: str, cursor: int = 0) -> dict:
    answer = httpx.post(f"{url}/api/sync", json={"cursor": cursor, "events": [meeting(i) for i in ids]},
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def apush(url: str, token: str, *ids: str) -> dict:
    return await asyncio.to_thread(push, url, token, *ids)


def client(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=10)


# --- one instance (SQLite) --------------------------------------------------------------------------------


def test_an_append_is_news_for_the_accounts_other_devices_and_for_no_other_account(server):
    phone = sign_up(server.url, timezone="Europe/Paris")
    laptop = sign_in(server.url, device_name="laptop")
    stranger = sign_up(server.url, "bob@example.org", timezone="Europe/Paris")

    async def run() -> None:
        async with client(server.url) as http, LiveStream(http, laptop["token"]) as on_laptop, \
                LiveStream(http, stranger["token"]) as on_stranger:
            # At once: where each account's log ends (its sign-up settings), so a device syncs if it is behind
            assert await on_laptop.next() == ("log", {"last_seq": 1})
            assert await on_stranger.next() == ("log", {"last_seq": 1})
            acknowledged = await apush(server.url, phone["token"], "m-1")
            assert acknowledged["accepted"] == ["m-1"]
            assert await on_laptop.next() == ("log", {"last_seq": 2})
            pulled = push(server.url, laptop["token"], cursor=1)
            assert [e["id"] for e in pulled["events"]] == ["m-1"] and pulled["cursor"] == 2
            assert await on_stranger.quiet_for(QUIET), "another account's append is no news to this one"
            await apush(server.url, stranger["token"], "s-1")
            assert await on_stranger.next() == ("log", {"last_seq": 2})
            assert await on_laptop.quiet_for(QUIET)
            assert on_laptop.comments > 0, "keep-alive comments while idle"

    asyncio.run(run())


def test_a_device_that_was_away_pulls_everything_it_missed_once_it_reconnects(server):
    phone = sign_up(server.url, timezone="Europe/Paris")
    laptop = sign_in(server.url, device_name="laptop")
    cursor = push(server.url, laptop["token"])["cursor"]

    async def run() -> None:
        async with client(server.url) as http:
            async with LiveStream(http, laptop["token"]) as stream:
                assert await stream.next() == ("log", {"last_seq": cursor})
            for n in range(3):  # while the laptop's stream is down
                await apush(server.url, phone["token"], f"m-{n}", f"n-{n}")
            async with LiveStream(http, laptop["token"]) as stream:
                assert await stream.next() == ("log", {"last_seq": cursor + 6})
        pulled = push(server.url, laptop["token"], cursor=cursor)
        assert [e["id"] for e in pulled["events"]] == ["m-0", "n-0", "m-1", "n-1", "m-2", "n-2"]

    asyncio.run(run())


def test_the_stream_needs_a_working_token_and_ends_when_its_device_is_revoked(server):
    phone = sign_up(server.url, timezone="Europe/Paris")
    laptop = sign_in(server.url, device_name="laptop")
    tablet = sign_in(server.url, device_name="tablet")
    assert httpx.get(f"{server.url}/api/live", timeout=5).status_code == 401
    wrong = httpx.get(f"{server.url}/api/live", headers=bearer("merci_not-a-token"), timeout=5)
    assert wrong.status_code == 401 and "unknown or was revoked" in wrong.json()["error"]

    async def run() -> None:
        async with client(server.url) as http, LiveStream(http, laptop["token"]) as stream:
            assert (await stream.next())[0] == "log"
            revoked = await http.delete(f"/api/devices/{laptop['device']}", headers=bearer(phone["token"]))
            assert revoked.status_code == 204
            assert await stream.next() == ("revoked", {})
            with pytest.raises(StreamEnded):
                await stream.next()
        with pytest.raises(httpx.HTTPStatusError) as refused:
            async with client(server.url) as http, LiveStream(http, laptop["token"]) as stream:
                stream.response.raise_for_status()
        assert refused.value.response.status_code == 401
        async with client(server.url) as http, LiveStream(http, tablet["token"]) as still:
            assert (await still.next())[0] == "log", "the account's other devices still follow"

    asyncio.run(run())


def test_a_device_may_hold_only_so_many_streams(tmp_path):
    with MerciServer(tmp_path / "data", env={**FAST, "MERCI_LIVE_STREAMS_PER_DEVICE": "2"}) as server:
        phone = sign_up(server.url, timezone="Europe/Paris")

        async def run() -> None:
            async with client(server.url) as http, LiveStream(http, phone["token"]) as one, \
                    LiveStream(http, phone["token"]) as two:
                await one.next(), await two.next()
                third = await http.get("/api/live", headers=bearer(phone["token"]))
                assert third.status_code == 429 and "2 live streams" in third.json()["error"]
            async with client(server.url) as http, LiveStream(http, phone["token"]) as again:
                assert (await again.next())[0] == "log", "closed streams are counted out"

        asyncio.run(run())


def test_a_stopping_server_ends_its_streams_and_devices_follow_again_once_it_is_back(server):
    phone = sign_up(server.url, timezone="Europe/Paris")
    laptop = sign_in(server.url, device_name="laptop")

    async def before() -> None:
        async with client(server.url) as http, LiveStream(http, laptop["token"]) as stream:
            assert await stream.next() == ("log", {"last_seq": 1})
            started = time.monotonic()
            assert await asyncio.to_thread(server.stop) == -15  # uvicorn re-raises the SIGTERM once it has stopped
            # uvicorn waits up to 10 s for open responses: a live stream never ends by itself, so the server
            # ends them when it stops
            assert time.monotonic() - started < 5
            with pytest.raises(StreamEnded):
                await stream.next()

    async def after() -> None:
        async with client(server.url) as http, LiveStream(http, laptop["token"]) as stream:
            assert await stream.next() == ("log", {"last_seq": 1})
            await apush(server.url, phone["token"], "after-restart")
            assert await stream.next() == ("log", {"last_seq": 2})

    asyncio.run(before())
    server.start()
    asyncio.run(after())


# --- two instances on one PostgreSQL database ---------------------------------------------------------


@pytest.fixture
def instances(tmp_path, postgres_url):
    env = {**FAST, "MERCI_DATABASE_URL": postgres_url}
    with MerciServer(tmp_path / "a", env=env) as a, MerciServer(tmp_path / "b", env=env) as b:
        yield a, b


@pytest.mark.postgres
def test_an_append_through_one_instance_is_news_on_every_other_and_for_no_other_account(instances, postgres_url):
    a, b = instances
    phone = sign_up(a.url, timezone="Europe/Paris")
    laptop = sign_in(b.url, device_name="laptop")
    stranger = sign_up(b.url, "bob@example.org", timezone="Europe/Paris")

    async def run() -> None:
        async with client(b.url) as on_b, client(a.url) as on_a, LiveStream(on_b, laptop["token"]) as laptop_b, \
                LiveStream(on_a, phone["token"]) as phone_a, LiveStream(on_b, stranger["token"]) as stranger_b, \
                LiveStream(on_a, stranger["token"]) as stranger_a:
            for stream in (laptop_b, phone_a, stranger_b, stranger_a):
                assert await stream.next() == ("log", {"last_seq": 1})
            await listening(postgres_url, 2)
            await apush(a.url, phone["token"], "via-a")
            assert await laptop_b.next() == ("log", {"last_seq": 2}), "appended through A, heard on B"
            assert await phone_a.next() == ("log", {"last_seq": 2}), "and on A"
            await apush(b.url, laptop["token"], "via-b")
            assert await phone_a.next() == ("log", {"last_seq": 3})
            assert await laptop_b.next() == ("log", {"last_seq": 3})
            assert await stranger_a.quiet_for(QUIET) and await stranger_b.quiet_for(0.1)
            pulled = push(b.url, laptop["token"], cursor=1)
            assert [e["id"] for e in pulled["events"]] == ["via-a", "via-b"]

    asyncio.run(run())


@pytest.mark.postgres
def test_news_still_comes_after_the_listening_connection_is_lost(instances, postgres_url):
    a, b = instances
    phone = sign_up(a.url, timezone="Europe/Paris")
    laptop = sign_in(b.url, device_name="laptop")

    async def run() -> None:
        async with client(b.url) as on_b, LiveStream(on_b, laptop["token"]) as stream:
            assert await stream.next() == ("log", {"last_seq": 1})
            await listening(postgres_url, 2)
            conn = await asyncpg.connect(postgres_url)
            try:  # both instances' LISTEN connections are cut, as by a network failure or a restart of PostgreSQL
                await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                   " WHERE datname = current_database() AND query LIKE 'LISTEN%'")
            finally:
                await conn.close()
            await apush(a.url, phone["token"], "while-reconnecting")
            # Either heard (if B listened again in time) or told after B's reconnection made it look again
            assert await stream.next() == ("log", {"last_seq": 2})
            await listening(postgres_url, 2)
            await apush(a.url, phone["token"], "after")
            assert await stream.next() == ("log", {"last_seq": 3})

    asyncio.run(run())


async def listening(postgres_url: str, instances: int, timeout: float = 10) -> None:
    """Until `instances` connections LISTEN on the database (each instance opens one at start)."""
    conn = await asyncpg.connect(postgres_url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            count = await conn.fetchval("SELECT count(*) FROM pg_stat_activity"
                                        " WHERE datname = current_database() AND query LIKE 'LISTEN%'")
            if count >= instances:
                return
            assert time.monotonic() < deadline, f"{count} instances listening, {instances} expected"
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
