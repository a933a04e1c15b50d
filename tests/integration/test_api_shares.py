"""Coach links over the real app and a real SQLite file: making, listing, revoking; the page `/s/{secret}` (the
audit to today and each relationship's story, in the account's language); expiry on the app's injected clock;
revocation at once; nothing writable with the secret; no cookie, no storage; no cross-account reach."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.clock import Clock

from .api import NOW, settings, sign_up

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


class Hands:
    """A monotonic reading the test moves by hand: the app's clock starts at NOW and runs only when told."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, **delta: float) -> None:
        self.seconds += dt.timedelta(**delta).total_seconds()


@pytest.fixture
def hands():
    return Hands()


@pytest.fixture
async def client(tmp_path, hands):
    app = create_app(settings(tmp_path), clock=Clock(NOW, monotonic=hands))
    async with AsyncTestClient(app) as client:
        yield client


def scenario(name: str) -> list[dict]:
    return [json.loads(line) for line in (VECTORS / f"{name}.ndjson").read_text().splitlines() if line.strip()]


async def mentee(client, email="mentee@example.org", language="en"):
    account = await sign_up(client, email, timezone="Europe/Paris", language=language)
    events = [e for e in scenario("seed-mentee") if e["type"] != "settings_changed"]
    await account.sync(events)
    return account


async def make_share(account, label="Coach Marie", days=30):
    answer = await account.client.post("/api/shares", json={"label": label, "expires_in_days": days, "scope": "audit"},
                                       headers=account.auth)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_a_coach_link_opens_the_audit_and_the_story_with_no_sign_in_and_nothing_kept(client):
    account = await mentee(client)
    made = await make_share(account)
    assert re.fullmatch(r"/s/[A-Za-z0-9_-]{43,}", made["url"])  # 256 bits, base64url
    page = await client.get(made["url"])  # no Authorization header
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    # the audit to today: the app's clock (2026-11-18 in Paris), not the machine's
    assert "Audit as of 2026-11-18 (Europe/Paris)" in text
    assert "On time: I 0 %, others —" in text  # the audit's scores, as the owner's screen shows them
    assert "thank Hervé for the meeting of 2026-05-12 at Son bureau" in text
    assert "Before meeting Hervé again" in text and "To make good first (4 still open from me)" in text
    # each broken rule of the post, in the printable page: the thank-you still owed after six months, the mentor
    # never told how the two meetings went, the two people met never thanked, and the brief before meeting again
    assert "STILL OWED since 2026-05-13 (189 days)" in text
    assert "tell Hervé how it went with Anne" in text and "tell Hervé how it went with Marc" in text
    assert "And the people Hervé introduced:" in text
    assert "thank Anne for the meeting of 2026-05-26" in text and "thank Marc for the meeting of 2026-06-03" in text
    assert "<svg" in text and "<script" not in text
    # nothing kept in the visitor's browser, nothing cached, nothing told to the next site
    assert "set-cookie" not in page.headers
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    import base64

    assert f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'" in csp
    assert "@media print" in style


async def test_the_page_speaks_the_accounts_language(client):
    account = await mentee(client, language="fr")
    made = await make_share(account)
    text = (await client.get(made["url"])).text
    assert '<html lang="fr">' in text
    assert "remercier Hervé pour le rendez-vous du 2026-05-12 à Son bureau" in text
    assert "Avant de revoir Hervé" in text


async def test_a_link_expires_on_the_injected_clock_and_says_it_is_no_longer_valid(client, hands):
    account = await mentee(client)
    made = await make_share(account, days=1)
    hands.advance(hours=23, minutes=59)
    assert (await client.get(made["url"])).status_code == 200
    hands.advance(minutes=1)
    gone = await client.get(made["url"])
    assert gone.status_code == 404 and "This link is no longer valid" in gone.text
    assert gone.headers["cache-control"] == "no-store" and "set-cookie" not in gone.headers
    listed = (await account.get("/api/shares")).json()["shares"]
    assert [(s["label"], s["expired"]) for s in listed] == [("Coach Marie", True)]


async def test_revoking_a_link_fails_its_next_request(client):
    account = await mentee(client)
    made = await make_share(account)
    assert (await client.get(made["url"])).status_code == 200
    assert (await client.delete(f"/api/shares/{made['id']}", headers=account.auth)).status_code == 204
    assert (await client.get(made["url"])).status_code == 404
    assert (await account.get("/api/shares")).json()["shares"] == []
    assert (await client.delete(f"/api/shares/{made['id']}", headers=account.auth)).status_code == 404


async def test_the_list_says_when_a_link_was_made_expires_and_was_last_opened_never_its_secret(client, hands):
    account = await mentee(client)
    made = await make_share(account, days=7)
    (listed,) = (await account.get("/api/shares")).json()["shares"]
    assert listed["last_opened"] is None
    hands.advance(hours=2)
    await client.get(made["url"])
    (listed,) = (await account.get("/api/shares")).json()["shares"]
    assert listed["created"] == "2026-11-18T12:00:00Z" and listed["expires"] == "2026-11-25T12:00:00Z"
    assert listed["last_opened"] == "2026-11-18T14:00:00Z"
    assert made["url"].split("/")[-1] not in json.dumps(listed)


async def test_the_secret_is_not_a_bearer_token_and_no_write_route_takes_it(client):
    account = await mentee(client)
    secret = (await make_share(account))["url"].split("/")[-1]
    as_bearer = {"Authorization": f"Bearer {secret}"}
    before = len(await account.log())
    writes = [
        client.post("/api/sync", json={"cursor": 0, "events": []}, headers=as_bearer),
        client.post("/api/shares", json={"label": "x", "expires_in_days": 3}, headers=as_bearer),
        client.get("/api/audit", headers=as_bearer),
        client.post("/api/import", content=b"", headers=as_bearer),
        client.delete("/api/account", headers=as_bearer),
    ]
    for request in writes:
        assert (await request).status_code == 401
    for method in ("post", "put", "patch", "delete"):
        assert (await getattr(client, method)(f"/s/{secret}")).status_code == 405
    assert len(await account.log()) == before


async def test_no_cross_account_reach_by_id(client):
    ana = await mentee(client, "ana@example.org")
    bob = await sign_up(client, "bob@example.org")
    made = await make_share(ana)
    assert (await client.delete(f"/api/shares/{made['id']}", headers=bob.auth)).status_code == 404
    assert (await bob.get("/api/shares")).json()["shares"] == []
    assert (await client.get(made["url"])).status_code == 200  # still Ana's, still open


@pytest.mark.parametrize("body, says", [
    ({"label": "x", "expires_in_days": 0, "scope": "audit"}, "expires_in_days"),
    ({"label": "x", "expires_in_days": 366, "scope": "audit"}, "expires_in_days"),
    ({"label": "", "expires_in_days": 3, "scope": "audit"}, "label"),
    ({"label": "a\u0000b", "expires_in_days": 3, "scope": "audit"}, "label"),
    ({"label": "x", "expires_in_days": 3, "scope": "everything"}, "scope"),
    ({"label": "x", "expires_in_days": 3, "extra": 1}, "extra"),
])
async def test_a_bad_share_request_names_what_is_wrong(client, body, says):
    account = await sign_up(client)
    answer = await client.post("/api/shares", json=body, headers=account.auth)
    assert answer.status_code == 400 and says in answer.text
    assert (await account.get("/api/shares")).json()["shares"] == []


async def test_only_the_hash_of_the_secret_is_stored(client, tmp_path):
    account = await mentee(client)
    secret = (await make_share(account))["url"].split("/")[-1]
    with sqlite3.connect(tmp_path / "merci.sqlite3") as db:
        (stored,) = db.execute("SELECT secret_hash FROM shares").fetchone()
    assert stored == hashlib.sha256(secret.encode()).digest()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert secret.encode() not in raw


async def test_an_unknown_or_absurd_secret_is_a_404_page(client):
    assert (await client.get("/s/nope")).status_code == 404
    assert (await client.get("/s/" + "a" * 5000)).status_code == 404


async def test_the_mentors_page_says_what_to_raise_kindly(client):
    account = await sign_up(client, "mentor@example.org", timezone="Europe/Paris", language="en")
    await account.sync([e for e in scenario("seed-helper") if e["type"] != "settings_changed"])
    text = (await client.get((await make_share(account))["url"])).text
    assert "Before meeting Paul again" in text and "To raise, kindly (3 still open from Paul)" in text
    assert "Paul to thank me for the meeting of 2026-05-12" in text
    assert "Paul to tell me how it went with Anne" in text and "Paul to tell me how it went with Marc" in text
