"""The server's settings: one frozen Struct, read from `MERCI_*` environment variables.

Every field `name` can be set through `MERCI_NAME` (e.g. `MERCI_PORT=8080`); `merci serve` flags win over
the environment. A bad value stops the server at start with a message naming the variable.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from msgspec import Meta, Struct

from events.messages import explain_setting

PREFIX = "MERCI_"
DATABASE_FILE = "merci.sqlite3"

Positive = Annotated[int, Meta(ge=1)]
Seconds = Annotated[float, Meta(gt=0)]

KNOWN_PUSH_SERVICES = ",".join([
    "fcm.googleapis.com",  # Chrome, Edge on Android, Opera, Samsung Internet
    "updates.push.services.mozilla.com",  # Firefox (Mozilla autopush)
    "*.push.apple.com",  # Safari on macOS, iOS and iPadOS 16.4+ (web.push.apple.com)
    "*.notify.windows.com",  # Edge on Windows (WNS)
])
"""Hosts a push subscription's endpoint may name; `*.` allows any subdomain of what follows."""


class SettingsError(ValueError):
    """A setting that cannot be used as given."""


class Settings(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where to listen, where the data lives, and the limits that keep one client from hurting the others."""

    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=0, le=65535)] = 8000
    data: Path = Path("data")
    """The data folder: the SQLite database (unless `database_url` is set) and keys. Created if missing."""
    database_url: str = ""
    """Empty: SQLite in the data folder. `postgresql://user:password@host:port/database`: that PostgreSQL
    database, which several instances can share (the schema is made or migrated on start)."""

    max_body_bytes: Positive = 1 << 20
    """Largest JSON request body (sync included)."""
    max_import_bytes: Positive = 64 << 20
    """Largest NDJSON import body (413 beyond)."""
    max_import_events: Positive = 500_000
    """Most events (non-blank lines) in one import (413 beyond)."""
    import_chunk_events: Positive = 250
    """An import is validated and written this many lines (so at most this many events) per transaction, each waiting
    its turn with other writers: another account's sync waits for one chunk at most, never for the whole import
    (bench/import_stall.py: 1000 let the other account's p99 reach 370 ms on a loaded 2-CPU machine, 250 kept it near
    55 ms at no cost in speed)."""
    import_quota_events: Positive = 1_000_000
    """Events one account may import per `import_quota_window_seconds` (429 beyond)..."""
    import_quota_bytes: Positive = 256 << 20
    """...and bytes (429 beyond)."""
    import_quota_window_seconds: Seconds = 86_400
    max_contacts_import_bytes: Positive = 32 << 20
    """Largest contacts file (vCard or LinkedIn CSV) `POST /api/contacts/import` takes (413 beyond): phones' exports
    carry a photo per card, so 5,000 cards can weigh tens of megabytes."""
    max_contacts_import_cards: Positive = 10_000
    """Most cards (or CSV rows) in one contacts import (413 beyond)."""
    calendar_feed_key: str | None = None
    """The key calendar feed urls are derived from (base64url, 32 bytes or more); by default one is made on first
    use and kept in the data folder (calendar_feed_key, mode 0600). Instances sharing a database must share it."""
    max_batch_events: Positive = 1000
    """Most events one sync request may push."""
    sync_page_events: Positive = 500
    """Most events one sync response or raw-log page returns; `more` says there are others."""
    future_tolerance_hours: Annotated[float, Meta(ge=0)] = 24
    """An event dated further than this in the future is refused (a broken phone clock)."""

    login_attempts_per_email_and_address: Positive = 10
    """Log-in attempts for one email from one client address (an IPv6 address counts by its /64) per window:
    what bounds guessing one account's password from one place."""
    login_attempts_per_address: Positive = 50
    """Log-in attempts from one client address per window, whatever the emails."""
    login_attempts_per_email: Positive = 200
    """Log-in attempts for one email per window from all addresses together: a ceiling on guessing spread over
    many addresses, high enough that strangers failing from their addresses do not lock the owner out."""
    login_window_seconds: Seconds = 300
    login_known_address_days: Seconds = 30
    """An address an account was signed in from (in the last this many days, while this process runs) is not held
    to the per-email ceiling for that email: only to its own (email, address) and address limits."""
    password_checks_per_device: Positive = 10
    """Password checks by one signed-in device (changing the password, erasing the account) per log-in window;
    counted per device, not per email, so strangers' log-in failures never stop the owner's device."""
    signups_per_address: Positive = 20
    signup_window_seconds: Seconds = 3600
    device_requests_per_second: Seconds = 50
    device_request_burst: Positive = 200

    argon2_time_cost: Positive = 3
    argon2_memory_kib: Annotated[int, Meta(ge=8)] = 65536
    argon2_parallelism: Positive = 4

    cached_accounts: Positive = 256
    """How many accounts' logs and projections the read cache keeps in memory..."""
    cached_events: Positive = 200_000
    """...and how many events they may add up to (the account being read is always kept)."""
    log_requests: bool = True

    vapid_subject: Annotated[str, Meta(pattern=r"^(mailto:[^@\s]+@[^@\s]+|https://[^\s]+)$")] | None = None
    """Who runs this server, as push services see it (RFC 8292): `mailto:you@example.org` or an
    `https://` page. Some push services (Apple's) refuse a missing or `localhost` one."""
    vapid_private_key: str | None = None
    """The VAPID private key (PEM, or the raw 32 bytes in base64url); by default one is made on first
    start and kept in the data folder (vapid_private_key.pem, mode 0600)."""
    push_services: str = KNOWN_PUSH_SERVICES
    """Comma-separated hosts (`*.` for subdomains) a push subscription may point to, over https on 443."""
    push_allow_local: bool = False
    """Test only: also accept endpoints on loopback (127.0.0.0/8, ::1, localhost), over http, any port."""
    push_scheduler: bool = True
    """Send the daily digests from this process (turn off for tests, or on all but some instances)."""
    push_tick_seconds: Seconds = 30
    """How often the scheduler looks for accounts whose reminder hour has come."""
    push_timeout_seconds: Seconds = 10
    """Timeout of one request to a push service."""
    push_concurrency: Positive = 32
    """Requests in flight at once to each push service (one keep-alive connection each)."""
    live_heartbeat_seconds: Seconds = 25
    """A live stream with no news sends a comment this often, so proxies do not cut it as idle."""
    live_recheck_seconds: Seconds = 120
    """How often a live stream checks that its device's token still works (it ends once revoked)."""
    live_streams_per_device: Positive = 8
    """Live streams one device may hold open at once (one per open tab of the app)."""

    clock_start: dt.datetime | None = None
    """Test only: the server's clock starts at this instant (ISO 8601 with a UTC offset) and runs on from there,
    so a test server's "today" never depends on the machine's calendar (see server/clock.py)."""

    def __post_init__(self) -> None:
        if self.clock_start is not None and self.clock_start.tzinfo is None:
            raise ValueError(f"{PREFIX}CLOCK_START: {self.clock_start.isoformat()} has no UTC offset (write it as "
                             "2026-11-18T09:00:00+01:00)")
        if self.database_url:
            _check_database_url(self.database_url)

    @property
    def database(self) -> Path:
        return self.data / DATABASE_FILE

    @property
    def push_hosts(self) -> tuple[str, ...]:
        return tuple(host.strip().lower() for host in self.push_services.split(",") if host.strip())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `MERCI_*` variables, then the non-None `overrides` (command-line flags)."""
        environ = os.environ if environ is None else environ
        raw: dict[str, Any] = {}
        for name in cls.__struct_fields__:
            variable = PREFIX + name.upper()
            if variable in environ:
                raw[name] = environ[variable]
        raw.update({name: value for name, value in overrides.items() if value is not None})
        try:
            return msgspec.convert(raw, cls, strict=False, dec_hook=_path)
        except msgspec.ValidationError as exc:
            raise SettingsError(explain_setting(str(exc), PREFIX)) from None


def describe_database(url: str) -> str:
    """Where a database URL points (user@host:port/database), without its password, for messages."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return f"{user}{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


def _check_database_url(url: str) -> None:
    """Refuse, at start, a database URL that no store could use; the message never repeats the URL, which may
    hold a password."""
    where = f"{PREFIX}DATABASE_URL (or --database-url)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError if the port is not a number in range
    except ValueError as exc:
        raise ValueError(f"{where}: not a usable URL ({exc})") from None
    if parts.scheme not in ("postgresql", "postgres"):
        scheme = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        raise ValueError(f"{where}: expected postgresql://user:password@host:port/database (or nothing, for "
                         f"SQLite in the data folder), got a URL with {scheme}")
    if not parts.path.strip("/"):
        raise ValueError(f"{where}: the URL names no database (postgresql://user@host:port/DATABASE)")


def _path(kind: type, value: Any) -> Any:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError
