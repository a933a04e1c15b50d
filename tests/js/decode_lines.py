"""Decode lines with the Python engine's codec, for tests/js/events.test.mjs: one process for many lines.

Reads a JSON array of lines (strings) on stdin; writes a JSON array of [encoding, null, null] for a valid
event (its wire encoding, as the server writes it back) or [null, message, field] for a refused one."""

import json
import sys

from events.codec import EventError, decode_event, encode_event

out = []
for line in json.load(sys.stdin):
    try:
        out.append([encode_event(decode_event(line.encode("utf-8", "surrogatepass"))).decode(), None, None])
    except EventError as error:
        out.append([None, error.message, error.field])
json.dump(out, sys.stdout)
