// The wire format v1 as data: every event type, its `data` fields in schema order, their limits.
// Generated from events/types.py by `.venv/bin/python -m events.catalogue`: do not edit by hand
// (tests/unit/test_catalogue.py fails when this file and the types differ).

export const CATALOGUE = {
  "choices": {"Host": ["them", "me"], "MeetingKind": ["meeting", "call", "video", "coffee", "event"], "Outcome": ["meeting_obtained", "declined", "no_answer"], "Channel": ["email", "letter", "call", "message", "in_person"], "Language": ["fr", "en"]},
  "envelope": {
    "id": {"name": "id", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
    "at": {"name": "at", "type": {"kind": "datetime"}, "presence": "required", "nullable": false},
    "seq": {"name": "seq", "type": {"kind": "int", "ge": 1, "le": null}, "presence": "optional", "default": null, "nullable": true},
    "recorded_at": {"name": "recorded_at", "type": {"kind": "datetime"}, "presence": "optional", "default": null, "nullable": true},
    "device": {"name": "device", "type": {"kind": "str", "min": 0, "max": 64}, "presence": "optional", "default": null, "nullable": true}
  },
  "types": {
    "contact_added": {"doc": "A person in my network.", "v": 1, "data": [
      {"name": "contact", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "name", "type": {"kind": "str", "min": 1, "max": 200}, "presence": "required", "nullable": false},
      {"name": "email", "type": {"kind": "str", "min": 0, "max": 254}, "presence": "optional", "default": null, "nullable": true},
      {"name": "phone", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "optional", "default": null, "nullable": true},
      {"name": "org", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "optional", "default": null, "nullable": true},
      {"name": "title", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "optional", "default": null, "nullable": true},
      {"name": "tags", "type": {"kind": "list", "item": {"kind": "str", "min": 1, "max": 50}, "min": 0, "max": 50}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true},
      {"name": "cadence_days", "type": {"kind": "int", "ge": 0, "le": 3650}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "contact_archived": {"doc": "No more nurture or greetings obligations to or from this contact.", "v": 1, "data": [
      {"name": "contact", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false}
    ]},
    "contact_updated": {"doc": "Some fields of a contact changed; a null clears the field.", "v": 1, "data": [
      {"name": "contact", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "name", "type": {"kind": "str", "min": 1, "max": 200}, "presence": "unset", "nullable": false},
      {"name": "email", "type": {"kind": "str", "min": 0, "max": 254}, "presence": "unset", "nullable": true},
      {"name": "phone", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "unset", "nullable": true},
      {"name": "org", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "unset", "nullable": true},
      {"name": "title", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "unset", "nullable": true},
      {"name": "tags", "type": {"kind": "list", "item": {"kind": "str", "min": 1, "max": 50}, "min": 0, "max": 50}, "presence": "unset", "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "unset", "nullable": true},
      {"name": "cadence_days", "type": {"kind": "int", "ge": 0, "le": 3650}, "presence": "unset", "nullable": true}
    ]},
    "contacts_merged": {"doc": "Two records of one person: every event naming `from` is read as naming `into`.", "v": 1, "data": [
      {"name": "from", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "into", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false}
    ]},
    "event_corrected": {"doc": "The named event is read as if it had carried this `at` (if given) and this complete `data`.", "v": 1, "data": [
      {"name": "event", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "at", "type": {"kind": "datetime"}, "presence": "optional", "default": null, "nullable": true},
      {"name": "data", "type": {"kind": "fields", "max": 20, "key": {"kind": "str", "min": 0, "max": null, "pattern": "^[a-z_]{1,32}$"}, "value": {"types": [{"kind": "str", "min": 0, "max": 4000}, {"kind": "int", "ge": 0, "le": 3650}, {"kind": "list", "item": {"kind": "str", "min": 0, "max": 64}, "min": 0, "max": 1000}], "nullable": true}}, "presence": "required", "nullable": false}
    ]},
    "event_retracted": {"doc": "The named event is read as if it had never been logged (an undo).", "v": 1, "data": [
      {"name": "event", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "reason", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "greetings_sent": {"doc": "Season's greetings.", "v": 1, "data": [
      {"name": "contacts", "type": {"kind": "list", "item": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "min": 1, "max": 1000}, "presence": "required", "nullable": false},
      {"name": "channel", "type": {"kind": "enum", "choice": "Channel", "values": ["email", "letter", "call", "message", "in_person"]}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "idea_saved": {"doc": "Something worth sharing, kept in the ideas inbox; it creates no obligation.", "v": 1, "data": [
      {"name": "idea", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "title", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "optional", "default": null, "nullable": true},
      {"name": "link", "type": {"kind": "str", "min": 0, "max": 2000}, "presence": "optional", "default": null, "nullable": true},
      {"name": "tags", "type": {"kind": "list", "item": {"kind": "str", "min": 1, "max": 50}, "min": 0, "max": 50}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "idea_shared": {"doc": "I sent them something of interest.", "v": 1, "data": [
      {"name": "contact", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "idea", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true},
      {"name": "link", "type": {"kind": "str", "min": 0, "max": 2000}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "introducer_informed": {"doc": "I told the introducer how the referral went.", "v": 1, "data": [
      {"name": "referral", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "channel", "type": {"kind": "enum", "choice": "Channel", "values": ["email", "letter", "call", "message", "in_person"]}, "presence": "required", "nullable": false},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "job_announced": {"doc": "I told and thanked them personally for their help.", "v": 1, "data": [
      {"name": "contact", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "channel", "type": {"kind": "enum", "choice": "Channel", "values": ["email", "letter", "call", "message", "in_person"]}, "presence": "required", "nullable": false},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "job_found": {"doc": "I found a job, on the local date of `at`.", "v": 1, "data": [
      {"name": "job", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "optional", "default": null, "nullable": true},
      {"name": "employer", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "meeting_logged": {"doc": "A meeting that happened at `at`; host \"them\": they received me, \"me\": I received them.", "v": 1, "data": [
      {"name": "meeting", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "contacts", "type": {"kind": "list", "item": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "min": 1, "max": 50}, "presence": "required", "nullable": false},
      {"name": "host", "type": {"kind": "enum", "choice": "Host", "values": ["them", "me"]}, "presence": "optional", "default": "them", "nullable": false},
      {"name": "kind", "type": {"kind": "enum", "choice": "MeetingKind", "values": ["meeting", "call", "video", "coffee", "event"]}, "presence": "optional", "default": null, "nullable": true},
      {"name": "place", "type": {"kind": "str", "min": 0, "max": 200}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "obligation_dismissed": {"doc": "An obligation no longer applies.", "v": 1, "data": [
      {"name": "obligation", "type": {"kind": "str", "min": 1, "max": 200}, "presence": "required", "nullable": false},
      {"name": "reason", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "obligation_snoozed": {"doc": "Hide and silence an obligation until that date.", "v": 1, "data": [
      {"name": "obligation", "type": {"kind": "str", "min": 1, "max": 200}, "presence": "required", "nullable": false},
      {"name": "until", "type": {"kind": "date"}, "presence": "required", "nullable": false}
    ]},
    "referral_given": {"doc": "The introducer gave me the referred person's name, to contact on their behalf.", "v": 1, "data": [
      {"name": "referral", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "introducer", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "referred", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "meeting", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "referral_made": {"doc": "I gave `to` the name of `referred`.", "v": 1, "data": [
      {"name": "referral", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "to", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "referred", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "meeting", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "referral_outcome": {"doc": "What came of a referral (for one I made: what I learnt).", "v": 1, "data": [
      {"name": "referral", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "outcome", "type": {"kind": "enum", "choice": "Outcome", "values": ["meeting_obtained", "declined", "no_answer"]}, "presence": "required", "nullable": false},
      {"name": "meeting", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "settings_changed": {"doc": "Account settings; each field's latest value applies to the whole history.", "v": 1, "data": [
      {"name": "timezone", "type": {"kind": "str", "min": 1, "max": 64}, "presence": "unset", "nullable": false},
      {"name": "reminder_hour", "type": {"kind": "int", "ge": 0, "le": 23}, "presence": "unset", "nullable": false},
      {"name": "cadence_days", "type": {"kind": "int", "ge": 0, "le": 3650}, "presence": "unset", "nullable": false},
      {"name": "language", "type": {"kind": "enum", "choice": "Language", "values": ["fr", "en"]}, "presence": "unset", "nullable": false}
    ]},
    "thanks_received": {"doc": "They thanked me.", "v": 1, "data": [
      {"name": "contact", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "meeting", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "optional", "default": null, "nullable": true},
      {"name": "channel", "type": {"kind": "enum", "choice": "Channel", "values": ["email", "letter", "call", "message", "in_person"]}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "thanks_sent": {"doc": "I thanked them.", "v": 1, "data": [
      {"name": "contact", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^(?!me$)[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "channel", "type": {"kind": "enum", "choice": "Channel", "values": ["email", "letter", "call", "message", "in_person"]}, "presence": "required", "nullable": false},
      {"name": "meeting", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]},
    "update_received": {"doc": "The person I referred told me how it went.", "v": 1, "data": [
      {"name": "referral", "type": {"kind": "str", "min": 1, "max": 64, "pattern": "^[^:]*$"}, "presence": "required", "nullable": false},
      {"name": "channel", "type": {"kind": "enum", "choice": "Channel", "values": ["email", "letter", "call", "message", "in_person"]}, "presence": "optional", "default": null, "nullable": true},
      {"name": "note", "type": {"kind": "str", "min": 0, "max": 4000}, "presence": "optional", "default": null, "nullable": true}
    ]}
  }
};

/** The limits of a `data` field ({kind, min, max, ge, le, …}): what a form gives its inputs and checks. */
export function limit(type, field) {
  const found = CATALOGUE.types[type]?.data.find((f) => f.name === field);
  if (!found) throw new TypeError(`no field ${field} in ${type}`);
  return found.type;
}
