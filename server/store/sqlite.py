"""The embedded store: SQLite in WAL mode, one writer that group-commits concurrent appends.

Every write goes to the writer, one `BEGIN IMMEDIATE` transaction per group of pending calls, so many
devices syncing at once cost one fsync, not one each. The writer is one sqlite3 connection on a thread of
its own: a call hands it the waiting jobs if it is free, and the thread hands each group's outcomes back to
the event loop, which answers the callers and hands over the next group (one hop each way, no task to wake
in between). Reads use four aiosqlite connections (WAL lets them run beside the writer). The database
itself refuses UPDATE and DELETE on events (triggers), except while an account is being erased; then deleted
rows are overwritten with zeros (`secure_delete`) and the WAL is checkpointed and truncated before the erasure
is answered, so no file of the data folder keeps the account's bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import queue
import sqlite3
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import msgspec

from events import Event, decode_event

from .common import (
    ERASED_WITH_ACCOUNT, MAX_GROUP, SUBSCRIBED_ACCOUNTS, Append, new_account, new_device, same_content, settle,
)
from .contract import (
    Account, AccountExists, AccountGone, AppendResult, CalendarFeed, Device, Dispatch, EndpointTaken, Share, Store,
    StoreError, Subscription,
)
from .migrations import SQLITE_MIGRATIONS

T = TypeVar("T")
log = logging.getLogger("merci.store")

READERS = 4
"""Reader connections (each with its own thread)."""
_CHUNK = 400
"""Rows per IN (...) look-up, well under SQLite's variable limit."""

_server_fields = msgspec.structs.replace


@functools.lru_cache(maxsize=64)
def _iso(moment: dt.datetime) -> str:
    """UTC ISO 8601 text (cached: the appends of one burst share their `now`)."""
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _stamp(moment: dt.datetime) -> str:
    """A fixed-width UTC instant, so that comparing the strings compares the instants."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SQLiteStore(Store):
    """The store in one SQLite file (plus its -wal and -shm)."""

    def __init__(self, path: Path | str, *, synchronous: str = "FULL"):
        self.path = Path(path)
        self.synchronous = synchronous
        self._writer: sqlite3.Connection | None = None
        """The one connection that writes, used on its own thread (`_writer_thread`) once open."""
        self._readers: list[aiosqlite.Connection] = []
        self._last_seqs: dict[str, int] = {}
        """Each account's last seq, as the writer left it (only its thread touches it; cleared whenever a
        transaction rolls back, and then read again from the database)."""
        self._next_reader = 0
        self._pending: deque[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future]] = deque()
        """Writes waiting for the writer thread; the next group is taken from here when it is free."""
        self._groups: queue.SimpleQueue[list | None] = queue.SimpleQueue()
        self._writer_thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = False
        """A group is on the writer thread (set and read on the event loop only)."""
        self._idle: asyncio.Event | None = None

    # --- life cycle -------------------------------------------------------------------------------

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(_keep_private, self.path)
        self._writer = await asyncio.to_thread(self._open_writer)
        self._readers = [await self._connect() for _ in range(READERS)]
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Event()
        self._idle.set()
        self._writer_thread = threading.Thread(target=self._write_loop, name="merci-sqlite-writer", daemon=True)
        self._writer_thread.start()

    def _open_writer(self) -> sqlite3.Connection:
        """The writing connection, its schema brought to the latest version (one transaction per migration).
        Used by one thread at a time: this one, then the writer thread."""
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            for pragma in self._pragmas():
                conn.execute(pragma)
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version > len(SQLITE_MIGRATIONS):
                raise StoreError(f"{self.path} has schema version {version}, newer than this server knows "
                                 f"({len(SQLITE_MIGRATIONS)}): upgrade Merci")
            for number, script in enumerate(SQLITE_MIGRATIONS[version:], start=version + 1):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(script):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={number}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except BaseException:
            conn.close()
            raise
        return conn

    def _pragmas(self) -> list[str]:
        # secure_delete: deleted rows are overwritten with zeros, not left in free space for anyone reading the
        # file (Debian's SQLite has it on by default, others do not; set on every connection, it is not stored).
        return ["PRAGMA journal_mode=WAL", f"PRAGMA synchronous={self.synchronous}", "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=10000", "PRAGMA secure_delete=ON"]

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in self._pragmas():
            await conn.execute(pragma)
        return conn

    async def close(self) -> None:
        thread, self._writer_thread = self._writer_thread, None  # from now on, writes are refused
        if thread is not None:
            await self._idle.wait()  # the writes already asked for are finished first
            self._groups.put(None)
            await asyncio.to_thread(thread.join)
        for conn in self._readers:
            await conn.close()
        if self._writer is not None:
            self._writer.close()
        self._readers, self._writer = [], None

    async def _read(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Every row of one query, on a reader connection taken in turn: each has its own thread, so reads
        overlap (WAL lets them run beside the writer), and one slow read does not queue the token checks of
        every request.

        The query runs and is read to its end in one call on the reader's thread. A statement left open
        between two awaits (`execute`, then `fetchone`) would keep its connection's read transaction open
        while other requests use the same connection, and they would all read an old snapshot of the
        log: an append acknowledged, then not found by the next read."""
        if not self._readers:
            raise StoreError("the store is not open")
        self._next_reader = (self._next_reader + 1) % len(self._readers)
        return list(await self._readers[self._next_reader].execute_fetchall(sql, parameters))

    async def _read_one(self, sql: str, parameters: tuple = ()) -> tuple | None:
        """The first row of one query, or None."""
        rows = await self._read(sql, parameters)
        return rows[0] if rows else None

    async def _delete(self, sql: str, parameters: tuple) -> bool:
        """Run one DELETE through the writer: whether it deleted anything."""

        def delete(conn: sqlite3.Connection) -> bool:
            return conn.execute(sql, parameters).rowcount > 0

        return await self._write(delete)

    # --- the single writer ------------------------------------------------------------------------

    async def _write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Queue a synchronous job for the writer; it runs in a transaction shared with its neighbours."""
        if self._writer_thread is None:
            raise StoreError("the store is not open")
        future: asyncio.Future[T] = self._loop.create_future()
        self._pending.append((job, future))
        if not self._busy:
            self._hand_over()
        return await future

    def _hand_over(self) -> None:
        """Give the writer thread the next group of waiting jobs (at most MAX_GROUP): one transaction."""
        group = [self._pending.popleft() for _ in range(min(MAX_GROUP, len(self._pending)))]
        self._busy = True
        self._idle.clear()
        self._groups.put(group)

    def _write_loop(self) -> None:
        """The writer thread: each group in one transaction, its outcomes handed back to the event loop."""
        while (group := self._groups.get()) is not None:
            try:
                outcomes = _commit_group(self._writer, [job for job, _ in group], self._last_seqs)
            except BaseException as exc:  # noqa: BLE001 - the callers learn it; nobody waits forever
                outcomes = [(None, exc)] * len(group)
            if any(getattr(job, "checkpoint", False) for job, _ in group):
                _checkpoint(self._writer)
            self._loop.call_soon_threadsafe(self._committed, group, outcomes)

    def _committed(self, group: list, outcomes: list[tuple]) -> None:
        """On the event loop: answer the group's callers, and hand over the next group if any is waiting."""
        for (_, future), (result, error) in zip(group, outcomes):
            settle(future, result=result, error=error)
        self._busy = False
        if self._pending:
            self._hand_over()
        else:
            self._idle.set()

    # --- accounts and devices ---------------------------------------------------------------------

    async def create_account(self, email: str, password_hash: str, now: dt.datetime) -> Account:
        account = new_account(email, password_hash, now)

        def insert(conn: sqlite3.Connection) -> Account:
            _insert_account(conn, account)
            return account

        return await self._write(insert)

    async def sign_up(
        self, email: str, password_hash: str, device_name: str, token_hash: bytes, events: list[Event],
        now: dt.datetime,
    ) -> tuple[Account, Device]:
        account = new_account(email, password_hash, now)
        device = new_device(account.id, device_name, now)
        first = Append.of(account.id, device.id, events, _iso(now))

        def insert(conn: sqlite3.Connection) -> tuple[Account, Device]:
            # One job, so one transaction: a failure of any part rolls back the others with it.
            _insert_account(conn, account)
            conn.execute(
                "INSERT INTO devices (id, account_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (device.id, account.id, device_name, token_hash, _iso(now)),
            )
            if first.bodies:
                _append_all(conn, [first], self._last_seqs)
            return account, device

        return await self._write(insert)

    async def account_by_email(self, email: str) -> Account | None:
        return await self._account("email = ? COLLATE NOCASE", email)

    async def get_account(self, account_id: str) -> Account | None:
        return await self._account("id = ?", account_id)

    async def _account(self, where: str, value: str) -> Account | None:
        row = await self._read_one(
            f"SELECT id, email, password_hash, created_at FROM accounts WHERE {where}", (value,)
        )
        return Account(row[0], row[1], row[2], _moment(row[3])) if row else None

    async def set_password(self, account_id: str, password_hash: str) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE accounts SET password_hash = ? WHERE id = ?", (password_hash, account_id))

        await self._write(update)

    async def erase_account(self, account_id: str) -> None:
        def erase(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE accounts SET erasing = 1 WHERE id = ?", (account_id,))
            for table in ERASED_WITH_ACCOUNT:
                conn.execute(f"DELETE FROM {table} WHERE account_id = ?", (account_id,))
            conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
            self._last_seqs.pop(account_id, None)

        erase.checkpoint = True  # the caller is answered once the WAL no longer holds the erased rows
        await self._write(erase)

    async def add_device(
        self, account_id: str, name: str, token_hash: bytes, now: dt.datetime, *, password_hash: str | None = None
    ) -> Device | None:
        device = new_device(account_id, name, now)

        def insert(conn: sqlite3.Connection) -> Device | None:
            cursor = conn.execute(
                "INSERT INTO devices (id, account_id, name, token_hash, created_at)"
                " SELECT ?, id, ?, ?, ? FROM accounts WHERE id = ? AND (? IS NULL OR password_hash = ?)",
                (device.id, name, token_hash, _iso(now), account_id, password_hash, password_hash),
            )
            return device if cursor.rowcount else None

        return await self._write(insert)

    async def device_by_token(self, token_hash: bytes) -> Device | None:
        row = await self._read_one(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE token_hash = ?", (token_hash,)
        )
        return _device(row) if row else None

    async def list_devices(self, account_id: str) -> list[Device]:
        rows = await self._read(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE account_id = ? ORDER BY created_at, rowid", (account_id,)
        )
        return [_device(row) for row in rows]

    async def revoke_device(self, account_id: str, device_id: str) -> bool:
        return await self._delete("DELETE FROM devices WHERE id = ? AND account_id = ?", (device_id, account_id))

    async def mark_seen(self, device_id: str, now: dt.datetime) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", (_iso(now), device_id))

        await self._write(update)

    # --- the event log ----------------------------------------------------------------------------

    async def append(self, account_id: str, device_id: str | None, events: list[Event], now: dt.datetime) -> AppendResult:
        result = await self._write(Append.of(account_id, device_id, events, _iso(now)))
        return self._appended(account_id, result)

    async def read(self, account_id: str, after: int = 0, limit: int = 1000) -> list[Event]:
        rows = await self._read(
            "SELECT seq, recorded_at, device, body FROM events WHERE account_id = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            (account_id, after, limit),
        )
        return [
            _server_fields(decode_event(body), seq=seq, recorded_at=_moment(recorded), device=device)
            for seq, recorded, device, body in rows
        ]

    async def last_seq(self, account_id: str) -> int:
        rows = await self._read(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE account_id = ?", (account_id,)
        )
        ((last,),) = rows
        return last

    # --- web push ---------------------------------------------------------------------------------

    async def save_subscription(
        self, account_id: str, device_id: str, endpoint: str, p256dh: str, auth: str, now: dt.datetime
    ) -> Subscription:
        def save(conn: sqlite3.Connection) -> Subscription:
            held = conn.execute(
                "SELECT id, account_id, device_id FROM push_subscriptions WHERE endpoint = ?", (endpoint,)
            ).fetchone()
            if held is not None and held[1] != account_id:
                raise EndpointTaken(endpoint)
            conn.execute("DELETE FROM push_subscriptions WHERE device_id = ? AND endpoint != ?", (device_id, endpoint))
            if held is not None and held[1:] == (account_id, device_id):
                conn.execute("UPDATE push_subscriptions SET p256dh = ?, auth = ? WHERE id = ?", (p256dh, auth, held[0]))
                subscription_id = held[0]
            else:
                if held is not None:  # the browser's endpoint now belongs to another device of the account
                    conn.execute("DELETE FROM push_subscriptions WHERE id = ?", (held[0],))
                subscription_id = uuid.uuid4().hex
                try:
                    conn.execute(
                        "INSERT INTO push_subscriptions (id, account_id, device_id, endpoint, p256dh, auth, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (subscription_id, account_id, device_id, endpoint, p256dh, auth, _iso(now)),
                    )
                except sqlite3.IntegrityError:  # the account or device (foreign keys) erased since the token check
                    raise AccountGone(f"there is no account {account_id} (erased?): nothing stored") from None
            row = conn.execute(
                f"SELECT {_SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE id = ?", (subscription_id,)
            ).fetchone()
            return _subscription(row)

        return await self._write(save)

    async def list_subscriptions(self, account_id: str) -> list[Subscription]:
        rows = await self._read(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE account_id = ? ORDER BY created_at, rowid",
            (account_id,),
        )
        return [_subscription(row) for row in rows]

    async def remove_subscription(self, account_id: str, subscription_id: str) -> bool:
        return await self._delete(
            "DELETE FROM push_subscriptions WHERE id = ? AND account_id = ?", (subscription_id, account_id)
        )

    async def record_delivery(
        self, subscription_id: str, now: dt.datetime, *, digest_day: dt.date | None = None, failure: str | None = None
    ) -> None:
        if failure is None:
            sql = ("UPDATE push_subscriptions SET last_sent_at = ?, last_digest_day = COALESCE(?, last_digest_day)"
                   " WHERE id = ?")
            values = (_iso(now), digest_day.isoformat() if digest_day else None, subscription_id)
        else:
            sql = "UPDATE push_subscriptions SET last_failure_at = ?, last_failure = ? WHERE id = ?"
            values = (_iso(now), failure, subscription_id)

        def update(conn: sqlite3.Connection) -> None:
            conn.execute(sql, values)

        await self._write(update)

    async def subscribed_accounts(self) -> list[tuple[str, int]]:
        return [(account_id, last) for account_id, last in await self._read(SUBSCRIBED_ACCOUNTS)]

    async def claim_dispatch(
        self, account_id: str, day: dt.date, claimer: str, now: dt.datetime, stale_before: dt.datetime
    ) -> bool:
        def claim(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO push_dispatches (account_id, day, claimed_by, claimed_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (account_id, day) DO UPDATE SET claimed_by = excluded.claimed_by,"
                " claimed_at = excluded.claimed_at"
                " WHERE push_dispatches.status = 'claimed' AND push_dispatches.claimed_at < ?",
                (account_id, day.isoformat(), claimer, _stamp(now), _stamp(stale_before)),
            )
            return cursor.rowcount > 0

        return await self._write(claim)

    async def finish_dispatch(
        self, account_id: str, day: dt.date, status: str, items: int | None, now: dt.datetime
    ) -> None:
        def finish(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE push_dispatches SET status = ?, items = ?, finished_at = ? WHERE account_id = ? AND day = ?",
                (status, items, _stamp(now), account_id, day.isoformat()),
            )

        await self._write(finish)

    async def get_dispatch(self, account_id: str, day: dt.date) -> Dispatch | None:
        row = await self._read_one(
            "SELECT claimed_by, claimed_at, status, items, finished_at FROM push_dispatches"
            " WHERE account_id = ? AND day = ?",
            (account_id, day.isoformat()),
        )
        if row is None:
            return None
        return Dispatch(account_id, day, row[0], _moment(row[1]), row[2], row[3], _moment(row[4]))

    async def claim_dispatches(
        self, claims: list[tuple[str, dt.date]], claimer: str, now: dt.datetime, stale_before: dt.datetime
    ) -> list[tuple[str, dt.date]]:
        rows = [(account_id, day.isoformat(), claimer, _stamp(now), _stamp(stale_before)) for account_id, day in claims]

        def claim(conn: sqlite3.Connection) -> list[tuple[str, dt.date]]:
            return [pair for pair, row in zip(claims, rows) if conn.execute(_CLAIM, row).rowcount > 0]

        return await self._write(claim)

    async def get_dispatches(self, claims: list[tuple[str, dt.date]]) -> list[Dispatch]:
        found: list[Dispatch] = []
        for start in range(0, len(claims), _CHUNK // 2):
            chunk = claims[start:start + _CHUNK // 2]
            pairs = " OR ".join(["(account_id = ? AND day = ?)"] * len(chunk))
            rows = await self._read(
                "SELECT account_id, day, claimed_by, claimed_at, status, items, finished_at FROM push_dispatches"
                f" WHERE {pairs}", tuple(value for account_id, day in chunk for value in (account_id, day.isoformat())),
            )
            found += [Dispatch(r[0], dt.date.fromisoformat(r[1]), r[2], _moment(r[3]), r[4], r[5], _moment(r[6]))
                      for r in rows]
        return found

    async def read_logs(self, account_ids: list[str]) -> dict[str, list[Event]]:
        logs: dict[str, list[Event]] = {}
        for start in range(0, len(account_ids), _CHUNK):
            chunk = account_ids[start:start + _CHUNK]
            rows = await self._read(
                "SELECT account_id, seq, recorded_at, device, body FROM events"
                f" WHERE account_id IN ({','.join('?' * len(chunk))}) ORDER BY account_id, seq", tuple(chunk),
            )
            for account_id, seq, recorded, device, body in rows:
                logs.setdefault(account_id, []).append(
                    _server_fields(decode_event(body), seq=seq, recorded_at=_moment(recorded), device=device))
        return logs

    async def subscriptions_of(self, account_ids: list[str]) -> dict[str, list[Subscription]]:
        found: dict[str, list[Subscription]] = {}
        for start in range(0, len(account_ids), _CHUNK):
            chunk = account_ids[start:start + _CHUNK]
            rows = await self._read(
                f"SELECT {_SUBSCRIPTION_COLUMNS} FROM push_subscriptions"
                f" WHERE account_id IN ({','.join('?' * len(chunk))}) ORDER BY created_at, rowid", tuple(chunk),
            )
            for row in rows:
                subscription = _subscription(row)
                found.setdefault(subscription.account_id, []).append(subscription)
        return found

    async def finish_dispatches(
        self, finished: list[tuple[str, dt.date, str, int | None]],
        deliveries: list[tuple[str, dt.date | None, str | None]], now: dt.datetime,
    ) -> None:
        stamp, moment = _stamp(now), _iso(now)
        ended = [(status, items, stamp, account_id, day.isoformat()) for account_id, day, status, items in finished]
        sent = [(moment, day.isoformat() if day else None, sub) for sub, day, failure in deliveries if failure is None]
        failed = [(moment, failure, sub) for sub, _, failure in deliveries if failure is not None]

        def finish(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "UPDATE push_dispatches SET status = ?, items = ?, finished_at = ? WHERE account_id = ? AND day = ?",
                ended,
            )
            conn.executemany(
                "UPDATE push_subscriptions SET last_sent_at = ?, last_digest_day = COALESCE(?, last_digest_day)"
                " WHERE id = ?", sent,
            )
            conn.executemany("UPDATE push_subscriptions SET last_failure_at = ?, last_failure = ? WHERE id = ?", failed)

        await self._write(finish)


    # --- calendar feeds ---------------------------------------------------------------------------

    async def save_calendar_feed(
        self, account_id: str, nonce: bytes, secret_hash: bytes, now: dt.datetime, *, replace: bool
    ) -> CalendarFeed | None:
        def save(conn: sqlite3.Connection) -> CalendarFeed | None:
            conflict = ("DO UPDATE SET nonce = excluded.nonce, secret_hash = excluded.secret_hash,"
                        " created_at = excluded.created_at" if replace else "DO NOTHING")
            conn.execute(
                "INSERT INTO calendar_feeds (account_id, nonce, secret_hash, created_at)"
                f" SELECT id, ?, ?, ? FROM accounts WHERE id = ? ON CONFLICT (account_id) {conflict}",
                (nonce, secret_hash, _iso(now), account_id),
            )
            row = conn.execute(
                f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE account_id = ?", (account_id,)
            ).fetchone()
            return _feed(row) if row else None

        return await self._write(save)

    async def get_calendar_feed(self, account_id: str) -> CalendarFeed | None:
        row = await self._read_one(f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE account_id = ?", (account_id,))
        return _feed(row) if row else None

    async def calendar_feed_by_secret(self, secret_hash: bytes) -> CalendarFeed | None:
        row = await self._read_one(f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE secret_hash = ?", (secret_hash,))
        return _feed(row) if row else None

    # --- coach links (shares) ----------------------------------------------------------------------

    async def create_share(
        self, account_id: str, label: str, scope: str, secret_hash: bytes, now: dt.datetime, expires_at: dt.datetime
    ) -> Share:
        share = Share(uuid.uuid4().hex, account_id, label, scope, now, expires_at, None)

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO shares (id, account_id, label, scope, secret_hash, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (share.id, account_id, label, scope, secret_hash, _iso(now), _iso(expires_at)),
            )

        await self._write(insert)
        return share

    async def list_shares(self, account_id: str) -> list[Share]:
        rows = await self._read(
            f"SELECT {_SHARE_COLUMNS} FROM shares WHERE account_id = ? ORDER BY created_at, rowid", (account_id,)
        )
        return [_share(row) for row in rows]

    async def revoke_share(self, account_id: str, share_id: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute("DELETE FROM shares WHERE id = ? AND account_id = ?", (share_id, account_id))
            return cursor.rowcount > 0

        return await self._write(delete)

    async def open_share(self, secret_hash: bytes, now: dt.datetime) -> Share | None:
        def mark(conn: sqlite3.Connection) -> Share | None:
            row = conn.execute(f"SELECT {_SHARE_COLUMNS} FROM shares WHERE secret_hash = ?", (secret_hash,)).fetchone()
            if row is None or _share(row).expires_at <= now:  # instants compared as instants, not as text
                return None
            conn.execute("UPDATE shares SET last_opened_at = ? WHERE id = ?", (_iso(now), row[0]))
            return replace(_share(row), last_opened_at=now)

        return await self._write(mark)


FILE_MODE = 0o600
"""The database holds emails, notes and password hashes: readable by the server's user only, like the VAPID key."""


def _keep_private(path: Path) -> None:
    """Create the database file 0600 if it is missing (SQLite then makes its -wal and -shm with the same mode), and
    take the group's and others' access away from one made before (or by another tool)."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if os.stat(file).st_mode & 0o077:
                os.chmod(file, FILE_MODE)
        except FileNotFoundError:
            pass


def _insert_account(conn: sqlite3.Connection, account: Account) -> None:
    """The account's row, or AccountExists if its email has one already (case aside)."""
    try:
        conn.execute(
            "INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (account.id, account.email, account.password_hash, _iso(account.created_at)),
        )
    except sqlite3.IntegrityError:
        raise AccountExists(account.email) from None


_CLAIM = (
    "INSERT INTO push_dispatches (account_id, day, claimed_by, claimed_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (account_id, day) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at"
    " WHERE push_dispatches.status = 'claimed' AND push_dispatches.claimed_at < ?"
)


_DEVICE_COLUMNS = "id, account_id, name, created_at, last_seen_at"
_FEED_COLUMNS = "account_id, nonce, secret_hash, created_at"


def _feed(row: tuple) -> CalendarFeed:
    return CalendarFeed(row[0], bytes(row[1]), bytes(row[2]), _moment(row[3]))


_SHARE_COLUMNS = "id, account_id, label, scope, created_at, expires_at, last_opened_at"


def _share(row: tuple) -> Share:
    return Share(row[0], row[1], row[2], row[3], _moment(row[4]), _moment(row[5]), _moment(row[6]))


def _device(row: tuple) -> Device:
    return Device(row[0], row[1], row[2], _moment(row[3]), _moment(row[4]))


_SUBSCRIPTION_COLUMNS = (
    "id, account_id, device_id, endpoint, p256dh, auth, created_at, last_sent_at, last_digest_day,"
    " last_failure_at, last_failure"
)


def _subscription(row: tuple) -> Subscription:
    return Subscription(
        row[0], row[1], row[2], row[3], row[4], row[5], _moment(row[6]), _moment(row[7]),
        dt.date.fromisoformat(row[8]) if row[8] else None, _moment(row[9]), row[10],
    )


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers hold `;` inside BEGIN ... END)."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements


def _append_all(conn: sqlite3.Connection, appends: list[Append], last_seqs: dict[str, int]) -> list[AppendResult]:
    """Store the events of several appends not stored yet, with gapless seqs in the order of the calls.

    Re-sends are the exception, so the events are first inserted as if all were new: one multi-row
    INSERT, no look-up beforehand (the UNIQUE (account_id, id) index checks every row anyway). If any
    row is refused, that attempt is undone to its savepoint and the appends are stored the careful way:
    look up which ids are stored already, then insert the others. `last_seqs`: the writer's cache of each
    account's last seq, kept up to date."""
    conn.execute("SAVEPOINT append_as_new")
    try:
        results = _append_as_new(conn, appends, last_seqs)
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK TO append_as_new")
        conn.execute("RELEASE append_as_new")
        return _append_checked(conn, appends, last_seqs)
    conn.execute("RELEASE append_as_new")
    return results


def _append_as_new(conn: sqlite3.Connection, appends: list[Append], last_seqs: dict[str, int]) -> list[AppendResult]:
    """Insert every event of the appends as new; an IntegrityError if one is stored already (or repeated)."""
    lasts: dict[str, int] = {}
    results, rows = [], []
    for append in appends:
        account_id = append.account_id
        last = lasts.get(account_id)
        if last is None:
            last = _last_seq(conn, append, last_seqs)
        for event_id, kind, body in append.bodies:
            last += 1
            rows.append((account_id, last, event_id, kind, append.recorded_at, append.device_id, body))
        lasts[account_id] = last
        results.append(AppendResult([event_id for event_id, _, _ in append.bodies], [], last))
    _insert(conn, rows)
    for append in appends:  # only once every row is in: a refused row leaves the cache as it was
        last_seqs[append.account_id] = lasts[append.account_id]
    return results


def _append_checked(conn: sqlite3.Connection, appends: list[Append], last_seqs: dict[str, int]) -> list[AppendResult]:
    """Look up which of the appends' ids are stored already, answer those as duplicates, insert the rest."""
    wanted: dict[str, set[str]] = {}
    for append in appends:
        wanted.setdefault(append.account_id, set()).update(event_id for event_id, _, _ in append.bodies)
    stored: dict[str, dict[str, bytes]] = {}
    for account_id, ids in wanted.items():
        found = stored[account_id] = {}
        ids = list(ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            found.update(conn.execute(
                f"SELECT id, body FROM events WHERE account_id = ? AND id IN ({','.join('?' * len(chunk))})",
                (account_id, *chunk),
            ))
    results, rows = [], []
    for append in appends:
        account_id, seen = append.account_id, stored[append.account_id]
        last = _last_seq(conn, append, last_seqs)
        accepted, duplicates, conflicts = [], [], []
        for event_id, kind, body in append.bodies:
            if event_id in seen:
                duplicates.append(event_id)
                if not same_content(seen[event_id], body):
                    conflicts.append(event_id)
                continue
            seen[event_id] = body
            last += 1
            accepted.append(event_id)
            rows.append((account_id, last, event_id, kind, append.recorded_at, append.device_id, body))
        last_seqs[account_id] = last
        results.append(AppendResult(accepted, duplicates, last, conflicts))
    try:
        _insert(conn, rows)
    except sqlite3.IntegrityError:
        for account_id in wanted:  # the events' account must exist (a foreign key): erased since its token was checked?
            if conn.execute("SELECT 1 FROM accounts WHERE id = ?", (account_id,)).fetchone() is None:
                raise AccountGone(f"there is no account {account_id} (erased?): nothing stored") from None
        raise
    return results


def _last_seq(conn: sqlite3.Connection, append: Append, last_seqs: dict[str, int]) -> int:
    """The account's last stored seq: as the writer cached it, else from the database."""
    last = last_seqs.get(append.account_id)
    if last is None:
        (last,) = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE account_id = ?", (append.account_id,)
        ).fetchone()
    return last


_ROWS_PER_INSERT = 100
"""Rows per multi-row INSERT (7 variables each, well under SQLite's limit). One statement of many rows costs
about 15% less than `executemany` of one row at a time, which steps a statement per row."""


@functools.lru_cache(maxsize=_ROWS_PER_INSERT)
def _insert_sql(rows: int) -> str:
    return ("INSERT INTO events (account_id, seq, id, type, recorded_at, device, body) VALUES "
            + ",".join(("(?, ?, ?, ?, ?, ?, ?)",) * rows))


def _insert(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start:start + _ROWS_PER_INSERT]
        conn.execute(_insert_sql(len(chunk)), [value for row in chunk for value in row])


def _commit_group(
    conn: sqlite3.Connection, jobs: list[Append | Callable[[sqlite3.Connection], Any]], last_seqs: dict[str, int]
) -> list[tuple]:
    """Run the jobs (appends, or functions of the connection) in one transaction: [(result, None) | (None, error)]
    in order. If any job fails, the transaction is rolled back (and `last_seqs`, the writer's cache of each
    account's last seq, forgotten) and each job runs alone, so only the failing one fails."""
    results: list[tuple] = []
    try:
        conn.execute("BEGIN IMMEDIATE")
        index = 0
        while index < len(jobs):
            end = index
            while end < len(jobs) and isinstance(jobs[end], Append):
                end += 1
            if end > index:
                results.extend((result, None) for result in _append_all(conn, jobs[index:end], last_seqs))
                index = end
            else:
                results.append((jobs[index](conn), None))
                index += 1
        conn.execute("COMMIT")
        return results
    except Exception as exc:  # noqa: BLE001 - every failure is handed back to its caller
        _rollback(conn)
        last_seqs.clear()
        if len(jobs) == 1:
            return [(None, exc)]
        return [outcome for job in jobs for outcome in _commit_group(conn, [job], last_seqs)]


CHECKPOINT_TRIES = 50
"""How many times a checkpoint is tried while readers hold an older snapshot (each try waits up to the busy
timeout for them); the reads of this store last milliseconds, so the first try nearly always does it."""


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the WAL into the database file and truncate it to nothing: after an erasure, the erased rows' pages
    (the rows themselves, and every earlier version of those pages) must not stay readable in the -wal file.
    The database file's pages are overwritten by the zeroed ones (secure_delete)."""
    try:
        for _ in range(CHECKPOINT_TRIES):
            (busy, _, _) = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
    except sqlite3.Error as exc:
        log.warning("erased rows are deleted but the write-ahead log was not emptied (%s)", exc)
        return
    log.warning("erased rows are deleted but the write-ahead log was not emptied: readers kept it busy %d times; "
                "the next checkpoint will", CHECKPOINT_TRIES)


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        pass  # nothing to roll back: BEGIN itself failed
