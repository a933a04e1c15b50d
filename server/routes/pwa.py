"""The mobile web app: the files of `pwa/` served at `/`, with a strict Content-Security-Policy (the app's
own scripts and styles only, nothing inline) and the usual security headers.

Every file is revalidated (`no-cache` + ETag): the service worker keeps the versioned copy that runs
offline, so HTTP caching must never hand it a stale file when it precaches a new version.

The service worker's cache version is the one written in `sw.js` plus a digest of every other file of the
app, filled in as it is served: any change to any file makes a new `sw.js`, so browsers install the new
version, even when whoever changed a file forgot to bump VERSION (they would otherwise keep the old copy
of that file, offline and online, until the next bump).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException

PWA_DIR = Path(os.environ.get("MERCI_PWA_DIR") or Path(__file__).resolve().parents[2] / "pwa").resolve()
"""The app's files: `pwa/` beside the server, or `MERCI_PWA_DIR` (read at start)."""

TYPES = {  # Litestar adds "; charset=utf-8" to text types
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
"""What is served, by extension: `.mjs` (node's CLI), `.md` and anything else stay private."""
PRIVATE = {"package.json"}
"""Files of the folder that are not the app's: package.json only tells node the modules are ES modules."""
COMPRESSIBLE = {".html", ".js", ".css", ".json", ".webmanifest", ".svg"}

CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


@dataclass(frozen=True)
class _Asset:
    body: bytes
    gzipped: bytes | None
    etag: str
    mtime_ns: int


_assets: dict[Path, _Asset] = {}


_VERSION = re.compile(rb"^const VERSION = '([^'\\]*)';$", re.MULTILINE)


def _load(path: Path) -> _Asset:
    """The file's bytes, gzipped copy and ETag, read again only when the file changes (`sw.js`: when it or
    any other file of the app changes)."""
    if path.name == "sw.js" and path.parent == PWA_DIR:
        return _service_worker(path)
    mtime = path.stat().st_mtime_ns
    cached = _assets.get(path)
    if cached is not None and cached.mtime_ns == mtime:
        return cached
    return _remember(path, path.read_bytes(), mtime)


def _service_worker(path: Path) -> _Asset:
    """`sw.js` with `const VERSION = 'declared';` served as `'declared+digest'`, the digest covering the
    bytes of every other file of the app."""
    digest = hashlib.sha256()
    for url in app_paths()[1:]:
        other = PWA_DIR / url.lstrip("/")
        if other != path and other.is_file():
            digest.update(url.encode() + b"\0" + _load(other).etag.encode())
    source = path.read_bytes()
    body, count = _VERSION.subn(
        lambda m: b"const VERSION = '" + m.group(1) + b"+" + digest.hexdigest()[:12].encode() + b"';", source, count=1
    )
    if count != 1:
        raise RuntimeError(f"{path} has no line `const VERSION = '...';` to version its cache by")
    mtime = path.stat().st_mtime_ns
    cached = _assets.get(path)
    if cached is not None and cached.body == body:
        return cached
    return _remember(path, body, mtime)


def _remember(path: Path, body: bytes, mtime: int) -> _Asset:
    gzipped = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
    asset = _Asset(body, gzipped, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', mtime)
    _assets[path] = asset
    return asset


def app_paths(root: Path = PWA_DIR) -> list[str]:
    """The URL of every file of the app that is served: `/` and one route per file, so that any other path
    (an unknown `/api/...` included) keeps its plain 404 or 405."""
    paths = ["/"]
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (path.is_file() and path.suffix in TYPES and path.name not in PRIVATE
                and not any(p.startswith(".") for p in relative.parts)):
            paths.append("/" + relative.as_posix())
    return paths


def _serve(request: Request, path: Path) -> Response:
    asset = _load(path)
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "no-cache",
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
    }
    if path.name == "sw.js":
        headers["Service-Worker-Allowed"] = "/"
    if request.headers.get("if-none-match") == asset.etag:
        return Response(content=b"", status_code=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(content=body, media_type=TYPES[path.suffix], headers=headers)


@get(app_paths(), include_in_schema=False, sync_to_thread=False)
def serve_app(request: Request) -> Response:
    """The app: its shell at `/`, and its scripts, styles, icons, translations, manifest and service worker."""
    relative = request.url.path.lstrip("/") or "index.html"
    path = PWA_DIR / relative
    if not path.is_file():  # removed since the server started
        raise NotFoundException()
    return _serve(request, path)


SHARE_FIELDS = {"title": 200, "text": 4000, "url": 2000}
"""What the manifest's share_target sends (pwa/manifest.webmanifest), each cut to what an idea can hold."""


@post("/share", include_in_schema=False, status_code=303)
async def receive_share(request: Request) -> Response:
    """What a phone shares to the app (the manifest's share_target), when no service worker takes the POST (the
    app's first visit, a browser without one): the app's share page, with the shared title, text and url in its
    address's fragment, which never reaches a server. Urlencoded or multipart; files are not taken."""
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - an unreadable body shares nothing, the page opens empty
        form = {}
    shared = {}
    for name, longest in SHARE_FIELDS.items():
        value = form.get(name) if hasattr(form, "get") else None
        if isinstance(value, str) and value.strip():
            shared[name] = value.strip()[:longest]
    fragment = "#/share" + ("?" + urlencode(shared, quote_via=quote) if shared else "")
    return Response(content=b"", status_code=303, headers={**SECURITY_HEADERS, "Location": "/" + fragment,
                                                            "Cache-Control": "no-store"})
