"""Copy and drafts in a real browser (fr, en): the thank-you names the place and the day of the meeting; the
news for an introducer says what came of the name; "Tell Hervé Martin"; the sync badge counts changes, not
events, and fits in French on a 360 px screen. Screenshots and axe-core."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from .server import PASSWORD
from .test_pwa_browser import CHROMIUM, SHOTS, browser, devices, email, server  # noqa: F401
from .test_pwa_followups import NEVER_FOLLOW_MAILTO, seeded

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

TEXT = {
    "en": {"thank": "meet me on 8 November 2026 (Atelier Martin).", "news": "Julie Robert was not able to follow up.",
           "tell": "Tell Hervé Martin", "question": "What came of it?", "declined": "Declined",
           "offline": "Offline · changes waiting"},
    "fr": {"thank": "me rencontrer le 8 novembre 2026 (Atelier Martin).",
           "news": "Julie Robert n’a pas pu donner suite.",
           "tell": "Écrire à Hervé Martin", "question": "Qu’est-ce que cela a donné ?", "declined": "Refusé",
           "offline": "Hors ligne · en attente"},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_drafts_reuse_what_was_logged(devices, server, lang):
    address, _ = seeded(server, lang)
    phone = devices(lang=lang, axe=True)
    phone.log_in(address, lang)
    page = phone.page
    page.evaluate(NEVER_FOLLOW_MAILTO)
    words = TEXT[lang]

    thank = page.locator("#mine-h ~ ul li[data-obligation='thank:m-herve:c-herve'] a[href^='mailto:']")
    assert words["thank"] in unquote(thank.get_attribute("href"))

    julie = page.locator('li[data-referral="r-julie"]')
    julie.get_by_role("button", name=words["question"]).click()
    julie.get_by_role("button", name=words["declined"]).click()
    report = page.locator("#mine-h ~ ul li[data-obligation='report:r-julie']")
    report.locator("button[aria-expanded]").click()
    draft = report.get_by_role("link", name=words["tell"])
    expect(draft).to_be_visible()
    assert words["news"] in unquote(draft.get_attribute("href"))
    assert phone.axe() == []
    page.screenshot(path=str(SHOTS / f"{lang}-copy-report-menu.png"))


def signed_up_at_360(devices, lang: str, axe: bool = False):
    """A new account signed up through the app's own form on a 360 px phone, synced."""
    phone = devices(lang=lang, axe=axe)
    phone.page.set_viewport_size({"width": 360, "height": 740})
    phone.open()
    phone.page.get_by_label("Email" if lang == "en" else "E-mail").fill(email())
    phone.page.get_by_label("Password" if lang == "en" else "Mot de passe").fill(PASSWORD)
    phone.page.locator("form button[type=submit]").click()
    phone.page.wait_for_selector("#nav:not([hidden])")
    phone.wait_synced()
    return phone


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_badge_counts_changes_and_fits_a_360_px_screen(devices, server, lang):
    phone = signed_up_at_360(devices, lang, axe=True)
    page = phone.page
    words = TEXT[lang]
    phone.context.set_offline(True)
    phone.log_meeting("Claire Dubois")  # two events: the new contact and the meeting
    status = page.locator("#sync-status")
    expect(status).to_have_text(words["offline"])
    fits = page.evaluate("""() => { const b = document.getElementById('sync-status'), l = b.querySelector('.label');
        return {label: l.scrollWidth <= l.clientWidth, right: b.getBoundingClientRect().right <= innerWidth}; }""")
    assert fits == {"label": True, "right": True}, fits
    page.screenshot(path=str(SHOTS / f"{lang}-badge-360.png"))
    assert phone.axe() == []
    phone.context.set_offline(False)
    phone.wait_synced()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_state_of_the_badge_fits_a_360_px_screen(devices, server, lang):
    """Each thing the badge can say (app.js syncBadge: synced, waiting, offline, error, signed out…), with a
    two-digit count, is read whole beside the brand on a 360 px screen, not cut by an ellipsis."""
    phone = signed_up_at_360(devices, lang)
    page = phone.page
    cut = page.evaluate("""async (lang) => {
        const words = await (await fetch(`/i18n/${lang}.json`)).json();
        const b = document.getElementById('sync-status'), l = b.querySelector('.label'), cut = [];
        for (const [key, text] of Object.entries(words)) {
          if (!key.startsWith('sync.') || key === 'sync.now' || key.startsWith('sync.rejected')) continue;
          l.textContent = text.replace('{count}', '12');
          if (l.scrollWidth > l.clientWidth || b.getBoundingClientRect().right > innerWidth) cut.push(key);
        }
        return cut; }""", lang)
    assert cut == [], f"cut at 360 px in {lang}: {cut}"
