"""The OpenAPI document's error answers, made true: every error is `{"error": "...", "field"?: "...", ...}`
(server/errors.py), not Litestar's default `{status_code, detail}`, and each operation lists the error statuses
it can answer. Applied to the document Litestar builds from the routes, once, when the app is made.

tests/integration/test_openapi_conformance.py runs schemathesis against the running server to keep this true.
"""

from __future__ import annotations

import msgspec
from litestar.openapi.spec import (
    Components, OpenAPI, OpenAPIHeader, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Reference, RequestBody, Schema,
)

ERROR = Schema(
    type=OpenAPIType.OBJECT,
    required=["error"],
    properties={
        "error": Schema(type=OpenAPIType.STRING, description="A sentence a person can read, saying what is wrong"),
        "field": Schema(one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NULL)],
                        description="The field at fault (a JSON path such as `data.contacts[0]`), when one is"),
        "problems": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT),
                           description="Each problem a request's validation found (400)"),
    },
    description="Every error answer. Some carry more details, named in the operation's description "
                "(a 409 of `POST /api/sync` has `last_seq`, `accepted`, `duplicates`, `conflicts`, `rejected`).",
)

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

METHODS = ("get", "put", "post", "delete", "patch")


def error_statuses(method: str, path: str, operation) -> set[int]:
    """What an operation can answer besides success: 400 if it takes input; 401 and 429 (each device's request
    rate) if it needs a token; 404 if its path names something; 413 if it takes a body; and its EXTRA."""
    statuses = set(EXTRA.get((method, path), ()))
    if operation.parameters or operation.request_body:
        statuses.add(400)
    if operation.security:
        statuses |= {401, 429}
    if "{" in path:
        statuses.add(404)
    if operation.request_body or (method, path) == ("POST", "/api/import"):
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


def describe_errors(document: OpenAPI) -> OpenAPI:
    """Replace the document's error answers by the server's own, listing every status each operation can answer;
    say that the objects the server reads refuse unknown fields (Litestar leaves them open)."""
    components = document.components if isinstance(document.components, Components) else Components()
    closed = closed_structs()
    for name, schema in (components.schemas or {}).items():
        if name in closed and isinstance(schema, Schema):
            schema.additional_properties = False
    components.schemas = {**(components.schemas or {}), "Error": ERROR}
    document.components = components
    error = OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Error"))
    for path, item in (document.paths or {}).items():
        for method in METHODS:
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = {code: answer for code, answer in (operation.responses or {}).items() if int(code) < 400}
            for status in sorted(error_statuses(method.upper(), path, operation)):
                headers = {"Retry-After": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), required=True,
                                                         description="Seconds to wait")} if status == 429 else None
                responses[str(status)] = OpenAPIResponse(description=WHY[status], content={"application/json": error},
                                                          headers=headers)
            operation.responses = responses
            if (method, path) == ("post", "/api/import") and operation.request_body is None:
                operation.request_body = RequestBody(
                    required=True, description="An NDJSON log: one event of the wire format per line",
                    content={"application/x-ndjson": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))},
                )
    return document
