"""How long another account's sync waits while one account imports a big log, against a real `merci serve`.

    .venv/bin/python bench/import_stall.py [--events 250000] [--interval-ms 10]

One account imports an NDJSON log of `--events` meetings (250,000: about 41 MiB) while another syncs one new
event every `--interval-ms`, and `/api/health` is asked as often on a third connection. Measured twice, each
time in a fresh server and data folder:

- **one transaction** (before issue 10): `MERCI_IMPORT_CHUNK_EVENTS` as large as the import, so the whole log
  is decoded, held and written in one transaction on the single writer, as `/api/import` used to;
- **chunked** (now): the default, 250 events per transaction, each taking its turn with other writers.

Printed for each: the import's time, the other account's sync latency (p50, p99, max) and `/api/health`'s,
during the import and, as a floor, for a few seconds before it with no import; and how much the server's
peak memory (VmHWM) rose during the import. Target (issue 10): chunked, the other account's p99 within
about 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.http_sync import UNLIMITED, percentile, rss_kib  # noqa: E402
from tests.e2e.server import MerciServer, sign_up  # noqa: E402

OUT = Path(__file__).parent / "out"
_encode = msgspec.json.encode


def write_log(path: Path, events: int) -> int:
    """A log of `events` meetings, like an export of a busy account; its size in bytes."""
    with path.open("wb") as out:
        for i in range(events):
            out.write(_encode({
                "id": f"0192f0c4-6a1e-7cc2-9b1e-{i:012d}", "type": "meeting_logged", "v": 1,
                "at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T10:30:00+01:00",
                "data": {"meeting": f"m-{i}", "contacts": [f"c-{i % 997}"], "place": "Café de la Paix"},
            }) + b"\n")
    return path.stat().st_size


class Connection:
    """A bare HTTP/1.1 keep-alive connection (httpx would cost the client more CPU than the server's answer)."""

    def __init__(self, url: str, token: str | None = None):
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = b"%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        self.writer.write(head % (method.encode(), path.encode(), self.host.encode(), self.auth, len(body)) + body)
        return await self.answer()

    async def answer(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        return int(head[9:12]), await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def import_file(url: str, token: str, path: Path) -> tuple[int, bytes]:
    """POST the file to /api/import, streamed from disk in 256 KiB pieces."""
    connection = await Connection(url, token).open()
    try:
        connection.writer.write(b"POST /api/import HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n"
                                % (connection.host.encode(), connection.auth, path.stat().st_size))
        with path.open("rb") as log:
            while piece := log.read(256 << 10):
                connection.writer.write(piece)
                await connection.writer.drain()
        return await connection.answer()
    finally:
        await connection.close()


async def meanwhile(url: str, token: str, interval: float, until: asyncio.Event, prefix: str) -> tuple[list, list]:
    """Another account syncs one new event every `interval` s, and /api/health is asked as often, until `until`:
    (sync latencies, health latencies) in ms."""
    syncs: list[float] = []
    healths: list[float] = []
    sync = await Connection(url, token).open()
    health = await Connection(url).open()

    async def syncing() -> None:
        cursor, n = 0, 0
        while not until.is_set():
            body = _encode({"cursor": cursor, "events": [{
                "id": f"{prefix}-{n}", "type": "thanks_sent", "v": 1, "at": "2026-05-13T09:00:00+02:00",
                "data": {"contact": "c-herve", "channel": "email"}}]})
            sent = time.perf_counter()
            status, answer = await sync.request("POST", "/api/sync", body)
            syncs.append((time.perf_counter() - sent) * 1000)
            assert status == 200, answer
            cursor = msgspec.json.decode(answer)["cursor"]
            n += 1
            await asyncio.sleep(interval)

    async def checking() -> None:
        while not until.is_set():
            sent = time.perf_counter()
            status, _ = await health.request("GET", "/api/health")
            healths.append((time.perf_counter() - sent) * 1000)
            assert status == 200
            await asyncio.sleep(interval)

    try:
        await asyncio.gather(syncing(), checking())
    finally:
        await sync.close()
        await health.close()
    return syncs, healths


async def measure(log: Path, events: int, chunk: int, interval: float, floor_seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="merci-import-stall-") as folder:
        env = {**UNLIMITED, "MERCI_IMPORT_CHUNK_EVENTS": str(chunk), "MERCI_PUSH_SCHEDULER": "false",
               "MERCI_MAX_IMPORT_EVENTS": str(max(events, 1)), "MERCI_IMPORT_QUOTA_EVENTS": str(2 * events + 1)}
        server = MerciServer(Path(folder) / "data", env=env).start()
        try:
            importer = sign_up(server.url, "importer@example.org")
            other = sign_up(server.url, "other@example.org")

            done = asyncio.Event()
            floor = asyncio.create_task(meanwhile(server.url, other["token"], interval, done, "floor"))
            await asyncio.sleep(floor_seconds)
            done.set()
            floor_syncs, floor_healths = await floor

            rss_before, _ = rss_kib(server.process.pid)
            done = asyncio.Event()
            during = asyncio.create_task(meanwhile(server.url, other["token"], interval, done, "during"))
            started = time.perf_counter()
            status, answer = await import_file(server.url, importer["token"], log)
            seconds = time.perf_counter() - started
            done.set()
            syncs, healths = await during
            _, peak = rss_kib(server.process.pid)
            assert status == 200, answer[:500]
            result = msgspec.json.decode(answer)
            assert result["accepted"] == events, {k: v for k, v in result.items() if k != "rejected"}
        finally:
            server.stop()
    return {"seconds": seconds, "syncs": syncs, "healths": healths, "floor_syncs": floor_syncs,
            "floor_healths": floor_healths, "memory_mib": (peak - rss_before) / 1024}


def line(name: str, values: list[float]) -> str:
    return (f"{name:<28} n={len(values):>5}  p50 {statistics.median(values):7.1f} ms  "
            f"p99 {percentile(values, 0.99):7.1f} ms  max {max(values):7.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=250_000)
    parser.add_argument("--interval-ms", type=float, default=10)
    parser.add_argument("--chunk", type=int, default=250, help="events per transaction, chunked (the default setting)")
    parser.add_argument("--floor-seconds", type=float, default=3)
    parser.add_argument("--chunked-only", action="store_true", help="skip the one-transaction measurement")
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    log = OUT / f"import-{args.events}.ndjson"
    if not log.exists() or log.stat().st_mtime < Path(__file__).stat().st_mtime:
        write_log(log, args.events)
    size = log.stat().st_size
    print(f"import of {args.events} events ({size / 2**20:.1f} MiB) while another account syncs one event every "
          f"{args.interval_ms:g} ms; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    results = {}
    modes = [("one transaction (before)", args.events)] * (not args.chunked_only) + [
        (f"chunked by {args.chunk} (now)", args.chunk)]
    for name, chunk in modes:
        r = results[name] = await measure(log, args.events, chunk, args.interval_ms / 1000, args.floor_seconds)
        print(f"\n{name}: import {r['seconds']:.1f} s ({args.events / r['seconds']:,.0f} events/s), "
              f"server peak memory +{r['memory_mib']:.0f} MiB during it")
        print("  " + line("other account's sync, idle", r["floor_syncs"]))
        print("  " + line("other account's sync, during", r["syncs"]))
        print("  " + line("/api/health, idle", r["floor_healths"]))
        print("  " + line("/api/health, during", r["healths"]))
    if args.chunked_only:
        return
    before, after = results.values()
    p99 = [percentile(r["syncs"], 0.99) for r in (before, after)]
    print(f"\nother account's p99 sync during the import: {p99[0]:.0f} ms before, {p99[1]:.0f} ms now "
          f"({p99[0] / p99[1]:.0f}x less); target about 100 ms: {'met' if p99[1] <= 100 else 'NOT met'}")
    print(f"server peak memory rise: {before['memory_mib']:.0f} MiB before, {after['memory_mib']:.0f} MiB now; "
          f"import time {before['seconds']:.1f} s before, {after['seconds']:.1f} s now")


if __name__ == "__main__":
    asyncio.run(main())
