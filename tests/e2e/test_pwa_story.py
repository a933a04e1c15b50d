"""The story of each relationship in a real browser (Debian's Chromium, a real `merci serve` whose clock is NOW):
the contact page opens with the brief "before you meet again" and tells the timeline; the audit shows what was
pending and done, filtered, the change since an earlier date, the monthly chart (SVG with a table for screen
readers) and prints; a coach link opens read-only with nothing stored in the visitor's browser. In French and
English, light and dark, axe-clean, with screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import MerciServer, axe_violations, bearer, sign_up
from .test_pwa_browser import (AXE, CHROMIUM, PHONE, ROOT, SHOTS, ZONE, Device, browser, device_maker, devices, email,  # noqa: F401
                               seeded_account, server)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]
VECTORS = ROOT / "tests" / "vectors"


def scenario_account(server, name: str, lang: str) -> tuple[str, str]:
    """An account holding one of the post's scenarios (seed-mentee or seed-helper), in `lang`."""
    address = email()
    token = sign_up(server.url, address, timezone=ZONE, language=lang)["token"]
    lines = [line for line in (VECTORS / f"{name}.ndjson").read_text().splitlines()
             if line.strip() and json.loads(line)["type"] != "settings_changed"]
    answer = httpx.post(f"{server.url}/api/import", content="\n".join(lines) + "\n", headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(lines), answer.text
    return address, token


WORDS = {
    "en": {"brief": "Before you meet Hervé again", "thank": "Thank Hervé for the meeting of",
           "owed": "still owed since", "report": "Tell Hervé how it went with Anne",
           "introduced": "And the people Hervé",
           "anne": "Thank Anne for the meeting of", "raise": "To raise, kindly (3 still open from Paul)",
           "paul_thank": "Paul to thank you for the meeting of",
           "paul_report": "Paul to tell you how it went with Marc",
           "changes": "Since", "print": "Print this audit",
           "log_with": "Log a meeting with Hervé", "log_with_paul": "Log a meeting with Paul",
           "brief_paul": "Before you meet Paul again", "brief_anne": "Before you meet Anne again",
           "make_good_one": "Make good first (1 still open from you)",
           "unseen_anne": "Paul met Anne through you (known", "unseen_q": "did Paul thank Anne? Nothing tells you so.",
           "unseen_marc": "did Paul thank Marc? Nothing tells you so."},
    "fr": {"brief": "Avant de revoir Hervé", "thank": "Remercier Hervé pour le rendez-vous du",
           "owed": "toujours dû depuis le", "report": "Dire à Hervé comment s’est passé le contact avec Anne",
           "introduced": "Et les personnes que Hervé", "anne": "Remercier Anne pour le rendez-vous du",
           "raise": "À évoquer, avec tact (3 suivis encore dus par Paul)", "paul_thank": "Paul doit vous remercier pour le "
           "rendez-vous du", "paul_report": "Paul doit vous dire comment s’est passé le contact avec Marc",
           "changes": "Depuis le", "print": "Imprimer cet audit",
           "log_with": "Noter un rendez-vous avec Hervé", "log_with_paul": "Noter un rendez-vous avec Paul",
           "brief_paul": "Avant de revoir Paul", "brief_anne": "Avant de revoir Anne",
           "make_good_one": "À rattraper d’abord (1 suivi encore dû de votre part)",
           "unseen_anne": "Paul a rencontré Anne grâce à vous (appris le",
           "unseen_q": "est-ce que Paul a remercié Anne ? Rien ne vous le dit.",
           "unseen_marc": "est-ce que Paul a remercié Marc ? Rien ne vous le dit."},
}


@pytest.mark.parametrize("lang, dark", [("en", False), ("fr", True)])
def test_the_contact_page_and_the_audit_tell_the_posts_story(devices, server, lang, dark):
    SHOTS.mkdir(parents=True, exist_ok=True)
    words, theme = WORDS[lang], "dark" if dark else "light"
    address, _ = scenario_account(server, "seed-mentee", lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    phone.log_in(address, lang)
    found = {}

    # the mentee opens Hervé: the brief first, naming each broken rule of the post
    phone.go("#/contacts/c-herve")
    brief = phone.page.locator(".brief")
    expect(brief).to_contain_text(words["brief"])
    thank = brief.locator('[data-obligation="thank:m1:c-herve"]')
    expect(thank).to_contain_text(words["thank"])
    expect(thank).to_contain_text(words["owed"])
    expect(thank).to_contain_text("189")  # days, on the pinned clock (2026-11-18)
    expect(brief.locator('[data-obligation="report:r1"]')).to_contain_text(words["report"])
    expect(brief.locator('[data-obligation="report:r2"]')).to_be_visible()
    expect(brief).to_contain_text(words["introduced"])
    expect(brief.locator('[data-obligation="thank:m2:c-anne"]')).to_contain_text(words["anne"])
    expect(brief.locator('[data-obligation="thank:m3:c-marc"]')).to_be_visible()
    expect(phone.page.locator("ol.timeline.story > li")).to_have_count(6)
    expect(phone.page.locator("figure.chart svg.month-chart rect")).not_to_have_count(0)
    months = phone.page.locator("figure.chart .visually-hidden table tbody tr")
    expect(months).to_have_count(3)  # May, June, August (the nurture)
    found["contact"] = phone.axe()
    phone.page.screenshot(path=str(SHOTS / f"{lang}-{theme}-story-contact.png"), full_page=True)

    # the audit: pending and done, filtered, with the change since an earlier date
    phone.go("#/audit")
    table = phone.page.locator(".audit-result .audit-table").first
    expect(table.locator("tbody tr")).to_have_count(8)
    phone.page.locator(".audit-filters select").first.select_option("c-herve")
    expect(table.locator("tbody tr")).to_have_count(4)
    phone.page.locator(".audit-filters select").nth(1).select_option("report")
    expect(table.locator("tbody tr")).to_have_count(2)
    phone.page.locator(".audit-dates input[type=date]").nth(1).fill("2026-05-20")
    phone.page.locator(".audit-dates input[type=date]").nth(1).dispatch_event("change")
    expect(phone.page.locator(".changes")).to_contain_text(words["changes"])
    expect(phone.page.locator(".changes")).to_contain_text("7")  # 7 became overdue since May 20 (4 + 3 nurtures)
    expect(phone.page.locator(".audit-result figure.chart svg")).to_be_visible()
    found["audit"] = phone.axe()
    phone.page.screenshot(path=str(SHOTS / f"{lang}-{theme}-story-audit.png"), full_page=True)
    phone.page.emulate_media(media="print")
    expect(phone.page.locator("#nav")).to_be_hidden()
    expect(phone.page.get_by_role("button", name=words["print"])).to_be_hidden()
    phone.page.screenshot(path=str(SHOTS / f"{lang}-{theme}-story-audit-print.png"), full_page=True)
    phone.page.emulate_media(media="screen")

    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_mentor_reads_what_to_raise_kindly(devices, server, lang):
    words = WORDS[lang]
    address, _ = scenario_account(server, "seed-helper", lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    phone.go("#/contacts/c-paul")
    brief = phone.page.locator(".brief")
    expect(brief).to_contain_text(words["raise"])
    expect(brief.locator('[data-obligation="thank:m1:c-paul"]')).to_contain_text(words["paul_thank"])
    expect(brief.locator('[data-obligation="report:r2"]')).to_contain_text(words["paul_report"])
    assert not phone.axe()
    phone.page.screenshot(path=str(SHOTS / f"{lang}-story-helper-contact.png"), full_page=True)


def test_a_coach_link_opens_read_only_with_nothing_stored_and_dies_when_revoked(devices, server, browser):  # noqa: F811
    address, _ = scenario_account(server, "seed-mentee", "en")
    phone = devices(lang="en", axe=True)
    phone.log_in(address, "en")
    phone.go("#/audit")
    phone.page.get_by_label("For whom").fill("Coach Marie")
    phone.page.get_by_role("button", name="Make a link").click()
    url = phone.page.locator(".share-url").inner_text()
    assert url.startswith(server.url + "/s/")
    expect(phone.page.locator(".shares li")).to_contain_text("never opened")

    # the coach: a browser that has never seen the app
    coach = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id=ZONE, service_workers="block")
    coach.add_init_script(path=str(AXE))  # by the DevTools protocol: the page's CSP does not govern it
    try:
        page = coach.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        answer = page.goto(url)
        assert answer.status == 200 and answer.headers["cache-control"] == "no-store"
        expect(page.locator("h1")).to_contain_text("Merci")
        expect(page.locator("body")).to_contain_text("thank Hervé for the meeting of 2026-05-12 at Son bureau")
        expect(page.locator("body")).to_contain_text("Before meeting Hervé again")
        assert page.evaluate("document.cookie") == ""
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0
        assert page.evaluate("async () => (await indexedDB.databases()).length") == 0
        assert page.evaluate("async () => (await caches.keys()).length") == 0
        assert coach.cookies() == []
        violations = [v["id"] for v in axe_violations(page, serious_only=True)]
        assert violations == []
        page.screenshot(path=str(SHOTS / "en-coach-page.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(SHOTS / "en-coach-page-print.png"), full_page=True)
        assert not problems, problems

        # the owner opens it too, in the browser where the app (and its service worker) lives: the server's page,
        # not the app shell
        phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        phone.page.goto(url)
        expect(phone.page.locator("body")).to_contain_text("Before meeting Hervé again")
        assert phone.page.locator("#nav").count() == 0

        # the owner sees it was opened, revokes it; the coach's next request fails
        phone.open("/#/audit")
        expect(phone.page.locator(".shares li")).to_contain_text("last opened")
        phone.page.get_by_role("button", name="Revoke — Coach Marie").click()
        expect(phone.page.locator(".coach-links")).to_contain_text("No link yet.")
        gone = page.goto(url)
        assert gone.status == 404
        expect(page.locator("body")).to_contain_text("This link is no longer valid")
    finally:
        coach.close()


def pick(page, name: str) -> None:
    """Pick a person in the log form by typing their name and taking the suggestion (or Enter for a new one)."""
    page.locator("form.log input[placeholder]").fill(name)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("lang, dark, width", [("en", False, 390), ("fr", True, 390), ("fr", False, 360),
                                               ("en", True, 360)])
def test_logging_the_new_meeting_shows_what_is_still_open_first(devices, server, lang, dark, width):
    """The mentee asks Hervé for another meeting while everything is open: the contact page offers "Log a meeting
    with Hervé", and the log form, Hervé already picked, shows at once what is still open between them (the
    thank-you owed for six months, the news of the two meetings, the two people met never thanked) above the
    save button; one compact block per known person picked, none for someone new or with nothing open."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    words, theme = WORDS[lang], "dark" if dark else "light"
    address, _ = scenario_account(server, "seed-mentee", lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    phone.page.set_viewport_size({"width": width, "height": 844})
    phone.log_in(address, lang)
    page = phone.page
    phone.go("#/contacts/c-herve")
    expect(page.locator(".brief")).to_contain_text(words["brief"])
    page.get_by_role("link", name=words["log_with"]).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{lang}-{theme}-{width}-contact-log-with.png"))
    page.get_by_role("link", name=words["log_with"]).click()
    page.wait_for_function("() => location.hash === '#/log?with=c-herve'")
    expect(page.locator(".chips .chip")).to_have_count(1)
    expect(page.locator(".chips .chip")).to_contain_text("Hervé")
    herve = page.locator('.log-briefs .brief[data-contact="c-herve"]')
    expect(herve).to_contain_text(words["brief"])
    expect(herve.locator('[data-obligation="thank:m1:c-herve"]')).to_contain_text(words["thank"])
    expect(herve.locator('[data-obligation="thank:m1:c-herve"]')).to_contain_text(words["owed"])
    expect(herve.locator('[data-obligation="report:r1"]')).to_contain_text(words["report"])
    expect(herve.locator('[data-obligation="report:r2"]')).to_be_visible()
    expect(herve).to_contain_text(words["introduced"])
    expect(herve.locator('[data-obligation="thank:m2:c-anne"]')).to_contain_text(words["anne"])
    expect(herve.locator('[data-obligation="thank:m3:c-marc"]')).to_be_visible()
    # above the save button
    assert page.evaluate("""() => {
        const brief = document.querySelector('.log-briefs');
        const save = document.querySelector('form.log button[type=submit]');
        return Boolean(brief.compareDocumentPosition(save) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    # Anne picked too: her own block (the thank-you owed to her); someone new: none
    pick(page, "Anne")
    expect(page.locator(".log-briefs .brief")).to_have_count(2)
    expect(page.locator('.log-briefs .brief[data-contact="c-anne"]')).to_contain_text(words["brief_anne"])
    pick(page, "Zoé Nouvelle")
    expect(page.locator(".chips .chip")).to_have_count(3)
    expect(page.locator(".log-briefs .brief")).to_have_count(2)
    # the headings of the blocks are their own (no id twice on the page)
    assert page.evaluate("() => new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size"
                         " === document.querySelectorAll('[id]').length")
    violations = phone.axe()
    page.screenshot(path=str(SHOTS / f"{lang}-{theme}-{width}-log-brief.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"
    # Hervé taken off: his block goes, Anne's stays
    page.get_by_role("button", name=("Remove Hervé" if lang == "en" else "Retirer Hervé")).click()
    expect(page.locator(".log-briefs .brief")).to_have_count(1)
    expect(page.locator('.log-briefs .brief[data-contact="c-herve"]')).to_have_count(0)
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)
    assert not phone.problems, phone.problems


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_mentor_logging_a_meeting_with_paul_reads_what_to_raise_and_the_thank_yous_unseen(devices, server, lang):
    """The mentor's side: the brief in the log form and on the contact page names the two people Paul met through
    the mentor, whose thank-you nothing in the mentor's log can show; the timeline says it under each outcome; the
    printed page keeps it. Anne, with nothing open, gets no block in the form."""
    words = WORDS[lang]
    address, _ = scenario_account(server, "seed-helper", lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    phone.go("#/contacts/c-paul")
    brief = page.locator(".brief")
    expect(brief).to_contain_text(words["raise"])
    expect(brief.locator('[data-unseen="r1"]')).to_contain_text(words["unseen_anne"])
    expect(brief.locator('[data-unseen="r1"]')).to_contain_text(words["unseen_q"])
    expect(brief.locator('[data-unseen="r2"]')).to_contain_text(words["unseen_marc"])
    timeline = page.locator("ol.timeline.story")
    expect(timeline.locator('[data-unseen="r1"]')).to_contain_text(words["unseen_q"])
    expect(timeline.locator('[data-unseen="r2"]')).to_contain_text(words["unseen_marc"])
    assert not phone.axe()
    page.screenshot(path=str(SHOTS / f"{lang}-story-helper-unseen.png"), full_page=True)
    brief.screenshot(path=str(SHOTS / f"{lang}-story-helper-brief.png"))
    timeline.screenshot(path=str(SHOTS / f"{lang}-story-helper-timeline.png"))
    # on paper: the brief, its questions, the timeline
    page.emulate_media(media="print")
    expect(brief.locator('[data-unseen="r1"]')).to_be_visible()
    expect(brief.locator('[data-obligation="thank:m1:c-paul"]')).to_be_visible()
    expect(timeline.locator('[data-unseen="r2"]')).to_be_visible()
    page.screenshot(path=str(SHOTS / f"{lang}-story-helper-print.png"), full_page=True)
    page.emulate_media(media="screen")

    phone.go("#/log")
    expect(page.locator(".log-briefs .brief")).to_have_count(0)
    pick(page, "Anne")  # nothing open with Anne: no block
    pick(page, "Paul")
    block = page.locator('.log-briefs .brief[data-contact="c-paul"]')
    expect(block).to_contain_text(words["brief_paul"])
    expect(block).to_contain_text(words["make_good_one"])
    expect(block.locator('[data-obligation="thank:m1:c-paul"]')).to_contain_text(words["paul_thank"])
    expect(block.locator('[data-unseen="r1"]')).to_contain_text(words["unseen_q"])
    expect(page.locator(".log-briefs .brief")).to_have_count(1)
    assert not phone.axe()
    page.screenshot(path=str(SHOTS / f"{lang}-log-brief-helper.png"), full_page=True)
    block.screenshot(path=str(SHOTS / f"{lang}-log-brief-helper-block.png"))
    assert not phone.problems, phone.problems


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_mentees_story_printed_names_every_broken_rule(devices, server, lang):
    """The printout of Hervé's page (the app's print style sheet): the brief with the thank-you owed for six months,
    the news of both meetings never given, the two people met never thanked; the audit's printout lists them too."""
    words = WORDS[lang]
    address, _ = scenario_account(server, "seed-mentee", lang)
    phone = devices(lang=lang, axe=False)
    phone.log_in(address, lang)
    page = phone.page
    phone.go("#/contacts/c-herve")
    expect(page.locator(".brief")).to_contain_text(words["introduced"])
    page.emulate_media(media="print")
    brief = page.locator(".brief")
    for obligation in ("thank:m1:c-herve", "report:r1", "report:r2", "thank:m2:c-anne", "thank:m3:c-marc"):
        expect(brief.locator(f'[data-obligation="{obligation}"]')).to_be_visible()
    expect(page.get_by_role("link", name=words["log_with"])).to_be_hidden()  # nothing to tap on paper
    page.screenshot(path=str(SHOTS / f"{lang}-story-mentee-print.png"), full_page=True)
    page.emulate_media(media="screen")
    phone.go("#/audit")
    table = page.locator(".audit-result .audit-table").first
    expect(table.locator("tbody tr")).to_have_count(8)
    page.emulate_media(media="print")
    for obligation in ("thank:m1:c-herve", "report:r1", "report:r2", "thank:m2:c-anne", "thank:m3:c-marc"):
        expect(table.locator(f'[data-obligation="{obligation}"]')).to_be_visible()


def large_log(people: int = 200) -> list[dict]:
    """A large account's log: `people` contacts, each met once or twice between May and November 2026, some thanked
    on time, some late, some never; some referrals both ways with their outcomes and news; deterministic."""
    events: list[dict] = []

    def add(kind: str, day: str, data: dict, time: str = "10:00") -> None:
        events.append({"id": f"big-{len(events):05d}", "type": kind, "v": 1, "at": f"{day}T{time}:00+02:00",
                       "data": data})

    start = dt.date(2026, 5, 4)
    for i in range(people):
        contact = f"c-{i:03d}"
        add("contact_added", "2026-05-01", {"contact": contact, "name": f"Personne {i:03d}", "org": f"Org {i % 17}"})
    for i in range(people):
        contact, met = f"c-{i:03d}", start + dt.timedelta(days=(i * 7) % 180)
        add("meeting_logged", met.isoformat(), {"meeting": f"m{i}", "contacts": [contact],
                                                "host": "me" if i % 3 == 0 else "them"})
        if i % 3 == 0:  # I received them: they owe me a thank-you
            if i % 2 == 0:
                add("thanks_received", (met + dt.timedelta(days=1 + i % 4)).isoformat(), {"contact": contact})
        elif i % 4 != 1:  # thanked, on time or late
            add("thanks_sent", (met + dt.timedelta(days=1 + i % 5)).isoformat(),
                {"contact": contact, "channel": "email", "meeting": f"m{i}"})
        if i % 10 == 0 and i + 1 < people:  # a name given, a meeting obtained, sometimes the news
            add("referral_made", met.isoformat(), {"referral": f"r{i}", "to": contact, "referred": f"c-{i + 1:03d}"},
                "11:00")
            outcome = met + dt.timedelta(days=12)
            add("referral_outcome", outcome.isoformat(), {"referral": f"r{i}", "outcome": "meeting_obtained"})
            if i % 20 == 0:
                add("update_received", (outcome + dt.timedelta(days=3)).isoformat(), {"referral": f"r{i}"})
    events.sort(key=lambda e: (e["at"], e["id"]))
    return [e for e in events if e["at"] < "2026-11-18"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_coach_page_of_a_large_account_reads_on_a_phone_light_and_dark(server, browser, lang):  # noqa: F811
    """A coach page of ~200 relationships: the summary first, the audit's thousand rows folded, an index of the
    people linking to each, each relationship folded to its name and what is still open; in the owner's language,
    light and dark (prefers-color-scheme, under the page's strict CSP), axe-clean at phone size; on paper every
    relationship unfolds."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    token = sign_up(server.url, email(), timezone=ZONE, language=lang)["token"]
    lines = [json.dumps(e, ensure_ascii=False) for e in large_log()]
    answer = httpx.post(f"{server.url}/api/import", content="\n".join(lines) + "\n", headers=bearer(token), timeout=60)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(lines), answer.text
    made = httpx.post(f"{server.url}/api/shares", json={"label": "Coach", "expires_in_days": 7, "scope": "audit"},
                      headers=bearer(token), timeout=10)
    assert made.status_code == 201, made.text
    url = server.url + made.json()["url"]
    colours = {}
    for dark in (False, True):
        theme = "dark" if dark else "light"
        coach = browser.new_context(viewport=PHONE, locale="fr-FR" if lang == "fr" else "en-GB", timezone_id=ZONE,
                                    color_scheme=theme, service_workers="block")
        coach.add_init_script(path=str(AXE))
        try:
            page = coach.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            assert page.goto(url).status == 200
            assert page.locator("html").get_attribute("lang") == lang
            # the summary first: the first heading after the title is the whole network's
            expect(page.locator("h2").first).to_have_id("network")
            expect(page.locator("nav.people li")).to_have_count(200)
            people = page.locator("details.person")
            expect(people).to_have_count(200)
            assert page.evaluate("() => [...document.querySelectorAll('details.person')].every(d => !d.open)")
            assert page.evaluate("() => !document.querySelector('section[aria-labelledby=audit] details').open")
            # a link of the index leads to that person; their story unfolds with a tap
            target = page.locator("details.person").nth(57)
            name = target.locator("summary h3").inner_text()
            assert page.evaluate("() => !document.querySelector('nav.people details').open")
            page.locator("nav.people summary").click()
            page.locator("nav.people a").nth(57).click()
            assert page.evaluate("() => location.hash") == "#person-57"
            expect(target.locator(".brief")).to_be_hidden()
            target.locator("summary").click()
            expect(target.locator(".brief")).to_be_visible()
            assert name
            # readable at phone width: nothing wider than the screen
            wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
            assert not wide, "wider than the phone"
            colours[theme] = page.evaluate("() => [getComputedStyle(document.body).backgroundColor,"
                                           " getComputedStyle(document.body).color]")
            violations = axe_violations(page, serious_only=True)
            assert violations == [], violations
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=str(SHOTS / f"{lang}-{theme}-coach-large.png"))
            target.screenshot(path=str(SHOTS / f"{lang}-{theme}-coach-large-person.png"))
            page.locator("nav.people").screenshot(path=str(SHOTS / f"{lang}-{theme}-coach-large-index.png"))
            page.set_viewport_size({"width": 360, "height": 740})
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "wider than 360 px"
            page.locator("section[aria-labelledby=audit] summary").click()
            page.locator("section[aria-labelledby=audit] tbody tr").nth(3).scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{lang}-{theme}-coach-large-audit-360.png"))
            if not dark:  # on paper, every relationship unfolds
                page.emulate_media(media="print")
                expect(people.nth(150).locator(".brief")).to_be_visible()
                page.emulate_media(media="screen")
            assert not problems, problems
        finally:
            coach.close()
    assert colours["light"] != colours["dark"]
    assert colours["dark"][0] == "rgb(20, 20, 23)"


AUDIT_DAY = "2026-11-30"
"""The audit's date in the printout tests: their server's clock and their pages' start there (the date field goes
up to today)."""
NOV_30 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo(ZONE))


@pytest.fixture(scope="module")
def november_30(tmp_path_factory):
    """A server of its own whose clock starts on 2026-11-30 (and its own sign-up allowance: the module's server
    counts the sign-ups of one address)."""
    data = tmp_path_factory.mktemp("nov30") / "data"
    with MerciServer(data, env={"MERCI_CLOCK_START": NOV_30.isoformat()}) as running:
        yield running


@pytest.fixture
def late_devices(browser, november_30):  # noqa: F811
    """Devices of `november_30`, their clock pinned there too."""
    yield from device_maker(browser, november_30, pinned=NOV_30)

PRINTED = {
    # the mentor's side (seed-helper): what Paul still owes, and the thank-yous nothing in the log can show
    ("seed-helper", "en"): ["Paul to thank you for the meeting of", "still owed since",
                            "Paul to tell you how it went with Anne", "Paul to tell you how it went with Marc",
                            "did Paul thank Anne? Nothing tells you so.", "did Paul thank Marc? Nothing tells you so.",
                            "To raise with Paul, kindly"],
    ("seed-helper", "fr"): ["Paul doit vous remercier pour le rendez-vous du", "toujours dû depuis le",
                            "Paul doit vous dire comment s’est passé le contact avec Anne",
                            "Paul doit vous dire comment s’est passé le contact avec Marc",
                            "est-ce que Paul a remercié Anne ? Rien ne vous le dit.",
                            "est-ce que Paul a remercié Marc ? Rien ne vous le dit.", "À évoquer avec Paul, avec tact"],
    # the mentee's side (seed-mentee): what I owe Hervé, and the two people met, never thanked
    ("seed-mentee", "en"): ["Thank Hervé for the meeting of", "still owed since",
                            "Tell Hervé how it went with Anne", "Tell Hervé how it went with Marc",
                            "And the people Hervé introduced you to", "Thank Anne for the meeting of",
                            "Thank Marc for the meeting of"],
    ("seed-mentee", "fr"): ["Remercier Hervé pour le rendez-vous du", "toujours dû depuis le",
                            "Dire à Hervé comment s’est passé le contact avec Anne",
                            "Dire à Hervé comment s’est passé le contact avec Marc",
                            "Et les personnes que Hervé vous a présentées", "Remercier Anne pour le rendez-vous du",
                            "Remercier Marc pour le rendez-vous du"],
}
WHO = {"seed-helper": ("c-paul", "Paul"), "seed-mentee": ("c-herve", "Hervé")}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("seed", ["seed-helper", "seed-mentee"])
def test_the_audits_printout_names_what_each_relationship_still_owes_and_the_mentors_question(late_devices, november_30,
                                                                                                seed, lang):
    """The audit as of 2026-11-30, printed (print media), for the whole network and for one person: the rows of
    what is still owed both ways, and under them each relationship's open story notes — the mentor's question
    (did Paul thank Anne and Marc? nothing tells me so), the mentee's two people met never thanked — at phone
    size, axe-clean, in both languages."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, _ = scenario_account(november_30, seed, lang)
    phone = late_devices(lang=lang, axe=True, dark=lang == "fr")  # the screen dark in French, light in English
    width = 360 if seed == "seed-mentee" else 390
    phone.page.set_viewport_size({"width": width, "height": 844})
    phone.log_in(address, lang)
    page = phone.page
    phone.go("#/audit")
    expect(page.locator(".audit-dates input[type=date]").first).to_have_value(AUDIT_DAY)
    result = page.locator(".audit-result")
    expect(result.locator(".audit-table").first.locator("tbody tr")).not_to_have_count(0)
    contact, name = WHO[seed]
    note = result.locator(f'.audit-notes .audit-note[data-contact="{contact}"]')
    expect(note).to_have_count(1)
    found = {"screen": phone.axe()}
    short = seed.split("-")[1]
    page.screenshot(path=str(SHOTS / f"{lang}-{width}-audit-notes-{short}.png"), full_page=True)
    result.locator(".audit-notes").screenshot(path=str(SHOTS / f"{lang}-{width}-audit-notes-{short}-block.png"))

    def printed() -> str:
        page.emulate_media(media="print")
        try:
            return result.inner_text()  # what is displayed: the filters, the buttons are not on paper
        finally:
            page.emulate_media(media="screen")

    whole = printed()
    for words in PRINTED[(seed, lang)]:
        assert words in whole, f"{words!r} not in the printout of the whole network:\n{whole}"
    if seed == "seed-helper":  # the question is the mentor's, asked once per person met
        assert whole.count("Nothing tells you so" if lang == "en" else "Rien ne vous le dit") == 2
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / f"{lang}-{width}-audit-print-{short}.png"), full_page=True)
    page.emulate_media(media="screen")

    # one person: their rows, their notes just under them, and the printout says whose it is
    page.locator(".audit-filters select").first.select_option(contact)
    expect(result.locator(".audit-notes .audit-note")).to_have_count(1)
    one = printed()
    for words in PRINTED[(seed, lang)]:
        assert words in one, f"{words!r} not in the printout for {name}:\n{one}"
    assert ("For {} only" if lang == "en" else "Pour {} seulement").format(name) in one
    found["person"] = phone.axe()
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / f"{lang}-{width}-audit-print-{short}-{contact}.png"), full_page=True)
    page.emulate_media(media="screen")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"
    # what was kept, or what is owed the other way, has no such note
    page.locator(".audit-filters select").nth(3).select_option("kept")
    expect(result.locator(".audit-notes")).to_have_count(0)
    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_log_forms_brief_follows_what_another_device_records_and_keeps_what_is_typed(devices, server, lang):
    """Two devices of one account. On the phone, the log form with Paul picked shows the thank-you owed to Paul in
    his brief; the note and the place are being typed. The laptop records the thanks (Today, Done): the live
    stream brings it, the phone's brief drops the thank-you, and the form is not redrawn — the note, the place and
    Paul picked stay as they were."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, _ = seeded_account(server, lang)
    phone, laptop = devices(lang=lang, axe=True), devices(lang=lang)
    phone.log_in(address, lang)
    laptop.log_in(address, lang)
    page = phone.page
    page.wait_for_selector("html[data-live=on]", state="attached", timeout=20_000)
    phone.go("#/log?with=c-paul")
    block = page.locator('.log-briefs .brief[data-contact="c-paul"]')
    thank = block.locator('[data-obligation="thank:m-paul:c-paul"]')
    expect(thank).to_be_visible()
    note = page.get_by_label("Note")
    note.fill("Parlé de son projet fintech, lui envoyer l’article" if lang == "fr"
              else "Talked about his fintech plan")
    typed = note.input_value()
    place = page.get_by_label("Lieu" if lang == "fr" else "Place")
    place.fill("Café de Flore")
    page.screenshot(path=str(SHOTS / f"{lang}-log-brief-before-sync.png"), full_page=True)

    laptop.go("#/today")
    card = laptop.page.locator('li[data-obligation="thank:m-paul:c-paul"]')
    card.get_by_role("button", name="Fait" if lang == "fr" else "Done", exact=True).click()
    expect(card).to_have_count(0)

    expect(thank).to_have_count(0, timeout=15_000)  # the live stream (or the timed round) brought it
    assert note.input_value() == typed and place.input_value() == "Café de Flore"
    expect(page.locator(".chips .chip")).to_have_count(1)
    expect(page.locator(".chips .chip")).to_contain_text("Paul")
    assert page.evaluate("() => location.hash") == "#/log?with=c-paul"
    assert not phone.axe()
    page.screenshot(path=str(SHOTS / f"{lang}-log-brief-after-sync.png"), full_page=True)
    # the meeting saved from that form keeps what was typed
    page.locator("form.log button[type=submit]").click()
    page.wait_for_function("() => location.hash === '#/today'")
    phone.wait_synced()
    saved = [e for e in page.evaluate("async () => (await import('/lib/db.js')).allEvents()")
             if e["type"] == "meeting_logged" and e["data"].get("place") == "Café de Flore"]
    assert [e["data"]["note"] for e in saved] == [typed] and saved[0]["data"]["contacts"] == ["c-paul"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_contact_pages_story_names_an_idea_shared_from_the_inbox_by_its_title(late_devices, november_30, lang):
    """Paul's timeline: an idea saved in the inbox then shared with Paul reads by its title (as corrected), one
    shared as free text as it was written."""
    address, token = scenario_account(november_30, "seed-helper", lang)
    ideas = [
        {"id": "idea-1", "type": "idea_saved", "v": 1, "at": "2026-09-01T09:00:00+02:00",
         "data": {"idea": "i-ob", "title": "Open banking", "link": "https://example.org/ob"}},
        {"id": "idea-2", "type": "event_corrected", "v": 1, "at": "2026-09-01T09:05:00+02:00",
         "data": {"event": "idea-1", "data": {"idea": "i-ob", "title": "Open banking, five years on",
                                              "link": "https://example.org/ob"}}},
        {"id": "idea-3", "type": "idea_shared", "v": 1, "at": "2026-09-02T09:00:00+02:00",
         "data": {"contact": "c-paul", "idea": "i-ob", "link": "https://example.org/ob"}},
    ]
    answer = httpx.post(f"{november_30.url}/api/import", content="".join(json.dumps(e) + "\n" for e in ideas),
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(ideas), answer.text
    phone = late_devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    phone.go("#/contacts/c-paul")
    line = phone.page.locator('ol.timeline.story > li[data-event="idea-3"]')
    expect(line).to_contain_text("You shared ‘Open banking, five years on’ with Paul" if lang == "en"
                                 else "Vous avez partagé «\u00a0Open banking, five years on\u00a0» avec Paul")
    assert not phone.axe()
    line.screenshot(path=str(SHOTS / f"{lang}-story-idea-shared.png"))
