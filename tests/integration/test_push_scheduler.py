"""The daily digest scheduler through days, with the injected clock, a real SQLite store and the local push
service: time zones, daylight-saving days, nothing due, restarts, several devices, removed subscriptions,
and two instances on one database."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path

import msgspec
import pytest

from events import decode_event
from server.projections import Projections
from server.push.endpoints import EndpointPolicy
from server.push.keys import VapidKeys
from server.push.scheduler import DigestScheduler
from server.push.sender import PushSender
from server.store.sqlite import SQLiteStore

from .push_receiver import PushReceiver, TestSubscription

KEYS = VapidKeys.generate()
SUBJECT = "mailto:ops@merci.example"
UTC = dt.timezone.utc
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def receiver():
    with PushReceiver(KEYS.public_key, SUBJECT) as running:
        yield running


class Clock:
    """The injected clock: tests move it."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Instance:
    """One server's push side on a database file: its own store connection, cache, sender and scheduler."""

    def __init__(self, path: Path, clock: Clock):
        self.store = SQLiteStore(path, synchronous="NORMAL")
        self.clock = clock

    async def __aenter__(self) -> Instance:
        await self.store.open()

        async def no_wait(seconds: float) -> None:
            pass

        self.sender = PushSender(KEYS, SUBJECT, EndpointPolicy((), allow_local=True), sleep=no_wait)
        self.scheduler = DigestScheduler(self.store, Projections(self.store, self.clock), self.sender, clock=self.clock)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.sender.aclose()
        await self.store.close()

    async def tick(self):
        return await self.scheduler.tick()


def event(kind: str, at: str, **data) -> object:
    return decode_event(msgspec.json.encode({"id": f"e{next(_ids):06d}", "type": kind, "v": 1, "at": at, "data": data}))


async def account_with(store: SQLiteStore, email: str, *, timezone: str, hour: int = 9, language: str = "en",
                       owed: dict[str, str] | None = None, meeting_day: str = "2026-11-02"):
    """An account whose log owes a thank-you to each of `owed` (contact id -> name), from meetings on
    `meeting_day` (so overdue from the day after next on)."""
    account = await store.create_account(email, "hash", dt.datetime(2026, 1, 1, tzinfo=UTC))
    device = await store.add_device(account.id, "phone", f"token-{email}".encode(), dt.datetime(2026, 1, 1, tzinfo=UTC))
    events = [event("settings_changed", "2026-01-01T00:00:00+00:00", timezone=timezone, reminder_hour=hour, language=language)]
    for n, (contact, name) in enumerate((owed or {}).items()):
        events.append(event("contact_added", f"{meeting_day}T09:00:00+00:00", contact=contact, name=name))
        events.append(event("meeting_logged", f"{meeting_day}T1{n % 10}:00:00+00:00", meeting=f"m-{contact}", contacts=[contact]))
    await store.append(account.id, device.id, events, dt.datetime(2026, 1, 1, tzinfo=UTC))
    return account, device


async def subscribe(store: SQLiteStore, receiver: PushReceiver, account, device) -> TestSubscription:
    sub = receiver.subscribe()
    keys = sub.to_json()["keys"]
    await store.save_subscription(account.id, device.id, sub.endpoint, keys["p256dh"], keys["auth"],
                                  dt.datetime(2026, 1, 1, tzinfo=UTC))
    return sub


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


async def walk(instance: Instance, start: str, end: str, step: dt.timedelta = dt.timedelta(minutes=15)):
    """Tick every `step` from start to end (UTC instants), like the real loop, only faster."""
    instance.clock.now = at(start)
    while instance.clock.now <= at(end):
        await instance.tick()
        instance.clock.now += step


# --- one account, day after day ------------------------------------------------------------------------


async def test_the_digest_comes_at_the_reminder_hour_once_a_day_and_names_what_is_owed(tmp_path, receiver):
    clock = Clock(at("2026-11-27T07:59:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="Europe/Paris",
                                            owed={"c-herve": "Hervé Martin", "c-anne": "Anne Leroy",
                                                  "c-paul": "Paul Lemaire", "c-lea": "Léa Roux"})
        sub = await subscribe(server.store, receiver, account, phone)
        assert (await server.tick()).claimed == []  # 08:59 in Paris
        clock.now = at("2026-11-27T08:00:00+00:00")  # 09:00 in Paris
        report = await server.tick()
        assert report.claimed == [(account.id, dt.date(2026, 11, 27))] and report.delivered == 1
        (got,) = receiver.messages(sub)
        message = got.message
        assert message["body"] == ("4 follow-ups today: thank Anne Leroy, thank Hervé Martin, thank Léa Roux, "
                                   "and 1 more")
        assert (message["kind"], message["day"], message["tag"], message["url"]) == ("digest", "2026-11-27", "merci-digest", "/#/today")
        assert message["done"]["type"] == "thanks_sent" and message["done"]["data"]["meeting"] == "m-c-anne"
        assert [a["action"] for a in message["actions"]] == ["done", "snooze"]
        assert got.headers["topic"] == "merci-digest" and got.headers["urgency"] == "normal"
        assert 3600 <= int(got.headers["ttl"]) <= 15 * 3600, "worth showing until local midnight"

        await walk(server, "2026-11-27T08:15:00+00:00", "2026-11-28T07:45:00+00:00", dt.timedelta(hours=1))
        assert len(receiver.messages(sub)) == 1, "once a day"
        clock.now = at("2026-11-28T08:00:00+00:00")
        await server.tick()
        assert [m.message["day"] for m in receiver.messages(sub)] == ["2026-11-27", "2026-11-28"]
        sent = await server.store.get_dispatch(account.id, dt.date(2026, 11, 28))
        assert (sent.status, sent.items) == ("sent", 4)
        (logged,) = await server.store.list_subscriptions(account.id)
        assert logged.last_digest_day == dt.date(2026, 11, 28) and logged.last_sent_at == clock.now
    assert not receiver.problems


async def test_in_french_the_digest_speaks_french(tmp_path, receiver):
    clock = Clock(at("2026-11-27T08:00:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="Europe/Paris", language="fr",
                                            owed={"c-herve": "Hervé"})
        sub = await subscribe(server.store, receiver, account, phone)
        await server.tick()
    (got,) = receiver.messages(sub)
    assert got.message["body"] == "1 relance aujourd’hui\u00a0: remercier Hervé"
    assert [a["title"] for a in got.message["actions"]] == ["Fait", "Demain"]


async def test_nothing_due_nothing_sent(tmp_path, receiver):
    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="UTC", owed={})
        sub = await subscribe(server.store, receiver, account, phone)
        report = await server.tick()
        assert report.nothing_due == 1 and report.deliveries == []
        assert receiver.messages(sub, status=None) == []
        assert (await server.store.get_dispatch(account.id, dt.date(2026, 11, 27))).status == "nothing_due"


# --- time zones and daylight saving ------------------------------------------------------------------


async def test_each_account_gets_its_digest_at_its_own_local_hour(tmp_path, receiver):
    clock = Clock(at("2026-11-26T20:30:00+00:00"))
    zones = {"Asia/Tokyo": 8, "America/New_York": 9, "Europe/Paris": 9, "Pacific/Auckland": 7, "Asia/Kolkata": 10}
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        accounts, subs = {}, {}
        for n, (zone, hour) in enumerate(zones.items()):
            account, phone = await account_with(server.store, f"u{n}@example.org", timezone=zone, hour=hour,
                                                owed={"c1": "Hervé"})
            accounts[zone], subs[zone] = account, await subscribe(server.store, receiver, account, phone)
        await walk(server, "2026-11-26T20:30:00+00:00", "2026-11-27T17:00:00+00:00")
        claimed = {zone: (await server.store.get_dispatch(a.id, dt.date(2026, 11, 27))).claimed_at for zone, a in accounts.items()}
    assert {zone: [m.message["day"] for m in receiver.messages(sub)] for zone, sub in subs.items()} == {
        zone: ["2026-11-27"] for zone in zones}
    # 27 November at each local hour, in UTC (Auckland's had passed when the server started: sent at once).
    assert {zone: moment.strftime("%d %H:%M") for zone, moment in claimed.items()} == {
        "Pacific/Auckland": "26 20:30", "Asia/Tokyo": "26 23:00", "Asia/Kolkata": "27 04:30",
        "Europe/Paris": "27 08:00", "America/New_York": "27 14:00"}


@pytest.mark.parametrize(("zone", "hour", "days", "expected"), [
    # Paris springs forward on 28 March 2027: 9:00 is 08:00 UTC the day before, 07:00 UTC that day.
    ("Europe/Paris", 9, ("2027-03-27", "2027-03-29"),
     ["2027-03-27T08:00", "2027-03-28T07:00", "2027-03-29T07:00"]),
    # 2:00 does not exist that day in Paris: the digest comes at 3:00 CEST (01:00 UTC), once.
    ("Europe/Paris", 2, ("2027-03-27", "2027-03-29"),
     ["2027-03-27T01:00", "2027-03-28T01:00", "2027-03-29T00:00"]),
    # New York falls back on 1 November 2026: 1:00 happens twice; the digest comes at the first, once.
    ("America/New_York", 1, ("2026-10-31", "2026-11-02"),
     ["2026-10-31T05:00", "2026-11-01T05:00", "2026-11-02T06:00"]),
])
async def test_daylight_saving_days_get_one_digest_at_the_local_hour(tmp_path, receiver, zone, hour, days, expected):
    first, last = (dt.date.fromisoformat(day) for day in days)
    clock = Clock(at(f"{days[0]}T00:00:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone=zone, hour=hour,
                                            owed={"c1": "Hervé"}, meeting_day="2026-10-01")
        sub = await subscribe(server.store, receiver, account, phone)
        await walk(server, f"{days[0]}T00:00:00+00:00", f"{days[1]}T23:45:00+00:00")
        dispatches = [await server.store.get_dispatch(account.id, first + dt.timedelta(days=n))
                      for n in range((last - first).days + 1)]
    assert [m.message["day"] for m in receiver.messages(sub)] == [d.day.isoformat() for d in dispatches]
    assert [d.claimed_at.strftime("%Y-%m-%dT%H:%M") for d in dispatches] == expected


async def test_a_reminder_hour_changed_in_the_log_is_followed(tmp_path, receiver):
    clock = Clock(at("2026-11-27T06:00:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="UTC", hour=9, owed={"c1": "Hervé"})
        sub = await subscribe(server.store, receiver, account, phone)
        await server.tick()
        await server.store.append(account.id, phone.id, [event("settings_changed", "2026-11-27T06:00:00+00:00",
                                                                reminder_hour=7)], clock.now)
        clock.now = at("2026-11-27T07:00:00+00:00")
        await server.tick()
        assert len(receiver.messages(sub)) == 1


async def test_a_digest_missed_while_the_server_was_down_comes_late_the_same_day_but_not_the_next(tmp_path, receiver):
    clock = Clock(at("2026-11-27T14:59:00+00:00"))  # down from before 09:00 until 14:59
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="UTC", owed={"c1": "Hervé"})
        sub = await subscribe(server.store, receiver, account, phone)
        await server.tick()
        assert len(receiver.messages(sub)) == 1
        clock.now = at("2026-11-28T15:00:00+00:00")  # down all day: that day's digest is skipped
        await server.tick()
        assert len(receiver.messages(sub)) == 1


# --- never twice ---------------------------------------------------------------------------------------


async def test_a_restart_right_after_a_send_does_not_send_again(tmp_path, receiver):
    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    path = tmp_path / "merci.sqlite3"
    async with Instance(path, clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="UTC", owed={"c1": "Hervé"})
        sub = await subscribe(server.store, receiver, account, phone)
        assert (await server.tick()).delivered == 1
    clock.now += dt.timedelta(seconds=5)
    async with Instance(path, clock) as restarted:
        report = await restarted.tick()
        assert report.claimed == [] and report.deliveries == []
        await walk(restarted, "2026-11-27T09:15:00+00:00", "2026-11-27T20:00:00+00:00", dt.timedelta(hours=1))
    assert len(receiver.messages(sub)) == 1


async def test_two_instances_on_one_database_never_double_send(tmp_path, receiver):
    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    path = tmp_path / "merci.sqlite3"
    async with Instance(path, clock) as first, Instance(path, clock) as second:
        subs = []
        for n in range(12):
            account, phone = await account_with(first.store, f"u{n}@example.org", timezone="UTC", owed={"c1": "Hervé"})
            subs.append(await subscribe(first.store, receiver, account, phone))
        reports = await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
        assert sum(len(r.claimed) for r in reports) == 12
    assert [len(receiver.messages(sub)) for sub in subs] == [1] * 12


async def test_a_claim_whose_sender_died_is_taken_over_and_only_missing_devices_are_sent(tmp_path, receiver):
    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    day = dt.date(2026, 11, 27)
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        store = server.store
        account, phone = await account_with(store, "ana@example.org", timezone="UTC", owed={"c1": "Hervé"})
        laptop = await store.add_device(account.id, "laptop", b"laptop-token", clock.now)
        got_it = await subscribe(store, receiver, account, phone)
        missed = await subscribe(store, receiver, account, laptop)
        # Another instance claimed the day, sent to the phone, and died before the laptop.
        assert await store.claim_dispatch(account.id, day, "dead", clock.now, clock.now)
        (phone_sub,) = [s for s in await store.list_subscriptions(account.id) if s.device_id == phone.id]
        await store.record_delivery(phone_sub.id, clock.now, digest_day=day)
        clock.now = at("2026-11-27T09:20:00+00:00")
        assert (await server.tick()).claimed == [], "still within the dead claim's lease"
        clock.now = at("2026-11-27T09:31:00+00:00")
        assert (await server.tick()).claimed == [(account.id, day)]
        assert (await store.get_dispatch(account.id, day)).status == "sent"
    assert receiver.messages(got_it) == [] and len(receiver.messages(missed)) == 1


# --- devices and their subscriptions ---------------------------------------------------------------


async def test_each_device_gets_one_digest(tmp_path, receiver):
    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="UTC", owed={"c1": "Hervé"})
        laptop = await server.store.add_device(account.id, "laptop", b"laptop", clock.now)
        tablet = await server.store.add_device(account.id, "tablet", b"tablet", clock.now)
        subs = [await subscribe(server.store, receiver, account, device) for device in (phone, laptop, tablet)]
        assert (await server.tick()).delivered == 3
    assert [len(receiver.messages(sub)) for sub in subs] == [1, 1, 1]
    assert len({receiver.messages(sub)[0].message["body"] for sub in subs}) == 1


async def test_a_gone_subscription_is_removed_and_a_removed_one_is_not_sent(tmp_path, receiver):
    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        store = server.store
        account, phone = await account_with(store, "ana@example.org", timezone="UTC", owed={"c1": "Hervé"})
        laptop = await store.add_device(account.id, "laptop", b"laptop", clock.now)
        tablet = await store.add_device(account.id, "tablet", b"tablet", clock.now)
        kept, gone, removed = [await subscribe(store, receiver, account, d) for d in (phone, laptop, tablet)]
        receiver.respond(gone, 410)
        (removed_id,) = [s.id for s in await store.list_subscriptions(account.id) if s.endpoint == removed.endpoint]
        assert await store.remove_subscription(account.id, removed_id)
        report = await server.tick()
        assert sorted(d.outcome for d in report.deliveries) == ["delivered", "gone"]
        assert [s.endpoint for s in await store.list_subscriptions(account.id)] == [kept.endpoint]
        clock.now = at("2026-11-28T09:00:00+00:00")
        await server.tick()
    assert len(receiver.messages(kept)) == 2
    assert [m.status for m in receiver.messages(gone, status=None)] == [410]
    assert receiver.messages(removed, status=None) == []


async def test_a_failing_push_service_is_retried_and_its_failure_kept_in_the_delivery_log(tmp_path, receiver):
    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    async with Instance(tmp_path / "merci.sqlite3", clock) as server:
        account, phone = await account_with(server.store, "ana@example.org", timezone="UTC", owed={"c1": "Hervé"})
        laptop = await server.store.add_device(account.id, "laptop", b"laptop", clock.now)
        flaky, broken = await subscribe(server.store, receiver, account, phone), await subscribe(server.store, receiver, account, laptop)
        receiver.respond(flaky, (429, {"Retry-After": "1"}), 503)
        receiver.respond(broken, 403)
        report = await server.tick()
        assert sorted((d.outcome, d.attempts) for d in report.deliveries) == [("delivered", 3), ("refused", 1)]
        logs = {s.endpoint: s for s in await server.store.list_subscriptions(account.id)}
    assert logs[flaky.endpoint].last_digest_day == dt.date(2026, 11, 27) and logs[flaky.endpoint].last_failure is None
    assert logs[broken.endpoint].last_sent_at is None
    assert logs[broken.endpoint].last_failure == "the push service refused the message (403)"
    assert [m.headers["topic"] for m in receiver.messages(flaky, status=None)] == ["merci-digest"] * 3


# --- the work of a pass ----------------------------------------------------------------------------------


class CountingStore(SQLiteStore):
    """The real SQLite store, counting the calls the scheduler makes and the accounts they name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls: dict[str, int] = {}
        self.accounts_read = 0

    def forget(self) -> None:
        self.calls, self.accounts_read = {}, 0

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    async def subscribed_accounts(self):
        self._count("subscribed_accounts")
        return await super().subscribed_accounts()

    async def read_logs(self, account_ids):
        self._count("read_logs")
        self.accounts_read += len(account_ids)
        return await super().read_logs(account_ids)

    async def last_seq(self, account_id):
        self._count("last_seq")
        return await super().last_seq(account_id)

    async def read(self, account_id, after=0, limit=1000):
        self._count("read")
        self.accounts_read += 1
        return await super().read(account_id, after, limit)

    async def claim_dispatches(self, claims, *args):
        self._count("claim_dispatches")
        return await super().claim_dispatches(claims, *args)


async def test_a_pass_reads_only_the_accounts_due_or_changed_not_every_account(tmp_path, receiver):
    clock = Clock(at("2026-11-27T00:30:00+00:00"))
    store = CountingStore(tmp_path / "merci.sqlite3", synchronous="NORMAL")
    await store.open()
    sender = PushSender(KEYS, SUBJECT, EndpointPolicy((), allow_local=True))
    scheduler = DigestScheduler(store, Projections(store, clock), sender, clock=clock, reconcile=dt.timedelta(hours=2))
    try:
        accounts = []
        for n in range(40):  # reminder hours spread over the day
            account, phone = await account_with(store, f"u{n}@example.org", timezone="UTC", hour=n % 20 + 2,
                                                owed={"c1": "Hervé"})
            await subscribe(store, receiver, account, phone)
            accounts.append((account, phone))
        first = await scheduler.tick()
        assert first.planned == 40 and first.claimed == []

        store.forget()
        for minute in (5, 10, 15):  # nothing due, nothing changed: no account read
            clock.now = at(f"2026-11-27T00:{30 + minute}:00+00:00")
            report = await scheduler.tick()
            assert (report.planned, report.claimed) == (0, [])
        assert store.calls == {} and store.accounts_read == 0

        # One account changes its hour (heard from the store: its new event read through the cache), two are due
        # at 02:00: the three due read in one go
        changed, phone = accounts[5]
        await store.append(changed.id, phone.id, [event("settings_changed", "2026-11-27T00:45:00+00:00",
                                                          reminder_hour=2)], clock.now)
        clock.now = at("2026-11-27T02:00:00+00:00")
        store.forget()
        report = await scheduler.tick()
        assert report.planned == 1
        assert sorted(a for a, _ in report.claimed) == sorted([accounts[0][0].id, accounts[20][0].id, changed.id])
        assert store.calls == {"last_seq": 1, "read": 1, "read_logs": 1, "claim_dispatches": 1}
        assert store.accounts_read == 1 + 3

        # A device subscribed through another instance is found when the subscribed accounts are listed again
        late, late_phone = await account_with(store, "late@example.org", timezone="UTC", hour=3, owed={"c1": "Hervé"})
        sub = await subscribe(store, receiver, late, late_phone)
        clock.now = at("2026-11-27T03:00:00+00:00")
        store.forget()
        report = await scheduler.tick()
        assert store.calls["subscribed_accounts"] == 1 and report.planned == 1
        assert late.id in {a for a, _ in report.claimed} and len(receiver.messages(sub)) == 1
    finally:
        await sender.aclose()
        await store.close()


@pytest.mark.postgres
async def test_two_instances_on_postgresql_split_the_due_digests_and_send_each_once(postgres_url, receiver):
    from server.store.postgres import PostgresStore

    clock = Clock(at("2026-11-27T09:00:00+00:00"))
    stores = [PostgresStore(postgres_url), PostgresStore(postgres_url)]
    for store in stores:
        await store.open()
    senders = [PushSender(KEYS, SUBJECT, EndpointPolicy((), allow_local=True)) for _ in stores]
    schedulers = [DigestScheduler(store, Projections(store, clock), sender, clock=clock, name=f"instance-{n}", batch=4)
                  for n, (store, sender) in enumerate(zip(stores, senders))]
    try:
        subs = []
        for n in range(40):
            account, phone = await account_with(stores[0], f"u{n}@example.org", timezone="UTC", owed={"c1": "Hervé"})
            subs.append(await subscribe(stores[0], receiver, account, phone))
        reports = await asyncio.gather(*(s.tick() for s in schedulers))
        again = await asyncio.gather(*(s.tick() for s in schedulers))
    finally:
        for sender, store in zip(senders, stores):
            await sender.aclose()
            await store.close()
    claimed = [pair for report in reports for pair in report.claimed]
    assert len(claimed) == len(set(claimed)) == 40 and all(r.claimed == [] for r in again)
    assert [len(receiver.messages(sub)) for sub in subs] == [1] * 40


@pytest.mark.postgres
async def test_a_reminder_hour_changed_through_another_instance_is_heard_and_followed(postgres_url, receiver):
    from server.live.hub import LiveHub
    from server.live.postgres import PostgresNews
    from server.store.postgres import PostgresStore

    clock = Clock(at("2026-11-27T06:00:00+00:00"))
    other, mine = PostgresStore(postgres_url), PostgresStore(postgres_url)
    await other.open()
    await mine.open()
    hub = LiveHub()
    news = PostgresNews(postgres_url, hub)
    sender = PushSender(KEYS, SUBJECT, EndpointPolicy((), allow_local=True))
    scheduler = DigestScheduler(mine, Projections(mine, clock), sender, clock=clock, news=hub)
    news.start()
    try:
        account, phone = await account_with(other, "ana@example.org", timezone="UTC", hour=9, owed={"c1": "Hervé"})
        sub = await subscribe(other, receiver, account, phone)
        assert (await scheduler.tick()).planned == 1
        await asyncio.wait_for(news.listening.wait(), 10)
        heard = asyncio.Event()
        hub.on_news(lambda account_id, seq: heard.set() if account_id == account.id else None)
        # The hour moves to 7 through the other instance: this one hears it through LISTEN, nothing else
        await other.append(account.id, phone.id, [event("settings_changed", "2026-11-27T06:00:00+00:00",
                                                        reminder_hour=7)], clock.now)
        await asyncio.wait_for(heard.wait(), 10)
        clock.now = at("2026-11-27T07:00:00+00:00")
        report = await scheduler.tick()
        assert report.planned == 1 and report.claimed == [(account.id, dt.date(2026, 11, 27))]
        assert len(receiver.messages(sub)) == 1
    finally:
        await news.stop()
        await sender.aclose()
        await mine.close()
        await other.close()


async def test_a_device_subscribing_through_the_app_is_planned_on_the_next_pass(tmp_path, receiver):
    from .api import running_app, sign_up

    settings = {"push_allow_local": True, "push_scheduler": True, "push_tick_seconds": 3600, "vapid_subject": SUBJECT}
    async with running_app(tmp_path, **settings) as client:
        scheduler = client.app.state.reminders.scheduler
        await scheduler.tick()  # whatever pass the app ran at start, the subscribed accounts were just listed
        ana = await sign_up(client, "ana@example.org")
        saved = await client.post("/api/push/subscriptions", json=receiver.subscribe().to_json(), headers=ana.auth)
        assert saved.status_code == 201
        # The next pass is minutes before the accounts are listed again: the route told the scheduler
        assert (await scheduler.tick()).planned == 1
        assert (await scheduler.tick()).planned == 0
