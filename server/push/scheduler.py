"""The daily digests: at each account's reminder hour in its time zone, one digest per device of what I
owe that is due or overdue that local day. Nothing due, nothing sent.

Each (account, local day) is claimed in the store, in one transaction, before anything is sent: a
restart, or another instance on the same database, finds the claim and sends nothing again. A claim whose
sender died before finishing is taken over after `lease`, and only the devices that have not got that
day's digest are sent it. The clock is injected, so tests walk through days and daylight-saving changes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import anyio

from events import project

from ..live.hub import LiveHub
from ..projections import REPLAY_IN_THREAD_FROM, Projections, latest_settings
from ..store.contract import Store, Subscription
from .digest import TOPIC, build_digest
from .sender import Delivery, PushSender, Target, Urgency

log = logging.getLogger("merci.push")

Clock = Callable[[], dt.datetime]
"""The current instant, timezone-aware."""

CATCH_UP = dt.timedelta(hours=6)
"""A digest missed at its hour (server down) is still sent this long after; later, that day is skipped."""
LEASE = dt.timedelta(minutes=30)
"""A claim not finished after this long is taken to have died with its sender."""
MIN_TTL = 3600
BATCH = 200
"""Due accounts claimed, read and recorded together (one statement or transaction each)."""
BATCHES_IN_FLIGHT = 4
PLAN_CHUNK = 500
"""Accounts whose logs are read at once to learn their settings (the first pass)..."""
FEW = 64
"""...unless there are at most this many: then through the read cache."""
RECONCILE = dt.timedelta(minutes=10)
"""How often the subscribed accounts are listed again (those subscribed through another instance)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def reminder_instant(day: dt.date, hour: int, zone: ZoneInfo) -> dt.datetime:
    """When `hour`:00 of the local `day` is. On a spring-forward day an hour that does not exist is taken
    with the offset before the change (02:00 in Paris is 03:00 CEST); on a fall-back day an hour that
    happens twice is its first time."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.timezone.utc)


@dataclass(slots=True)
class _Plan:
    """What the scheduler knows of an account: its settings as last read, and when its next digest is due."""

    zone: ZoneInfo
    hour: int
    language: str
    done: dt.date | None = None
    """The last local day known to be dispatched (by anyone)."""
    retry_at: dt.datetime | None = None
    """Another claim on that day is unfinished: look again when its lease ends."""
    day: dt.date | None = None
    at: dt.datetime | None = None
    """The local day of the next digest, and the instant to dispatch it (its entry in the queue)."""


@dataclass(slots=True)
class TickReport:
    """What one pass did."""

    claimed: list[tuple[str, dt.date]] = field(default_factory=list)
    nothing_due: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    planned: int = 0
    """Accounts whose settings this pass read (new, changed, or all of them on the first pass)."""

    @property
    def delivered(self) -> int:
        return sum(d.outcome == "delivered" for d in self.deliveries)


class DigestScheduler:
    """Finds the accounts whose reminder hour has come and sends their digests.

    A pass does work in proportion to the accounts due and the accounts that changed, not to all accounts: each
    subscribed account's next reminder instant waits in a queue (a heap), and an account is planned again only
    when its log grows (appends are announced: by the store in this process, by every instance through the live
    hub on PostgreSQL) or when it subscribes. Every `reconcile` the subscribed accounts are listed again, to find
    those that subscribed through another instance (each instance can send any account's digest: the claims make
    sure one does). Due accounts are dispatched in batches: one claim, one read of their logs and subscriptions,
    and one write of the outcomes per batch, each instance taking the batches in its own random order.
    """

    def __init__(
        self, store: Store, projections: Projections, sender: PushSender, *, clock: Clock = utc_now,
        name: str | None = None, concurrency: int = 512, catch_up: dt.timedelta = CATCH_UP,
        lease: dt.timedelta = LEASE, news: LiveHub | None = None, batch: int = BATCH,
        reconcile: dt.timedelta = RECONCILE,
    ):
        self.store = store
        self.projections = projections
        self.sender = sender
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.catch_up = catch_up
        self.lease = lease
        self.batch = batch
        self.reconcile = reconcile
        self._sending = asyncio.Semaphore(concurrency)
        self._batches = asyncio.Semaphore(BATCHES_IN_FLIGHT)
        """Batches being dispatched at once: each holds its accounts' logs and projections in memory meanwhile."""
        self._plans: dict[str, _Plan] = {}
        self._queue: list[tuple[dt.datetime, str]] = []
        """(when, account): the next digest of each planned account (entries whose plan moved are skipped)."""
        self._changed: set[str] = set()
        self._everything = True
        """Plan every subscribed account on the next pass (the first, or after news may have been lost)."""
        self._reconcile_at: dt.datetime | None = None
        self._order = random.Random(self.name)
        if news is not None:
            news.on_news(self.heard)
        else:
            store.on_append(self.heard)

    def heard(self, account_id: str | None, last_seq: int) -> None:
        """News of an append (None: news may have been lost): plan the account again on the next pass."""
        if account_id is None:
            self._everything = True
        elif account_id in self._plans:
            self._changed.add(account_id)

    def watch(self, account_id: str) -> None:
        """An account just subscribed a device: plan it on the next pass (it may be new to this instance)."""
        self._changed.add(account_id)

    async def run(self, every: float) -> None:
        """Tick every `every` seconds until cancelled; a failing tick is logged, the next one runs."""
        while True:
            try:
                await self.tick()
            except Exception:  # noqa: BLE001 - the loop must outlive any one bad pass
                log.exception("the digest scheduler failed a pass; it will try again")
            await asyncio.sleep(every)

    async def tick(self) -> TickReport:
        """One pass: plan what changed, then claim and send every digest whose time has come."""
        now = self.clock()
        report = TickReport()
        if self._everything or self._reconcile_at is None or now >= self._reconcile_at:
            everything, self._everything = self._everything, False
            subscribed = [account_id for account_id, _ in await self.store.subscribed_accounts()]
            for gone in self._plans.keys() - set(subscribed):
                del self._plans[gone]
            self._changed.update(subscribed if everything else (a for a in subscribed if a not in self._plans))
            self._reconcile_at = now + self.reconcile
        if self._changed:
            changed, self._changed = list(self._changed), set()
            report.planned = len(changed)
            try:
                await self._plan(changed, now)
            except BaseException:  # planned on the next pass instead
                self._changed.update(changed)
                raise
        due: list[tuple[str, _Plan]] = []
        while self._queue and self._queue[0][0] <= now:
            at, account_id = heapq.heappop(self._queue)
            plan = self._plans.get(account_id)
            if plan is None or plan.at != at:
                continue  # planned again since
            if reminder_instant(plan.day, plan.hour, plan.zone) + self.catch_up <= now:
                self._queue_next(account_id, plan, now)  # the server was down past the catch-up: day skipped
                continue
            plan.at = None
            due.append((account_id, plan))
        self._order.shuffle(due)  # instances sharing a database start on different batches
        batches = [due[i:i + self.batch] for i in range(0, len(due), self.batch)]
        await asyncio.gather(*(self._dispatch(batch, now, report) for batch in batches))
        return report

    async def _plan(self, account_ids: list[str], now: dt.datetime) -> None:
        """Read the accounts' settings and queue each one's next digest. A few accounts (those that just changed)
        through the read cache, which reads only their new events; many (the first pass) a chunk of logs at a
        time, which would only churn the cache."""
        if len(account_ids) <= FEW:
            for account_id in account_ids:
                self._planned(account_id, await self.projections.settings(account_id), now)
            return
        for start in range(0, len(account_ids), PLAN_CHUNK):
            chunk = account_ids[start:start + PLAN_CHUNK]
            logs = await self.store.read_logs(chunk)
            for account_id in chunk:
                self._planned(account_id, latest_settings(logs.get(account_id, [])), now)

    def _planned(self, account_id: str, settings: dict, now: dt.datetime) -> None:
        previous = self._plans.get(account_id)
        plan = _Plan(ZoneInfo(settings["timezone"]), settings["reminder_hour"], settings["language"] or "en")
        if previous is not None:
            plan.done, plan.retry_at = previous.done, previous.retry_at
        self._plans[account_id] = plan
        self._queue_next(account_id, plan, now)

    def _queue_next(self, account_id: str, plan: _Plan, now: dt.datetime) -> None:
        """Queue the plan's next digest: today's (if not done, and not past its catch-up), else the next day's."""
        day = now.astimezone(plan.zone).date()
        if plan.done is not None and plan.done >= day:
            day = plan.done + dt.timedelta(days=1)
        at = reminder_instant(day, plan.hour, plan.zone)
        while at + self.catch_up <= now:  # missed while the server was down: that day is skipped
            day += dt.timedelta(days=1)
            at = reminder_instant(day, plan.hour, plan.zone)
        if plan.retry_at is not None and plan.day == day and plan.retry_at > at:
            at = plan.retry_at
        plan.day, plan.at = day, at
        heapq.heappush(self._queue, (at, account_id))

    async def _dispatch(self, batch: list[tuple[str, _Plan]], now: dt.datetime, report: TickReport) -> None:
        async with self._batches:
            try:
                await self._dispatch_batch(batch, now, report)
            except Exception:  # noqa: BLE001 - what was claimed is taken over after the lease, the rest next pass
                log.exception("a batch of %d digests failed; they will be tried again", len(batch))
                for account_id, plan in batch:
                    if plan.at is None:
                        plan.retry_at = now + self.lease
                        self._queue_next(account_id, plan, now)

    async def _dispatch_batch(self, batch: list[tuple[str, _Plan]], now: dt.datetime, report: TickReport) -> None:
        plans = dict(batch)
        wanted = [(account_id, plan.day) for account_id, plan in batch]
        try:
            won = await self.store.claim_dispatches(wanted, self.name, now, now - self.lease)
        except Exception as exc:  # noqa: BLE001 - nothing was claimed: the next pass tries again
            log.error("could not claim %d digests: %s", len(wanted), exc)
            for account_id, plan in batch:
                heapq.heappush(self._queue, (now, account_id))
                plan.at = now
            return
        claimed = set(won)
        held = [pair for pair in wanted if pair not in claimed]
        for dispatch in await self.store.get_dispatches(held) if held else []:
            plan = plans[dispatch.account_id]
            if dispatch.status != "claimed":
                plan.done = dispatch.day
            else:  # being sent by another instance, or its sender died: look again when its lease ends
                plan.retry_at = dispatch.claimed_at + self.lease
            self._queue_next(dispatch.account_id, plan, now)
        if not won:
            return
        report.claimed.extend(won)
        accounts = [account_id for account_id, _ in won]
        logs = await self.store.read_logs(accounts)
        subscriptions = await self.store.subscriptions_of(accounts)
        finished: list[tuple[str, dt.date, str, int | None]] = []
        sends: list[tuple[str, Subscription, bytes, int]] = []
        failed: set[str] = set()
        for account_id, day in won:
            plan = plans[account_id]
            events = logs.get(account_id, [])
            try:
                if len(events) >= REPLAY_IN_THREAD_FROM:
                    projection = await anyio.to_thread.run_sync(project, events, day)
                else:
                    projection = project(events, day)
                digest = build_digest(projection, latest_settings(events)["language"] or plan.language)
            except Exception:  # noqa: BLE001 - left claimed: taken over after the lease; the others go on
                log.exception("the digest of %s for %s failed; it will be tried again after %s", account_id, day,
                              self.lease)
                failed.add(account_id)
                continue
            if digest is None:
                report.nothing_due += 1
                finished.append((account_id, day, "nothing_due", 0))
                continue
            waiting = [s for s in subscriptions.get(account_id, []) if s.last_digest_day != day]
            ttl = _until_end_of_day(now, plan.zone)
            sends += [(account_id, s, digest.payload, ttl) for s in waiting]
            finished.append((account_id, day, "sent", digest.count))
        deliveries = await asyncio.gather(*(self._send(s, payload, ttl) for _, s, payload, ttl in sends))
        report.deliveries.extend(deliveries)
        records: list[tuple[str, dt.date | None, str | None]] = []
        got_through: dict[str, bool] = {}
        for (account_id, subscription, _, _), delivery in zip(sends, deliveries):
            got_through[account_id] = got_through.get(account_id, False) or delivery.outcome == "delivered"
            if delivery.outcome == "delivered":
                records.append((subscription.id, plans[account_id].day, None))
            elif delivery.outcome == "gone":
                log.info("push subscription %s is gone (%s): removed", subscription.id, delivery.status)
                await self.store.remove_subscription(account_id, subscription.id)
            else:
                log.warning("push to subscription %s not delivered: %s", subscription.id, delivery.reason)
                records.append((subscription.id, None, delivery.reason))
        finished = [(a, d, "failed" if status == "sent" and got_through.get(a) is False else status, items)
                    for a, d, status, items in finished]
        await self.store.finish_dispatches(finished, records, self.clock())
        for account_id, day in won:
            plan = plans[account_id]
            if account_id in failed:
                plan.retry_at = now + self.lease
            else:
                plan.done, plan.retry_at = day, None
            self._queue_next(account_id, plan, now)

    async def _send(self, subscription: Subscription, payload: bytes, ttl: int) -> Delivery:
        target = Target(subscription.endpoint, subscription.p256dh, subscription.auth)
        async with self._sending:
            return await self.sender.send(target, payload, ttl=ttl, urgency="normal", topic=TOPIC)

    async def deliver(
        self, subscription: Subscription, payload: bytes, *, ttl: int, topic: str | None,
        urgency: Urgency = "normal", digest_day: dt.date | None = None,
    ) -> Delivery:
        """Send one message to one subscription and write down what happened: its delivery log, or its
        removal when the push service says it is gone."""
        target = Target(subscription.endpoint, subscription.p256dh, subscription.auth)
        async with self._sending:
            delivery = await self.sender.send(target, payload, ttl=ttl, urgency=urgency, topic=topic)
        if delivery.outcome == "delivered":
            await self.store.record_delivery(subscription.id, self.clock(), digest_day=digest_day)
        elif delivery.outcome == "gone":
            log.info("push subscription %s is gone (%s): removed", subscription.id, delivery.status)
            await self.store.remove_subscription(subscription.account_id, subscription.id)
        else:
            log.warning("push to subscription %s not delivered: %s", subscription.id, delivery.reason)
            await self.store.record_delivery(subscription.id, self.clock(), failure=delivery.reason)
        return delivery


def _until_end_of_day(now: dt.datetime, zone: ZoneInfo) -> int:
    """The TTL of a digest: it is worth showing until local midnight, then the next one replaces it."""
    local = now.astimezone(zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return max(MIN_TTL, int((midnight - now).total_seconds()))
