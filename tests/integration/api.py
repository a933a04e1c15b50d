"""Helpers for the API tests: the real app over a real SQLite file, and a few event builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings

FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
"""argon2id at its cheapest: the tests exercise the flow, not the cost."""

PASSWORD = "correct horse battery"

NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)
"""When the test app's clock starts (13:00 in Paris, already the 19th in Kiritimati): no test reads the
machine's calendar."""


def settings(data: Path, **overrides: Any) -> Settings:
    return Settings(data=data, **{**FAST_HASHING, "log_requests": False, "clock_start": NOW, **overrides})


@asynccontextmanager
async def running_app(data: Path, **overrides: Any) -> AsyncIterator[AsyncTestClient]:
    """A client of the app, started (store open) and stopped around the block."""
    async with AsyncTestClient(create_app(settings(data, **overrides))) as client:
        yield client


class Account:
    """A signed-up account seen from one device."""

    def __init__(self, client: AsyncTestClient, email: str, body: dict):
        self.client = client
        self.email = email
        self.id: str = body["account"]
        self.token: str = body["token"]
        self.device: str = body["device"]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def sync(self, events: list[dict] | None = None, cursor: int = 0, **extra: Any) -> dict:
        answer = await self.client.post(
            "/api/sync", json={"cursor": cursor, "events": events or [], **extra}, headers=self.auth
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def get(self, path: str, **params: Any):
        return await self.client.get(path, params=params, headers=self.auth)

    async def log(self) -> list[dict]:
        """Every stored event, through the raw-log pages."""
        events, after = [], 0
        while True:
            page = (await self.get("/api/events", after=after, limit=1000)).json()
            events += page["events"]
            after = page["cursor"]
            if not page["more"]:
                return events

    async def new_device(self, name: str = "laptop") -> Account:
        return await sign_in(self.client, self.email, device_name=name)


async def sign_up(client: AsyncTestClient, email: str = "ann@example.org", **extra: Any) -> Account:
    answer = await client.post("/api/accounts", json={"email": email, "password": PASSWORD, **extra})
    assert answer.status_code == 201, answer.text
    return Account(client, email, answer.json())


async def sign_in(client: AsyncTestClient, email: str, password: str = PASSWORD, **extra: Any) -> Account:
    answer = await client.post("/api/sessions", json={"email": email, "password": password, **extra})
    assert answer.status_code == 201, answer.text
    return Account(client, email, answer.json())


# --- events in the wire format ----------------------------------------------------------------------


def event(event_id: str, kind: str, data: dict, at: str = "2026-05-12T10:30:00+02:00") -> dict:
    return {"id": event_id, "type": kind, "v": 1, "at": at, "data": data}


def meeting(event_id: str, contacts: tuple[str, ...] = ("c-herve",), meeting_id: str | None = None,
            at: str = "2026-05-12T10:30:00+02:00", **data: Any) -> dict:
    return event(event_id, "meeting_logged",
                 {"meeting": meeting_id or f"m-{event_id}", "contacts": list(contacts), **data}, at)


def contact(event_id: str, contact_id: str, name: str, at: str = "2026-05-01T09:00:00+02:00") -> dict:
    return event(event_id, "contact_added", {"contact": contact_id, "name": name}, at)


def thanks(event_id: str, contact_id: str, meeting_id: str, at: str) -> dict:
    return event(event_id, "thanks_sent", {"contact": contact_id, "meeting": meeting_id, "channel": "email"}, at)


def in_hours(hours: float) -> str:
    """An `at` this many hours after the test app's clock started."""
    return (NOW + dt.timedelta(hours=hours)).isoformat()


def ids(events: list[dict]) -> list[str]:
    return [e["id"] for e in events]
