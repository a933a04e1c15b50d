"""Web-push digests, end to end: N accounts each owing a thank-you, each with one subscription at the local
push service (tests/integration/push_receiver.py, in its own process: it checks every VAPID token and
decrypts every body), and one scheduler pass at their reminder hour. Twice: one instance on SQLite, then two
instances (two processes) sharing one PostgreSQL database, which split the work through their claims.
Prints the time to dispatch them all and messages/s, beside the floor of encryption alone measured in the
same run (and VAPID signing alone, which the sender does once per push service and hour, not per message).
Target (issue 15): 10,000 digests in at most 10 s across two instances, at least 0.2x the encryption-only
rate, each accepted once.

    .venv/bin/python bench/push.py [--accounts 10000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python bench/push.py --no-postgres        # SQLite only
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import jwt
import msgspec
import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from events import decode_event, project  # noqa: E402
from server.projections import Projections  # noqa: E402
from server.push.digest import build_digest  # noqa: E402
from server.push.endpoints import EndpointPolicy  # noqa: E402
from server.push.keys import VapidKeys  # noqa: E402
from server.push.scheduler import DigestScheduler  # noqa: E402
from server.push.sender import PushSender, Target  # noqa: E402
from server.store.contract import Store  # noqa: E402
from server.store.postgres import PostgresStore  # noqa: E402
from server.store.sqlite import SQLiteStore  # noqa: E402

OUT = ROOT / "bench" / "out" / "push"
SUBJECT = "mailto:bench@merci.example"
UTC = dt.timezone.utc
DAY = dt.date(2026, 11, 27)
TARGET_SECONDS = 10.0
TARGET_RATIO = 0.2
"""Of the encryption-only rate measured in the same run."""
NAMES = ["Hervé Martin", "Anne Leroy", "Paul Lemaire", "Sophie Bernard", "Claire Dubois", "Julien Petit"]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def account_log(n: int) -> list:
    """A small realistic log: settings, three contacts, a meeting with two of them two days ago (two
    thank-yous overdue), one yesterday (one due)."""
    raw = [
        ("settings_changed", "2026-01-05T10:00:00+00:00", {"timezone": "UTC", "reminder_hour": 9, "language": "fr" if n % 3 == 0 else "en"}),
        *[("contact_added", "2026-11-01T09:00:00+00:00", {"contact": f"c{k}", "name": NAMES[(n + k) % len(NAMES)]}) for k in range(3)],
        ("meeting_logged", "2026-11-25T10:00:00+00:00", {"meeting": "m1", "contacts": ["c0", "c1"]}),
        ("meeting_logged", "2026-11-26T15:00:00+00:00", {"meeting": "m2", "contacts": ["c2"], "place": "Café de la Paix"}),
    ]
    return [decode_event(msgspec.json.encode({"id": f"a{n}-e{i}", "type": kind, "v": 1, "at": at, "data": data}))
            for i, (kind, at, data) in enumerate(raw)]


async def populate(store: Store, subscriptions: list[dict]) -> None:
    now = dt.datetime(2026, 11, 26, 18, 0, tzinfo=UTC)

    async def one(n: int, sub: dict) -> None:
        account = await store.create_account(f"u{n}@bench.example", "hash", now)
        device = await store.add_device(account.id, "phone", f"token-{n}".encode(), now)
        await store.append(account.id, device.id, account_log(n), now)
        await store.save_subscription(account.id, device.id, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], now)

    for start in range(0, len(subscriptions), 200):
        await asyncio.gather(*(one(n, sub) for n, sub in enumerate(subscriptions[start:start + 200], start)))


def measure_floor(keys: VapidKeys, subscriptions: list[dict], payload: bytes) -> dict[str, float]:
    sender = PushSender(keys, SUBJECT, EndpointPolicy((), allow_local=True))
    targets = [Target(s["endpoint"], s["keys"]["p256dh"], s["keys"]["auth"]) for s in subscriptions]
    started, started_cpu = time.perf_counter(), cpu()
    for target in targets:
        sender.encrypt(payload, target)
    encryption = (time.perf_counter() - started, cpu() - started_cpu)
    count = 1000
    started = time.perf_counter()
    for i in range(count):
        jwt.encode({"aud": f"https://push{i}.example", "exp": 2_000_000_000, "sub": SUBJECT}, keys.private_key, algorithm="ES256")
    signing = time.perf_counter() - started
    asyncio.run(sender.aclose())
    return {"encrypt_per_s": len(targets) / encryption[0], "encrypt_cpu_per_s": len(targets) / encryption[1],
            "sign_per_s": count / signing}


async def dispatch(store: Store, keys: VapidKeys, name: str, ready=None) -> dict:
    """One instance's scheduler: a pass before the hour (it learns each account's zone and hour, as the running
    server has by then), `ready()` (to start the instances together), then the measured pass at the hour and a
    second one at the same instant."""
    await store.open()
    sender = PushSender(keys, SUBJECT, EndpointPolicy((), allow_local=True), timeout=30)
    clock = [dt.datetime(2026, 11, 27, 8, 59, 30, tzinfo=UTC)]
    scheduler = DigestScheduler(store, Projections(store, lambda: clock[0]), sender, clock=lambda: clock[0], name=name)
    try:
        started = time.perf_counter()
        assert (await scheduler.tick()).claimed == []
        warm_up = time.perf_counter() - started
        if ready is not None:
            await ready()
        clock[0] = dt.datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        started, started_cpu = time.perf_counter(), cpu()
        report = await scheduler.tick()
        seconds, cpu_seconds = time.perf_counter() - started, cpu() - started_cpu
        again = await scheduler.tick()
    finally:
        await sender.aclose()
        await store.close()
    outcomes: dict[str, int] = {}
    for delivery in report.deliveries:
        outcomes[delivery.outcome] = outcomes.get(delivery.outcome, 0) + 1
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "claimed": len(report.claimed), "outcomes": outcomes,
            "warm_up": warm_up, "second_pass_claimed": len(again.claimed)}


def worker(database_url: str, key_file: str, name: str) -> None:
    """`bench/push.py --worker`: one instance of the two-instance run, told to start on stdin."""
    keys = VapidKeys.parse(Path(key_file).read_text())

    async def ready() -> None:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    result = uvloop.run(dispatch(PostgresStore(database_url, max_connections=10), keys, name, ready))
    print(json.dumps(result), flush=True)


class Receiver:
    """The local push service in its own process, with N subscriptions."""

    def __init__(self, accounts: int, keys: VapidKeys):
        self.listing = OUT / f"subscriptions-{time.monotonic_ns()}.json"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.push_receiver", "--subscriptions", str(accounts),
             "--out", str(self.listing), "--vapid-public-key", keys.public_key, "--subject", SUBJECT],
            cwd=ROOT, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 120
        while not self.listing.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the push receiver did not start:\n{self.process.stderr.read()}")
            time.sleep(0.05)
        made = json.loads(self.listing.read_text())
        self.origin, self.subscriptions = made["origin"], made["subscriptions"]

    def stats(self) -> dict:
        return json.loads(httpx.get(f"{self.origin}/stats", timeout=10).headers["x-stats"])

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(30)


def run_sqlite(accounts: int, keys: VapidKeys) -> dict:
    receiver = Receiver(accounts, keys)
    try:
        started = time.perf_counter()
        path = OUT / "merci.sqlite3"
        asyncio.run(_populate(SQLiteStore(path), receiver.subscriptions))
        print(f"  SQLite: set up in {time.perf_counter() - started:.1f} s (not measured)")
        receiver_cpu = receiver.cpu_seconds()
        result = uvloop.run(dispatch(SQLiteStore(path), keys, "sqlite"))  # as under uvicorn
        result["receiver_cpu"] = receiver.cpu_seconds() - receiver_cpu
        result["stats"] = receiver.stats()
        result["subscriptions"] = receiver.subscriptions
    finally:
        receiver.stop()
    return result


def run_postgres(accounts: int, keys: VapidKeys, admin_url: str) -> dict:
    name = f"merci_bench_push_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin_url, f"CREATE DATABASE {name}"))
    url = urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    receiver = Receiver(accounts, keys)
    workers: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        asyncio.run(_populate(PostgresStore(url), receiver.subscriptions))
        print(f"  PostgreSQL: set up in {time.perf_counter() - started:.1f} s (not measured)")
        key_file = OUT / "vapid.pem"
        key_file.write_bytes(keys.private_pem())
        for instance in ("A", "B"):
            workers.append(subprocess.Popen(
                [sys.executable, __file__, "--worker", url, str(key_file), instance],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            ))
        for process in workers:
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("an instance did not get ready")
        receiver_cpu = receiver.cpu_seconds()
        started = time.perf_counter()
        for process in workers:
            process.stdin.write("go\n")
            process.stdin.flush()
        parts = [json.loads(process.stdout.readline()) for process in workers]
        seconds = time.perf_counter() - started
        for process in workers:
            process.wait(30)
        result = {
            "seconds": seconds, "cpu_seconds": sum(p["cpu_seconds"] for p in parts),
            "claimed": sum(p["claimed"] for p in parts), "per_instance": [p["claimed"] for p in parts],
            "outcomes": {k: sum(p["outcomes"].get(k, 0) for p in parts)
                         for k in {k for p in parts for k in p["outcomes"]}},
            "warm_up": max(p["warm_up"] for p in parts),
            "second_pass_claimed": sum(p["second_pass_claimed"] for p in parts),
            "receiver_cpu": receiver.cpu_seconds() - receiver_cpu, "stats": receiver.stats(),
        }
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()
        receiver.stop()
        asyncio.run(_admin(admin_url, f"DROP DATABASE {name} WITH (FORCE)"))
    return result


def report(title: str, result: dict, accounts: int, floor: dict) -> bool:
    rate = accounts / result["seconds"]
    stats = result["stats"]
    ratio = rate / floor["encrypt_per_s"]
    print(f"{title}: {result['seconds']:.1f} s for {result['claimed']} digests ({rate:,.0f} messages/s = "
          f"{ratio:.2f}x the encryption-only rate; the instances' CPU {result['cpu_seconds']:.1f} s, the push "
          f"service's {result['receiver_cpu']:.1f} s)")
    per_digest = result["cpu_seconds"] / accounts * 1000
    encrypting = 1000 / floor["encrypt_cpu_per_s"]
    print(f"  CPU per digest: the instances {per_digest:.2f} ms, the push service "
          f"{result['receiver_cpu'] / accounts * 1000:.2f} ms; encryption alone {encrypting:.2f} ms "
          f"(by CPU time, which the machine's other load does not change: {encrypting / per_digest:.2f}x)")
    if "per_instance" in result:
        print(f"  claimed per instance: {result['per_instance']}")
    print(f"  outcomes {result['outcomes']}; the push service accepted {stats['accepted']} (each JWT verified, each "
          f"body decrypted), {stats['twice']} subscriptions got more than one, problems: {stats['problems']}")
    print(f"  a second pass at the same instant claimed {result['second_pass_claimed']} (never twice); the pass "
          f"before the hour, reading every account's settings, took {result['warm_up']:.1f} s")
    ok = (result["seconds"] * 10_000 / accounts <= TARGET_SECONDS and ratio >= TARGET_RATIO
          and stats["accepted"] == accounts and stats["problems"] == 0 and stats["twice"] == 0)
    return ok


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    keys = VapidKeys.generate()
    print(f"{args.accounts} accounts, one subscription each, at the local push service (its own process)")

    sqlite = run_sqlite(args.accounts, keys)
    digest = build_digest(project(account_log(1), DAY), "en")
    print(f"  a digest: {len(digest.payload)} bytes of JSON, e.g. {digest.text!r}")
    floor = measure_floor(keys, sqlite["subscriptions"], digest.payload)
    pg = None if args.no_postgres else run_postgres(args.accounts, keys, args.postgres)
    load = os.getloadavg()[0]
    print()
    print(f"encryption alone (aes128gcm, one ECDH per message): {floor['encrypt_per_s']:,.0f} messages/s "
          f"({floor['encrypt_cpu_per_s']:,.0f}/s of CPU) = {args.accounts / floor['encrypt_per_s']:.1f} s for all")
    print(f"VAPID signing alone (ES256): {floor['sign_per_s']:,.0f} tokens/s (one per push service and hour, reused)")
    ok_sqlite = report("one instance, SQLite", sqlite, args.accounts, floor)
    ok = ok_sqlite
    if pg is not None:
        ok = report("two instances, one PostgreSQL database", pg, args.accounts, floor)
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs")
    main_case = pg if pg is not None else sqlite
    print(f"target: 10,000 digests in <= {TARGET_SECONDS:.0f} s across {'two instances' if pg else 'one instance'}, "
          f">= {TARGET_RATIO}x the encryption-only rate, each accepted once -> "
          f"{main_case['seconds'] * 10_000 / args.accounts:.1f} s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


async def _admin(url: str, statement: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _populate(store: Store, subscriptions: list[dict]) -> None:
    await store.open()
    try:
        await populate(store, subscriptions)
    finally:
        await store.close()


if __name__ == "__main__":
    raise SystemExit(main())
