"""The PWA as the server serves it, without a browser: the security headers, the MIME types, the service
worker's headers, and a precache list that holds every module the app imports (so it opens offline)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.routes import pwa
from server.routes.pwa import CSP, PWA_DIR
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data=tmp_path_factory.mktemp("data"), argon2_time_cost=1, argon2_memory_kib=1024,
                        argon2_parallelism=1, log_requests=False)
    with TestClient(create_app(settings)) as client:
        yield client


def precached() -> list[str]:
    source = (PWA_DIR / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", source, re.S).group(1)
    return re.findall(r"'([^']+)'", block)


def imports_of(path: Path) -> set[Path]:
    """The files an ES module imports: import … from '…', export … from '…', import '…', import('…'), and the
    workers it starts: new URL('…', import.meta.url)."""
    found = set()
    for spec in re.findall(r"""(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]"""
                           r"""|new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)""",
                           path.read_text()):
        target = next(s for s in spec if s)
        if target.startswith("."):
            found.add((path.parent / target).resolve())
    return found


def test_the_shell_is_served_with_a_strict_csp_and_the_usual_headers(client):
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "style-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-cache"


def test_the_shell_has_no_inline_script_or_style():
    html = (PWA_DIR / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script would be refused by the CSP"
    assert "<style" not in html and " style=" not in html
    for source in [*PWA_DIR.glob("*.js"), *PWA_DIR.glob("ui/*.js"), *PWA_DIR.glob("lib/*.js")]:
        text = source.read_text()
        assert "innerHTML" not in text and ".style." not in text and "'style'" not in text, source


@pytest.mark.parametrize(("path", "mime"), [
    ("/app.js", "text/javascript"), ("/styles.css", "text/css"), ("/manifest.webmanifest", "application/manifest+json"),
    ("/i18n/fr.json", "application/json"), ("/icons/maskable-512.png", "image/png"), ("/vendor/idb.js", "text/javascript"),
])
def test_each_file_has_its_mime_type(client, path, mime):
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == mime


def test_the_service_worker_is_never_cached_and_may_control_the_whole_origin(client):
    answer = client.get("/sw.js")
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["service-worker-allowed"] == "/"
    again = client.get("/sw.js", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


def test_the_service_workers_version_changes_with_any_file_of_the_app_bumped_or_not(client, tmp_path, monkeypatch):
    version = re.compile(r"^const VERSION = '([^']+)';$", re.M)
    declared = version.search((PWA_DIR / "sw.js").read_text()).group(1)

    def served() -> tuple[str, str]:
        answer = client.get("/sw.js")
        return version.search(answer.text).group(1), answer.headers["etag"]

    first, etag = served()
    assert re.fullmatch(re.escape(declared) + r"\+[0-9a-f]{12}", first)
    app = tmp_path / "pwa"
    shutil.copytree(PWA_DIR, app)
    monkeypatch.setattr(pwa, "PWA_DIR", app)
    assert served() == (first, etag), "the same files, the same version"
    styles = app / "styles.css"
    styles.write_text(styles.read_text() + "\n/* one more rule */\n")
    changed, changed_etag = served()
    assert changed != first and changed.startswith(declared + "+") and changed_etag != etag
    assert version.search((app / "sw.js").read_text()).group(1) == declared, "the file itself is left as it is"


def test_private_files_and_unknown_paths_are_not_served(client):
    assert client.get("/cli.mjs").status_code == 404
    assert client.get("/vendor/README.md").status_code == 404
    assert client.get("/icons/make_icons.py").status_code == 404
    assert client.get("/../pyproject.toml").status_code == 404
    assert client.get("/api/nothing-here").json() == {"error": "nothing at GET /api/nothing-here"}


def test_the_precache_holds_every_module_the_app_imports_and_each_is_served(client):
    shell = set(precached())
    seen: set[Path] = set()
    todo = [PWA_DIR / "app.js", PWA_DIR / "sw.js"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(imports_of(module))
    seen.discard(PWA_DIR / "sw.js")  # the worker itself is not in its own cache
    missing = sorted("/" + m.relative_to(PWA_DIR).as_posix() for m in seen if "/" + m.relative_to(PWA_DIR).as_posix() not in shell)
    assert not missing, f"add these to SHELL in pwa/sw.js: {missing}"
    for url in shell:
        assert client.get(url).status_code == 200, url


def static_imports_of(path: Path) -> set[Path]:
    """What a module imports before it runs (import … from, export … from): not import(), not workers."""
    found = set()
    for target in re.findall(r"""(?:^|\n)\s*(?:import|export)\b[^'"(]*?from\s*['"]([^'"]+)['"]""", path.read_text()):
        if target.startswith("."):
            found.add((path.parent / target).resolve())
    return found


def test_the_shell_preloads_exactly_what_the_first_screen_runs():
    """Each module app.js needs before it runs is fetched at once (no waterfall), and nothing it loads later
    (the screens, the command builders, the engine) weighs on the first visit."""
    needed, todo = set(), [PWA_DIR / "app.js"]
    while todo:
        module = todo.pop()
        if module not in needed:
            needed.add(module)
            todo.extend(static_imports_of(module))
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', (PWA_DIR / "index.html").read_text()))
    assert preloaded == {"/" + m.relative_to(PWA_DIR).as_posix() for m in needed}


def test_the_manifest_makes_the_app_installable():
    manifest = json.loads((PWA_DIR / "manifest.webmanifest").read_text())
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        png = (PWA_DIR / icon["src"].lstrip("/")).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]
    html = (PWA_DIR / "index.html").read_text()
    assert 'rel="apple-touch-icon"' in html and 'name="theme-color"' in html and "apple-mobile-web-app" in html


def test_french_and_english_have_the_same_strings():
    fr = json.loads((PWA_DIR / "i18n" / "fr.json").read_text())
    en = json.loads((PWA_DIR / "i18n" / "en.json").read_text())
    assert set(fr) == set(en)
    assert all(value or key == "grade.null" for key, value in {**fr, **en}.items())


def test_the_service_worker_is_a_module_that_records_and_syncs_with_the_pages_own_modules():
    """No copies: the worker imports lib/commands.js, lib/outbox.js, lib/sync.js and lib/db.js (the precache test
    above follows its imports too), and the page registers it as a module."""
    worker = PWA_DIR / "sw.js"
    imported = {"/" + m.relative_to(PWA_DIR).as_posix() for m in imports_of(worker)}
    assert {"/lib/commands.js", "/lib/outbox.js", "/lib/sync.js", "/lib/db.js"} <= imported
    source = re.sub(r"//[^\n]*|/\*.*?\*/", "", worker.read_text(), flags=re.S)
    for made_elsewhere in ("uuidv7", "localInstant", "fitting", "makeEvent", "pushOutbox", "indexedDB", "'outbox'"):
        assert made_elsewhere not in source, f"sw.js has its own {made_elsewhere}: import it from lib/ instead"
    assert "type: 'module'" in (PWA_DIR / "app.js").read_text()
