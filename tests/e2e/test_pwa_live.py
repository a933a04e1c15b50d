"""Live sync in the PWA (Debian's Chromium, a real `merci serve`): two devices of one account, a meeting saved
on one shows on the other without anyone touching it; with the live stream blocked it still comes, on the
timed round; after a server restart the app follows the stream again by itself.

The timed round is a minute by default: within the few seconds these tests wait, only the live stream can
have brought the meeting (the latency itself is measured by bench/live.py, not asserted here)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from .server import MerciServer, bearer, sign_in
from .test_pwa_browser import CHROMIUM, browser, devices, email, server  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]
SHOWN_WITHIN_MS = 5_000
"""Far less than the timed round's minute: a generous wait on a loaded machine, not a latency target."""


def live_on(device) -> None:
    device.page.wait_for_selector("html[data-live=on]", state="attached", timeout=20_000)


def test_a_meeting_saved_on_one_device_shows_on_the_other_without_any_action(devices, server):
    address = email()
    phone, laptop = devices(), devices()
    phone.sign_up(address)
    laptop.log_in(address)
    laptop.go("#/contacts")
    live_on(laptop)
    expect(laptop.page.locator("main")).not_to_contain_text("Zoé Martin")

    phone.log_meeting("Zoé Martin")

    expect(laptop.page.locator("main")).to_contain_text("Zoé Martin", timeout=SHOWN_WITHIN_MS)
    phone.log_meeting("Hervé Martin")
    expect(laptop.page.locator("main")).to_contain_text("Hervé Martin", timeout=SHOWN_WITHIN_MS)


def test_with_the_live_stream_blocked_a_meeting_still_comes_on_the_timed_round(devices, server):
    address = email()
    phone, laptop = devices(), devices()
    blocked: list[str] = []

    def refuse(route) -> None:
        blocked.append(route.request.url)
        route.abort()

    laptop.context.add_init_script("localStorage.setItem('merci.sync_period_ms', '2000')")
    laptop.page.route("**/api/live", refuse)
    phone.sign_up(address)
    laptop.log_in(address)
    laptop.go("#/contacts")

    phone.log_meeting("Zoé Martin")

    expect(laptop.page.locator("main")).to_contain_text("Zoé Martin", timeout=15_000)
    assert blocked, "the app tried the live stream"
    assert laptop.page.evaluate("document.documentElement.dataset.live") == "off"


def test_after_a_server_restart_the_app_follows_the_stream_again_by_itself(devices, tmp_path):
    with MerciServer(tmp_path / "own") as own:
        address = email()
        laptop = devices()
        laptop.server = own
        laptop.sign_up(address)
        laptop.go("#/contacts")
        live_on(laptop)

        own.stop()
        laptop.page.wait_for_selector("html[data-live=off]", state="attached", timeout=10_000)
        own.start()
        live_on(laptop)

        phone = sign_in(own.url, address, device_name="phone")
        contact = f"c-{uuid.uuid4().hex[:8]}"
        events = [
            {"id": str(uuid.uuid4()), "type": "contact_added", "v": 1, "at": "2026-11-17T10:00:00+01:00",
             "data": {"contact": contact, "name": "Zoé Martin"}},
            {"id": str(uuid.uuid4()), "type": "meeting_logged", "v": 1, "at": "2026-11-17T10:30:00+01:00",
             "data": {"meeting": f"m-{contact}", "contacts": [contact]}},
        ]
        answer = httpx.post(f"{own.url}/api/sync", json={"cursor": 0, "events": events}, headers=bearer(phone["token"]),
                            timeout=10)
        assert len(answer.json()["accepted"]) == 2
        expect(laptop.page.locator("main")).to_contain_text("Zoé Martin", timeout=SHOWN_WITHIN_MS)
