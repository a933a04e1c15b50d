"""The write side: `POST /api/sync` (push a batch, pull what is new) and `POST /api/import` (an NDJSON log).

Each event is validated on its own, with the domain's decoder: the valid ones are appended in one
transaction, the others listed in `rejected` with a reason a person can read. Nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.dto import AbstractDTO
from litestar.params import JSONBody
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT, HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.typing import FieldDefinition
from msgspec import Meta, Struct

from events import AnyEvent, Event, EventError, decode_event

from ..auth import Session
from ..errors import ApiError, explain_msgspec
from ..services import Services
from ..store.contract import AccountGone

BEARER = [{"bearer": []}]
SEQ_MAX = 2**63 - 1
SHOWN_REJECTIONS = 100
"""An import lists at most this many rejected lines (and counts them all)."""


Cursor = Annotated[int, Meta(ge=0, le=SEQ_MAX, description="The last seq this device has; 0 the first time")]
DeviceId = Annotated[str, Meta(max_length=64, description="This device's id; if given, it must be the token's")]
PullLimit = Annotated[int, Meta(ge=1, description="Most events to pull in this answer")]


class SyncRequest(Struct, forbid_unknown_fields=True):
    """Push `events`, pull what the account's log holds after `cursor`."""

    cursor: Cursor = 0
    events: Annotated[
        list[AnyEvent],
        Meta(description="At most 1000 events in the wire format v1; each is validated on its own, and an invalid "
                         "one is listed in `rejected` without stopping the others."),
    ] = []
    device: DeviceId | None = None
    limit: PullLimit | None = None


class SyncBatch(Struct, forbid_unknown_fields=True):
    """A `SyncRequest` as the handler receives it: each event still raw JSON, to be validated on its own."""

    cursor: Cursor = 0
    events: list[msgspec.Raw] = []
    device: DeviceId | None = None
    limit: PullLimit | None = None


_sync_batch = msgspec.json.Decoder(SyncBatch)


class SyncBody(AbstractDTO[SyncBatch]):
    """Reads a sync body straight from its bytes with msgspec. Litestar's usual path builds Python dicts and then
    converts them, about six times slower per event than decoding the JSON; the schema shown is `SyncRequest`."""

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any]) -> Any:
        return iter(())

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    @classmethod
    def create_for_field_definition(cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None) -> None:
        """Nothing to prepare: `decode_bytes` needs no backend."""

    @classmethod
    def create_openapi_schema(cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any) -> Any:
        return schema_creator.for_field_definition(FieldDefinition.from_annotation(SyncRequest))

    def decode_bytes(self, value: bytes) -> SyncBatch:
        try:
            return _sync_batch.decode(value)
        except msgspec.ValidationError as exc:
            where = "" if " - at `$." in str(exc) else "the request body: "
            raise ApiError(HTTP_400_BAD_REQUEST, where + explain_msgspec(str(exc))) from None
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise ApiError(HTTP_400_BAD_REQUEST, f"the request body is not valid JSON ({explain_msgspec(str(exc))})") from None


class Rejection(Struct):
    """An event that was not stored, and why."""

    id: str | None
    index: int
    """Its position in the request's `events` (from 0)."""
    error: str
    field: str | None = None


class SyncResult(Struct):
    accepted: list[str]
    """Ids stored by this request."""
    duplicates: list[str]
    """Ids the log already held: a re-sent batch is safe."""
    conflicts: list[str]
    """Those of `duplicates` whose content differs from the event the log holds under that id (or from the one
    earlier in this batch): nothing of them was stored, the log keeps the first. A new event needs a new id;
    to change a stored one, send an `event_corrected`."""
    rejected: list[Rejection]
    events: list[AnyEvent]
    """The log's events with seq > cursor, in seq order, with seq, recorded_at and device."""
    cursor: int
    """The seq of the last event pulled: send it as `cursor` next time."""
    more: bool
    """Whether the log holds events after `cursor` not pulled yet: sync again."""


class LineRejection(Struct):
    line: int
    """1-based line number in the imported file."""
    id: str | None
    error: str
    field: str | None = None


class ImportResult(Struct):
    accepted: int
    duplicates: int
    rejected_count: int
    rejected: list[LineRejection]
    """The first 100 rejected lines."""
    last_seq: int


class SyncController(Controller):
    """Syncing devices, importing logs."""

    path = "/api"
    tags = ["sync"]

    @post("/sync", status_code=200, security=BEARER, dto=SyncBody, return_dto=None)
    async def sync_events(
        self, data: JSONBody[SyncBatch], session: NamedDependency[Session], services: NamedDependency[Services]
    ) -> SyncResult:
        """Push this device's new events and pull the account's events after `cursor`.

        Valid events are appended in one transaction and are durable once answered (`accepted`); ids the log
        already holds come back as `duplicates`, so re-sending a batch after a lost answer is safe (and also in
        `conflicts` when their content differs from what is stored: nothing of them is stored); invalid
        events are listed in `rejected` with the reason. The pull is paged: when `more` is true, sync again
        with the answered `cursor`. An event dated more than 24 hours in the future is rejected."""
        settings = services.settings
        if data.device is not None and data.device != session.device_id:
            raise ApiError(
                HTTP_400_BAD_REQUEST, f"`device`: {data.device!r} is not the device this token belongs to", field="device"
            )
        if len(data.events) > settings.max_batch_events:
            raise ApiError(
                HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                f"`events`: a sync request holds at most {settings.max_batch_events} events, this one has "
                f"{len(data.events)}; send them in several requests",
                field="events",
            )
        valid: list[Event] = []
        rejected: list[Rejection] = []
        horizon = services.now() + dt.timedelta(hours=settings.future_tolerance_hours)
        for index, raw in enumerate(data.events):
            try:
                valid.append(_on_time(decode_event(raw), horizon, settings.future_tolerance_hours))
            except EventError as exc:
                rejected.append(Rejection(exc.event_id, index, exc.message, exc.field))
        accepted: list[str] = []
        duplicates: list[str] = []
        conflicts: list[str] = []
        if valid:
            result = await services.store.append(session.account_id, session.device_id, valid, services.now())
            accepted, duplicates, conflicts = result.accepted, result.duplicates, result.conflicts
        page = min(data.limit or settings.sync_page_events, settings.sync_page_events)
        pulled = await services.store.read(session.account_id, data.cursor, page + 1)
        if not pulled and data.cursor:
            last = await services.store.last_seq(session.account_id)
            if data.cursor > last and await services.store.get_account(session.account_id) is None:
                raise AccountGone(session.account_id)  # erased meanwhile: its log is empty, the token no longer good
            if data.cursor > last:
                # The pushed events are stored all the same: say so, since the answer is not a 200.
                raise ApiError(
                    HTTP_409_CONFLICT,
                    f"`cursor` {data.cursor} is past the end of this account's log (last seq {last}); "
                    "sync again from cursor 0",
                    field="cursor", last_seq=last, accepted=accepted, duplicates=duplicates, conflicts=conflicts,
                    rejected=[msgspec.structs.asdict(r) for r in rejected],
                )
        more = len(pulled) > page
        pulled = pulled[:page]
        return SyncResult(
            accepted=accepted, duplicates=duplicates, conflicts=conflicts, rejected=rejected, events=pulled,
            cursor=pulled[-1].seq if pulled else data.cursor, more=more,
        )

    @post("/import", status_code=200, security=BEARER, request_max_body_size=None)
    async def import_log(
        self, request: Request, session: NamedDependency[Session], services: NamedDependency[Services]
    ) -> ImportResult:
        """Import an NDJSON log (the body: one event per line, as `GET /api/export` gives).

        Every line is validated as a sync would; all valid events are appended in one transaction, already
        stored ids are counted as duplicates (importing twice is safe), and rejected lines are listed with
        their line number. Imported events are this account's own, whatever account they came from."""
        limit = services.settings.max_import_bytes
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(
                    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                    f"the imported log is over the {limit}-byte limit; split it into several imports",
                )
            chunks.append(chunk)
        content = b"".join(chunks)
        if content.startswith(b"\xef\xbb\xbf"):
            content = content[3:]
        tolerance = services.settings.future_tolerance_hours
        horizon = services.now() + dt.timedelta(hours=tolerance)
        valid: list[Event] = []
        rejected: list[LineRejection] = []
        rejected_count = 0
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                valid.append(_on_time(decode_event(line), horizon, tolerance))
            except EventError as exc:
                rejected_count += 1
                if len(rejected) < SHOWN_REJECTIONS:
                    rejected.append(LineRejection(number, exc.event_id, exc.message, exc.field))
        if valid:
            result = await services.store.append(session.account_id, session.device_id, valid, services.now())
            accepted, duplicates, last_seq = len(result.accepted), len(result.duplicates), result.last_seq
        else:
            accepted, duplicates, last_seq = 0, 0, await services.store.last_seq(session.account_id)
        return ImportResult(accepted, duplicates, rejected_count, rejected, last_seq)


def _on_time(event: Event, horizon: dt.datetime, tolerance_hours: float) -> Event:
    """The event, unless it is dated after `horizon`: a phone with a broken clock must not poison the log."""
    if event.at > horizon:
        raise EventError(
            f"`at` ({event.at.isoformat()}) is more than {tolerance_hours:g} hours ahead of the server's clock; "
            "check the device's date and time",
            "at", event.id,
        )
    return event
