"""The read side: the audit (exactly `merci replay --json`), obligations, contacts and their histories,
settings, the raw log, and its NDJSON export. Projections come from the per-account cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND
from msgspec import Struct

from events import AnyEvent, Projection, contact_history, contact_view, encode_event, replay_document
from events.types import is_time_zone

from ..auth import Session
from ..clock import Clock
from ..errors import ApiError
from ..services import Services

BEARER = [{"bearer": []}]
NDJSON = "application/x-ndjson"
PAGE_MAX = 1000
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
"""The dates an audit can be asked for: the years events may have (the domain refuses others)."""
SEQ_MAX = 2**63 - 1

Status = Literal["upcoming", "due", "overdue", "missed", "done", "snoozed", "dismissed"]
Direction = Literal["owed_by_me", "owed_to_me"]

AsOf = Annotated[
    dt.date | None,
    QueryParameter(description="Replay up to the end of this local date (default: today in the time zone)"),
]
Tz = Annotated[
    str | None,
    QueryParameter(description="IANA time zone overriding the account's (default: its settings, else UTC)"),
]


class ScorePair(Struct):
    """On time / counted, each way; null when nothing counts yet."""

    owed_by_me: float | None
    owed_to_me: float | None


class ObligationOut(Struct):
    id: str
    rule: str
    debtor: str
    creditor: str
    due: dt.date
    status: Status
    grade: str | None
    done_on: dt.date | None
    snoozed_until: dt.date | None
    trigger: str


class AuditDocument(Struct):
    """The `merci replay --json` document (DESIGN.md section 3)."""

    as_of: dt.date
    timezone: str
    obligations: list[ObligationOut]
    scores: dict[str, ScorePair]
    overall: ScorePair


class ObligationList(Struct):
    as_of: dt.date
    timezone: str
    obligations: list[ObligationOut]


class ContactCard(Struct):
    contact: str
    name: str
    added: bool
    """False while the log names the contact but has no `contact_added` for them yet."""
    archived: dt.date | None
    fields: dict[str, Any]
    scores: ScorePair


class ContactList(Struct):
    as_of: dt.date
    timezone: str
    contacts: list[ContactCard]


class ContactHistory(Struct):
    """One relationship, both ways: every event naming the contact, the obligations, both scores."""

    as_of: dt.date
    timezone: str
    contact: str
    name: str
    added: bool
    archived: dt.date | None
    fields: dict[str, Any]
    scores: ScorePair
    events: list[dict[str, Any]]
    """The events naming the contact in (at, id) order, each with its local `date`."""
    obligations: list[ObligationOut]


class AccountSettings(Struct):
    """The latest value of each setting in the log (`settings_changed` events), defaults otherwise."""

    timezone: str
    reminder_hour: int
    cadence_days: int
    language: str


class EventPage(Struct):
    events: list[AnyEvent]
    cursor: int
    """The seq of the last event in this page: ask for `after=cursor` next."""
    more: bool


class Health(Struct):
    status: str


class ReadController(Controller):
    """What the log says: the audit, obligations, contacts, settings, the log itself."""

    path = "/api"
    tags = ["read"]
    security = BEARER

    @get("/audit")
    async def replay_audit(
        self, session: NamedDependency[Session], services: NamedDependency[Services], as_of: AsOf = None, tz: Tz = None
    ) -> Response[AuditDocument]:
        """Everything owed, both ways, as it stood at the end of `as_of`: exactly the `merci replay --json`
        document for the account's log. Replay any past date to see what was pending then."""
        projection = await _projection(services, session, as_of, tz)
        return _answer(replay_document(projection))

    @get("/obligations")
    async def list_obligations(
        self, session: NamedDependency[Session], services: NamedDependency[Services], as_of: AsOf = None, tz: Tz = None,
        status: Annotated[Status | None, QueryParameter(description="Only obligations with this status")] = None,
        direction: Annotated[
            Direction | None, QueryParameter(description="owed_by_me: I am the debtor; owed_to_me: I am the creditor")
        ] = None,
    ) -> Response[ObligationList]:
        """The account's obligations on `as_of`, sorted by (due, id), filtered by status and direction."""
        projection = await _projection(services, session, as_of, tz)
        chosen = [
            o for o in projection.obligations
            if (status is None or o.status == status)
            and (direction is None or o.owed_by_me == (direction == "owed_by_me"))
        ]
        return _answer({"as_of": projection.as_of, "timezone": projection.timezone, "obligations": chosen})

    @get("/contacts")
    async def list_contacts(
        self, session: NamedDependency[Session], services: NamedDependency[Services], as_of: AsOf = None, tz: Tz = None
    ) -> Response[ContactList]:
        """Every contact the log names, by name, each with both scores (what I owe them, what they owe me)."""
        projection = await _projection(services, session, as_of, tz)
        cards = [contact_view(projection, contact) for contact in projection.facts.contacts]
        cards.sort(key=lambda card: (card["name"].casefold(), card["contact"]))
        return _answer({"as_of": projection.as_of, "timezone": projection.timezone, "contacts": cards})

    @get("/contacts/{contact_id:str}")
    async def show_contact_history(
        self, contact_id: FromPath[str], session: NamedDependency[Session], services: NamedDependency[Services],
        as_of: AsOf = None, tz: Tz = None,
    ) -> Response[ContactHistory]:
        """One relationship's history, both ways: every event naming the contact, the obligations each way,
        both scores. 404 if the log does not name the contact up to `as_of`."""
        projection = await _projection(services, session, as_of, tz)
        history = contact_history(projection, contact_id)
        if history is None:
            raise ApiError(
                HTTP_404_NOT_FOUND,
                f"no contact {contact_id!r} in this account's log up to {projection.as_of.isoformat()}",
                contact=contact_id,
            )
        return _answer({"as_of": projection.as_of, "timezone": projection.timezone, **history})

    @get("/settings")
    async def show_settings(self, session: NamedDependency[Session], services: NamedDependency[Services]) -> AccountSettings:
        """The account's settings: the latest `settings_changed` value of each, defaults for the others
        (UTC, reminders at 9, cadence 90 days, English). Change them by syncing a `settings_changed` event."""
        return AccountSettings(**await services.projections.settings(session.account_id))

    @get("/events")
    async def list_events(
        self, session: NamedDependency[Session], services: NamedDependency[Services],
        after: Annotated[int, QueryParameter(ge=0, le=SEQ_MAX, description="Answer events with seq > after")] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX, description="Most events in the page")] = 100,
    ) -> EventPage:
        """A page of the raw log in seq order, with the server fields (seq, recorded_at, device)."""
        events = await services.store.read(session.account_id, after, limit + 1)
        more = len(events) > limit
        events = events[:limit]
        return EventPage(events=events, cursor=events[-1].seq if events else after, more=more)

    @get("/export", media_type=NDJSON)
    async def export_log(
        self, session: NamedDependency[Session], services: NamedDependency[Services], clock: NamedDependency[Clock]
    ) -> Stream:
        """The whole log as NDJSON (one event per line, in seq order, with the server fields), streamed as a
        file to keep: `POST /api/import` reads it back."""
        store, account_id = services.store, session.account_id
        last = await store.last_seq(account_id)

        async def lines() -> AsyncIterator[bytes]:
            after = 0
            while after < last:
                page = [event for event in await store.read(account_id, after, PAGE_MAX) if event.seq <= last]
                if not page:
                    break
                yield b"".join(encode_event(event) + b"\n" for event in page)
                after = page[-1].seq

        filename = f"merci-log-{clock.now().date().isoformat()}.ndjson"
        return Stream(
            lines(), media_type=NDJSON, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )


@get("/api/health", tags=["health"])
async def health() -> Health:
    """Whether the server is up (no token needed)."""
    return Health(status="ok")


def _answer(document: dict[str, Any]) -> Response:
    """The domain's documents encoded as they are, so the audit is byte for byte what `merci replay --json`
    encodes (the Structs above describe them in the OpenAPI schema)."""
    return Response(content=_encode(document), media_type=MediaType.JSON)


_encode = msgspec.json.Encoder().encode


async def _projection(services: Services, session: Session, as_of: dt.date | None, tz: str | None) -> Projection:
    if tz is not None and not is_time_zone(tz):
        raise ApiError(
            HTTP_400_BAD_REQUEST, f"query parameter `tz`: unknown time zone {tz!r} (expected an IANA name such as "
            "Europe/Paris)", field="tz",
        )
    if as_of is not None and not FIRST_DAY <= as_of <= LAST_DAY:
        raise ApiError(
            HTTP_400_BAD_REQUEST, f"query parameter `as_of`: {as_of.isoformat()} is out of range "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})", field="as_of",
        )
    return await services.projections.projection(session.account_id, as_of, tz)

