"""POST /api/sync over the real app and a real SQLite file: idempotent pushes, readable rejections, paged pulls."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .api import Account, event, ids, in_hours, meeting, running_app, sign_up


@pytest.fixture
async def client(tmp_path):
    async with running_app(tmp_path) as client:
        yield client


async def test_accepted_events_come_back_with_seq_recording_time_and_device(client):
    account = await sign_up(client)

    answer = await account.sync([meeting("e1"), meeting("e2")])

    assert answer["accepted"] == ["e1", "e2"] and answer["duplicates"] == [] and answer["rejected"] == []
    assert [(e["id"], e["seq"], e["device"]) for e in answer["events"]] == [
        ("e1", 1, account.device), ("e2", 2, account.device)
    ]
    assert all(e["recorded_at"].endswith("Z") for e in answer["events"])
    assert answer["events"][0]["at"] == "2026-05-12T10:30:00+02:00"  # the event's own time, as sent
    assert (answer["cursor"], answer["more"]) == (2, False)


async def test_resending_a_batch_answers_duplicates_and_stores_nothing_twice(client):
    account = await sign_up(client)
    first = await account.sync([meeting("e1"), meeting("e2")])

    again = await account.sync([meeting("e1"), meeting("e2"), meeting("e3")], cursor=first["cursor"])

    assert again["accepted"] == ["e3"]
    assert again["duplicates"] == ["e1", "e2"]
    assert [(e["id"], e["seq"]) for e in await account.log()] == [("e1", 1), ("e2", 2), ("e3", 3)]


async def test_an_id_repeated_within_one_batch_is_stored_once(client):
    account = await sign_up(client)

    answer = await account.sync([meeting("e1"), meeting("e1")])

    assert answer["accepted"] == ["e1"] and answer["duplicates"] == ["e1"]
    assert ids(await account.log()) == ["e1"]


async def test_a_bad_event_is_rejected_with_its_reason_while_the_others_are_stored(client):
    account = await sign_up(client)
    bad = meeting("e2")
    bad["data"]["contacts"] = []

    answer = await account.sync([meeting("e1"), bad, meeting("e3")])

    assert answer["accepted"] == ["e1", "e3"]
    [rejected] = answer["rejected"]
    assert (rejected["id"], rejected["index"], rejected["field"]) == ("e2", 1, "data.contacts")
    assert "data.contacts" in rejected["error"]
    assert ids(await account.log()) == ["e1", "e3"]


async def test_an_event_more_than_a_day_ahead_is_rejected_and_one_within_the_day_accepted(client):
    account = await sign_up(client)

    answer = await account.sync([meeting("soon", at=in_hours(23)), meeting("too-late", at=in_hours(25))])

    assert answer["accepted"] == ["soon"]
    [rejected] = answer["rejected"]
    assert rejected["id"] == "too-late" and rejected["field"] == "at"
    assert "24 hours ahead" in rejected["error"] and "clock" in rejected["error"]


async def test_server_fields_sent_by_a_device_are_replaced_by_the_servers(client):
    account = await sign_up(client)
    sent = {**meeting("e1"), "seq": 99, "device": "someone-else", "recorded_at": "2020-01-01T00:00:00Z"}

    answer = await account.sync([sent])

    [stored] = answer["events"]
    assert (stored["seq"], stored["device"]) == (1, account.device)
    assert stored["recorded_at"] != "2020-01-01T00:00:00Z"


async def test_the_pull_is_paged_and_more_says_when_to_sync_again(tmp_path):
    async with running_app(tmp_path, sync_page_events=3) as client:
        phone = await sign_up(client)
        await phone.sync([meeting(f"e{i}") for i in range(7)])
        laptop = await phone.new_device()

        pages, cursor, more = [], 0, True
        while more:
            answer = await laptop.sync(cursor=cursor)
            pages.append(ids(answer["events"]))
            cursor, more = answer["cursor"], answer["more"]

    assert pages == [["e0", "e1", "e2"], ["e3", "e4", "e5"], ["e6"]]
    assert cursor == 7


async def test_a_device_may_ask_for_smaller_pages(client):
    account = await sign_up(client)
    await account.sync([meeting(f"e{i}") for i in range(5)])

    answer = await account.sync(cursor=1, limit=2)

    assert ids(answer["events"]) == ["e1", "e2"] and answer["cursor"] == 3 and answer["more"] is True


async def test_a_device_pulls_what_another_device_pushed_after_its_cursor(client):
    phone = await sign_up(client)
    laptop = await phone.new_device()
    first = await laptop.sync([meeting("from-laptop")])

    await phone.sync([meeting("from-phone")], cursor=0)
    answer = await laptop.sync(cursor=first["cursor"])

    assert [(e["id"], e["device"]) for e in answer["events"]] == [("from-phone", phone.device)]


async def test_a_cursor_past_the_end_of_the_log_is_a_conflict_that_says_to_start_over(client):
    account = await sign_up(client)
    await account.sync([meeting("e1")])

    answer = await client.post("/api/sync", json={"cursor": 5, "events": [meeting("e2")]}, headers=account.auth)

    assert answer.status_code == 409
    assert "cursor" in answer.json()["error"] and answer.json()["last_seq"] == 2
    assert answer.json()["accepted"] == ["e2"]  # the pushed event is stored, and the answer says so
    assert ids(await account.log()) == ["e1", "e2"]


async def test_the_device_named_in_a_sync_must_be_the_tokens(client):
    phone = await sign_up(client)
    laptop = await phone.new_device()

    answer = await client.post(
        "/api/sync", json={"device": laptop.device, "cursor": 0, "events": [meeting("e1")]}, headers=phone.auth
    )

    assert answer.status_code == 400 and "`device`" in answer.json()["error"]
    assert await phone.log() == []
    assert (await phone.sync([meeting("e1")], device=phone.device))["accepted"] == ["e1"]


async def test_concurrent_syncs_from_many_devices_keep_seq_gapless(client):
    first = await sign_up(client)
    devices = [first] + [await first.new_device(f"d{n}") for n in range(9)]

    answers = await asyncio.gather(*(
        device.sync([meeting(f"d{n}-e{i}") for i in range(20)] + [meeting("shared")])
        for n, device in enumerate(devices)
    ))

    log = await first.log()
    assert [e["seq"] for e in log] == list(range(1, 202))
    assert Counter(i for answer in answers for i in answer["accepted"])["shared"] == 1
    assert sorted(ids(log)) == sorted({f"d{n}-e{i}" for n in range(10) for i in range(20)} | {"shared"})


# --- three devices, random overlapping batches, re-sends and lost answers ------------------------------

POOL = [meeting(f"e{i:02d}") for i in range(30)] + [
    event("s1", "settings_changed", {"timezone": "Europe/Paris"}),
]

batch = st.tuples(
    st.lists(st.integers(0, len(POOL) - 1), max_size=10),  # which events (overlapping, repeated)
    st.booleans(),  # whether the answer is lost on the way back
)
device_plan = st.lists(batch, min_size=1, max_size=5)


class Device:
    """A device that keeps unacknowledged events in its outbox and re-sends them, as the PWA does."""

    def __init__(self, account: Account):
        self.account = account
        self.outbox: dict[str, dict] = {}
        self.cursor = 0
        self.pulled: list[str] = []
        self.sent: set[str] = set()
        self.accepted: list[str] = []
        """Ids the server reported as accepted, lost answers included (the server did store them)."""

    async def push(self, picks: list[int], lost: bool) -> None:
        for i in picks:
            self.outbox[POOL[i]["id"]] = POOL[i]
        self.sent.update(self.outbox)
        answer = await self.account.sync(list(self.outbox.values()), cursor=self.cursor)
        self.accepted += answer["accepted"]
        if lost:
            return
        assert not answer["rejected"]
        for done in answer["accepted"] + answer["duplicates"]:
            self.outbox.pop(done, None)
        self._pulled(answer)

    async def drain(self) -> None:
        more = True
        while self.outbox or more:
            answer = await self.account.sync(list(self.outbox.values()), cursor=self.cursor)
            self.accepted += answer["accepted"]
            self.outbox.clear()
            self._pulled(answer)
            more = answer["more"]

    def _pulled(self, answer: dict) -> None:
        self.pulled += ids(answer["events"])
        self.cursor = answer["cursor"]


async def three_devices_sync(data: Path, plans: list[list[tuple[list[int], bool]]]) -> None:
    async with running_app(data, sync_page_events=7) as client:
        first = await sign_up(client)
        devices = [Device(first), Device(await first.new_device("b")), Device(await first.new_device("c"))]

        async def run(device: Device, plan: list[tuple[list[int], bool]]) -> None:
            for picks, lost in plan:
                await device.push(picks, lost)

        await asyncio.gather(*(run(device, plan) for device, plan in zip(devices, plans)))
        for device in devices:
            await device.drain()

        log = await first.log()
        sent = set().union(*(device.sent for device in devices))
        accepted = Counter(i for device in devices for i in device.accepted)
        assert sorted(ids(log)) == sorted(sent)  # the store holds exactly the events sent...
        assert len(set(ids(log))) == len(log)  # ...each once
        assert [e["seq"] for e in log] == list(range(1, len(log) + 1))  # gapless
        assert set(accepted) == sent and set(accepted.values()) <= {1}  # each accepted by exactly one answer
        for device in devices:
            assert device.pulled == ids(log)  # every device saw the whole log, in seq order, once


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=st.lists(device_plan, min_size=3, max_size=3))
def test_three_devices_with_resends_and_lost_answers_leave_the_store_equal_to_what_was_sent(plans):
    with tempfile.TemporaryDirectory() as data:
        asyncio.run(three_devices_sync(Path(data), plans))
