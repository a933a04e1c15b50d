"""A table of bad inputs: each gets a 4xx (or a `rejected` entry) naming the problem, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from events import EventError, decode_event

from .api import in_hours, meeting, running_app, sign_up


@pytest.fixture
async def account(tmp_path):
    async with running_app(tmp_path) as client:
        yield await sign_up(client)


def changed(**fields: Any) -> dict:
    """A valid meeting with some top-level fields replaced (None removes the field)."""
    base = meeting("bad-1")
    for name, value in fields.items():
        if value is None:
            base.pop(name)
        else:
            base[name] = value
    return base


def with_data(**fields: Any) -> dict:
    base = meeting("bad-1")
    base["data"].update(fields)
    return base


def kind(event_type: str, data: dict) -> dict:
    return {"id": "bad-1", "type": event_type, "v": 1, "at": "2026-05-12T10:30:00+02:00", "data": data}


# Events a sync must list in `rejected`, with the words its reason must contain.
REJECTED_EVENTS = {
    "not an object": (42, "an event must be a JSON object, not a number"),
    "unknown type": (changed(type="meeting_forgotten"), "unknown event type 'meeting_forgotten'"),
    "unknown version": (changed(v=2), "unsupported version 2"),
    "version of the wrong type": (changed(v="1"), "`v` must be an integer"),
    "unknown field in data": (with_data(mood="great"), "unknown field `mood`"),
    "unknown top-level field": (changed(colour="red"), "unknown field `colour`"),
    "missing data": (changed(data=None), "missing required field `data`"),
    "missing id": (changed(id=None), "missing required field `id`"),
    "empty id": (changed(id=""), "`id`: expected a non-empty string"),
    "over-long contact id": (with_data(contacts=["c" * 65]), "at most 64 characters"),
    "over-long note": (with_data(note="n" * 4001), "at most 4000 characters"),
    "contacts not an array": (with_data(contacts="c-herve"), "expected `array`"),
    "no contacts": (with_data(contacts=[]), "`data.contacts`"),
    "bad choice": (with_data(host="nobody"), "expected one of: them, me"),
    "impossible date": (changed(at="2026-02-30T10:00:00+01:00"), "ISO 8601"),
    "date without a time": (changed(at="2026-05-12"), "`at`"),
    "time without an offset": (changed(at="2026-05-12T10:30:00"), "UTC offset"),
    "at 25 hours in the future": (changed(at=in_hours(25)), "more than 24 hours ahead"),
    "unknown time zone": (kind("settings_changed", {"timezone": "Mars/Olympus"}), "unknown time zone 'Mars/Olympus'"),
    "reminder hour out of range": (kind("settings_changed", {"reminder_hour": 24}), "`data.reminder_hour`"),
    "bad snooze date": (kind("obligation_snoozed", {"obligation": "thank:m1:c", "until": "2026-13-01"}), "date"),
}


@pytest.mark.parametrize("case", REJECTED_EVENTS, ids=list(REJECTED_EVENTS))
async def test_a_bad_event_is_rejected_with_a_reason_naming_the_problem_and_not_stored(account, case):
    bad, words = REJECTED_EVENTS[case]

    answer = await account.sync([bad])

    assert answer["accepted"] == [] and len(answer["rejected"]) == 1
    assert words in answer["rejected"][0]["error"], answer["rejected"][0]
    assert await account.log() == []


async def test_an_event_that_is_not_utf_8_is_rejected_alone(account):
    content = b'{"cursor": 0, "events": [' + json.dumps(meeting("good")).encode() + b', {"id": "\xff"}]}'

    answer = await account.client.post("/api/sync", content=content, headers=account.auth)

    assert answer.json()["accepted"] == ["good"]
    assert "UTF-8" in answer.json()["rejected"][0]["error"]


def body(value: Any) -> dict:
    return {"content": json.dumps(value).encode(), "headers": {"Content-Type": "application/json"}}


def nested(depth: int) -> bytes:
    return b'{"cursor": 0, "events": [' + b"[" * depth + b"]" * depth + b"]}"


# Requests a sync must refuse whole: (request, status, words the error must contain).
REFUSED_SYNCS = {
    "malformed JSON": ({"content": b'{"cursor": 0, "events": [', "headers": {}}, 400, "not valid JSON"),
    "not UTF-8": ({"content": b'{"cursor": 0, "device": "\xff", "events": []}', "headers": {}}, 400, "not valid JSON"),
    "empty body": ({"content": b"", "headers": {}}, 400, "empty"),
    "an array, not an object": (body([]), 400, "expected `object`"),
    "cursor of the wrong type": (body({"cursor": "abc", "events": []}), 400, "`cursor`"),
    "negative cursor": (body({"cursor": -1, "events": []}), 400, "`cursor`"),
    "huge cursor": (body({"cursor": 10**30, "events": []}), 400, "`cursor`"),
    "unknown field": (body({"cursor": 0, "events": [], "force": True}), 400, "unknown field `force`"),
    "events not an array": (body({"cursor": 0, "events": {"id": "x"}}), 400, "`events`"),
    "deeply nested JSON": ({"content": nested(100_000), "headers": {}}, 400, "JSON"),
    "1001 events": (body({"cursor": 0, "events": [meeting(f"e{i}") for i in range(1001)]}), 413, "at most 1000"),
    "body over 1 MiB": (body({"cursor": 0, "events": [with_data(note="n" * 4000)] * 270}), 413, "bytes allowed"),
}


@pytest.mark.parametrize("case", REFUSED_SYNCS, ids=list(REFUSED_SYNCS))
async def test_a_bad_sync_request_is_refused_whole_naming_the_problem(account, case):
    request, status, words = REFUSED_SYNCS[case]

    answer = await account.client.post(
        "/api/sync", content=request["content"], headers={**account.auth, **request["headers"]}
    )

    assert answer.status_code == status, answer.text
    assert words in answer.json()["error"], answer.json()
    assert await account.log() == []


# The whole answer to a sync body that is not a sync request: the API's words (`decode_sync_request`), whatever the
# Content-Type says, and nothing stored.
SYNC_BODY_ERRORS = {
    "not JSON": (b"hello", "the request body is not valid JSON (JSON is malformed: invalid character (byte 0))"),
    "cut short": (b'{"cursor": 0, "events": [', "the request body is not valid JSON (input data was truncated)"),
    "after the object": (b'{"cursor": 0} x', "the request body is not valid JSON (JSON is malformed: trailing "
                                              "characters (byte 15))"),
    "empty": (b"", "the request body is empty (expected a JSON object)"),
    "null": (b"null", "the request body: expected `object`, got `null`"),
    "unknown field": (b'{"force": true}', "the request body: unknown field `force`"),
    "cursor a string": (b'{"cursor": "5"}', "`cursor`: expected `int`, got `str`"),
    "cursor a float": (b'{"cursor": 1.5}', "`cursor`: expected `int`, got `float`"),
    "cursor past 2^63 - 1": (b'{"cursor": 9223372036854775808}', "`cursor`: expected `int` <= 9223372036854775807"),
    "device a number": (b'{"device": 5}', "`device`: expected `str | null`, got `int`"),
    "device too long": (b'{"device": "' + b"d" * 65 + b'"}', "`device`: expected a string of at most 64 characters"),
    "limit 0": (b'{"limit": 0}', "`limit`: expected `int` >= 1"),
    "events an object": (b'{"events": {}}', "`events`: expected `array`, got `object`"),
}


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
@pytest.mark.parametrize("case", SYNC_BODY_ERRORS, ids=list(SYNC_BODY_ERRORS))
async def test_a_sync_body_that_is_not_a_sync_request_gets_the_apis_exact_words(account, case, content_type):
    content, message = SYNC_BODY_ERRORS[case]
    headers = {**account.auth, **({"Content-Type": content_type} if content_type else {})}

    answer = await account.client.post("/api/sync", content=content, headers=headers)

    assert (answer.status_code, answer.json()) == (400, {"error": message})
    assert await account.log() == []


@pytest.mark.parametrize("content", [b"hello", b"[]", b'{"cursor": "5"}', b""], ids=["not JSON", "array", "type", "empty"])
async def test_a_sync_without_a_good_token_is_told_about_its_token_before_its_body(account, content):
    for headers in ({}, {"Authorization": "Bearer merci_not-a-real-token"}):
        answer = await account.client.post("/api/sync", content=content, headers=headers)

        assert answer.status_code == 401, answer.text
        assert "token" in answer.json()["error"] or "Authorization" in answer.json()["error"]


BAD_TOKENS = {
    "no token": {},
    "unknown token": {"Authorization": "Bearer merci_not-a-real-token"},
    "another scheme": {"Authorization": "Basic YW5uOnB3"},
    "bearer without a token": {"Authorization": "Bearer "},
}


@pytest.mark.parametrize("route", [
    ("POST", "/api/sync"), ("POST", "/api/import"), ("GET", "/api/audit"), ("GET", "/api/obligations"),
    ("GET", "/api/contacts"), ("GET", "/api/contacts/c1"), ("GET", "/api/settings"), ("GET", "/api/events"),
    ("GET", "/api/export"), ("GET", "/api/devices"), ("DELETE", "/api/devices/d1"), ("POST", "/api/sessions/logout"),
    ("PUT", "/api/account/password"), ("DELETE", "/api/account"),
], ids=" ".join)
async def test_every_private_route_answers_401_without_a_valid_token_and_stores_nothing(account, route):
    method, path = route
    payload = {"cursor": 0, "events": [meeting("e1")]} if path == "/api/sync" else None

    for case, headers in BAD_TOKENS.items():
        answer = await account.client.request(method, path, headers=headers, json=payload)

        assert answer.status_code == 401, case
        assert "token" in answer.json()["error"] or "Authorization" in answer.json()["error"]
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert await account.log() == []
    assert (await account.get("/api/devices")).status_code == 200


REFUSED_ACCOUNT_REQUESTS = {
    "sign up with malformed JSON": ("/api/accounts", {"content": b"{", "headers": {}}, "not valid JSON"),
    "sign in without a password": ("/api/sessions", body({"email": "ann@example.org"}), "missing required field `password`"),
    "sign in with a numeric email": ("/api/sessions", body({"email": 5, "password": "x"}), "`email`"),
    "sign up with an over-long email": (
        "/api/accounts", body({"email": "a" * 250 + "@example.org", "password": "long enough"}), "`email`"
    ),
}


@pytest.mark.parametrize("case", REFUSED_ACCOUNT_REQUESTS, ids=list(REFUSED_ACCOUNT_REQUESTS))
async def test_a_bad_account_request_is_a_400_naming_the_problem(account, case):
    path, request, words = REFUSED_ACCOUNT_REQUESTS[case]

    answer = await account.client.post(path, content=request["content"], headers=request["headers"])

    assert answer.status_code == 400, answer.text
    assert words in answer.json()["error"], answer.json()


async def test_an_unknown_route_or_method_is_a_json_4xx(account):
    missing = await account.client.get("/api/nothing-here")
    wrong_method = await account.client.put("/api/sync", headers=account.auth)

    assert (missing.status_code, missing.json()) == (404, {"error": "nothing at GET /api/nothing-here"})
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"error": "PUT is not allowed on /api/sync"})


# --- any JSON at all: a 4xx or a `rejected` entry, never a 500, and only valid events stored ------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@st.composite
def damaged_events(draw) -> Any:
    """A valid event with one field, at the top or in `data`, replaced by any JSON value (or removed)."""
    event = json.loads(json.dumps(draw(st.sampled_from([meeting("v1"), kind("obligation_snoozed", {
        "obligation": "thank:m1:c1", "until": "2026-06-01"}), kind("settings_changed", {"timezone": "Europe/Paris"})]))))
    event["id"] = draw(st.text(min_size=1, max_size=8))
    where = event if draw(st.booleans()) else event["data"]
    name = draw(st.sampled_from(sorted(where) + ["extra"]))
    if draw(st.booleans()):
        where.pop(name, None)
    else:
        where[name] = draw(json_values)
    return event


def _valid(event: dict) -> bool:
    try:
        decode_event(json.dumps(event))
    except EventError:
        return False
    return True


@pytest.fixture(scope="module")
def sync_client(tmp_path_factory):
    from litestar.testing import TestClient

    from server.app import create_app

    from .api import settings

    with TestClient(create_app(settings(tmp_path_factory.mktemp("fuzz")))) as client:
        answer = client.post("/api/accounts", json={"email": "fuzz@example.org", "password": "correct horse"})
        client.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        yield client


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(json_values | damaged_events(), max_size=4))
def test_any_json_batch_gets_an_answer_for_every_event_and_never_a_server_error(sync_client, events):
    answer = sync_client.post("/api/sync", json={"cursor": 0, "events": events, "limit": 1})

    assert answer.status_code < 500, answer.text
    if answer.status_code == 200:
        result = answer.json()
        assert len(result["accepted"]) + len(result["duplicates"]) + len(result["rejected"]) == len(events)
        assert all(r["error"] for r in result["rejected"])
        for accepted in result["accepted"]:  # what was stored was a valid event
            assert any(_valid(e) for e in events if isinstance(e, dict) and e.get("id") == accepted)
    else:
        assert answer.json()["error"]
