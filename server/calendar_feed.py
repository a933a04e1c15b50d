"""The private calendar feed: what I owe as all-day events of an RFC 5545 calendar (made with `icalendar`), and the
secret of its url.

The url's secret is never stored. The store keeps a random nonce (128 bits) and the SHA-256 of the secret; the
secret is HMAC-SHA256(feed key, account id + nonce), so the server can show the same url again on any device while
a copy of the database alone opens no feed. The feed key (32 random bytes) is made on first use in the data folder
(`calendar_feed_key`, mode 0600), or given as `MERCI_CALENDAR_FEED_KEY`: instances sharing a database share it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from icalendar import Calendar, Event

from events import Projection
from events.rules import ME, Obligation

from .push.digest import STRINGS

KEY_FILE = "calendar_feed_key"
UID_DOMAIN = "calendar.merci.invalid"
"""The UID suffix (RFC 5545 recommends a domain): the same on every server, so a UID is the obligation id alone."""
OPEN = ("upcoming", "due", "overdue", "snoozed")
"""What I still owe: a snoozed obligation is shown on the day it wakes up; done, dismissed and missed ones leave."""
CALENDAR_NAME = {"en": "Merci: what I owe", "fr": "Merci : mes relances"}


class FeedKeyError(ValueError):
    """A configured feed key that cannot be used."""


def load_or_create_key(data: Path, configured: str | None) -> bytes:
    """The feed key: the configured one (base64url, at least 32 bytes), else the data folder's, made if missing."""
    if configured:
        try:
            key = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        except ValueError:
            raise FeedKeyError("MERCI_CALENDAR_FEED_KEY is not base64url") from None
        if len(key) < 32:
            raise FeedKeyError(f"MERCI_CALENDAR_FEED_KEY holds {len(key)} bytes; it needs at least 32")
        return key
    path = data / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:  # O_EXCL: two processes starting at once keep the first one's key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    return key


def new_nonce() -> bytes:
    return secrets.token_bytes(16)


def feed_secret(key: bytes, account_id: str, nonce: bytes) -> str:
    """The url's secret (256 bits, base64url): only the feed key derives it from what the store keeps."""
    digest = hmac.new(key, account_id.encode() + b"\x00" + nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def owed_on_calendar(projection: Projection) -> list[tuple[Obligation, dt.date]]:
    """Each obligation I still owe, with the day it goes on: its due date, or the day a snooze ends."""
    items = []
    for o in projection.obligations:
        if o.debtor == ME and o.status in OPEN:
            day = o.snoozed_until if o.status == "snoozed" and o.snoozed_until else o.due
            items.append((o, day))
    items.sort(key=lambda item: (item[1], item[0].id))
    return items


def build_calendar(projection: Projection, language: str, now: dt.datetime) -> bytes:
    """The feed as RFC 5545 bytes (CRLF, folded at 75 octets): one all-day VEVENT per obligation I owe, its UID the
    obligation id, so a calendar app that fetches it again updates its events rather than doubling them."""
    words = STRINGS.get(language, STRINGS["en"])
    calendar = Calendar()
    calendar.add("prodid", "-//Merci//Merci obligations//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME.get(language, CALENDAR_NAME["en"]))
    calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    for obligation, day in owed_on_calendar(projection):
        text = summary(obligation, projection, words)
        event = Event()
        event.add("uid", f"{obligation.id}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", text)
        event.add("transp", "TRANSPARENT")
        event.add("categories", [obligation.rule])
        event.add("description", _description(obligation, language))
        calendar.add_component(event)
    return calendar.to_ical()


STATUS = {
    "en": {"upcoming": "upcoming", "due": "due today", "overdue": "overdue", "snoozed": "snoozed"},
    "fr": {"upcoming": "à venir", "due": "pour aujourd’hui", "overdue": "en retard", "snoozed": "reporté"},
}


def summary(o: Obligation, projection: Projection, words: dict[str, str]) -> str:
    """"Thank Hervé Martin", "Remercier Hervé Martin": the digest's words (server/push/digest.py), with whole names
    (a calendar has room for them), capitalised."""
    name = _name(projection, o.creditor)
    if o.rule == "report":
        referral = projection.facts.referrals_given.get(o.id.removeprefix("report:"))
        referred = _name(projection, referral[2].data.referred) if referral else "?"
        text = words["report"].format(name=name, referred=referred)
    else:
        text = words.get(o.rule, "{name}").format(name=name)
    return text[:1].upper() + text[1:]


def _name(projection: Projection, contact_id: str) -> str:
    contact = projection.facts.contacts.get(contact_id)
    return " ".join((contact.name if contact is not None else contact_id).split())


def _description(o: Obligation, language: str) -> str:
    due = o.due.isoformat()
    if language == "fr":
        return f"Merci — règle « {o.rule} », due le {due} ({STATUS['fr'][o.status]})."
    return f"Merci — rule “{o.rule}”, due {due} ({STATUS['en'][o.status]})."
