"""Durability, on demand: SIGKILL a real `merci serve` while four devices sync, restart it, and check that
every acknowledged event is stored exactly once, seq gapless. The test suite runs 20 rounds; this runs more.

    .venv/bin/python bench/kill9.py [--rounds 100] [--seed N] [--devices 4]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.server import MerciServer, check_log, kill9_round, sign_in, sign_up, whole_log  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--devices", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="merci-kill9-") as folder:
        server = MerciServer(Path(folder) / "data").start()
        try:
            owner = sign_up(server.url)
            tokens = [owner["token"]] + [
                sign_in(server.url, device_name=f"device {n}")["token"] for n in range(args.devices - 1)
            ]
            sent: set[str] = set()
            acknowledged: set[str] = set()
            started = time.perf_counter()
            for number in range(args.rounds):
                outcome = kill9_round(server, tokens, f"r{number}", rng)
                sent |= outcome.sent
                acknowledged |= outcome.acknowledged
                server.start()
                log = whole_log(server.url, owner["token"])
                check_log(log, acknowledged, sent)
                in_flight = len({e["id"] for e in log} - acknowledged)
                print(f"round {number + 1:>4}/{args.rounds}: {len(outcome.acknowledged):>5} acknowledged, "
                      f"log {len(log):>7} events ({in_flight} stored but never acknowledged): ok", flush=True)
        except AssertionError as exc:
            print(f"FAILED (seed {args.seed}): {exc}", file=sys.stderr)
            return 1
        finally:
            server.kill()
    print(f"{args.rounds} rounds of kill -9, seed {args.seed}: {len(acknowledged)} acknowledged events, none lost or "
          f"doubled ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
