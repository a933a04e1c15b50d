"""The low items of the adversarial review (issue 10, point 6), each over the real app on a real SQLite file:
a line nested too deeply, a sync racing its account's erasure, a push endpoint held by another account, the
database file's mode, an id re-sent with other content."""

from __future__ import annotations

import pytest

from .api import meeting, running_app, sign_up


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
