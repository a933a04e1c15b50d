"""The SQLite store: the shared contract, plus what only SQLite shows (triggers, files, migrations)."""

from __future__ import annotations

import asyncio
import sqlite3
import stat

import pytest

from server.store.contract import StoreError
from server.store.migrations import SQLITE_MIGRATIONS
from server.store.sqlite import SQLiteStore

from .store_contract import NOW, StoreContract, meeting, new_account


@pytest.fixture
async def store(tmp_path):
    store = SQLiteStore(tmp_path / "merci.sqlite3")
    await store.open()
    yield store
    await store.close()


class TestSQLiteStore(StoreContract):
    pass


async def test_the_database_itself_refuses_to_update_or_delete_events(store, tmp_path):
    account, device = await new_account(store)
    await store.append(account.id, device.id, [meeting("e1")], NOW)
    raw = sqlite3.connect(tmp_path / "merci.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE events SET type = 'job_found'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM events")
        assert raw.execute("SELECT count(*) FROM events").fetchone() == (1,)
    finally:
        raw.close()


@pytest.mark.parametrize("statement", [
    "INSERT OR REPLACE INTO events (account_id, seq, id, type, recorded_at, device, body)"
    " SELECT account_id, seq, 'other-id', type, recorded_at, device, x'7b7d' FROM events",
    "INSERT OR REPLACE INTO events (account_id, seq, id, type, recorded_at, device, body)"
    " SELECT account_id, seq + 1, id, type, recorded_at, device, x'7b7d' FROM events",
    "REPLACE INTO events (account_id, seq, id, type, recorded_at, device, body)"
    " SELECT account_id, seq, id, type, recorded_at, device, x'7b7d' FROM events",
])
async def test_the_database_itself_refuses_to_replace_a_stored_event(store, tmp_path, statement):
    account, device = await new_account(store)
    await store.append(account.id, device.id, [meeting("e1")], NOW)
    raw = sqlite3.connect(tmp_path / "merci.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never replaced"):
            raw.execute(statement)
        assert raw.execute("SELECT seq, id FROM events").fetchall() == [(1, "e1")]
    finally:
        raw.close()
    assert [e.id for e in await store.read(account.id)] == ["e1"]


async def test_the_database_and_its_wal_are_readable_by_their_owner_only(store, tmp_path):
    account, device = await new_account(store)
    await store.append(account.id, device.id, [meeting("e1")], NOW)
    for name in ("merci.sqlite3", "merci.sqlite3-wal", "merci.sqlite3-shm"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


async def test_a_database_made_readable_by_others_is_made_private_at_start(tmp_path):
    path = tmp_path / "merci.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    store = SQLiteStore(path)
    await store.open()
    await store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_events_survive_closing_and_reopening(tmp_path):
    path = tmp_path / "merci.sqlite3"
    first = SQLiteStore(path)
    await first.open()
    account, device = await new_account(first)
    await first.append(account.id, device.id, [meeting("e1"), meeting("e2")], NOW)
    await first.close()
    second = SQLiteStore(path)
    await second.open()
    try:
        assert [e.id for e in await second.read(account.id)] == ["e1", "e2"]
        assert (await second.append(account.id, device.id, [meeting("e2"), meeting("e3")], NOW)).accepted == ["e3"]
    finally:
        await second.close()


async def test_a_new_database_is_migrated_to_the_latest_version_in_wal_mode(store, tmp_path):
    raw = sqlite3.connect(tmp_path / "merci.sqlite3")
    try:
        assert raw.execute("PRAGMA user_version").fetchone() == (len(SQLITE_MIGRATIONS),)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        raw.close()


async def test_a_database_from_a_newer_merci_is_refused(tmp_path):
    path = tmp_path / "merci.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={len(SQLITE_MIGRATIONS) + 1}")
    raw.close()
    store = SQLiteStore(path)
    with pytest.raises(StoreError, match="newer than this server knows"):
        await store.open()


async def test_a_write_the_connection_fails_under_is_answered_with_the_error_and_the_writer_goes_on(tmp_path):
    store = SQLiteStore(tmp_path / "merci.sqlite3")
    await store.open()
    account, device = await new_account(store)
    try:
        store._writer.close()  # the writer's connection is gone under it
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            await asyncio.wait_for(store.append(account.id, device.id, [meeting("e1")], NOW), 5)
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):  # the next write too: nobody waits forever
            await asyncio.wait_for(store.append(account.id, device.id, [meeting("e2")], NOW), 5)
    finally:
        store._writer = None  # closed already
        await store.close()
