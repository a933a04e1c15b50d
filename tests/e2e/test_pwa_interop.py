"""Contacts in through Settings, in a real browser against a real `merci serve`: pick an Android vCard export, see
the preview (counts and reasons), import, and find the people in Contacts by an accent-free search; the calendar
feed's private link shown beside it. Screenshots in French and English."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from .server import sign_up
from .test_pwa_browser import CHROMIUM, SHOTS, browser, devices, server  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]
ANDROID = Path(__file__).parents[1] / "fixtures" / "contacts" / "android.vcf"
WORDS = {
    "en": {"counts": "3 to add, 0 to update, 1 skipped", "reason": "no name", "import": "Import",
           "done": "Imported: 3 added, 0 updated.", "search": "Search", "rotate": "Make a new link",
           "offline": "This needs a connection to the server"},
    "fr": {"counts": "3 à ajouter, 0 à mettre à jour, 1 à ignorer", "reason": "sans nom", "import": "Importer",
           "done": "Import terminé : 3 ajoutés, 0 mis à jour.", "search": "Rechercher", "rotate": "Créer un nouveau lien",
           "offline": "Il faut une connexion au serveur"},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_vcard_file_is_previewed_imported_and_its_people_found_in_contacts(devices, server, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    words = WORDS[lang]
    address = f"import-{lang}@example.org"
    account = sign_up(server.url, address, language=lang, timezone="Europe/Paris")
    phone = devices(lang=lang)
    phone.log_in(address, lang)
    phone.go("#/settings")
    page = phone.page

    # the calendar feed's private link is there to copy
    expect(page.locator("#calendar-url")).to_have_value(
        re.compile(rf"^{server.url}/cal/[A-Za-z0-9_-]{{43}}\.ics$"))

    # When an Android export is picked: the preview, nothing written yet
    page.locator("#contacts-file").set_input_files(str(ANDROID))
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_have_text(words["counts"])
    expect(page.locator(".import-preview li.skipped")).to_contain_text(words["reason"])
    page.locator(".import-preview").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{lang}-contacts-import-preview.png"))
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answer = client.get("/api/contacts", headers={"Authorization": f"Bearer {account['token']}"})
        assert answer.json()["contacts"] == []

    # Then Import: stored, and synced to this phone
    page.get_by_role("button", name=words["import"], exact=True).click()
    expect(page.locator("section[aria-labelledby=contacts-h] p[role=status]")).to_have_text(words["done"])
    phone.wait_synced()

    # And the people are in Contacts, found without typing the accents
    phone.go("#/contacts")
    page.get_by_label(words["search"]).fill("herve")
    expect(page.locator("ul.contacts")).to_contain_text("Hervé Martin")
    expect(page.locator("ul.contacts")).not_to_contain_text("Zoé Lefèvre")
    page.screenshot(path=str(SHOTS / f"{lang}-contacts-imported.png"))
    page.get_by_label(words["search"]).fill("ZOE lefevre")
    expect(page.locator("ul.contacts")).to_contain_text("Zoé Lefèvre")
    page.get_by_label(words["search"]).fill("")
    expect(page.locator("ul.contacts")).to_contain_text("Γιώργος Παπαδόπουλος")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_calendar_link_is_rotated_from_settings_and_offline_actions_say_they_need_a_connection(
        devices, server, lang):
    words = WORDS[lang]
    address = f"feed-{lang}@example.org"
    sign_up(server.url, address, language=lang, timezone="Europe/Paris")
    phone = devices(lang=lang)
    phone.log_in(address, lang)
    phone.go("#/settings")
    page = phone.page
    link = page.locator("#calendar-url")
    expect(link).to_have_value(re.compile(r"\.ics$"))
    old = link.input_value()

    # "Make a new link" warns first, then the old url is dead at once
    page.get_by_role("button", name=words["rotate"], exact=True).first.click()
    warning = page.locator(".calendar-feed .more")
    expect(warning).to_be_visible()
    page.locator(".calendar-feed .more").screenshot(path=str(SHOTS / f"{lang}-calendar-rotate-warning.png"))
    warning.get_by_role("button", name=words["rotate"], exact=True).click()
    expect(link).not_to_have_value(old)
    assert httpx.get(old, timeout=10).status_code == 404
    assert httpx.get(link.input_value(), timeout=10).text.startswith("BEGIN:VCALENDAR")

    # With no network, picking a file says the import needs a connection
    phone.context.set_offline(True)
    page.locator("#contacts-file").set_input_files(str(ANDROID))
    expect(page.locator("section[aria-labelledby=contacts-h] p[role=status]")).to_contain_text(words["offline"])
    page.screenshot(path=str(SHOTS / f"{lang}-contacts-import-offline.png"))
    phone.context.set_offline(False)
