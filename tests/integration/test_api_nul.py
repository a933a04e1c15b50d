"""U+0000 over the real app, on SQLite and on PostgreSQL (whose text cannot hold it): every way in refuses it with
a clear answer, never a 500, and the rest of a batch is stored all the same."""

from __future__ import annotations

import pytest

from .api import PASSWORD, contact, meeting, running_app, sign_in, sign_up

NUL = "U+0000 (the NUL character) is not allowed in any text"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    return request.getfixturevalue("postgres_url") if request.param == "postgres" else ""


@pytest.fixture
async def client(database_url, tmp_path):
    async with running_app(tmp_path, database_url=database_url, push_allow_local=True) as client:
        yield client


async def test_a_sync_batch_keeps_its_valid_events_and_rejects_those_holding_u0000(client):
    ana = await sign_up(client)

    answer = await ana.sync([
        meeting("e1"),
        meeting("e\x002"),
        contact("e3", "c-anne", "An\x00ne"),
        meeting("e4", note="x\x00"),
        {**meeting("e5"), "data": {**meeting("e5")["data"], "contacts": ["c-herve", "c\x00"]}},
        contact("e6", "c-paul", "Paul"),
    ])

    assert answer["accepted"] == ["e1", "e6"]
    assert [(r["index"], r["id"], r["error"], r["field"]) for r in answer["rejected"]] == [
        (1, "e\x002", f"`id`: {NUL}", "id"),
        (2, "e3", f"`data.name`: {NUL}", "data.name"),
        (3, "e4", f"`data.note`: {NUL}", "data.note"),
        (4, "e5", f"`data.contacts[1]`: {NUL}", "data.contacts[1]"),
    ]
    assert [e["id"] for e in await ana.log()] == ["e1", "e6"]


async def test_an_import_lists_the_lines_holding_u0000_and_stores_the_others(client):
    ana = await sign_up(client)
    body = b"\n".join([
        b'{"id":"e1","type":"job_found","v":1,"at":"2026-05-12T10:30:00+02:00","data":{}}',
        b'{"id":"e2","type":"job_found","v":1,"at":"2026-05-12T10:30:00+02:00","data":{"note":"a\\u0000b"}}',
        b'{"id":"e3","type":"job_found","v":1,"at":"2026-05-12T10:30:00+02:00","data":{"note":"a\\\\u0000b"}}',
    ])

    answer = await client.post("/api/import", content=body, headers=ana.auth)

    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 2
    assert answer.json()["rejected"] == [{"line": 2, "id": "e2", "error": f"`data.note`: {NUL}", "field": "data.note"}]
    assert [e["data"].get("note") for e in await ana.log()] == [None, "a\\u0000b"]


@pytest.mark.parametrize("field", ["email", "password", "device_name"])
async def test_sign_up_refuses_u0000_naming_the_field_and_creates_nothing(client, field):
    body = {"email": "ann@example.org", "password": PASSWORD, "device_name": "phone", "timezone": "Europe/Paris"}
    body[field] = body[field][:3] + "\x00" + body[field][3:]

    answer = await client.post("/api/accounts", json=body)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == f"`{field}`: {NUL}"
    ann = await sign_up(client, "ann@example.org", timezone="Europe/Paris")  # nothing was half-made: no 409
    assert [e["type"] for e in await ann.log()] == ["settings_changed"]


@pytest.mark.parametrize("field", ["email", "password", "device_name"])
async def test_sign_in_refuses_u0000_naming_the_field(client, field):
    await sign_up(client, "ann@example.org")
    body = {"email": "ann@example.org", "password": PASSWORD, "device_name": "laptop"}
    body[field] += "\x00"

    answer = await client.post("/api/sessions", json=body)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == f"`{field}`: {NUL}"


async def test_password_change_and_erasure_refuse_u0000(client):
    ann = await sign_up(client)

    changed = await client.put("/api/account/password", headers=ann.auth,
                               json={"current_password": PASSWORD + "\x00", "new_password": "new password"})
    erased = await client.request("DELETE", "/api/account", headers=ann.auth, json={"password": "\x00"})

    assert (changed.status_code, changed.json()["error"]) == (400, f"`current_password`: {NUL}")
    assert (erased.status_code, erased.json()["error"]) == (400, f"`password`: {NUL}")
    await sign_in(client, "ann@example.org")  # unchanged, not erased


@pytest.mark.parametrize("path", ["/api/devices/a%00b", "/api/push/subscriptions/a%00b"])
async def test_a_path_id_holding_u0000_is_not_found(client, path):
    ann = await sign_up(client)

    answer = await client.delete(path, headers=ann.auth)

    assert answer.status_code == 404, answer.text


async def test_a_contact_id_holding_u0000_is_not_found(client):
    ann = await sign_up(client)
    await ann.sync([contact("e1", "c-anne", "Anne")])

    assert (await ann.get("/api/contacts/c-anne%00")).status_code == 404
    assert (await ann.get("/api/contacts/c-anne")).status_code == 200


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9/push/a\x00b", "https://fcm.googleapis.com/fcm/send/a\x00b"])
async def test_a_push_endpoint_holding_u0000_is_refused_not_a_server_error(client, endpoint):
    from .push_receiver import new_subscription

    ann = await sign_up(client)

    saved = await client.post("/api/push/subscriptions", json=new_subscription(endpoint).to_json(), headers=ann.auth)
    removed = await client.request("DELETE", "/api/push/subscriptions", json={"endpoint": endpoint}, headers=ann.auth)

    assert saved.status_code == 400, saved.text
    assert removed.status_code in (400, 404), removed.text
