"""Fixtures shared by the test tiers: a fresh PostgreSQL database for each test marked `postgres`."""

from __future__ import annotations

import asyncio
import os
import uuid
from urllib.parse import urlsplit

import asyncpg
import pytest

POSTGRES = os.environ.get("MERCI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
"""The server the `postgres` tests make their databases on (a maintenance database of it)."""


async def _admin(statement: str) -> None:
    try:
        conn = await asyncpg.connect(POSTGRES, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        unreachable = exc
    else:
        unreachable = None
    if unreachable is not None:
        # A failure, never a skip: CI starts PostgreSQL (.ci/run), so a silent skip would hide a broken backend.
        pytest.fail(f"PostgreSQL is needed by the tests marked `postgres` and is not reachable at {POSTGRES} "
                    f"({unreachable}); start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main "
                    f"start) or point MERCI_TEST_POSTGRES at one", pytrace=False)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def postgres_url() -> str:
    """The URL of an empty database made for this test alone, dropped (with any connection left) after it."""
    name = f"merci_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    try:
        yield urlsplit(POSTGRES)._replace(path=f"/{name}").geturl()
    finally:
        asyncio.run(_admin(f"DROP DATABASE {name} WITH (FORCE)"))
