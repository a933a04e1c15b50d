"""The wire format is written once, in events/types.py: the JavaScript decoder and the app's forms read the
catalogue generated from it (pwa/lib/catalogue.js), and the time zones the server accepts
(pwa/lib/rules/zones.js). Any drift fails here; the messages of both decoders are compared line for line in
tests/js/events.test.mjs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from events import catalogue as cat
from events.types import EVENT_TYPES, IANA_ZONES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(cat.GENERATED))
def test_the_generated_files_are_what_the_types_make(name):
    on_disk = (cat.PWA_LIB / name).read_text(encoding="utf-8")
    assert on_disk == cat.GENERATED[name](), f"pwa/lib/{name} is out of date: run .venv/bin/python -m events.catalogue"


def test_check_names_a_stale_file(tmp_path, monkeypatch):
    (tmp_path / "rules").mkdir()
    for name, make in cat.GENERATED.items():
        (tmp_path / name).write_text(make(), encoding="utf-8")
    assert cat.stale(tmp_path) == []
    zones = tmp_path / "rules" / "zones.js"
    zones.write_text(re.sub(r"\bEurope/Paris\b", "", zones.read_text()), encoding="utf-8")  # a zone lost
    assert cat.stale(tmp_path) == ["rules/zones.js"]


def test_the_catalogue_describes_every_type_and_its_limits():
    found = cat.catalogue()
    assert sorted(found["types"]) == sorted(EVENT_TYPES)
    meeting = {f["name"]: f for f in found["types"]["meeting_logged"]["data"]}
    assert meeting["contacts"]["type"] == {
        "kind": "list", "min": 1, "max": 50, "item": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}}
    assert meeting["host"] == {"name": "host", "type": {"kind": "enum", "choice": "Host", "values": ["them", "me"]},
                               "presence": "optional", "default": "them", "nullable": False}
    updated = {f["name"]: f for f in found["types"]["contact_updated"]["data"]}
    assert (updated["name"]["presence"], updated["name"]["nullable"]) == ("unset", False)
    assert (updated["org"]["presence"], updated["org"]["nullable"]) == ("unset", True)
    assert found["types"]["obligation_snoozed"]["data"][1]["type"] == {"kind": "date"}
    assert json.loads(json.dumps(found)) == found


def test_the_zones_are_those_the_server_accepts():
    text = (cat.PWA_LIB / "rules" / "zones.js").read_text(encoding="utf-8")
    listed = set(re.search(r"new Set\(`(.*?)`", text, re.S).group(1).split())
    assert listed == IANA_ZONES and "Europe/Paris" in listed and "Factory" not in listed


def test_the_app_reads_event_field_limits_from_the_catalogue():
    """A length or count the server checks is never typed again in a screen: each reads it from the
    catalogue (`limit` of lib/catalogue.js), so a limit changed in events/types.py reaches the forms."""
    typed = []
    for path in sorted((ROOT / "pwa" / "ui").glob("*.js")):
        if path.name == "auth.js":  # its limits are the account API's (server/routes/accounts.py), not events'
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(maxLength|minLength):\s*\d|\bmax:\s*\d{2,}|MAX_\w+\s*=\s*\d", line):
                typed.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not typed, "limits typed by hand (read them with limit() from lib/catalogue.js):\n" + "\n".join(typed)


def test_the_coach_link_form_has_the_servers_limits():
    """The one request body of a screen besides the account's whose limits a form repeats: lib/share-limits.js."""
    import msgspec.inspect as mi

    from server.routes.shares import NewShare

    text = (ROOT / "pwa" / "lib" / "share-limits.js").read_text(encoding="utf-8")
    found = {k: int(v) for k, v in re.findall(r"(\w+): (\d+)", text)}
    fields = {f.name: f.type for f in mi.type_info(NewShare).fields}
    assert found == {"labelMaxLength": fields["label"].max_length, "daysMin": fields["expires_in_days"].ge,
                     "daysMax": fields["expires_in_days"].le}


def test_the_app_reads_the_wire_formats_choices_from_the_catalogue():
    """The channels, outcomes… a screen offers are the catalogue's: a list of them typed again in a screen would
    miss a value added to events/types.py."""
    typed = []
    for name, values in cat.CHOICES.items():
        if len(values) < 3:
            continue
        listed = re.compile(r"\[\s*" + r"\s*,\s*".join(f"'{re.escape(v)}'" for v in values) + r"\s*\]")
        for path in sorted((ROOT / "pwa").rglob("*.js")):
            if "vendor" not in path.parts and listed.search(path.read_text(encoding="utf-8")):
                typed.append(f"{path.relative_to(ROOT)}: {name}")
    assert not typed, "choices typed by hand (read them from CATALOGUE.choices of lib/catalogue.js):\n" + "\n".join(typed)
