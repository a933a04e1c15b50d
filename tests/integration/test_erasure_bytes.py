"""An erased account leaves no bytes behind: every file of the data folder (the database, its -wal and -shm) is
read raw, as someone holding a copy of the disk would, while the server still runs. PostgreSQL: its dead rows are
vacuumed right after the erasure."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from server.store.postgres import PostgresStore

from .api import PASSWORD, contact, meeting, running_app, sign_in, sign_up
from .push_receiver import new_subscription
from .store_contract import NOW, meeting as stored_meeting

ANN = {"email": "ann.zq7@example.org", "contact": "Zoltan Quibblewick", "note": "note-xyzzy-plugh",
       "device": "Ann Zephyr phone", "laptop": "Ann Vermilion laptop", "endpoint": "http://127.0.0.1:9/push/ann-q8v",
       "share": "Coach Ysolde Quartermain"}
BOB = {"email": "bob.k3@example.org", "contact": "Berenice Kowalczyk", "note": "note-frobozz-gnusto",
       "device": "Bob Quasar phone", "laptop": "Bob Obsidian laptop", "endpoint": "http://127.0.0.1:9/push/bob-w2x",
       "share": "Mentor Wystan Oddbody"}


async def fill(client, who: dict, prefix: str):
    """An account with two devices, a contact, meetings holding a note (enough rows to span many pages), a push
    subscription and a coach link."""
    account = await sign_up(client, who["email"], device_name=who["device"], timezone="Europe/Paris")
    laptop = await sign_in(client, who["email"], device_name=who["laptop"])
    await account.sync([contact(f"{prefix}-c", "c-1", who["contact"])])
    for batch in range(3):
        await laptop.sync([meeting(f"{prefix}-{batch}-{i}", ("c-1",), note=f"{who['note']} {i}") for i in range(200)])
    saved = await client.post("/api/push/subscriptions", json=new_subscription(who["endpoint"]).to_json(),
                              headers=account.auth)
    assert saved.status_code == 201, saved.text
    shared = await client.post("/api/shares", json={"label": who["share"], "expires_in_days": 30}, headers=account.auth)
    assert shared.status_code == 201, shared.text
    return account


def found_in(folder: Path, who: dict) -> dict[str, list[str]]:
    """Which of the account's strings each file of the folder holds, byte for byte."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"merci.sqlite3", "merci.sqlite3-wal", "merci.sqlite3-shm"}
    contents = {path.name: path.read_bytes() for path in files}
    return {key: [name for name, data in contents.items() if value.encode() in data] for key, value in who.items()}


async def test_an_erased_account_leaves_none_of_its_strings_in_any_file_of_the_data_folder(tmp_path):
    async with running_app(tmp_path, push_allow_local=True, push_scheduler=False) as client:
        ann = await fill(client, ANN, "ann")
        await fill(client, BOB, "bob")
        assert all(found_in(tmp_path, ANN).values())  # the check can see them while they are there

        answer = await client.request("DELETE", "/api/account", headers=ann.auth, json={"password": PASSWORD})

        assert answer.status_code == 204
        assert found_in(tmp_path, ANN) == {key: [] for key in ANN}
        assert all(found_in(tmp_path, BOB).values())


async def test_every_connection_of_the_sqlite_store_overwrites_what_it_deletes(tmp_path):
    """secure_delete is set by the store, not left to how SQLite was built (Debian's has it on, others off)."""
    from server.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "merci.sqlite3")
    await store.open()
    try:
        assert store._writer.execute("PRAGMA secure_delete").fetchone() == (1,)
        for reader in store._readers:
            assert await reader.execute_fetchall("PRAGMA secure_delete") == [(1,)]
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgresql_vacuums_the_erased_rows_away(postgres_url):
    store = PostgresStore(postgres_url)
    await store.open()
    raw = await asyncpg.connect(postgres_url)
    try:
        await raw.execute("ALTER TABLE events SET (autovacuum_enabled = false)")  # only the erasure's VACUUM
        ann = await store.create_account("ann@example.org", "hash", NOW)
        bob = await store.create_account("bob@example.org", "hash", NOW)
        await store.append(ann.id, None, [stored_meeting(f"a{i}") for i in range(500)], NOW)
        await store.append(bob.id, None, [stored_meeting(f"b{i}") for i in range(10)], NOW)

        await store.erase_account(ann.id)

        # The dead tuples are gone from the pages (pageinspect would show them as unused line pointers).
        dead = await raw.fetchval(
            "SELECT count(*) FROM generate_series(0, pg_relation_size('events') / current_setting('block_size')::int"
            " - 1) AS page, LATERAL heap_page_items(get_raw_page('events', page::int)) WHERE t_xmax <> 0"
        ) if await _pageinspect(raw) else None
        vacuumed = await raw.fetchval("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'events'")
        assert dead in (None, 0) and vacuumed >= 1
        assert await raw.fetchval("SELECT count(*) FROM events") == 10
    finally:
        await raw.close()
        await store.close()


async def _pageinspect(raw) -> bool:
    try:
        await raw.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except asyncpg.PostgresError:
        return False
    return True
