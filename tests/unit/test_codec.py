"""The wire format v1 decoder: every way an event can be wrong is refused with a message naming the field
and the problem, and every valid event survives encode/decode unchanged."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from events import EVENT_TYPES, EventError, LogError, decode_event, encode_event, iter_log, read_log
from events import types as t
from events.codec import convert_event

AT = "2026-05-12T10:30:00+02:00"


def event(type_: str = "meeting_logged", data: dict | None = None, **top) -> dict:
    """A valid event as a dict, which a test then spoils in one place."""
    if data is None:
        data = {"meeting": "m1", "contacts": ["c-herve"]}
    return {"id": "ev-1", "type": type_, "v": 1, "at": AT, "data": data, **top}


def refused(raw: dict | bytes | str) -> EventError:
    if isinstance(raw, dict):
        raw = json.dumps(raw)
    with pytest.raises(EventError) as caught:
        decode_event(raw)
    return caught.value


def line(raw: dict) -> bytes:
    return json.dumps(raw).encode()


# --- one valid example of every type ------------------------------------------------------------

EXAMPLES: dict[str, dict] = {
    "contact_added": {"contact": "c-herve", "name": "Hervé", "email": "herve@example.org", "phone": "+33 6 12",
                      "org": "Cabinet", "title": "Associé", "tags": ["mentor", "bpi"], "note": "ancien camarade",
                      "cadence_days": 60},
    "contact_updated": {"contact": "c-herve", "org": None, "title": "Directeur", "cadence_days": None},
    "contact_archived": {"contact": "c-herve"},
    "meeting_logged": {"meeting": "m1", "contacts": ["c-herve", "c-anne"], "host": "me", "kind": "coffee",
                       "place": "Café de la Paix", "note": "deux noms"},
    "referral_given": {"referral": "r1", "introducer": "c-herve", "referred": "c-anne", "meeting": "m1",
                       "note": "de sa part"},
    "referral_made": {"referral": "r2", "to": "c-paul", "referred": "c-marc", "meeting": "m2", "note": "x"},
    "referral_outcome": {"referral": "r1", "outcome": "declined", "meeting": "m3"},
    "thanks_sent": {"contact": "c-herve", "channel": "letter", "meeting": "m1", "note": "merci"},
    "thanks_received": {"contact": "c-paul", "meeting": "m2", "channel": "message", "note": "merci à toi"},
    "introducer_informed": {"referral": "r1", "channel": "call", "note": "rdv obtenu"},
    "update_received": {"referral": "r2", "channel": "in_person", "note": "ça s'est bien passé"},
    "job_found": {"job": "Product manager", "employer": "ACME", "note": "CDI"},
    "job_announced": {"contact": "c-herve", "channel": "email", "note": "grâce à toi"},
    "idea_shared": {"contact": "c-herve", "idea": "un article", "link": "https://example.org/a", "note": "n"},
    "greetings_sent": {"contacts": ["c-herve", "c-anne"], "channel": "letter", "note": "bonne année"},
    "obligation_snoozed": {"obligation": "thank:m1:c-herve", "until": "2026-05-20"},
    "obligation_dismissed": {"obligation": "report:r1", "reason": "il a changé de poste"},
    "settings_changed": {"timezone": "Europe/Paris", "reminder_hour": 8, "cadence_days": 45, "language": "fr"},
    # corrections, retractions, merges and ideas (2026-12)
    "event_corrected": {"event": "ev-0", "at": "2026-05-11T10:30:00+02:00",
                        "data": {"meeting": "m1", "contacts": ["c-herve"], "place": "Café", "kind": None}},
    "event_retracted": {"event": "ev-0", "reason": "logged twice"},
    "contacts_merged": {"from": "c-herve-2", "into": "c-herve"},
    "idea_saved": {"idea": "i1", "title": "Fintech report", "link": "https://example.org/r", "tags": ["fintech"],
                   "note": "for Paul"},
}


def test_the_examples_cover_every_type_of_the_catalogue():
    assert set(EXAMPLES) == set(EVENT_TYPES)
    assert len(EXAMPLES) == 22


@pytest.mark.parametrize("type_", sorted(EXAMPLES))
def test_every_type_survives_encode_then_decode(type_):
    original = decode_event(json.dumps(event(type_, EXAMPLES[type_], id=f"id-{type_}")))
    assert type(original) is EVENT_TYPES[type_]
    again = decode_event(encode_event(original))
    assert again == original
    # and the wire form says the same thing as the input (dates normalised, nothing lost or added)
    wire = json.loads(encode_event(original))
    assert wire["type"] == type_ and wire["v"] == 1 and wire["id"] == f"id-{type_}"
    assert dt.datetime.fromisoformat(wire["at"]) == dt.datetime.fromisoformat(AT)
    assert wire["data"] == EXAMPLES[type_]


@pytest.mark.parametrize("type_", sorted(EXAMPLES))
def test_every_type_is_also_read_in_a_log(type_):
    content = line(event(type_, EXAMPLES[type_])) + b"\n"
    (decoded,) = read_log(content)
    assert type(decoded) is EVENT_TYPES[type_]


def test_optional_fields_take_their_defaults():
    meeting = decode_event(json.dumps(event()))
    assert meeting.data.host == "them"  # they received me, unless said otherwise
    assert meeting.data.kind is None and meeting.data.place is None
    assert meeting.seq is None and meeting.recorded_at is None and meeting.device is None


def test_contact_updated_tells_a_cleared_field_from_an_absent_one():
    updated = decode_event(json.dumps(event("contact_updated", {"contact": "c1", "org": None})))
    assert updated.data.org is None  # null: clear it
    assert updated.data.title is msgspec.UNSET  # absent: leave it as it was
    assert updated.data.cadence_days is msgspec.UNSET
    wire = json.loads(encode_event(updated))
    assert wire["data"] == {"contact": "c1", "org": None}


def test_settings_changed_leaves_absent_settings_unset():
    changed = decode_event(json.dumps(event("settings_changed", {"language": "en"})))
    assert changed.data.language == "en"
    assert changed.data.timezone is msgspec.UNSET and changed.data.cadence_days is msgspec.UNSET
    assert json.loads(encode_event(changed))["data"] == {"language": "en"}


def test_server_fields_are_accepted_and_kept():
    raw = event(seq=42, recorded_at="2026-05-12T08:31:02.123456Z", device="d-phone")
    decoded = decode_event(json.dumps(raw))
    assert decoded.seq == 42 and decoded.device == "d-phone"
    assert decoded.recorded_at == dt.datetime(2026, 5, 12, 8, 31, 2, 123456, tzinfo=dt.timezone.utc)
    assert decode_event(encode_event(decoded)) == decoded


def test_at_keeps_its_offset_and_utc_z_is_accepted():
    paris = decode_event(json.dumps(event()))
    assert paris.at.utcoffset() == dt.timedelta(hours=2)
    zulu = decode_event(json.dumps(event(at="2026-05-12T08:30:00Z")))
    assert zulu.at == paris.at


def test_an_id_of_64_characters_is_accepted():
    decoded = decode_event(json.dumps(event(id="x" * 64, data={"meeting": "m" * 64, "contacts": ["c" * 64]})))
    assert decoded.id == "x" * 64


def test_convert_event_accepts_parsed_json_too():
    decoded = convert_event(event())
    assert decoded == decode_event(json.dumps(event()))


# --- what is refused, and how it is said -----------------------------------------------------------


def test_unknown_type_is_refused_with_the_known_ones_listed():
    error = refused(event("meeting_cancelled"))
    assert error.field == "type"
    assert "unknown event type 'meeting_cancelled'" in error.message
    assert "meeting_logged" in error.message and "thanks_sent" in error.message


def test_a_type_that_is_not_a_string_is_an_unknown_type():
    error = refused(event(type_=5))
    assert error.field == "type" and "unknown event type 5" in error.message


def test_missing_type_is_refused():
    raw = event()
    del raw["type"]
    error = refused(raw)
    assert error.field == "type" and "missing field `type`" in error.message


@pytest.mark.parametrize("version", [0, 2, 99])
def test_unknown_version_is_refused(version):
    error = refused(event(v=version))
    assert error.field == "v"
    assert f"unsupported version {version} of meeting_logged" in error.message


def test_missing_version_is_refused():
    raw = event()
    del raw["v"]
    error = refused(raw)
    assert error.field == "v" and "missing field `v`" in error.message


@pytest.mark.parametrize(("version", "kind"), [("1", "a string"), (True, "a boolean"), (1.0, "a number"),
                                              (None, None)])
def test_version_must_be_an_integer(version, kind):
    error = refused(event(v=version))
    assert error.field == "v"
    if kind is None:
        assert "missing field `v`" in error.message
    else:
        assert error.message == f"`v` must be an integer, not {kind}"


def test_the_event_id_is_carried_by_the_error():
    error = refused(event(v=7, id="ev-42"))
    assert error.event_id == "ev-42"


def test_unknown_top_level_field_is_refused():
    error = refused(event(colour="blue"))
    assert "unknown field `colour`" in error.message
    assert error.field == "colour"


def test_unknown_data_field_is_refused():
    error = refused(event(data={"meeting": "m1", "contacts": ["c1"], "mood": "great"}))
    assert "unknown field `mood`" in error.message and "`data`" in error.message
    assert error.field == "data.mood"


@pytest.mark.parametrize("name", ["id", "at", "data"])
def test_missing_top_level_field_is_refused(name):
    raw = event()
    del raw[name]
    error = refused(raw)
    assert f"missing required field `{name}`" in error.message


@pytest.mark.parametrize(("type_", "data", "missing"), [
    ("meeting_logged", {"contacts": ["c1"]}, "meeting"),
    ("meeting_logged", {"meeting": "m1"}, "contacts"),
    ("contact_added", {"contact": "c1"}, "name"),
    ("thanks_sent", {"contact": "c1"}, "channel"),
    ("referral_given", {"referral": "r1", "introducer": "c1"}, "referred"),
    ("referral_made", {"referral": "r1", "referred": "c1"}, "to"),
    ("referral_outcome", {"referral": "r1"}, "outcome"),
    ("introducer_informed", {"referral": "r1"}, "channel"),
    ("job_announced", {"channel": "email"}, "contact"),
    ("obligation_snoozed", {"obligation": "thank:m1:c1"}, "until"),
    ("obligation_dismissed", {}, "obligation"),
])
def test_missing_required_data_field_is_refused(type_, data, missing):
    error = refused(event(type_, data))
    assert error.message == f"missing required field `{missing}` in `data`"
    assert error.field == f"data.{missing}"


@pytest.mark.parametrize(("type_", "data", "field", "allowed"), [
    ("meeting_logged", {"meeting": "m1", "contacts": ["c1"], "host": "us"}, "host", "them, me"),
    ("meeting_logged", {"meeting": "m1", "contacts": ["c1"], "kind": "lunch"}, "kind",
     "meeting, call, video, coffee, event"),
    ("referral_outcome", {"referral": "r1", "outcome": "hired"}, "outcome", "meeting_obtained, declined, no_answer"),
    ("thanks_sent", {"contact": "c1", "channel": "pigeon"}, "channel", "email, letter, call, message, in_person"),
    ("thanks_received", {"contact": "c1", "channel": "fax"}, "channel", "email, letter, call, message, in_person"),
    ("introducer_informed", {"referral": "r1", "channel": "telex"}, "channel",
     "email, letter, call, message, in_person"),
    ("settings_changed", {"language": "de"}, "language", "fr, en"),
])
def test_wrong_enum_value_is_refused_with_the_allowed_ones(type_, data, field, allowed):
    error = refused(event(type_, data))
    assert error.field == f"data.{field}"
    bad = data[field]
    assert error.message == f"`data.{field}`: invalid value '{bad}' (expected one of: {allowed})"


@pytest.mark.parametrize("bad", ["", "x" * 65])
def test_event_id_outside_1_to_64_characters_is_refused(bad):
    error = refused(event(id=bad))
    assert error.field == "id"
    assert error.message.startswith("`id`: ")
    assert ("non-empty" in error.message) if bad == "" else ("at most 64 characters" in error.message)


@pytest.mark.parametrize(("type_", "data", "path"), [
    ("contact_added", {"contact": "{}", "name": "A"}, "data.contact"),
    ("meeting_logged", {"meeting": "{}", "contacts": ["c1"]}, "data.meeting"),
    ("meeting_logged", {"meeting": "m1", "contacts": ["c1", "{}"]}, "data.contacts[1]"),
    ("referral_given", {"referral": "{}", "introducer": "c1", "referred": "c2"}, "data.referral"),
    ("referral_given", {"referral": "r1", "introducer": "{}", "referred": "c2"}, "data.introducer"),
    ("referral_made", {"referral": "r1", "to": "c1", "referred": "{}"}, "data.referred"),
    ("referral_outcome", {"referral": "{}", "outcome": "declined"}, "data.referral"),
    ("thanks_sent", {"contact": "c1", "channel": "email", "meeting": "{}"}, "data.meeting"),
    ("greetings_sent", {"contacts": ["{}"]}, "data.contacts[0]"),
])
@pytest.mark.parametrize("bad", ["", "x" * 65])
def test_contact_meeting_and_referral_ids_outside_1_to_64_characters_are_refused(type_, data, path, bad):
    spoilt = json.loads(json.dumps(data).replace('"{}"', json.dumps(bad)))
    error = refused(event(type_, spoilt))
    assert error.field == path
    assert error.message.startswith(f"`{path}`: ")
    assert ("non-empty" in error.message) if bad == "" else ("at most 64 characters" in error.message)


def test_at_without_offset_is_refused():
    error = refused(event(at="2026-05-12T10:30:00"))
    assert error.field == "at"
    assert "UTC offset" in error.message


@pytest.mark.parametrize("bad", ["yesterday", "2026-05-12", "2026-13-01T10:00:00+02:00", "", "12/05/2026 10:30"])
def test_at_that_is_not_a_date_time_is_refused(bad):
    error = refused(event(at=bad))
    assert error.field == "at"
    assert "date-time" in error.message


def test_at_as_a_number_is_refused():
    error = refused(event(at=1747038600))
    assert error.field == "at"


@pytest.mark.parametrize("bad", ["soon", "2026-02-30", "2026-05-20T10:00:00+02:00", "20/05/2026"])
def test_bad_snooze_until_date_is_refused(bad):
    error = refused(event("obligation_snoozed", {"obligation": "thank:m1:c1", "until": bad}))
    assert error.field == "data.until"
    assert "expected a date such as" in error.message


@pytest.mark.parametrize(("hour", "ok"), [(0, True), (23, True), (24, False), (-1, False)])
def test_reminder_hour_is_0_to_23(hour, ok):
    raw = event("settings_changed", {"reminder_hour": hour})
    if ok:
        assert decode_event(json.dumps(raw)).data.reminder_hour == hour
    else:
        error = refused(raw)
        assert error.field == "data.reminder_hour"
        assert ("<= 23" in error.message) if hour > 0 else (">= 0" in error.message)


@pytest.mark.parametrize("type_", ["settings_changed", "contact_added", "contact_updated"])
def test_negative_cadence_is_refused(type_):
    data = {"cadence_days": -1} if type_ == "settings_changed" else {"contact": "c1", "name": "A", "cadence_days": -1}
    error = refused(event(type_, data))
    assert error.field == "data.cadence_days"
    assert ">= 0" in error.message


def test_unknown_time_zone_is_refused():
    error = refused(event("settings_changed", {"timezone": "Mars/Olympus_Mons"}))
    assert error.field == "data.timezone"
    assert "unknown time zone 'Mars/Olympus_Mons'" in error.message


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "UTC", "Asia/Kolkata", "Pacific/Kiritimati"])
def test_known_time_zones_are_accepted(zone):
    assert decode_event(json.dumps(event("settings_changed", {"timezone": zone}))).data.timezone == zone


@pytest.mark.parametrize(("type_", "data"), [
    ("meeting_logged", {"meeting": "m1", "contacts": []}),
    ("greetings_sent", {"contacts": []}),
])
def test_empty_contacts_list_is_refused(type_, data):
    error = refused(event(type_, data))
    assert error.field == "data.contacts"
    assert "length >= 1" in error.message


def test_a_field_of_the_wrong_json_kind_is_refused():
    error = refused(event(data={"meeting": "m1", "contacts": "c1"}))
    assert error.field == "data.contacts"
    assert "array" in error.message


def test_a_seq_of_zero_is_refused():
    error = refused(event(seq=0))
    assert error.field == "seq"


@pytest.mark.parametrize("raw", ["{not json", '{"id": "a",', "", "\xff", "[1, 2"])
def test_not_json_is_refused(raw):
    error = refused(raw)
    assert error.message.startswith("not valid JSON")


LATIN_1 = ('{"id": "ev-1", "type": "contact_added", "v": 1, "at": "2026-05-12T10:30:00+02:00", '
           '"data": {"contact": "c-herve", "name": "Herv\u00e9"}}').encode("latin-1")
"""A log exported by a tool that writes Latin-1, not UTF-8: "Hervé" is the byte 0xE9."""


def test_invalid_utf8_is_not_valid_json():
    error = refused(LATIN_1)
    assert "UTF-8" in error.message or error.message.startswith("not valid JSON")


def test_a_latin_1_line_in_a_log_is_a_bad_line_with_its_number():
    with pytest.raises(LogError) as caught:
        read_log(b"\n".join([*good_lines(1), LATIN_1]))
    assert caught.value.line == 2


@pytest.mark.parametrize(("raw", "kind"), [("[]", "an array"), ("42", "a number"), ('"event"', "a string"),
                                           ("null", "null"), ("true", "a boolean")])
def test_not_an_object_is_refused(raw, kind):
    error = refused(raw)
    assert error.message == f"an event must be a JSON object, not {kind}"


def test_event_error_is_a_value_error():
    assert issubclass(EventError, ValueError) and issubclass(LogError, ValueError)


# --- NDJSON logs ------------------------------------------------------------------------------------


def good_lines(n: int) -> list[bytes]:
    return [line(event("job_found", {}, id=f"ev-{i}")) for i in range(1, n + 1)]


def test_read_log_reads_every_line_in_order():
    events = read_log(b"\n".join(good_lines(5)) + b"\n")
    assert [e.id for e in events] == ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5"]


def test_read_log_of_nothing_is_empty():
    assert read_log(b"") == []
    assert read_log(b"\n\n") == []


def test_read_log_skips_a_leading_byte_order_mark():
    content = b"\xef\xbb\xbf" + b"\n".join(good_lines(2))
    assert [e.id for e in read_log(content)] == ["ev-1", "ev-2"]


def test_read_log_skips_blank_lines_and_accepts_crlf():
    content = b"\r\n".join([good_lines(1)[0], b"", b"   ", good_lines(2)[1], b""])
    assert [e.id for e in read_log(content)] == ["ev-1", "ev-2"]


def test_a_bad_line_3_of_5_is_reported_as_line_3():
    lines = good_lines(5)
    lines[2] = line(event(v=2))
    with pytest.raises(LogError) as caught:
        read_log(b"\n".join(lines) + b"\n")
    assert caught.value.line == 3
    assert str(caught.value).startswith("line 3: ")
    assert "unsupported version 2" in str(caught.value)
    assert caught.value.error.field == "v"


def test_blank_lines_count_in_line_numbers():
    lines = good_lines(2) + [b"", b"", b"{oops"]
    with pytest.raises(LogError) as caught:
        read_log(b"\n".join(lines))
    assert caught.value.line == 5 and "not valid JSON" in str(caught.value)


def test_line_numbers_count_from_the_first_line_even_after_a_byte_order_mark():
    lines = good_lines(2)
    lines[1] = b'{"id": "x"}'
    with pytest.raises(LogError) as caught:
        read_log(b"\xef\xbb\xbf" + b"\n".join(lines))
    assert caught.value.line == 2


def test_the_first_bad_line_is_the_one_reported():
    lines = good_lines(5)
    lines[1] = b"[]"
    lines[3] = b"{"
    with pytest.raises(LogError) as caught:
        read_log(b"\n".join(lines))
    assert caught.value.line == 2
    assert "JSON object, not an array" in str(caught.value)


def test_iter_log_reports_line_numbers_and_skips_blank_lines():
    lines = [*good_lines(2), b"", "   ", line(event(data={"meeting": "m1", "contacts": []}))]
    seen = []
    with pytest.raises(LogError) as caught:
        for decoded in iter_log(lines):
            seen.append(decoded.id)
    assert seen == ["ev-1", "ev-2"]
    assert caught.value.line == 5
    assert "data.contacts" in str(caught.value)


def test_a_carriage_return_inside_a_valid_line_does_not_shift_line_numbers():
    lines = good_lines(3)
    lines[1] = lines[1].replace(b'"type":', b'\r"type":')  # \r is JSON whitespace: line 2 is valid
    assert read_log(lines[1])[0].id == "ev-2"
    lines.append(b"{broken")
    with pytest.raises(LogError) as caught:
        read_log(b"\n".join(lines))
    assert caught.value.line == 4


@pytest.mark.parametrize("bad", ["1899-12-31T23:59:59Z", "0001-01-01T00:00:00+05:00", "3000-01-01T00:00:00Z",
                                 "9999-12-31T10:00:00+00:00"])
def test_an_at_too_far_in_the_past_or_future_is_refused(bad):
    # a date that far out would overflow the date arithmetic of the rules (due = D+1, Dec 1 of next year)
    error = refused(event(at=bad))
    assert error.field == "at" and "out of range" in error.message


@pytest.mark.parametrize("fine", ["1900-01-01T00:00:00Z", "2999-12-31T12:00:00+00:00"])
def test_an_at_within_the_supported_years_is_accepted(fine):
    assert decode_event(json.dumps(event(at=fine))).at == dt.datetime.fromisoformat(fine.replace("Z", "+00:00"))


def test_an_out_of_range_at_in_a_log_is_a_bad_line_with_its_number():
    lines = good_lines(3)
    lines[1] = line(event(at="9999-12-31T10:00:00+00:00"))
    with pytest.raises(LogError) as caught:
        read_log(b"\n".join(lines))
    assert caught.value.line == 2 and caught.value.error.field == "at"


def _machine_has_localtime() -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo("localtime")
        return True
    except Exception:  # noqa: BLE001 - any failure means this machine has no such file
        return False


@pytest.mark.skipif(not _machine_has_localtime(), reason="this machine's zoneinfo has no `localtime` file")
def test_localtime_is_not_an_iana_time_zone():
    error = refused(event("settings_changed", {"timezone": "localtime"}))
    assert error.field == "data.timezone"


# --- ids that would make obligation ids ambiguous ----------------------------------------------------


@pytest.mark.parametrize("where", ["contact", "contacts"])
def test_a_contact_named_me_is_refused(where):
    data = {"meeting": "m1", "contacts": ["me"]} if where == "contacts" else {"contact": "me", "name": "Me"}
    error = refused(event("meeting_logged" if where == "contacts" else "contact_added", data))
    assert error.field == ("data.contacts[0]" if where == "contacts" else "data.contact")
    assert "cannot be `me`" in error.message


@pytest.mark.parametrize(("type_", "data", "field"), [
    ("meeting_logged", {"meeting": "a:b", "contacts": ["c"]}, "data.meeting"),
    ("meeting_logged", {"meeting": "a", "contacts": ["b:c"]}, "data.contacts[0]"),
    ("referral_outcome", {"referral": "r:1", "outcome": "declined"}, "data.referral"),
])
def test_an_id_with_a_colon_is_refused(type_, data, field):
    error = refused(event(type_, data))
    assert error.field == field and "`:`" in error.message


def test_an_event_id_with_a_colon_is_refused():
    error = refused(event(id="job:1"))
    assert error.field == "id" and "cannot contain `:`" in error.message


# --- U+0000 -----------------------------------------------------------------------------------------

NUL = "U+0000 (the NUL character) is not allowed in any text"


@pytest.mark.parametrize("type_, data, where", [
    ("meeting_logged", {"meeting": "m1", "contacts": ["c-herve", "c-\x00"]}, "data.contacts[1]"),
    ("meeting_logged", {"meeting": "m\x001", "contacts": ["c-herve"]}, "data.meeting"),
    ("contact_added", {"contact": "c", "name": "Herv\x00é"}, "data.name"),
    ("contact_added", {"contact": "c", "name": "Hervé", "tags": ["ok", "\x00"]}, "data.tags[1]"),
    ("job_found", {"note": "\x00"}, "data.note"),
    ("obligation_dismissed", {"obligation": "thank:m1:c\x00"}, "data.obligation"),
    ("settings_changed", {"timezone": "Europe/Paris\x00"}, "data.timezone"),
])
def test_u0000_in_any_string_of_data_is_refused_naming_the_field(type_, data, where):
    error = refused(event(type_, data))

    assert (error.message, error.field, error.event_id) == (f"`{where}`: {NUL}", where, "ev-1")


def test_u0000_in_the_id_type_or_a_field_name_is_refused_before_anything_else():
    assert refused(event(id="ev\x001")).message == f"`id`: {NUL}"
    assert refused(event(id="ev\x001")).event_id == "ev\x001"
    assert refused(event("job\x00_found", {})).message == f"`type`: {NUL}"
    assert refused(event("job_found", {"no\x00te": "x"})).message == f"`data`: {NUL}, field names included"
    assert refused({**event(), "a\x00": 1}).message == f"{NUL}, field names included"
    assert refused(event(device="\x00", seq=0)).message == f"`device`: {NUL}"  # before the bad seq


def test_a_written_backslash_u0000_is_text_not_u0000():
    assert decode_event(json.dumps(event("job_found", {"note": "see \\u0000"}))).data.note == "see \\u0000"


def test_a_log_line_holding_u0000_is_a_bad_line_with_its_number():
    good = line(event(id="a"))
    with pytest.raises(LogError) as caught:
        read_log(good + b"\n\n" + line(event("job_found", {"note": "x\x00"}, id="b")) + b"\n" + good)

    assert str(caught.value) == f"line 3: `data.note`: {NUL}"


def test_convert_event_refuses_u0000_in_parsed_json_too():
    with pytest.raises(EventError, match="U\\+0000"):
        convert_event(event("job_found", {"note": "\x00"}))


@given(st.text(min_size=1, max_size=30), st.integers(min_value=0, max_value=30))
def test_u0000_anywhere_in_a_note_is_refused(text, position):
    note = text[:position] + "\x00" + text[position:]

    error = refused(event("job_found", {"note": note}))

    assert (error.message, error.field) == (f"`data.note`: {NUL}", "data.note")


# --- corrections: their data is any object of field values, checked against the named type later ------


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"event": "e1", "data": {"Place": "x"}}, "data.data",
     "`data.data`: a field name is 1 to 32 lowercase letters or `_`"),
    ({"event": "e1", "data": {"place": 1.5}}, "data.data[...]",
     "`data.data[...]`: expected `int | str | array | null`, got `float`"),
    ({"event": "e1", "data": {"contacts": [1]}}, "data.data[...][0]", "`data.data[...][0]`: expected `str`, got `int`"),
    ({"event": "e1", "data": {"cadence_days": 3651}}, "data.data[...]", "`data.data[...]`: expected `int` <= 3650"),
    ({"event": "e1", "data": {f"f_{'a' * i}": 1 for i in range(21)}}, "data.data",
     "`data.data`: expected `object` of length <= 20"),
    ({"event": "e1"}, "data.data", "missing required field `data` in `data`"),
    ({"event": "e:1", "data": {}}, "data.event",
     "`data.event`: an id cannot contain `:` (it separates the parts of obligation ids)"),
    ({"event": "e1", "at": "2026-05-12T10:00:00", "data": {}}, "data.at",
     "`data.at`: expected a date-time with a UTC offset, such as 2026-05-12T10:30:00+02:00"),
    ({"event": "e1", "at": "3000-01-01T00:00:00Z", "data": {}}, "data.at",
     "`data.at`: 3000-01-01T00:00:00+00:00 is out of range (years 1900 to 2999)"),
])
def test_a_correction_with_bad_data_is_refused(data, field, message):
    error = refused(event("event_corrected", data))
    assert (error.message, error.field) == (message, field)
    with pytest.raises(LogError, match="^line 1: "):
        read_log(line(event("event_corrected", data)))


def test_a_merge_names_two_contacts_and_neither_is_me():
    assert refused(event("contacts_merged", {"from": "me", "into": "c1"})).field == "data.from"
    assert refused(event("contacts_merged", {"from": "c1"})).message == "missing required field `into` in `data`"
