"""The OpenAPI document the server serves is the one committed in tests/integration/openapi.json: a change to a route,
a request or response Struct or an event type shows up in review as a change of that file.

After a change that is meant, write the file again:

    .venv/bin/python -m tests.integration.test_openapi_snapshot
"""

from __future__ import annotations

import asyncio
import difflib
import json
import sys
import tempfile
from pathlib import Path

from .api import running_app

SNAPSHOT = Path(__file__).with_name("openapi.json")
REGENERATE = ".venv/bin/python -m tests.integration.test_openapi_snapshot"


async def served_document(data: Path) -> dict:
    async with running_app(data, push_scheduler=False) as client:
        answer = await client.get("/schema/openapi.json")
        assert answer.status_code == 200
        return answer.json()


def as_text(document: dict) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


async def test_the_served_openapi_document_is_the_committed_one(tmp_path):
    served = as_text(await served_document(tmp_path))
    committed = SNAPSHOT.read_text(encoding="utf-8")
    if served != committed:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), served.splitlines(True), "committed", "served",
                                            n=2))
        raise AssertionError(f"the served OpenAPI document differs from {SNAPSHOT.name}; if the change is meant, "
                             f"run `{REGENERATE}` and commit the file:\n{diff[:6000]}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="merci-openapi-") as data:
        SNAPSHOT.write_text(as_text(asyncio.run(served_document(Path(data)))), encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)


if __name__ == "__main__":
    main()
