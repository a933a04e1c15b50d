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
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..projections import Projections
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


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def reminder_instant(day: dt.date, hour: int, zone: ZoneInfo) -> dt.datetime:
    """When `hour`:00 of the local `day` is. On a spring-forward day an hour that does not exist is taken
    with the offset before the change (02:00 in Paris is 03:00 CEST); on a fall-back day an hour that
    happens twice is its first time."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.timezone.utc)


@dataclass(slots=True)
class _Plan:
    """What the scheduler knows of an account, recomputed when its log grows."""

    last_seq: int
    zone: ZoneInfo
    hour: int
    language: str
    done: dt.date | None = None
    """The last local day known to be dispatched (by anyone)."""
    retry_at: dt.datetime | None = None
    """Another claim on today is unfinished: look again when its lease ends."""


@dataclass(slots=True)
class TickReport:
    """What one pass did."""

    claimed: list[tuple[str, dt.date]] = field(default_factory=list)
    nothing_due: int = 0
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return sum(d.outcome == "delivered" for d in self.deliveries)


class DigestScheduler:
    """Finds the accounts whose reminder hour has come and sends their digests."""

    def __init__(
        self, store: Store, projections: Projections, sender: PushSender, *, clock: Clock = utc_now,
        name: str | None = None, concurrency: int = 512, catch_up: dt.timedelta = CATCH_UP,
        lease: dt.timedelta = LEASE,
    ):
        self.store = store
        self.projections = projections
        self.sender = sender
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.catch_up = catch_up
        self.lease = lease
        self._sending = asyncio.Semaphore(concurrency)
        self._dispatching = asyncio.Semaphore(max(1, concurrency // 2))
        """Accounts being dispatched at once: each holds its log and projection in memory meanwhile."""
        self._plans: dict[str, _Plan] = {}

    async def run(self, every: float) -> None:
        """Tick every `every` seconds until cancelled; a failing tick is logged, the next one runs."""
        while True:
            try:
                await self.tick()
            except Exception:  # noqa: BLE001 - the loop must outlive any one bad pass
                log.exception("the digest scheduler failed a pass; it will try again")
            await asyncio.sleep(every)

    async def tick(self) -> TickReport:
        """One pass: claim and send every digest whose time has come."""
        now = self.clock()
        report = TickReport()
        due: list[tuple[str, _Plan, dt.date]] = []
        plans: dict[str, _Plan] = {}
        for account_id, last_seq in await self.store.subscribed_accounts():
            plan = self._plans.get(account_id)
            if plan is None or plan.last_seq != last_seq:
                plan = await self._plan(account_id, last_seq, plan)
            plans[account_id] = plan
            today = now.astimezone(plan.zone).date()
            if plan.done == today or (plan.retry_at is not None and now < plan.retry_at):
                continue
            at = reminder_instant(today, plan.hour, plan.zone)
            if at <= now < at + self.catch_up:
                due.append((account_id, plan, today))
        self._plans = plans
        outcomes = await asyncio.gather(
            *(self._dispatch(account_id, plan, day, now, report) for account_id, plan, day in due), return_exceptions=True
        )
        for (account_id, _, day), outcome in zip(due, outcomes):
            if isinstance(outcome, Exception):  # the claim itself failed: nothing was claimed, next pass retries
                log.error("could not claim the digest of %s for %s: %s", account_id, day, outcome)
        return report

    async def _plan(self, account_id: str, last_seq: int, previous: _Plan | None) -> _Plan:
        settings = await self.projections.settings(account_id)
        plan = _Plan(last_seq, ZoneInfo(settings["timezone"]), settings["reminder_hour"], settings["language"] or "en")
        if previous is not None:
            plan.done, plan.retry_at = previous.done, previous.retry_at
        return plan

    async def _dispatch(self, account_id: str, plan: _Plan, day: dt.date, now: dt.datetime, report: TickReport) -> None:
        async with self._dispatching:
            await self._dispatch_one(account_id, plan, day, now, report)

    async def _dispatch_one(self, account_id: str, plan: _Plan, day: dt.date, now: dt.datetime, report: TickReport) -> None:
        if not await self.store.claim_dispatch(account_id, day, self.name, now, now - self.lease):
            held = await self.store.get_dispatch(account_id, day)
            if held is None or held.status != "claimed":
                plan.done = day
            else:  # being sent by another instance, or its sender died: look again when its lease ends
                plan.retry_at = held.claimed_at + self.lease
            return
        report.claimed.append((account_id, day))
        try:
            projection = await self.projections.projection(account_id, day)
            digest = build_digest(projection, plan.language)
            if digest is None:
                report.nothing_due += 1
                await self.store.finish_dispatch(account_id, day, "nothing_due", 0, self.clock())
                plan.done = day
                return
            waiting = [s for s in await self.store.list_subscriptions(account_id) if s.last_digest_day != day]
            ttl = _until_end_of_day(now, plan.zone)
            deliveries = await asyncio.gather(*(
                self.deliver(s, digest.payload, ttl=ttl, topic=TOPIC, digest_day=day) for s in waiting
            ))
            report.deliveries.extend(deliveries)
            got_through = not deliveries or any(d.outcome == "delivered" for d in deliveries)
            await self.store.finish_dispatch(account_id, day, "sent" if got_through else "failed", digest.count, self.clock())
            plan.done = day
        except Exception:  # noqa: BLE001 - left claimed: taken over after the lease
            log.exception("the digest of %s for %s failed; it will be tried again after %s", account_id, day, self.lease)
            plan.retry_at = now + self.lease

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
