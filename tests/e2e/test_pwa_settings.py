"""Settings and the account in a real browser against a real `merci serve` (fr, en; light and dark): the reminders
switch drawn as a switch, a failure to subscribe said in the person's language, the searchable time-zone box in
today's names, change password, import a log, erase the account, sign-up errors in the person's language.
axe-core and screenshots."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, PASSWORD, bearer, sign_up, whole_log
from .test_pwa_browser import CHROMIUM, SHOTS, ZONE, browser, devices, email, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

TEXT = {
    "en": {"switch": "Daily reminders on this device", "failed": "This browser could not turn reminders on",
           "zone": "Time zone", "save": "Save", "saved": "Saved.", "bad_zone": "is not a time zone",
           "change": "Change password", "current": "Current password", "new": "New password",
           "wrong": "That is not your current password.", "changed": "Password changed.",
           "import": "Import a log", "file": "Log file (NDJSON)", "send": "Import",
           "imported": "Imported. New: 2 · already there: 0 · refused: 1",
           "erase": "Erase my account", "erase_go": "Erase everything for good", "warning": "Nobody can bring it back",
           "email": "Email", "password": "Password", "bad_email": "This does not look like an email address",
           "taken": "An account with this email already exists"},
    "fr": {"switch": "Rappel quotidien sur cet appareil", "failed": "Ce navigateur n’a pas pu activer les rappels",
           "zone": "Fuseau horaire", "save": "Enregistrer", "saved": "Enregistré.",
           "bad_zone": "n’est pas un fuseau horaire",
           "change": "Changer de mot de passe", "current": "Mot de passe actuel", "new": "Nouveau mot de passe",
           "wrong": "Ce n’est pas votre mot de passe actuel.", "changed": "Mot de passe changé.",
           "import": "Importer un journal", "file": "Fichier du journal (NDJSON)", "send": "Importer",
           "imported": "Import terminé. Nouveaux : 2 · déjà présents : 0 · refusés : 1",
           "erase": "Effacer mon compte", "erase_go": "Tout effacer définitivement", "warning": "Personne ne pourra",
           "email": "E-mail", "password": "Mot de passe", "bad_email": "Ce n’est pas une adresse e-mail valable",
           "taken": "Un compte existe déjà avec cet e-mail"},
}


NEW_PASSWORD = "a brand new passphrase"


def account(server, lang: str) -> tuple[str, str]:
    address = email()
    return address, sign_up(server.url, address, timezone=ZONE, language=lang)["token"]


@pytest.mark.parametrize("lang,dark", [("en", False), ("fr", False), ("en", True), ("fr", True)])
def test_the_switch_the_zone_box_and_a_failure_to_subscribe(devices, server, lang, dark):
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, token = account(server, lang)
    phone = devices(lang=lang, dark=dark, axe=True)
    phone.context.grant_permissions(["notifications"], origin=server.url)
    phone.log_in(address, lang)
    page = phone.page
    words = TEXT[lang]
    phone.go("#/settings")

    switch = page.get_by_role("switch", name=words["switch"])
    expect(switch).to_be_visible()
    box, label = switch.bounding_box(), page.locator("label.switch").bounding_box()
    assert box["width"] <= 60 and box["height"] <= 40, box  # a switch, not a full-width box
    assert label["height"] <= 60, label  # on the label's line, not above it
    found = {"settings": phone.axe()}
    page.screenshot(path=str(SHOTS / f"{lang}-{'dark' if dark else 'light'}-settings.png"), full_page=True)

    # Headless Chromium has no push service: the browser's own text stays in the console.
    switch.click()
    status = page.locator(".reminders [role=status], .reminders .error").first
    expect(status).to_contain_text(words["failed"])
    expect(switch).not_to_be_checked()
    # Chromium's own console error for that (a browser without push service), not the app's:
    phone.problems[:] = [p for p in phone.problems if "support the Push API" not in p]

    # Time zones in today's names, the account's (and the device's) first; typing searches them.
    zone = page.get_by_label(words["zone"])
    options = page.locator("datalist#zones option").evaluate_all("os => os.map(o => o.value)")
    assert options[0] == ZONE
    assert {"Asia/Kolkata", "Europe/Kyiv"} <= set(options) and not {"Asia/Calcutta", "Europe/Kiev"} & set(options)
    zone.fill("Mars/Olympus")
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator("form.settings .error")).to_contain_text(words["bad_zone"])
    zone.fill("Asia/Kolkata")
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator("#toast [role=status]")).to_have_text(words["saved"])
    # The toast says it is recorded; the badge may still say "synced" from before: wait for the server to have it.
    for _ in range(100):
        changes = [e["data"] for e in whole_log(server.url, token) if e["type"] == "settings_changed"]
        if changes[-1] != changes[0]:
            break
        page.wait_for_timeout(200)
    assert changes[-1] == {"timezone": "Asia/Kolkata"}
    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_change_password_import_a_log_and_erase_the_account(devices, server, lang):
    address, token = account(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    words = TEXT[lang]
    phone.go("#/settings")

    # Change password: the wrong current one is said so; the right one changes it.
    page.get_by_role("button", name=words["change"]).click()
    panel = page.locator("#password-panel")
    panel.get_by_label(words["current"]).fill("not my password")
    panel.get_by_label(words["new"], exact=True).fill(NEW_PASSWORD)
    panel.locator("button[type=submit]").click()
    expect(panel.get_by_text(words["wrong"])).to_be_visible()
    panel.get_by_label(words["current"]).fill(PASSWORD)
    panel.locator("button[type=submit]").click()
    expect(page.locator("#toast [role=status]")).to_have_text(words["changed"])
    answer = httpx.post(f"{server.url}/api/sessions", json={"email": address, "password": NEW_PASSWORD}, timeout=10)
    assert answer.status_code == 201, answer.text

    # Import a log: two good lines and a bad one; the good ones reach Today.
    lines = [
        {"id": str(uuid.uuid4()), "type": "contact_added", "v": 1, "at": "2026-11-17T10:00:00+01:00",
         "data": {"contact": "c-imp", "name": "Inès Durand"}},
        {"id": str(uuid.uuid4()), "type": "meeting_logged", "v": 1, "at": "2026-11-17T11:00:00+01:00",
         "data": {"meeting": "m-imp", "contacts": ["c-imp"]}},
        {"id": "x", "type": "no_such_type", "v": 1, "at": "2026-11-17T11:00:00+01:00", "data": {}},
    ]
    page.get_by_role("button", name=words["import"]).click()
    page.get_by_label(words["file"]).set_input_files(files=[{
        "name": "log.ndjson", "mimeType": "application/x-ndjson",
        "buffer": "".join(json.dumps(line) + "\n" for line in lines).encode()}])
    page.get_by_role("button", name=words["send"], exact=True).click()
    expect(page.get_by_text(words["imported"])).to_be_visible()
    assert phone.axe() == []
    page.screenshot(path=str(SHOTS / f"{lang}-settings-account.png"), full_page=True)
    phone.wait_synced()
    # (the token of sign-up's device was signed out with the other devices when the password changed)
    assert {"c-imp"} <= {e["data"].get("contact") for e in whole_log(server.url, phone.session()["token"])}
    phone.go("#/today")
    expect(page.locator('li.person[data-contact="c-imp"]')).to_be_visible()

    # Erase: a clear warning, the password asked; then nothing is left, here or on the server.
    phone.go("#/settings")
    page.get_by_role("button", name=words["erase"]).click()
    expect(page.locator(".warning-box")).to_contain_text(words["warning"])
    erase_form = page.locator("#erase-panel")
    erase_form.get_by_label(words["current"]).fill(NEW_PASSWORD)
    erase_form.locator("button[type=submit]").click()
    page.wait_for_selector("#nav[hidden]", state="attached")
    answer = httpx.post(f"{server.url}/api/sessions", json={"email": address, "password": NEW_PASSWORD}, timeout=10)
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sign_up_errors_are_in_the_persons_language(devices, server, lang):
    taken, _ = account(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.open()
    page = phone.page
    words = TEXT[lang]
    page.get_by_label(words["email"]).fill("x")
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("form .error")).to_contain_text(words["bad_email"])
    page.get_by_label(words["email"]).fill(taken)
    page.locator("form button[type=submit]").click()
    expect(page.locator("form .error")).to_contain_text(words["taken"])
    assert phone.axe() == []
    page.screenshot(path=str(SHOTS / f"{lang}-signup-error.png"))
