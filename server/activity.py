"""Device activity: when each device was last used (the devices list shows it), recorded at most once a minute.

The one owner of that memory: the `session` dependency reports each use, and the routes that revoke a device or
erase an account tell it to forget them.
"""

from __future__ import annotations

from .clock import Clock
from .store.contract import Device, Store

SEEN_EVERY_SECONDS = 60.0
"""Record a device's last use at most this often: a write per request would cost every sync a commit."""
SEEN_KEPT = 10_000
"""When the devices remembered reach this many, those not seen for SEEN_EVERY_SECONDS are forgotten (they
throttle nothing any more): one entry per device used in the last minute, not per device ever used."""


class DeviceActivity:
    """Each device's last recorded use: written to the store when a device is used a minute or more after the
    last time it was recorded (measured on the app's clock)."""

    def __init__(self, store: Store, clock: Clock):
        self._store = store
        self._clock = clock
        self._recorded: dict[str, tuple[float, str]] = {}
        """Device id -> (when, monotonic, its use was last recorded; its account id)."""

    async def used(self, device: Device) -> None:
        """A request from `device`: record when, unless that was done less than a minute ago."""
        now = self._clock.monotonic()
        if self.due(device.id, device.account_id, now):
            await self._store.mark_seen(device.id, self._clock.now())

    def due(self, device_id: str, account_id: str, now: float) -> bool:
        """Whether a use at `now` (monotonic) is to be recorded; if so, remembered as recorded."""
        recorded = self._recorded.get(device_id)
        if recorded is not None and now - recorded[0] < SEEN_EVERY_SECONDS:
            return False
        if len(self._recorded) >= SEEN_KEPT and recorded is None:
            stale = [d for d, (at, _) in self._recorded.items() if now - at >= SEEN_EVERY_SECONDS]
            for device in stale:
                del self._recorded[device]
        self._recorded[device_id] = (now, account_id)
        return True

    def forget(self, device_id: str) -> None:
        """A device revoked: its token no longer works."""
        self._recorded.pop(device_id, None)

    def forget_account(self, account_id: str) -> None:
        """An account erased, or all its devices but one revoked: every device of it (but those still in use are
        recorded again on their next request)."""
        for device_id in [d for d, (_, account) in self._recorded.items() if account == account_id]:
            del self._recorded[device_id]

    def __len__(self) -> int:
        return len(self._recorded)

    def __contains__(self, device_id: object) -> bool:
        return device_id in self._recorded
