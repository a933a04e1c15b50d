"""People in the log form, in a real browser against a real `merci serve`: the name box ignores case and accents
and matches any word of the name or the organisation; a new person with an existing one's email is offered the
existing one; "Found a job" records the title, employer and day and names who to tell. axe-core and screenshots
(fr, en)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from .server import NOW, whole_log
from .test_pwa_browser import CHROMIUM, SHOTS, ZONE, browser, devices, seeded_account, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

TEXT = {
    "en": {"email_of": "Email of Sophie B. (optional)", "use": "Use Sophie Bernard", "job": "I found a job",
           "what": "Job title (optional)", "employer": "Employer (optional)", "day": "The day you found it",
           "yes": "Yes, record it", "told": "Now tell the 2 people who helped", "undo": "Undo"},
    "fr": {"email_of": "E-mail de Sophie B. (facultatif)", "use": "Choisir Sophie Bernard",
           "job": "J’ai trouvé un poste", "what": "Intitulé du poste (facultatif)", "employer": "Employeur (facultatif)",
           "day": "Le jour où vous l’avez trouvé",
           "yes": "Oui, le noter", "told": "Prévenez maintenant les 2 personnes qui vous ont apporté leur aide", "undo": "Annuler"},
}


def suggestions(page) -> list[str]:
    return [s.split(" · ")[0] for s in page.locator(".suggestions .suggestion:not(.add)").all_inner_texts()]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_name_box_finds_people_accents_and_case_aside_and_offers_the_existing_one(devices, server, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    address, token = seeded_account(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    words = TEXT[lang]
    phone.go("#/log")
    who = page.locator("form.log input[placeholder]")

    who.fill("herve")
    assert suggestions(page) == ["Hervé Martin"]
    who.fill("lem")
    assert suggestions(page) == ["Paul Lemaire"]
    who.fill("LUMEN")  # Anne's organisation
    assert suggestions(page) == ["Anne Leroy"]
    who.fill("HERVE MARTIN")  # the same name, accents and case aside: no "Add", Enter picks Hervé
    expect(page.locator(".suggestion.add")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator(".chips")).to_have_text("Hervé Martin×")

    # A new name with an existing one's email: the app says so and offers her.
    who.fill("Sophie B.")
    page.keyboard.press("Enter")
    page.get_by_label(words["email_of"]).fill("SOPHIE@example.org")
    warning = page.locator(".warning")
    expect(warning).to_contain_text("Sophie Bernard (sophie@example.org)")
    found = {"log": phone.axe()}
    page.screenshot(path=str(SHOTS / f"{lang}-people-same-email.png"), full_page=True)
    warning.get_by_role("button", name=words["use"]).click()
    expect(page.locator(".chips li")).to_have_count(2)
    expect(page.locator(".chips")).to_contain_text("Sophie Bernard")
    expect(page.locator(".chips")).not_to_contain_text("Sophie B.")
    page.locator("form.log button[type=submit]").click()
    page.wait_for_function("() => location.hash === '#/today'")
    phone.wait_synced()
    log = whole_log(server.url, token)
    meeting = log[-1]
    assert meeting["type"] == "meeting_logged" and meeting["data"]["contacts"] == ["c-herve", "c-sophie"]
    assert len([e for e in log if e["type"] == "contact_added"]) == 4  # the seeded four: nobody duplicated
    serious = {screen: v for screen, v in found.items() if v}
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_job_found_records_title_employer_and_day_and_names_who_to_tell(devices, server, lang):
    address, token = seeded_account(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    words = TEXT[lang]
    phone.go("#/log")
    page.get_by_role("button", name=words["job"]).click()
    page.get_by_label(words["what"]).fill("Product designer")
    page.get_by_label(words["employer"]).fill("Lumen")
    found_on = (NOW - dt.timedelta(days=2)).date().isoformat()
    page.get_by_label(words["day"]).fill(found_on)
    assert phone.axe() == []
    page.screenshot(path=str(SHOTS / f"{lang}-job-form.png"), full_page=True)
    page.get_by_role("button", name=words["yes"]).click()
    page.wait_for_function("() => location.hash === '#/today'")
    status = page.locator("#toast [role=status]")
    # The helpers up to D (two days ago): Sophie (met ten days ago) and Hervé (three); Paul and Anne met after D.
    expect(status).to_contain_text(words["told"])
    for name in ("Hervé Martin", "Sophie Bernard"):
        expect(status).to_contain_text(name)
    expect(page.locator("#toast").get_by_role("button", name=words["undo"])).to_be_visible()
    page.wait_for_timeout(300)  # the toast's fade in
    page.screenshot(path=str(SHOTS / f"{lang}-job-toast.png"))
    phone.wait_synced()
    (job,) = [e for e in whole_log(server.url, token) if e["type"] == "job_found"]
    assert job["data"] == {"job": "Product designer", "employer": "Lumen"}
    assert job["at"].startswith(f"{found_on}T12:00:00")
