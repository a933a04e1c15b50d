"""The OpenAPI document as served at /schema/openapi.json, made true: every error is `{"error": "...",
"field"?: "...", ...}` (server/errors.py), not Litestar's default `{status_code, detail}`; each operation lists
the error statuses it can answer; the objects the server reads refuse unknown fields; the bodies that routes read
themselves, which Litestar cannot see, are described (`READ_BY_HAND`). Applied to the document Litestar builds
from the routes, once, when it is first asked for (building it costs a few hundred ms).

Only the JSON is served (`TrueJsonSchema`): Litestar's HTML doc pages load their scripts from CDNs.
tests/integration/test_openapi_conformance.py runs schemathesis against the running server to keep this true.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin

from .routes.sync import SyncRequest

COMPONENT = "#/components/schemas/{name}"

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "A sentence a person can read, saying what is wrong"},
        "field": {"oneOf": [{"type": "string"}, {"type": "null"}],
                  "description": "The field at fault (a JSON path such as `data.contacts[0]`), when one is"},
        "problems": {"type": "array", "items": {"type": "object"},
                     "description": "Each problem a request's validation found (400)"},
    },
    "description": "Every error answer. Some carry more details, named in the operation's description "
                   "(a 409 of `POST /api/sync` has `last_seq`, `accepted`, `duplicates`, `conflicts`, `rejected`).",
}

WHY = {
    400: "The request is malformed: not JSON, a field missing, of the wrong type or out of range (`field` names it)",
    401: "No token, an unknown or revoked one, or the account was erased",
    403: "The password given is wrong",
    404: "Nothing of this account at this path",
    409: "The request conflicts with what the server holds (the error says what)",
    413: "The request is larger than the limits allow (body size, events per sync)",
    429: "Too many requests: wait the seconds `Retry-After` says",
    502: "The push service refused or could not be reached",
}

EXTRA: dict[tuple[str, str], set[int]] = {
    ("POST", "/api/accounts"): {409, 429},
    ("POST", "/api/sessions"): {401, 429},
    ("PUT", "/api/account/password"): {403},
    ("DELETE", "/api/account"): {403},
    ("POST", "/api/sync"): {409, 413},
    ("POST", "/api/import"): {400, 413},
    ("DELETE", "/api/push/subscriptions"): {404},
    ("POST", "/api/push/subscriptions"): {409},
    ("POST", "/api/push/test"): {409, 502},
}
"""The statuses an operation answers beyond what its shape says (see `error_statuses`)."""

READ_BY_HAND: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/sync"): {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": COMPONENT.format(name=SyncRequest.__name__)}}},
    },
    ("post", "/api/import"): {
        "required": True,
        "description": "An NDJSON log: one event of the wire format per line",
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    },
    ("post", "/api/contacts/import"): {
        "required": True,
        "description": "The contacts file itself, in the `format` given (its Content-Type is not read)",
        "content": {media: {"schema": {"type": "string"}} for media in ("text/vcard", "text/csv")},
    },
}
"""The request bodies of the routes that read their body themselves (`body: RawBody`, or the request's stream):
Litestar documents only a `data` it decodes. `POST /api/sync` decodes a `SyncRequest` with msgspec straight from
the bytes, far faster than Litestar's `data`; the imports stream their body."""
BODY_STRUCTS = (SyncRequest,)
"""The Structs of READ_BY_HAND, each a component: msgspec's JSON Schema of the very type that decodes the body."""
METHODS = ("get", "put", "post", "delete", "patch")


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """What an operation can answer besides success: 400 if it takes input; 401 and 429 (each device's request
    rate) if it needs a token; 404 if its path names something; 413 if it takes a body; and its EXTRA."""
    statuses = set(EXTRA.get((method, path), ()))
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(400)
    if operation.get("security"):
        statuses |= {401, 429}
    if "{" in path:
        statuses.add(404)
    if operation.get("requestBody"):
        statuses.add(413)
    return statuses


def closed_structs() -> set[str]:
    """The names of the Structs that refuse unknown fields (every request body and event here)."""
    names, waiting = set(), [msgspec.Struct]
    while waiting:
        kind = waiting.pop()
        waiting += kind.__subclasses__()
        if kind is not msgspec.Struct and kind.__struct_config__.forbid_unknown_fields:
            names.add(kind.__name__)
    return names


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    """The document (changed in place) with the server's own error answers, every status each operation can
    answer, the bodies read by hand (`READ_BY_HAND`), and the objects the server reads closed to unknown fields
    (Litestar leaves them open)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if "Error" in schemas:
        return document  # done already
    schemas.update(msgspec.json.schema_components(BODY_STRUCTS, ref_template=COMPONENT)[1])
    closed = closed_structs()
    for name, schema in schemas.items():
        if name in closed and schema.get("type") == "object":
            schema["additionalProperties"] = False
    schemas["Error"] = ERROR
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    retry_after = {"Retry-After": {"schema": {"type": "string"}, "required": True, "description": "Seconds to wait"}}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            if (method, path) in READ_BY_HAND:
                operation["requestBody"] = READ_BY_HAND[method, path]
            responses = {code: answer for code, answer in operation.get("responses", {}).items() if int(code) < 400}
            # A page (the coach link's) says it is gone as a page, not as a JSON error.
            page = any("text/html" in (answer.get("content") or {}) for answer in responses.values())
            for status in sorted(error_statuses(method.upper(), path, operation)):
                content = {"text/html": {"schema": {"type": "string"}}} if page and status == 404 else error
                responses[str(status)] = {"description": WHY[status], "content": content,
                                          **({"headers": retry_after} if status == 429 else {})}
            operation["responses"] = responses
    return document


class TrueJsonSchema(JsonRenderPlugin):
    """Litestar's JSON document at `/schema/openapi.json` (and `/schema`), passed through `describe_errors`."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, describe_errors(openapi_schema))
