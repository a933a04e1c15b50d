"""Run `merci` (server.cli.main, what .venv/bin/merci runs) once per argument list, in one process.

For tests/js/engines.test.mjs: starting Python costs about 0.3 s of CPU, far more than a replay. Reads a
JSON array of argument lists on stdin; writes a JSON array of [exit code, stdout, stderr]."""

import io
import json
import sys

from server.cli import main

results = []
real = sys.stdout, sys.stderr
for argv in json.load(sys.stdin):
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    finally:
        sys.stdout, sys.stderr = real
    out.flush()
    err.flush()
    results.append([code, out.buffer.getvalue().decode("utf-8"), err.buffer.getvalue().decode("utf-8")])
json.dump(results, sys.stdout)
