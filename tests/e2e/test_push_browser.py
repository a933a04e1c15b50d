"""Reminders in a real browser (Debian's Chromium through Playwright) against a real `merci serve` and the
local push service: the Settings switch and test notification end to end, the real service worker showing
a digest pushed through the DevTools protocol, and "Done" from the notification recorded with the server
stopped and synced when it is back. (`pushManager.subscribe` cannot reach a real push service here: the
page is given a subscription made by the test's push service instead.)"""

from __future__ import annotations

import json
import time
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest
from playwright.sync_api import expect

from events import decode_event, project
from server.push.digest import build_digest

from ..integration.push_receiver import PushReceiver
from .server import NOW, MerciServer, bearer, whole_log
from .test_pwa_browser import CHROMIUM, ZONE, Device, browser, email, seeded_account  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]
SUBJECT = "mailto:ops@merci.example"
NOTIFICATIONS = """async () => (await self.registration.getNotifications()).map(n => ({
  title: n.title, body: n.body, tag: n.tag, actions: n.actions.map(a => a.action), data: n.data }))"""
LATEST_SHOWN = "async () => Math.max(0, ...(await self.registration.getNotifications()).map(n => n.timestamp))"
PIN_THE_WORKERS_CLOCK = """(start) => {
  if (self.Date.pinned) return;
  const Real = self.Date;
  const shift = start - Real.now();
  class Pinned extends Real {
    constructor(...args) { if (args.length) super(...args); else super(Real.now() + shift); }
    static now() { return Real.now() + shift; }
  }
  Pinned.pinned = true;
  self.Date = Pinned;
}"""
"""Playwright's clock reaches pages, not service workers: the worker's Date starts at NOW too (it dates the
"Done" and "Snooze" it records, which the server, on NOW's clock, would refuse from the machine's December)."""


@pytest.fixture(scope="module")
def receiver():
    with PushReceiver(subject=SUBJECT) as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory, receiver):
    env = {"MERCI_PUSH_ALLOW_LOCAL": "1", "MERCI_VAPID_SUBJECT": SUBJECT, "MERCI_PUSH_SCHEDULER": "0"}
    with MerciServer(tmp_path_factory.mktemp("push") / "data", env=env) as running:
        receiver.vapid_public_key = httpx.get(f"{running.url}/api/push/key", timeout=5).json()["public_key"]
        yield running


def fake_push_manager(subscription: dict) -> str:
    """Chromium's pushManager, answering with the test push service's subscription."""
    return """(() => {
  const json = %s;
  const held = () => ({ endpoint: json.endpoint, options: {}, toJSON: () => json,
    unsubscribe: async () => { localStorage.removeItem('fake-push'); return true; } });
  PushManager.prototype.subscribe = async function () { localStorage.setItem('fake-push', '1'); return held(); };
  PushManager.prototype.getSubscription = async function () { return localStorage.getItem('fake-push') ? held() : null; };
})();""" % json.dumps(subscription)


class Phone(Device):
    """A Device allowed to show notifications, with its service worker at hand."""

    def __init__(self, browser, server: MerciServer, init_script: str | None = None):
        super().__init__(browser, server)
        self._cdp = None
        self._registrations: list[dict] = []
        self.context.grant_permissions(["notifications"], origin=server.url)
        if init_script:
            self.context.add_init_script(init_script)

    @property
    def worker(self):
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        worker = self.context.service_workers[0]
        worker.evaluate(PIN_THE_WORKERS_CLOCK, NOW.timestamp() * 1000)
        return worker

    def deliver_push(self, payload: bytes) -> None:
        """A push message to the real service worker, through the DevTools protocol.

        Only once the worker is active and controls the page: a message for a registration whose worker is
        still installing (precaching the shell, slow on a busy machine) is dropped without a word. And the
        DevTools session stays attached until the phone is closed: detached right after
        `deliverPushMessage`, Chromium sometimes dropped the message before the worker handled it."""
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        if self._cdp is None:
            self._cdp = self.context.new_cdp_session(self.page)
            self._cdp.on("ServiceWorker.workerRegistrationUpdated",
                         lambda event: self._registrations.extend(event["registrations"]))
            self._cdp.send("ServiceWorker.enable")
        for _ in range(50):
            found = [r for r in self._registrations
                     if r["scopeURL"].startswith(self.server.url) and not r.get("isDeleted")]
            if found:
                break
            self.page.wait_for_timeout(20)
        before = self.worker.evaluate(LATEST_SHOWN)
        for _ in range(3):
            self._cdp.send("ServiceWorker.deliverPushMessage", {
                "origin": self.server.url, "registrationId": found[-1]["registrationId"], "data": payload.decode(),
            })
            for _ in range(40):
                if self.worker.evaluate(LATEST_SHOWN) > before:
                    return
                self.page.wait_for_timeout(50)
        raise AssertionError("three push messages delivered through DevTools, and the worker showed no notification")

    def close(self) -> None:
        if self._cdp is not None:
            self._cdp.detach()
            self._cdp = None
        super().close()

    def notifications(self) -> list[dict]:
        """The notifications shown now (`deliver_push` returns once the worker has shown its message)."""
        return self.worker.evaluate(NOTIFICATIONS)


def reaches_the_server(server: MerciServer, token: str, event_id: str, timeout: float = 40) -> dict:
    """The event as the server stored it, once the app has sent it by itself (no click, no reload)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stored = {e["id"]: e for e in whole_log(server.url, token)}
        if event_id in stored:
            return stored[event_id]
        time.sleep(0.2)
    raise AssertionError(f"{event_id} did not reach the server within {timeout} s")


def todays_digest(server: MerciServer, token: str):
    """The digest the server's scheduler would send now, from the account's log."""
    events = [decode_event(msgspec.json.encode(e)) for e in whole_log(server.url, token)]
    return build_digest(project(events, NOW.astimezone(ZoneInfo(ZONE)).date()), "en")


def test_turning_reminders_on_sends_the_subscription_and_a_test_notification_reaches_the_phone(browser, server, receiver):
    sub = receiver.subscribe()
    phone = Phone(browser, server, fake_push_manager(sub.to_json()))
    try:
        phone.sign_up(email())
        phone.go("#/settings")
        switch = phone.page.get_by_role("switch", name="Daily reminders on this device")
        expect(switch).not_to_be_checked()
        switch.click()
        expect(phone.page.get_by_text("Reminders are on for this device.")).to_be_visible()
        expect(switch).to_be_checked()
        expect(phone.page.locator(".delivery-log")).to_contain_text("Nothing sent yet")

        phone.page.get_by_role("button", name="Send me a test notification").click()
        expect(phone.page.locator("#toast")).to_contain_text("Test notification sent")
        expect(phone.page.locator(".delivery-log")).to_contain_text("Last sent")
        (got,) = receiver.messages(sub)
        assert got.message["kind"] == "test" and got.claims["aud"] == receiver.origin
        assert not receiver.problems

        phone.deliver_push(got.payload)  # what the push service got, decrypted, handed to the real worker
        (shown,) = phone.notifications()
        assert shown["tag"] == "merci-test" and shown["body"].startswith("Reminders work on this device")

        token = phone.session()["token"]
        forgotten = httpx.request("DELETE", f"{server.url}/api/push/subscriptions", json={"endpoint": sub.endpoint},
                                  headers=bearer(token), timeout=5)
        assert forgotten.status_code == 204  # the server lost it (a restore, say)...
        phone.page.reload()  # ...and the next start sends it again
        phone.page.wait_for_selector("html[data-ready]")
        for _ in range(100):
            listed = httpx.get(f"{server.url}/api/push/subscriptions", headers=bearer(token), timeout=5).json()
            if listed["subscriptions"]:
                break
            phone.page.wait_for_timeout(50)
        assert [s["current"] for s in listed["subscriptions"]] == [True]

        phone.go("#/settings")
        phone.page.get_by_role("switch", name="Daily reminders on this device").click()
        expect(phone.page.get_by_text("Reminders are off for this device.")).to_be_visible()
        listed = httpx.get(f"{server.url}/api/push/subscriptions", headers=bearer(token), timeout=5).json()
        assert listed == {"subscriptions": []}
    finally:
        phone.close()
    assert not phone.problems, phone.problems


def test_the_digest_is_shown_and_done_from_it_is_recorded_offline_then_synced(browser, server):
    address, token = seeded_account(server, "en")
    phone = Phone(browser, server)
    try:
        phone.log_in(address)
        digest = todays_digest(server, token)
        assert digest.text == ("3 follow-ups today: thank Hervé Martin, tell Hervé Martin how it went with "
                               "Paul Lemaire, thank Paul Lemaire")
        phone.deliver_push(digest.payload)
        (shown,) = phone.notifications()
        assert (shown["title"], shown["body"], shown["tag"]) == ("Merci", digest.text, "merci-digest")
        assert shown["actions"] == ["done", "snooze"]
        phone.deliver_push(digest.payload)  # a retried digest replaces the one shown
        assert len(phone.notifications()) == 1

        card = phone.page.locator('li[data-obligation="thank:m-herve:c-herve"]')
        expect(card).to_be_visible()
        server.stop()
        try:
            recorded = phone.worker.evaluate("""async () => {
                const [n] = await self.registration.getNotifications({ tag: 'merci-digest' });
                return handleNotificationClick(n, 'done');
            }""")
            assert recorded["type"] == "thanks_sent"
            assert recorded["data"] == {"contact": "c-herve", "meeting": "m-herve", "channel": "email"}
            assert recorded["id"] in {e["id"] for e in phone.outbox()}
            assert phone.worker.evaluate(NOTIFICATIONS) == []
            expect(card).to_have_count(0)  # the open app heard of it and shows it done, offline
        finally:
            server.start()
        stored = reaches_the_server(server, token, recorded["id"])  # the app retries by itself once it is back
        assert stored["data"] == recorded["data"]
        audit = httpx.get(f"{server.url}/api/audit", headers=bearer(token), timeout=10).json()
        assert {o["id"]: o["status"] for o in audit["obligations"]}["thank:m-herve:c-herve"] == "done"
    finally:
        phone.close()
    assert not phone.problems, phone.problems


def test_snooze_a_day_from_the_notification_and_a_tap_opens_today(browser, server):
    address, token = seeded_account(server, "en")
    phone = Phone(browser, server)
    try:
        phone.log_in(address)
        phone.go("#/contacts")
        phone.deliver_push(todays_digest(server, token).payload)
        phone.notifications()
        snoozed = phone.worker.evaluate("""async () => {
            const [n] = await self.registration.getNotifications({ tag: 'merci-digest' });
            return handleNotificationClick(n, 'snooze');
        }""")
        assert (snoozed["type"], snoozed["data"]) == ("obligation_snoozed", {"obligation": "thank:m-herve:c-herve",
                                                                              "until": "2026-11-19"})  # NOW + 1 day
        assert reaches_the_server(server, token, snoozed["id"])["data"] == snoozed["data"]

        phone.deliver_push(todays_digest(server, token).payload)
        phone.notifications()
        phone.worker.evaluate("""async () => {
            const [n] = await self.registration.getNotifications({ tag: 'merci-digest' });
            return handleNotificationClick(n, '');
        }""")
        phone.page.wait_for_function("() => location.hash === '#/today'")
        expect(phone.page.locator("main h1")).to_have_text("Today")
    finally:
        phone.close()
    assert not phone.problems, phone.problems


def test_on_an_iphone_outside_the_home_screen_settings_explain_what_reminders_need(browser, server):
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Mobile/15E148 Safari/604.1")
    phone = Device(browser, server)
    phone.context.close()
    phone.context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=iphone, locale="en-GB",
                                        timezone_id=ZONE, service_workers="allow")
    phone.context.clock.install(time=NOW)
    phone.context.add_init_script("delete window.PushManager;")  # Safari has none outside the Home Screen
    phone.page = phone.context.new_page()
    phone.problems = []
    try:
        phone.sign_up(email())
        phone.go("#/settings")
        expect(phone.page.locator(".reminders")).to_contain_text("add to home screen", ignore_case=True)
        expect(phone.page.locator(".reminders")).to_contain_text("iOS 16.4")
        expect(phone.page.get_by_role("switch")).to_have_count(0)
    finally:
        phone.close()
