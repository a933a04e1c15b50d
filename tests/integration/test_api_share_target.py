"""The manifest's share_target answered by the server when no service worker takes the POST (the app's first
visit, a browser without one): a 303 to the app's share page with what was shared in the fragment, whatever the
form's encoding; nothing lost, no 405 (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .api import running_app

MANIFEST = json.loads((Path(__file__).parents[2] / "pwa" / "manifest.webmanifest").read_text(encoding="utf-8"))


@pytest.fixture
async def client(tmp_path):
    async with running_app(tmp_path) as client:
        yield client


def shared(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    assert parts.path == "/" and parts.fragment.startswith("/share"), location
    query = parts.fragment.partition("?")[2]
    return {k: v[0] for k, v in parse_qs(query).items()}


def test_the_manifest_declares_the_share_target_the_server_answers():
    target = MANIFEST["share_target"]
    assert target["action"] == "/share" and target["method"] == "POST"
    assert target["enctype"] in ("multipart/form-data", "application/x-www-form-urlencoded")
    assert target["params"] == {"title": "title", "text": "text", "url": "url"}


async def test_a_multipart_share_is_sent_to_the_share_page_with_its_fields_in_the_fragment(client):
    answer = await client.post("/share", follow_redirects=False, files={
        "title": (None, "Open banking, « enfin » ?"), "text": (None, "À lire"), "url": (None, "https://ex.org/a?b=1&c=2")})
    assert answer.status_code == 303
    assert shared(answer.headers["location"]) == {
        "title": "Open banking, « enfin » ?", "text": "À lire", "url": "https://ex.org/a?b=1&c=2"}
    assert answer.headers["cache-control"] == "no-store"


async def test_an_urlencoded_share_with_the_link_in_the_text_keeps_it(client):
    answer = await client.post("/share", follow_redirects=False, data={"text": "https://www.linkedin.com/in/jeanne-dupont-1a2b3c"})
    assert answer.status_code == 303
    assert shared(answer.headers["location"]) == {"text": "https://www.linkedin.com/in/jeanne-dupont-1a2b3c"}


async def test_an_empty_or_odd_share_still_opens_the_share_page(client):
    for kwargs in ({}, {"content": b"\xff\xfe", "headers": {"content-type": "text/plain"}}):
        answer = await client.post("/share", follow_redirects=False, **kwargs)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/#/share"


async def test_long_fields_are_cut_to_what_an_idea_holds(client):
    answer = await client.post("/share", follow_redirects=False, data={"title": "t" * 500, "url": "https://ex.org/" + "a" * 3000})
    got = shared(answer.headers["location"])
    assert len(got["title"]) == 200 and len(got["url"]) == 2000
