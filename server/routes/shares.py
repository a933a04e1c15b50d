"""Coach links (DESIGN.md section 4, "Sharing and interop"): the owner makes a read-only link to the account's
audit with a label and an expiry, sees when it was last opened, and revokes it at once.

`/s/{secret}` is the page itself: server-rendered HTML (server/coach.py), no sign-in, no script, nothing set in
the visitor's browser (no cookie, no storage, `no-store`), the audit to today and each relationship's story in
the account's language. The secret only opens that page: it is not a bearer token, and no route that writes
accepts it. Only its SHA-256 is stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from typing import Annotated, Literal

import anyio
from litestar import Controller, MediaType, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_404_NOT_FOUND
from msgspec import Meta, Struct

from events.story import network_story

from ..auth import Session
from ..clock import Clock
from ..coach import gone_page, share_page
from ..errors import NO_NUL, ApiError, read_json_body
from ..services import Services

BEARER = [{"bearer": []}]
SECRET_BYTES = 32
"""256 random bits per link (DESIGN.md asks for at least 128)."""

Label = Annotated[str, Meta(min_length=1, max_length=200), NO_NUL]


class NewShare(Struct, forbid_unknown_fields=True):
    """A coach link to make: who it is for, how many days it lives, what it shows (the audit, for now)."""

    label: Label
    expires_in_days: Annotated[int, Meta(ge=1, le=365)]
    scope: Literal["audit"] = "audit"


class ShareMade(Struct):
    """The link just made. `url` holds the secret: it is shown this once and never again."""

    id: str
    url: str
    label: str
    scope: str
    created: dt.datetime
    expires: dt.datetime


class ShareOut(Struct):
    id: str
    label: str
    scope: str
    created: dt.datetime
    expires: dt.datetime
    last_opened: dt.datetime | None
    expired: bool


class ShareList(Struct):
    shares: list[ShareOut]


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class ShareController(Controller):
    """Coach links: read-only pages of the account's audit, for a coach or a mentor."""

    path = "/api/shares"
    tags = ["shares"]
    security = BEARER

    @post("/", status_code=201, before_request=read_json_body)
    async def make_share(
        self, data: JSONBody[NewShare], session: NamedDependency[Session], services: NamedDependency[Services],
        clock: NamedDependency[Clock],
    ) -> ShareMade:
        """Make a coach link: `url` (`/s/{secret}`) opens a read-only page of the account's audit and relationship
        stories until `expires_in_days` (1–365) have passed or the link is revoked. The secret is shown only in
        this answer; the server keeps its hash."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        now = clock.now()
        share = await services.store.create_share(
            session.account_id, data.label, data.scope, hash_secret(secret), now,
            now + dt.timedelta(days=data.expires_in_days),
        )
        return ShareMade(id=share.id, url=f"/s/{secret}", label=share.label, scope=share.scope,
                         created=share.created_at, expires=share.expires_at)

    @get("/")
    async def list_shares(
        self, session: NamedDependency[Session], services: NamedDependency[Services], clock: NamedDependency[Clock],
    ) -> ShareList:
        """The account's coach links (never their secrets): label, when made, when it expires, when last opened."""
        now = clock.now()
        return ShareList(shares=[
            ShareOut(id=s.id, label=s.label, scope=s.scope, created=s.created_at, expires=s.expires_at,
                     last_opened=s.last_opened_at, expired=s.expires_at <= now)
            for s in await services.store.list_shares(session.account_id)
        ])

    @delete("/{share_id:str}", status_code=204)
    async def revoke_share(
        self, share_id: FromPath[str], session: NamedDependency[Session], services: NamedDependency[Services]
    ) -> None:
        """Revoke a coach link at once: its next request is a 404. 404 if the account has no link of that id."""
        if not await services.store.revoke_share(session.account_id, share_id):
            raise ApiError(HTTP_404_NOT_FOUND, f"no coach link {share_id!r} in this account", share=share_id)


PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


@get("/s/{secret:str}", tags=["shares"], media_type=MediaType.HTML, include_in_schema=True)
async def open_share(
    secret: FromPath[str], services: NamedDependency[Services], clock: NamedDependency[Clock],
) -> Response[str]:
    """The coach page of a link: the account's audit to today and each relationship's story, read-only, in the
    account's language; printable. No sign-in; sets no cookie and nothing else in the browser. 404 (an HTML page
    saying so) once the link has expired or been revoked."""
    share = await services.store.open_share(hash_secret(secret), clock.now()) if len(secret) <= 128 else None
    if share is None:
        body, style = gone_page()
        return Response(body, status_code=HTTP_404_NOT_FOUND, media_type=MediaType.HTML, headers=_headers(style))
    language = (await services.projections.settings(share.account_id))["language"]
    projection = await services.projections.projection(share.account_id)
    # a story of every relationship is a pass over the whole log: off the event loop, as long replays are
    body, style = await anyio.to_thread.run_sync(_render, projection, language, share.label)
    return Response(body, media_type=MediaType.HTML, headers=_headers(style))


def _render(projection, language: str, label: str) -> tuple[str, str]:
    return share_page(network_story(projection), projection, language, label)


def _headers(style: str) -> dict[str, str]:
    """The page's headers: a CSP that allows its one inline style sheet (by hash) and nothing else."""
    digest = hashlib.sha256(style.encode()).digest()
    csp = "; ".join([
        "default-src 'none'",
        f"style-src 'sha256-{base64.b64encode(digest).decode()}'",
        "img-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])
    return {**PAGE_HEADERS, "Content-Security-Policy": csp}
