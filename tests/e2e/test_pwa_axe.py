"""axe-core on every screen of the app and on what its buttons and menus open, at 390×844 and 360 px wide, in
English and French, light and dark: no violation of any impact. A screenshot of each (test-artifacts/)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .test_pwa_browser import CHROMIUM, SHOTS, browser, devices, seeded_account, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

SIZES = {390: {"width": 390, "height": 844}, 360: {"width": 360, "height": 740}}


def violations(page) -> list[dict]:
    """Every violation axe finds, whatever its impact."""
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")


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
