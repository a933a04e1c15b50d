"""The scale-out store: PostgreSQL through an asyncpg pool, for several server instances on one database.

Appends lock their account's row (`FOR NO KEY UPDATE`), so appends to one account from any number of
instances take turns and each numbers its events after the last committed seq: gapless, and an id re-sent
at the same moment through another instance is answered as a duplicate, never stored twice. Within one
instance, appends waiting at the same moment share one transaction (group commit, as the SQLite writer
does): one lock query, one look-up and one INSERT for all of them, the accounts' rows locked in id order
so that two instances' groups never deadlock. The database itself refuses to update, delete or truncate
events (triggers), except the rows of an account being erased (its `erasing` flag, as in SQLite). A digest
is claimed by `INSERT ... ON CONFLICT DO UPDATE ... WHERE` the claim is stale: PostgreSQL locks the claim's
row, so one instance wins it.

Durability is PostgreSQL's: an append is acknowledged once its COMMIT returns, with the default
`synchronous_commit = on` (leave it on: off would lose acknowledged events in a crash).

Every transaction that stores events announces them: `NOTIFY merci_events` with `{"account": id,
"last_seq": n}` for each account, delivered to listeners only once it commits: every instance LISTENs
(server/live/postgres.py) to tell its live streams and its digest scheduler. The read cache
(server/projections.py) does not need it: it checks the account's last seq on every read. It has a price:
PostgreSQL serializes the commits of notifying transactions (one lock for the whole cluster, held until the
commit is flushed), which halved the commits per second of 100 concurrent appenders on 100 accounts in
bench/store.py; the group commit above is what keeps that from mattering.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
import msgspec

from events import Event, decode_event

from ..settings import describe_database
from .common import (
    ERASED_WITH_ACCOUNT, MAX_GROUP, SUBSCRIBED_ACCOUNTS, Append, new_account, new_device, same_content, settle,
    stored_body,
)
from .contract import (
    Account, AccountExists, AccountGone, AppendResult, CalendarFeed, Device, Dispatch, EndpointTaken, Share, Store,
    StoreError, Subscription,
)
from .migrations import POSTGRES_MIGRATIONS

CHANNEL = "merci_events"
"""The NOTIFY channel: each transaction that stored events announces each account's new last seq on it."""

MIGRATING = int.from_bytes(b"merci/mg", "big")
"""Advisory lock held while migrating: instances starting together migrate one after the other."""
SUBSCRIBING = int.from_bytes(b"merci/sb", "big")
"""Advisory lock held while saving a subscription: an endpoint moves between devices in one piece."""

_server_fields = msgspec.structs.replace
_payload = msgspec.json.Encoder()

_LOCK_ACCOUNTS = "SELECT id FROM accounts WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE"
"""The rows of the accounts a group appends to, locked in id order, so that two groups
never wait for each other in a cycle."""

_LAST_AND_STORED = """
SELECT a.id, (SELECT COALESCE(MAX(seq), 0) FROM events WHERE account_id = a.id),
       ARRAY(SELECT r.id FROM unnest($2::text[], $3::text[]) AS r (account_id, id)
             WHERE r.account_id = a.id
               AND EXISTS (SELECT FROM events e WHERE e.account_id = a.id AND e.id = r.id))
FROM unnest($1::text[]) AS a (id)
"""
"""Each account's last seq and which of the ids given for it are stored already: one round trip for the
group. One index probe per id given (`id = ANY(...)` was planned as a scan of the account's events while the
table had no statistics yet, 5x slower at 20,000 events)."""

_INSERT = f"""
WITH stored AS (
    INSERT INTO events (account_id, seq, id, type, recorded_at, device, body)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
                         $7::bytea[])
)
SELECT pg_notify('{CHANNEL}', announcement) FROM unnest($8::text[]) AS announcement
"""
"""Every new event of a group in one statement (arrays, not a round trip per event), and the announcements."""

_STORED_BODIES = """
SELECT e.account_id, e.id, e.body FROM unnest($1::text[], $2::text[]) AS r (account_id, id)
JOIN events e ON e.account_id = r.account_id AND e.id = r.id
"""
"""The stored bodies of re-sent ids, to tell those whose content differs (conflicts)."""


def _holds_nul(text: str) -> bool:
    """Whether a client-given string holds U+0000, which PostgreSQL text cannot (it raises
    CharacterNotInRepertoireError): nothing stored can match it, so a look-up by it finds nothing. The API
    refuses U+0000 in what it stores (the event decoder, the request bodies), so no write meets one."""
    return "\x00" in text


class PostgresStore(Store):
    """The store in one PostgreSQL database, shared by every instance pointed at it."""

    def __init__(self, dsn: str, *, min_connections: int = 1, max_connections: int = 10):
        self.dsn = dsn
        self.min_connections = min_connections
        self.max_connections = max_connections
        self._pool: asyncpg.Pool | None = None
        self._pending: list[tuple[Append, asyncio.Future[AppendResult]]] = []
        self._writer: asyncio.Task | None = None
        """Writes the pending appends, a group per transaction, while there are some."""

    # --- life cycle -------------------------------------------------------------------------------

    async def open(self) -> None:
        try:
            pool = await asyncpg.create_pool(self.dsn, min_size=self.min_connections, max_size=self.max_connections)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {describe_database(self.dsn)}: {exc}") from None
        try:
            async with pool.acquire() as conn:
                await self._migrate(conn)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def _migrate(self, conn: asyncpg.Connection) -> None:
        """Bring the schema to the latest version, one transaction per migration, under an advisory lock so
        that instances starting at once do it once."""
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATING)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS merci_schema ("
                " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            version = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM merci_schema")
            if version > len(POSTGRES_MIGRATIONS):
                raise StoreError(f"the database {describe_database(self.dsn)} has schema version {version}, newer "
                                 f"than this server knows ({len(POSTGRES_MIGRATIONS)}): upgrade Merci")
            for number, script in enumerate(POSTGRES_MIGRATIONS[version:], start=version + 1):
                async with conn.transaction():
                    await conn.execute(script)
                    await conn.execute("INSERT INTO merci_schema (version) VALUES ($1)", number)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATING)

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer
        if self._pool is not None:
            await self._pool.close()  # waits for the connections in use, so a running append finishes
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreError("the store is not open")
        return self._pool

    # --- accounts and devices ---------------------------------------------------------------------

    async def create_account(self, email: str, password_hash: str, now: dt.datetime) -> Account:
        account = new_account(email, password_hash, now)
        try:
            await self.pool.execute(
                "INSERT INTO accounts (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
                account.id, email, password_hash, now,
            )
        except asyncpg.UniqueViolationError:
            raise AccountExists(email) from None
        return account

    async def sign_up(
        self, email: str, password_hash: str, device_name: str, token_hash: bytes, events: list[Event],
        now: dt.datetime,
    ) -> tuple[Account, Device]:
        account = new_account(email, password_hash, now)
        device = new_device(account.id, device_name, now)
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                await conn.execute(
                    "INSERT INTO accounts (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
                    account.id, email, password_hash, now,
                )
            except asyncpg.UniqueViolationError:
                raise AccountExists(email) from None
            await conn.execute(
                "INSERT INTO devices (id, account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
                device.id, account.id, device_name, token_hash, now,
            )
            if events:  # nobody else knows the account yet: its seqs start at 1, no lock needed
                n = len(events)
                announcement = _payload.encode({"account": account.id, "last_seq": n}).decode()
                await conn.execute(
                    _INSERT, [account.id] * n, list(range(1, n + 1)), [e.id for e in events],
                    [e.__struct_config__.tag for e in events], [now] * n, [device.id] * n,
                    [stored_body(e) for e in events], [announcement],
                )
        return account, device

    async def account_by_email(self, email: str) -> Account | None:
        return await self._account("lower(email) = lower($1)", email)

    async def get_account(self, account_id: str) -> Account | None:
        return await self._account("id = $1", account_id)

    async def _account(self, where: str, value: str) -> Account | None:
        if _holds_nul(value):
            return None
        row = await self.pool.fetchrow(
            f"SELECT id, email, password_hash, created_at FROM accounts WHERE {where}", value
        )
        return Account(*row) if row else None

    async def set_password(self, account_id: str, password_hash: str) -> None:
        await self.pool.execute("UPDATE accounts SET password_hash = $2 WHERE id = $1", account_id, password_hash)

    async def erase_account(self, account_id: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            # Taking the account's row first also waits for an append to it that is under way.
            await conn.execute("UPDATE accounts SET erasing = true WHERE id = $1", account_id)
            for table in ERASED_WITH_ACCOUNT:
                await conn.execute(f"DELETE FROM {table} WHERE account_id = $1", account_id)
            await conn.execute("DELETE FROM accounts WHERE id = $1", account_id)
        # The deleted rows are dead tuples, still in the tables' pages and indexes until a VACUUM removes them
        # (autovacuum would, some time later). Not VACUUM FULL: it locks each table against every account's
        # reads and writes while it rewrites it. What VACUUM leaves (free space not yet reused, pg_wal, backups)
        # is in deploy/README.md.
        async with self.pool.acquire() as conn:
            await conn.execute(f"VACUUM {', '.join((*ERASED_WITH_ACCOUNT, 'accounts'))}")

    async def add_device(
        self, account_id: str, name: str, token_hash: bytes, now: dt.datetime, *, password_hash: str | None = None
    ) -> Device | None:
        device = new_device(account_id, name, now)
        # FOR SHARE: a password change in progress is waited for, then the condition is checked against the new
        # hash; one that starts later waits for this insert, and then sees the device it has to sign out.
        status = await self.pool.execute(
            "INSERT INTO devices (id, account_id, name, token_hash, created_at)"
            " SELECT $1, id, $2, $3, $4 FROM accounts WHERE id = $5 AND ($6::text IS NULL OR password_hash = $6)"
            " FOR SHARE",
            device.id, name, token_hash, now, account_id, password_hash,
        )
        return device if status.endswith(" 1") else None

    async def device_by_token(self, token_hash: bytes) -> Device | None:
        row = await self.pool.fetchrow(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE token_hash = $1", token_hash)
        return Device(*row) if row else None

    async def list_devices(self, account_id: str) -> list[Device]:
        rows = await self.pool.fetch(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE account_id = $1 ORDER BY created_at, added", account_id
        )
        return [Device(*row) for row in rows]

    async def revoke_device(self, account_id: str, device_id: str) -> bool:
        if _holds_nul(device_id):
            return False
        removed = await self.pool.fetchval(
            "DELETE FROM devices WHERE id = $1 AND account_id = $2 RETURNING true", device_id, account_id
        )
        return bool(removed)

    async def mark_seen(self, device_id: str, now: dt.datetime) -> None:
        await self.pool.execute("UPDATE devices SET last_seen_at = $2 WHERE id = $1", device_id, now)

    # --- the event log ----------------------------------------------------------------------------

    async def append(self, account_id: str, device_id: str | None, events: list[Event], now: dt.datetime) -> AppendResult:
        if not events:
            return AppendResult([], [], await self.last_seq(account_id))
        future: asyncio.Future[AppendResult] = asyncio.get_running_loop().create_future()
        self._pending.append((Append.of(account_id, device_id, events, now), future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_pending(), name="merci-postgres-writer")
        return self._appended(account_id, await future)

    async def _write_pending(self) -> None:
        """Write the pending appends, a group per transaction, until none is left. If a group's transaction
        fails, its appends are tried one by one, so that only the failing one fails."""
        group: list[tuple[Append, asyncio.Future[AppendResult]]] = []
        try:
            while self._pending:
                group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
                try:
                    outcomes = await self._append_group([append for append, _ in group])
                except Exception as exc:  # noqa: BLE001 - every failure is handed back to its caller
                    if len(group) == 1:
                        outcomes = [exc]
                    else:
                        outcomes = []
                        for append, _ in group:
                            try:
                                outcomes += await self._append_group([append])
                            except Exception as alone:  # noqa: BLE001
                                outcomes.append(alone)
                for (_, future), outcome in zip(group, outcomes):
                    if isinstance(outcome, Exception):
                        settle(future, error=outcome)
                    else:
                        settle(future, result=outcome)
        except BaseException:  # cancelled with the event loop: no caller may wait forever
            for _, future in self._pending + group:
                settle(future, error=StoreError("the store stopped before this append was stored"))
            self._pending = []
            raise
        finally:
            self._writer = None

    async def _append_group(self, group: list[Append]) -> list[AppendResult | StoreError]:
        """Store the events of the group not stored yet, in one transaction, numbered in the order of the calls."""
        accounts = sorted({append.account_id for append in group})
        # READ COMMITTED whatever the database's default: each statement after the lock must see what the
        # groups that held it before committed (a snapshot from before the wait would reuse their seqs).
        async with self.pool.acquire() as conn, conn.transaction(isolation="read_committed"):
            found = [row["id"] for row in await conn.fetch(_LOCK_ACCOUNTS, accounts)]
            wanted = [(append.account_id, event_id) for append in group for event_id, _, _ in append.bodies]
            rows = await conn.fetch(_LAST_AND_STORED, found, [a for a, _ in wanted], [i for _, i in wanted])
            last = {account_id: seq for account_id, seq, _ in rows}
            # id -> body given earlier in this group, or None for an id stored before it (its body read below)
            seen: dict[str, dict[str, bytes | None]] = {
                account_id: dict.fromkeys(stored) for account_id, _, stored in rows
            }
            stored_bodies = {}
            if any(seen.values()):  # re-sent ids (rare): their stored content, to tell a conflict from a duplicate
                pairs = [(account_id, event_id) for account_id, ids in seen.items() for event_id in ids]
                stored_bodies = {(a, i): bytes(body) for a, i, body in await conn.fetch(
                    _STORED_BODIES, [a for a, _ in pairs], [i for _, i in pairs])}
            outcomes: list[AppendResult | StoreError] = []
            columns: tuple[list, ...] = ([], [], [], [], [], [], [])
            for append in group:
                account_id = append.account_id
                if account_id not in last:
                    outcomes.append(AccountGone(f"there is no account {account_id} (erased?): nothing stored"))
                    continue
                accepted, duplicates, conflicts = [], [], []
                for event_id, kind, body in append.bodies:
                    if event_id in seen[account_id]:
                        duplicates.append(event_id)
                        given = seen[account_id][event_id] or stored_bodies.get((account_id, event_id), body)
                        if not same_content(given, body):
                            conflicts.append(event_id)
                        continue
                    seen[account_id][event_id] = body
                    last[account_id] += 1
                    accepted.append(event_id)
                    for column, value in zip(columns, (account_id, last[account_id], event_id, kind,
                                                       append.recorded_at, append.device_id, body)):
                        column.append(value)
                outcomes.append(AppendResult(accepted, duplicates, last[account_id], conflicts))
            if columns[0]:
                announcements = [_payload.encode({"account": account_id, "last_seq": last[account_id]}).decode()
                                 for account_id in dict.fromkeys(columns[0])]
                await conn.execute(_INSERT, *columns, announcements)
        return outcomes

    async def read(self, account_id: str, after: int = 0, limit: int = 1000) -> list[Event]:
        rows = await self.pool.fetch(
            "SELECT seq, recorded_at, device, body FROM events WHERE account_id = $1 AND seq > $2"
            " ORDER BY seq LIMIT $3",
            account_id, after, limit,
        )
        return [
            _server_fields(decode_event(body), seq=seq, recorded_at=recorded, device=device)
            for seq, recorded, device, body in rows
        ]

    async def last_seq(self, account_id: str) -> int:
        return await self.pool.fetchval("SELECT COALESCE(MAX(seq), 0) FROM events WHERE account_id = $1", account_id)

    # --- web push ---------------------------------------------------------------------------------

    async def save_subscription(
        self, account_id: str, device_id: str, endpoint: str, p256dh: str, auth: str, now: dt.datetime
    ) -> Subscription:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SUBSCRIBING)
            held = await conn.fetchrow(
                "SELECT id, account_id, device_id FROM push_subscriptions WHERE endpoint = $1", endpoint
            )
            if held is not None and held["account_id"] != account_id:
                raise EndpointTaken(endpoint)
            await conn.execute(
                "DELETE FROM push_subscriptions WHERE device_id = $1 AND endpoint <> $2", device_id, endpoint
            )
            if held is not None and (held["account_id"], held["device_id"]) == (account_id, device_id):
                await conn.execute("UPDATE push_subscriptions SET p256dh = $2, auth = $3 WHERE id = $1",
                                   held["id"], p256dh, auth)
                subscription_id = held["id"]
            else:
                if held is not None:  # the browser's endpoint now belongs to another device of the account
                    await conn.execute("DELETE FROM push_subscriptions WHERE id = $1", held["id"])
                subscription_id = uuid.uuid4().hex
                try:
                    await conn.execute(
                        "INSERT INTO push_subscriptions (id, account_id, device_id, endpoint, p256dh, auth, created_at)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        subscription_id, account_id, device_id, endpoint, p256dh, auth, now,
                    )
                except asyncpg.ForeignKeyViolationError:  # the account or device erased since the token check
                    raise AccountGone(f"there is no account {account_id} (erased?): nothing stored") from None
            row = await conn.fetchrow(
                f"SELECT {_SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE id = $1", subscription_id
            )
        return Subscription(*row)

    async def list_subscriptions(self, account_id: str) -> list[Subscription]:
        rows = await self.pool.fetch(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE account_id = $1 ORDER BY created_at, added",
            account_id,
        )
        return [Subscription(*row) for row in rows]

    async def remove_subscription(self, account_id: str, subscription_id: str) -> bool:
        if _holds_nul(subscription_id):
            return False
        removed = await self.pool.fetchval(
            "DELETE FROM push_subscriptions WHERE id = $1 AND account_id = $2 RETURNING true",
            subscription_id, account_id,
        )
        return bool(removed)

    async def record_delivery(
        self, subscription_id: str, now: dt.datetime, *, digest_day: dt.date | None = None, failure: str | None = None
    ) -> None:
        if failure is None:
            await self.pool.execute(
                "UPDATE push_subscriptions SET last_sent_at = $2, last_digest_day = COALESCE($3, last_digest_day)"
                " WHERE id = $1",
                subscription_id, now, digest_day,
            )
        else:
            await self.pool.execute(
                "UPDATE push_subscriptions SET last_failure_at = $2, last_failure = $3 WHERE id = $1",
                subscription_id, now, failure,
            )

    async def subscribed_accounts(self) -> list[tuple[str, int]]:
        return [(account_id, last) for account_id, last in await self.pool.fetch(SUBSCRIBED_ACCOUNTS)]

    async def claim_dispatch(
        self, account_id: str, day: dt.date, claimer: str, now: dt.datetime, stale_before: dt.datetime
    ) -> bool:
        # A concurrent claim of the same (account, day) waits for the row the first one inserted or locked,
        # then sees it committed: the WHERE is checked against that, so only one claimer gets a row back.
        claimed = await self.pool.fetchval(
            "INSERT INTO push_dispatches (account_id, day, claimed_by, claimed_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (account_id, day) DO UPDATE SET claimed_by = excluded.claimed_by,"
            " claimed_at = excluded.claimed_at"
            " WHERE push_dispatches.status = 'claimed' AND push_dispatches.claimed_at < $5"
            " RETURNING true",
            account_id, day, claimer, now, stale_before,
        )
        return bool(claimed)

    async def finish_dispatch(
        self, account_id: str, day: dt.date, status: str, items: int | None, now: dt.datetime
    ) -> None:
        await self.pool.execute(
            "UPDATE push_dispatches SET status = $3, items = $4, finished_at = $5 WHERE account_id = $1 AND day = $2",
            account_id, day, status, items, now,
        )

    async def get_dispatch(self, account_id: str, day: dt.date) -> Dispatch | None:
        row = await self.pool.fetchrow(
            "SELECT claimed_by, claimed_at, status, items, finished_at FROM push_dispatches"
            " WHERE account_id = $1 AND day = $2",
            account_id, day,
        )
        return Dispatch(account_id, day, *row) if row else None

    async def claim_dispatches(
        self, claims: list[tuple[str, dt.date]], claimer: str, now: dt.datetime, stale_before: dt.datetime
    ) -> list[tuple[str, dt.date]]:
        if not claims:
            return []
        # Ordered, so that two instances claiming overlapping batches lock the rows in the same order.
        ordered = sorted(set(claims))
        rows = await self.pool.fetch(
            "INSERT INTO push_dispatches (account_id, day, claimed_by, claimed_at)"
            " SELECT account_id, day, $3, $4 FROM unnest($1::text[], $2::date[]) AS c (account_id, day)"
            " ORDER BY account_id, day"
            " ON CONFLICT (account_id, day) DO UPDATE SET claimed_by = excluded.claimed_by,"
            " claimed_at = excluded.claimed_at"
            " WHERE push_dispatches.status = 'claimed' AND push_dispatches.claimed_at < $5"
            " RETURNING account_id, day",
            [a for a, _ in ordered], [d for _, d in ordered], claimer, now, stale_before,
        )
        won = {(row["account_id"], row["day"]) for row in rows}
        return [pair for pair in claims if pair in won]

    async def get_dispatches(self, claims: list[tuple[str, dt.date]]) -> list[Dispatch]:
        rows = await self.pool.fetch(
            "SELECT d.account_id, d.day, claimed_by, claimed_at, status, items, finished_at FROM push_dispatches d"
            " JOIN unnest($1::text[], $2::date[]) AS c (account_id, day) USING (account_id, day)",
            [a for a, _ in claims], [d for _, d in claims],
        )
        return [Dispatch(*row) for row in rows]

    async def read_logs(self, account_ids: list[str]) -> dict[str, list[Event]]:
        rows = await self.pool.fetch(
            "SELECT account_id, seq, recorded_at, device, body FROM events WHERE account_id = ANY($1::text[])"
            " ORDER BY account_id, seq",
            account_ids,
        )
        logs: dict[str, list[Event]] = {}
        for account_id, seq, recorded, device, body in rows:
            logs.setdefault(account_id, []).append(
                _server_fields(decode_event(body), seq=seq, recorded_at=recorded, device=device))
        return logs

    async def subscriptions_of(self, account_ids: list[str]) -> dict[str, list[Subscription]]:
        rows = await self.pool.fetch(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE account_id = ANY($1::text[])"
            " ORDER BY created_at, added",
            account_ids,
        )
        found: dict[str, list[Subscription]] = {}
        for row in rows:
            found.setdefault(row["account_id"], []).append(Subscription(*row))
        return found

    async def finish_dispatches(
        self, finished: list[tuple[str, dt.date, str, int | None]],
        deliveries: list[tuple[str, dt.date | None, str | None]], now: dt.datetime,
    ) -> None:
        sent = [(sub, day) for sub, day, failure in deliveries if failure is None]
        failed = [(sub, failure) for sub, _, failure in deliveries if failure is not None]
        async with self.pool.acquire() as conn, conn.transaction():
            if finished:
                # The rows locked in (account, day) order first, as claim_dispatches does: another instance's
                # claim of an overlapping batch holds the rows it reached and waits for the next one, so an
                # UPDATE taking them in another order could wait for it in turn (a deadlock).
                await conn.execute(
                    "SELECT FROM push_dispatches d JOIN unnest($1::text[], $2::date[]) AS f (account_id, day)"
                    " USING (account_id, day) ORDER BY account_id, day FOR UPDATE OF d",
                    [f[0] for f in finished], [f[1] for f in finished],
                )
                await conn.execute(
                    "UPDATE push_dispatches d SET status = f.status, items = f.items, finished_at = $5"
                    " FROM unnest($1::text[], $2::date[], $3::text[], $4::int[]) AS f (account_id, day, status, items)"
                    " WHERE d.account_id = f.account_id AND d.day = f.day",
                    [f[0] for f in finished], [f[1] for f in finished], [f[2] for f in finished],
                    [f[3] for f in finished], now,
                )
            if sent:
                await conn.execute(
                    "UPDATE push_subscriptions s SET last_sent_at = $3,"
                    " last_digest_day = COALESCE(d.day, s.last_digest_day)"
                    " FROM unnest($1::text[], $2::date[]) AS d (id, day) WHERE s.id = d.id",
                    [sub for sub, _ in sent], [day for _, day in sent], now,
                )
            if failed:
                await conn.execute(
                    "UPDATE push_subscriptions s SET last_failure_at = $3, last_failure = f.failure"
                    " FROM unnest($1::text[], $2::text[]) AS f (id, failure) WHERE s.id = f.id",
                    [sub for sub, _ in failed], [failure for _, failure in failed], now,
                )

    # --- calendar feeds ---------------------------------------------------------------------------

    async def save_calendar_feed(
        self, account_id: str, nonce: bytes, secret_hash: bytes, now: dt.datetime, *, replace: bool
    ) -> CalendarFeed | None:
        if _holds_nul(account_id):
            return None
        conflict = ("DO UPDATE SET nonce = excluded.nonce, secret_hash = excluded.secret_hash,"
                    " created_at = excluded.created_at" if replace else "DO NOTHING")
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO calendar_feeds (account_id, nonce, secret_hash, created_at)"
                f" SELECT id, $2, $3, $4 FROM accounts WHERE id = $1 ON CONFLICT (account_id) {conflict}",
                account_id, nonce, secret_hash, now,
            )
            row = await conn.fetchrow(f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE account_id = $1", account_id)
        return CalendarFeed(*row) if row else None

    async def get_calendar_feed(self, account_id: str) -> CalendarFeed | None:
        if _holds_nul(account_id):
            return None
        row = await self.pool.fetchrow(f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE account_id = $1", account_id)
        return CalendarFeed(*row) if row else None

    async def calendar_feed_by_secret(self, secret_hash: bytes) -> CalendarFeed | None:
        row = await self.pool.fetchrow(f"SELECT {_FEED_COLUMNS} FROM calendar_feeds WHERE secret_hash = $1",
                                       secret_hash)
        return CalendarFeed(*row) if row else None


    # --- coach links (shares) ----------------------------------------------------------------------

    async def create_share(
        self, account_id: str, label: str, scope: str, secret_hash: bytes, now: dt.datetime, expires_at: dt.datetime
    ) -> Share:
        share = Share(uuid.uuid4().hex, account_id, label, scope, now, expires_at, None)
        await self.pool.execute(
            "INSERT INTO shares (id, account_id, label, scope, secret_hash, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            share.id, account_id, label, scope, secret_hash, now, expires_at,
        )
        return share

    async def list_shares(self, account_id: str) -> list[Share]:
        rows = await self.pool.fetch(
            f"SELECT {_SHARE_COLUMNS} FROM shares WHERE account_id = $1 ORDER BY created_at, added", account_id
        )
        return [Share(*row) for row in rows]

    async def revoke_share(self, account_id: str, share_id: str) -> bool:
        if _holds_nul(share_id):
            return False
        removed = await self.pool.fetchval(
            "DELETE FROM shares WHERE id = $1 AND account_id = $2 RETURNING true", share_id, account_id
        )
        return bool(removed)

    async def open_share(self, secret_hash: bytes, now: dt.datetime) -> Share | None:
        row = await self.pool.fetchrow(
            f"UPDATE shares SET last_opened_at = $2 WHERE secret_hash = $1 AND expires_at > $2"
            f" RETURNING {_SHARE_COLUMNS}",
            secret_hash, now,
        )
        return Share(*row) if row else None


_DEVICE_COLUMNS = "id, account_id, name, created_at, last_seen_at"
_FEED_COLUMNS = "account_id, nonce, secret_hash, created_at"
_SHARE_COLUMNS = "id, account_id, label, scope, created_at, expires_at, last_opened_at"
_SUBSCRIPTION_COLUMNS = (
    "id, account_id, device_id, endpoint, p256dh, auth, created_at, last_sent_at, last_digest_day,"
    " last_failure_at, last_failure"
)
