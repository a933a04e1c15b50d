"""Sync over HTTP against a real `merci serve` on 127.0.0.1, measured beside raw sqlite3 in the same run.

    .venv/bin/python bench/http_sync.py [--devices 100] [--batches 20] [--big-batches 20]

1. `--devices` simulated devices (each its own account by default) sync `--batches` times each, 20 new
   events a sync: events/s, p50 and p99 latency, the server's memory (RSS, and its peak) and CPU. Twice:
   paced (each device syncs once a second, spread at random: latency is service time) and flat out (every
   device syncs back to back: throughput, and latency is mostly queueing behind the 99 others).
2. One device pushes batches of 500 (a phone back online after a long trip), against raw sqlite3
   executemany of the same rows into the same schema, one transaction per batch, WAL + synchronous=FULL for
   both: the ratio HTTP / raw. Measured twice: a plain push (pull `limit` 1) and a full sync that pulls the
   500 events back with their seq.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from events import decode_event, encode_event  # noqa: E402
from server.store.migrations import SQLITE_MIGRATIONS  # noqa: E402
from server.store.sqlite import _statements  # noqa: E402
from tests.e2e.server import MerciServer, sign_in, sign_up  # noqa: E402

UNLIMITED = {
    "MERCI_SIGNUPS_PER_ADDRESS": "100000", "MERCI_LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
    "MERCI_LOGIN_ATTEMPTS_PER_EMAIL": "100000", "MERCI_DEVICE_REQUESTS_PER_SECOND": "100000",
    "MERCI_DEVICE_REQUEST_BURST": "100000", "MERCI_LOG_REQUESTS": "false",
}
"""The bench measures throughput, not the rate limits; request logs off (each would be a write to stderr)."""
_encode = msgspec.json.encode


def meeting(event_id: str) -> dict:
    return {"id": event_id, "type": "meeting_logged", "v": 1, "at": "2026-05-12T10:30:00+02:00",
            "data": {"meeting": f"m-{event_id}", "contacts": ["c-herve", "c-anne"], "place": "Café de la Paix",
                     "note": "Talked about the job market in Lyon; she will introduce me to two people."}}


def rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process, in KiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Connection:
    """A bare HTTP/1.1 keep-alive connection: httpx spends more CPU per request than the server does, and
    on a small machine the clients would measure themselves."""

    def __init__(self, url: str, token: str):
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.head = (f"Host: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                     "Content-Type: application/json\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.writer.write(b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s" % (path.encode(), self.head, len(body), body))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def many_devices(url: str, tokens: list[str], batches: int, size: int, interval: float,
                       prefix: str) -> tuple[int, float, list[float]]:
    """Every device syncs `batches` times, one sync every `interval` seconds (spread at random), or back to back
    when `interval` is 0; (events accepted, seconds, latencies in ms)."""
    latencies: list[float] = []
    accepted = 0
    connections = [await Connection(url, token).open() for token in tokens]  # connected before the clock starts

    async def device(n: int, connection: Connection) -> None:
        nonlocal accepted
        cursor = 0
        first = started + random.uniform(0, interval)
        for b in range(batches):
            await asyncio.sleep(max(0.0, first + b * interval - time.perf_counter()))
            body = _encode({"cursor": cursor, "events": [meeting(f"{prefix}{n}-b{b}-{i}") for i in range(size)]})
            sent = time.perf_counter()
            status, answer = await connection.post("/api/sync", body)
            latencies.append((time.perf_counter() - sent) * 1000)
            assert status == 200, answer
            result = msgspec.json.decode(answer)
            accepted += len(result["accepted"])
            cursor = result["cursor"]

    started = time.perf_counter()
    try:
        await asyncio.gather(*(device(n, connection) for n, connection in enumerate(connections)))
    finally:
        for connection in connections:
            await connection.close()
    return accepted, time.perf_counter() - started, latencies


async def big_batches(url: str, token: str, batches: int, size: int, prefix: str, pull: bool) -> tuple[int, float]:
    connection = await Connection(url, token).open()
    try:
        bodies = [[meeting(f"{prefix}-b{b}-{i}") for i in range(size)] for b in range(batches)]
        cursor, accepted = 0, 0
        started = time.perf_counter()
        for events in bodies:
            request = {"cursor": cursor, "events": events} if pull else {"cursor": 0, "events": events, "limit": 1}
            status, answer = await connection.post("/api/sync", _encode(request))
            assert status == 200, answer
            result = msgspec.json.decode(answer)
            accepted += len(result["accepted"])
            if pull:
                assert len(result["events"]) == size and not result["more"]
                cursor = result["cursor"]
        return accepted, time.perf_counter() - started
    finally:
        await connection.close()


def raw_sqlite(path: Path, batches: int, size: int) -> float:
    """Events/s of sqlite3 executemany into the store's own schema, one transaction per batch, same durability."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        for script in SQLITE_MIGRATIONS:
            for statement in _statements(script):
                db.execute(statement)
        db.execute("INSERT INTO accounts (id, email, password_hash, created_at) VALUES ('a', 'a@b.c', 'x', 'now')")
        now = dt.datetime.now(dt.UTC).isoformat()
        rows = [[("a", b * size + i + 1, f"raw-b{b}-{i}", "meeting_logged", now, "d",
                  encode_event(decode_event(_encode(meeting(f"raw-b{b}-{i}"))))) for i in range(size)]
                for b in range(batches)]
        started = time.perf_counter()
        for batch in rows:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT INTO events (account_id, seq, id, type, recorded_at, device, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
            db.execute("COMMIT")
        return batches * size / (time.perf_counter() - started)
    finally:
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--accounts", type=int, default=0, help="accounts the devices share (default: one each)")
    parser.add_argument("--batches", type=int, default=20, help="syncs per device")
    parser.add_argument("--size", type=int, default=20, help="events per sync")
    parser.add_argument("--big-batches", type=int, default=20, help="batches of 500 in part 2")
    args = parser.parse_args()
    accounts = args.accounts or args.devices

    with tempfile.TemporaryDirectory(prefix="merci-bench-") as folder:
        server = MerciServer(Path(folder) / "data", env=UNLIMITED).start()
        try:
            tokens = []
            for n in range(args.devices):
                email = f"user{n % accounts}@example.org"
                tokens.append((sign_up(server.url, email) if n < accounts else sign_in(server.url, email))["token"])
            idle_rss, _ = rss_kib(server.process.pid)

            print(f"1. {args.devices} devices ({accounts} accounts), each {args.batches} syncs of {args.size} events, "
                  f"over HTTP on 127.0.0.1 (server memory idle: {idle_rss / 1024:.0f} MiB)")
            for label, interval in (("paced, one sync per device per second", 1.0), ("flat out, back to back", 0.0)):
                server_cpu, client = cpu_seconds(server.process.pid), resource.getrusage(resource.RUSAGE_SELF)
                accepted, seconds, latencies = asyncio.run(
                    many_devices(server.url, tokens, args.batches, args.size, interval, label[:5])
                )
                server_cpu = cpu_seconds(server.process.pid) - server_cpu
                after = resource.getrusage(resource.RUSAGE_SELF)
                client_cpu = after.ru_utime + after.ru_stime - client.ru_utime - client.ru_stime
                rss, peak = rss_kib(server.process.pid)
                print(f"   {label}: {accepted} events in {seconds:.2f} s = {accepted / seconds:,.0f} events/s, "
                      f"{len(latencies) / seconds:,.0f} syncs/s")
                print(f"      latency per sync: p50 {statistics.median(latencies):.1f} ms, "
                      f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms (target p99 < 50 ms)")
                print(f"      server: {rss / 1024:.0f} MiB now, peak {peak / 1024:.0f} MiB; CPU server {server_cpu:.1f} s "
                      f"({server_cpu / seconds:.0%} of a core), clients {client_cpu:.1f} s; "
                      f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

            big = 500
            pusher, syncer = sign_up(server.url, "pusher@example.org"), sign_up(server.url, "syncer@example.org")
            pushed, push_s = asyncio.run(big_batches(server.url, pusher["token"], args.big_batches, big, "p", pull=False))
            synced, sync_s = asyncio.run(big_batches(server.url, syncer["token"], args.big_batches, big, "s", pull=True))
        finally:
            server.kill()
        raw = raw_sqlite(Path(folder) / "raw.sqlite3", args.big_batches, big)
    http_push, http_sync = pushed / push_s, synced / sync_s
    print(f"2. batches of {big}, {args.big_batches} of them, one device, sequential")
    print(f"   raw sqlite3 executemany (WAL, synchronous=FULL): {raw:,.0f} events/s")
    print(f"   HTTP push (pull limit 1):         {http_push:,.0f} events/s = {http_push / raw:.2f}x raw (target >= 0.3x)")
    print(f"   HTTP sync (pulls the 500 back):   {http_sync:,.0f} events/s = {http_sync / raw:.2f}x raw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
