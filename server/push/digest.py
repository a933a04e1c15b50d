"""The daily digest: what I owe that is due or overdue today, as one short notification in the account's
language ("3 follow-ups today: thank Hervé, …"), with what the service worker needs to record "Done" or
"Snooze a day" for the most urgent one offline. Always within the push payload limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import msgspec

from events import Projection
from events.rules import ME, Obligation

from .sender import MAX_PAYLOAD_BYTES

TAG = "merci-digest"
"""The notification tag: a new digest replaces the one still shown."""
TOPIC = "merci-digest"
"""The push Topic: a digest waiting at the push service is replaced by a retry or the next day's."""
TODAY_URL = "/#/today"
NAMED = 3
"""How many follow-ups the text names; the others are counted."""
NAME_CHARS = 40

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Merci",
        "count.one": "1 follow-up today",
        "count.other": "{count} follow-ups today",
        "sep": ": ",
        "more": "and {count} more",
        "thank": "thank {name}",
        "report": "tell {name} how it went with {referred}",
        "announce": "tell {name} about your new job",
        "nurture": "keep in touch with {name}",
        "greetings": "send {name} season's greetings",
        "done": "Done",
        "snooze": "Snooze a day",
        "done_named": "{name}: done",
        "snooze_named": "{name}: tomorrow",
        "test": "Reminders work on this device. Your digest comes at {hour}:00 on days something is due.",
    },
    "fr": {
        "title": "Merci",
        "count.one": "1 relance aujourd’hui",
        "count.other": "{count} relances aujourd’hui",
        "sep": "\u00a0: ",
        "more": "et {count} autres",
        "thank": "remercier {name}",
        "report": "dire à {name} comment s’est passé le contact avec {referred}",
        "announce": "annoncer votre nouveau poste à {name}",
        "nurture": "garder le contact avec {name}",
        "greetings": "envoyer vos vœux à {name}",
        "done": "Fait",
        "snooze": "Demain",
        "done_named": "{name}\u00a0: fait",
        "snooze_named": "{name}\u00a0: demain",
        "test": "Les rappels fonctionnent sur cet appareil. Le récapitulatif arrive à {hour} h les jours où quelque chose est dû.",
    },
}

_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True, slots=True)
class Digest:
    day: dt.date
    count: int
    text: str
    payload: bytes
    """The JSON the service worker reads (see pwa/sw.js `handlePush`)."""


def owed_today(projection: Projection) -> list[Obligation]:
    """What I owe that is due or overdue on the projection's day, most urgent first (overdue, oldest due)."""
    mine = [o for o in projection.obligations if o.debtor == ME and o.status in ("due", "overdue")]
    mine.sort(key=lambda o: (o.status != "overdue", o.due, o.id))
    return mine


def build_digest(projection: Projection, language: str = "en") -> Digest | None:
    """The digest of the projection's day, or None when nothing is due (nothing is sent then)."""
    items = owed_today(projection)
    if not items:
        return None
    words = STRINGS.get(language, STRINGS["en"])
    labels = [label(o, projection, words) for o in items[:NAMED]]
    first = items[0]
    first_name = _short(_name(projection, first.creditor))
    single = len(items) == 1
    document: dict[str, Any] = {
        "kind": "digest", "day": projection.as_of.isoformat(), "timezone": projection.timezone, "lang": language,
        "title": words["title"], "body": "", "tag": TAG, "url": TODAY_URL, "count": len(items),
        "obligation": first.id, "done": fulfilment(first, projection),
        "actions": [
            {"action": "done", "title": words["done"] if single else words["done_named"].format(name=first_name)},
            {"action": "snooze", "title": words["snooze"] if single else words["snooze_named"].format(name=first_name)},
        ],
    }
    for named in range(len(labels), 0, -1):  # name fewer if it would not fit (it always does at 3 × 40)
        text = _text(words, len(items), labels[:named])
        document["body"] = text
        payload = _encode(document)
        if len(payload) <= MAX_PAYLOAD_BYTES:
            return Digest(projection.as_of, len(items), text, payload)
    document["done"] = None  # an obligation id near its 200-character limit and long ids: click opens Today
    document["actions"] = []
    document["body"] = _text(words, len(items), [])
    return Digest(projection.as_of, len(items), document["body"], _encode(document))


def confirmation_message(language: str, reminder_hour: int) -> bytes:
    """The payload of "send me a test notification"."""
    words = STRINGS.get(language, STRINGS["en"])
    return _encode({
        "kind": "test", "title": words["title"], "body": words["test"].format(hour=f"{reminder_hour:02d}"),
        "tag": "merci-test", "url": TODAY_URL, "lang": language,
    })


def label(o: Obligation, projection: Projection, words: dict[str, str]) -> str:
    """"thank Hervé", "tell Anne how it went with Paul"…"""
    name = _short(_name(projection, o.creditor))
    if o.rule == "report":
        referral = projection.facts.referrals_given.get(o.id.removeprefix("report:"))
        referred = _short(_name(projection, referral[2].data.referred)) if referral else "?"
        return words["report"].format(name=name, referred=referred)
    return words.get(o.rule, "{name}").format(name=name)


CHANNELS = ("email", "letter", "call", "message", "in_person")
RULE_CHANNEL = {"thank": ("thanks_sent", "email"), "report": ("introducer_informed", "email"),
                "announce": ("job_announced", "call"), "greetings": ("greetings_sent", "email")}
"""Each rule's event and first channel (rule 3 says to tell people personally), as pwa/ui/obligations.js."""


def fulfilment(o: Obligation, projection: Projection) -> dict[str, Any] | None:
    """The event that fulfils `o` now, as pwa/ui/obligations.js `fulfilment` makes it for "Done": the
    channel last used for that kind of follow-up, else the rule's."""
    contact = o.creditor
    channel = _channel(o, projection)
    if o.rule == "thank":
        meeting = _meeting_of(projection, o.trigger)
        data: dict[str, Any] = {"contact": contact, **({"meeting": meeting} if meeting is not None else {})}
        return {"type": "thanks_sent", "data": {**data, "channel": channel}}
    if o.rule == "report":
        return {"type": "introducer_informed", "data": {"referral": o.id.removeprefix("report:"), "channel": channel}}
    if o.rule == "announce":
        return {"type": "job_announced", "data": {"contact": contact, "channel": channel}}
    if o.rule == "nurture":
        return {"type": "idea_shared", "data": {"contact": contact}}
    if o.rule == "greetings":
        return {"type": "greetings_sent", "data": {"contacts": [contact], "channel": channel}}
    return None


def _channel(o: Obligation, projection: Projection) -> str:
    kind, fallback = RULE_CHANNEL.get(o.rule, (None, "email"))
    last = fallback
    for _, _, event in projection.facts.occurrences:
        if event.__struct_config__.tag == kind and getattr(event.data, "channel", None) in CHANNELS:
            last = event.data.channel
    return last


def _text(words: dict[str, str], count: int, labels: list[str]) -> str:
    head = words["count.one" if count == 1 else "count.other"].format(count=count)
    if not labels:
        return head
    listed = ", ".join(labels)
    if count > len(labels):
        listed += ", " + words["more"].format(count=count - len(labels))
    return head + words["sep"] + listed


def _meeting_of(projection: Projection, trigger: str) -> str | None:
    for _, _, event in projection.facts.meetings:
        if event.id == trigger:
            return event.data.meeting
    return None


def _name(projection: Projection, contact_id: str) -> str:
    contact = projection.facts.contacts.get(contact_id)
    return contact.name if contact is not None else contact_id


def _short(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"
