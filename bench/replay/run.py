"""How fast `merci replay --json` is, next to msgspec decoding alone of the same file (the floor).

    .venv/bin/python bench/replay/run.py [--sizes 10000,100000,1000000] [--profile] [--no-phases]

For each size, a synthetic log (bench/replay/generate.py, seed 7) is written to bench/out/ once and reused
while the generator is unchanged. Then, in this one process:

- replay: the whole `merci replay LOG --as-of ... --json` path, in-process through `server.cli.main`
  (read the file, read_log, project, replay_document, encode and format the JSON; output to /dev/null);
- floor: read the file and `msgspec.json.Decoder(AnyEvent).decode_lines` it, nothing else;

each the best of 3 runs (1 at 1M and above). It prints events/s for both, the time ratio replay/floor, the
time each phase of one replay takes, and against the targets of issue 2: >= 300k events/s at 1M, and a
per-event cost at 1M within 1.3x of the cost at 10k. `--profile` adds a cProfile of the largest run (top
15 by cumulative time, then by own time).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import gc
import hashlib
import io
import os
import pstats
import sys
import time
from pathlib import Path

import msgspec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "bench" / "out"
sys.path[:0] = [str(ROOT), str(HERE)]

import generate  # noqa: E402

from events import project, read_log, replay_document  # noqa: E402
from server.cli import gc_paused, main as merci  # noqa: E402
from events.types import AnyEvent  # noqa: E402

AS_OF = "2027-01-31"  # after the last event the generator writes: every event counts
SEED = 7
TARGET_RATE = 300_000
TARGET_GROWTH = 1.3


def log_file(n: int) -> Path:
    """The log of n events, generated on first use (and again whenever generate.py changes)."""
    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:8]
    path = OUT / f"replay-{n}-s{SEED}-{digest}.ndjson"
    if not path.exists():
        started = time.perf_counter()
        print(f"  generating {n:,} events -> {path.relative_to(ROOT)} ...", end=" ", flush=True)
        tmp = path.with_suffix(".tmp")
        generate.write(n, tmp, SEED)
        tmp.replace(path)
        print(f"{time.perf_counter() - started:.1f} s", flush=True)
    return path


def replay_cli(path: Path) -> None:
    """`merci replay PATH --as-of AS_OF --json`, as the console script runs it, output discarded."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        code = merci(["replay", str(path), "--as-of", AS_OF, "--json"])
    if code != 0:
        raise SystemExit(f"merci replay exited {code} on {path}")


_floor_decoder = msgspec.json.Decoder(AnyEvent)


def decode_floor(path: Path) -> int:
    return len(_floor_decoder.decode_lines(path.read_bytes()))


def best_of(runs: int, work, *args) -> tuple[float, float]:
    """The best wall-clock time and the best CPU time (of this process) over `runs` runs. On a busy
    machine the CPU time is the steadier of the two: it leaves out the time other processes held the CPU."""
    wall = cpu = float("inf")
    for _ in range(runs):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        work(*args)
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def phases(path: Path) -> dict[str, float]:
    """One replay split in its phases (same calls as the CLI, timed one by one)."""
    times = {}
    gc.collect()
    started = time.perf_counter()
    content = path.read_bytes()
    with gc_paused():  # as the CLI reads it
        events = read_log(content)
    times["read + read_log"] = time.perf_counter() - started
    started = time.perf_counter()
    projection = project(events, dt.date.fromisoformat(AS_OF), None)
    times["project"] = time.perf_counter() - started
    started = time.perf_counter()
    out = msgspec.json.format(msgspec.json.encode(replay_document(projection)), indent=1)
    times["document + JSON"] = time.perf_counter() - started
    times["obligations"] = len(projection.obligations)
    times["output MB"] = len(out) / 1e6
    return times


def profile(path: Path, top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    replay_cli(path)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(top)
    text.write(f"... and the top {top} by own time (tottime):\n")
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def _verdict(wall: bool, cpu: bool) -> str:
    return "met" if wall and cpu else ("met in CPU time only" if cpu else "NOT met")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated event counts")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the largest size (top 15 by cumtime, then by tottime)")
    parser.add_argument("--no-phases", dest="phases", action="store_false", help="skip the per-phase timing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    print(f"merci replay --json vs msgspec decode_lines (floor); Python {sys.version.split()[0]}, "
          f"msgspec {msgspec.__version__}, as of {AS_OF}")
    rows = []
    for n in sizes:
        path = log_file(n)
        runs = 1 if n >= 1_000_000 else 3
        floor, floor_cpu = best_of(runs, decode_floor, path)
        replay, replay_cpu = best_of(runs, replay_cli, path)
        rows.append((n, replay, floor, replay_cpu, floor_cpu))
        print(f"{n:>10,} events  replay {n / replay:>9,.0f} ev/s ({replay:7.3f} s; CPU {n / replay_cpu:>9,.0f} ev/s)"
              f"   floor {n / floor:>9,.0f} ev/s ({floor:6.3f} s; CPU {n / floor_cpu:>9,.0f} ev/s)"
              f"   replay/floor {replay / floor:5.1f}x (CPU {replay_cpu / floor_cpu:5.1f}x)   best of {runs}",
              flush=True)
        if args.phases:
            split = phases(path)
            print("            phases: " + ", ".join(
                f"{k} {v:.3f} s" if k.endswith(("log", "project", "JSON")) else f"{k} {v:,.0f}"
                for k, v in split.items()), flush=True)

    by_size = {row[0]: row for row in rows}
    small, large = min(by_size), max(by_size)
    if small != large:
        growth = (by_size[large][1] / large) / (by_size[small][1] / small)
        growth_cpu = (by_size[large][3] / large) / (by_size[small][3] / small)
        print(f"per-event cost {large:,} vs {small:,}: {growth:.2f}x wall, {growth_cpu:.2f}x CPU "
              f"(target <= {TARGET_GROWTH}x: {_verdict(growth <= TARGET_GROWTH, growth_cpu <= TARGET_GROWTH)})")
    if 1_000_000 in by_size:
        rate, rate_cpu = 1_000_000 / by_size[1_000_000][1], 1_000_000 / by_size[1_000_000][3]
        print(f"rate at 1M: {rate:,.0f} events/s wall, {rate_cpu:,.0f} CPU "
              f"(target >= {TARGET_RATE:,}: {_verdict(rate >= TARGET_RATE, rate_cpu >= TARGET_RATE)})")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    if args.profile:
        print(f"\ncProfile of merci replay --json on {large:,} events (top 15 by cumulative time; cProfile adds "
              "a fixed cost to every call, so many small calls look dearer than they are):")
        print(profile(log_file(large)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
