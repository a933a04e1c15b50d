"""A real `merci serve` process on a free loopback port, and the kill -9 round shared by the suite and
bench/kill9.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

MERCI = Path(sys.executable).with_name("merci")
FAST_HASHING = {"MERCI_ARGON2_TIME_COST": "1", "MERCI_ARGON2_MEMORY_KIB": "1024", "MERCI_ARGON2_PARALLELISM": "1"}
PASSWORD = "correct horse battery"
NOW = dt.datetime.fromisoformat("2026-11-18T09:30:00+01:00")
"""The instant the browser tests live at: each server's clock starts there (MERCI_CLOCK_START), and each
page's through Playwright's clock, so what they show never depends on the machine's calendar (a Wednesday in
Paris, far from December's greetings and from daylight-saving changes)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MerciServer:
    """`merci serve --host 127.0.0.1 --port PORT --data DATA`, its stderr kept in a file beside the data."""

    def __init__(self, data: Path, port: int | None = None, env: dict[str, str] | None = None,
                 args: list[str] | None = None):
        self.data = data
        self.port = port or free_port()
        self.env = {**os.environ, **FAST_HASHING, "MERCI_CLOCK_START": NOW.isoformat(), **(env or {})}
        self.args = args
        self.process: subprocess.Popen | None = None
        beside = next(folder for folder in data.parents if folder.exists())  # `data` may not exist yet
        self.stderr_path = beside / f"merci-{self.port}.stderr"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text() if self.stderr_path.exists() else ""

    def start(self, timeout: float = 20) -> MerciServer:
        """Start it and wait until /api/health answers (or fail with what it printed)."""
        args = self.args if self.args is not None else [
            "--host", "127.0.0.1", "--port", str(self.port), "--data", str(self.data)
        ]
        with self.stderr_path.open("ab") as stderr:
            self.process = subprocess.Popen(
                [str(MERCI), "serve", *args], env=self.env, stdout=subprocess.DEVNULL, stderr=stderr,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"merci serve exited with {self.process.returncode}:\n{self.stderr}")
            try:  # a bare connect while it starts: an HTTP client per poll would slow the start it waits for
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                time.sleep(0.02)
                continue
            if httpx.get(f"{self.url}/api/health", timeout=5).status_code == 200:
                return self
        self.kill()
        raise RuntimeError(f"merci serve did not answer within {timeout} s:\n{self.stderr}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM and wait: the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def __enter__(self) -> MerciServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


def sign_up(url: str, email: str = "ann@example.org", **extra: object) -> dict:
    answer = httpx.post(f"{url}/api/accounts", json={"email": email, "password": PASSWORD, **extra}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def sign_in(url: str, email: str = "ann@example.org", device_name: str = "device") -> dict:
    answer = httpx.post(f"{url}/api/sessions", json={"email": email, "password": PASSWORD, "device_name": device_name},
                        timeout=10)
    answer.raise_for_status()
    return answer.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def whole_log(url: str, token: str) -> list[dict]:
    events, after = [], 0
    with httpx.Client(base_url=url, headers=bearer(token), timeout=30) as client:
        while True:
            page = client.get("/api/events", params={"after": after, "limit": 1000}).json()
            events += page["events"]
            after = page["cursor"]
            if not page["more"]:
                return events


def meeting(event_id: str) -> dict:
    return {"id": event_id, "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:30:00+02:00",
            "data": {"meeting": f"m-{event_id}", "contacts": ["c-herve"]}}


# --- one kill -9 round -----------------------------------------------------------------------------


@dataclass
class RoundOutcome:
    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    """Ids some answer listed as accepted or duplicates: the server promised they are durable."""


async def sync_until_killed(url: str, tokens: list[str], prefix: str, outcome: RoundOutcome, ready: asyncio.Event,
                            batch: int = 20, max_batches: int = 500) -> None:
    """Each token is a device pushing batches of new events until the server stops answering. `ready` is
    set once every device is connected, so the kill lands while syncing, not while clients start."""
    clients = [httpx.AsyncClient(base_url=url, headers=bearer(token), timeout=10) for token in tokens]
    connected = 0

    async def device(n: int, client: httpx.AsyncClient) -> None:
        nonlocal connected
        (await client.get("/api/health")).raise_for_status()
        connected += 1
        if connected == len(clients):
            ready.set()
        for b in range(max_batches):
            events = [meeting(f"{prefix}-d{n}-b{b}-{i}") for i in range(batch)]
            outcome.sent.update(e["id"] for e in events)
            try:
                answer = await client.post("/api/sync", json={"cursor": 0, "events": events, "limit": 1})
            except httpx.TransportError:
                return
            assert answer.status_code == 200, answer.text
            body = answer.json()
            outcome.acknowledged.update(body["accepted"] + body["duplicates"])

    try:
        await asyncio.gather(*(device(n, client) for n, client in enumerate(clients)))
    finally:
        for client in clients:
            await client.aclose()


def kill9_round(server: MerciServer, tokens: list[str], prefix: str, rng: random.Random) -> RoundOutcome:
    """With the server running, let the devices sync and SIGKILL it at a random moment; the caller restarts
    it and checks the log."""
    outcome = RoundOutcome()

    async def run() -> None:
        ready = asyncio.Event()
        syncing = asyncio.create_task(sync_until_killed(server.url, tokens, prefix, outcome, ready))
        await asyncio.wait_for(ready.wait(), 10)
        await asyncio.sleep(rng.uniform(0.02, 0.3))
        server.kill()
        await syncing

    asyncio.run(run())
    return outcome


def check_log(events: list[dict], acknowledged: set[str], sent: set[str]) -> None:
    """Every acknowledged event stored exactly once, nothing that was not sent, seq gapless."""
    stored = [e["id"] for e in events]
    assert len(stored) == len(set(stored)), "an event is stored twice"
    missing = acknowledged - set(stored)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
    assert set(stored) <= sent, "an event nobody sent is stored"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "seq has a gap"


AXE = """async () => {
    // a toast fading in or out is between two colours: axe judges the page at rest, once its transitions end
    const settled = Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 2000))]);
    return (await axe.run(document, {resultTypes: ['violations']})).violations
        .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
}"""
"""Every violation axe-core (injected in the page beforehand) finds in the page, whatever its impact."""


def axe_violations(page, serious_only: bool = False) -> list[dict]:
    found = page.evaluate(AXE)
    return [v for v in found if v["impact"] in ("serious", "critical")] if serious_only else found
