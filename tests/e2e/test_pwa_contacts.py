"""The Contacts screen and a contact's page in a real browser against a real `merci serve`: every field of a
contact in the forms and on the page; the list with the last meeting, what is owed next both ways and the names
given but not met yet; a duplicate said before it is saved; a search that says when nobody matches and does not
stick across screens; the Undo toast that lets taps through; French tab labels and import messages. Phone
viewports (390 and 360 px wide), French and English, light and dark, axe-core, screenshots."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from .server import NOW, bearer, whole_log
from .test_pwa_browser import CHROMIUM, SHOTS, ZONE, browser, devices, seeded_account, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

NARROW = {"width": 360, "height": 740}

TEXT = {
    "en": {"search": "Search", "add": "Add a contact", "name": "Name", "email": "Email", "org": "Organisation",
           "more": "More fields", "phone": "Phone", "title": "Job title", "tags": "Tags", "note": "Notes",
           "cadence": "Keep in touch every … days", "save_add": "Add", "edit": "Edit details", "save": "Save",
           "no_match": "No one matches “herve z”.", "not_met": "Not met yet", "last_met": "Last met",
           "mine": "You:", "theirs": "Them:", "thank": "Say thank you", "should": "Should thank you",
           "open": "Open Hervé Martin", "merge": "Merge with Sophie Bernard", "anyway": "Add anyway",
           "same": "Already in your contacts?", "undo": "Undo", "archive": "Archive", "saved": "Saved.",
           "import": "Import a log", "file": "Log file (NDJSON)", "send": "Import"},
    "fr": {"search": "Rechercher", "add": "Ajouter un contact", "name": "Nom", "email": "E-mail", "org": "Organisation",
           "more": "Plus de champs", "phone": "Téléphone", "title": "Fonction", "tags": "Étiquettes", "note": "Notes",
           "cadence": "Garder le lien tous les … jours", "save_add": "Ajouter", "edit": "Modifier la fiche",
           "save": "Enregistrer", "no_match": "Personne ne correspond à « herve z ».",
           "not_met": "Pas encore de rencontre", "last_met": "Dernière rencontre :", "mine": "À vous :",
           "theirs": "De son côté :", "thank": "Remercier", "should": "Devrait vous remercier",
           "open": "Ouvrir Hervé Martin", "merge": "Fusionner avec Sophie Bernard", "anyway": "Ajouter quand même",
           "same": "Déjà dans vos contacts ?", "undo": "Annuler", "archive": "Archiver", "saved": "Enregistré.",
           "import": "Importer un journal", "file": "Fichier du journal (NDJSON)", "send": "Importer"},
}


def words(lang: str) -> dict[str, str]:
    """The strings as the page shows them (French puts a no-break space before « : » and « ? »)."""
    return {k: v.replace(" :", "\u00a0:").replace(" ?", "\u00a0?").replace("« ", "«\u00a0").replace(" »", "\u00a0»")
            for k, v in TEXT[lang].items()}


def with_a_name_given(server, token: str) -> None:
    """Hervé gave me Léa's name three days ago; I have not met her."""
    now = NOW.astimezone(ZoneInfo(ZONE))
    at = (now - dt.timedelta(days=3)).replace(hour=11, minute=0, second=0, microsecond=0).isoformat()
    events = [
        {"id": str(uuid.uuid4()), "type": "contact_added", "v": 1, "at": at,
         "data": {"contact": "c-lea", "name": "Léa Moreau", "org": "Studio Nord"}},
        {"id": str(uuid.uuid4()), "type": "referral_given", "v": 1, "at": at,
         "data": {"referral": "r-lea", "introducer": "c-herve", "referred": "c-lea", "meeting": "m-herve"}},
    ]
    answer = httpx.post(f"{server.url}/api/import", content="".join(json.dumps(e) + "\n" for e in events),
                        headers=bearer(token), timeout=10)
    assert answer.status_code == 200 and answer.json()["accepted"] == 2, answer.text


def row(page, contact: str):
    return page.locator(f'.contacts a[href="#/contacts/{contact}"]')


def shoot(page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(250)  # the toast's fade
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


# --- the list --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_list_shows_the_last_meeting_what_is_owed_both_ways_and_who_is_not_met_yet(devices, server, lang):
    address, token = seeded_account(server, lang)
    with_a_name_given(server, token)
    w = words(lang)
    for dark in (False, True):
        phone = devices(lang=lang, dark=dark, axe=True)
        phone.log_in(address, lang)
        page = phone.page
        phone.go("#/contacts")
        herve = row(page, "c-herve")
        # Hervé: met three days ago; I owe him a thank-you (overdue); he gave me two names.
        expect(herve.locator(".met")).to_contain_text(w["last_met"])
        expect(herve.locator(".owed").first).to_contain_text(f"{w['mine']} {w['thank']}")
        # Anne: I received her (host: me), so she owes me a thank-you, due today.
        expect(row(page, "c-anne").locator(".owed").last).to_contain_text(f"{w['theirs']} {w['should']}")
        # Léa: her name was given to me, we never met.
        expect(row(page, "c-lea").locator(".not-met")).to_have_text(w["not_met"])
        expect(row(page, "c-lea").locator(".met")).to_have_count(0)
        expect(row(page, "c-paul").locator(".not-met")).to_have_count(0)  # given, and met since
        assert phone.axe() == []
        theme = "dark" if dark else "light"
        shoot(page, f"{lang}-{theme}-contacts-list", full=True)
        page.set_viewport_size(NARROW)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
        shoot(page, f"{lang}-{theme}-contacts-list-360", full=True)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_search_says_when_no_one_matches_and_is_cleared_on_leaving(devices, server, lang):
    address, _ = seeded_account(server, lang)
    w = words(lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    phone.go("#/contacts")
    search = page.get_by_label(w["search"], exact=True)
    shown = page.locator(".contacts .name")

    for typed, found in [("herve", ["Hervé Martin"]), ("lem", ["Paul Lemaire"]), ("LUMEN", ["Anne Leroy"]),
                         ("ATELIER", ["Hervé Martin"]), ("sophie bern", ["Sophie Bernard"])]:
        search.fill(typed)
        expect(shown).to_have_text(found)
    search.fill("herve z")
    expect(page.locator(".contacts li.calm")).to_have_text(w["no_match"])
    assert phone.axe() == []
    shoot(page, f"{lang}-contacts-no-match")

    phone.go("#/today")
    phone.go("#/contacts")
    expect(page.get_by_label(w["search"], exact=True)).to_have_value("")
    expect(shown).to_have_count(4)


# --- adding, with the duplicate warning; every field -----------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_adding_someone_already_there_warns_and_offers_them(devices, server, lang):
    address, token = seeded_account(server, lang)
    w = words(lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    phone.go("#/contacts")
    page.get_by_role("button", name=w["add"]).click()
    form = page.locator(".add-contact form")
    form.get_by_label(w["name"], exact=True).fill("herve MARTIN")  # accents and case aside
    warning = form.locator(".warning")
    expect(warning).to_contain_text(w["same"])
    expect(warning.get_by_role("link", name=w["open"])).to_have_attribute("href", "#/contacts/c-herve")
    form.get_by_role("button", name=w["save_add"], exact=True).click()  # not saved: the person chooses first
    expect(form.locator(".error")).not_to_be_empty()
    assert phone.axe() == []
    shoot(page, f"{lang}-contacts-duplicate-name", full=True)
    page.set_viewport_size(NARROW)
    shoot(page, f"{lang}-contacts-duplicate-name-360", full=True)
    page.set_viewport_size({"width": 390, "height": 844})
    warning.get_by_role("link", name=w["open"]).click()
    page.wait_for_function("() => location.hash === '#/contacts/c-herve'")
    expect(page.locator("main h1")).to_have_text("Hervé Martin")

    # The same email (case aside) under another name: "Merge" saves the new one and opens the merge screen.
    phone.go("#/contacts")
    page.get_by_role("button", name=w["add"]).click()
    form.get_by_label(w["name"], exact=True).fill("S. Bernard")
    form.get_by_label(w["email"], exact=True).fill("SOPHIE@example.org")
    merge = warning.get_by_role("link", name=w["merge"])
    expect(merge).to_have_attribute("href", "#/merge/c-sophie")
    merge.click()
    page.wait_for_function("() => location.hash.startsWith('#/merge/')")
    phone.wait_synced()
    added = [e for e in whole_log(server.url, token) if e["type"] == "contact_added"]
    assert added[-1]["data"]["name"] == "S. Bernard" and len(added) == 5
    new_id = added[-1]["data"]["contact"]
    assert page.evaluate("() => location.hash") == f"#/merge/c-sophie/{new_id}"
    # The existing record (and its history) is the one kept unless the person picks the new one
    page.get_by_role("button", name="Merge" if lang == "en" else "Fusionner", exact=True).click()
    page.wait_for_function("() => location.hash === '#/contacts/c-sophie'")
    for _ in range(100):  # the merge reaches the server on the next sync
        merged = [e["data"] for e in whole_log(server.url, token) if e["type"] == "contacts_merged"]
        if merged:
            break
        page.wait_for_timeout(100)
    assert merged == [{"from": new_id, "into": "c-sophie"}]

    # "Add anyway" adds a second Hervé Martin.
    phone.go("#/contacts")
    page.get_by_role("button", name=w["add"]).click()
    form.get_by_label(w["name"], exact=True).fill("Hervé Martin")
    warning.get_by_role("button", name=w["anyway"]).click()
    expect(row(page, "c-herve")).to_have_count(1)
    expect(page.locator(".contacts .name", has_text="Hervé Martin")).to_have_count(2)
    phone.wait_synced()
    assert len([e for e in whole_log(server.url, token) if e["type"] == "contact_added"]) == 6


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_field_of_a_contact_is_added_shown_and_edited(devices, server, lang):
    address, token = seeded_account(server, lang)
    w = words(lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    phone.go("#/contacts")
    page.get_by_role("button", name=w["add"]).click()
    form = page.locator(".add-contact form")
    form.get_by_label(w["name"], exact=True).fill("Claire Dubois")
    form.get_by_label(w["email"], exact=True).fill("claire@example.org")
    form.get_by_label(w["org"], exact=True).fill("Lumen")
    form.get_by_role("button", name=w["more"]).click()
    form.get_by_label(w["phone"], exact=True).fill("+33 6 12 34 56 78")
    form.get_by_label(w["title"], exact=True).fill("Head of design")
    form.get_by_label(w["tags"], exact=True).fill("mentor, design,  mentor")
    form.get_by_label(w["note"], exact=True).fill("Met at the design meetup.\nLikes long walks.")
    form.get_by_label(w["cadence"], exact=True).fill("30")
    assert phone.axe() == []
    shoot(page, f"{lang}-contacts-add-all-fields", full=True)
    form.get_by_role("button", name=w["save_add"], exact=True).click()
    expect(page.locator("#toast").get_by_role("button", name=w["undo"])).to_be_visible()
    phone.wait_synced()
    (added,) = [e for e in whole_log(server.url, token) if e["type"] == "contact_added" and e["data"]["name"] == "Claire Dubois"]
    contact = added["data"]["contact"]
    assert added["data"] == {"contact": contact, "name": "Claire Dubois", "email": "claire@example.org", "org": "Lumen",
                             "phone": "+33 6 12 34 56 78", "title": "Head of design", "tags": ["mentor", "design"],
                             "note": "Met at the design meetup.\nLikes long walks.", "cadence_days": 30}

    # The page's header: title · organisation, the phone to call, the email, the tags, the notes.
    phone.go(f"#/contacts/{contact}")
    details = page.locator(".contact-details")
    expect(details.locator(".subtitle")).to_have_text("Head of design · Lumen")
    expect(details.locator('a[href="tel:+33612345678"]')).to_have_text("+33 6 12 34 56 78")
    expect(details.locator('a[href="mailto:claire@example.org"]')).to_be_visible()
    expect(details.locator(".tag")).to_have_text(["mentor", "design"])
    expect(details.locator(".note")).to_contain_text("Likes long walks.")
    assert phone.axe() == []
    shoot(page, f"{lang}-contact-details")

    # Edit: a new phone, the organisation emptied (cleared), one tag fewer; a tag too long is refused first.
    page.get_by_role("button", name=w["edit"]).click()
    edit = page.locator(".contact-actions form")
    expect(edit.get_by_label(w["cadence"], exact=True)).to_have_value("30")
    edit.get_by_label(w["phone"], exact=True).fill("+33 7 00 00 00 00")
    edit.get_by_label(w["org"], exact=True).fill("")
    edit.get_by_label(w["tags"], exact=True).fill("mentor, " + "x" * 51)
    edit.get_by_role("button", name=w["save"], exact=True).click()
    expect(edit.locator(".error")).to_contain_text("50")
    assert phone.axe() == []
    shoot(page, f"{lang}-contact-edit-all-fields", full=True)
    edit.get_by_label(w["tags"], exact=True).fill("mentor")
    edit.get_by_role("button", name=w["save"], exact=True).click()
    expect(page.locator(".contact-details .tag")).to_have_text(["mentor"])
    expect(page.locator(".contact-details .subtitle")).to_have_text("Head of design")
    phone.wait_synced()
    updated = [e for e in whole_log(server.url, token) if e["type"] == "contact_updated"]
    assert updated[-1]["data"] == {"contact": contact, "phone": "+33 7 00 00 00 00", "org": None, "tags": ["mentor"]}


# --- the Undo toast lets taps through; tabs and import messages in French ---------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [390, 360])
def test_the_undo_toast_does_not_block_what_it_covers(devices, server, lang, width):
    address, _ = seeded_account(server, lang)
    w = words(lang)
    phone = devices(lang=lang)
    page = phone.page
    page.set_viewport_size({"width": width, "height": 740 if width == 360 else 844})
    phone.log_in(address, lang)
    phone.go("#/contacts/c-paul")
    page.get_by_role("button", name=w["edit"]).click()
    page.locator(".contact-actions form").get_by_label(w["phone"], exact=True).fill("0102030405")
    page.locator(".contact-actions form").get_by_role("button", name=w["save"], exact=True).click()
    toast = page.locator("#toast")
    expect(toast.get_by_role("button", name=w["undo"])).to_be_visible()
    # Bring "Archive" (the page's last button) under the toast's text, just above the tabs.
    archive = page.locator("main").get_by_role("button", name=w["archive"], exact=True)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#toast .toast-text").bounding_box()
    button = archive.bounding_box()
    page.evaluate("(dy) => window.scrollBy(0, dy)", button["y"] + button["height"] / 2 - (box["y"] + box["height"] / 2))
    button = archive.bounding_box()
    box = page.locator("#toast .toast-text").bounding_box()
    x, y = box["x"] + 8, button["y"] + button["height"] / 2
    assert box["y"] <= y <= box["y"] + box["height"] and button["x"] <= x <= button["x"] + button["width"], (box, button)
    shoot(page, f"{lang}-toast-over-a-button-{width}")
    page.mouse.click(x, y)  # a tap where the toast's text is: it reaches the button under it
    expect(page.locator("main .contact-actions .more").last).to_be_visible()
    expect(toast.get_by_role("button", name=w["undo"])).to_be_visible()  # the toast is still there


@pytest.mark.parametrize("dark", [False, True])
def test_french_tab_labels_fit_a_360_px_phone(devices, server, dark):
    address, _ = seeded_account(server, "fr")
    phone = devices(lang="fr", dark=dark)
    page = phone.page
    page.set_viewport_size(NARROW)
    phone.log_in(address, "fr")
    cut = page.evaluate("""() => [...document.querySelectorAll('#nav a span')]
        .filter((s) => s.scrollWidth > s.clientWidth).map((s) => s.textContent)""")
    assert cut == []
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#nav a span')).fontSize)")
    assert size >= 11
    page.locator("#nav").screenshot(path=str(SHOTS / f"fr-{'dark' if dark else 'light'}-tabs-360.png"))


def test_refused_import_lines_are_explained_in_french(devices, server):
    address, _ = seeded_account(server, "fr")
    w = words("fr")
    phone = devices(lang="fr", axe=True)
    phone.log_in(address, "fr")
    page = phone.page
    phone.go("#/settings")
    good = {"id": str(uuid.uuid4()), "type": "contact_added", "v": 1, "at": "2026-11-17T10:00:00+01:00",
            "data": {"contact": "c-imp", "name": "Inès Durand"}}
    lines = [
        json.dumps(good),
        "{pas du json",
        json.dumps({"id": "x1", "type": "no_such_type", "v": 1, "at": "2026-11-17T11:00:00+01:00", "data": {}}),
        json.dumps({"id": "x2", "type": "meeting_logged", "v": 1, "at": "2026-11-17T11:00:00+01:00",
                    "data": {"meeting": "m", "contacts": []}}),
        json.dumps({"id": "x3", "type": "meeting_logged", "at": "2026-11-17T11:00:00+01:00",
                    "data": {"meeting": "m", "contacts": ["c-imp"]}}),
    ]
    page.get_by_role("button", name=w["import"]).click()
    page.get_by_label(w["file"]).set_input_files(files=[{
        "name": "log.ndjson", "mimeType": "application/x-ndjson", "buffer": ("\n".join(lines) + "\n").encode()}])
    page.get_by_role("button", name=w["send"], exact=True).click()
    rows = page.locator("#import-panel .rows li")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_have_text("Ligne 2 : ce n’est pas du JSON valide")
    expect(rows.nth(1)).to_have_text("Ligne 3 : type d’événement inconnu")
    expect(rows.nth(2)).to_contain_text("Ligne 4 : le champ data.contacts n’est pas valide")
    expect(rows.nth(2).locator('[lang="en"]')).to_have_count(1)  # the server's detail, marked as English
    expect(rows.nth(3)).to_have_text("Ligne 5 : il manque le champ v")
    assert phone.axe() == []
    shoot(page, "fr-settings-import-refused", full=True)


# --- a year of history ----------------------------------------------------------------------------------

DRAW_THE_LIST = """async () => {
  const model = await import('/ui/model.js');
  const contacts = await import('/ui/contacts.js');
  await model.prepare();
  const screen = contacts.renderContacts({ rerender() {}, toast() {}, navigate() {} });
  const rows = screen.querySelectorAll('.contacts > li').length;
  const owed = screen.querySelectorAll('.contacts .owed').length;
  const met = screen.querySelectorAll('.contacts .met').length;
  // a line per person and side with something still to keep (overdue, due, upcoming or snoozed)
  const keep = new Set(['overdue', 'due', 'upcoming', 'snoozed']);
  const owing = new Set(model.view().doc.obligations.filter((o) => keep.has(o.status))
    .map((o) => `${model.counterpart(o)} ${o.debtor === model.ME}`)).size;
  return { rows, owed, met, owing };
}"""


def test_the_list_of_a_year_of_history_shows_when_each_was_met_and_what_is_owed(devices, server):
    from .test_pwa_worker import a_year

    phone = devices()  # the page's clock at NOW, where the year of history ends: what is owed does not move
    phone.log_in(a_year(server))
    phone.go("#/contacts")
    found = phone.page.evaluate(DRAW_THE_LIST)
    # 100 people, 400 meetings and about 900 events: each met, each owing or owed something (how fast the screens
    # draw is bench/pwa_budget.py's to measure, not a test's)
    assert found["rows"] == 100 and found["met"] == 100, found
    assert found["owed"] == found["owing"] > 50, found
