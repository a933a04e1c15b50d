"""The memory of when each device was last recorded as seen stays bounded by the devices of the last minute."""

from __future__ import annotations

from server.auth import SEEN_EVERY_SECONDS, SEEN_KEPT, remember_seen


def test_devices_not_seen_for_a_minute_are_forgotten_once_many_are_remembered():
    seen: dict[str, float] = {}
    for n in range(SEEN_KEPT):
        remember_seen(seen, f"old-{n}", 0.0)
    later = SEEN_EVERY_SECONDS + 1
    for n in range(10):
        remember_seen(seen, f"recent-{n}", later + n)
    assert set(seen) == {f"recent-{n}" for n in range(10)}  # the old ones throttled nothing any more
    remember_seen(seen, "recent-0", later + 20)
    assert seen["recent-0"] == later + 20 and len(seen) == 10


def test_devices_seen_within_the_minute_are_all_kept():
    seen: dict[str, float] = {}
    for n in range(SEEN_KEPT + 5):
        remember_seen(seen, f"d{n}", 100.0 + n * 0.001)
    assert len(seen) == SEEN_KEPT + 5
