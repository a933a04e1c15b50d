"""What the events table's never-replaced trigger (SQLite migration 3) costs each insert, in CPU.

    .venv/bin/python bench/sqlite_triggers.py [--rows 20000] [--rounds 7]

Inserts the same rows, in batches of 100 (one multi-row INSERT per transaction, as the store does), into the
schema of migrations 1-2 and into the whole schema, rounds alternating, each on a fresh file. `synchronous=OFF`
and the process's CPU time, so that fsyncs and the other processes of a shared machine stay out of it. Prints
the median of each and their ratio; no target.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.store.migrations import SQLITE_MIGRATIONS  # noqa: E402
from server.store.sqlite import _statements  # noqa: E402

BATCH = 100
BODY = b'{"id":"x","type":"meeting_logged","v":1,"data":{"meeting":"m","contacts":["c-' + b"h" * 100 + b'"]}}'


def insert_cpu_seconds(migrations: int, rows: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "bench.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        for script in SQLITE_MIGRATIONS[:migrations]:
            for statement in _statements(script):
                conn.execute(statement)
        account = uuid.uuid4().hex
        conn.execute("INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, 'a@x', 'h', 'now')",
                     (account,))
        data = [(account, n + 1, uuid.uuid4().hex, "meeting_logged", "now", "d", BODY) for n in range(rows)]
        sql = "INSERT INTO events VALUES " + ",".join(["(?, ?, ?, ?, ?, ?, ?)"] * BATCH)
        started = time.process_time()
        for start in range(0, rows - rows % BATCH, BATCH):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, [value for row in data[start:start + BATCH] for value in row])
            conn.execute("COMMIT")
        spent = time.process_time() - started
        conn.close()
        return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    without, with_trigger = [], []
    for _ in range(args.rounds):
        without.append(insert_cpu_seconds(2, args.rows))
        with_trigger.append(insert_cpu_seconds(len(SQLITE_MIGRATIONS), args.rows))
    before, after = statistics.median(without), statistics.median(with_trigger)
    print(f"{args.rows} rows in batches of {BATCH}, CPU seconds, median of {args.rounds} rounds")
    print(f"  without the never-replaced trigger  {before:.3f} s")
    print(f"  with it (the whole schema)          {after:.3f} s")
    print(f"  ratio                               {after / before:.2f}x")


if __name__ == "__main__":
    main()
