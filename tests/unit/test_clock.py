"""The server's one clock (server/clock.py) and the test-only setting that starts it at a given instant."""

from __future__ import annotations

import datetime as dt

import pytest

from server.clock import Clock, ManualClock
from server.settings import Settings, SettingsError

START = dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def test_a_clock_started_at_an_instant_runs_on_from_it_at_the_monotonic_pace():
    ticks = [100.0]
    clock = Clock(START, monotonic=lambda: ticks[0])
    assert clock.now() == START and clock.now().tzinfo is dt.UTC
    ticks[0] += 90.5
    assert clock.now() == START + dt.timedelta(seconds=90.5)
    assert clock.monotonic() == 190.5


def test_a_clock_with_no_start_reads_the_machine_in_utc():
    before = dt.datetime.now(dt.UTC)
    now = Clock().now()
    assert now.tzinfo is dt.UTC and before <= now <= dt.datetime.now(dt.UTC)


def test_a_manual_clock_moves_only_forward_and_when_told():
    clock = ManualClock(START)
    assert clock.advance(hours=1) == START + dt.timedelta(hours=1)
    assert clock.monotonic() == 3600
    with pytest.raises(ValueError, match="does not go back"):
        clock.set(START)


def test_the_clock_start_setting_needs_a_utc_offset():
    assert Settings.from_env({"MERCI_CLOCK_START": "2026-11-18T09:00:00+01:00"}).clock_start == dt.datetime(
        2026, 11, 18, 8, 0, tzinfo=dt.UTC)
    with pytest.raises(SettingsError, match="MERCI_CLOCK_START: 2026-11-18T09:00:00 has no UTC offset"):
        Settings.from_env({"MERCI_CLOCK_START": "2026-11-18T09:00:00"})
    with pytest.raises(SettingsError, match="MERCI_CLOCK_START"):
        Settings.from_env({"MERCI_CLOCK_START": "tomorrow"})
