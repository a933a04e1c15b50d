"""Security headers on every answer, whichever part of the server (a route, an error handler, Litestar itself)
made it.

- Every answer: `X-Content-Type-Options: nosniff`, so no browser reads JSON or NDJSON as a script or a page.
- API answers (`/api/...`) and the OpenAPI document: `Cache-Control: no-store`; they carry tokens and personal
  data (emails, names, notes) that no browser or proxy cache should keep.
- Any HTML answer that does not set its own policy (a 404 page of Litestar's): the app's strict
  Content-Security-Policy and security headers, so no HTML on this origin may load or run anything from
  elsewhere.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .routes.pwa import SECURITY_HEADERS

NO_STORE_PREFIXES = ("/api/", "/schema")


def add_security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so each HTTP answer carries the headers above (those it set itself are kept)."""
    html_headers = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    async def secured(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        no_store = scope["path"].startswith(NO_STORE_PREFIXES)

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                kinds = [value.lower() for name, value in headers if name.lower() == b"content-type"]
                if any(kind.startswith(b"text/html") for kind in kinds):
                    headers += [(name, value) for name, value in html_headers if name not in present]
                elif b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if no_store:
                    headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_secured)

    return secured
