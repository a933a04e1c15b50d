"""Every error answer is JSON `{"error": "<a sentence a person can read>"}`, plus details where useful.

Litestar's own exceptions (validation, 404, 405, 413) are turned into the same shape; anything unexpected
is a 500 with a generic sentence, its traceback in the server log only.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException, MethodNotAllowedException, NotFoundException, SerializationException, ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_500_INTERNAL_SERVER_ERROR
from msgspec import Meta

from events.messages import NO_NUL_PATTERN, reword, sentence

from .store.contract import AccountGone

log = logging.getLogger("merci.server")

NO_NUL = Meta(pattern=NO_NUL_PATTERN)
"""For a request field stored or looked up as text: U+0000 is refused (PostgreSQL text cannot hold it), with
the words of the event decoder (`events.messages.NUL_MESSAGE`)."""

EMPTY_BODY = "the request body is empty (expected a JSON object)"


class ApiError(HTTPException):
    """An answer other than success, with a readable `message` and optional JSON `details`."""

    def __init__(self, status_code: int, message: str, *, headers: dict[str, str] | None = None, **details: Any):
        super().__init__(detail=message, status_code=status_code, headers=headers)
        self.message = message
        self.details = details


def error_body(message: str, **details: Any) -> dict[str, Any]:
    return {"error": message, **details}


async def read_json_body(request: Request) -> None:
    """A `before_request` hook for JSON routes: decode the body once (Litestar reuses the result), so that
    bytes that are not UTF-8 or nest too deeply get a 400 rather than a 500."""
    if not await request.body():
        return
    try:
        await request.json()
    except SerializationException as exc:
        raise ApiError(400, f"the request body is not valid JSON ({sentence(str(exc))})") from None
    except UnicodeDecodeError:
        raise ApiError(400, "the request body is not valid JSON (it is not UTF-8)") from None
    except RecursionError:
        raise ApiError(400, "the request body is not valid JSON this server accepts (nested too deeply)") from None


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, ApiError):
        body = error_body(exc.message, **exc.details)
    elif isinstance(exc, ValidationException):
        body = _validation_body(exc)
    elif isinstance(exc.__cause__, SerializationException):
        body = error_body(f"the request body is not valid JSON ({sentence(str(exc.__cause__))})")
    elif isinstance(exc, RequestEntityTooLarge):
        limit = request.app.state.services.settings.max_body_bytes
        body = error_body(f"the request body is larger than the {limit} bytes allowed; send less per request")
    elif isinstance(exc, NotFoundException) and exc.detail in ("", "Not Found"):
        body = error_body(f"nothing at {request.method} {request.url.path}")
    elif isinstance(exc, MethodNotAllowedException):
        body = error_body(f"{request.method} is not allowed on {request.url.path}")
    elif exc.status_code >= 500:
        log.error("server error on %s %s: %s", request.method, request.url.path, exc.detail)
        body = error_body("the server failed to answer this request; it has been logged")
    else:
        body = error_body(sentence(exc.detail))
    return Response(body, status_code=exc.status_code, headers=exc.headers, media_type=MediaType.JSON)


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return Response(
        error_body("the server failed to answer this request; it has been logged"),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR, media_type=MediaType.JSON,
    )


def handle_account_gone(request: Request, exc: AccountGone) -> Response:
    """The account was erased while this request, whose token had been checked, was under way: the token is no
    longer good, as the next request would be told."""
    return Response(
        error_body("this account or device no longer exists (erased, or signed out); nothing was stored"),
        status_code=HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}, media_type=MediaType.JSON,
    )


EXCEPTION_HANDLERS = {
    HTTPException: handle_http_exception, AccountGone: handle_account_gone,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_unexpected,
}


def _validation_body(exc: ValidationException) -> dict[str, Any]:
    problems = exc.extra if isinstance(exc.extra, list) else []
    sentences = []
    for problem in problems:
        if not isinstance(problem, dict):
            continue
        text = reword(str(problem.get("message", "invalid value")))
        key = problem.get("key")
        source = problem.get("source")
        if key == "data" and text == "'data'":  # Litestar's word for an empty body
            return error_body(EMPTY_BODY)
        if key and key != "data":
            where = f"query parameter `{key}`" if source == "query" else f"`{key}`"
            sentences.append(f"{where}: {sentence(text)}")
        else:
            sentences.append(f"request body: {sentence(text)}")
    if not sentences:
        detail = str(exc.detail or "")
        message = "the request body is not valid JSON" if "JSON" in detail else sentence(detail or "invalid request")
        return error_body(message)
    return error_body("; ".join(sentences), problems=problems)
