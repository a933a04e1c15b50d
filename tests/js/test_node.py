"""The JavaScript side (pwa/), run from pytest so that one command covers both engines: node's own test runner
over each tests/js/*.test.mjs file, one pytest item per file (a failure names the file and shows its failing
tests), and ../shared/tools/check_scenarios.py against `node pwa/cli.mjs`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SHARED = ROOT.parent / "shared"
NODE = shutil.which("node")
FILES = sorted(path.name for path in (ROOT / "tests" / "js").glob("*.test.mjs"))


def node_major() -> int:
    done = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30)
    match = re.match(r"v(\d+)", done.stdout)
    return int(match.group(1)) if match else 0


pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: the JavaScript engine's tests need node 20+"),
    pytest.mark.skipif(NODE is not None and node_major() < 20, reason="the JavaScript engine's tests need node 20+"),
]


def test_every_javascript_test_file_is_run():
    assert {"events.test.mjs", "engines.test.mjs", "vectors.test.mjs"} <= set(FILES), FILES


@pytest.mark.parametrize("name", FILES)
def test_the_javascript_tests_pass(name):
    done = subprocess.run([NODE, "--test", "--test-reporter=spec", f"tests/js/{name}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"})
    # The spec reporter ends with the failing tests, each with its assertion: that is what to read.
    failures = done.stdout.split("✖ failing tests:", 1)[-1] if "✖ failing tests:" in done.stdout else done.stdout
    assert done.returncode == 0, f"tests/js/{name} failed:\n{failures[-8000:]}{done.stderr[-2000:]}"
    assert re.search(r"^ℹ fail 0$", done.stdout, re.M), done.stdout[-2000:]
    assert not re.search(r"^ℹ tests 0$", done.stdout, re.M), f"tests/js/{name} ran no test"


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
