"""The main flows against a real `merci serve` process on loopback: sign up, two devices syncing, export,
the audit matching `merci replay`, settings from the environment and flags, logs, restarts."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time

import httpx
import pytest

from .server import MERCI, PASSWORD, MerciServer, bearer, free_port, meeting, sign_in, sign_up, whole_log


@pytest.fixture
def server(tmp_path):
    with MerciServer(tmp_path / "data") as server:
        yield server


def contact(event_id: str, contact_id: str, name: str) -> dict:
    return {"id": event_id, "type": "contact_added", "v": 1, "at": "2026-05-01T09:00:00+02:00",
            "data": {"contact": contact_id, "name": name}}


def test_a_person_syncs_two_devices_and_exports_a_log_that_merci_replay_audits_the_same(server, tmp_path):
    # Given a phone that signed up and a laptop that signed in
    phone = sign_up(server.url, timezone="Europe/Paris", language="fr")
    laptop = sign_in(server.url, device_name="laptop")
    with httpx.Client(base_url=server.url, timeout=10) as http:
        # When the phone pushes a meeting, the laptop pulls it and pushes a thank-you, the phone pulls again
        pushed = http.post("/api/sync", headers=bearer(phone["token"]), json={
            "device": phone["device"], "cursor": 0, "events": [contact("e1", "c-herve", "Hervé"), meeting("e2")],
        }).json()
        pulled = http.post("/api/sync", headers=bearer(laptop["token"]), json={"cursor": 0, "events": [
            {"id": "e3", "type": "thanks_sent", "v": 1, "at": "2026-05-13T09:00:00+02:00",
             "data": {"contact": "c-herve", "meeting": "m-e2", "channel": "email"}},
        ]}).json()
        caught_up = http.post("/api/sync", headers=bearer(phone["token"]),
                              json={"cursor": pushed["cursor"], "events": []}).json()
        export = http.get("/api/export", headers=bearer(phone["token"]))
        audit = http.get("/api/audit", params={"as_of": "2026-05-20"}, headers=bearer(laptop["token"]))

    # Then both devices hold the same log, and the export replays to exactly the served audit
    assert pushed["accepted"] == ["e1", "e2"]
    assert [e["id"] for e in pulled["events"]] == [e["id"] for e in pushed["events"]] + ["e3"]
    assert [(e["id"], e["device"]) for e in caught_up["events"]] == [("e3", laptop["device"])]
    assert export.headers["content-disposition"].startswith("attachment")
    log_file = tmp_path / "export.ndjson"
    log_file.write_bytes(export.content)
    assert len(export.content.splitlines()) == 4  # the sign-up settings, then e1, e2, e3
    replay = subprocess.run([str(MERCI), "replay", str(log_file), "--as-of", "2026-05-20", "--json"],
                            capture_output=True, check=True)
    assert json.loads(replay.stdout) == audit.json()
    assert ("thank:m-e2:c-herve", "done") in [(o["id"], o["status"]) for o in audit.json()["obligations"]]


def test_the_openapi_schema_is_served_at_the_frameworks_default_path(server):
    schema = httpx.get(f"{server.url}/schema/openapi.json", timeout=10)

    assert schema.status_code == 200
    assert "/api/sync" in schema.json()["paths"]


def test_the_data_folder_is_created_and_the_log_outlives_a_clean_restart(tmp_path):
    data = tmp_path / "not" / "yet" / "there"
    server = MerciServer(data).start()
    try:
        account = sign_up(server.url)
        httpx.post(f"{server.url}/api/sync", headers=bearer(account["token"]),
                   json={"cursor": 0, "events": [meeting("e1")]}, timeout=10).raise_for_status()
        assert (data / "merci.sqlite3").is_file()

        # uvicorn shuts down gracefully on SIGTERM, then re-raises it: the exit status says SIGTERM
        assert server.stop() in (0, -signal.SIGTERM)
        assert '"level":"error"' not in server.stderr
        server.start()

        assert [e["id"] for e in whole_log(server.url, account["token"])] == ["e1"]
    finally:
        server.kill()


def test_settings_come_from_the_environment_and_command_line_flags_win(tmp_path):
    port = free_port()
    env = {"MERCI_PORT": "1", "MERCI_MAX_BATCH_EVENTS": "3", "MERCI_DATA": str(tmp_path / "from-env")}
    with MerciServer(tmp_path / "from-flag", port=port, env=env) as server:
        account = sign_up(server.url)

        answer = httpx.post(f"{server.url}/api/sync", headers=bearer(account["token"]),
                            json={"cursor": 0, "events": [meeting(f"e{i}") for i in range(4)]}, timeout=10)

    assert answer.status_code == 413 and "at most 3 events" in answer.json()["error"]
    assert (tmp_path / "from-flag" / "merci.sqlite3").exists() and not (tmp_path / "from-env").exists()


def test_environment_only_configuration_is_enough(tmp_path):
    port = free_port()
    env = {"MERCI_HOST": "127.0.0.1", "MERCI_PORT": str(port), "MERCI_DATA": str(tmp_path / "env-data")}
    with MerciServer(tmp_path / "unused", port=port, env=env, args=[]) as server:
        assert httpx.get(f"{server.url}/api/health", timeout=10).json() == {"status": "ok"}

    assert (tmp_path / "env-data" / "merci.sqlite3").exists()


def test_a_bad_setting_stops_the_server_with_a_message_naming_it(tmp_path):
    result = subprocess.run([str(MERCI), "serve", "--data", str(tmp_path)], env={"MERCI_MAX_BODY_BYTES": "lots"},
                            capture_output=True, text=True, timeout=30)

    assert result.returncode == 2
    assert "MERCI_MAX_BODY_BYTES" in result.stderr


def test_a_port_already_taken_is_a_clear_failure(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(MERCI), "serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(tmp_path)],
            capture_output=True, text=True, timeout=30,
        )

    assert result.returncode == 1
    assert "address already in use" in result.stderr


def test_the_server_logs_one_json_line_per_request_and_never_a_token_or_password(server):
    account = sign_up(server.url)
    httpx.post(f"{server.url}/api/sync", headers=bearer(account["token"]),
               json={"cursor": 0, "events": [meeting("e1")]}, timeout=10)
    httpx.get(f"{server.url}/api/audit", headers=bearer("merci_a-wrong-token"), timeout=10)

    # A request's line is written once its answer has gone: the client can hold the answer first.
    deadline = time.monotonic() + 10
    while '"path":"/api/audit"' not in server.stderr.replace(" ", "") and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = [json.loads(line) for line in server.stderr.splitlines()]

    requests = [(line["method"], line["path"], line["status"]) for line in lines if "method" in line]
    assert requests[-3:] == [("POST", "/api/accounts", 201), ("POST", "/api/sync", 200), ("GET", "/api/audit", 401)]
    assert all("duration_ms" in line and "account" in line for line in lines if "method" in line)
    assert account["token"] not in server.stderr and "merci_a-wrong-token" not in server.stderr
    assert PASSWORD not in server.stderr
