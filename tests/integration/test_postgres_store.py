"""The PostgreSQL store: the shared contract, plus what only PostgreSQL shows (triggers, migrations, several
instances on one database, NOTIFY). Each test has a database of its own (the `postgres_url` fixture)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import asyncpg
import pytest

from server.store.contract import StoreError
from server.store.migrations import POSTGRES_MIGRATIONS
from server.store.postgres import CHANNEL, PostgresStore

from .store_contract import DAY, NOW, StoreContract, meeting, new_account

pytestmark = pytest.mark.postgres

SCHEMA_TABLE = "CREATE TABLE merci_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
"""The version table as a database of an earlier (or later) Merci has it."""


@pytest.fixture
async def store(postgres_url):
    store = PostgresStore(postgres_url)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def second_store(postgres_url, store):
    """Another instance on the same database: a pool of its own, as a second `merci serve` has."""
    other = PostgresStore(postgres_url)
    await other.open()
    yield other
    await other.close()


@pytest.fixture
async def raw(postgres_url):
    conn = await asyncpg.connect(postgres_url)
    yield conn
    await conn.close()


class TestPostgresStore(StoreContract):
    pass


async def test_the_database_itself_refuses_to_update_delete_or_truncate_events(store, raw):
    account, device = await new_account(store)
    await store.append(account.id, device.id, [meeting("e1")], NOW)

    for statement in ("UPDATE events SET type = 'job_found'", "DELETE FROM events", "TRUNCATE events"):
        with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="append-only"):
            await raw.execute(statement)

    assert await raw.fetchval("SELECT count(*) FROM events") == 1


async def test_erasing_one_account_does_not_open_the_log_of_another(store, raw):
    ana, ana_phone = await new_account(store, "ana@example.org")
    bob, bob_phone = await new_account(store, "bob@example.org")
    await store.append(ana.id, ana_phone.id, [meeting("e1")], NOW)
    await store.append(bob.id, bob_phone.id, [meeting("e1")], NOW)

    async with raw.transaction():
        await raw.execute("UPDATE accounts SET erasing = true WHERE id = $1", ana.id)
        with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="append-only"):
            await raw.execute("DELETE FROM events WHERE account_id = $1", bob.id)

    assert await raw.fetchval("SELECT count(*) FROM events") == 2


async def test_a_new_database_is_migrated_to_the_latest_version(store, raw):
    versions = await raw.fetch("SELECT version FROM merci_schema ORDER BY version")

    assert [row["version"] for row in versions] == list(range(1, len(POSTGRES_MIGRATIONS) + 1))


async def test_an_older_database_is_migrated_forward_keeping_its_rows(postgres_url, raw):
    await raw.execute(SCHEMA_TABLE)
    await raw.execute(POSTGRES_MIGRATIONS[0])
    await raw.execute("INSERT INTO merci_schema (version) VALUES (1)")
    await raw.execute("INSERT INTO accounts (id, email, password_hash, created_at)"
                      " VALUES ('a1', 'ana@example.org', 'h', now())")

    store = PostgresStore(postgres_url)
    await store.open()
    try:
        assert await raw.fetchval("SELECT MAX(version) FROM merci_schema") == len(POSTGRES_MIGRATIONS)
        assert (await store.account_by_email("ana@example.org")).id == "a1"
        assert await store.claim_dispatch("a1", DAY, "me", NOW, NOW)  # a table of migration 2
    finally:
        await store.close()


async def test_instances_starting_at_once_migrate_the_database_once(postgres_url, raw):
    stores = [PostgresStore(postgres_url) for _ in range(4)]

    await asyncio.gather(*(store.open() for store in stores))
    try:
        versions = await raw.fetch("SELECT version FROM merci_schema ORDER BY version")
        assert [row["version"] for row in versions] == list(range(1, len(POSTGRES_MIGRATIONS) + 1))
    finally:
        for store in stores:
            await store.close()


async def test_a_database_from_a_newer_merci_is_refused(postgres_url, raw):
    await raw.execute(SCHEMA_TABLE)
    await raw.execute("INSERT INTO merci_schema (version) VALUES ($1)", len(POSTGRES_MIGRATIONS) + 1)
    store = PostgresStore(postgres_url)

    with pytest.raises(StoreError, match="newer than this server knows"):
        await store.open()
    assert await raw.fetchval("SELECT count(*) FROM pg_tables WHERE tablename = 'events'") == 0


async def test_an_unreachable_database_is_a_clear_error_without_the_password():
    store = PostgresStore("postgresql://merci:s3cret@127.0.0.1:1/merci")

    with pytest.raises(StoreError, match=r"cannot connect to PostgreSQL at merci@127\.0\.0\.1:1/merci") as refused:
        await store.open()
    assert "s3cret" not in str(refused.value)


async def test_appending_to_an_erased_account_fails_alone_among_the_appends_sharing_its_transaction(store):
    erased, erased_phone = await new_account(store, "ana@example.org")
    live, live_phone = await new_account(store, "bob@example.org")
    await store.erase_account(erased.id)

    outcomes = await asyncio.gather(
        *(store.append(live.id, live_phone.id, [meeting(f"e{i}")], NOW) for i in range(5)),
        store.append(erased.id, erased_phone.id, [meeting("e1")], NOW),
        return_exceptions=True,
    )

    assert isinstance(outcomes[-1], StoreError) and "no account" in str(outcomes[-1])
    assert [o.accepted for o in outcomes[:-1]] == [[f"e{i}"] for i in range(5)]
    assert await store.last_seq(live.id) == 5 and await store.read(erased.id) == []


async def test_two_instances_appending_to_one_account_at_once_stay_gapless_and_store_nothing_twice(store, second_store):
    account, device = await new_account(store)
    accepted: list[str] = []

    async def device_on(instance: PostgresStore, first: int) -> None:
        """One device: 30 batches of 10 ids one after the other, each overlapping the other device's by half."""
        for k in range(30):
            ids = range(first + 10 * k, first + 10 * k + 10)
            result = await instance.append(account.id, device.id, [meeting(f"e{i}") for i in ids], NOW)
            assert sorted(result.accepted + result.duplicates) == sorted(f"e{i}" for i in ids)
            accepted.extend(result.accepted)

    # A device on each instance, at once: nearly every transaction of one instance overlaps one of the other's
    await asyncio.gather(device_on(store, 0), device_on(second_store, 5))

    assert sorted(accepted) == sorted(f"e{i}" for i in range(305)), "every id accepted exactly once"
    stored = await second_store.read(account.id, limit=1000)
    assert [e.seq for e in stored] == list(range(1, 306))
    assert len({e.id for e in stored}) == 305


async def test_a_days_digest_is_claimed_once_across_instances(store, second_store):
    account, _ = await new_account(store)
    stale = NOW - dt.timedelta(minutes=30)

    claims = await asyncio.gather(
        *((store, second_store)[n % 2].claim_dispatch(account.id, DAY, f"i{n}", NOW, stale) for n in range(40))
    )

    assert sum(claims) == 1
    assert (await store.get_dispatch(account.id, DAY)).claimed_by == f"i{claims.index(True)}"


async def test_each_append_that_stores_something_is_announced_on_commit(store, raw):
    account, device = await new_account(store)
    heard: asyncio.Queue[str] = asyncio.Queue()
    await raw.add_listener(CHANNEL, lambda _conn, _pid, _channel, payload: heard.put_nowait(payload))

    await store.append(account.id, device.id, [meeting("e1"), meeting("e2")], NOW)
    await store.append(account.id, device.id, [meeting("e1")], NOW)  # only a duplicate: nothing new to announce
    await store.append(account.id, device.id, [meeting("e3")], NOW)

    first = json.loads(await asyncio.wait_for(heard.get(), 5))
    second = json.loads(await asyncio.wait_for(heard.get(), 5))
    assert first == {"account": account.id, "last_seq": 2}
    assert second == {"account": account.id, "last_seq": 3}
    assert heard.empty()


async def test_a_sign_up_postgresql_cannot_store_leaves_no_account_behind(store):
    """U+0000 in a device name (the API refuses it before, this is the store's own transaction)."""
    with pytest.raises(asyncpg.CharacterNotInRepertoireError):
        await store.sign_up("ana@example.org", "hash", "pho\x00ne", b"token-a", [meeting("e1")], NOW)

    assert await store.account_by_email("ana@example.org") is None


async def test_look_ups_by_an_id_holding_u0000_find_nothing(store):
    account, device = await new_account(store)

    assert await store.revoke_device(account.id, device.id + "\x00") is False
    assert await store.remove_subscription(account.id, "s\x00") is False
    assert await store.account_by_email("ana@example.org\x00") is None
    assert await store.get_account(account.id + "\x00") is None


async def test_recording_a_batch_while_another_instance_claims_it_does_not_deadlock(store, second_store, raw):
    # Given a batch claimed by the first instance, and one of its rows held a moment by a third connection
    accounts = sorted([(await new_account(store, f"u{n}@example.org"))[0].id for n in range(40)])
    batch = [(a, DAY) for a in accounts]
    assert await store.claim_dispatches(batch, "first", NOW, NOW) == batch
    # (a table of a real size: the UPDATE then looks the rows up in the order it is given them)
    await raw.execute("INSERT INTO push_dispatches (account_id, day, claimed_by, claimed_at, status)"
                      " SELECT a, $2::date - d, 'past', $3, 'sent' FROM unnest($1::text[]) AS a,"
                      " generate_series(1, 500) AS d", accounts, DAY, NOW)
    await raw.execute("ANALYZE push_dispatches")
    held = raw.transaction()
    await held.start()
    await raw.execute("SELECT FROM push_dispatches WHERE account_id = $1 FOR UPDATE", accounts[20])
    # When the second instance tries the same batch (it locks the rows before the held one, then waits) while
    # the first records the outcomes, the rows listed from the end
    claiming = asyncio.create_task(second_store.claim_dispatches(batch, "second", NOW, NOW))
    finishing = asyncio.create_task(store.finish_dispatches([(a, d, "sent", 1) for a, d in reversed(batch)], [], NOW))
    await asyncio.sleep(0.3)
    await held.rollback()
    # Then both end (the first records its outcomes, the second wins nothing), neither is picked as a deadlock victim
    assert await asyncio.wait_for(claiming, 10) == []
    await asyncio.wait_for(finishing, 10)
    assert {d.status for d in await store.get_dispatches(batch)} == {"sent"}
