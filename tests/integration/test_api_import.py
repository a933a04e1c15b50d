"""`POST /api/import` written in chunks: it takes turns with other accounts' writes, keeps its promises on bad
lines and idempotency, and stops at the per-import limits and per-account quotas with a clear 413/429."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.server import MerciServer, bearer, sign_in as sign_in_http, sign_up as sign_up_http

from .api import ids, meeting, running_app, sign_up


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Where the in-process tests' app keeps its log: each runs on both stores."""
    return request.getfixturevalue("postgres_url") if request.param == "postgres" else ""


def ndjson(events: list[dict]) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


def meetings(prefix: str, count: int) -> list[dict]:
    return [meeting(f"{prefix}{i}") for i in range(count)]


async def test_an_import_commits_chunk_by_chunk_while_another_accounts_sync_goes_through(tmp_path):
    # Given a real server writing imports 10 events per transaction, and two accounts
    env = {"MERCI_IMPORT_CHUNK_EVENTS": "10", "MERCI_LOG_REQUESTS": "false", "MERCI_PUSH_SCHEDULER": "false"}
    with MerciServer(tmp_path / "data", env=env) as server:
        ann = sign_up_http(server.url, "ann@example.org")
        ann_laptop = sign_in_http(server.url, "ann@example.org", "laptop")
        bob = sign_up_http(server.url, "bob@example.org")
        lines = ndjson(meetings("a", 120)).splitlines(keepends=True)
        order: list[str] = []

        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            async def stored_for_ann() -> int:
                page = await client.get("/api/events", params={"limit": 1000}, headers=bearer(ann_laptop["token"]))
                return len(page.json()["events"])

            async def body():
                # When the first 55 lines are sent, and the rest held back until Bob has synced
                yield b"".join(lines[:55])
                for _ in range(600):  # 5 chunks of 10, committed before the body is even complete
                    if await stored_for_ann() >= 50:
                        break
                    await asyncio.sleep(0.05)
                else:
                    pytest.fail("nothing of the import was stored before its body was complete")
                order.append("ann's first chunks stored")
                answer = await client.post("/api/sync", headers=bearer(bob["token"]),
                                           json={"cursor": 0, "events": [meeting("b1")]})
                assert answer.json()["accepted"] == ["b1"]
                order.append("bob's sync acknowledged")
                meanwhile = await client.post("/api/import", content=ndjson(meetings("x", 1)),
                                              headers=bearer(ann_laptop["token"]))
                assert meanwhile.status_code == 429 and "already running" in meanwhile.json()["error"]
                yield b"".join(lines[55:])

            imported = await client.post("/api/import", content=body(), headers=bearer(ann["token"]))
            order.append("ann's import answered")

    # Then Ann's chunks were stored and Bob's write acknowledged while her import was still under way
    assert imported.status_code == 200, imported.text
    assert imported.json()["accepted"] == 120
    assert order == ["ann's first chunks stored", "bob's sync acknowledged", "ann's import answered"]


async def test_importing_twice_in_chunks_stores_nothing_twice(tmp_path, database_url):
    async with running_app(tmp_path, database_url=database_url, import_chunk_events=7) as client:
        account = await sign_up(client)
        events = meetings("e", 40) + meetings("e", 5)  # the last five repeat ids of the first chunk
        content = ndjson(events)

        first = (await client.post("/api/import", content=content, headers=account.auth)).json()
        again = (await client.post("/api/import", content=content, headers=account.auth)).json()

        assert (first["accepted"], first["duplicates"], first["last_seq"]) == (40, 5, 40)
        assert (again["accepted"], again["duplicates"], again["last_seq"]) == (0, 45, 40)
        log = await account.log()
        assert ids(log) == [f"e{i}" for i in range(40)] and [e["seq"] for e in log] == list(range(1, 41))


async def test_a_bad_line_in_the_middle_is_listed_and_every_valid_line_around_it_stored(tmp_path, database_url):
    """The documented choice: a bad line stops nothing. Fixing it and importing the file again stores only it."""
    async with running_app(tmp_path, database_url=database_url, import_chunk_events=10) as client:
        account = await sign_up(client)
        events = meetings("e", 35)
        broken = ndjson(events).replace(b'"e17"', b'"e:17"')  # an id with `:`, line 18, in the second chunk

        first = (await client.post("/api/import", content=broken, headers=account.auth)).json()
        fixed = (await client.post("/api/import", content=ndjson(events), headers=account.auth)).json()

        assert (first["accepted"], first["rejected_count"]) == (34, 1)
        assert [(r["line"], r["id"], r["field"]) for r in first["rejected"]] == [(18, "e:17", "id")]
        assert (fixed["accepted"], fixed["duplicates"]) == (1, 34)
        assert sorted(ids(await account.log())) == sorted(e["id"] for e in events)


async def test_a_line_longer_than_an_event_may_be_is_rejected_with_its_number(tmp_path):
    async with running_app(tmp_path, max_body_bytes=4000) as client:
        account = await sign_up(client)
        long_line = json.dumps(meeting("e-long", note="x" * 5000)).encode() + b"\n"
        content = ndjson(meetings("e", 2)) + long_line + ndjson(meetings("f", 2))

        answer = (await client.post("/api/import", content=content, headers=account.auth)).json()

        assert (answer["accepted"], answer["rejected_count"]) == (4, 1)
        assert answer["rejected"][0]["line"] == 3 and "longer than 4000 bytes" in answer["rejected"][0]["error"]


async def test_an_import_of_more_events_than_allowed_stores_the_lines_before_the_limit_and_says_so(
    tmp_path, database_url
):
    async with running_app(tmp_path, database_url=database_url, max_import_events=25, import_chunk_events=10) as client:
        account = await sign_up(client)
        content = ndjson(meetings("e", 40))

        answer = await client.post("/api/import", content=content, headers=account.auth)

        assert answer.status_code == 413
        body = answer.json()
        assert "more than 25 events" in body["error"] and "lines 1 to 25 are imported" in body["error"]
        assert (body["stored_through_line"], body["accepted"], body["last_seq"]) == (25, 25, 25)
        assert ids(await account.log()) == [f"e{i}" for i in range(25)]


async def test_an_import_over_the_byte_limit_without_a_declared_length_stops_at_the_limit(tmp_path):
    env = {"MERCI_MAX_IMPORT_BYTES": "3000", "MERCI_IMPORT_CHUNK_EVENTS": "5", "MERCI_LOG_REQUESTS": "false",
           "MERCI_PUSH_SCHEDULER": "false"}
    with MerciServer(tmp_path / "data", env=env) as server:
        ann = sign_up_http(server.url, "ann@example.org")
        lines = ndjson(meetings("e", 40)).splitlines(keepends=True)

        async def body():  # chunked: no Content-Length to refuse it by
            for start in range(0, len(lines), 4):
                yield b"".join(lines[start:start + 4])
                await asyncio.sleep(0.02)  # mostly read as several pieces; either way the answer must be true

        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            answer = await client.post("/api/import", content=body(), headers=bearer(ann["token"]))
            log = (await client.get("/api/events", headers=bearer(ann["token"]))).json()["events"]

    assert answer.status_code == 413 and "3000-byte limit" in answer.json()["error"]
    stored = answer.json()["stored_through_line"]
    assert stored < 40 and ids(log) == [f"e{i}" for i in range(stored)]
    assert answer.json()["accepted"] == stored


async def test_an_accounts_import_quota_of_events_answers_429_and_stores_up_to_it(tmp_path, database_url):
    quota = {"import_quota_events": 30, "import_chunk_events": 10}
    async with running_app(tmp_path, database_url=database_url, **quota) as client:
        ann = await sign_up(client, "ann@example.org")
        bob = await sign_up(client, "bob@example.org")

        first = await client.post("/api/import", content=ndjson(meetings("a", 20)), headers=ann.auth)
        second = await client.post("/api/import", content=ndjson(meetings("b", 20)), headers=ann.auth)
        third = await client.post("/api/import", content=ndjson(meetings("c", 1)), headers=ann.auth)
        bobs = await client.post("/api/import", content=ndjson(meetings("a", 20)), headers=bob.auth)

        assert first.status_code == 200
        assert second.status_code == 429 and int(second.headers["Retry-After"]) > 0
        assert "quota of 30 events" in second.json()["error"] and second.json()["accepted"] == 10
        assert third.status_code == 429 and "quota of 30 events" in third.json()["error"]
        assert len(await ann.log()) == 30
        assert bobs.status_code == 200  # the quota is each account's own


async def test_an_import_larger_than_the_bytes_left_of_the_quota_is_refused_whole(tmp_path):
    async with running_app(tmp_path, import_quota_bytes=5000) as client:
        account = await sign_up(client)

        answer = await client.post("/api/import", content=ndjson(meetings("e", 60)), headers=account.auth)

        assert answer.status_code == 429 and "bytes left of this account's import quota" in answer.json()["error"]
        assert "Retry-After" in answer.headers
        assert await account.log() == []


@pytest.mark.parametrize("setting", ["max_import_events", "import_quota_events", "import_chunk_events"])
def test_the_import_settings_are_read_from_the_environment(setting):
    from server.settings import Settings

    assert getattr(Settings.from_env({f"MERCI_{setting.upper()}": "12"}), setting) == 12


# --- the law: however the log is cut into chunks, an import stores what one transaction would have --------------

line_plan = st.one_of(
    st.tuples(st.just("event"), st.integers(min_value=0, max_value=15)),  # an id among 16: repeats happen
    st.just(("bad", 0)),
    st.just(("blank", 0)),
)


async def import_in_chunks(data: Path, plan: list[tuple[str, int]], chunk: int, twice: bool) -> None:
    lines, expected_rejected, first_seen = [], [], {}
    for number, (kind, n) in enumerate(plan, start=1):
        if kind == "event":
            lines.append(json.dumps(meeting(f"e{n}")).encode())
            first_seen.setdefault(f"e{n}", number)
        elif kind == "bad":
            lines.append(b'{"id": "x", "type": "nope", "v": 1}')
            expected_rejected.append(number)
        else:
            lines.append(b"  ")
    content = b"\n".join(lines)
    events = sum(kind == "event" for kind, _ in plan)

    async with running_app(data, import_chunk_events=chunk) as client:
        account = await sign_up(client)
        answer = (await client.post("/api/import", content=content, headers=account.auth)).json()
        if twice:
            again = (await client.post("/api/import", content=content, headers=account.auth)).json()
            assert (again["accepted"], again["duplicates"]) == (0, events)
        log = await account.log()

    assert (answer["accepted"], answer["duplicates"]) == (len(first_seen), events - len(first_seen))
    assert [r["line"] for r in answer["rejected"]] == expected_rejected
    assert ids(log) == sorted(first_seen, key=first_seen.get)  # in file order, each once
    assert [e["seq"] for e in log] == list(range(1, len(first_seen) + 1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=st.lists(line_plan, max_size=40), chunk=st.integers(min_value=1, max_value=12), twice=st.booleans())
def test_an_import_in_chunks_of_any_size_stores_each_valid_event_once_in_file_order(plan, chunk, twice):
    with tempfile.TemporaryDirectory() as data:
        asyncio.run(import_in_chunks(Path(data), plan, chunk, twice))
