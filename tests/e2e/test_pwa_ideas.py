"""Ideas to share, in a real browser against a real `merci serve` (issue 14): a link shared to the installed app
while OFFLINE reaches its service worker (the manifest's share_target, a POST to /share), is saved as an idea with
tags, and reaches the server once back online; the ideas inbox lists it; Today's "keep in touch" item for Paul, who
follows the same topic, offers it, and "Share" records idea_shared, which keeps in touch with Paul. A LinkedIn
profile shared without a service worker (the server's 303) becomes a new contact. Both languages, phone size,
light and dark, axe clean, screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, PASSWORD, MerciServer, bearer, sign_up, whole_log
from .test_pwa_browser import CHROMIUM, SHOTS, ZONE, browser, devices, email, server  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

NEVER_FOLLOW_MAILTO = """() => document.addEventListener('click', (event) => {
  if (event.target.closest('a[href^="mailto:"]')) event.preventDefault();
}, true)"""

ARTICLE = {"title": "Open banking, five years on", "text": "Worth a read", "url": "https://news.example.org/open-banking?ref=share"}
WORDS = {
    "en": {"share_title": "Shared with Merci", "save": "Save as an idea", "ideas": "Ideas to share",
           "offer": "Share ‘Open banking, five years on’ — you both follow Fintech", "share": "Share",
           "shared": "Shared with Paul Lemaire.", "not_shared": "not shared yet", "shared_with": "shared with Paul Lemaire",
           "contact": "A new contact", "add_contact": "Add the contact", "name": "Name"},
    "fr": {"share_title": "Partagé avec Merci", "save": "Enregistrer l’idée", "ideas": "Idées à partager",
           "offer": "Partager « Open banking, five years on » — intérêt commun : Fintech", "share": "Partager",
           "shared": "Partagée avec Paul Lemaire.", "not_shared": "pas encore partagée",
           "shared_with": "partagée avec Paul Lemaire", "contact": "Un nouveau contact", "add_contact": "Ajouter le contact",
           "name": "Nom"},
}


def seeded(server: MerciServer, lang: str) -> tuple[str, str]:
    """Paul follows fintech (and golf), Anne design; both met a hundred days ago and thanked the next day: with the
    default cadence (90 days), keeping in touch with each is due since ten days."""
    address = email()
    token = sign_up(server.url, address, timezone=ZONE, language=lang)["token"]
    now = NOW.astimezone(ZoneInfo(ZONE))

    def at(days_ago: int) -> str:
        return (now - dt.timedelta(days=days_ago)).replace(hour=10, minute=0, second=0, microsecond=0).isoformat()

    def event(type_: str, when: str, **data) -> dict:
        return {"id": str(uuid.uuid4()), "type": type_, "v": 1, "at": when, "data": data}

    events = [
        event("contact_added", at(120), contact="c-paul", name="Paul Lemaire", email="paul@example.org", tags=["Fintech", "golf"]),
        event("contact_added", at(120), contact="c-anne", name="Anne Leroy", tags=["design"]),
        event("meeting_logged", at(100), meeting="m-paul", contacts=["c-paul"]),
        event("meeting_logged", at(100), meeting="m-anne", contacts=["c-anne"]),
        event("thanks_sent", at(99), contact="c-paul", meeting="m-paul", channel="email"),
        event("thanks_sent", at(99), contact="c-anne", meeting="m-anne", channel="email"),
    ]
    answer = httpx.post(f"{server.url}/api/import", content="".join(json.dumps(e) + "\n" for e in events),
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(events), answer.text
    return address, token


SUBMIT_SHARE = """(fields) => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = '/share';
  form.enctype = 'multipart/form-data';
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}"""


def audit(server: MerciServer, token: str) -> dict:
    answer = httpx.get(f"{server.url}/api/audit", params={"as_of": NOW.date().isoformat()}, headers=bearer(token), timeout=10)
    answer.raise_for_status()
    return answer.json()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_link_shared_offline_is_saved_as_an_idea_listed_offered_to_paul_and_shared(devices, server, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    address, token = seeded(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    found = {}

    # Given the app installed and OFFLINE, when a link is shared to it (the share sheet POSTs to /share)
    phone.context.set_offline(True)
    with page.expect_navigation(url=lambda url: "#/share?draft=" in url):
        page.evaluate(SUBMIT_SHARE, ARTICLE)
    page.wait_for_selector("html[data-ready]")
    expect(page.locator("main h1")).to_have_text(words["share_title"])
    # the service worker took it: nothing reached the server, the share waits on the device
    drafts = page.evaluate("async () => (await import('/lib/db.js')).getMeta('share-drafts')")
    assert [{k: d[k] for k in ("title", "text", "url")} for d in drafts.values()] == [ARTICLE]
    expect(page.get_by_label("Title" if lang == "en" else "Titre")).to_have_value(ARTICLE["title"])
    expect(page.get_by_label("Link" if lang == "en" else "Lien")).to_have_value(ARTICLE["url"])

    # Then: tags, one suggested from Paul's and one typed
    page.locator(".tag-toggle", has_text="Fintech").click()
    expect(page.locator(".tag-toggle", has_text="Fintech")).to_have_attribute("aria-pressed", "true")
    tags = page.get_by_role("textbox", name="Tags" if lang == "en" else "Étiquettes")
    tags.fill(tags.input_value() + ", open banking")
    found["share"] = phone.axe()
    page.screenshot(path=str(SHOTS / f"{lang}-share-idea.png"), full_page=True)
    page.get_by_role("button", name=words["save"]).click()

    # The ideas inbox lists it, not shared yet; the Undo is offered
    page.wait_for_function("() => location.hash === '#/ideas'")
    card = page.locator("li.card.idea")
    expect(card).to_have_count(1)
    expect(card.locator("h3")).to_have_text(ARTICLE["title"])
    expect(card.locator("h3 a")).to_have_attribute("href", ARTICLE["url"])
    expect(card.locator(".tag")).to_have_text(["Fintech", "open banking"])
    expect(card.locator(".when")).to_contain_text(words["not_shared"])
    expect(page.locator("#toast .toast-undo")).to_be_visible()
    assert page.evaluate("async () => (await import('/lib/db.js')).getMeta('share-drafts')") == {}
    found["ideas"] = phone.axe()
    page.screenshot(path=str(SHOTS / f"{lang}-ideas.png"), full_page=True)

    # Back online: the idea reaches the server
    phone.context.set_offline(False)
    phone.wait_synced()
    saved = [e for e in whole_log(server.url, token) if e["type"] == "idea_saved"]
    assert len(saved) == 1
    idea = saved[0]["data"]
    assert idea["title"] == ARTICLE["title"] and idea["link"] == ARTICLE["url"]
    assert idea["tags"] == ["Fintech", "open banking"] and idea["note"] == ARTICLE["text"]

    # Today: keeping in touch with Paul (Fintech) offers it; with Anne (design), nothing
    phone.go("#/today")
    expect(page.locator(".ideas-link a")).to_be_visible()
    paul = page.locator('li.person[data-contact="c-paul"]')
    offer = paul.locator(".idea-offer")
    expect(offer.locator("p")).to_have_text(words["offer"])
    expect(page.locator('li.person[data-contact="c-anne"] .idea-offer')).to_have_count(0)
    share = offer.get_by_role("link", name=words["share"])
    href = share.get_attribute("href")
    assert href.startswith("mailto:paul@example.org?subject=")
    body = urllib.parse.unquote(href)
    assert ARTICLE["url"] in body and "Paul Lemaire" in body
    assert ("Thought you might like this" if lang == "en" else "Ceci pourrait vous intéresser") in body
    found["today"] = phone.axe()
    paul.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{lang}-today-idea-offer.png"))

    # "Share": idea_shared recorded (with Undo), whichever way it is sent; keeping in touch with Paul is done
    page.evaluate(NEVER_FOLLOW_MAILTO)
    page.evaluate("() => { Object.defineProperty(navigator, 'share', { value: undefined, configurable: true }); }")
    share.click()
    expect(page.locator("#toast .toast-text")).to_have_text(words["shared"])
    expect(page.locator("#toast .toast-undo")).to_be_visible()
    expect(page.locator('li.person[data-contact="c-paul"]')).to_have_count(0)
    phone.wait_synced()
    shared = [e for e in whole_log(server.url, token) if e["type"] == "idea_shared"]
    assert [e["data"] for e in shared] == [{"contact": "c-paul", "idea": idea["idea"], "link": ARTICLE["url"]}]
    nurture = [o for o in audit(server, token)["obligations"] if o["rule"] == "nurture" and o["creditor"] == "c-paul"]
    assert [(o["status"], o["done_on"]) for o in nurture] == [("done", NOW.date().isoformat())], nurture

    # Paul's history names the idea shared
    phone.go("#/contacts/c-paul")
    expect(page.locator("main")).to_contain_text(ARTICLE["title"])

    # The inbox says with whom it was shared
    phone.go("#/ideas")
    expect(page.locator("li.card.idea .when")).to_contain_text(words["shared_with"])

    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_linkedin_profile_shared_without_a_worker_becomes_a_contact_dark_at_360_px(devices, server, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    address, token = seeded(server, lang)
    profile = "https://www.linkedin.com/in/jeanne-dupont-4b1a2c9d/"
    # No worker takes the POST (a first visit): the server sends it to the app, the share in the fragment
    answer = httpx.post(f"{server.url}/share", data={"text": profile}, follow_redirects=False, timeout=10)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/#/share?")

    phone = devices(lang=lang, dark=True, axe=True)
    phone.page.set_viewport_size({"width": 360, "height": 780})
    phone.log_in(address, lang)
    phone.go(location[1:])
    page = phone.page
    expect(page.locator("main h1")).to_have_text(words["share_title"])
    # a profile: "new contact" is chosen, the name guessed from the address, the link kept in the notes
    expect(page.get_by_role("button", name=words["contact"])).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label(words["name"], exact=True)).to_have_value("Jeanne Dupont")
    expect(page.get_by_label("Notes")).to_have_value(profile)
    found = {"share": phone.axe()}
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / f"{lang}-dark-360-share-contact.png"), full_page=True)
    page.get_by_role("button", name=words["add_contact"]).click()
    page.wait_for_function("() => location.hash.startsWith('#/contacts/')")
    expect(page.locator("main h1")).to_have_text("Jeanne Dupont")
    phone.wait_synced()
    added = [e["data"] for e in whole_log(server.url, token) if e["type"] == "contact_added" and e["data"]["name"] == "Jeanne Dupont"]
    assert len(added) == 1 and added[0]["note"] == profile

    # Her topics, given on her card (a tag already used, one typed): what Today matches ideas with
    page.get_by_role("button", name="Edit details" if lang == "en" else "Modifier la fiche").click()
    page.locator(".contact-actions .tag-toggle", has_text="Fintech").click()
    tags = page.get_by_role("textbox", name="Tags" if lang == "en" else "Étiquettes")
    tags.fill(tags.input_value() + ", néobanques")
    page.locator(".contact-actions").get_by_role("button", name="Save" if lang == "en" else "Enregistrer", exact=True).click()
    expect(page.locator("#toast .toast-text")).to_have_text("Saved." if lang == "en" else "Enregistré.")
    phone.wait_synced()
    updated = [e["data"] for e in whole_log(server.url, token) if e["type"] == "contact_updated"]
    assert updated == [{"contact": added[0]["contact"], "tags": ["Fintech", "néobanques"]}]

    # The ideas inbox, empty, one tap from Contacts, at 360 px in the dark; the idea form suggests the contacts' tags
    phone.go("#/contacts")
    page.locator(".ideas-link a").click()
    page.wait_for_function("() => location.hash === '#/ideas'")
    page.get_by_role("button", name="Add an idea" if lang == "en" else "Ajouter une idée").click()
    expect(page.locator(".tag-toggle")).to_have_text(["Fintech", "design", "golf", "néobanques"])  # the most used first
    found["ideas"] = phone.axe()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.screenshot(path=str(SHOTS / f"{lang}-dark-360-ideas.png"))

    # An idea added by hand, tagged like Paul: offered on Today, not to Anne
    form = page.locator("form.add-idea")
    form.get_by_label("Title" if lang == "en" else "Titre").fill("Les néobanques en 2026")
    form.locator(".tag-toggle", has_text="golf").click()
    form.get_by_role("button", name="Save the idea" if lang == "en" else "Enregistrer l’idée").click()
    expect(page.locator("li.card.idea h3")).to_have_text("Les néobanques en 2026")
    phone.go("#/today")
    offer = page.locator('li.person[data-contact="c-paul"] .idea-offer p')
    expect(offer).to_contain_text("golf")
    expect(page.locator('li.person[data-contact="c-anne"] .idea-offer')).to_have_count(0)
    found["today"] = phone.axe()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.locator('li.person[data-contact="c-paul"]').scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{lang}-dark-360-today-idea-offer.png"))
    phone.wait_synced()
    assert [e["data"]["tags"] for e in whole_log(server.url, token) if e["type"] == "idea_saved"] == [["golf"]]
    assert {name: v for name, v in found.items() if v} == {}


# --- the Web Share API, the contact page's offers, a share before anyone signs in --------------------------

SHARE_SHEET = """() => {
  // A stand-in for the system's share sheet (headless Chromium has none): it keeps what it was given.
  window.sharedWithTheSheet = [];
  Object.defineProperty(navigator, 'share', { configurable: true,
    value: async (data) => { window.sharedWithTheSheet.push({ ...data }); } });
  Object.defineProperty(navigator, 'canShare', { configurable: true, value: () => true });
}"""

IDEA = {"idea": "i-bank", "title": ARTICLE["title"], "link": ARTICLE["url"], "tags": ["fintech"]}


def with_an_idea(server: MerciServer, lang: str) -> tuple[str, str]:
    """`seeded`, and an idea tagged fintech (Paul's topic, whatever its case) saved yesterday."""
    address, token = seeded(server, lang)
    at = (NOW.astimezone(ZoneInfo(ZONE)) - dt.timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    saved = {"id": str(uuid.uuid4()), "type": "idea_saved", "v": 1, "at": at.isoformat(), "data": IDEA}
    answer = httpx.post(f"{server.url}/api/import", content=json.dumps(saved) + "\n", headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
    return address, token


@pytest.mark.parametrize(("lang", "dark", "width"), [("en", False, 390), ("fr", True, 360)], ids=["en-light-390", "fr-dark-360"])
def test_the_contact_page_offers_the_idea_and_share_opens_the_system_share_sheet(devices, server, lang, dark, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    address, token = with_an_idea(server, lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    phone.context.add_init_script(script=f"({SHARE_SHEET})()")
    page = phone.page
    page.set_viewport_size({"width": width, "height": 844})
    phone.log_in(address, lang)
    found = {}

    # Paul's page: its open "keep in touch" card offers the idea, as Today does; Anne's (design) offers none
    phone.go("#/contacts/c-paul")
    card = page.locator("main li.card", has=page.locator(".idea-offer"))
    expect(card).to_have_count(1)
    expect(card.locator(".idea-offer p")).to_have_text(words["offer"].replace("Fintech", "fintech"))  # as the idea has it
    expect(card.locator(".idea-offer").get_by_role("link", name=words["share"])).to_have_attribute(
        "href", re.compile(r"^mailto:paul@example\.org\?subject="))
    found["contact"] = phone.axe()
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    card.locator(".idea-offer").evaluate("(offer) => offer.scrollIntoView({ block: 'center' })")
    page.screenshot(path=str(SHOTS / f"{lang}-{'dark' if dark else 'light'}-{width}-contact-idea-offer.png"))
    phone.go("#/contacts/c-anne")
    expect(page.locator("main li.card").first).to_be_visible()
    expect(page.locator("main .idea-offer")).to_have_count(0)

    # Today: "Share" opens the system's share sheet (no email), with the idea's title, link and a line in the
    # account's language; idea_shared is recorded, with Undo
    phone.go("#/today")
    offer = page.locator('li.person[data-contact="c-paul"] .idea-offer')
    offer.get_by_role("link", name=words["share"]).click()
    expect(page.locator("#toast .toast-text")).to_have_text(words["shared"])
    assert page.evaluate("() => location.hash") == "#/today"  # no mailto followed
    sheet = page.evaluate("() => window.sharedWithTheSheet")
    line = "Thought you might like this: " if lang == "en" else "Ceci pourrait vous intéresser : "
    assert sheet == [{"title": ARTICLE["title"], "text": line + ARTICLE["title"], "url": ARTICLE["url"]}], sheet
    phone.wait_synced()
    shared = [e["data"] for e in whole_log(server.url, token) if e["type"] == "idea_shared"]
    assert shared == [{"contact": "c-paul", "idea": "i-bank", "link": ARTICLE["url"]}]

    # Kept in touch with Paul: his page has no such card left, nor any offer
    phone.go("#/contacts/c-paul")
    expect(page.locator("main h1")).to_have_text("Paul Lemaire")
    expect(page.locator("main .idea-offer")).to_have_count(0)
    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_link_shared_before_anyone_signs_in_waits_through_the_sign_in_and_is_saved_as_an_idea(devices, server, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    address, token = seeded(server, lang)
    phone = devices(lang=lang, axe=True)
    page = phone.page
    phone.open()  # the app opened on this phone, nobody signed in: no worker yet (it comes with a session)
    assert page.evaluate("() => navigator.serviceWorker.controller") is None

    # A link is shared to the app: the server takes the POST and, with no session here, sends it in the address
    with page.expect_navigation(url=lambda url: "#/share?" in url):
        page.evaluate(SUBMIT_SHARE, ARTICLE)
    page.wait_for_selector("html[data-ready]")
    hash_ = page.evaluate("() => location.hash")
    assert "draft=" not in hash_
    assert dict(urllib.parse.parse_qsl(hash_.split("?", 1)[1])) == ARTICLE
    expect(page.locator(".segmented button").nth(1)).to_be_visible()  # the sign-in screen
    expect(page.locator("#nav")).to_be_hidden()
    expect(page.locator(".notice.share-waiting")).to_have_text(
        "What you just shared is waiting: log in or sign up to save it." if lang == "en"
        else "Ce que vous venez de partager vous attend : connectez-vous ou créez votre compte pour l’enregistrer.")
    found = {"sign-in": phone.axe()}
    page.screenshot(path=str(SHOTS / f"{lang}-share-signed-out.png"), full_page=True)

    # The person signs in: the share page, with what was shared
    page.locator(".segmented button").nth(1).click()
    page.get_by_label("E-mail" if lang == "fr" else "Email").fill(address)
    page.get_by_label("Mot de passe" if lang == "fr" else "Password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("#nav:not([hidden])")
    expect(page.locator("main h1")).to_have_text(words["share_title"])
    assert page.evaluate("() => location.hash") == hash_
    expect(page.get_by_label("Title" if lang == "en" else "Titre")).to_have_value(ARTICLE["title"])
    expect(page.get_by_label("Link" if lang == "en" else "Lien")).to_have_value(ARTICLE["url"])
    expect(page.locator(".card.shared")).to_contain_text(ARTICLE["text"])
    page.locator(".tag-toggle", has_text="Fintech").click()
    found["share"] = phone.axe()
    page.get_by_role("button", name=words["save"]).click()

    page.wait_for_function("() => location.hash === '#/ideas'")
    expect(page.locator("li.card.idea h3")).to_have_text(ARTICLE["title"])
    phone.wait_synced()
    saved = [e["data"] for e in whole_log(server.url, token) if e["type"] == "idea_saved"]
    assert len(saved) == 1
    assert {k: saved[0][k] for k in ("title", "link", "note", "tags")} == {
        "title": ARTICLE["title"], "link": ARTICLE["url"], "note": ARTICLE["text"], "tags": ["Fintech"]}
    assert {name: v for name, v in found.items() if v} == {}
