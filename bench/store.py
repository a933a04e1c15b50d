"""Store append throughput, against raw sqlite3 measured in the same run at the same durability.

    .venv/bin/python bench/store.py [--events 20000]

1. batches of 100 events: SQLiteStore.append vs raw sqlite3 inserting the very same rows (same account id,
   recorded_at, device and bodies) into the same schema, one transaction per batch, WAL + synchronous=FULL
   for both. Two raw baselines: `executemany` (the target: store >= 0.8x) and one multi-row INSERT per
   batch, the fastest raw way we know (the store uses it; shown so that the ratio is read honestly);
2. 100 concurrent appenders of one event each, group-committed (target: >= 20k events/s).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from events import decode_event, encode_event  # noqa: E402
from server.store.migrations import SQLITE_MIGRATIONS  # noqa: E402
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
    for statement in _statements(SQLITE_MIGRATIONS[0]):
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
    store = SQLiteStore(path)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        events = make_events(args.events, "b")
        raw = raw_sqlite(tmp / "raw.sqlite3", events, 100)
        multirow = raw_sqlite(tmp / "multirow.sqlite3", events, 100, multirow=True)
        ours = asyncio.run(store_batches(tmp / "store.sqlite3", events, 100))
        print(f"batches of 100, WAL + synchronous=FULL, {args.events} events")
        print(f"  raw sqlite3 executemany       {raw:>10,.0f} events/s")
        print(f"  raw sqlite3 multi-row INSERT  {multirow:>10,.0f} events/s")
        print(f"  SQLiteStore.append            {ours:>10,.0f} events/s   "
              f"ratio {ours / raw:.2f}x executemany (target >= 0.80x), {ours / multirow:.2f}x multi-row")
        concurrent = asyncio.run(store_concurrent(tmp / "concurrent.sqlite3", make_events(args.events, "c"), 100))
        print(f"100 concurrent appenders of one event each (group commit)")
        print(f"  SQLiteStore.append            {concurrent:>10,.0f} events/s   (target >= 20,000)")


if __name__ == "__main__":
    main()
