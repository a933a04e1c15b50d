"""The live hub on its own (server/live/hub.py): news reaches the account's followers and no other's, a burst
of appends wakes a follower once with the latest seq, news never goes back, and closing wakes everyone."""

from __future__ import annotations

import asyncio

from server.live.hub import LiveHub


async def test_news_reaches_only_the_accounts_followers_with_the_latest_seq():
    hub = LiveHub()
    ana_phone, ana_laptop, bob = hub.follow("ana", "phone"), hub.follow("ana", "laptop"), hub.follow("bob", "bob-phone")
    heard: list[tuple[str | None, int]] = []
    hub.on_news(lambda account, seq: heard.append((account, seq)))
    for seq in (3, 4, 5):
        hub.announce("ana", seq)
    hub.announce("ana", 4)  # an older announcement arriving late (another instance's) changes nothing
    assert await ana_phone.wait(1) and ana_phone.last_seq == 5
    assert await ana_laptop.wait(1) and ana_laptop.last_seq == 5
    assert not await ana_phone.wait(0.05), "one wake-up for the whole burst"
    assert not await bob.wait(0.05) and bob.last_seq == 0
    assert heard == [("ana", 3), ("ana", 4), ("ana", 5), ("ana", 4)]


async def test_streams_are_counted_per_device_and_forgotten_when_they_end():
    hub = LiveHub(streams_per_device=2)
    first, second = hub.follow("ana", "phone"), hub.follow("ana", "phone")
    assert hub.streams_of("phone") == 2 and hub.following == 2
    hub.unfollow(first)
    hub.unfollow(first)  # twice is harmless
    assert hub.streams_of("phone") == 1
    hub.unfollow(second)
    assert hub.streams_of("phone") == 0 and hub.following == 0
    hub.announce("ana", 9)  # nobody left to tell


async def test_after_lost_news_every_follower_checks_again_and_closing_ends_them_all():
    hub = LiveHub()
    followers = [hub.follow(account, f"{account}-device") for account in ("ana", "bob")]
    heard: list[tuple[str | None, int]] = []
    hub.on_news(lambda account, seq: heard.append((account, seq)))
    hub.check_all()
    assert all([await f.wait(1) for f in followers]) and all(f.stale for f in followers)
    assert heard == [(None, 0)]
    waiting = [asyncio.create_task(f.wait(5)) for f in followers]
    await asyncio.sleep(0)
    hub.close()
    assert await asyncio.gather(*waiting) == [True, True] and all(f.closed for f in followers)
    assert hub.follow("carl", "carl-device").closed, "a stream opened while closing ends at once"
