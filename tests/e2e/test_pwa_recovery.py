"""What the PWA does when things go wrong around it (Debian's Chromium, a real `merci serve`): a log out in
another tab, a server restored from an older backup, an event the server refuses, and an outbox too large
for one request. In each, nothing of a person's is lost, nothing reaches another account, and what the
screens show is what the device holds."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from .server import MerciServer, whole_log
from .test_pwa_browser import CHROMIUM, browser, devices, email, eventually, server  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

def session(page) -> dict:
    return page.evaluate("async () => (await import('/lib/db.js')).getMeta('session')")


def contact_names(events: list[dict]) -> list[str]:
    return [e["data"]["name"] for e in events if e["type"] == "contact_added"]


def test_a_log_out_in_one_tab_signs_the_others_out_and_nothing_reaches_the_next_account(devices, server):
    phone = devices()
    phone.sign_up(email())
    other_tab = phone.context.new_page()
    other_tab.goto(server.url + "/#/today")
    other_tab.wait_for_selector("#nav:not([hidden])")

    phone.go("#/settings")
    phone.page.get_by_role("button", name="Log out").click()
    phone.page.locator(".more").get_by_role("button", name="Log out").click()
    phone.page.wait_for_selector("#nav[hidden]", state="attached")

    other_tab.wait_for_selector("#nav[hidden]", state="attached")  # told by the first tab
    expect(other_tab.locator("main")).to_contain_text("Nothing of yours is left on this device")
    assert other_tab.evaluate("async () => (await indexedDB.databases()).map(d => d.name)") == []

    # Even had it written something meanwhile, the next sign-in starts from nothing.
    other_tab.evaluate("""async () => {
        const [outbox, commands] = await Promise.all([import('/lib/outbox.js'), import('/lib/commands.js')]);
        await outbox.record([commands.makeEvent('contact_added', { contact: 'c-left', name: 'Left behind' })]);
    }""")
    phone.sign_up(email())
    bob = session(phone.page)
    phone.wait_synced()
    assert contact_names(whole_log(server.url, bob["token"])) == []
    assert phone.page.evaluate("async () => (await import('/lib/db.js')).pendingCount()") == 0
    other_tab.close()


def test_after_the_server_is_restored_from_an_older_backup_the_device_sends_what_it_lost(devices, tmp_path):
    data, backup = tmp_path / "data", tmp_path / "backup"
    own = MerciServer(data).start()
    try:
        phone = devices()
        phone.server = own
        phone.sign_up(email())
        phone.log_meeting("Before the backup")
        phone.wait_synced()
        own.stop()
        shutil.copytree(data, backup)
        own.start()
        phone.log_meeting("After the backup")
        phone.page.locator("#sync-status").click()
        phone.wait_synced()
        token = session(phone.page)["token"]
        assert contact_names(whole_log(own.url, token)) == ["Before the backup", "After the backup"]

        own.stop()  # the server's disk is lost; the backup comes back
        shutil.rmtree(data)
        shutil.copytree(backup, data)
        own.start()
        assert contact_names(whole_log(own.url, token)) == ["Before the backup"]

        phone.page.locator("#sync-status").click()
        phone.wait_synced()
        for _ in range(100):  # the events it lost go in the round after the one that learnt of the restore
            if contact_names(whole_log(own.url, token)) == ["Before the backup", "After the backup"]:
                break
            phone.page.wait_for_timeout(100)
        assert contact_names(whole_log(own.url, token)) == ["Before the backup", "After the backup"]
        ids = [e["id"] for e in whole_log(own.url, token)]
        assert len(ids) == len(set(ids))
    finally:
        own.stop()


def test_an_event_the_server_refuses_leaves_the_screens_at_once(devices, server):
    phone = devices()
    phone.sign_up(email())
    # A meeting of 51 people: the form stops at 50 and the app checks what it queues, so write it straight into
    # the database as an old version of the app could have, once the people are synced (the round that refuses
    # it then pulls nothing: the cursor stays where it was).
    phone.page.evaluate("""async () => {
        const [outbox, commands, sync] = await Promise.all([
            import('/lib/outbox.js'), import('/lib/commands.js'), import('/lib/sync.js')]);
        const ids = Array.from({ length: 51 }, (_, i) => 'p' + i);
        await outbox.record(ids.map((c) => commands.makeEvent('contact_added', { contact: c, name: 'Person ' + c })));
        sync.recorded();  // as the app does after recording
    }""")
    phone.page.locator("#sync-status").click()
    phone.wait_synced()
    meeting_id = phone.page.evaluate("""async () => {
        const [db, model] = await Promise.all([import('/lib/db.js'), import('/ui/model.js')]);
        const meeting = { id: 'e-m51', type: 'meeting_logged', v: 1, at: '2026-05-12T10:30:00+02:00',
                          data: { meeting: 'm51', contacts: Array.from({ length: 51 }, (_, i) => 'p' + i) } };
        await db.recordEvents([meeting]);
        await model.load();
        return meeting.id;
    }""")
    assert phone.page.evaluate("async (id) => !!(await import('/ui/model.js')).eventById(id)", meeting_id)
    phone.page.locator("#sync-status").click()  # written behind the app's back: nothing asked for a sync
    phone.page.wait_for_function(
        "() => { const s = document.getElementById('sync-status'); return s && s.dataset.pending === '0'"
        " && s.dataset.phase !== 'syncing' && s.textContent.includes('refused'); }")
    # The screens read the model: it drops the refused meeting by itself.
    eventually(phone.page, "async (id) => !(await import('/ui/model.js')).eventById(id)", meeting_id, 10_000)
    phone.go("#/today")
    expect(phone.page.locator("main")).not_to_contain_text("Person p0")


def test_the_form_stops_at_fifty_people(devices, server):
    phone = devices()
    phone.sign_up(email())
    phone.go("#/log")
    page = phone.page
    for n in range(51):
        page.locator("input[placeholder]").fill(f"Guest {n:02d}")
        page.keyboard.press("Enter")
    page.locator("form.log button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("A meeting can name at most 50 people")
    assert page.evaluate("() => location.hash") == "#/log"


def test_an_outbox_larger_than_one_request_is_sent_in_several(devices, server):
    phone = devices()
    phone.sign_up(email())
    phone.page.evaluate("""async () => {
        const [outbox, commands, sync] = await Promise.all([
            import('/lib/outbox.js'), import('/lib/commands.js'), import('/lib/sync.js')]);
        const note = '会'.repeat(4000);  // 12 KB in UTF-8: 100 of them are over the server's 1 MiB
        await outbox.record(Array.from({ length: 100 }, (_, i) =>
            commands.makeEvent('contact_added', { contact: 'k' + i, name: 'Kenji ' + i, note: note })));
        sync.recorded();  // as the app does after recording
    }""")
    phone.page.locator("#sync-status").click()
    phone.wait_synced()
    assert len(contact_names(whole_log(server.url, session(phone.page)["token"]))) == 100
