"""The JavaScript rules engine (pwa/lib/rules/), run from the Python test suite so that one command covers
both engines: node's own test runner over tests/js/ (vectors, both decoders and both CLIs line for line,
random logs through both engines), and ../shared/tools/check_scenarios.py against `node pwa/cli.mjs`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SHARED = ROOT.parent / "shared"
NODE = shutil.which("node")


def node_major() -> int:
    done = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30)
    match = re.match(r"v(\d+)", done.stdout)
    return int(match.group(1)) if match else 0


pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: the JavaScript engine's tests need node 20+"),
    pytest.mark.skipif(NODE is not None and node_major() < 20, reason="the JavaScript engine's tests need node 20+"),
]


def test_the_javascript_tests_pass():
    done = subprocess.run([NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    summary = "\n".join(line for line in done.stdout.splitlines() if line.startswith(("not ok", "# ")))
    assert done.returncode == 0, summary + "\n" + done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"^# fail 0$", done.stdout, re.M), summary


@pytest.mark.skipif(not (SHARED / "tools" / "check_scenarios.py").exists(), reason="../shared is not here")
def test_check_scenarios_passes_against_the_javascript_cli():
    folders = [str(ROOT / "tests" / "vectors")]
    if (SHARED / "scenarios").is_dir():
        folders.append(str(SHARED / "scenarios"))
    done = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "check_scenarios.py"), f"{NODE} pwa/cli.mjs", *folders],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr
    assert " 0 failed" in done.stdout
