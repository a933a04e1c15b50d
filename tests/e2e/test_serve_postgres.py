"""Scale-out: two real `merci serve` processes on loopback sharing one PostgreSQL database, a device on each.
Whatever instance a request reaches, the account has one log."""

from __future__ import annotations

import asyncio
import subprocess

import httpx
import pytest

from .server import MERCI, PASSWORD, MerciServer, bearer, check_log, meeting, sign_in, sign_up, whole_log

pytestmark = pytest.mark.postgres


@pytest.fixture
def instances(tmp_path, postgres_url):
    """Instances A and B: each its own data folder (its own keys), both on the same database."""
    env = {"MERCI_DATABASE_URL": postgres_url, "MERCI_PUSH_SCHEDULER": "0"}
    with MerciServer(tmp_path / "a", env=env) as a, MerciServer(tmp_path / "b", env=env) as b:
        yield a, b


def test_devices_syncing_through_different_instances_converge_to_one_gapless_log(instances):
    a, b = instances
    # Given a phone signed up on A and a laptop signed in on B, both pushing batches at the same time
    phone = sign_up(a.url, timezone="Europe/Paris")
    laptop = sign_in(b.url, device_name="laptop")
    sent: set[str] = set()
    acknowledged: set[str] = set()

    async def push(url: str, token: str, prefix: str) -> None:
        async with httpx.AsyncClient(base_url=url, headers=bearer(token), timeout=10) as client:
            for n in range(15):
                events = [meeting(f"{prefix}-{n}-{i}") for i in range(10)] + [meeting(f"shared-{n}")]
                sent.update(e["id"] for e in events)
                answer = await client.post("/api/sync", json={"cursor": 0, "events": events, "limit": 1})
                assert answer.status_code == 200, answer.text
                acknowledged.update(answer.json()["accepted"] + answer.json()["duplicates"])

    async def both() -> None:
        await asyncio.gather(push(a.url, phone["token"], "phone"), push(b.url, laptop["token"], "laptop"))

    asyncio.run(both())

    # Then each device pulls from its own instance the same log: everything once, seqs gapless
    on_a, on_b = whole_log(a.url, phone["token"]), whole_log(b.url, laptop["token"])
    assert on_a == on_b
    assert on_a[0]["type"] == "settings_changed"  # made at sign-up
    check_log(on_a, acknowledged, sent | {on_a[0]["id"]})
    assert len(on_a) == 1 + 2 * 15 * 10 + 15  # the sign-up settings, each device's events, the shared ones once


def test_a_read_on_one_instance_sees_an_append_just_acknowledged_by_the_other(instances):
    a, b = instances
    phone = sign_up(a.url, timezone="Europe/Paris")
    laptop = sign_in(b.url, device_name="laptop")
    with httpx.Client(timeout=10) as http:
        audit = f"{b.url}/api/audit"
        before = http.get(audit, params={"as_of": "2026-05-20"}, headers=bearer(laptop["token"])).json()
        cursor = 1
        for n in range(20):
            # When the phone's meeting is acknowledged by A
            pushed = http.post(f"{a.url}/api/sync", headers=bearer(phone["token"]),
                               json={"cursor": cursor, "events": [meeting(f"e{n}")]}).json()
            assert pushed["accepted"] == [f"e{n}"]
            # Then the very next read on B has it: the raw log, and the audit B had cached before it
            page = http.get(f"{b.url}/api/events", params={"after": cursor}, headers=bearer(laptop["token"])).json()
            assert [e["id"] for e in page["events"]] == [f"e{n}"]
            cursor = pushed["cursor"]
        after = http.get(audit, params={"as_of": "2026-05-20"}, headers=bearer(laptop["token"])).json()

    assert before["obligations"] == []
    assert {o["id"] for o in after["obligations"]} == {f"thank:m-e{n}:c-herve" for n in range(20)}


def test_erasing_the_account_on_one_instance_is_seen_by_the_other(instances):
    a, b = instances
    phone = sign_up(a.url, timezone="Europe/Paris")
    laptop = sign_in(b.url, device_name="laptop")
    with httpx.Client(timeout=10) as http:
        http.post(f"{a.url}/api/sync", headers=bearer(phone["token"]),
                  json={"cursor": 0, "events": [meeting("e1")]}).raise_for_status()
        assert len(whole_log(b.url, laptop["token"])) == 2  # B holds the account's log in its read cache now

        # When the phone erases the account through A
        erased = http.request("DELETE", f"{a.url}/api/account", headers=bearer(phone["token"]),
                              json={"password": PASSWORD})

        # Then B knows neither the laptop's token nor the email, and the email can sign up afresh there
        refused = http.get(f"{b.url}/api/events", headers=bearer(laptop["token"]))
        log_in = http.post(f"{b.url}/api/sessions", json={"email": "ann@example.org", "password": PASSWORD})
        again = sign_up(b.url)

    assert erased.status_code == 204
    assert refused.status_code == 401
    assert log_in.status_code == 401
    assert whole_log(a.url, again["token"]) == []


@pytest.mark.parametrize("url", ["mysql://merci:s3cret@db.example/merci", "postgresql://merci:s3cret@db:port/merci"])
def test_a_database_url_that_cannot_be_used_stops_the_server_with_a_message_naming_the_variable(tmp_path, url):
    result = subprocess.run([str(MERCI), "serve", "--data", str(tmp_path)], env={"MERCI_DATABASE_URL": url},
                            capture_output=True, text=True, timeout=30)

    assert result.returncode == 2
    assert "MERCI_DATABASE_URL (or --database-url)" in result.stderr and "s3cret" not in result.stderr


def test_a_database_that_cannot_be_reached_stops_the_server_saying_where_without_the_password(tmp_path):
    result = subprocess.run(
        [str(MERCI), "serve", "--port", "0", "--data", str(tmp_path), "--database-url",
         "postgresql://merci:s3cret@127.0.0.1:1/merci"],
        capture_output=True, text=True, timeout=30,
    )

    assert result.returncode == 1
    assert "cannot connect to PostgreSQL at merci@127.0.0.1:1/merci" in result.stderr
    assert "s3cret" not in result.stderr
