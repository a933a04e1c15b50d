"""Store append throughput, against raw sqlite3 measured in the same run at the same durability.

    .venv/bin/python bench/store.py [--events 20000] [--rounds 9] [--postgres postgresql://postgres@127.0.0.1/postgres]

1. batches of 100 events: SQLiteStore.append vs raw sqlite3 inserting the very same rows (same account id,
   recorded_at, device and bodies) into the same schema, one transaction per batch, WAL + synchronous=FULL
   for both. Two raw baselines: `executemany` (the target: store >= 0.8x) and one multi-row INSERT per
   batch, the fastest raw way we know (the store uses it; shown so that the ratio is read honestly).
   The three run in turn, `--rounds` times, each on a fresh file: a burst of load from another process
   then hits every side alike. Printed: each side's best round, the median of the rounds' ratios, and the
   ratio of the bests;
2. 100 concurrent appenders of one event each, group-committed (target: >= 20k events/s).

With `--postgres URL`, the same two measurements against PostgresStore, each in a database made for it on
that server and dropped after (the URL's database is only used to make them; its user needs CREATEDB), with
raw asyncpg baselines in the same run: `executemany` of the very same rows, and one INSERT ... unnest per
batch (the store's way). Default synchronous_commit (on) for all. No target. The concurrent appenders are
measured on one account and spread over 100 accounts (the instance's waiting appends share a transaction).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from events import decode_event, encode_event  # noqa: E402
from server.settings import describe_database  # noqa: E402
from server.store.migrations import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS  # noqa: E402
from server.store.postgres import PostgresStore  # noqa: E402
from server.store.sqlite import SQLiteStore, _iso, _statements  # noqa: E402

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.timezone.utc)


def make_events(n: int, prefix: str):
    return [
        decode_event(
            f'{{"id":"{prefix}-{i:08d}","type":"meeting_logged","v":1,"at":"2026-05-12T10:30:00+02:00",'
            f'"data":{{"meeting":"m{i}","contacts":["c{i % 500}"],"place":"Café de la Paix"}}}}'
        )
        for i in range(n)
    ]


def raw_sqlite(path: Path, events, batch: int, *, multirow: bool = False) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for script in SQLITE_MIGRATIONS:  # the store's whole schema, its triggers included
        for statement in _statements(script):
            conn.execute(statement)
    account_id = uuid.uuid4().hex  # as long as the store's
    conn.execute("INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, 'a@x', 'h', ?)",
                 (account_id, _iso(NOW)))
    rows = [(account_id, i + 1, e.id, "meeting_logged", _iso(NOW), "d", encode_event(e))
            for i, e in enumerate(events)]
    one_by_one = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)"
    start = time.perf_counter()
    for i in range(0, len(rows), batch):
        conn.execute("BEGIN IMMEDIATE")
        if multirow:
            chunk = rows[i:i + batch]
            conn.execute("INSERT INTO events VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                         [value for row in chunk for value in row])
        else:
            conn.executemany(one_by_one, rows[i:i + batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(rows) / elapsed


async def store_batches(path: Path, events, batch: int) -> float:
    return await batches(SQLiteStore(path), events, batch)


async def batches(store, events, batch: int) -> float:
    """Events/s of one account's appends, `batch` events a call, one call after the other, on a new store."""
    await store.open()
    account = await store.create_account("a@x", "h", NOW)
    start = time.perf_counter()
    for i in range(0, len(events), batch):
        await store.append(account.id, "d", events[i:i + batch], NOW)
    elapsed = time.perf_counter() - start
    await store.close()
    return len(events) / elapsed


async def store_concurrent(path: Path, events, appenders: int) -> float:
    store = SQLiteStore(path)
    await store.open()
    account = await store.create_account("a@x", "h", NOW)
    queue = list(events)

    async def appender():
        while queue:
            await store.append(account.id, "d", [queue.pop()], NOW)

    start = time.perf_counter()
    await asyncio.gather(*(appender() for _ in range(appenders)))
    elapsed = time.perf_counter() - start
    assert await store.last_seq(account.id) == len(events)
    await store.close()
    return len(events) / elapsed


@contextlib.asynccontextmanager
async def fresh_database(server: str) -> AsyncIterator[str]:
    """The URL of a database made on `server` for one measurement, dropped after it."""
    name = f"merci_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        try:
            yield urlsplit(server)._replace(path=f"/{name}").geturl()
        finally:
            await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()


async def raw_postgres(server: str, events, batch: int, *, unnest: bool = False) -> float:
    async with fresh_database(server) as url:
        conn = await asyncpg.connect(url)
        for script in POSTGRES_MIGRATIONS:
            await conn.execute(script)
        account_id = uuid.uuid4().hex
        await conn.execute("INSERT INTO accounts (id, email, password_hash, created_at) VALUES ($1, 'a@x', 'h', $2)",
                           account_id, NOW)
        rows = [(account_id, i + 1, e.id, "meeting_logged", NOW, "d", encode_event(e)) for i, e in enumerate(events)]
        start = time.perf_counter()
        for i in range(0, len(rows), batch):
            chunk = rows[i:i + batch]
            async with conn.transaction():
                if unnest:
                    await conn.execute(
                        "INSERT INTO events SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[],"
                        " $5::timestamptz[], $6::text[], $7::bytea[])", *zip(*chunk))
                else:
                    await conn.executemany("INSERT INTO events VALUES ($1, $2, $3, $4, $5, $6, $7)", chunk)
        elapsed = time.perf_counter() - start
        await conn.close()
    return len(rows) / elapsed


async def postgres_batches(server: str, events, batch: int) -> float:
    async with fresh_database(server) as url:
        return await batches(PostgresStore(url), events, batch)


async def postgres_concurrent(server: str, events, appenders: int, accounts: int) -> float:
    async with fresh_database(server) as url:
        store = PostgresStore(url)  # its default pool: the appenders wait for a connection, as requests do
        await store.open()
        ids = [(await store.create_account(f"a{n}@x", "h", NOW)).id for n in range(accounts)]
        queue = list(events)

        async def appender(n: int):
            while queue:
                await store.append(ids[n % accounts], "d", [queue.pop()], NOW)

        start = time.perf_counter()
        await asyncio.gather(*(appender(n) for n in range(appenders)))
        elapsed = time.perf_counter() - start
        assert sum([await store.last_seq(account_id) for account_id in ids]) == len(events)
        await store.close()
    return len(events) / elapsed


def bench_postgres(server: str, count: int) -> None:
    events = make_events(count, "b")
    raw = asyncio.run(raw_postgres(server, events, 100))
    unnest = asyncio.run(raw_postgres(server, events, 100, unnest=True))
    ours = asyncio.run(postgres_batches(server, events, 100))
    print(f"PostgreSQL ({describe_database(server)}), batches of 100, synchronous_commit on, {count} events")
    print(f"  raw asyncpg executemany       {raw:>10,.0f} events/s")
    print(f"  raw asyncpg INSERT ... unnest {unnest:>10,.0f} events/s")
    print(f"  PostgresStore.append          {ours:>10,.0f} events/s   "
          f"ratio {ours / raw:.2f}x executemany, {ours / unnest:.2f}x unnest")
    print(f"100 concurrent appenders of one event each, {count} events (group commit in the instance)")
    for accounts in (1, 100):
        concurrent = asyncio.run(postgres_concurrent(server, make_events(count, "c"), 100, accounts))
        print(f"  PostgresStore.append, {accounts:>3} account{'s' if accounts > 1 else ' '} "
              f"{concurrent:>8,.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=9, help="rounds of the batch measurement (default 9)")
    parser.add_argument("--postgres", metavar="URL", help="also measure PostgresStore on this PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        events = make_events(args.events, "b")
        rounds = []
        for n in range(args.rounds):
            rounds.append((
                raw_sqlite(tmp / f"raw{n}.sqlite3", events, 100),
                raw_sqlite(tmp / f"multirow{n}.sqlite3", events, 100, multirow=True),
                asyncio.run(store_batches(tmp / f"store{n}.sqlite3", events, 100)),
            ))
        raw, multirow, ours = (max(side) for side in zip(*rounds))
        versus_raw = statistics.median(o / r for r, _, o in rounds)
        versus_multirow = statistics.median(o / m for _, m, o in rounds)
        print(f"batches of 100, WAL + synchronous=FULL, {args.events} events, best of {args.rounds} rounds")
        print(f"  raw sqlite3 executemany       {raw:>10,.0f} events/s")
        print(f"  raw sqlite3 multi-row INSERT  {multirow:>10,.0f} events/s")
        print(f"  SQLiteStore.append            {ours:>10,.0f} events/s")
        print(f"  ratio, median of the rounds:  {versus_raw:.2f}x executemany (target >= 0.80x), "
              f"{versus_multirow:.2f}x multi-row")
        print(f"  ratio, best against best:     {ours / raw:.2f}x executemany, {ours / multirow:.2f}x multi-row")
        print("  each round (executemany, multi-row, store): "
              + "; ".join(f"{r / 1000:.0f}k {m / 1000:.0f}k {o / 1000:.0f}k" for r, m, o in rounds))
        concurrent = asyncio.run(store_concurrent(tmp / "concurrent.sqlite3", make_events(args.events, "c"), 100))
        print(f"100 concurrent appenders of one event each (group commit)")
        print(f"  SQLiteStore.append            {concurrent:>10,.0f} events/s   (target >= 20,000)")
    if args.postgres:
        bench_postgres(args.postgres, args.events)


if __name__ == "__main__":
    main()
