"""Merci among the tools people already use (DESIGN.md section 4, "Sharing and interop"): contacts in from a
vCard file or LinkedIn's Connections.csv, contacts out as vCard 4.0, and the private calendar feed of what I owe.

An import's events go through the same path as a sync's: the domain's decoder, then one `store.append`, whose id
dedupe makes importing the same file twice store nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any, Literal

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND, HTTP_413_REQUEST_ENTITY_TOO_LARGE
from msgspec import Struct

from ..auth import Session
from ..clock import Clock
from ..calendar_feed import build_calendar, feed_secret, hash_secret, load_or_create_key, new_nonce
from ..contacts_io import ContactFileError, TooManyCards, plan_import, read_people, write_vcards
from ..errors import ApiError
from ..imports import AccountImport, QuotaExceeded
from ..services import Services
from ..store.contract import CalendarFeed
from .sync import _quota_error

BEARER = [{"bearer": []}]
VCARD = "text/vcard; charset=utf-8"
ICALENDAR = "text/calendar; charset=utf-8"
PARSE_IN_THREAD_FROM = 256 << 10
"""Files at least this big are parsed in a worker thread, so other requests keep being served."""


class PlannedContact(Struct):
    card: int
    """The card's number (vCard) or the row's line (CSV), from 1."""
    line: int
    """The line the card or row starts on."""
    name: str | None
    outcome: Literal["added", "updated", "skipped"]
    reason: str
    """new, matches_by_id, matches_by_email, matches_by_name, no_name, duplicate_in_file, ambiguous_name or
    invalid (docs/api.md)."""
    detail: str
    contact: str | None
    """The contact added or matched."""
    changes: dict[str, Any]
    """The fields written (added) or changed (updated)."""


class ContactImport(Struct):
    format: str
    dry_run: bool
    cards: int
    added: int
    updated: int
    skipped: int
    contacts: list[PlannedContact]
    """Every card or row, in file order."""
    stored: int
    """Events stored by this request (0 for a dry run; fewer than added + updated if another import stored some)."""
    last_seq: int


class CalendarLink(Struct):
    url: str
    """The private feed: anyone with it reads what you owe. Subscribe to it in a calendar app."""
    created_at: dt.datetime


class InteropController(Controller):
    """Contacts in and out, the calendar feed's link."""

    path = "/api"
    tags = ["interop"]
    security = BEARER

    @post("/contacts/import", status_code=200, request_max_body_size=None)
    async def import_contacts(
        self, request: Request, session: NamedDependency[Session], services: NamedDependency[Services],
        clock: NamedDependency[Clock],
        format: Annotated[Literal["vcard", "linkedin_csv"], QueryParameter(
            description="vcard: a .vcf of one or more cards (vCard 2.1, 3.0 or 4.0: Android, iPhone, Google "
                        "Contacts); linkedin_csv: LinkedIn's Connections.csv")],
        dry_run: Annotated[bool, QueryParameter(description="Only say what would be done (the preview)")] = False,
    ) -> ContactImport:
        """Import contacts from the file in the body: each card is added, updated (matched by UID, email, then
        accent-insensitive name; org and title take the file's values, other fields are only filled in) or skipped,
        with the reason. With `dry_run=1` nothing is written: the preview. Without it, the same is stored as
        `contact_added`/`contact_updated` events whose ids come from the source, so importing the same file again
        adds nothing. A file that cannot be read is refused whole (400, naming the line or card); over
        `max_contacts_import_bytes` or `max_contacts_import_cards`, 413. It counts against the account's import
        quotas as `POST /api/import` does (429 with `Retry-After`; one import of an account at a time)."""
        settings = services.settings
        header = request.headers.get("content-length")
        declared = int(header) if header is not None and header.isdigit() else None
        if declared is not None and declared > settings.max_contacts_import_bytes:
            raise ApiError(HTTP_413_REQUEST_ENTITY_TOO_LARGE, _too_large(settings.max_contacts_import_bytes),
                           field="body")
        try:  # the NDJSON import's quotas: one import of an account at a time, its bytes and events per window
            quota = services.imports.start(session.account_id, declared)
        except QuotaExceeded as exc:
            raise _quota_error(exc) from None
        try:
            body = await _read_body(request, settings.max_contacts_import_bytes, quota)
            try:
                if len(body) >= PARSE_IN_THREAD_FROM:
                    people = await anyio.to_thread.run_sync(
                        read_people, format, body, settings.max_contacts_import_cards
                    )
                else:
                    people = read_people(format, body, settings.max_contacts_import_cards)
            except TooManyCards as exc:
                raise ApiError(HTTP_413_REQUEST_ENTITY_TOO_LARGE, str(exc), field="body") from None
            except ContactFileError as exc:
                raise ApiError(HTTP_400_BAD_REQUEST, f"{_file_name(format)}: {exc}", field="body") from None
            projection = await services.projections.projection(session.account_id)
            plans = plan_import(people, projection.facts.contacts, clock.now())
            stored, last_seq = 0, None
            events = [plan.decoded for plan in plans if plan.decoded is not None]
            if events and not dry_run:
                for _ in events:
                    quota.read_event()
                result = await services.store.append(session.account_id, session.device_id, events, clock.now())
                stored, last_seq = len(result.accepted), result.last_seq
        except QuotaExceeded as exc:
            raise _quota_error(exc) from None
        finally:
            quota.finish()
        if last_seq is None:
            last_seq = await services.store.last_seq(session.account_id)
        count = {outcome: sum(plan.outcome == outcome for plan in plans) for outcome in ("added", "updated", "skipped")}
        return ContactImport(
            format=format, dry_run=dry_run, cards=len(plans), **count,
            contacts=[PlannedContact(**plan.answer()) for plan in plans], stored=stored, last_seq=last_seq,
        )

    @get("/contacts.vcf", media_type=VCARD)
    async def export_contacts(self, session: NamedDependency[Session], services: NamedDependency[Services]) -> Response:
        """Every contact (archived ones too) as vCard 4.0, one card each, by name; each card's UID is the contact
        id, so importing the file back into Merci adds nobody."""
        projection = await services.projections.projection(session.account_id)
        contacts = [c for c in projection.facts.contacts.values() if c.added]
        contacts.sort(key=lambda c: (c.name.casefold(), c.id))
        filename = f"merci-contacts-{projection.as_of.isoformat()}.vcf"
        return Response(
            content=write_vcards(contacts).encode(), media_type=VCARD,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @get("/calendar")
    async def show_calendar_link(
        self, request: Request, session: NamedDependency[Session], services: NamedDependency[Services],
        clock: NamedDependency[Clock],
    ) -> CalendarLink:
        """The private url of the calendar feed of what you owe (made on the first call; the same afterwards, on
        every device). Anyone with the url can read the feed: `POST /api/calendar/rotate` replaces it."""
        return await _feed_link(request, session, services, clock, replace=False)

    @post("/calendar/rotate", status_code=200)
    async def rotate_calendar_link(
        self, request: Request, session: NamedDependency[Session], services: NamedDependency[Services],
        clock: NamedDependency[Clock],
    ) -> CalendarLink:
        """A new private url for the calendar feed: the old one answers 404 from now on (subscribe again with the
        new one)."""
        return await _feed_link(request, session, services, clock, replace=True)


@get("/cal/{feed:str}", tags=["interop"], media_type=ICALENDAR, security=[])
async def calendar_feed(
    feed: FromPath[str], request: Request, services: NamedDependency[Services], clock: NamedDependency[Clock],
) -> Response:
    """The calendar feed (RFC 5545) of what the url's account owes as of now: one all-day event per open
    obligation on its due date (or the day its snooze ends), in the account's language, its UID the obligation id.
    No token: the url's secret is the credential; 404 once the url is rotated."""
    secret = feed.removesuffix(".ics")
    found = None
    if feed.endswith(".ics") and 20 <= len(secret) <= 100:
        found = await services.store.calendar_feed_by_secret(hash_secret(secret))
    if found is None:
        raise ApiError(HTTP_404_NOT_FOUND, "no calendar feed at this address: the link was replaced or is wrong; "
                                           "copy the current one from Merci's Settings")
    key = _feed_key(request, services)
    if not _same(feed_secret(key, found.account_id, found.nonce), secret):
        raise ApiError(HTTP_404_NOT_FOUND, "no calendar feed at this address")
    request.scope["state"]["merci.account"] = found.account_id  # for the request log, which hides the secret
    projection = await services.projections.projection(found.account_id)
    settings = await services.projections.settings(found.account_id)
    return Response(
        content=build_calendar(projection, settings["language"], clock.now()), media_type=ICALENDAR,
        headers={"Cache-Control": "private, no-cache", "Content-Disposition": 'inline; filename="merci.ics"'},
    )


async def _read_body(request: Request, limit: int, quota: AccountImport) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        quota.read_bytes(len(chunk))
        body += chunk
        if len(body) > limit:
            raise ApiError(HTTP_413_REQUEST_ENTITY_TOO_LARGE, _too_large(limit), field="body")
    if not body.strip():
        raise ApiError(HTTP_400_BAD_REQUEST, "the body is empty: send the contacts file itself as the body",
                       field="body")
    return bytes(body)


def _too_large(limit: int) -> str:
    return f"the contacts file is over the {limit}-byte limit; split it into several imports"


def _file_name(format: str) -> str:
    return "the vCard file" if format == "vcard" else "the LinkedIn CSV file"


async def _feed_link(
    request: Request, session: Session, services: Services, clock: Clock, *, replace: bool,
) -> CalendarLink:
    key = _feed_key(request, services)
    nonce = new_nonce()
    secret = feed_secret(key, session.account_id, nonce)
    feed: CalendarFeed | None = None
    if not replace:
        feed = await services.store.get_calendar_feed(session.account_id)
    if feed is None:
        feed = await services.store.save_calendar_feed(
            session.account_id, nonce, hash_secret(secret), clock.now(), replace=replace
        )
    if feed is None:
        raise ApiError(HTTP_404_NOT_FOUND, "this account no longer exists")
    url = str(request.base_url).rstrip("/") + f"/cal/{feed_secret(key, feed.account_id, feed.nonce)}.ics"
    return CalendarLink(url=url, created_at=feed.created_at)


def _feed_key(request: Request, services: Services) -> bytes:
    key = getattr(request.app.state, "calendar_feed_key", None)
    if key is None:
        key = request.app.state.calendar_feed_key = load_or_create_key(
            services.settings.data, services.settings.calendar_feed_key
        )
    return key


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
