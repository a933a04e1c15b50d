"""The wire format as data, generated from the msgspec types of `events/types.py`: the one source of truth for
the JavaScript decoder (`pwa/lib/rules/events.js`) and the app's form limits, which read the generated
`pwa/lib/catalogue.js`; the time zones the server accepts go to `pwa/lib/rules/zones.js` the same way.

    .venv/bin/python -m events.catalogue          # write both files after changing events/types.py or tzdata
    .venv/bin/python -m events.catalogue --check  # exit 1 if either is not what the types make (the tests do it)
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any, get_args

import msgspec.inspect as mi
import tzdata

from . import types
from .types import EVENT_TYPES, IANA_ZONES, Event

PWA_LIB = Path(__file__).resolve().parents[1] / "pwa" / "lib"

CHOICES: dict[str, tuple[str, ...]] = {
    "Host": get_args(types.Host), "MeetingKind": get_args(types.MeetingKind), "Outcome": get_args(types.Outcome),
    "Channel": get_args(types.Channel), "Language": get_args(types.Language),
}
"""The named sets of values, in their declared order (msgspec's inspection sorts them; messages list them as
declared)."""

_CHOICE_OF = {frozenset(values): name for name, values in CHOICES.items()}


def _type(info: mi.Type) -> dict[str, Any]:
    """One field's type as the JavaScript decoder checks it."""
    if isinstance(info, mi.StrType):
        found = {"kind": "str", "min": info.min_length or 0, "max": info.max_length}
        if info.pattern is not None:
            found["pattern"] = info.pattern
        return found
    if isinstance(info, mi.IntType):
        return {"kind": "int", "ge": info.ge, "le": info.le}
    if isinstance(info, mi.ListType):
        return {"kind": "list", "item": _type(info.item_type), "min": info.min_length or 0, "max": info.max_length}
    if isinstance(info, mi.LiteralType):
        name = _CHOICE_OF.get(frozenset(info.values))
        if name is None:
            raise TypeError(f"a Literal with no name in events.catalogue.CHOICES: {info.values}")
        return {"kind": "enum", "choice": name, "values": list(CHOICES[name])}
    if isinstance(info, mi.DictType):  # a correction's `data`: field names to values of any field's kind
        values = [t for t in info.value_type.types if not isinstance(t, mi.NoneType)]
        return {"kind": "fields", "max": info.max_length, "key": _type(info.key_type),
                "value": {"types": [_type(t) for t in values], "nullable": len(values) < len(info.value_type.types)}}
    if isinstance(info, mi.DateType):
        return {"kind": "date"}
    if isinstance(info, mi.DateTimeType):
        return {"kind": "datetime"}
    raise TypeError(f"no JavaScript check for {info!r}: add one to events/catalogue.py and pwa/lib/rules/events.js")


def _field(field: mi.Field) -> dict[str, Any]:
    """A field of `data`: required; optional, with its default (left out of the wire when equal); or unset
    (absent unless given; a null is kept, and in contact_updated it clears the field)."""
    info, nullable = field.type, False
    if isinstance(info, mi.UnionType):
        rest = [t for t in info.types if not isinstance(t, mi.NoneType)]
        nullable = len(rest) < len(info.types)
        (info,) = rest
    found: dict[str, Any] = {"name": field.encode_name, "type": _type(info)}
    if field.required:
        found["presence"] = "required"
    elif field.default is mi.NODEFAULT:  # UNSET, which msgspec's inspection reports as no default
        found["presence"] = "unset"
    else:
        found["presence"] = "optional"
        found["default"] = field.default
    found["nullable"] = nullable
    return found


def catalogue() -> dict[str, Any]:
    """Every event type with its docstring and its `data` fields in schema order; the envelope's fields."""
    envelope = {f.name: f for f in mi.type_info(Event).fields}
    return {
        "choices": {name: list(values) for name, values in CHOICES.items()},
        "envelope": {name: _field(envelope[name]) for name in ("id", "at", "seq", "recorded_at", "device")},
        "types": {
            tag: {
                "doc": (cls.__doc__ or "").strip(),
                "v": types.CURRENT_VERSION[tag],
                "data": [_field(f) for f in mi.type_info(_data(cls)).fields],
            }
            for tag, cls in sorted(EVENT_TYPES.items())
        },
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _data(cls: type[Event]) -> type:
    (data,) = [f for f in mi.type_info(cls).fields if f.name == "data"]
    return data.type.cls


def catalogue_js() -> str:
    """The text of pwa/lib/catalogue.js: the data, and `limit` for the forms (outside rules/: the page reads it
    to draw a form without loading the engine)."""
    found = catalogue()
    envelope = ",\n".join(f"    {_json(name)}: {_json(field)}" for name, field in found["envelope"].items())
    types_ = ",\n".join(
        f'    {_json(tag)}: {{"doc": {_json(entry["doc"])}, "v": {entry["v"]}, "data": [\n'
        + ",\n".join(f"      {_json(field)}" for field in entry["data"]) + "\n    ]}"
        for tag, entry in found["types"].items()
    )
    # One line per field, so that a change to the types reads as a small diff of this file.
    body = (f'{{\n  "choices": {_json(found["choices"])},\n'
            f'  "envelope": {{\n{envelope}\n  }},\n  "types": {{\n{types_}\n  }}\n}}')
    if json.loads(body) != json.loads(json.dumps(found)):
        raise RuntimeError("catalogue.js's layout lost part of the catalogue")
    return (
        "// The wire format v1 as data: every event type, its `data` fields in schema order, their limits.\n"
        "// Generated from events/types.py by `.venv/bin/python -m events.catalogue`: do not edit by hand\n"
        "// (tests/unit/test_catalogue.py fails when this file and the types differ).\n\n"
        f"export const CATALOGUE = {body};\n\n"
        "/** The limits of a `data` field ({kind, min, max, ge, le, …}): what a form gives its inputs and checks. */\n"
        "export function limit(type, field) {\n"
        "  const found = CATALOGUE.types[type]?.data.find((f) => f.name === field);\n"
        "  if (!found) throw new TypeError(`no field ${field} in ${type}`);\n"
        "  return found.type;\n"
        "}\n"
    )


def zones_js() -> str:
    """The text of pwa/lib/rules/zones.js: every IANA zone name the server accepts."""
    names = textwrap.fill(" ".join(sorted(IANA_ZONES)), width=118, initial_indent="  ", subsequent_indent="  ",
                          break_on_hyphens=False, break_long_words=False)
    return (
        "// Every IANA time zone name, as the server knows them: the list of the `tzdata` package "
        f"(IANA {tzdata.IANA_VERSION}),\n"
        "// less 'Factory'. Browsers accept more (ICU's legacy ids such as 'PST' or 'IST', any letter case): a\n"
        "// name the server would refuse must be refused here too. Generated by `.venv/bin/python -m\n"
        "// events.catalogue`: do not edit by hand (tests/unit/test_catalogue.py fails when it is out of date).\n\n"
        f"export const IANA_VERSION = '{tzdata.IANA_VERSION}';\n\n"
        f"export const IANA_ZONES = new Set(`\n{names}\n`.split(/\\s+/).filter(Boolean));\n"
    )


GENERATED = {"catalogue.js": catalogue_js, "rules/zones.js": zones_js}
"""Each generated file of pwa/lib/, and what makes it."""


def stale(folder: Path = PWA_LIB) -> list[str]:
    """The generated files of `folder` that differ from what the types and tzdata make now."""
    return [name for name, make in GENERATED.items()
            if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != make()]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        out_of_date = stale()
        for name in out_of_date:
            print(f"pwa/lib/{name} is out of date: run .venv/bin/python -m events.catalogue", file=sys.stderr)
        return 1 if out_of_date else 0
    if args:
        print("usage: python -m events.catalogue [--check]", file=sys.stderr)
        return 2
    for name, make in GENERATED.items():
        (PWA_LIB / name).write_text(make(), encoding="utf-8")
        print(f"wrote pwa/lib/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
