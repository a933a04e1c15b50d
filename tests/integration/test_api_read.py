"""The read API over the real app and a real SQLite file: audit, obligations, contacts, settings, the raw log,
export and import, the projection cache, health and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json
import logging
import warnings
from pathlib import Path

import msgspec
import pytest

from events import project, read_log, replay_document
from server.app import create_app

from .api import contact, event, ids, meeting, running_app, settings, sign_up, thanks

ROOT = Path(__file__).resolve().parents[2]
VECTORS = sorted((ROOT / "tests" / "vectors").glob("*.ndjson")) + sorted(
    (ROOT.parent / "shared" / "scenarios").glob("*.ndjson")
)
TEN_YEARS = 24 * 3650


@pytest.fixture
async def client(tmp_path):
    async with running_app(tmp_path) as client:
        yield client


def ndjson(events: list[dict]) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


HERVE_AND_PAUL = [
    contact("c1", "c-herve", "Hervé"),
    contact("c2", "c-paul", "paul"),
    meeting("e-m1", ("c-herve",), "m1", at="2026-05-12T10:30:00+02:00"),  # Hervé received me: I owe thanks
    meeting("e-m2", ("c-paul",), "m2", at="2026-05-14T10:30:00+02:00", host="me"),  # I received Paul
    thanks("e-t1", "c-herve", "m1", at="2026-05-13T09:00:00+02:00"),
]


async def test_the_audit_is_byte_for_byte_the_replay_document_of_the_accounts_log(tmp_path):
    assert VECTORS, "the shared vectors are missing"
    async with running_app(tmp_path, future_tolerance_hours=TEN_YEARS, signups_per_address=1000) as client:
        for number, path in enumerate(VECTORS):
            # Given an account holding the vector's log
            account = await sign_up(client, f"user{number}@example.org")
            content = path.read_bytes()
            imported = await client.post("/api/import", content=content, headers=account.auth)
            assert imported.json()["rejected"] == [], path.name
            expected = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text())

            # When its audit is asked for the vector's date and time zone
            answer = await account.get("/api/audit", as_of=expected["as_of"], tz=expected["timezone"])

            # Then it is exactly what the domain's replay encodes for that log
            reference = replay_document(project(read_log(content), dt.date.fromisoformat(expected["as_of"]),
                                                expected["timezone"]))
            assert answer.status_code == 200
            assert answer.content == msgspec.json.encode(reference), path.name


async def test_the_audit_defaults_to_today_in_the_accounts_time_zone(client):
    account = await sign_up(client, timezone="Pacific/Kiritimati")

    document = (await account.get("/api/audit")).json()

    assert document["timezone"] == "Pacific/Kiritimati"
    assert document["as_of"] == "2026-11-19"  # the app's clock: 12:00 UTC on the 18th, 02:00 the 19th there


async def test_the_audit_of_a_past_date_shows_what_was_pending_then(client):
    account = await sign_up(client, timezone="Europe/Paris")
    await account.sync(HERVE_AND_PAUL)

    before = (await account.get("/api/audit", as_of="2026-05-12")).json()
    after = (await account.get("/api/audit", as_of="2026-05-20")).json()

    assert [(o["id"], o["status"]) for o in before["obligations"]] == [("thank:m1:c-herve", "upcoming")]
    assert ("thank:m1:c-herve", "done", "on_time") in [(o["id"], o["status"], o["grade"]) for o in after["obligations"]]


@pytest.mark.parametrize(("query", "named"), [
    ({"as_of": "2026-02-30"}, "`as_of`"),
    ({"as_of": "yesterday"}, "`as_of`"),
    ({"as_of": "9999-12-31"}, "`as_of`"),
    ({"as_of": "0001-01-01"}, "`as_of`"),
    ({"tz": "Mars/Olympus"}, "`tz`"),
])
async def test_a_bad_date_or_time_zone_is_a_400_naming_the_parameter(client, query, named):
    account = await sign_up(client)

    answer = await account.get("/api/audit", **query)

    assert answer.status_code == 400
    assert named in answer.json()["error"]


async def test_obligations_are_filtered_by_status_and_direction(client):
    account = await sign_up(client, timezone="Europe/Paris")
    await account.sync(HERVE_AND_PAUL)

    async def listed(**query):
        answer = await account.get("/api/obligations", as_of="2026-05-20", **query)
        assert answer.status_code == 200, answer.text
        return [o["id"] for o in answer.json()["obligations"]]

    assert await listed() == ["thank:m1:c-herve", "thank:m2:c-paul"]
    assert await listed(status="done") == ["thank:m1:c-herve"]
    assert await listed(direction="owed_to_me") == ["thank:m2:c-paul"]
    assert await listed(direction="owed_by_me", status="overdue") == []
    bad = await account.get("/api/obligations", status="late")
    assert bad.status_code == 400 and "`status`" in bad.json()["error"]


async def test_contacts_are_listed_by_name_with_both_scores(client):
    account = await sign_up(client, timezone="Europe/Paris")
    await account.sync(HERVE_AND_PAUL + [meeting("e-m3", ("c-unknown",), "m3", at="2026-05-15T10:00:00+02:00")])

    contacts = (await account.get("/api/contacts", as_of="2026-05-20")).json()["contacts"]

    assert [(c["contact"], c["name"], c["added"]) for c in contacts] == [
        ("c-unknown", "c-unknown", False), ("c-herve", "Hervé", True), ("c-paul", "paul", True),
    ]
    scores = {c["contact"]: c["scores"] for c in contacts}
    assert scores["c-herve"] == {"owed_by_me": 1.0, "owed_to_me": None}
    assert scores["c-paul"] == {"owed_by_me": None, "owed_to_me": 0.0}


async def test_a_contacts_history_holds_every_event_naming_them_and_the_obligations_both_ways(client):
    account = await sign_up(client, timezone="Europe/Paris")
    await account.sync(HERVE_AND_PAUL)

    history = (await account.get("/api/contacts/c-herve", as_of="2026-05-20")).json()

    assert history["name"] == "Hervé"
    assert [(e["id"], e["date"]) for e in history["events"]] == [
        ("c1", "2026-05-01"), ("e-m1", "2026-05-12"), ("e-t1", "2026-05-13")
    ]
    assert [o["id"] for o in history["obligations"]] == ["thank:m1:c-herve"]


async def test_an_unknown_contact_is_a_404_naming_its_id(client):
    account = await sign_up(client)

    answer = await account.get("/api/contacts/c-nobody")

    assert answer.status_code == 404
    assert "c-nobody" in answer.json()["error"]


async def test_settings_are_the_latest_in_event_time_even_when_synced_late(client):
    account = await sign_up(client)
    await account.sync([event("new", "settings_changed", {"timezone": "Asia/Tokyo", "reminder_hour": 7},
                              at="2026-06-01T09:00:00+02:00")])

    # An offline phone syncs an older change a week later: it does not override the newer one
    await account.sync([event("old", "settings_changed", {"timezone": "Europe/Paris", "cadence_days": 30},
                              at="2026-05-01T09:00:00+02:00")])

    assert (await account.get("/api/settings")).json() == {
        "timezone": "Asia/Tokyo", "reminder_hour": 7, "cadence_days": 30, "language": "en"
    }


async def test_the_raw_log_is_paged_by_seq(client):
    account = await sign_up(client)
    await account.sync([meeting(f"e{i}") for i in range(5)])

    first = (await account.get("/api/events", limit=2)).json()
    last = (await account.get("/api/events", after=4, limit=2)).json()

    assert (ids(first["events"]), first["cursor"], first["more"]) == (["e0", "e1"], 2, True)
    assert (ids(last["events"]), last["cursor"], last["more"]) == (["e4"], 5, False)
    for bad in ({"limit": 0}, {"limit": 1001}, {"after": -1}, {"after": "x"}):
        answer = await account.get("/api/events", **bad)
        assert answer.status_code == 400, bad
        assert f"`{next(iter(bad))}`" in answer.json()["error"]


async def test_the_export_is_an_ndjson_file_of_the_log_with_server_fields(client):
    account = await sign_up(client)
    await account.sync([meeting("e1"), meeting("e2")])

    answer = await account.get("/api/export")

    assert answer.headers["content-type"].startswith("application/x-ndjson")
    assert answer.headers["content-disposition"].startswith("attachment;")
    lines = [json.loads(line) for line in answer.content.splitlines()]
    assert [(e["id"], e["seq"], e["device"]) for e in lines] == [("e1", 1, account.device), ("e2", 2, account.device)]


async def test_an_export_imported_into_another_account_gives_the_same_audit(client):
    ann = await sign_up(client, "ann@example.org", timezone="Europe/Paris")
    await ann.sync(HERVE_AND_PAUL)
    export = (await ann.get("/api/export")).content
    bob = await sign_up(client, "bob@example.org")

    first = await client.post("/api/import", content=export, headers=bob.auth)
    again = await client.post("/api/import", content=export, headers=bob.auth)

    assert first.json() == {"accepted": 6, "duplicates": 0, "rejected_count": 0, "rejected": [], "last_seq": 6}
    assert again.json() == {"accepted": 0, "duplicates": 6, "rejected_count": 0, "rejected": [], "last_seq": 6}
    assert (await bob.get("/api/audit", as_of="2026-05-20")).content == (
        await ann.get("/api/audit", as_of="2026-05-20")).content


async def test_an_import_stores_the_valid_lines_and_lists_the_bad_ones_with_their_numbers(client):
    account = await sign_up(client)
    content = b"\xef\xbb\xbf" + ndjson([meeting("e1")]) + b"\n" + b'{"id": "e2", "type": "nope"}\n' + b"not json\n" \
        + ndjson([meeting("e3")])

    answer = (await client.post("/api/import", content=content, headers=account.auth)).json()

    assert (answer["accepted"], answer["rejected_count"]) == (2, 2)
    assert [(r["line"], r["id"]) for r in answer["rejected"]] == [(3, "e2"), (4, None)]
    assert "unknown event type" in answer["rejected"][0]["error"]
    assert "not valid JSON" in answer["rejected"][1]["error"]
    assert ids(await account.log()) == ["e1", "e3"]


async def test_an_import_over_the_size_limit_is_refused_whole(tmp_path):
    async with running_app(tmp_path, max_import_bytes=1000) as client:
        account = await sign_up(client)
        content = ndjson([meeting(f"e{i}") for i in range(20)])

        answer = await client.post("/api/import", content=content, headers=account.auth)

        assert answer.status_code == 413 and "limit" in answer.json()["error"]
        assert await account.log() == []


async def test_a_read_with_nothing_new_costs_no_replay(client):
    account = await sign_up(client, timezone="Europe/Paris")
    await account.sync(HERVE_AND_PAUL)
    projections = client.app.state.services.projections

    await account.get("/api/audit", as_of="2026-05-20")
    replays = projections.replays
    await account.get("/api/audit", as_of="2026-05-20")
    await account.get("/api/obligations", as_of="2026-05-20")
    await account.get("/api/contacts", as_of="2026-05-20")
    unchanged = projections.replays
    await account.sync([meeting("e-new", ("c-paul",), "m9", at="2026-05-18T10:00:00+02:00")])
    document = (await account.get("/api/audit", as_of="2026-05-20")).json()

    assert unchanged == replays
    assert projections.replays == replays + 1
    assert "thank:m9:c-paul" in [o["id"] for o in document["obligations"]]


async def test_the_read_cache_drops_the_least_recently_read_logs_beyond_its_event_budget(tmp_path):
    async with running_app(tmp_path, cached_events=6) as client:
        ann, bob = await sign_up(client, "ann@example.org"), await sign_up(client, "bob@example.org")
        await ann.sync(HERVE_AND_PAUL)
        await bob.sync(HERVE_AND_PAUL)
        projections = client.app.state.services.projections
        first = (await ann.get("/api/audit", as_of="2026-05-20")).content

        await bob.get("/api/audit", as_of="2026-05-20")  # 5 + 5 events > 6: Ann's log is dropped
        replays = projections.replays
        again = (await ann.get("/api/audit", as_of="2026-05-20")).content

    assert again == first
    assert projections.replays == replays + 1


async def test_health_answers_without_a_token(client):
    answer = await client.get("/api/health")

    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


async def test_every_route_is_described_in_the_openapi_schema(client):
    schema = (await client.get("/schema/openapi.json")).json()

    operations = {(method.upper(), path): op for path, item in schema["paths"].items() for method, op in item.items()}
    assert {
        ("POST", "/api/accounts"), ("POST", "/api/sessions"), ("POST", "/api/sessions/logout"), ("GET", "/api/devices"),
        ("DELETE", "/api/devices/{device_id}"), ("PUT", "/api/account/password"), ("DELETE", "/api/account"),
        ("POST", "/api/sync"), ("POST", "/api/import"), ("GET", "/api/audit"), ("GET", "/api/obligations"),
        ("GET", "/api/contacts"), ("GET", "/api/contacts/{contact_id}"), ("GET", "/api/settings"),
        ("GET", "/api/events"), ("GET", "/api/export"), ("GET", "/api/health"),
    } <= set(operations)
    for key, op in operations.items():
        assert len(op.get("description", "")) > 20, key
    assert operations[("POST", "/api/sync")]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert operations[("GET", "/api/audit")]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert operations[("GET", "/api/audit")]["security"] == [{"bearer": []}]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_building_the_app_and_its_schema_raises_no_deprecation_warning(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = create_app(settings(tmp_path))
        app.openapi_schema.to_schema()

    assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []


async def test_each_request_logs_one_json_line_without_tokens_or_passwords(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="merci.http")
    async with running_app(tmp_path, log_requests=True) as client:
        account = await sign_up(client)
        await account.sync([meeting("e1")])
        await client.get("/api/nowhere")

    lines = [record.http for record in caplog.records if record.name == "merci.http"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/api/accounts", 201), ("POST", "/api/sync", 200), ("GET", "/api/nowhere", 404),
    ]
    assert [line["account"] for line in lines] == [account.id, account.id, None]
    assert all(isinstance(line["duration_ms"], float) for line in lines)
    text = caplog.text
    assert account.token not in text and "correct horse" not in text
