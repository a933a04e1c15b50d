"""The PWA's budgets, measured in Debian's Chromium against a real `merci serve` (printed, not asserted):

- first-load JavaScript transfer, gzipped (target ≤ 60 KB), and everything the first load transfers;
- time to interactive with a phone's viewport, touch and user agent and the CPU slowed 4× (target < 2 s):
  the first visit (nothing cached), and a signed-in reload with a year of history (the rules engine
  replays it on the device, in a worker): when the shell answers taps, when Today is drawn with its
  follow-ups, how long the main thread was blocked, and the engine's time in its worker (which DevTools
  cannot slow down: the estimate slowed as much is printed beside it);
- the offline reload: the server process stopped, the app served by its service worker;
- optionally, Lighthouse 12 (mobile preset: performance, accessibility, best practices) on the first visit and
  on Today signed in with that year of history, when a `lighthouse` command is found (on PATH, in
  node_modules/.bin here or in /tmp, or --lighthouse PATH). The script never installs it; to get it:
  `cd /tmp && npm install lighthouse@12`.

"Interactive" is the moment the app has rendered its screen and wired its handlers
(`<html data-ready>`), measured from the navigation's start, after which the main thread is idle.

    .venv/bin/python bench/pwa_budget.py [--runs 5] [--meetings 400] [--lighthouse PATH | --no-lighthouse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import NOW, PASSWORD, MerciServer, bearer, sign_up  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {
    "viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Mobile Safari/537.36",
    "locale": "en-GB", "timezone_id": "Europe/Paris",
}
CPU_SLOWDOWN = 4
READY = "html[data-ready]"
INTERACTIVE_MS = "() => performance.getEntriesByName('merci:ready')[0].startTime"
"""The app marks `merci:ready` when its first screen is drawn with what it shows (Today with its follow-ups)
and its handlers wired, with data-ready."""
SHELL_MS = ("() => (performance.getEntriesByName('merci:interactive')[0]"
            " ?? performance.getEntriesByName('merci:ready')[0]).startTime")
"""boot() marks `merci:interactive` once the shell answers taps, which may be before the rules engine's worker
has answered (Today then shows its loading state); an app without that mark was not interactive before ready."""
LONG_TASKS = """new PerformanceObserver((list) => {
  (self.merciLongTasks ??= []).push(...list.getEntries().map((e) => [e.startTime, e.duration]));
}).observe({ type: 'longtask' });"""
"""Every main-thread task over 50 ms from the start (an init script: the page's CSP does not govern it)."""
BLOCKING_MS = """(until) => (self.merciLongTasks ?? []).filter(([start]) => start < until)
  .reduce(([total, longest], [, duration]) => [total + duration - 50, Math.max(longest, duration)], [0, 0])"""
"""Blocking time (the part of each long task over 50 ms, as Lighthouse counts it) and the longest task."""
WORKER_MS = """(until) => performance.getEntriesByType('measure')
  .filter((m) => m.name.startsWith('merci:engine:') && performance.timeOrigin + m.startTime + m.duration <= until)
  .reduce((total, m) => total + m.duration, 0)"""
"""Time the rules engine spent in its worker before `until` (on the clock shared with the page), from the
worker's own timeline (lib/engine-worker.js)."""
QUIET_MS = 1000
"""Long tasks are counted until this long after ready (the sync and the service worker that follow too)."""


def a_year_of_history(meetings: int) -> list[dict]:
    """Contacts, meetings with thanks mostly sent the next day, referrals and reports over a year."""
    zone = ZoneInfo("Europe/Paris")
    # the year up to the server's clock (tests/e2e/server.py NOW): a later event would be refused as from the future
    start = NOW.astimezone(zone) - dt.timedelta(days=365)
    events: list[dict] = []

    def event(type_: str, when: dt.datetime, **data) -> None:
        events.append({"id": str(uuid.uuid4()), "type": type_, "v": 1, "at": when.isoformat(timespec="seconds"),
                       "data": data})

    contacts = [f"c{n}" for n in range(max(10, meetings // 4))]
    for n, contact in enumerate(contacts):
        event("contact_added", start, contact=contact, name=f"Contact {n}", email=f"c{n}@example.org")
    for n in range(meetings):
        when = start + dt.timedelta(hours=10 + n * 365 * 24 // meetings)
        contact = contacts[n % len(contacts)]
        event("meeting_logged", when, meeting=f"m{n}", contacts=[contact], place="Café")
        if n % 5:
            event("thanks_sent", when + dt.timedelta(days=1), contact=contact, meeting=f"m{n}", channel="email")
        if n % 7 == 0:
            referred = contacts[(n + 1) % len(contacts)]
            event("referral_given", when, referral=f"r{n}", introducer=contact, referred=referred, meeting=f"m{n}")
    return events


def js_budget(page_requests: list) -> dict[str, int]:
    """Bytes of one load: JS bodies and headers on the wire, everything, and gzip -9 of the JS files."""
    found = dict(js_body=0, js_headers=0, total=0, js_gzip=0, modules=0)
    for request in page_requests:
        if request.response() is None or request.url.endswith("/sw.js"):
            continue
        sizes = request.sizes()
        found["total"] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if request.url.endswith(".js"):
            found["modules"] += 1
            found["js_body"] += sizes["responseBodySize"]
            found["js_headers"] += sizes["responseHeadersSize"]
            found["js_gzip"] += len(gzip.compress((ROOT / "pwa" / request.url.split("/", 3)[3]).read_bytes(), 9))
    return found


def find_lighthouse(given: str | None) -> str | None:
    """The lighthouse command: the one given, else on PATH, else in a node_modules/.bin here or in /tmp."""
    if given:
        return given
    for candidate in (shutil.which("lighthouse"), ROOT / "node_modules/.bin/lighthouse", Path("/tmp/node_modules/.bin/lighthouse")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    return None


LIGHTHOUSE_METRICS = [("first-contentful-paint", "FCP"), ("largest-contentful-paint", "LCP"),
                      ("total-blocking-time", "TBT"), ("cumulative-layout-shift", "CLS"), ("interactive", "TTI")]


def lighthouse(command: str, url: str, profile: Path | None = None) -> dict | str:
    """One Lighthouse run (mobile preset) in Debian's Chromium: the report, or why there is none. With
    `profile`, Chromium opens that signed-in profile and Lighthouse keeps its storage."""
    flags = " ".join(ARGS + ([f"--user-data-dir={profile}"] if profile else []))
    args = [command, url, f"--chrome-flags={flags}", "--form-factor=mobile",
            "--only-categories=performance,accessibility,best-practices", "--output=json", "--output-path=stdout",
            "--quiet"]
    if profile:
        args.append("--disable-storage-reset")
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, env={**os.environ, "CHROME_PATH": CHROMIUM})
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"did not run: {error}"
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip()[-400:]}"
    report = json.loads(done.stdout)
    if report.get("runtimeError"):
        return f"runtime error: {report['runtimeError']}"
    return report


def lighthouse_line(name: str, report: dict | str) -> str:
    if isinstance(report, str):
        return f"  Lighthouse, {name}: {report}"
    scores = " · ".join(f"{category['title'].lower()} {round(category['score'] * 100)}"
                        for category in report["categories"].values())
    metrics = ", ".join(f"{label} {report['audits'][key]['displayValue']}" for key, label in LIGHTHOUSE_METRICS)
    failing = sorted(key for key, audit in report["audits"].items()
                     if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0)
    return (f"  Lighthouse, {name}: {scores}\n      {metrics}"
            + (f"\n      failing audits: {', '.join(failing)}" if failing else ""))


def signed_in_profile(playwright, url: str, address: str) -> Path:
    """A Chromium profile signed in to `address`, its log synced and its service worker in control."""
    profile = Path(tempfile.mkdtemp(prefix="merci-lighthouse-"))
    context = playwright.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=ARGS,
                                                           viewport=PHONE["viewport"], locale="en-GB",
                                                           timezone_id="Europe/Paris")
    page = context.new_page()
    log_in(page, url, address)
    context.close()
    return profile


def log_in(page, url: str, address: str) -> None:
    """Sign in on the app at `url` and wait until its service worker controls the page."""
    page.goto(url)
    page.wait_for_selector(READY)
    page.locator(".segmented button").nth(1).click()
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("#nav:not([hidden])", timeout=60_000)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--meetings", type=int, default=400)
    parser.add_argument("--lighthouse", metavar="PATH", help="the lighthouse command (default: found on PATH, "
                        "in node_modules/.bin here or in /tmp)")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip the Lighthouse step")
    options = parser.parse_args()
    lighthouse_command = None if options.no_lighthouse else find_lighthouse(options.lighthouse)
    lighthouse_reports: dict[str, dict | str] = {}

    from playwright.sync_api import sync_playwright

    scratch = tempfile.TemporaryDirectory(prefix="merci-budget-")  # removed at exit, server files and all
    data = Path(scratch.name) / "data"
    with scratch, MerciServer(data) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def phone():
            context = browser.new_context(**PHONE)
            context.add_init_script(LONG_TASKS)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
            return context, page

        # 1. First visit: nothing cached, no service worker.
        first, transfer = [], None
        for run in range(options.runs):
            context, page = phone()
            requests: list = []
            page.on("requestfinished", lambda request: requests.append(request))
            page.goto(server.url)
            page.wait_for_selector(READY)
            first.append(page.evaluate(INTERACTIVE_MS))
            if run == 0:
                transfer = js_budget(requests)
            context.close()

        # 2. Signed in with a year of history: a reload served by the service worker.
        address = f"{uuid.uuid4().hex[:10]}@example.org"
        token = sign_up(server.url, address, timezone="Europe/Paris", language="en")["token"]
        history = a_year_of_history(options.meetings)
        body = "".join(json.dumps(e) + "\n" for e in history)
        imported = httpx.post(f"{server.url}/api/import", content=body, headers=bearer(token), timeout=60)
        imported.raise_for_status()
        assert imported.json()["accepted"] == len(history), imported.text[:500]
        context, page = phone()
        log_in(page, server.url, address)
        warm, shell, blocking, longest, in_worker = [], [], [], [], []
        for _ in range(options.runs):
            page.reload()
            page.wait_for_selector(READY)
            warm.append(page.evaluate(INTERACTIVE_MS))
            shell.append(page.evaluate(SHELL_MS))
            page.wait_for_timeout(QUIET_MS)
            total, most = page.evaluate(BLOCKING_MS, warm[-1] + QUIET_MS)
            blocking.append(total)
            longest.append(most)
            ready_at = page.evaluate("performance.timeOrigin") + warm[-1]
            in_worker.append(sum(worker.evaluate(WORKER_MS, ready_at) for worker in page.workers))

        # 3. Offline: the server process stopped.
        server.stop()
        offline = []
        for _ in range(options.runs):
            response = page.reload()
            page.wait_for_selector(READY)
            assert response is not None and response.from_service_worker
            offline.append(page.evaluate(INTERACTIVE_MS))
        server.start()
        context.close()
        browser.close()

        # 4. Lighthouse, when installed: the first visit, then Today signed in with the year of history.
        if lighthouse_command:
            lighthouse_reports["first visit"] = lighthouse(lighthouse_command, server.url + "/")
            profile = signed_in_profile(playwright, server.url, address)
            try:
                lighthouse_reports[f"Today, signed in, {len(history)} events"] = lighthouse(
                    lighthouse_command, server.url + "/#/today", profile)
            finally:
                shutil.rmtree(profile, ignore_errors=True)

    median = statistics.median
    kb = lambda n: f"{n / 1024:6.1f} KB"  # noqa: E731
    print(f"Merci PWA budgets — Chromium, 390×844 phone emulation, CPU slowed {CPU_SLOWDOWN}×, median of {options.runs}")
    print(f"  first load, JavaScript gzipped (bodies):   {kb(transfer['js_body'])}  in {transfer['modules']} modules  "
          f"(target ≤ 60 KB; + {kb(transfer['js_headers']).strip()} of headers)")
    print(f"  first load, everything on the wire:        {kb(transfer['total'])}")
    every_js = sorted((ROOT / "pwa").glob("**/*.js"))
    every_js = [p for p in every_js if p.name != "sw.js" and "/icons/" not in str(p)]
    all_gzip = sum(len(gzip.compress(p.read_bytes(), 9)) for p in every_js)
    print(f"  all the app's JavaScript, gzip -9 (the rules engine loads after sign-in): {kb(all_gzip).strip()} "
          f"in {len(every_js)} files")
    print(f"  time to interactive, first visit:          {median(first):6.0f} ms  (target < 2000 ms)")
    print(f"  signed in, {len(history)} events replayed (a reload served by the service worker):")
    print(f"    interactive (the shell answers taps):    {median(shell):6.0f} ms")
    print(f"    Today drawn with its follow-ups (ready): {median(warm):6.0f} ms")
    print(f"    main thread blocked (TBT-like, to ready + {QUIET_MS} ms): {median(blocking):6.0f} ms, "
          f"longest task {median(longest):4.0f} ms")
    if any(in_worker):
        # DevTools slows the page's main thread only ("only supported for pages, not workers"): on a phone the
        # worker is that much slower too. Counted as if all its work before ready were on the way, the worst case:
        slowed = median(w + (CPU_SLOWDOWN - 1) * e for w, e in zip(warm, in_worker))
        print(f"    rules engine in its worker before ready: {median(in_worker):6.0f} ms, not slowed; "
              f"slowed {CPU_SLOWDOWN}× too, ready would be ≤ {slowed:6.0f} ms")
    print(f"  offline reload (server stopped):           {median(offline):6.0f} ms")
    if options.no_lighthouse:
        print("  Lighthouse: skipped (--no-lighthouse)")
    elif not lighthouse_command:
        print("  Lighthouse: skipped, not installed (cd /tmp && npm install lighthouse@12; or --lighthouse PATH)")
    for name, report in lighthouse_reports.items():
        print(lighthouse_line(name, report))


if __name__ == "__main__":
    main()
