"""What every answer says to browsers and caches: no HTML page on the app's origin loads anything from another
origin, each carries the strict CSP, and API answers are never cached nor sniffed (issue 10, points 5 and 6)."""

from __future__ import annotations

import re

import pytest

from server.routes.pwa import CSP, app_paths

from .api import PASSWORD, meeting, running_app, sign_up

DOC_PAGES = ["/schema", "/schema/", "/schema/redoc", "/schema/swagger", "/schema/elements", "/schema/rapidoc",
             "/schema/stoplight", "/schema/scalar", "/schema/openapi.yaml", "/schema/openapi.yml"]
OTHER_ORIGIN = re.compile(rb"""(?:https?:)?//[a-z0-9.-]+|url\(\s*["']?(?:https?:)?//""", re.IGNORECASE)
"""An absolute or protocol-relative URL: anything an HTML page could load from another origin."""


@pytest.fixture
async def client(tmp_path):
    async with running_app(tmp_path) as client:
        yield client


async def test_no_html_answer_references_another_origin_and_each_carries_the_csp(client):
    paths = app_paths() + DOC_PAGES + ["/nothing-here", "/api/nothing-here", "/schema/openapi.json"]
    html = 0
    for path in paths:
        answer = await client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code < 500, path
        if answer.headers.get("content-type", "").startswith("text/html"):
            html += 1
            assert answer.headers.get("content-security-policy") == CSP, path
            assert answer.headers.get("x-content-type-options") == "nosniff", path
            assert not OTHER_ORIGIN.search(answer.content), (path, OTHER_ORIGIN.search(answer.content))
    assert html >= 2  # the app's shell and at least one 404 page were looked at


async def test_the_api_docs_pages_are_gone_and_only_the_json_schema_is_served(client):
    for page in ("/schema/redoc", "/schema/swagger", "/schema/elements", "/schema/rapidoc"):
        assert (await client.get(page)).status_code == 404, page
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Merci"
    root = await client.get("/schema")
    assert not root.headers["content-type"].startswith("text/html")


async def test_answers_with_tokens_or_personal_data_are_neither_cached_nor_sniffed(client):
    account = await sign_up(client, device_name="phone")
    signed_up = await client.post("/api/accounts", json={"email": "bob@example.org", "password": PASSWORD})
    signed_in = await client.post("/api/sessions", json={"email": account.email, "password": PASSWORD})
    synced = await client.post("/api/sync", json={"events": [meeting("e1", note="private")]}, headers=account.auth)
    answers = {
        "sign-up": signed_up, "sign-in": signed_in, "sync": synced,
        "refused log-in": await client.post("/api/sessions", json={"email": account.email, "password": "guess-guess"}),
        "devices": await account.get("/api/devices"),
        "contacts": await account.get("/api/contacts"),
        "audit": await account.get("/api/audit", as_of="2026-05-20"),
        "export": await account.get("/api/export"),
        "no token": await client.get("/api/devices"),
        "schema": await client.get("/schema/openapi.json"),
    }
    for what, answer in answers.items():
        assert answer.headers.get("cache-control") == "no-store", what
        assert answer.headers.get("x-content-type-options") == "nosniff", what


async def test_the_apps_own_files_keep_their_revalidation(client):
    shell = await client.get("/")
    assert shell.headers["cache-control"] == "no-cache"
    assert shell.headers["etag"]
