"""events/messages.py, the one place msgspec's messages are reworded: each reader gets the field named its way."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest
from msgspec import Meta, Struct

from events.messages import NO_NUL_PATTERN, NUL_MESSAGE, explain, explain_event, explain_setting


class Body(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(max_length=5, pattern=NO_NUL_PATTERN)]
    items: Annotated[list[int], Meta(max_length=2)] = []


def msgspec_says(raw: bytes) -> str:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(raw, type=Body)
    return str(caught.value)


def test_a_request_bodys_field_is_named_before_what_is_wrong():
    assert explain(msgspec_says(b'{"name": "abcdefg"}')) == "`name`: expected a string of at most 5 characters"
    assert explain(msgspec_says(b'{"name": "a", "items": [1, 2, 3]}')) == "`items`: expected at most 2 items"
    assert explain(msgspec_says(b'{"name": "a\\u0000"}')) == f"`name`: {NUL_MESSAGE}"
    assert explain(msgspec_says(b'{"name": "a", "colour": 1}')) == "unknown field `colour`"


def test_an_events_field_is_named_the_way_the_javascript_decoder_names_it():
    message, field = explain_event(msgspec_says(b'{"name": "abcdefg"}'), {})
    assert (message, field) == ("`name`: expected a string of at most 5 characters", "name")
    message, field = explain_event(msgspec_says(b'{"items": []}'), {})
    assert (message, field) == ("missing required field `name`", "name")


def test_a_setting_is_named_by_its_variable_and_its_flag():
    assert explain_setting(msgspec_says(b'{"name": "abcdefg"}'), "MERCI_") == (
        "MERCI_NAME (or --name): expected `str` of length <= 5")
