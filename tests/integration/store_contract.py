"""The store contract, written once: every backend's test module subclasses StoreContract and provides
a `store` fixture (an open, empty store). See server/store/contract.py."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from events import decode_event
from server.store.contract import AccountExists, AccountGone, EndpointTaken, Store

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
DAY = dt.date(2026, 11, 27)
KEYS = ("BP256dh-key", "auth-secret")


def meeting(event_id: str, contact: str = "c1", at: str = "2026-05-12T10:00:00+02:00"):
    return decode_event(
        f'{{"id": "{event_id}", "type": "meeting_logged", "v": 1, "at": "{at}",'
        f' "data": {{"meeting": "m-{event_id}", "contacts": ["{contact}"]}}}}'
    )


async def new_account(store: Store, email: str = "ana@example.org"):
    account = await store.create_account(email, "hash", NOW)
    device = await store.add_device(account.id, "phone", f"token-of-{email}".encode(), NOW)
    return account, device


class StoreContract:
    """Behaviour every Store must have. Subclasses provide the `store` fixture."""

    async def test_appending_assigns_gapless_seqs_from_one(self, store: Store):
        account, device = await new_account(store)
        result = await store.append(account.id, device.id, [meeting("e1"), meeting("e2"), meeting("e3")], NOW)
        assert result.accepted == ["e1", "e2", "e3"] and result.duplicates == [] and result.last_seq == 3
        result = await store.append(account.id, device.id, [meeting("e4")], NOW)
        assert result.last_seq == 4
        assert [e.seq for e in await store.read(account.id)] == [1, 2, 3, 4]

    async def test_resending_a_batch_answers_duplicates_and_stores_nothing_twice(self, store: Store):
        account, device = await new_account(store)
        await store.append(account.id, device.id, [meeting("e1"), meeting("e2")], NOW)
        result = await store.append(account.id, device.id, [meeting("e2"), meeting("e3"), meeting("e1")], NOW)
        assert result.accepted == ["e3"]
        assert result.duplicates == ["e2", "e1"]
        assert [e.id for e in await store.read(account.id)] == ["e1", "e2", "e3"]

    async def test_the_same_id_twice_in_one_batch_is_stored_once(self, store: Store):
        account, device = await new_account(store)
        result = await store.append(account.id, device.id, [meeting("e1"), meeting("e1", contact="c2")], NOW)
        assert result.accepted == ["e1"] and result.duplicates == ["e1"]
        (stored,) = await store.read(account.id)
        assert stored.data.contacts == ["c1"]

    async def test_an_id_resent_with_other_content_is_a_conflict_and_stores_nothing(self, store: Store):
        account, device = await new_account(store)
        await store.append(account.id, device.id, [meeting("e1"), meeting("e2")], NOW)
        resent = [meeting("e1"), meeting("e2", contact="c2"), meeting("e3"), meeting("e3", contact="c9")]
        result = await store.append(account.id, device.id, resent, NOW)
        assert result.accepted == ["e3"]
        assert result.duplicates == ["e1", "e2", "e3"]
        assert result.conflicts == ["e2", "e3"]
        assert [(e.id, e.data.contacts) for e in await store.read(account.id)] == [
            ("e1", ["c1"]), ("e2", ["c1"]), ("e3", ["c1"])
        ]

    async def test_a_resent_event_with_its_server_fields_is_no_conflict(self, store: Store):
        account, device = await new_account(store)
        await store.append(account.id, device.id, [meeting("e1")], NOW)
        (pulled,) = await store.read(account.id)  # as a device pulled it: seq, recorded_at, device set
        result = await store.append(account.id, device.id, [pulled], NOW)
        assert (result.duplicates, result.conflicts) == (["e1"], [])

    async def test_appending_to_an_erased_account_raises_account_gone_and_stores_nothing(self, store: Store):
        account, device = await new_account(store)
        other, other_device = await new_account(store, "bob@example.org")
        await store.append(account.id, device.id, [meeting("e1")], NOW)
        await store.erase_account(account.id)
        appends = await asyncio.gather(
            store.append(account.id, device.id, [meeting("e2")], NOW),
            store.append(other.id, other_device.id, [meeting("b1")], NOW),  # in the same group: unharmed
            return_exceptions=True,
        )
        assert isinstance(appends[0], AccountGone)
        assert appends[1].accepted == ["b1"]
        assert await store.read(account.id) == []

    async def test_a_long_batch_ending_with_a_resent_event_stores_all_the_new_ones(self, store: Store):
        account, device = await new_account(store)
        await store.append(account.id, device.id, [meeting("old")], NOW)
        result = await store.append(account.id, device.id, [meeting(f"e{i}") for i in range(150)] + [meeting("old")], NOW)
        assert result.accepted == [f"e{i}" for i in range(150)] and result.duplicates == ["old"]
        assert result.last_seq == 151
        assert [e.id for e in await store.read(account.id, limit=1000)] == ["old"] + [f"e{i}" for i in range(150)]

    async def test_read_returns_the_event_with_server_fields(self, store: Store):
        account, device = await new_account(store)
        sent = meeting("e1")
        await store.append(account.id, device.id, [sent], NOW)
        (stored,) = await store.read(account.id)
        assert (stored.seq, stored.recorded_at, stored.device) == (1, NOW, device.id)
        assert stored.data == sent.data and stored.at == sent.at and stored.id == sent.id

    async def test_read_pages_by_seq(self, store: Store):
        account, device = await new_account(store)
        await store.append(account.id, device.id, [meeting(f"e{i}") for i in range(1, 8)], NOW)
        page = await store.read(account.id, after=2, limit=3)
        assert [e.seq for e in page] == [3, 4, 5]
        assert await store.read(account.id, after=7) == []
        assert await store.last_seq(account.id) == 7

    async def test_accounts_never_see_each_others_events(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        await store.append(ana.id, ana_phone.id, [meeting("e1", contact="c-ana")], NOW)
        result = await store.append(bob.id, bob_phone.id, [meeting("e1", contact="c-bob")], NOW)
        assert result.accepted == ["e1"], "an id stored by another account is not a duplicate"
        assert [e.data.contacts for e in await store.read(bob.id)] == [["c-bob"]]
        assert [e.data.contacts for e in await store.read(ana.id)] == [["c-ana"]]
        assert (await store.read(bob.id))[0].seq == 1

    async def test_concurrent_appends_are_all_stored_with_gapless_seqs(self, store: Store):
        account, device = await new_account(store)
        results = await asyncio.gather(
            *(store.append(account.id, device.id, [meeting(f"e{i}")], NOW) for i in range(150))
        )
        assert sorted(r.accepted[0] for r in results) == sorted(f"e{i}" for i in range(150))
        stored = await store.read(account.id, limit=1000)
        assert [e.seq for e in stored] == list(range(1, 151))
        assert len({e.id for e in stored}) == 150

    async def test_every_read_sees_the_appends_acknowledged_before_it_while_many_devices_sync(self, store: Store):
        """Read-your-writes under load: 40 devices each append then read back, all at once (a store whose
        readers keep an old snapshot open between awaits fails this)."""
        accounts = [await new_account(store, f"user{n}@example.org") for n in range(40)]
        missed = []

        async def device(n: int, account, phone) -> None:
            for k in range(8):
                result = await store.append(account.id, phone.id, [meeting(f"d{n}-{k}-{i}") for i in range(5)], NOW)
                pulled = await store.read(account.id, after=result.last_seq - 5)
                last = await store.last_seq(account.id)
                if [e.id for e in pulled] != [f"d{n}-{k}-{i}" for i in range(5)] or last != result.last_seq:
                    missed.append((n, k, result.last_seq, len(pulled), last))

        await asyncio.gather(*(device(n, account, phone) for n, (account, phone) in enumerate(accounts)))
        assert missed == [], f"{len(missed)} reads did not see an acknowledged append, e.g. {missed[:3]}"

    async def test_concurrent_resends_of_one_event_store_it_once(self, store: Store):
        account, device = await new_account(store)
        results = await asyncio.gather(*(store.append(account.id, device.id, [meeting("e1")], NOW) for _ in range(20)))
        assert sum(len(r.accepted) for r in results) == 1
        assert sum(len(r.duplicates) for r in results) == 19
        assert await store.last_seq(account.id) == 1

    async def test_concurrent_batches_of_two_accounts_with_resends_among_them_stay_gapless(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        first = await store.append(ana.id, ana_phone.id, [meeting(f"e{i}") for i in range(250)], NOW)
        assert first.last_seq == 250, "more events than one INSERT statement holds"
        batches = [(ana, ana_phone, range(50 * k, 50 * k + 120)) for k in range(8)]  # e0..e469, overlapping
        batches += [(bob, bob_phone, range(30 * k, 30 * k + 40)) for k in range(3)]  # e0..e99
        results = await asyncio.gather(
            *(store.append(account.id, device.id, [meeting(f"e{i}") for i in ids], NOW)
              for account, device, ids in batches)
        )
        for (account, _, ids), result in zip(batches, results):
            assert sorted(result.accepted + result.duplicates) == sorted(f"e{i}" for i in ids)
        accepted = {account.id: [] for account in (ana, bob)}
        for (account, _, _), result in zip(batches, results):
            accepted[account.id] += result.accepted
        assert sorted(accepted[ana.id]) == sorted(f"e{i}" for i in range(250, 470))
        assert sorted(accepted[bob.id]) == sorted(f"e{i}" for i in range(100))
        for account, count in ((ana, 470), (bob, 100)):
            stored = await store.read(account.id, limit=1000)
            assert [e.seq for e in stored] == list(range(1, count + 1))
            assert len({e.id for e in stored}) == count
        after = await store.append(ana.id, ana_phone.id, [meeting("e249"), meeting("late")], NOW)
        assert (after.accepted, after.duplicates, after.last_seq) == (["late"], ["e249"], 471)

    async def test_a_failing_write_does_not_fail_the_writes_committed_with_it(self, store: Store):
        account, device = await new_account(store, "ana@example.org")
        outcomes = await asyncio.gather(
            store.create_account("ANA@example.org", "hash", NOW),
            *(store.append(account.id, device.id, [meeting(f"e{i}")], NOW) for i in range(5)),
            return_exceptions=True,
        )
        assert isinstance(outcomes[0], AccountExists)
        assert all(not isinstance(o, BaseException) for o in outcomes[1:])
        assert await store.last_seq(account.id) == 5

    async def test_signing_up_stores_the_account_its_device_and_its_first_events_together(self, store: Store):
        account, device = await store.sign_up("ana@example.org", "hash", "phone", b"token-a", [meeting("e1")], NOW)

        assert (await store.account_by_email("ana@example.org")).id == account.id
        assert (await store.device_by_token(b"token-a")).id == device.id
        assert [(e.id, e.seq, e.device) for e in await store.read(account.id)] == [("e1", 1, device.id)]

    async def test_a_sign_up_that_fails_part_way_stores_nothing(self, store: Store):
        await store.sign_up("bob@example.org", "hash", "phone", b"token-b", [], NOW)

        with pytest.raises(Exception):  # noqa: B017,PT011 - each backend names the clash in its own words
            await store.sign_up("ana@example.org", "hash", "phone", b"token-b", [meeting("e1")], NOW)

        assert await store.account_by_email("ana@example.org") is None  # not an account without its device
        account, _ = await store.sign_up("ana@example.org", "hash", "phone", b"token-a", [meeting("e1")], NOW)
        assert [e.seq for e in await store.read(account.id)] == [1]

    async def test_signing_up_with_a_taken_email_stores_nothing(self, store: Store):
        await store.sign_up("ana@example.org", "hash", "phone", b"token-a", [], NOW)

        with pytest.raises(AccountExists):
            await store.sign_up("ANA@example.org", "hash", "laptop", b"token-2", [meeting("e1")], NOW)

        assert await store.device_by_token(b"token-2") is None

    async def test_emails_are_unique_whatever_their_case(self, store: Store):
        await store.create_account("Ana@Example.org", "hash", NOW)
        with pytest.raises(AccountExists):
            await store.create_account("ana@example.ORG", "hash", NOW)
        found = await store.account_by_email("ANA@EXAMPLE.ORG")
        assert found is not None and found.email == "Ana@Example.org"
        assert await store.account_by_email("nobody@example.org") is None

    async def test_accounts_are_found_by_id_and_their_password_can_change(self, store: Store):
        account, _ = await new_account(store)
        await store.set_password(account.id, "new-hash")
        found = await store.get_account(account.id)
        assert found.password_hash == "new-hash" and found.email == account.email
        assert await store.get_account("no-such-account") is None

    async def test_devices_are_found_by_token_listed_and_revoked(self, store: Store):
        account, phone = await new_account(store)
        laptop = await store.add_device(account.id, "laptop", b"laptop-token", NOW)
        assert (await store.device_by_token(b"laptop-token")).id == laptop.id
        assert [d.id for d in await store.list_devices(account.id)] == [phone.id, laptop.id]
        await store.mark_seen(laptop.id, NOW + dt.timedelta(hours=1))
        assert (await store.device_by_token(b"laptop-token")).last_seen_at == NOW + dt.timedelta(hours=1)
        assert await store.revoke_device(account.id, laptop.id) is True
        assert await store.device_by_token(b"laptop-token") is None
        assert await store.revoke_device(account.id, laptop.id) is False

    async def test_a_device_is_added_only_while_the_account_and_the_checked_password_hold(self, store: Store):
        account = await store.create_account("ana@example.org", "hash-1", NOW)
        assert await store.add_device(account.id, "phone", b"t1", NOW, password_hash="hash-1") is not None
        await store.set_password(account.id, "hash-2")
        assert await store.add_device(account.id, "laptop", b"t2", NOW, password_hash="hash-1") is None
        assert await store.device_by_token(b"t2") is None
        assert await store.add_device(account.id, "laptop", b"t3", NOW, password_hash="hash-2") is not None
        await store.erase_account(account.id)
        assert await store.add_device(account.id, "tablet", b"t4", NOW) is None
        assert await store.device_by_token(b"t4") is None

    async def test_a_device_cannot_be_revoked_through_another_account(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, _ = await new_account(store, "bob@example.org")
        assert await store.revoke_device(bob.id, ana_phone.id) is False
        assert await store.device_by_token(b"token-of-ana@example.org") is not None

    async def test_erasing_an_account_removes_every_row_of_it_and_nothing_else(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        await store.append(ana.id, ana_phone.id, [meeting("e1"), meeting("e2")], NOW)
        await store.append(bob.id, bob_phone.id, [meeting("e1")], NOW)
        await store.erase_account(ana.id)
        assert await store.get_account(ana.id) is None
        assert await store.account_by_email("ana@example.org") is None
        assert await store.read(ana.id) == [] and await store.last_seq(ana.id) == 0
        assert await store.list_devices(ana.id) == []
        assert await store.device_by_token(b"token-of-ana@example.org") is None
        assert [e.id for e in await store.read(bob.id)] == ["e1"]
        again = await store.create_account("ana@example.org", "hash", NOW)
        assert again.id != ana.id

    async def test_an_empty_log_has_seq_zero(self, store: Store):
        account, _ = await new_account(store)
        assert await store.last_seq(account.id) == 0
        assert await store.read(account.id) == []

    # --- web push: subscriptions and daily digests -----------------------------------------------------

    async def test_a_device_has_one_subscription_and_re_sending_it_keeps_its_log(self, store: Store):
        account, phone = await new_account(store)
        first = await store.save_subscription(account.id, phone.id, "https://push.example/a", *KEYS, NOW)
        await store.record_delivery(first.id, NOW, digest_day=DAY)
        again = await store.save_subscription(account.id, phone.id, "https://push.example/a", "new-p256dh", "new-auth", NOW)
        assert again.id == first.id and (again.p256dh, again.auth) == ("new-p256dh", "new-auth")
        assert again.last_sent_at == NOW and again.last_digest_day == DAY
        moved = await store.save_subscription(account.id, phone.id, "https://push.example/b", *KEYS, NOW)
        assert [s.endpoint for s in await store.list_subscriptions(account.id)] == ["https://push.example/b"]
        assert moved.id != first.id and moved.last_sent_at is None

    async def test_an_endpoint_moves_to_the_last_device_of_the_account_that_sent_it(self, store: Store):
        ana, phone = await new_account(store, "ana@example.org")
        laptop = await store.add_device(ana.id, "laptop", b"laptop-token", NOW)
        first = await store.save_subscription(ana.id, phone.id, "https://push.example/shared", *KEYS, NOW)
        moved = await store.save_subscription(ana.id, laptop.id, "https://push.example/shared", *KEYS, NOW)
        assert [(s.id, s.device_id) for s in await store.list_subscriptions(ana.id)] == [(moved.id, laptop.id)]
        assert moved.id != first.id

    async def test_subscribing_an_erased_account_raises_account_gone(self, store: Store):
        ana, phone = await new_account(store, "ana@example.org")
        await store.erase_account(ana.id)
        with pytest.raises(AccountGone):
            await store.save_subscription(ana.id, phone.id, "https://push.example/ana", *KEYS, NOW)

    async def test_an_endpoint_another_account_holds_is_refused_and_left_to_it(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        held = await store.save_subscription(ana.id, ana_phone.id, "https://push.example/shared", *KEYS, NOW)
        bobs = await store.save_subscription(bob.id, bob_phone.id, "https://push.example/bob", *KEYS, NOW)
        with pytest.raises(EndpointTaken):
            await store.save_subscription(bob.id, bob_phone.id, "https://push.example/shared", *KEYS, NOW)
        assert await store.list_subscriptions(ana.id) == [held]
        assert await store.list_subscriptions(bob.id) == [bobs]  # nothing changed for bob either

    async def test_subscriptions_are_listed_oldest_first_and_removed_only_by_their_account(self, store: Store):
        ana, phone = await new_account(store, "ana@example.org")
        laptop = await store.add_device(ana.id, "laptop", b"laptop-token", NOW)
        bob, _ = await new_account(store, "bob@example.org")
        first = await store.save_subscription(ana.id, phone.id, "https://push.example/1", *KEYS, NOW)
        second = await store.save_subscription(ana.id, laptop.id, "https://push.example/2", *KEYS,
                                               NOW + dt.timedelta(seconds=1))
        assert [s.id for s in await store.list_subscriptions(ana.id)] == [first.id, second.id]
        assert await store.remove_subscription(bob.id, first.id) is False
        assert await store.remove_subscription(ana.id, first.id) is True
        assert await store.remove_subscription(ana.id, first.id) is False
        assert [s.id for s in await store.list_subscriptions(ana.id)] == [second.id]

    async def test_revoking_a_device_removes_its_subscription(self, store: Store):
        account, phone = await new_account(store)
        await store.save_subscription(account.id, phone.id, "https://push.example/a", *KEYS, NOW)
        await store.revoke_device(account.id, phone.id)
        assert await store.list_subscriptions(account.id) == []
        assert await store.subscribed_accounts() == []

    async def test_the_delivery_log_keeps_the_last_success_and_the_last_failure_with_its_reason(self, store: Store):
        account, phone = await new_account(store)
        sub = await store.save_subscription(account.id, phone.id, "https://push.example/a", *KEYS, NOW)
        later = NOW + dt.timedelta(hours=1)
        await store.record_delivery(sub.id, NOW, digest_day=DAY)
        await store.record_delivery(sub.id, later, failure="the push service answered 503")
        await store.record_delivery(sub.id, later + dt.timedelta(minutes=1))  # a test message: no digest day
        (logged,) = await store.list_subscriptions(account.id)
        assert logged.last_sent_at == later + dt.timedelta(minutes=1) and logged.last_digest_day == DAY
        assert (logged.last_failure_at, logged.last_failure) == (later, "the push service answered 503")

    async def test_subscribed_accounts_come_with_their_last_seq(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        await new_account(store, "carl@example.org")  # no subscription
        await store.append(ana.id, ana_phone.id, [meeting("e1"), meeting("e2")], NOW)
        await store.save_subscription(ana.id, ana_phone.id, "https://push.example/a", *KEYS, NOW)
        laptop = await store.add_device(ana.id, "laptop", b"laptop-token", NOW)
        await store.save_subscription(ana.id, laptop.id, "https://push.example/b", *KEYS, NOW)
        await store.save_subscription(bob.id, bob_phone.id, "https://push.example/c", *KEYS, NOW)
        assert sorted(await store.subscribed_accounts()) == sorted([(ana.id, 2), (bob.id, 0)])

    async def test_a_days_digest_is_claimed_once_even_by_concurrent_claimers(self, store: Store):
        account, _ = await new_account(store)
        stale = NOW - dt.timedelta(minutes=30)
        claims = await asyncio.gather(*(store.claim_dispatch(account.id, DAY, f"i{n}", NOW, stale) for n in range(20)))
        assert sum(claims) == 1
        winner = f"i{claims.index(True)}"
        assert await store.claim_dispatch(account.id, DAY + dt.timedelta(days=1), "i1", NOW, stale) is True
        dispatch = await store.get_dispatch(account.id, DAY)
        assert (dispatch.claimed_by, dispatch.claimed_at, dispatch.status) == (winner, NOW, "claimed")
        assert await store.get_dispatch(account.id, DAY - dt.timedelta(days=1)) is None

    async def test_a_claim_never_finished_can_be_taken_over_once_stale_a_finished_one_never(self, store: Store):
        account, _ = await new_account(store)
        assert await store.claim_dispatch(account.id, DAY, "dead", NOW, NOW - dt.timedelta(minutes=30))
        later = NOW + dt.timedelta(minutes=10)
        assert not await store.claim_dispatch(account.id, DAY, "other", later, later - dt.timedelta(minutes=30))
        much_later = NOW + dt.timedelta(minutes=31)
        assert await store.claim_dispatch(account.id, DAY, "other", much_later, much_later - dt.timedelta(minutes=30))
        await store.finish_dispatch(account.id, DAY, "sent", 3, much_later)
        next_day = much_later + dt.timedelta(days=1)
        assert not await store.claim_dispatch(account.id, DAY, "third", next_day, next_day)
        dispatch = await store.get_dispatch(account.id, DAY)
        assert (dispatch.claimed_by, dispatch.status, dispatch.items, dispatch.finished_at) == ("other", "sent", 3, much_later)

    # --- web push, many accounts at once ------------------------------------------------------------

    async def test_claiming_many_days_claims_each_once_across_concurrent_claimers(self, store: Store):
        accounts = [(await new_account(store, f"u{n}@example.org"))[0].id for n in range(30)]
        stale = NOW - dt.timedelta(minutes=30)
        assert await store.claim_dispatch(accounts[0], DAY, "early", NOW, stale)
        wanted = [(a, DAY) for a in accounts]
        won = await asyncio.gather(*(store.claim_dispatches(wanted[n % 3:] + wanted[:n % 3], f"i{n}", NOW, stale)
                                     for n in range(6)))
        claimed = [pair for batch in won for pair in batch]
        assert sorted(claimed) == sorted(wanted[1:]), "each (account, day) once, the one claimed before by nobody"
        unclaimed = (accounts[0], DAY + dt.timedelta(days=1))
        held = {d.account_id: d for d in await store.get_dispatches(wanted + [unclaimed])}
        assert set(held) == set(accounts) and held[accounts[0]].claimed_by == "early"
        assert {held[a].claimed_by for a, _ in won[0]} <= {"i0"} and all(d.status == "claimed" for d in held.values())
        assert await store.claim_dispatches([], "nobody", NOW, stale) == []

    async def test_finishing_many_dispatches_records_their_deliveries_in_one_go(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        laptop = await store.add_device(ana.id, "laptop", b"laptop-token", NOW)
        a1 = await store.save_subscription(ana.id, ana_phone.id, "https://push.example/a1", *KEYS, NOW)
        a2 = await store.save_subscription(ana.id, laptop.id, "https://push.example/a2", *KEYS,
                                           NOW + dt.timedelta(seconds=1))
        b1 = await store.save_subscription(bob.id, bob_phone.id, "https://push.example/b1", *KEYS, NOW)
        both = [(ana.id, DAY), (bob.id, DAY)]
        assert await store.claim_dispatches(both, "me", NOW, NOW) == both
        later = NOW + dt.timedelta(minutes=1)
        await store.finish_dispatches([(ana.id, DAY, "sent", 2), (bob.id, DAY, "failed", 1)],
                                      [(a1.id, DAY, None), (a2.id, DAY, None),
                                       (b1.id, None, "the push service answered 503")],
                                      later)
        dispatches = {d.account_id: d for d in await store.get_dispatches([(ana.id, DAY), (bob.id, DAY)])}
        ana_day = dispatches[ana.id]
        assert (ana_day.status, ana_day.items, ana_day.finished_at) == ("sent", 2, later)
        assert (dispatches[bob.id].status, dispatches[bob.id].items) == ("failed", 1)
        subs = await store.subscriptions_of([ana.id, bob.id, "nobody"])
        assert set(subs) == {ana.id, bob.id}
        assert [(s.id, s.last_digest_day, s.last_sent_at) for s in subs[ana.id]] == [(a1.id, DAY, later),
                                                                                    (a2.id, DAY, later)]
        (bob_sub,) = subs[bob.id]
        assert (bob_sub.last_sent_at, bob_sub.last_failure_at) == (None, later)
        assert bob_sub.last_failure == "the push service answered 503"

    async def test_reading_many_logs_gives_each_account_its_own_events_in_seq_order(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        carl, _ = await new_account(store, "carl@example.org")
        await store.append(ana.id, ana_phone.id, [meeting("a1"), meeting("a2")], NOW)
        await store.append(bob.id, bob_phone.id, [meeting("b1")], NOW)
        await store.append(ana.id, ana_phone.id, [meeting("a3")], NOW)
        logs = await store.read_logs([ana.id, bob.id, carl.id])
        assert set(logs) == {ana.id, bob.id}
        assert [(e.id, e.seq, e.device) for e in logs[ana.id]] == [("a1", 1, ana_phone.id), ("a2", 2, ana_phone.id),
                                                                    ("a3", 3, ana_phone.id)]
        assert logs[ana.id] == await store.read(ana.id) and logs[bob.id] == await store.read(bob.id)

    async def test_erasing_an_account_removes_its_subscriptions_and_dispatches(self, store: Store):
        ana, ana_phone = await new_account(store, "ana@example.org")
        bob, bob_phone = await new_account(store, "bob@example.org")
        for account, device in ((ana, ana_phone), (bob, bob_phone)):
            await store.save_subscription(account.id, device.id, f"https://push.example/{account.id}", *KEYS, NOW)
            await store.claim_dispatch(account.id, DAY, "me", NOW, NOW)
        await store.erase_account(ana.id)
        assert await store.list_subscriptions(ana.id) == [] and await store.get_dispatch(ana.id, DAY) is None
        assert await store.subscribed_accounts() == [(bob.id, 0)]
        assert await store.get_dispatch(bob.id, DAY) is not None

    # --- calendar feeds ----------------------------------------------------------------------------------

    async def test_a_calendar_feed_is_made_once_and_found_by_the_hash_of_its_secret(self, store: Store):
        ana, _ = await new_account(store, "ana@example.org")
        assert await store.get_calendar_feed(ana.id) is None
        made = await store.save_calendar_feed(ana.id, b"n1" * 8, b"h1" * 16, NOW, replace=False)
        assert (made.account_id, made.nonce, made.secret_hash, made.created_at) == (ana.id, b"n1" * 8, b"h1" * 16, NOW)
        # a second first call (two devices at once) keeps the feed already made
        again = await store.save_calendar_feed(ana.id, b"n2" * 8, b"h2" * 16, NOW, replace=False)
        assert again == made == await store.get_calendar_feed(ana.id)
        assert await store.calendar_feed_by_secret(b"h1" * 16) == made
        assert await store.calendar_feed_by_secret(b"h2" * 16) is None

    async def test_rotating_a_calendar_feed_forgets_the_old_secret_at_once(self, store: Store):
        ana, _ = await new_account(store, "ana@example.org")
        await store.save_calendar_feed(ana.id, b"n1" * 8, b"h1" * 16, NOW, replace=False)
        later = NOW + dt.timedelta(days=1)
        rotated = await store.save_calendar_feed(ana.id, b"n2" * 8, b"h2" * 16, later, replace=True)
        assert (rotated.nonce, rotated.secret_hash, rotated.created_at) == (b"n2" * 8, b"h2" * 16, later)
        assert await store.calendar_feed_by_secret(b"h1" * 16) is None
        assert await store.calendar_feed_by_secret(b"h2" * 16) == rotated

    async def test_calendar_feeds_belong_to_one_account_and_go_with_its_erasure(self, store: Store):
        ana, _ = await new_account(store, "ana@example.org")
        bob, _ = await new_account(store, "bob@example.org")
        await store.save_calendar_feed(ana.id, b"na" * 8, b"ha" * 16, NOW, replace=False)
        await store.save_calendar_feed(bob.id, b"nb" * 8, b"hb" * 16, NOW, replace=False)
        assert await store.save_calendar_feed("no-such-account", b"nx" * 8, b"hx" * 16, NOW, replace=True) is None
        await store.erase_account(ana.id)
        assert await store.get_calendar_feed(ana.id) is None
        assert await store.calendar_feed_by_secret(b"ha" * 16) is None
        assert (await store.calendar_feed_by_secret(b"hb" * 16)).account_id == bob.id

    # --- coach links (shares) ------------------------------------------------------------------------------

    async def test_a_share_opens_by_its_secret_hash_until_it_expires_and_notes_when_it_was_opened(self, store: Store):
        account, _ = await new_account(store)
        expires = NOW + dt.timedelta(days=7)
        share = await store.create_share(account.id, "Coach Marie", "audit", b"hash-of-secret", NOW, expires)
        assert [(s.id, s.label, s.scope, s.last_opened_at) for s in await store.list_shares(account.id)] == [
            (share.id, "Coach Marie", "audit", None)]
        opened_at = NOW + dt.timedelta(days=1, microseconds=250)
        opened = await store.open_share(b"hash-of-secret", opened_at)
        assert (opened.id, opened.account_id, opened.last_opened_at) == (share.id, account.id, opened_at)
        assert (await store.list_shares(account.id))[0].last_opened_at == opened_at
        assert (await store.list_shares(account.id))[0].expires_at == expires
        assert await store.open_share(b"hash-of-secret", expires - dt.timedelta(microseconds=1)) is not None
        assert await store.open_share(b"hash-of-secret", expires) is None  # expired: the instant it ends
        assert await store.open_share(b"another-hash", NOW) is None
        assert len(await store.list_shares(account.id)) == 1  # an expired link is still listed, until revoked

    async def test_a_revoked_share_no_longer_opens_and_only_its_account_can_revoke_it(self, store: Store):
        ana, _ = await new_account(store, "ana@example.org")
        bob, _ = await new_account(store, "bob@example.org")
        share = await store.create_share(ana.id, "mentor", "audit", b"h1", NOW, NOW + dt.timedelta(days=30))
        assert await store.revoke_share(bob.id, share.id) is False
        assert await store.open_share(b"h1", NOW) is not None
        assert await store.list_shares(bob.id) == []
        assert await store.revoke_share(ana.id, share.id) is True
        assert await store.open_share(b"h1", NOW) is None
        assert await store.revoke_share(ana.id, share.id) is False
        assert await store.list_shares(ana.id) == []

    async def test_erasing_an_account_removes_its_shares(self, store: Store):
        ana, _ = await new_account(store, "ana@example.org")
        bob, _ = await new_account(store, "bob@example.org")
        await store.create_share(ana.id, "a", "audit", b"ha", NOW, NOW + dt.timedelta(days=3))
        await store.create_share(bob.id, "b", "audit", b"hb", NOW, NOW + dt.timedelta(days=3))
        await store.erase_account(ana.id)
        assert await store.open_share(b"ha", NOW) is None and await store.list_shares(ana.id) == []
        assert await store.open_share(b"hb", NOW) is not None
