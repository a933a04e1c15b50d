"""axe-core on every screen of the app and on what its buttons and menus open, at 390×844 and 360 px wide, in
English and French, light and dark: no violation of any impact. A screenshot of each (test-artifacts/)."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, axe_violations, bearer
from .test_pwa_browser import CHROMIUM, SHOTS, ZONE, browser, devices, seeded_account, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

SIZES = {390: {"width": 390, "height": 844}, 360: {"width": 360, "height": 740}}


def violations(page) -> list[dict]:
    """Every violation axe finds, whatever its impact."""
    return axe_violations(page)


def open_each(page, selector: str) -> None:
    """Open every disclosure `selector` finds (aria-expanded="false"), one after the other."""
    closed = page.locator(f"main {selector}[aria-expanded=false]:visible")
    for _ in range(20):
        if not closed.count():
            return
        before = closed.count()
        closed.first.click()
        expect(closed).to_have_count(before - 1)
    raise AssertionError(f"{selector}: more disclosures than expected")


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_axe_finds_nothing_on_any_screen(devices, server, lang, dark, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, _ = seeded_account(server, lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    page = phone.page
    page.set_viewport_size(SIZES[width])
    tag = f"axe-{lang}-{'dark' if dark else 'light'}-{width}"
    found: dict[str, list[dict]] = {}

    def check(name: str) -> None:
        page.wait_for_timeout(120)  # a toast's fade, a list settling
        found[name] = violations(page)
        page.screenshot(path=str(SHOTS / f"{tag}-{name}.png"), full_page=True)

    phone.open()
    check("sign-in")
    page.locator(".segmented button").nth(0).click()
    check("sign-up")
    phone.log_in(address, lang)

    phone.go("#/today")
    check("today")
    open_each(page, ".card button")  # each card's More
    check("today-menus")

    phone.go("#/log")
    page.locator("form.log input[placeholder]").fill("her")
    check("log")
    page.locator("section.job button").first.click()  # I found a job
    check("log-job")

    phone.go("#/contacts")
    check("contacts")
    page.locator(".add-contact > button").click()
    page.locator(".add-contact form input").first.fill("Herve Martin")  # a duplicate: the warning shows
    open_each(page, ".add-contact button")  # More fields
    check("contacts-add")

    phone.go("#/contacts/c-herve")
    expect(page.locator("main h1")).to_have_text("Hervé Martin")
    check("contact")
    for button in page.locator("main .contact-actions > button").all():  # Edit details, Archive
        button.click()
    check("contact-forms")

    phone.go("#/audit")
    check("audit")

    phone.go("#/settings")
    check("settings")
    open_each(page, ".account-part > button")  # change password, import, erase
    check("settings-panels")

    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


def seeded_with_ideas(server, lang: str) -> tuple[str, str]:
    """The seeded account, with topics on Hervé and Paul and two saved ideas (one shared with Paul already)."""
    address, token = seeded_account(server, lang)
    at = NOW.astimezone(ZoneInfo(ZONE)).replace(hour=9, minute=0, second=0, microsecond=0).isoformat()

    def event(type_: str, **data) -> dict:
        return {"id": str(uuid.uuid4()), "type": type_, "v": 1, "at": at, "data": data}

    events = [
        event("contact_updated", contact="c-herve", tags=["Fintech", "artisanat"]),
        event("contact_updated", contact="c-paul", tags=["Fintech"]),
        event("idea_saved", idea="i-bank", title="Open banking, five years on: what changed for small businesses",
              link="https://news.example.org/open-banking-five-years-on-what-changed?ref=share-from-a-long-link",
              tags=["Fintech"], note="Worth a read before the next coffee"),
        event("idea_saved", idea="i-wood", link="https://www.example.com/woodwork", tags=["artisanat"]),
        event("idea_shared", idea="i-wood", contact="c-paul", link="https://www.example.com/woodwork"),
    ]
    answer = httpx.post(f"{server.url}/api/import", content="".join(json.dumps(e) + "\n" for e in events),
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(events), answer.text
    return address, token


SHARED = {"title": "Open banking, five years on", "text": "Worth a read — a long note that says why it matters",
          "url": "https://news.example.org/open-banking-five-years-on?utm_source=share&utm_medium=android"}


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_axe_finds_nothing_on_the_ideas_share_merge_and_brief_screens(devices, server, lang, dark, width):
    """The screens added with issues 12 to 14: the ideas inbox with its form open, the share page (an idea, a new
    contact), the merge picker with a name typed and its confirmation, the log form with a person picked (the
    brief before you meet again). No violation, and nothing wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, _ = seeded_with_ideas(server, lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    page = phone.page
    page.set_viewport_size(SIZES[width])
    tag = f"axe-{lang}-{'dark' if dark else 'light'}-{width}"
    found: dict[str, list[dict]] = {}
    wide: dict[str, int] = {}

    def check(name: str) -> None:
        page.wait_for_timeout(120)
        found[name] = violations(page)
        scroll = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        if scroll > 0:
            wide[name] = scroll
        page.screenshot(path=str(SHOTS / f"{tag}-{name}.png"), full_page=True)

    phone.log_in(address, lang)

    phone.go("#/ideas")
    expect(page.locator("li.card.idea")).to_have_count(2)
    page.locator(".add-contact > button").click()
    expect(page.locator("form.add-idea")).to_be_visible()
    check("ideas")

    phone.go("#/share?" + urllib.parse.urlencode(SHARED))
    expect(page.locator("form.share-idea")).to_be_visible()
    check("share-idea")
    page.locator(".segmented button").nth(1).click()
    expect(page.locator("form.share-contact")).to_be_visible()
    check("share-contact")

    phone.go("#/merge/c-herve")
    page.locator("main input[type=search]").fill("paul")
    expect(page.locator(".merge-picks li")).to_have_count(1)
    check("merge-pick")
    phone.go("#/merge/c-herve/c-paul")
    expect(page.locator("main fieldset.radios input")).to_have_count(2)
    check("merge-confirm")

    phone.go("#/log?with=c-herve")
    expect(page.locator(".log-briefs > *").first).to_be_visible()
    check("log-brief")

    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)
    assert not wide, f"wider than the screen (px): {wide}"
