"""Structured request logs: one JSON line per request (method, path, status, duration, account).

Never the query string, headers or body: tokens and passwords must not reach a log file; nor a calendar feed's
secret, which is its url's path (`/cal/[secret].ics` is logged, with the feed's account).
"""

from __future__ import annotations

import logging
import sys
import time

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("merci.http")
_encode = msgspec.json.Encoder().encode


def log_requests(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so each HTTP request, answered or failed, logs one line."""

    async def logged(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_and_note)
        finally:
            if log.isEnabledFor(logging.INFO):
                fields = {
                    "method": scope["method"],
                    "path": _logged_path(scope["path"]),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "account": scope.get("state", {}).get("merci.account"),
                }
                log.info("%(method)s %(path)s %(status)s", fields, extra={"http": fields})

    return logged


def _logged_path(path: str) -> str:
    """The path, without the credential some paths are (`/cal/{secret}.ics`)."""
    return "/cal/[secret].ics" if path.startswith("/cal/") else path


class JsonLines(logging.Formatter):
    """Every log record as one JSON object; a request's fields are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        entry["message"] = record.getMessage()
        entry.update(getattr(record, "http", ()))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return _encode(entry).decode()


def configure_logging(level: int = logging.INFO) -> None:
    """Send Merci's logs to stderr as JSON lines (what `merci serve` does)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    merci = logging.getLogger("merci")
    merci.handlers[:] = [handler]
    merci.setLevel(level)
    merci.propagate = False
