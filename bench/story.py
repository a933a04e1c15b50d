"""What telling every relationship's story costs, next to the projection it reads (the baseline, same run).

    .venv/bin/python bench/story.py [--sizes 10000,100000]

For each size, the synthetic log of bench/replay/generate.py (seed 7; written to bench/out/ once) is decoded,
projected to 2027-01-31 (`project`, the baseline), then told (`network_story`: every contact's timeline,
readings, counts, months and brief: what `merci replay --story` and the coach page compute), and the same in
JavaScript (node, pwa/lib/rules/story.js) when node is installed. Best of 3, in CPU time of the process (steadier
on a shared machine). Prints seconds and story/projection. No target: the numbers are to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "bench" / "out"
sys.path[:0] = [str(ROOT), str(HERE / "replay")]

import generate  # noqa: E402

from events.codec import read_log  # noqa: E402
from events.project import project  # noqa: E402
from events.story import network_story  # noqa: E402

AS_OF = dt.date(2027, 1, 31)
NODE_SCRIPT = """
import { readFileSync } from 'node:fs';
import { readLog } from './pwa/lib/rules/events.js';
import { projection } from './pwa/lib/rules/project.js';
import { networkStory } from './pwa/lib/rules/story.js';
const events = readLog(readFileSync(process.argv[1]));
const best = (f) => { let b = Infinity; for (let i = 0; i < 3; i++) { const t = process.cpuUsage(); f();
  const u = process.cpuUsage(t); b = Math.min(b, (u.user + u.system) / 1e6); } return b; };
let p;
const projected = best(() => { p = projection(events, '2027-01-31'); });
const told = best(() => networkStory(p));
console.log(JSON.stringify({ projected, told }));
"""


def best(job) -> float:
    times = []
    for _ in range(3):
        gc.collect()
        start = time.process_time()
        job()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    node = shutil.which("node")
    print(f"{'events':>8} {'contacts':>8} {'obligations':>11}  engine       project    story  story/project")
    for size in map(int, args.sizes.split(",")):
        path = OUT / f"story-{size}.ndjson"
        if not path.exists():
            generate.main([str(size), str(path)])
        events = read_log(path.read_bytes())
        found = {}
        projected = best(lambda: found.__setitem__("p", project(events, AS_OF)))
        told = best(lambda: network_story(found["p"]))
        p = found["p"]
        head = f"{len(events):>8} {len(p.facts.contacts):>8} {len(p.obligations):>11}"
        print(f"{head}  python   {projected:>9.2f}s {told:>7.2f}s  {told / projected:>12.1f}x")
        if node:
            done = subprocess.run([node, "--input-type=module", "-e", NODE_SCRIPT, str(path)], cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            js = json.loads(done.stdout)
            ratio = js["told"] / js["projected"]
            print(f"{'':>30}  javascript {js['projected']:>7.2f}s {js['told']:>7.2f}s  {ratio:>12.1f}x")


if __name__ == "__main__":
    main()
