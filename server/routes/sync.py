"""The write side: `POST /api/sync` (push a batch, pull what is new) and `POST /api/import` (an NDJSON log).

Each event is validated on its own, with the domain's decoder: the valid ones are appended in one
transaction, the others listed in `rejected` with a reason a person can read. Nothing is half-written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from typing import Annotated, NoReturn, get_args

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import RawBody
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT, HTTP_413_REQUEST_ENTITY_TOO_LARGE, HTTP_429_TOO_MANY_REQUESTS,
)
from msgspec import Meta, Struct

from events import AnyEvent, Event, EventError, decode_event
from events.messages import explain

from ..auth import Session
from ..clock import Clock
from ..errors import EMPTY_BODY, ApiError
from ..imports import AccountImport, QuotaExceeded
from ..ratelimit import retry_after
from ..services import Services
from ..settings import Settings
from ..store.contract import AccountGone

BEARER = [{"bearer": []}]
SEQ_MAX = 2**63 - 1
YIELD_EVERY = 50
"""An import hands the event loop to other requests every this many lines (decoding 1000 takes milliseconds)."""
SHOWN_REJECTIONS = 100
"""An import lists at most this many rejected lines (and counts them all)."""


Cursor = Annotated[int, Meta(ge=0, le=SEQ_MAX, description="The last seq this device has; 0 the first time")]
DeviceId = Annotated[
    Annotated[str, Meta(max_length=64)] | None, Meta(description="This device's id; if given, it must be the token's")
]
PullLimit = Annotated[Annotated[int, Meta(ge=1)] | None, Meta(description="Most events to pull in this answer")]


EventJSON = Annotated[msgspec.Raw, Meta(extra_json_schema={
    "oneOf": [{"$ref": f"#/components/schemas/{kind.__name__}"} for kind in get_args(AnyEvent)],
})]
"""One event of a request, as the client wrote it: decoded on its own by the domain's codec (`validate_batch`), so
that an invalid event is listed in `rejected` instead of refusing the whole request. Its JSON Schema says what it
must hold: an event of the wire format (each one a component of the OpenAPI document)."""


class SyncRequest(Struct, forbid_unknown_fields=True):
    """Push `events`, pull what the account's log holds after `cursor`."""

    cursor: Cursor = 0
    events: Annotated[
        list[EventJSON],
        Meta(description="At most 1000 events in the wire format v1; each is validated on its own, and an invalid "
                         "one is listed in `rejected` without stopping the others."),
    ] = []
    device: DeviceId = None
    limit: PullLimit = None


_sync_request = msgspec.json.Decoder(SyncRequest)


def decode_sync_request(body: bytes) -> SyncRequest:
    """The body of `POST /api/sync`, read straight from its bytes (Litestar's `data` would build Python objects and
    convert them, about six times slower per event), or a 400 saying what is wrong with it.

    The OpenAPI document's `SyncRequest` is msgspec's JSON Schema of the same Struct (`server.openapi`)."""
    if not body:
        raise ApiError(HTTP_400_BAD_REQUEST, EMPTY_BODY)
    try:
        return _sync_request.decode(body)
    except msgspec.ValidationError as exc:
        where = "" if " - at `$." in str(exc) else "the request body: "
        raise ApiError(HTTP_400_BAD_REQUEST, where + explain(str(exc))) from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(HTTP_400_BAD_REQUEST, f"the request body is not valid JSON ({explain(str(exc))})") from None


def validate_batch(
    raws: Iterable[bytes], latest: dt.datetime, tolerance_hours: float
) -> tuple[list[Event], list[tuple[int, EventError]]]:
    """Decode each event of a batch on its own (a sync's `events`, a chunk of an import's lines): the valid ones in
    order, and the position (from 0) of each other with why. An event dated after `latest` (the server's clock plus
    `tolerance_hours`) is refused: a phone with a broken clock must not poison the log."""
    valid: list[Event] = []
    rejected: list[tuple[int, EventError]] = []
    for index, raw in enumerate(raws):
        try:
            event = decode_event(raw)
            if event.at > latest:
                raise EventError(
                    f"`at` ({event.at.isoformat()}) is more than {tolerance_hours:g} hours ahead of the server's "
                    "clock; check the device's date and time",
                    "at", event.id,
                )
            valid.append(event)
        except EventError as exc:
            rejected.append((index, exc))
    return valid, rejected


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

    @post("/sync", status_code=200, security=BEARER)
    async def sync_events(
        self, body: RawBody, session: NamedDependency[Session], services: NamedDependency[Services],
        clock: NamedDependency[Clock],
    ) -> SyncResult:
        """Push this device's new events and pull the account's events after `cursor`.

        Valid events are appended in one transaction and are durable once answered (`accepted`); ids the log
        already holds come back as `duplicates`, so re-sending a batch after a lost answer is safe (and also in
        `conflicts` when their content differs from what is stored: nothing of them is stored); invalid
        events are listed in `rejected` with the reason. The pull is paged: when `more` is true, sync again
        with the answered `cursor`. An event dated more than 24 hours in the future is rejected."""
        data = decode_sync_request(body)
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
        valid, invalid = validate_batch(data.events, _latest(clock, settings), settings.future_tolerance_hours)
        rejected = [Rejection(exc.event_id, index, exc.message, exc.field) for index, exc in invalid]
        accepted: list[str] = []
        duplicates: list[str] = []
        conflicts: list[str] = []
        if valid:
            result = await services.store.append(session.account_id, session.device_id, valid, clock.now())
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
        self, request: Request, session: NamedDependency[Session], services: NamedDependency[Services],
        clock: NamedDependency[Clock],
    ) -> ImportResult:
        """Import an NDJSON log (the body: one event per line, as `GET /api/export` gives).

        Every line is validated as a sync would. The body is read as it arrives and the valid events are
        written `import_chunk_events` (250) at a time, each chunk a transaction of its own that takes its
        turn with the other accounts' writes: an import never holds them up for more than one chunk, and its
        memory does not grow with its size. A bad line does not stop the import: it is listed in `rejected`
        with its number (the first 100, all counted) and every valid line, before and after it, is stored.
        Already stored ids are counted as duplicates, so importing again (the same file, or a fixed one) is
        safe and stores only what is new. Imported events are this account's own, whatever account they came
        from.

        413 if the body is over `max_import_bytes` (refused whole when its length is declared) or holds over
        `max_import_events` events; 429 if the account's import quota (`import_quota_events`,
        `import_quota_bytes` per `import_quota_window_seconds`) is used up, or another of its imports runs.
        When one of these stops an import part way, the chunks before it are stored: the error says through
        which line, with the counts of an answer (`accepted`, `duplicates`, `rejected_count`, `rejected`,
        `last_seq`, `stored_through_line`)."""
        settings = services.settings
        limit = settings.max_import_bytes
        declared = _declared_length(request)
        if declared is not None and declared > limit:
            raise ApiError(HTTP_413_REQUEST_ENTITY_TOO_LARGE, _too_large(limit), field="body")
        try:
            quota = services.imports.start(session.account_id, declared)
        except QuotaExceeded as exc:
            raise _quota_error(exc) from None
        run = _Import(services, clock, session, quota)
        try:
            size = 0
            partial = bytearray()  # the start of a line whose end has not arrived yet: at most `max_body_bytes`
            too_long = False  # inside a line longer than that, skipped to its end (and rejected)
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    await run.stop(HTTP_413_REQUEST_ENTITY_TOO_LARGE, _too_large(limit))
                run.read_bytes(len(chunk))
                start = 0
                while (end := chunk.find(b"\n", start)) >= 0:
                    if too_long:
                        too_long = False
                        run.too_long()
                    elif partial:
                        partial += chunk[start:end]
                        await run.line(bytes(partial))
                        partial.clear()
                    else:
                        await run.line(chunk[start:end])
                    start = end + 1
                if not too_long:
                    partial += chunk[start:]
                    if len(partial) > settings.max_body_bytes:
                        too_long = True
                        partial.clear()
            if too_long:
                run.too_long()
            elif partial:
                await run.line(bytes(partial))
            await run.flush()
        except QuotaExceeded as exc:
            await run.stop(HTTP_429_TOO_MANY_REQUESTS, exc.what, headers={"Retry-After": retry_after(exc.wait)})
        finally:
            quota.finish()
        return await run.summary()


class _Import:
    """One import under way: lines in, events written a chunk at a time, the counts of its answer."""

    def __init__(self, services: Services, clock: Clock, session: Session, quota: AccountImport):
        self.services = services
        self.clock = clock
        self.session = session
        self.quota = quota
        self.latest = _latest(clock, services.settings)
        self.number = 0
        """The last line read (1-based, blank lines counted)."""
        self.events = 0
        self.pending: list[tuple[int, bytes]] = []
        """The lines of the next chunk, with their numbers."""
        self.pending_rejections: list[LineRejection] = []
        """The lines of the next chunk rejected before they are decoded (too long)."""
        self.accepted = self.duplicates = self.rejected_count = 0
        self.rejected: list[LineRejection] = []
        self.last_seq: int | None = None
        self.stored_through = 0
        """Every line up to this one is stored, counted as a duplicate, or rejected."""

    def read_bytes(self, count: int) -> None:
        self.quota.read_bytes(count)

    async def line(self, line: bytes) -> None:
        self.number += 1
        if self.number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            return
        if len(line) > self.services.settings.max_body_bytes:
            self.number -= 1
            self.too_long()
            return
        self.events += 1
        limit = self.services.settings.max_import_events
        if self.events > limit:
            self.number -= 1  # this line is not imported
            await self.stop(HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                            f"the imported log holds more than {limit} events; split it into several imports")
        try:
            self.quota.read_event()
        except QuotaExceeded:
            self.number -= 1
            raise
        self.pending.append((self.number, line))
        if len(self.pending) >= self.services.settings.import_chunk_events:
            await self.flush()
        elif self.number % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # let the other requests' handlers run between lines, not only between chunks

    def too_long(self) -> None:
        self.number += 1
        self.events += 1
        self.pending_rejections.append(LineRejection(
            self.number, None, f"the line is longer than {self.services.settings.max_body_bytes} bytes, the most an "
                               "event may take", None))

    async def flush(self) -> None:
        """Validate the pending lines (`validate_batch`, as a sync does) and write their valid events: one
        transaction, in turn with every other writer."""
        valid, invalid = validate_batch([line for _, line in self.pending], self.latest,
                                        self.services.settings.future_tolerance_hours)
        rejections = self.pending_rejections + [
            LineRejection(self.pending[index][0], exc.event_id, exc.message, exc.field) for index, exc in invalid
        ]
        rejections.sort(key=lambda rejection: rejection.line)
        self.rejected_count += len(rejections)
        self.rejected.extend(rejections[:SHOWN_REJECTIONS - len(self.rejected)])
        self.pending, self.pending_rejections = [], []
        if valid:
            services, session = self.services, self.session
            stored = await services.store.append(session.account_id, session.device_id, valid, self.clock.now())
            self.accepted += len(stored.accepted)
            self.duplicates += len(stored.duplicates)
            self.last_seq = stored.last_seq
        self.stored_through = self.number

    async def stop(self, status: int, reason: str, headers: dict[str, str] | None = None) -> NoReturn:
        """Store what was read before the limit, then answer the error with the counts so far."""
        await self.flush()
        done = msgspec.structs.asdict(await self.summary())
        raise ApiError(
            status,
            f"{reason}; lines 1 to {self.stored_through} are imported ({self.accepted} stored, {self.duplicates} "
            f"already there, {self.rejected_count} rejected), the lines after them are not: import them separately "
            "(importing the same lines again stores nothing twice)",
            headers=headers, stored_through_line=self.stored_through,
            **{**done, "rejected": [msgspec.structs.asdict(r) for r in self.rejected]},
        )

    async def summary(self) -> ImportResult:
        if self.last_seq is None:
            self.last_seq = await self.services.store.last_seq(self.session.account_id)
        return ImportResult(self.accepted, self.duplicates, self.rejected_count, self.rejected, self.last_seq)


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _too_large(limit: int) -> str:
    return f"the imported log is over the {limit}-byte limit; split it into several imports"


def _quota_error(exc: QuotaExceeded) -> ApiError:
    return ApiError(HTTP_429_TOO_MANY_REQUESTS, exc.what, headers={"Retry-After": retry_after(exc.wait)})


def _latest(clock: Clock, settings: Settings) -> dt.datetime:
    """The latest `at` an event may have now."""
    return clock.now() + dt.timedelta(hours=settings.future_tolerance_hours)
