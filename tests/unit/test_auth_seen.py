"""Device activity (server/activity.py): a device's use is written at most once a minute, the memory of when stays
bounded by the devices of the last minute, and revoked devices and erased accounts are forgotten."""

from __future__ import annotations

from server.activity import SEEN_EVERY_SECONDS, SEEN_KEPT, DeviceActivity


def activity() -> DeviceActivity:
    return DeviceActivity(store=None, clock=None)  # `due` and `forget` use neither: only `used` writes


def test_a_device_used_again_within_the_minute_is_not_recorded_again():
    seen = activity()
    assert seen.due("phone", "ana", 100.0)
    assert not seen.due("phone", "ana", 100.0 + SEEN_EVERY_SECONDS - 1)
    assert seen.due("phone", "ana", 100.0 + SEEN_EVERY_SECONDS)


def test_devices_not_seen_for_a_minute_are_forgotten_once_many_are_remembered():
    seen = activity()
    for n in range(SEEN_KEPT):
        seen.due(f"old-{n}", "ana", 0.0)
    later = SEEN_EVERY_SECONDS + 1
    for n in range(10):
        seen.due(f"recent-{n}", "ana", later + n)
    assert len(seen) == 10 and all(f"recent-{n}" in seen for n in range(10))  # the old ones throttled nothing
    assert seen.due("recent-0", "ana", later + SEEN_EVERY_SECONDS) and len(seen) == 10


def test_devices_seen_within_the_minute_are_all_kept():
    seen = activity()
    for n in range(SEEN_KEPT + 5):
        seen.due(f"d{n}", "ana", 100.0 + n * 0.001)
    assert len(seen) == SEEN_KEPT + 5


def test_a_revoked_device_and_an_erased_accounts_devices_are_forgotten():
    seen = activity()
    for device, account in [("phone", "ana"), ("laptop", "ana"), ("tablet", "bob")]:
        seen.due(device, account, 100.0)
    seen.forget("phone")
    assert "phone" not in seen and "laptop" in seen
    seen.forget_account("ana")
    assert "laptop" not in seen and "tablet" in seen
    assert seen.due("laptop", "ana", 101.0)  # used again at once after: recorded, not throttled by the old entry
