"""The store contract: what every backend (SQLite now, PostgreSQL for scale-out) must do, and nothing more.

The event log is append-only: no method updates or deletes an event, except `erase_account`, which removes
every row of one account at its owner's request. One contract test suite (tests/integration/store_contract.py)
is written once and run against every backend.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from events import Event


class StoreError(Exception):
    """A store operation that cannot be done as asked."""


class AccountExists(StoreError):
    """An account with that email already exists."""


class AccountGone(StoreError):
    """The account was erased (a request that passed its token check raced the erasure): nothing was stored."""


class EndpointTaken(StoreError):
    """The push endpoint is subscribed by another account: it is never moved from one account to another."""


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    email: str
    password_hash: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    account_id: str
    name: str
    created_at: dt.datetime
    last_seen_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AppendResult:
    accepted: list[str]
    """Ids stored by this call, in the order given."""
    duplicates: list[str]
    """Ids already stored for the account (or repeated within the batch), not stored again."""
    last_seq: int
    """The account's last seq once the call is done."""
    conflicts: list[str] = field(default_factory=list)
    """Those of the duplicates whose content differs from the event stored under that id (or given first in the
    same call): nothing of them is stored, the log keeps the first."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A device's web-push subscription (the browser's PushSubscription), with its delivery log."""

    id: str
    account_id: str
    device_id: str
    endpoint: str
    p256dh: str
    auth: str
    created_at: dt.datetime
    last_sent_at: dt.datetime | None = None
    last_digest_day: dt.date | None = None
    """The local day of the last digest the push service accepted for this device."""
    last_failure_at: dt.datetime | None = None
    last_failure: str | None = None
    """Why the last message that did not get through did not; kept when later ones do (compare the times)."""


@dataclass(frozen=True, slots=True)
class Dispatch:
    """An account's digest of one local day: who claimed it, and how it ended."""

    account_id: str
    day: dt.date
    claimed_by: str
    claimed_at: dt.datetime
    status: str
    """claimed (being sent, or its sender died), sent, nothing_due, failed."""
    items: int | None
    finished_at: dt.datetime | None


AppendListener = Callable[[str, int], None]
"""Told (account id, its new last seq) once an append stored events."""


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """An account's private calendar feed (`/cal/{secret}.ics`). The secret itself is never stored: `nonce` (128
    random bits) is what the server's feed key derives it from, `secret_hash` (its SHA-256) what a fetch is found by."""

    account_id: str
    nonce: bytes
    secret_hash: bytes
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Share:
    """A coach link: read-only access to the account's audit through a secret url, whose hash alone is kept."""

    id: str
    account_id: str
    label: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_opened_at: dt.datetime | None


class Store(abc.ABC):
    """Accounts, devices, each account's event log, web-push subscriptions and digests, calendar feeds."""

    _append_listeners: tuple[AppendListener, ...] = ()

    def on_append(self, listener: AppendListener) -> None:
        """Tell `listener` of each append made through this store object that stored events, once committed (in
        this process only: other instances' appends are heard through PostgreSQL's NOTIFY, server/live/)."""
        self._append_listeners = (*self._append_listeners, listener)

    def _appended(self, account_id: str, result: AppendResult) -> AppendResult:
        if result.accepted:
            for listener in self._append_listeners:
                listener(account_id, result.last_seq)
        return result

    # --- life cycle ---

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect, and create or migrate the schema to the latest version."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Finish pending writes and release every connection."""

    # --- accounts and devices ---

    @abc.abstractmethod
    async def create_account(self, email: str, password_hash: str, now: dt.datetime) -> Account:
        """Create an account; raise AccountExists if the email (case-insensitive) is taken."""

    @abc.abstractmethod
    async def sign_up(
        self, email: str, password_hash: str, device_name: str, token_hash: bytes, events: list[Event],
        now: dt.datetime,
    ) -> tuple[Account, Device]:
        """Create an account, its first device and its first events (seq 1...) in one transaction: all of
        them, or nothing and AccountExists if the email (case-insensitive) is taken."""

    @abc.abstractmethod
    async def account_by_email(self, email: str) -> Account | None:
        """The account with that email (case-insensitive), or None."""

    @abc.abstractmethod
    async def get_account(self, account_id: str) -> Account | None:
        """The account with that id, or None."""

    @abc.abstractmethod
    async def set_password(self, account_id: str, password_hash: str) -> None:
        """Replace the account's password hash."""

    @abc.abstractmethod
    async def erase_account(self, account_id: str) -> None:
        """Remove every row of the account: events, devices, subscriptions, the account itself; and, before
        returning, what the backend keeps of deleted rows (SQLite: the WAL, checkpointed; PostgreSQL: dead tuples,
        vacuumed)."""

    @abc.abstractmethod
    async def add_device(
        self, account_id: str, name: str, token_hash: bytes, now: dt.datetime, *, password_hash: str | None = None
    ) -> Device | None:
        """Register a device of the account, found later by the hash of its token. None, and nothing stored, if
        the account is gone (erased meanwhile) or, when `password_hash` is given, if the account's password is no
        longer that one: a sign-in checked against a password that was changed meanwhile must not add a device
        the change did not get to sign out."""

    @abc.abstractmethod
    async def device_by_token(self, token_hash: bytes) -> Device | None:
        """The device holding the token with that hash, or None (revoked or unknown)."""

    @abc.abstractmethod
    async def list_devices(self, account_id: str) -> list[Device]:
        """The account's devices, oldest first."""

    @abc.abstractmethod
    async def revoke_device(self, account_id: str, device_id: str) -> bool:
        """Remove a device of that account (its token stops working, its push subscription goes);
        False if there is none."""

    @abc.abstractmethod
    async def mark_seen(self, device_id: str, now: dt.datetime) -> None:
        """Record that a device was just used."""

    # --- the event log ---

    @abc.abstractmethod
    async def append(self, account_id: str, device_id: str | None, events: list[Event], now: dt.datetime) -> AppendResult:
        """Store the events not yet stored for the account, all in one transaction, with gapless seqs
        following the account's last; durable once it returns. Ids already stored are duplicates (and conflicts
        too when their content differs). AccountGone, and nothing stored, if the account was erased."""

    @abc.abstractmethod
    async def read(self, account_id: str, after: int = 0, limit: int = 1000) -> list[Event]:
        """The account's events with seq > after, in seq order, at most `limit`, with seq, recorded_at
        and device set."""

    @abc.abstractmethod
    async def last_seq(self, account_id: str) -> int:
        """The account's last seq (0 when its log is empty)."""

    # --- web push ---

    @abc.abstractmethod
    async def save_subscription(
        self, account_id: str, device_id: str, endpoint: str, p256dh: str, auth: str, now: dt.datetime
    ) -> Subscription:
        """Make `endpoint` the device's one subscription (replacing the device's others, and taking the
        endpoint from another device of the same account that held it); same endpoint and device again: new keys,
        log kept. EndpointTaken, and nothing changed, if another account holds the endpoint; AccountGone if the
        account (or the device) was erased."""

    @abc.abstractmethod
    async def list_subscriptions(self, account_id: str) -> list[Subscription]:
        """The account's subscriptions, oldest first."""

    @abc.abstractmethod
    async def remove_subscription(self, account_id: str, subscription_id: str) -> bool:
        """Remove a subscription of that account; False if there is none."""

    @abc.abstractmethod
    async def record_delivery(
        self, subscription_id: str, now: dt.datetime, *, digest_day: dt.date | None = None, failure: str | None = None
    ) -> None:
        """Note on a subscription that a message got through (a digest of `digest_day`, if one), or why not."""

    @abc.abstractmethod
    async def subscribed_accounts(self) -> list[tuple[str, int]]:
        """Every account with at least one subscription, with its last seq."""

    @abc.abstractmethod
    async def claim_dispatch(
        self, account_id: str, day: dt.date, claimer: str, now: dt.datetime, stale_before: dt.datetime
    ) -> bool:
        """Atomically claim the account's digest of `day` (a local date) for `claimer`: True if nobody had,
        or if a claim made before `stale_before` never finished (its claimer died); else False."""

    @abc.abstractmethod
    async def finish_dispatch(
        self, account_id: str, day: dt.date, status: str, items: int | None, now: dt.datetime
    ) -> None:
        """Record how the account's digest of `day` ended: sent, nothing_due or failed."""

    @abc.abstractmethod
    async def get_dispatch(self, account_id: str, day: dt.date) -> Dispatch | None:
        """The account's digest of `day`, or None if nobody claimed it."""

    # --- web push, many accounts at once (the digest scheduler at a busy hour) ---

    @abc.abstractmethod
    async def claim_dispatches(
        self, claims: list[tuple[str, dt.date]], claimer: str, now: dt.datetime, stale_before: dt.datetime
    ) -> list[tuple[str, dt.date]]:
        """`claim_dispatch` for each (account, day), all in one transaction: the pairs this call claimed."""

    @abc.abstractmethod
    async def get_dispatches(self, claims: list[tuple[str, dt.date]]) -> list[Dispatch]:
        """The dispatches of these (account, day) pairs that someone claimed, in one query."""

    @abc.abstractmethod
    async def read_logs(self, account_ids: list[str]) -> dict[str, list[Event]]:
        """Each account's whole log as `read` gives it, in one query (accounts with no events are left out)."""

    @abc.abstractmethod
    async def subscriptions_of(self, account_ids: list[str]) -> dict[str, list[Subscription]]:
        """Each account's subscriptions, oldest first, in one query (accounts with none are left out)."""

    @abc.abstractmethod
    async def finish_dispatches(
        self, finished: list[tuple[str, dt.date, str, int | None]],
        deliveries: list[tuple[str, dt.date | None, str | None]], now: dt.datetime,
    ) -> None:
        """In one transaction: `finish_dispatch` for each (account, day, status, items), and `record_delivery`
        for each (subscription id, digest day or None, failure or None)."""

    # --- calendar feeds (DESIGN.md section 4, "Sharing and interop") ---

    @abc.abstractmethod
    async def save_calendar_feed(
        self, account_id: str, nonce: bytes, secret_hash: bytes, now: dt.datetime, *, replace: bool
    ) -> CalendarFeed | None:
        """The account's feed after this call. `replace` False: the one it has, else this one, made now (two first
        calls at once keep the same one); True: this one, and the previous secret stops being found at once.
        None, and nothing stored, if the account is gone."""

    @abc.abstractmethod
    async def get_calendar_feed(self, account_id: str) -> CalendarFeed | None:
        """The account's calendar feed, or None if it never asked for one."""

    @abc.abstractmethod
    async def calendar_feed_by_secret(self, secret_hash: bytes) -> CalendarFeed | None:
        """The feed whose secret has that SHA-256, or None (rotated, erased or unknown)."""

    # --- coach links (shares) ---

    @abc.abstractmethod
    async def create_share(
        self, account_id: str, label: str, scope: str, secret_hash: bytes, now: dt.datetime, expires_at: dt.datetime
    ) -> Share:
        """Keep a new coach link of the account (its secret's hash, never the secret)."""

    @abc.abstractmethod
    async def list_shares(self, account_id: str) -> list[Share]:
        """The account's coach links not revoked (expired ones included), oldest first."""

    @abc.abstractmethod
    async def revoke_share(self, account_id: str, share_id: str) -> bool:
        """Delete a coach link of that account at once; False if the account has none of that id."""

    @abc.abstractmethod
    async def open_share(self, secret_hash: bytes, now: dt.datetime) -> Share | None:
        """The coach link of that secret hash if it expires after `now`, marked as opened at `now`; None if
        there is none (revoked, erased, never made) or it has expired."""
