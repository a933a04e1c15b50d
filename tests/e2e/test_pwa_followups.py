"""Follow-ups in a real browser: what came of a referral (we met, declined, no answer, they told me) and how
a follow-up was done (the channel beside "Done"). The events are checked on the server after sync, the
Today screen as it updates; axe-core and screenshots (fr, en) on the screens these change."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, MerciServer, bearer, sign_up, whole_log
from .test_pwa_browser import CHROMIUM, SHOTS, ZONE, browser, devices, email, server  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

NEVER_FOLLOW_MAILTO = """() => document.addEventListener('click', (event) => {
  if (event.target.closest('a[href^="mailto:"]')) event.preventDefault();
}, true)"""


def seeded(server: MerciServer, lang: str = "en") -> tuple[str, str]:
    """Hervé gave me two names ten days ago (Paul, Julie); I gave Anne two (Marc, Sam) nine days ago; a
    thank-you to Hervé overdue, one to Léa due today; a job found today (Hervé and Anne helped)."""
    address = email()
    token = sign_up(server.url, address, timezone=ZONE, language=lang)["token"]
    now = NOW.astimezone(ZoneInfo(ZONE))

    def at(days_ago: int, hour: int = 10) -> str:
        return (now - dt.timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()

    def event(type_: str, when: str, **data) -> dict:
        return {"id": str(uuid.uuid4()), "type": type_, "v": 1, "at": when, "data": data}

    people = {"c-herve": "Hervé Martin", "c-paul": "Paul Lemaire", "c-julie": "Julie Robert", "c-anne": "Anne Leroy",
              "c-marc": "Marc Petit", "c-sam": "Sam Girard", "c-lea": "Léa Moreau"}
    events = [event("contact_added", at(12), contact=c, name=n, email=f"{c[2:]}@example.org") for c, n in people.items()]
    events += [
        event("meeting_logged", at(10), meeting="m-herve", contacts=["c-herve"], place="Atelier Martin"),
        event("referral_given", at(10), referral="r-paul", introducer="c-herve", referred="c-paul", meeting="m-herve"),
        event("referral_given", at(10), referral="r-julie", introducer="c-herve", referred="c-julie", meeting="m-herve"),
        event("meeting_logged", at(9), meeting="m-anne", contacts=["c-anne"], host="me"),
        event("thanks_received", at(8), contact="c-anne", meeting="m-anne"),
        event("referral_made", at(9), referral="r-marc", to="c-anne", referred="c-marc", meeting="m-anne"),
        event("referral_made", at(9), referral="r-sam", to="c-anne", referred="c-sam", meeting="m-anne"),
        event("meeting_logged", at(1), meeting="m-lea", contacts=["c-lea"], kind="coffee"),
        event("job_found", at(0, 8)),
    ]
    answer = httpx.post(f"{server.url}/api/import", content="".join(json.dumps(e) + "\n" for e in events),
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(events), answer.text
    return address, token


def recorded(server: MerciServer, token: str, *types: str) -> list[tuple[str, dict]]:
    """The server's copy of the events of these types, in the order it stored them."""
    return [(e["type"], e["data"]) for e in whole_log(server.url, token) if e["type"] in types]


def statuses(phone) -> dict[str, str]:
    return {o["id"]: o["status"] for o in phone.projection()["obligations"]}


def test_referral_outcomes_are_recorded_and_today_asks_the_reports_they_make(devices, server):
    address, token = seeded(server)
    phone = devices(axe=True)
    phone.log_in(address)
    page = phone.page
    found = {}

    # Today asks what came of the names: none has an outcome, so no report is owed either way yet.
    news = page.locator("section", has=page.locator("#news-h"))
    expect(news.locator("li[data-referral]")).to_have_count(4)
    assert not [o for o in statuses(phone) if o.startswith("report:")]
    found["today"] = phone.axe()

    # A name I received, declined: recorded from the introducer's page.
    phone.go("#/contacts/c-herve")
    julie = page.locator('li[data-referral="r-julie"]')
    julie.get_by_role("button", name="Declined").click()
    expect(julie.locator(".outcome")).to_contain_text("Julie Robert declined")
    expect(julie).to_contain_text("Hervé Martin is waiting for your news")
    expect(page.locator('li.card[data-obligation="report:r-julie"]')).to_be_visible()  # in "To do now"
    found["contact"] = phone.axe()

    # "We met": log the meeting with Paul, which settles the referral.
    page.locator('li[data-referral="r-paul"]').get_by_role("link", name="We met").click()
    page.wait_for_function("() => location.hash === '#/log/r-paul'")
    expect(page.locator(".chips")).to_contain_text("Paul Lemaire")
    expect(page.locator("main .notice")).to_contain_text("Hervé Martin gave you the name of Paul Lemaire")
    found["log"] = phone.axe()
    page.locator("form.log button[type=submit]").click()
    page.wait_for_function("() => location.hash === '#/today'")

    # Today now owes Hervé two reports; the two names I gave are still waiting for news.
    mine = page.locator("section", has=page.locator("#mine-h"))
    for referral in ("r-julie", "r-paul"):
        expect(mine.locator(f'li.person[data-contact="c-herve"] li[data-obligation="report:{referral}"]')).to_be_visible()
    expect(mine.locator('li[data-obligation="report:r-julie"] .what')).to_contain_text("Tell how it went with Julie Robert")
    expect(news.locator("li[data-referral]")).to_have_count(2)

    # A name I gave: Anne told me herself (outcome and update at once), from Anne's page.
    phone.go("#/contacts/c-anne")
    marc = page.locator('li[data-referral="r-marc"]')
    marc.get_by_role("button", name="Anne Leroy gave you news").click()
    marc.locator(".more").get_by_role("button", name="They met").click()
    expect(marc.locator(".outcome")).to_contain_text("Anne Leroy and Marc Petit met")
    expect(marc).to_contain_text("Anne Leroy told you on")

    # The other: no answer, learnt elsewhere; Anne now owes me the news, then gives it ("They did").
    phone.go("#/today")
    news.locator('li[data-referral="r-sam"]').get_by_role("button", name="What came of it?").click()
    news.locator('li[data-referral="r-sam"]').get_by_role("button", name="No answer").click()
    expect(news).to_have_count(0)  # nothing left without news
    theirs = page.locator("section", has=page.locator("#theirs-h"))
    sam = theirs.locator('li.person[data-contact="c-anne"] li[data-obligation="report:r-sam"]')
    expect(sam.locator(".what")).to_contain_text("Should tell you how it went with Sam Girard")
    sam.get_by_role("button", name="They did").click()
    expect(sam).to_have_count(0)

    phone.wait_synced()
    meeting = next(d for t, d in recorded(server, token, "meeting_logged") if d["contacts"] == ["c-paul"])
    assert recorded(server, token, "referral_outcome", "update_received") == [
        ("referral_outcome", {"referral": "r-julie", "outcome": "declined"}),
        ("referral_outcome", {"referral": "r-paul", "outcome": "meeting_obtained", "meeting": meeting["meeting"]}),
        ("referral_outcome", {"referral": "r-marc", "outcome": "meeting_obtained"}),
        ("update_received", {"referral": "r-marc"}),
        ("referral_outcome", {"referral": "r-sam", "outcome": "no_answer"}),
        ("update_received", {"referral": "r-sam"}),
    ]
    now = statuses(phone)
    assert {k: now[k] for k in now if k.startswith("report:")} == {
        "report:r-julie": "due", "report:r-paul": "due", "report:r-marc": "done", "report:r-sam": "done"}
    assert now["thank:" + meeting["meeting"] + ":c-paul"] == "upcoming"  # and Paul is to be thanked tomorrow

    # The history says what came of each name.
    phone.go("#/contacts/c-herve")
    history = page.locator(".timeline")
    expect(history).to_contain_text("Referral of Julie Robert: declined")
    expect(history).to_contain_text("Referral of Paul Lemaire: meeting obtained")
    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


def test_done_says_how_it_was_done_and_stays_one_tap(devices, server):
    address, token = seeded(server)
    phone = devices(axe=True)
    phone.log_in(address)
    page = phone.page
    page.evaluate(NEVER_FOLLOW_MAILTO)

    herve = page.locator('li[data-obligation="thank:m-herve:c-herve"]')
    channel = herve.get_by_label("How it was done: Thank Hervé Martin")
    expect(channel).to_have_value("email")  # the rule's default: a thank-you by email
    announce = page.locator('li[data-obligation^="announce:"][data-obligation$=":c-anne"]')
    expect(announce.locator("select")).to_have_value("call")  # rule 3: tell them personally
    assert phone.axe() == []

    channel.select_option("letter")
    herve.get_by_role("button", name="Done", exact=True).click()
    expect(herve).to_have_count(0)

    # One tap: the default, the call.
    announce.get_by_role("button", name="Done", exact=True).click()
    expect(announce).to_have_count(0)

    # Next time, the channel I used last for a thank-you comes first; writing the draft makes it email.
    phone.go("#/contacts/c-lea")
    lea = page.locator('li.card[data-obligation="thank:m-lea:c-lea"]')
    expect(lea.locator("select")).to_have_value("letter")
    lea.get_by_role("link", name="Write the thank-you").click()
    expect(lea.locator("select")).to_have_value("email")
    lea.get_by_role("button", name="Done").click()
    expect(lea).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("You thanked Léa Moreau (email)")

    phone.wait_synced()
    assert recorded(server, token, "thanks_sent", "job_announced") == [
        ("thanks_sent", {"contact": "c-herve", "meeting": "m-herve", "channel": "letter"}),
        ("job_announced", {"contact": "c-anne", "channel": "call"}),
        ("thanks_sent", {"contact": "c-lea", "meeting": "m-lea", "channel": "email"}),
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_changed_screens_are_accessible_and_photographed(devices, server, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, _ = seeded(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    found = {}

    def shoot(name: str, at: str | None = None) -> None:
        """The phone's screen (scrolled to `at`), then the whole page."""
        page.evaluate("() => document.getElementById('toast').classList.remove('on')")  # not in the picture
        page.wait_for_timeout(300)  # its fade
        if at:
            page.evaluate("(selector) => { document.querySelector(selector).scrollIntoView(); scrollBy(0, -64); }", at)
        page.screenshot(path=str(SHOTS / f"{lang}-followups-{name}.png"))
        page.screenshot(path=str(SHOTS / f"{lang}-followups-{name}-full.png"), full_page=True)

    phone.go("#/today")
    found["today"] = phone.axe()
    shoot("today")
    shoot("today-news", "#news-h")
    phone.go("#/contacts/c-herve")
    page.locator('li[data-referral="r-julie"] .outcomes button').nth(0).click()  # declined
    expect(page.locator('li[data-referral="r-julie"] .outcome')).to_be_visible()
    phone.wait_synced()
    found["contact"] = phone.axe()
    shoot("contact", "#ref-h")
    phone.go("#/contacts/c-anne")
    page.locator('li[data-referral="r-marc"] .button.quiet').click()
    found["contact-made"] = phone.axe()
    shoot("contact-made", '[data-referral="r-marc"]')
    phone.go("#/log/r-paul")
    found["log"] = phone.axe()
    shoot("log")
    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)
