"""The rules engine in its worker, in a real browser: a year of history is replayed off the main thread (whose
scripts never include the engine) while the page keeps running, and crosses to the worker once (a save sends
only its events); a browser without module workers replays
it on the page, the same; a log the engine refuses says so on screen instead of leaving Today loading."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, MerciServer, bearer, sign_up
from .test_pwa_browser import CHROMIUM, ZONE, Device, browser, devices, email, seeded_account, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

ENGINE_SCRIPTS = ("/lib/engine.js", "/lib/rules/")
DECODER_SCRIPTS = ("/lib/rules/events.js", "/lib/rules/dates.js", "/lib/rules/zones.js")
"""The page loads the decoder (after its first screen) to check the events it records: not the engine."""

TICKS_WHILE_PROJECTING = """async (dates) => {
  const model = await import('/ui/model.js');
  await model.load();
  await model.prepare();
  const ticks = [];
  let going = true;
  const tick = () => { ticks.push(performance.timeOrigin + performance.now()); if (going) setTimeout(tick, 0); };
  setTimeout(tick, 0);
  await Promise.all(dates.map((asOf) => model.prepare(asOf)));  // dates not projected yet: whole replays
  going = false;
  return { ticks, runsIn: model.engineRunsIn() };
}"""
"""The page's own clock (absolute) at each turn it had while the engine replayed the log to a few dates."""

REPLAYS = """() => performance.getEntriesByType('measure').filter((m) => m.name === 'merci:engine:view')
  .map((m) => [performance.timeOrigin + m.startTime, performance.timeOrigin + m.startTime + m.duration])"""
"""When the worker replayed the log, on the same absolute clock."""


def a_year(server: MerciServer, meetings: int = 400) -> str:
    """An account with a year of meetings, thanks and referrals (about 900 events, as in bench/pwa_budget.py)."""
    address = email()
    token = sign_up(server.url, address, timezone=ZONE, language="en")["token"]
    start = NOW.astimezone(ZoneInfo(ZONE)) - dt.timedelta(days=365)
    events = []

    def event(type_: str, when: dt.datetime, **data) -> None:
        events.append({"id": str(uuid.uuid4()), "type": type_, "v": 1, "at": when.isoformat(timespec="seconds"),
                       "data": data})

    contacts = [f"c{n}" for n in range(meetings // 4)]
    for n, contact in enumerate(contacts):
        event("contact_added", start, contact=contact, name=f"Contact {n}")
    for n in range(meetings):
        when = start + dt.timedelta(hours=10 + n * 365 * 24 // meetings)
        contact = contacts[n % len(contacts)]
        event("meeting_logged", when, meeting=f"m{n}", contacts=[contact])
        if n % 5:
            event("thanks_sent", when + dt.timedelta(days=1), contact=contact, meeting=f"m{n}", channel="email")
        if n % 7 == 0:
            event("referral_given", when, referral=f"r{n}", introducer=contact,
                  referred=contacts[(n + 1) % len(contacts)], meeting=f"m{n}")
    answer = httpx.post(f"{server.url}/api/import", content="".join(json.dumps(e) + "\n" for e in events),
                        headers=bearer(token), timeout=60)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(events), answer.text
    return address


def main_thread_scripts(phone: Device) -> list[str]:
    """Reload, and every script the page's own thread parsed (a worker's scripts are its own target's)."""
    cdp = phone.context.new_cdp_session(phone.page)
    parsed: list[str] = []
    cdp.on("Debugger.scriptParsed", lambda event: parsed.append(event["url"]))
    cdp.send("Debugger.enable")
    phone.page.reload()
    phone.page.wait_for_selector("html[data-ready]")
    expect(phone.page.locator("li.card").first).to_be_visible()
    cdp.detach()
    return parsed


def test_a_year_of_history_is_replayed_in_the_worker_while_the_page_keeps_running(devices, server):
    address = a_year(server)
    # The page's clock stays the machine's: Playwright's would fake `performance` too, and the turns the page
    # had are compared with the worker's replays on one absolute clock. Nothing here depends on the date.
    phone = devices(pinned=False)
    phone.log_in(address)
    phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    scripts = main_thread_scripts(phone)
    assert any(url.endswith("/ui/today.js") for url in scripts)
    engine = [url for url in scripts if any(part in url for part in ENGINE_SCRIPTS) and not url.endswith(DECODER_SCRIPTS)]
    assert not engine, "the engine ran on the page"
    (worker,) = [w for w in phone.page.workers if w.url.endswith("/lib/engine-worker.js")]
    measured = worker.evaluate("() => performance.getEntriesByType('measure').map((m) => m.name)")
    assert "merci:engine:load" in measured and "merci:engine:view" in measured

    today = NOW.astimezone(ZoneInfo(ZONE)).date()
    dates = [(today - dt.timedelta(days=days)).isoformat() for days in (1, 2, 3)]
    found = phone.page.evaluate(TICKS_WHILE_PROJECTING, dates)
    assert found["runsIn"] == "worker"
    replays = worker.evaluate(REPLAYS)[-len(dates):]
    during = [t for t in found["ticks"] if any(start < t < end for start, end in replays)]
    # Replayed on the page, the log would hold the thread from start to end: no turn in between.
    assert len(during) >= 2, (replays, found["ticks"])


ENGINE_CALLS = "(name) => performance.getEntriesByName(name, 'measure').length"


def test_a_save_and_its_sync_append_to_the_engines_log_instead_of_sending_a_year_again(devices, server):
    phone = devices()
    phone.log_in(a_year(server))
    phone.wait_synced()
    (worker,) = [w for w in phone.page.workers if w.url.endswith("/lib/engine-worker.js")]
    loads, appends = (worker.evaluate(ENGINE_CALLS, f"merci:engine:{method}") for method in ("load", "append"))
    held = phone.page.evaluate("async () => (await import('/ui/model.js')).eventCount()")
    assert loads >= 1 and held > 800

    phone.log_meeting("Zoé Appendix")  # a new contact and the meeting
    phone.wait_synced()  # sent, and pulled back with their seq
    phone.go("#/contacts")
    expect(phone.page.locator("main")).to_contain_text("Zoé Appendix")
    assert worker.evaluate(ENGINE_CALLS, "merci:engine:load") == loads, "the whole log crossed to the worker again"
    assert worker.evaluate(ENGINE_CALLS, "merci:engine:append") == appends + 1  # the two new events, once
    assert phone.page.evaluate("async () => (await import('/ui/model.js')).eventCount()") == held + 2


def test_without_module_workers_the_engine_runs_on_the_page_and_shows_the_same(devices, server):
    address, _ = seeded_account(server, "en")
    with_worker, without = devices(), devices()
    without.context.add_init_script("Object.defineProperty(self, 'Worker', { value: undefined })")
    with_worker.log_in(address)
    without.log_in(address)

    overdue = without.page.locator('li.person[data-contact="c-herve"]')
    expect(overdue.locator('li[data-obligation="thank:m-herve:c-herve"]')).to_contain_text("Say thank you")
    assert without.page.evaluate("async () => (await import('/ui/model.js')).engineRunsIn()") == "page"
    assert with_worker.page.evaluate("async () => (await import('/ui/model.js')).engineRunsIn()") == "worker"
    assert without.page.workers == []
    assert without.projection() == with_worker.projection()
    assert without.page.locator("main").inner_text() == with_worker.page.locator("main").inner_text()
    without.go("#/contacts/c-herve")
    expect(without.page.locator("main h1")).to_have_text("Hervé Martin")
    with_worker.go("#/contacts/c-herve")
    expect(with_worker.page.locator("main h1")).to_have_text("Hervé Martin")
    expect(with_worker.page.locator(".timeline > li").first).to_be_visible()
    # the same story, told by the engine on the page as by the one in the worker (added, met, two names given…)
    assert without.page.locator(".timeline").inner_text() == with_worker.page.locator(".timeline").inner_text()
    assert without.page.locator(".timeline > li").count() >= 3


def test_a_log_the_engine_refuses_is_said_on_screen(devices, server):
    address, _ = seeded_account(server, "en")
    phone = devices()
    phone.log_in(address)
    phone.page.evaluate("""async () => {
      const db = await (await import('/lib/db.js')).database();
      await db.put('events', { id: 'bad-1', type: 'meeting_logged', v: 1, at: 'yesterday',
                               data: { meeting: 'm-bad', contacts: ['c-anne'] } });
    }""")
    phone.page.reload()
    phone.page.wait_for_selector("html[data-ready]")
    expect(phone.page.locator("main h1")).to_have_text("Something went wrong")
    expect(phone.page.locator("main")).to_contain_text("bad `at` yesterday")
    expect(phone.page.locator(".loading")).to_have_count(0)
    # The error is logged to the console on purpose; nothing else went wrong.
    phone.problems[:] = [p for p in phone.problems if "bad `at` yesterday" not in p]
