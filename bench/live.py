"""Live sync, end to end: the time from a device's acknowledged append to another device of the account having
pulled it, when that device follows `GET /api/live` and syncs when told. 200 connected devices (100 accounts,
two devices each, every device following its account's stream); each account's first device appends about
once every `--interval` seconds (5 by default: 20 appends a second in all, thousands of times what 100 people
logging meetings write; `--interval 1` for 100 a second), its second device syncs on news and pulls the event.

Run twice: on SQLite (one `merci serve`), and on two `merci serve` instances sharing one PostgreSQL database
(the appending device on one instance, the following one on the other, so each event crosses LISTEN/NOTIFY).
Prints the p50/p95/p99 latency beside the floor measured in the same run (one plain `POST /api/sync` round
trip with nothing new), the server's memory per connected device, and the target: p95 < 1 s.

    .venv/bin/python bench/live.py [--accounts 100] [--seconds 30] [--interval 5]
    .venv/bin/python bench/live.py --postgres postgresql://postgres@127.0.0.1:5432/postgres   # another server
    .venv/bin/python bench/live.py --no-postgres     # SQLite only
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import MerciServer  # noqa: E402
from tests.integration.live_client import LiveStream, StreamEnded  # noqa: E402

OUT = ROOT / "bench" / "out" / "live"
TARGET_P95 = 1.0
PASSWORD = "correct horse battery"
ENV = {
    "MERCI_PUSH_SCHEDULER": "0", "MERCI_LOG_REQUESTS": "0",
    # 100 sign-ups and sign-ins from one address: the bench is not an attack
    "MERCI_SIGNUPS_PER_ADDRESS": "100000", "MERCI_LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def meeting(event_id: str) -> dict:
    """A meeting the day before the servers' clock (tests/e2e/server.py NOW): one dated after it would be refused."""
    return {"id": event_id, "type": "meeting_logged", "v": 1, "at": "2026-11-17T10:30:00+01:00",
            "data": {"meeting": f"m-{event_id}", "contacts": ["c-herve"]}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Pair:
    """One account: the device that appends (on the writing instance) and the one that follows (on the other)."""

    def __init__(self, n: int):
        self.email = f"live{n}-{uuid.uuid4().hex[:6]}@bench.example"
        self.writer = ""
        self.follower = ""
        self.cursor = 0
        self.acknowledged: dict[str, float] = {}
        self.pulled: dict[str, float] = {}
        self.appending: list[float] = []
        """How long each append took to be acknowledged."""
        self.told: dict[str, float] = {}
        """When the news that led to pulling each event arrived."""


async def set_up(pair: Pair, write: httpx.AsyncClient, read: httpx.AsyncClient) -> None:
    answer = await write.post("/api/accounts", json={"email": pair.email, "password": PASSWORD, "timezone": "UTC"})
    answer.raise_for_status()
    pair.writer = answer.json()["token"]
    answer = await read.post("/api/sessions", json={"email": pair.email, "password": PASSWORD, "device_name": "laptop"})
    answer.raise_for_status()
    pair.follower = answer.json()["token"]


async def sync(client: httpx.AsyncClient, token: str, cursor: int, events: list[dict] | None = None) -> dict:
    answer = await client.post("/api/sync", json={"cursor": cursor, "events": events or []},
                               headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    return answer.json()


async def measure(write_url: str, read_url: str, pids: list[int], accounts: int, seconds: float,
                  interval: float) -> dict:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    async with httpx.AsyncClient(base_url=write_url, timeout=30, limits=limits) as write, \
            httpx.AsyncClient(base_url=read_url, timeout=30, limits=limits) as read, \
            httpx.AsyncClient(base_url=write_url, timeout=30, limits=limits) as write_streams, \
            httpx.AsyncClient(base_url=read_url, timeout=30, limits=limits) as read_streams:
        pairs = [Pair(n) for n in range(accounts)]
        for start in range(0, accounts, 20):
            await asyncio.gather(*(set_up(p, write, read) for p in pairs[start:start + 20]))
        for pair in pairs:
            pair.cursor = (await sync(read, pair.follower, 0))["cursor"]

        # The floor: a sync with nothing new, the same request a told device makes (sequential, idle server)
        floor = []
        for pair in pairs * 2:
            started = time.perf_counter()
            await sync(read, pair.follower, pair.cursor)
            floor.append(time.perf_counter() - started)

        await asyncio.sleep(1)
        memory_before = sum(rss_kib(pid) for pid in pids)
        streams = [LiveStream(write_streams, p.writer) for p in pairs]
        streams += [LiveStream(read_streams, p.follower) for p in pairs]
        for stream in streams:
            await stream.__aenter__()
        try:
            for stream in streams:
                assert (await stream.next())[0] == "log"
            await asyncio.sleep(1)
            memory_after = sum(rss_kib(pid) for pid in pids)
            stop_at = time.perf_counter() + seconds
            cpu_before, server_cpu_before = client_cpu(), sum(process_cpu(pid) for pid in pids)
            followed = streams[accounts:]

            async def append(pair: Pair) -> None:
                await asyncio.sleep(random.uniform(0, interval))
                while time.perf_counter() < stop_at:
                    event_id = str(uuid.uuid4())
                    started = time.perf_counter()
                    answer = await write.post(
                        "/api/sync", json={"cursor": 0, "events": [meeting(event_id)], "limit": 1},
                        headers={"Authorization": f"Bearer {pair.writer}"},
                    )
                    answer.raise_for_status()
                    if answer.json().get("rejected"):
                        raise RuntimeError(f"the server refused the bench's event: {answer.json()['rejected']}")
                    pair.acknowledged[event_id] = time.perf_counter()
                    pair.appending.append(pair.acknowledged[event_id] - started)
                    await asyncio.sleep(random.uniform(0.5, 1.5) * interval)

            async def follow(pair: Pair, stream: LiveStream) -> None:
                while True:
                    try:
                        kind, data = await stream.next(timeout=max(0.1, stop_at + 5 - time.perf_counter()))
                    except (TimeoutError, StreamEnded):
                        return
                    if kind != "log" or data["last_seq"] <= pair.cursor:
                        continue
                    told = time.perf_counter()
                    more = True
                    while more:
                        answer = await sync(read, pair.follower, pair.cursor)
                        done = time.perf_counter()
                        for event in answer["events"]:
                            pair.pulled[event["id"]] = done
                            pair.told[event["id"]] = told
                        pair.cursor, more = answer["cursor"], answer["more"]

            await asyncio.gather(*(append(p) for p in pairs), *(follow(p, s) for p, s in zip(pairs, followed)))
            cpu_used, server_cpu = client_cpu() - cpu_before, sum(process_cpu(pid) for pid in pids) - server_cpu_before
        finally:
            for stream in streams:
                await stream.__aexit__(None, None, None)

    latencies, news, missing = [], [], 0
    for pair in pairs:
        for event_id, acknowledged in pair.acknowledged.items():
            if event_id in pair.pulled:
                latencies.append(max(0.0, pair.pulled[event_id] - acknowledged))
                news.append(max(0.0, pair.told[event_id] - acknowledged))
            else:
                missing += 1
    appending = [t for pair in pairs for t in pair.appending]
    return {"latencies": latencies, "news": news, "appending": appending, "client_cpu": cpu_used,
            "server_cpu": server_cpu, "seconds": seconds, "missing": missing, "floor": floor, "devices": len(streams),
            "memory_per_device_kib": (memory_after - memory_before) / len(streams), "memory_before": memory_before,
            "memory_after": memory_after}


def report(name: str, result: dict) -> bool:
    lat, floor = result["latencies"], result["floor"]
    if not lat:
        print(f"{name}: no append was pulled by the other device ({result['missing']} not pulled) -> NOT met")
        return False
    p50, p95, p99 = (percentile(lat, q) for q in (0.5, 0.95, 0.99))
    floor50, floor95 = statistics.median(floor), percentile(floor, 0.95)
    print(f"{name}: {result['devices']} devices following, {len(lat)} appends pulled by the other device "
          f"({result['missing']} not pulled)")
    print(f"  acknowledged append -> other device's sync finished: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms")
    print(f"  of which the news reached the device: p50 {percentile(result['news'], 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(result['news'], 0.95) * 1000:.0f} ms (the rest is its sync)")
    print(f"  (the appends themselves, until acknowledged: p50 {percentile(result['appending'], 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(result['appending'], 0.95) * 1000:.0f} ms)")
    print(f"  floor (one POST /api/sync with nothing new, same run): p50 {floor50 * 1000:.1f} ms, "
          f"p95 {floor95 * 1000:.1f} ms -> live p95 = {p95 / floor95:.1f}x the floor's p95; "
          f"a timed round every 60 s would average 30,000 ms")
    print(f"  CPU while measuring: the server(s) {result['server_cpu'] / result['seconds']:.0%} of a CPU, this client "
          f"{result['client_cpu'] / result['seconds']:.0%}")
    print(f"  server memory: {result['memory_before'] / 1024:.1f} MiB before the streams, "
          f"{result['memory_after'] / 1024:.1f} MiB with them: "
          f"{result['memory_per_device_kib']:.1f} KiB per connected device")
    ok = p95 < TARGET_P95 and result["missing"] == 0
    print(f"  target: p95 < {TARGET_P95 * 1000:.0f} ms, nothing lost -> {'met' if ok else 'NOT met'}")
    return ok


async def database(admin_url: str, statement: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between two appends of one account, on average")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ok = True
    run = f"{os.getpid()}"
    if not args.no_sqlite:
        with MerciServer(OUT / f"sqlite-{run}", env=ENV) as server:
            result = uvloop.run(measure(server.url, server.url, [server.process.pid], args.accounts, args.seconds,
                                        args.interval))
        ok &= report("SQLite, one instance", result)
    if not args.no_postgres:
        name = f"merci_bench_live_{uuid.uuid4().hex[:8]}"
        asyncio.run(database(args.postgres, f"CREATE DATABASE {name}"))
        try:
            env = {**ENV, "MERCI_DATABASE_URL": urlsplit(args.postgres)._replace(path=f"/{name}").geturl()}
            with MerciServer(OUT / f"pg-a-{run}", env=env) as a, MerciServer(OUT / f"pg-b-{run}", env=env) as b:
                result = uvloop.run(measure(a.url, b.url, [a.process.pid, b.process.pid], args.accounts, args.seconds,
                                            args.interval))
        finally:
            asyncio.run(database(args.postgres, f"DROP DATABASE {name} WITH (FORCE)"))
        ok &= report("PostgreSQL, two instances (appends through A, followed on B)", result)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
