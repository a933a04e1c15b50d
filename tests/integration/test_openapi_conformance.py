"""The OpenAPI document is true: schemathesis generates requests for every operation from it (valid ones, then
invalid ones), sends them to a real `merci serve` on loopback, signed in, and checks each answer against the
document: no server error, its status documented, its content type, headers and body as described. Bounded: a few
examples per operation and mode, well under a minute.

Not run: schemathesis's checks that the server accepts every request the schema allows and refuses every one it
does not. The server checks more than a JSON Schema can say (an email's shape, an IANA time zone, a date's range, a
push service's host: each refused with a documented 400), and ignores query parameters it does not know."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from tests.e2e.server import MerciServer, bearer, sign_up

from .api import running_app

EXAMPLES = 20
"""Per operation and mode: enough to reach each route's errors, little enough to stay bounded."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
SKIPPED = {"POST /api/sessions/logout", "GET /api/live"}
"""Signing out would revoke the token every other request is made with (it is covered in test_api_accounts); the
live stream never ends, so no answer of it can be read whole (tests/integration/test_live.py covers it)."""


@schemathesis.serializer("application/x-ndjson", "text/vcard", "text/csv")
def file_body(ctx, value) -> dict:
    """An import's body (a log, a contacts file) as generated: a string as it is, anything else (an invalid body) as
    its JSON."""
    return {"data": value.encode() if isinstance(value, str) else json.dumps(value).encode()}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with MerciServer(tmp_path_factory.mktemp("openapi") / "data", env={"MERCI_PUSH_SCHEDULER": "0"}) as running:
        yield running


def test_every_answer_is_what_the_openapi_document_says(server):
    token = sign_up(server.url)["token"]
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    failures, tried = {}, []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue
        takes_input = bool(operation.body or operation.query or operation.path_parameters)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if takes_input else (GenerationMode.POSITIVE,):
            tried.append(f"{operation.label} ({mode.value})")

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def conforms(case):
                case.call_and_validate(headers=bearer(token), checks=CHECKS)

            try:
                conforms()
            except Unsatisfiable:
                if mode is not GenerationMode.NEGATIVE:
                    raise
                # Nothing the document forbids to send: its only input is a path segment that may be any string
                # (a secret, as in /cal/{feed} or /s/{secret}), answered 404 when it names nothing.
                tried.pop()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation is tried, all reported
                failures[tried[-1]] = str(exc)[:3000]
    assert len(tried) >= 35, tried
    assert not failures, "\n\n".join(f"{label}:\n{why}" for label, why in failures.items())


async def test_the_document_describes_errors_as_the_server_sends_them(tmp_path):
    async with running_app(tmp_path) as client:
        document = (await client.get("/schema/openapi.json")).json()
        refused = await client.post("/api/sessions", json={"email": "ann@example.org"})

    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and set(refused.json()) <= set(error["properties"])
    sync = document["paths"]["/api/sync"]["post"]["responses"]
    assert set(sync) == {"200", "400", "401", "409", "413", "429"}
    assert sync["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in sync["429"]["headers"]
    assert set(document["paths"]["/api/account/password"]["put"]["responses"]) >= {"401", "403", "429"}
    assert document["components"]["schemas"]["SignIn"]["additionalProperties"] is False
