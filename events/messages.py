"""msgspec's validation messages in words a person can act on: the one place they are reworded.

msgspec says "Expected `str` of length <= 64 - at `$.data.place`"; Merci says "`data.place`: expected a string of
at most 64 characters". Three readers use this module: the event decoder (`events.codec`, whose messages the
JavaScript decoder `pwa/lib/rules/events.js` repeats word for word, so change both together), the API's request
bodies (`server.errors`) and the server's settings (`server.settings`).
"""

from __future__ import annotations

import re

NUL_MESSAGE = "U+0000 (the NUL character) is not allowed in any text"
"""Why a string holding U+0000 is refused, wherever it is (the JavaScript decoder says the same). PostgreSQL
cannot store it in text, so a log holding one could not move from a SQLite server to a PostgreSQL one."""

NO_NUL_PATTERN = "^[^\\x00]*$"
"""The pattern of a request field that must not hold U+0000; msgspec's message for it becomes NUL_MESSAGE."""

_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
"""Where msgspec says the problem is: ` - at `$.data.contacts[0]`` at the end of its message."""
_KEY = re.compile(r" - at `key` in `\$(?P<path>[^`]*)`$")
"""A key of an object that is a dict (a correction's `data`): ` - at `key` in `$.data.data``."""


def split_path(message: str) -> tuple[str, str]:
    """msgspec's message without its location, and the location as a JSON path (`data.contacts[0]`, or "")."""
    match = _PATH.search(message)
    if match is None:
        return message, ""
    return message[:match.start()], match.group("path").lstrip(".")


def sentence(text: str) -> str:
    """`text` to go on after a colon: its first letter lowered, unless it starts an acronym ("JSON") or "U+"."""
    if not text:
        return text
    return text if text[1:2].isupper() or text.startswith("U+") else text[:1].lower() + text[1:]


# --- events ---------------------------------------------------------------------------------------------


def explain_event(msgspec_message: str, choices: dict[str, tuple[str, ...]]) -> tuple[str, str | None]:
    """An event's validation message and the field it names: "Expected `str` of length <= 64 - at
    `$.data.contact`" as ("`data.contact`: expected a string of at most 64 characters", "data.contact").
    `choices`: a field's name -> its allowed values, listed after an invalid one."""
    key = _KEY.search(msgspec_message)
    if key is not None:  # a key of a correction's `data`: a field name
        path = key.group("path").lstrip(".")
        return f"`{path}`: a field name is 1 to 32 lowercase letters or `_`", path
    text, path = split_path(msgspec_message)
    text = text.replace("Object contains unknown field", "unknown field")
    text = text.replace("Object missing required field", "missing required field")
    text = sentence(text)
    folded = text.lower()
    if folded.startswith("expected `datetime` with a timezone component"):
        text = "expected a date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00"
    elif folded.startswith("invalid rfc3339 encoded datetime"):
        text = "expected an ISO 8601 date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00"
    elif folded.startswith("invalid rfc3339 encoded date"):
        text = "expected a date such as 2026-05-12"
    elif folded.startswith("invalid enum value"):
        text = text.replace("invalid enum value", "invalid value")
        allowed = choices.get(path.rsplit(".", 1)[-1])
        if allowed:
            text += f" (expected one of: {', '.join(allowed)})"
    elif folded.startswith("unknown time zone") and path == "data":
        path = "data.timezone"
    if "matching regex '^(?!me$)" in text:
        text = "a contact id cannot be `me` (the word for you in obligations) nor contain `:`"
    elif "matching regex '^[^:]*$'" in text:
        text = "an id cannot contain `:` (it separates the parts of obligation ids)"
    text = text.replace("`str` of length >= 1", "a non-empty string")
    text = re.sub(r"`str` of length <= (\d+)", r"a string of at most \1 characters", text)
    named = re.match(r"(unknown field|missing required field) `([^`]*)`", text)
    if named:
        field = f"{path}.{named.group(2)}" if path else named.group(2)
        return (f"{text} in `{path}`" if path else text), field
    if path:
        return f"`{path}`: {text}", path
    return text, None


# --- request bodies and settings ------------------------------------------------------------------------

_WORDING = (
    (re.compile(re.escape(f"Expected `str` matching regex {NO_NUL_PATTERN!r}")), NUL_MESSAGE),
    (re.compile(r"^Object missing required field `(\w+)`"), r"missing required field `\1`"),
    (re.compile(r"^Object contains unknown field `(\w+)`"), r"unknown field `\1`"),
    (re.compile(r"^Expected `str` of length <= (\d+)"), r"expected a string of at most \1 characters"),
    (re.compile(r"^Expected `str` of length >= 1"), "expected a non-empty string"),
    (re.compile(r"^Expected `array` of length <= (\d+)"), r"expected at most \1 items"),
    (re.compile(r"^Invalid RFC3339 encoded date$"), "expected a date such as 2026-05-12"),
    (re.compile(r"^Invalid enum value (.*)"), r"invalid value \1"),
)
"""The request bodies' wording: the events' words where the two meet (field lengths, dates, choices)."""


def reword(text: str) -> str:
    """msgspec's text (without its location) in the API's words."""
    for pattern, replacement in _WORDING:
        text = pattern.sub(replacement, text)
    return text


def explain(message: str) -> str:
    """msgspec's "Expected `int` >= 0 - at `$.cursor`" as "`cursor`: expected `int` >= 0"."""
    text, path = split_path(message)
    text = sentence(reword(text))
    return f"`{path}`: {text}" if path else text


def explain_setting(message: str, prefix: str) -> str:
    """A setting's validation message naming its variable and flag: "MERCI_PORT (or --port): expected ..."."""
    text, name = split_path(message)
    if name:
        return f"{prefix}{name.upper()} (or --{name}): {text[:1].lower()}{text[1:]}"
    return text
