"""The PWA in a real browser (Debian's Chromium through Playwright) against a real `merci serve`: sign up,
log meetings online and with the server process stopped, two devices converging, log out, and
axe-core plus a screenshot on every screen in French and English."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, PASSWORD, MerciServer, axe_violations, bearer, sign_up, whole_log

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
ZONE = "Europe/Paris"
PHONE = {"width": 390, "height": 844}
SYNC_TIMEOUT_MS = 40_000


# --- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with MerciServer(tmp_path_factory.mktemp("pwa") / "data") as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Device:
    """One browser context: a phone with its own storage, in Paris, at the reference size."""

    def __init__(self, browser, server: MerciServer, lang: str = "en", dark: bool = False, axe: bool = False,
                 pinned: bool | dt.datetime = True):
        self.server = server
        self.context = browser.new_context(
            viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="fr-FR" if lang == "fr" else "en-GB",
            timezone_id=ZONE, color_scheme="dark" if dark else "light", service_workers="allow",
        )
        if pinned:  # the page's clock starts at NOW (or the instant given), as the server's does (Playwright fakes
            self.context.clock.install(time=NOW if pinned is True else pinned)  # its Date and timers)
        if axe:  # injected by the DevTools protocol, which the page's CSP does not govern
            self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self, path: str = "/") -> None:
        self.page.goto(self.server.url + path)
        self.page.wait_for_selector("html[data-ready]")

    def sign_up(self, email: str) -> None:
        self.open()
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.locator("form button[type=submit]").click()
        self.page.wait_for_selector("#nav:not([hidden])")
        self.wait_synced()

    def log_in(self, email: str, lang: str = "en") -> None:
        self.open()
        self.page.locator(".segmented button").nth(1).click()
        self.page.get_by_label("E-mail" if lang == "fr" else "Email").fill(email)
        self.page.get_by_label("Mot de passe" if lang == "fr" else "Password").fill(PASSWORD)
        self.page.locator("form button[type=submit]").click()
        self.page.wait_for_selector("#nav:not([hidden])")
        self.wait_synced()

    def go(self, route: str) -> None:
        self.page.evaluate("(hash) => { location.hash = hash; }", route)
        self.page.wait_for_function("(hash) => location.hash === hash", arg=route)
        self.page.wait_for_selector("main h1")

    def log_meeting(self, name: str, *, new: bool = True, referral: str | None = None) -> None:
        self.go("#/log")
        page = self.page
        page.locator("input[placeholder]").fill(name)
        page.keyboard.press("Enter")
        if referral:
            page.locator("fieldset").filter(has=page.locator("legend", has_text="Names they gave me")).locator("button").click()
            page.get_by_label("Name received").fill(referral)
        page.locator("form.log button[type=submit]").click()
        page.wait_for_function("() => location.hash === '#/today'")

    def wait_synced(self) -> None:
        """Until the log is synced and the app has every module a save needs (html[data-loaded], fetched just after
        the first screen is drawn): a test may go offline next."""
        self.page.wait_for_function(
            "() => { const s = document.getElementById('sync-status');"
            " return s && s.dataset.phase === 'synced' && s.dataset.pending === '0'"
            " && document.documentElement.dataset.loaded === 'true'; }",
            timeout=SYNC_TIMEOUT_MS,
        )

    def session(self) -> dict:
        return self.page.evaluate("async () => (await import('/lib/db.js')).getMeta('session')")

    def local_ids(self) -> set[str]:
        return set(self.page.evaluate("async () => (await (await import('/lib/db.js')).allEvents()).map(e => e.id)"))

    def outbox(self) -> list[dict]:
        return self.page.evaluate("async () => (await import('/lib/db.js')).outboxBatch(1000)")

    def projection(self) -> dict:
        return self.page.evaluate("async () => { const m = await import('/ui/model.js'); await m.load(); return (await m.prepare()).doc; }")

    def axe(self) -> list[dict]:
        return axe_violations(self.page, serious_only=True)

    def close(self) -> None:
        self.context.close()


def device_maker(browser, server, **defaults):
    """A fixture's body: `make(**options)` opens a Device of `server`; at the end every device is closed, and the
    errors their pages met fail the test."""
    made: list[Device] = []

    def make(**options) -> Device:
        device = Device(browser, server, **{**defaults, **options})
        made.append(device)
        return device

    yield make
    problems = [p for d in made for p in d.problems]
    for device in made:
        device.close()
    assert not problems, problems


@pytest.fixture
def devices(browser, server):
    yield from device_maker(browser, server)


def eventually(page, script: str, arg=None, timeout_ms: int = 15_000):
    """Evaluate `script` (awaited, unlike `wait_for_function`, which takes a Promise for a truthy answer) until
    it answers something truthy; that answer, or an AssertionError."""
    for _ in range(timeout_ms // 100):
        answer = page.evaluate(script, arg)
        if answer:
            return answer
        page.wait_for_timeout(100)
    raise AssertionError(f"never true within {timeout_ms} ms: {script}")


def email() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.org"


def server_ids(server: MerciServer, token: str) -> set[str]:
    return {e["id"] for e in whole_log(server.url, token)}


# --- seed log for the screens ---------------------------------------------------------------------------


def seeded_account(server: MerciServer, lang: str) -> tuple[str, str]:
    """An account with a little history: an overdue thank-you, a report due, someone who owes a thank-you,
    a follow-up done on time."""
    address = email()
    token = sign_up(server.url, address, timezone=ZONE, language=lang)["token"]
    now = NOW.astimezone(ZoneInfo(ZONE))

    def at(days_ago: int, hour: int = 10) -> str:
        return (now - dt.timedelta(days=days_ago)).replace(hour=hour, minute=30, second=0, microsecond=0).isoformat()

    def event(type_: str, when: str, **data) -> dict:
        return {"id": str(uuid.uuid4()), "type": type_, "v": 1, "at": when, "data": data}

    events = [
        event("contact_added", at(12), contact="c-herve", name="Hervé Martin", email="herve@example.org", org="Atelier Martin"),
        event("contact_added", at(12), contact="c-anne", name="Anne Leroy", org="Lumen"),
        event("contact_added", at(12), contact="c-paul", name="Paul Lemaire"),
        event("contact_added", at(12), contact="c-sophie", name="Sophie Bernard", email="sophie@example.org"),
        event("meeting_logged", at(10), meeting="m-sophie", contacts=["c-sophie"], kind="coffee", place="Café de la Paix"),
        event("thanks_sent", at(9), contact="c-sophie", meeting="m-sophie", channel="email"),
        event("meeting_logged", at(3), meeting="m-herve", contacts=["c-herve"], place="Atelier Martin"),
        event("referral_given", at(3), referral="r-paul", introducer="c-herve", referred="c-paul", meeting="m-herve"),
        event("meeting_logged", at(1), meeting="m-paul", contacts=["c-paul"], kind="video"),
        event("meeting_logged", at(1, 15), meeting="m-anne", contacts=["c-anne"], host="me"),
    ]
    answer = httpx.post(f"{server.url}/api/import", content="".join(json.dumps(e) + "\n" for e in events),
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(events), answer.text
    return address, token


# --- tests --------------------------------------------------------------------------------------------


def test_a_meeting_logged_online_reaches_the_server(devices, server):
    phone = devices()
    phone.sign_up(email())
    phone.log_meeting("Hervé Martin")
    phone.wait_synced()

    token = phone.session()["token"]
    log = whole_log(server.url, token)
    added = [e for e in log if e["type"] == "contact_added"]
    meetings = [e for e in log if e["type"] == "meeting_logged"]
    assert [e["data"]["name"] for e in added] == ["Hervé Martin"]
    assert [m["data"]["contacts"] for m in meetings] == [[added[0]["data"]["contact"]]]
    assert {e["id"] for e in log} == phone.local_ids()
    expect(phone.page.locator("#sync-status")).to_have_text("All synced")


def test_offline_with_the_server_stopped_the_app_works_and_syncs_by_itself_when_it_is_back(devices, server):
    phone = devices()
    phone.sign_up(email())
    phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    token = phone.session()["token"]
    before = server_ids(server, token)

    server.stop()
    try:
        response = phone.page.reload()
        phone.page.wait_for_selector("html[data-ready]")
        assert response.from_service_worker, "the reload did not come from the service worker"
        assert phone.page.locator("main h1").inner_text() == "Today"

        phone.log_meeting("Claire Dubois", referral="Paul Lemaire")
        row = phone.page.locator("li.row", has_text="Thank Claire Dubois")
        expect(row.locator(".when")).to_have_text("Due tomorrow")
        waiting = phone.outbox()
        assert sorted(e["type"] for e in waiting) == ["contact_added", "contact_added", "meeting_logged", "referral_given"]
        status = phone.page.locator("#sync-status")
        expect(status).to_have_text("Offline · changes waiting")  # a count of events would say 4 for one meeting
    finally:
        server.start()

    phone.wait_synced()  # no click, no reload: the app retries on its own
    after = server_ids(server, token)
    assert after - before == {e["id"] for e in waiting}
    assert after == phone.local_ids()
    assert phone.outbox() == []


def test_a_second_device_sees_the_same_and_offline_edits_on_both_converge(devices, server):
    address, token = seeded_account(server, "en")
    first, second = devices(), devices()
    first.log_in(address)
    second.log_in(address)
    assert first.projection() == second.projection()
    overdue = "thank:m-herve:c-herve"
    assert {o["id"]: o["status"] for o in first.projection()["obligations"]}[overdue] == "overdue"

    first.context.set_offline(True)
    second.context.set_offline(True)
    card = first.page.locator(f'li[data-obligation="{overdue}"]')
    card.get_by_role("button", name="Done", exact=True).click()
    first.log_meeting("Anne Leroy", new=False)
    card = second.page.locator(f'li[data-obligation="{overdue}"]')
    card.locator("button[aria-expanded]").click()  # More
    card.get_by_role("button", name="Remind me tomorrow").click()
    second.log_meeting("Julien Petit")
    assert first.projection() != second.projection()

    first.context.set_offline(False)
    second.context.set_offline(False)
    expected = set()
    for _ in range(3):  # whoever synced first pulls the other's edits on its next round
        for device in (first, second):
            device.page.locator("#sync-status").click()
            device.wait_synced()
        expected = server_ids(server, token)
        if all(device.local_ids() == expected and not device.outbox() for device in (first, second)):
            break
    assert first.local_ids() == second.local_ids() == expected

    mine, theirs = first.projection(), second.projection()
    assert mine == theirs
    statuses = {o["id"]: (o["status"], o["grade"]) for o in mine["obligations"]}
    assert statuses[overdue] == ("done", "late")
    audit = httpx.get(f"{server.url}/api/audit", params={"as_of": mine["as_of"]}, headers=bearer(token), timeout=10).json()
    assert audit == mine, "the server's Python engine and the phones' JavaScript engine disagree"


def test_going_elsewhere_while_the_first_sync_runs_is_not_undone_when_it_ends(devices, server):
    phone = devices()
    held = []
    phone.page.route("**/api/sync", lambda route: held.append(route) if not held else route.continue_())
    phone.open()
    phone.page.get_by_label("Email").fill(email())
    phone.page.get_by_label("Password").fill(PASSWORD)
    phone.page.locator("form button[type=submit]").click()
    for _ in range(200):  # the first sync after signing up is on its way, and held
        if held:
            break
        phone.page.wait_for_timeout(25)
    assert held, "the app never synced after signing up"
    phone.page.evaluate("() => { location.hash = '#/settings'; }")
    held[0].continue_()
    phone.wait_synced()
    phone.page.wait_for_timeout(300)
    assert phone.page.evaluate("() => location.hash") == "#/settings"
    expect(phone.page.locator("main h1")).to_have_text("Settings")


def test_logging_out_leaves_nothing_on_the_device(devices, server):
    phone = devices()
    phone.sign_up(email())
    phone.log_meeting("Hervé Martin")
    phone.wait_synced()
    phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert phone.page.evaluate("async () => (await caches.keys()).length") > 0

    phone.go("#/settings")
    phone.page.get_by_role("button", name="Log out").click()
    phone.page.locator(".more").get_by_role("button", name="Log out").click()
    phone.page.wait_for_selector("#nav[hidden]", state="attached")

    assert phone.page.evaluate("async () => (await indexedDB.databases()).map(d => d.name)") == []
    assert phone.page.evaluate("async () => await caches.keys()") == []
    assert phone.page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    assert "Nothing of yours is left on this device" in phone.page.locator("main").inner_text()


def test_a_new_version_waits_until_the_person_reloads(browser, tmp_path):
    app = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", app)
    with MerciServer(tmp_path / "data", env={"MERCI_PWA_DIR": str(app)}) as own:
        phone = Device(browser, own)
        try:
            phone.sign_up(email())
            page = phone.page
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            old = page.evaluate("() => caches.keys()")
            styles = app / "styles.css"  # one file changed, VERSION not bumped: the server versions by content
            styles.write_text(styles.read_text() + "\n/* the next version */\n")
            page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
            banner = page.locator("#update")
            expect(banner).to_be_visible()
            expect(banner).to_contain_text("A new version of Merci is ready.")
            assert page.evaluate("() => navigator.serviceWorker.controller.state") == "activated"  # still the old one
            page.evaluate("() => { window.beforeReload = true; }")
            banner.get_by_role("button", name="Reload").click()
            page.wait_for_function("() => window.beforeReload === undefined")  # reloaded
            page.wait_for_selector("html[data-ready]")
            eventually(page, "async (old) => { const keys = await caches.keys(); return keys.length === 1 && keys[0] !== old; }",
                       old[0])  # the new version's cache alone: the old one is gone
            assert len(old) == 1
            assert "the next version" in page.evaluate(
                "async () => (await (await caches.open((await caches.keys())[0])).match('/styles.css')).text()")
            expect(page.locator("#update")).to_be_hidden()
            expect(page.locator("main h1")).to_have_text("Today")
        finally:
            phone.close()
        assert not phone.problems, phone.problems


def test_background_sync_sends_the_outbox_with_the_app_closed(browser, server):
    phone = Device(browser, server)
    try:
        phone.sign_up(email())
        phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        token = phone.session()["token"]
        phone.context.set_offline(True)
        phone.log_meeting("Hervé Martin")
        waiting = {e["id"] for e in phone.outbox()}
        assert len(waiting) == 2
        phone.page.close()  # the app is closed; only the service worker is left
        phone.context.set_offline(False)

        blank = phone.context.new_page()
        dispatch_background_sync(phone.context, blank, server)
        deadline = 100
        while not waiting <= server_ids(server, token) and deadline:
            blank.wait_for_timeout(100)
            deadline -= 1
        assert waiting <= server_ids(server, token)
    finally:
        phone.close()
    assert not phone.problems, phone.problems


def dispatch_background_sync(context, page, server: MerciServer) -> None:
    """What the browser does once the network is back: a `sync` event for the outbox's tag, to the worker."""
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    registration = next(r for r in registrations if r["scopeURL"].startswith(server.url))
    cdp.send("ServiceWorker.dispatchSyncEvent", {
        "origin": server.url, "registrationId": registration["registrationId"], "tag": "merci-outbox", "lastChance": False,
    })


def test_with_the_app_open_background_sync_is_the_workers_own_round_and_the_app_shows_what_it_pulled(devices, server):
    address, token = seeded_account(server, "en")
    phone = devices()
    phone.log_in(address)
    phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # Only the worker syncs now: the page's timer and its live stream (which would tell it of the other device's
    # event and make it sync at once) are stopped.
    phone.page.evaluate("""async () => {
      (await import('/lib/sync.js')).stopAutoSync();
      (await import('/lib/live.js')).stopLive();
    }""")
    other = httpx.post(f"{server.url}/api/sync", headers=bearer(token), timeout=10, json={"cursor": 0, "events": [{
        "id": str(uuid.uuid4()), "type": "contact_added", "v": 1, "at": "2026-05-12T10:30:00+02:00",
        "data": {"contact": "c-bg", "name": "Béa Background"}}]})
    assert other.status_code == 200
    senders: list[bool] = []
    phone.context.on("request", lambda r: senders.append(r.service_worker is not None) if "/api/sync" in r.url else None)

    dispatch_background_sync(phone.context, phone.page, server)
    phone.go("#/contacts")
    expect(phone.page.locator("main")).to_contain_text("Béa Background")  # pulled by the worker, shown by the page
    assert senders and all(senders), "the page was asked to sync instead of the worker"
    assert not phone.problems, phone.problems


def test_a_device_revoked_from_another_keeps_its_unsent_events_until_it_logs_in_again(devices, server):
    address, token = seeded_account(server, "en")
    kept, lost = devices(), devices()
    kept.log_in(address)
    lost.log_in(address)
    lost.context.set_offline(True)
    lost.log_meeting("Julien Petit")
    unsent = {e["id"] for e in lost.outbox()}

    kept.go("#/settings")
    kept.page.get_by_role("button", name="Sign out Chromium").first.click()  # the other device (not this one)
    expect(kept.page.locator(".devices li")).to_have_count(2)  # the first (API) device and this one

    lost.context.set_offline(False)  # back online, it syncs by itself and learns it was signed out
    expect(lost.page.locator("main")).to_contain_text("This device was signed out")
    assert {e["id"] for e in lost.outbox()} == unsent
    lost.log_in(address)
    assert unsent <= server_ids(server, token)


LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
  setTimeout(() => resolve(total), 300);
})"""


def test_the_app_is_installable_and_does_not_shift_as_it_loads(devices, server):
    address, _ = seeded_account(server, "en")
    phone = devices()
    phone.log_in(address)
    phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = phone.context.new_cdp_session(phone.page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e for e in errors if e["errorId"] != "in-incognito"] == []  # every Playwright context is incognito
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest["errors"], manifest["errors"]
    phone.page.reload()
    phone.page.wait_for_selector("html[data-ready]")
    assert phone.page.evaluate(LAYOUT_SHIFT) < 0.01


SCREENS = [
    ("today", "#/today"), ("log", "#/log"), ("contacts", "#/contacts"), ("contact", "#/contacts/c-herve"),
    ("audit", "#/audit"), ("settings", "#/settings"),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_screen_is_accessible_and_photographed(devices, server, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, _ = seeded_account(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.open()
    found = {"auth": phone.axe()}
    phone.page.screenshot(path=str(SHOTS / f"{lang}-auth.png"))
    phone.log_in(address, lang)
    assert phone.page.locator("html").get_attribute("lang") == lang
    for name, route in SCREENS:
        phone.go(route)
        phone.page.wait_for_timeout(150)  # toasts and devices list settle
        found[name] = phone.axe()
        phone.page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"))
        if name in ("today", "contact", "log"):
            phone.page.screenshot(path=str(SHOTS / f"{lang}-{name}-full.png"), full_page=True)

    phone.go("#/today")
    draft = phone.page.locator('li[data-obligation="thank:m-herve:c-herve"] a[href^="mailto:"]')
    href = draft.get_attribute("href")
    assert href.startswith("mailto:herve@example.org?subject=")
    subject = "Merci%20pour%20notre%20rencontre%20du%20" if lang == "fr" else "Thank%20you%20for%20our%20meeting%20on%20"
    greeting = "Bonjour%20Herv%C3%A9%20Martin" if lang == "fr" else "Dear%20Herv%C3%A9%20Martin"
    assert subject in href and greeting in href

    if lang == "en":
        card = phone.page.locator('li[data-obligation="thank:m-paul:c-paul"]')
        card.locator("button[aria-expanded]").click()  # More
        card.get_by_role("button", name="Dismiss").click()
        expect(card).to_have_count(0)
        phone.wait_synced()
        dismissed = [e for e in phone.page.evaluate("async () => (await import('/lib/db.js')).allEvents()")
                     if e["type"] == "obligation_dismissed"]
        assert [e["data"] for e in dismissed] == [{"obligation": "thank:m-paul:c-paul"}]

        dark = devices(lang=lang, dark=True, axe=True)
        dark.log_in(address, lang)
        for name, route in [("today", "#/today"), ("contact", "#/contacts/c-herve"), ("log", "#/log")]:
            dark.go(route)
            found[f"dark-{name}"] = dark.axe()
            dark.page.screenshot(path=str(SHOTS / f"{lang}-dark-{name}.png"))
    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)
