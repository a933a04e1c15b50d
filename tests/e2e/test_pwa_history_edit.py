"""Editing, removing and merging from a contact's page, in a real browser against a real `merci serve` (issue 12):
a meeting's date edited from the story's timeline moves its thank and the line says it was corrected; a thanks
removed from the history re-opens the thank, and the toast's Undo brings it back; two records of one person
merged from the contact page (and from the `#/merge/{a}/{b}` route the Contacts list links to) make one contact
with both histories, and Undo splits them again. Phone viewport (390 and 360 px), French and English, light and
dark, axe-clean with the edit form and the merge picker open; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, bearer, sign_up, whole_log
from .test_pwa_browser import CHROMIUM, SHOTS, ZONE, browser, devices, email, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

NARROW = {"width": 360, "height": 780}

WORDS = {
    "en": {"edit": "Edit", "remove": "Remove", "save": "Save", "undo": "Undo", "merge_with": "Merge with…",
           "merge": "Merge", "corrected": "Corrected on", "toast_corrected": "Corrected.",
           "toast_removed": "Removed from the history.", "search": "Find the other record",
           "what": "Herve Martin's history will join Hervé Martin's.", "when": "Date and time"},
    "fr": {"edit": "Modifier", "remove": "Retirer", "save": "Enregistrer", "undo": "Annuler",
           "merge_with": "Fusionner avec…", "merge": "Fusionner", "corrected": "Corrigé le",
           "toast_corrected": "Corrigé.", "toast_removed": "Retiré de l’historique.", "search": "Trouver l’autre fiche",
           "what": "L’historique de Herve Martin rejoindra celui de Hervé Martin.", "when": "Date et heure"},
}


def seeded(server, lang: str) -> tuple[str, str, dict[str, str]]:
    """Hervé Martin met three days ago (his thank-you overdue); Anne Leroy met five days ago and thanked the day
    after, and gave me the name of "Herve Martin", the same man as Hervé added again with his email, who received me
    six days ago. A job found this morning."""
    address = email()
    token = sign_up(server.url, address, timezone=ZONE, language=lang)["token"]
    now = NOW.astimezone(ZoneInfo(ZONE))
    ids: dict[str, str] = {}

    def at(days_ago: int, hour: int = 10) -> str:
        return (now - dt.timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()

    def event(key: str, type_: str, when: str, **data) -> dict:
        ids[key] = str(uuid.uuid4())
        return {"id": ids[key], "type": type_, "v": 1, "at": when, "data": data}

    events = [
        event("add-herve", "contact_added", at(20), contact="c-herve", name="Hervé Martin", org="Atelier Martin"),
        event("add-herve2", "contact_added", at(20), contact="c-herve2", name="Herve Martin", email="herve.m@example.org"),
        event("add-anne", "contact_added", at(20), contact="c-anne", name="Anne Leroy", org="Lumen"),
        event("m-herve2", "meeting_logged", at(6), meeting="m-herve2", contacts=["c-herve2"], host="me"),
        event("m-anne", "meeting_logged", at(5), meeting="m-anne", contacts=["c-anne"], kind="coffee", place="Café de la Paix"),
        event("t-anne", "thanks_sent", at(4), contact="c-anne", meeting="m-anne", channel="email"),
        event("r-anne", "referral_given", at(5), referral="r-anne", introducer="c-anne", referred="c-herve2", meeting="m-anne"),
        event("m-herve", "meeting_logged", at(3), meeting="m-herve", contacts=["c-herve"], place="Atelier Martin"),
        event("job", "job_found", at(0, 8), employer="Lumen"),
    ]
    answer = httpx.post(f"{server.url}/api/import", content="".join(json.dumps(e) + "\n" for e in events),
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(events), answer.text
    return address, token, ids


def obligations(phone) -> dict[str, dict]:
    return {o["id"]: o for o in phone.projection()["obligations"]}


def story_line(page, event_id: str):
    return page.locator(f'ol.timeline.story > li[data-event="{event_id}"]')


def shoot(page, name: str, at=None) -> None:
    """The whole page at 390 px, and the screen a person sees at 360 px (around `at`, a locator, if given)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(NARROW)
    page.wait_for_timeout(100)
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= NARROW["width"], f"{name}: wider than 360 px"
    if at is not None:
        at.evaluate("(el) => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(100)
    page.screenshot(path=str(SHOTS / f"{name}-360.png"))
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.mark.parametrize("lang, dark", [("en", False), ("fr", True)])
def test_a_meetings_date_edited_from_the_history_moves_its_thank_and_says_corrected(devices, server, lang, dark):
    words, theme = WORDS[lang], "dark" if dark else "light"
    address, token, ids = seeded(server, lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    assert obligations(phone)["thank:m-herve:c-herve"]["status"] == "overdue"

    phone.go("#/contacts/c-herve")
    line = story_line(page, ids["m-herve"])
    line.locator("[data-tool=edit]").click()
    form = line.locator("form.edit-event")
    expect(form).to_be_visible()
    expect(form.get_by_label(words["when"])).to_have_value(
        (NOW.astimezone(ZoneInfo(ZONE)) - dt.timedelta(days=3)).strftime("%Y-%m-%dT10:00"))
    expect(form.get_by_label("Place" if lang == "en" else "Lieu")).to_have_value("Atelier Martin")
    assert phone.axe() == []
    shoot(page, f"{lang}-{theme}-history-edit", line)

    # it was yesterday, in fact: the thank-you is due today, no longer overdue
    yesterday = (NOW.astimezone(ZoneInfo(ZONE)) - dt.timedelta(days=1)).strftime("%Y-%m-%dT11:15")
    form.get_by_label(words["when"]).fill(yesterday)
    form.get_by_role("button", name=words["save"]).click()
    expect(page.locator("#toast [role=status]")).to_have_text(words["toast_corrected"])
    line = story_line(page, ids["m-herve"])
    expect(line.locator(".changed")).to_contain_text(words["corrected"])
    thank = obligations(phone)["thank:m-herve:c-herve"]
    assert (thank["due"], thank["status"]) == (NOW.date().isoformat(), "due"), thank
    expect(line.locator(".story-ob")).to_have_attribute("data-kept", "due")
    expect(line.locator("[data-tool=edit]")).to_be_focused()  # the focus back where it was, the form closed
    expect(line.locator("form.edit-event")).to_have_count(0)
    shoot(page, f"{lang}-{theme}-history-corrected", line)

    phone.wait_synced()
    corrections = [e for e in whole_log(server.url, token) if e["type"] == "event_corrected"]
    assert [c["data"]["event"] for c in corrections] == [ids["m-herve"]]
    assert corrections[0]["data"]["at"].startswith(yesterday[:16])
    assert corrections[0]["data"]["data"] == {"meeting": "m-herve", "contacts": ["c-herve"], "place": "Atelier Martin"}
    audit = httpx.get(f"{server.url}/api/audit", params={"as_of": NOW.date().isoformat()}, headers=bearer(token),
                      timeout=10).json()
    assert audit == phone.projection(), "the server's engine and the phone's disagree"

    # the toast's Undo, a moment later, takes the correction back (an event_retracted of it)
    page.locator("#toast").get_by_role("button", name=words["undo"]).click()
    expect(story_line(page, ids["m-herve"]).locator(".changed")).to_have_count(0)
    assert obligations(phone)["thank:m-herve:c-herve"]["status"] == "overdue"


@pytest.mark.parametrize("lang, dark", [("en", True), ("fr", False)])
def test_a_thanks_removed_from_the_history_reopens_the_thank_and_undo_brings_it_back(devices, server, lang, dark):
    words, theme = WORDS[lang], "dark" if dark else "light"
    address, token, ids = seeded(server, lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    assert obligations(phone)["thank:m-anne:c-anne"]["status"] == "done"

    phone.go("#/contacts/c-anne")
    line = story_line(page, ids["t-anne"])
    line.locator("[data-tool=remove]").click()
    confirm = line.locator(".remove-confirm")
    expect(confirm).to_be_visible()
    assert phone.axe() == []
    shoot(page, f"{lang}-{theme}-history-remove", line)
    confirm.get_by_role("button", name=words["remove"]).click()
    expect(page.locator("#toast [role=status]")).to_have_text(words["toast_removed"])
    expect(story_line(page, ids["t-anne"])).to_have_count(0)
    expect(page.locator("#story-h")).to_be_focused()  # the line left: the focus goes to the timeline's heading
    assert obligations(phone)["thank:m-anne:c-anne"]["status"] == "overdue"
    expect(page.locator('.brief [data-obligation="thank:m-anne:c-anne"]')).to_be_visible()
    # the record says it changed, and when (DESIGN: the history lists the removals that touched it)
    changes = page.locator(".record-changes")
    changes.locator("summary").click()
    expect(changes).to_have_attribute("open", "")
    expect(changes.locator('li[data-change="retracted"]')).to_have_text(
        "Wed, 18 Nov 2026: removed — Thanks sent of Sat, 14 Nov 2026" if lang == "en" else
        "mer. 18 nov. 2026\u00a0: retiré — Remerciement envoyé du sam. 14 nov. 2026")
    assert phone.axe() == []
    shoot(page, f"{lang}-{theme}-history-changes", changes)

    # Undo: a retraction cannot be retracted, so the thanks is logged again; the thank is kept again
    page.locator("#toast").get_by_role("button", name=words["undo"]).click()
    expect(page.locator('.brief [data-obligation="thank:m-anne:c-anne"]')).to_have_count(0)
    assert obligations(phone)["thank:m-anne:c-anne"]["status"] == "done"
    phone.wait_synced()
    log = whole_log(server.url, token)
    assert [e["data"] for e in log if e["type"] == "event_retracted"] == [{"event": ids["t-anne"]}]
    again = [e for e in log if e["type"] == "thanks_sent" and e["id"] != ids["t-anne"]]
    assert [(e["at"][:16], e["data"]) for e in again] == [
        ((NOW.astimezone(ZoneInfo(ZONE)) - dt.timedelta(days=4)).strftime("%Y-%m-%dT10:00"),
         {"contact": "c-anne", "meeting": "m-anne", "channel": "email"})]


@pytest.mark.parametrize("lang, dark", [("en", False), ("fr", True)])
def test_two_records_merged_from_the_contact_page_are_one_and_undo_splits_them(devices, server, lang, dark):
    words, theme = WORDS[lang], "dark" if dark else "light"
    address, token, ids = seeded(server, lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    phone.log_in(address, lang)
    page = phone.page

    phone.go("#/contacts/c-herve")
    page.get_by_role("link", name=words["merge_with"]).click()
    page.wait_for_function("() => location.hash === '#/merge/c-herve'")
    picks = page.locator(".merge-picks a")
    expect(picks).to_have_count(1)  # the likely duplicate first: the same name, accents aside
    expect(picks.first).to_contain_text("Herve Martin")
    search = page.get_by_label(words["search"])
    search.fill("LEROY")
    expect(picks).to_have_count(1)
    expect(picks.first).to_contain_text("Anne Leroy")
    search.fill("zzz")
    expect(picks).to_have_count(0)
    expect(page.locator(".merge [role=status]")).to_contain_text("zzz")
    search.fill("herve")  # accents aside
    expect(picks).to_have_count(1)
    assert phone.axe() == []
    shoot(page, f"{lang}-{theme}-merge-picker")

    picks.first.click()
    page.wait_for_function("() => location.hash === '#/merge/c-herve/c-herve2'")
    expect(page.locator(".merge-what")).to_have_text(words["what"] + (
        " What only Herve Martin's card has (email, phone…) fills in what Hervé Martin's lacks." if lang == "en" else
        " Ce que seule la fiche de Herve Martin contient (e-mail, téléphone…) complète celle de Hervé Martin."))
    assert phone.axe() == []
    shoot(page, f"{lang}-{theme}-merge-confirm")
    page.get_by_role("button", name=words["merge"], exact=True).click()
    page.wait_for_function("() => location.hash === '#/contacts/c-herve'")
    expect(story_line(page, ids["m-herve2"])).to_have_count(1)  # Herve's meeting is Hervé's now
    expect(story_line(page, ids["m-herve"])).to_have_count(1)
    expect(page.locator('a[href="mailto:herve.m@example.org"]')).to_be_visible()  # his email fills in
    contacts = page.evaluate("async () => (await import('/ui/model.js')).contacts().map(c => c.id).sort()")
    assert contacts == ["c-anne", "c-herve"]
    assert "thank:m-herve2:c-herve" in obligations(phone)
    shoot(page, f"{lang}-{theme}-merged")

    # Undo: the merge is retracted, the two are apart again
    page.locator("#toast").get_by_role("button", name=words["undo"]).click()
    expect(story_line(page, ids["m-herve2"])).to_have_count(0)
    contacts = page.evaluate("async () => (await import('/ui/model.js')).contacts().map(c => c.id).sort()")
    assert contacts == ["c-anne", "c-herve", "c-herve2"]
    assert "thank:m-herve2:c-herve2" in obligations(phone)

    # the route the Contacts list's duplicate warning links to, then split again from the history's merge line
    phone.go("#/merge/c-herve2/c-herve")
    expect(page.locator(".merge-what")).to_contain_text(
        "Hervé Martin's history will join Herve Martin's." if lang == "en" else
        "L’historique de Hervé Martin rejoindra celui de Herve Martin.")
    page.get_by_role("button", name=words["merge"], exact=True).click()
    page.wait_for_function("() => location.hash === '#/contacts/c-herve2'")
    expect(story_line(page, ids["m-herve"])).to_have_count(1)
    merge_line = page.locator('ol.timeline.story > li[data-type="contacts_merged"]')
    merge_line.locator("[data-tool=remove]").click()
    merge_line.locator(".remove-confirm .button.danger").click()
    expect(story_line(page, ids["m-herve"])).to_have_count(0)
    phone.wait_synced()
    log = whole_log(server.url, token)
    merges = [e for e in log if e["type"] == "contacts_merged"]
    assert [m["data"] for m in merges] == [{"from": "c-herve2", "into": "c-herve"}, {"from": "c-herve", "into": "c-herve2"}]
    assert [e["data"]["event"] for e in log if e["type"] == "event_retracted"] == [m["id"] for m in merges]
    audit = httpx.get(f"{server.url}/api/audit", params={"as_of": NOW.date().isoformat()}, headers=bearer(token),
                      timeout=10).json()
    assert audit == phone.projection(), "the server's engine and the phone's disagree"


def test_the_people_of_a_meeting_a_referral_and_a_thanks_are_edited_from_the_history(devices, server):
    address, token, ids = seeded(server, "en")
    phone = devices(lang="en", axe=True)
    phone.log_in(address, "en")
    page = phone.page
    phone.go("#/contacts/c-anne")

    # Hervé was at the coffee too: he is owed a thank-you as well
    line = story_line(page, ids["m-anne"])
    line.locator("[data-tool=edit]").click()
    form = line.locator("form.edit-event")
    form.get_by_label("Add someone to this meeting").select_option("c-herve")
    expect(form.get_by_role("checkbox", name="Hervé Martin")).to_be_checked()
    form.get_by_label("Place").fill("Café de Flore")
    form.get_by_role("button", name="Save").click()
    line = story_line(page, ids["m-anne"])
    expect(line).to_contain_text("Hervé Martin")
    expect(line).to_contain_text("Café de Flore")
    assert obligations(phone)["thank:m-anne:c-herve"]["status"] == "overdue"

    # the name Anne gave was Hervé's, not his duplicate's
    line = story_line(page, ids["r-anne"])
    line.locator("[data-tool=edit]").click()
    form = line.locator("form.edit-event")
    expect(form.get_by_label("The name you received")).to_have_value("c-herve2")
    form.get_by_label("The name you received").select_option("c-herve")
    assert phone.axe() == []
    form.get_by_role("button", name="Save").click()
    expect(story_line(page, ids["r-anne"])).to_contain_text("Anne Leroy gave you the name of Hervé Martin")

    # the thanks went by letter; saving it unchanged says so and records nothing
    line = story_line(page, ids["t-anne"])
    line.locator("[data-tool=edit]").click()
    form = line.locator("form.edit-event")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".error")).to_have_text("Nothing was changed.")
    form.get_by_label("How").select_option("letter")
    form.get_by_role("button", name="Save").click()
    expect(story_line(page, ids["t-anne"])).to_contain_text("(letter)")
    expect(story_line(page, ids["t-anne"]).locator(".changed")).to_contain_text("Corrected on Wed, 18 Nov 2026")

    # the job: its title, found yesterday in fact (the day everyone who helped is told from)
    line = story_line(page, ids["job"])
    expect(line).to_contain_text("You found a job — Lumen")
    line.locator("[data-tool=edit]").click()
    form = line.locator("form.edit-event")
    form.get_by_label("Job title (optional)").fill("Product designer")
    form.get_by_label("When you found it").fill((NOW.astimezone(ZoneInfo(ZONE)) - dt.timedelta(days=1)).strftime("%Y-%m-%dT18:00"))
    form.get_by_role("button", name="Save").click()
    expect(story_line(page, ids["job"])).to_contain_text("You found a job — Product designer — Lumen")
    announce = obligations(phone)[f"announce:{ids['job']}:c-anne"]
    assert announce["due"] == (NOW.date() - dt.timedelta(days=1)).isoformat(), announce  # the rule's D: due that day

    phone.wait_synced()
    corrected = [e["data"] for e in whole_log(server.url, token) if e["type"] == "event_corrected"]
    assert corrected == [
        {"event": ids["m-anne"], "data": {"meeting": "m-anne", "contacts": ["c-anne", "c-herve"], "kind": "coffee",
                                          "place": "Café de Flore"}},
        {"event": ids["r-anne"], "data": {"referral": "r-anne", "introducer": "c-anne", "referred": "c-herve",
                                          "meeting": "m-anne"}},
        {"event": ids["t-anne"], "data": {"contact": "c-anne", "meeting": "m-anne", "channel": "letter"}},
        {"event": ids["job"], "at": corrected[-1].get("at"), "data": {"job": "Product designer", "employer": "Lumen"}},
    ]
    assert corrected[-1]["at"].startswith((NOW.date() - dt.timedelta(days=1)).isoformat() + "T18:00")
    audit = httpx.get(f"{server.url}/api/audit", params={"as_of": NOW.date().isoformat()}, headers=bearer(token),
                      timeout=10).json()
    assert audit == phone.projection(), "the server's engine and the phone's disagree"
