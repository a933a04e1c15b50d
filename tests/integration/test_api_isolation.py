"""Isolation: a second account never sees, infers or touches the first one's data, through any route."""

from __future__ import annotations

import json

import pytest

from .api import PASSWORD, contact, ids, meeting, running_app, sign_up

ANN_EVENTS = [contact("ann-c1", "c-herve", "Hervé")] + [meeting(f"ann-e{i}") for i in range(4)]


@pytest.fixture
async def two_accounts(tmp_path):
    """Ann, with a log of 6 events (settings included), and Bob, new."""
    async with running_app(tmp_path) as client:
        ann = await sign_up(client, "ann@example.org", timezone="Europe/Paris", language="fr")
        await ann.sync(ANN_EVENTS)
        bob = await sign_up(client, "bob@example.org")
        yield ann, bob


async def test_another_account_reads_nothing_of_the_first_through_any_read_route(two_accounts):
    ann, bob = two_accounts

    assert await bob.log() == []
    assert (await bob.get("/api/export")).content == b""
    assert (await bob.sync())["events"] == []
    audit = (await bob.get("/api/audit")).json()
    assert audit["obligations"] == [] and audit["scores"] == {} and audit["timezone"] == "UTC"
    assert (await bob.get("/api/obligations")).json()["obligations"] == []
    assert (await bob.get("/api/contacts")).json()["contacts"] == []
    assert (await bob.get("/api/settings")).json()["language"] == "en"
    assert [d["id"] for d in (await bob.get("/api/devices")).json()["devices"]] == [bob.device]


async def test_a_contact_id_of_another_account_is_unknown(two_accounts):
    ann, bob = two_accounts

    answer = await bob.get("/api/contacts/c-herve")

    assert answer.status_code == 404
    assert (await ann.get("/api/contacts/c-herve")).status_code == 200


async def test_a_cursor_does_not_reveal_the_length_of_another_accounts_log(two_accounts):
    ann, bob = two_accounts

    answer = await bob.client.post("/api/sync", json={"cursor": 3, "events": []}, headers=bob.auth)

    assert answer.status_code == 409 and answer.json()["last_seq"] == 0


async def test_revoking_a_guessed_device_id_of_another_account_is_unknown_and_harmless(two_accounts):
    ann, bob = two_accounts

    answer = await bob.client.delete(f"/api/devices/{ann.device}", headers=bob.auth)

    assert answer.status_code == 404
    assert (await ann.get("/api/devices")).status_code == 200


async def test_naming_another_accounts_device_in_a_sync_stores_nothing_anywhere(two_accounts):
    ann, bob = two_accounts

    answer = await bob.client.post(
        "/api/sync", json={"device": ann.device, "cursor": 0, "events": [meeting("bob-e1")]}, headers=bob.auth
    )

    assert answer.status_code == 400
    assert await bob.log() == []
    assert "bob-e1" not in ids(await ann.log())


async def test_importing_another_accounts_event_ids_stores_them_as_independent_events(two_accounts):
    ann, bob = two_accounts
    ann_before = await ann.log()
    same_ids_other_content = [meeting(e["id"], ("c-bob",)) for e in ANN_EVENTS]
    content = b"\n".join(json.dumps(e).encode() for e in same_ids_other_content)

    answer = (await bob.client.post("/api/import", content=content, headers=bob.auth)).json()

    # Bob's are accepted (not duplicates: nothing says Ann holds those ids), with Bob's own seqs
    assert (answer["accepted"], answer["duplicates"]) == (len(ANN_EVENTS), 0)
    bob_log = await bob.log()
    assert [e["seq"] for e in bob_log] == [1, 2, 3, 4, 5]
    assert all(e["data"]["contacts"] == ["c-bob"] for e in bob_log)
    assert await ann.log() == ann_before


async def test_erasing_one_account_leaves_the_other_whole(two_accounts):
    ann, bob = two_accounts
    await bob.sync([meeting("ann-e1"), meeting("bob-e1")])
    ann_before = await ann.log()

    answer = await bob.client.request("DELETE", "/api/account", headers=bob.auth, json={"password": PASSWORD})

    assert answer.status_code == 204
    assert await ann.log() == ann_before
    assert (await ann.get("/api/audit")).status_code == 200


async def test_the_read_cache_never_answers_one_account_with_the_others_projection(two_accounts):
    ann, bob = two_accounts
    ann_audit = (await ann.get("/api/audit", as_of="2026-05-20", tz="Europe/Paris")).json()

    bob_audit = (await bob.get("/api/audit", as_of="2026-05-20", tz="Europe/Paris")).json()

    assert ann_audit["obligations"] and bob_audit["obligations"] == []
