"""What the SQLite and PostgreSQL stores share: how an event is stored, which tables an account's erasure
empties, the appends that wait for a store's writer and how many share a transaction, and the answering of
their callers. Each store keeps only what its database does its own way.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec

from events import Event, decode_event, encode_event

from .contract import Account, Device

MAX_GROUP = 200
"""At most this many calls share one transaction (bounded latency for the first of them)."""

ERASED_WITH_ACCOUNT = ("shares", "calendar_feeds", "push_dispatches", "push_subscriptions", "events", "devices")
"""Every table holding an account's rows, emptied (in this order) when the account is erased."""

SUBSCRIBED_ACCOUNTS = (
    "SELECT s.account_id, (SELECT COALESCE(MAX(seq), 0) FROM events e WHERE e.account_id = s.account_id)"
    " FROM (SELECT DISTINCT account_id FROM push_subscriptions) s"
)
"""Each account with a push subscription, and its last seq (plain SQL, the same on SQLite and PostgreSQL)."""

def new_account(email: str, password_hash: str, now: dt.datetime) -> Account:
    """A new account, its id made here (never chosen by a client)."""
    return Account(uuid.uuid4().hex, email, password_hash, now)


def new_device(account_id: str, name: str, now: dt.datetime) -> Device:
    """A new device of the account, never seen yet."""
    return Device(uuid.uuid4().hex, account_id, name, now, None)


def stored_body(event: Event) -> bytes:
    """The stored JSON: the event as the client sent it, without server fields (they have columns)."""
    if event.seq is not None or event.recorded_at is not None or event.device is not None:
        event = msgspec.structs.replace(event, seq=None, recorded_at=None, device=None)
    return encode_event(event)


def same_content(stored: bytes, body: bytes) -> bool:
    """Whether a stored event's body and a re-sent one's say the same (the stored one read again as this server
    writes events, should the encoding have changed since it was stored)."""
    return stored == body or encode_event(decode_event(stored)) == body


@dataclass(slots=True)
class Append:
    """An append waiting for its store's writer. Appends next to each other in a group are stored together: one
    duplicate look-up per account and one INSERT for all of them, not three statements each."""

    account_id: str
    device_id: str | None
    bodies: list[tuple[str, str, bytes]]
    """(id, type, JSON body) of each event, in the order given."""
    recorded_at: Any
    """When the server received them, as the store writes an instant (SQLite: ISO 8601 text; PostgreSQL: the
    datetime)."""

    @classmethod
    def of(cls, account_id: str, device_id: str | None, events: list[Event], recorded_at: Any) -> Append:
        encode = encode_event  # events from a client carry no server fields: most need no copy without them
        bodies = [
            (event.id, event.__struct_config__.tag,
             encode(event) if event.seq is None and event.recorded_at is None and event.device is None
             else stored_body(event))
            for event in events
        ]
        return cls(account_id, device_id, bodies, recorded_at)


def settle(future: asyncio.Future, *, result: Any = None, error: BaseException | None = None) -> None:
    """Answer a caller waiting for its write, unless it went away (the write is done all the same)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
