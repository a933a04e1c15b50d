"""The story of each relationship, read from a projection: a timeline of what happened between me and a
contact, each obligation an event created and how it was kept (both ways), counts per side and per rule, the
on-time rate month by month, and the "before you meet again" brief of what is still open.

A pure function of the projection, like the projection itself; `pwa/lib/rules/story.js` is its twin and both
give the same JSON (`merci history LOG CONTACT --story`, `merci replay LOG --story`). `story_text` and
`network_text` tell it in plain English for the terminal; the app and the coach page tell it in fr or en.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter

from msgspec import to_builtins

from . import types as t
from .facts import Occurrence
from .project import Projection, mentions
from .rules import ME, WINDOWS, Obligation

RULE_ORDER = ("thank", "report", "announce", "nurture", "greetings")
SIDES = ("owed_by_me", "owed_to_me")
KEPT = ("early", "on_time", "late", "very_late", "still_owed", "due", "upcoming", "snoozed", "missed", "dismissed")
"""How an obligation was kept, or where it stands: a done one by its grade; an open one by its status, `overdue`
read as `still_owed`."""
OPEN = ("still_owed", "due", "upcoming", "snoozed")
"""What the brief lists: nothing done, nothing closed."""

FULFILLED_BY = {
    ("thank", "owed_by_me"): ("thanks_sent",),
    ("thank", "owed_to_me"): ("thanks_received",),
    ("report", "owed_by_me"): ("introducer_informed",),
    ("report", "owed_to_me"): ("update_received",),
    ("announce", "owed_by_me"): ("job_announced",),
    ("nurture", "owed_by_me"): ("meeting_logged", "thanks_sent", "introducer_informed", "job_announced",
                                "idea_shared"),
    ("greetings", "owed_by_me"): ("greetings_sent",),
}
"""The event types that can keep an obligation of a rule, by side (DESIGN.md section 2, "fulfilled by")."""


def kept(obligation: Obligation) -> str:
    """The obligation's reading: its grade once done, else its status (`overdue`: still owed)."""
    if obligation.status == "done":
        return obligation.grade or "on_time"
    return "still_owed" if obligation.status == "overdue" else obligation.status


def _tally() -> dict[str, int]:
    return {"total": 0, **{reading: 0 for reading in KEPT}}


def counts(obligations: list[dict]) -> dict:
    """Counts per side and per rule of each reading: "4 of 7 on time, 2 late, 1 still owed"."""
    sides = {side: _tally() for side in SIDES}
    by_rule: dict[str, dict[str, dict[str, int]]] = {}
    for obligation in obligations:
        side, reading = obligation["direction"], obligation["kept"]
        rule = by_rule.setdefault(obligation["rule"], {s: _tally() for s in SIDES})
        for tally in (sides[side], rule[side]):
            tally["total"] += 1
            tally[reading] += 1
    return {**sides, "by_rule": {rule: by_rule[rule] for rule in RULE_ORDER if rule in by_rule}}


def months(obligations: list[dict]) -> list[dict]:
    """The on-time rate month by month, both ways: obligations by the month they fell due, counted as the
    scores count them (done, still owed, missed; on time = graded on_time)."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for obligation in obligations:
        if obligation["status"] not in ("done", "overdue", "missed"):
            continue
        month = found.setdefault(obligation["due"][:7], {s: {"on_time": 0, "counted": 0} for s in SIDES})
        cell = month[obligation["direction"]]
        cell["counted"] += 1
        if obligation["grade"] == "on_time":
            cell["on_time"] += 1
    return [{"month": month, **found[month]} for month in sorted(found)]


class _Reader:
    """What the story needs of a projection, indexed once: events by id, names, referrals."""

    def __init__(self, projection: Projection):
        self.projection = projection
        self.facts = projection.facts
        self.by_id = {occurrence[2].id: occurrence for occurrence in self.facts.occurrences}
        # indexes, so that telling every relationship costs one pass, not one per contact
        self.owed: dict[str, list[Obligation]] = {}
        """Each counterpart's obligations, both ways, in the projection's (due, id) order."""
        self.thanks_owed: dict[str, list[tuple[int, Obligation]]] = {}
        """The open `thank` obligations I owe, by creditor, with their rank in the projection."""
        for rank, obligation in enumerate(projection.obligations):
            self.owed.setdefault(obligation.counterpart, []).append(obligation)
            if obligation.debtor == ME and obligation.rule == "thank" and kept(obligation) in OPEN:
                self.thanks_owed.setdefault(obligation.creditor, []).append((rank, obligation))
        self.ideas: dict[str, t.IdeaSavedData] = {}
        """The saved ideas by their id (`idea_saved`, the last of an id in (at, id) order), as the pre-pass left
        them: an `idea_shared` naming one is told by its title."""
        for occurrence in self.facts.occurrences:
            if type(occurrence[2]) is t.IdeaSaved:
                self.ideas[occurrence[2].data.idea] = occurrence[2].data
        self.introduced: dict[str, set[str]] = {}
        """The people each contact introduced me to (`referral_given`)."""
        for occurrence in self.facts.referrals_given.values():
            data = occurrence[2].data
            if data.referred != data.introducer:
                self.introduced.setdefault(data.introducer, set()).add(data.referred)

    def name(self, contact: str) -> str:
        found = self.facts.contacts.get(contact)
        return found.name if found is not None else contact

    def idea_title(self, idea: str | None) -> str | None:
        """The title of the saved idea an `idea_shared` names (its link when it has no title); None when it names
        none (free text, or an older log)."""
        saved = self.ideas.get(idea) if idea is not None else None
        if saved is None:
            return None
        return saved.title or saved.link

    def referral(self, referral: str) -> dict | None:
        """The referral's parties, whichever way it went (the one logged first, as the report rule reads it)."""
        given = self.facts.referrals_given.get(referral)
        made = self.facts.referrals_made.get(referral)
        if given is not None and (made is None or given[0] < made[0]):
            data = given[2].data
            return {"referral": referral, "way": "given", "introducer": data.introducer, "referred": data.referred,
                    "on": given[1].isoformat()}
        if made is not None:
            data = made[2].data
            return {"referral": referral, "way": "made", "to": data.to, "referred": data.referred,
                    "on": made[1].isoformat()}
        return None

    def obligation(self, obligation: Obligation) -> dict:
        """One obligation as the story tells it: what it is about, how it was kept, how many days after due."""
        as_of = self.projection.as_of
        end = obligation.done_on or as_of
        reading = kept(obligation)
        return {
            "id": obligation.id,
            "rule": obligation.rule,
            "direction": "owed_by_me" if obligation.debtor == ME else "owed_to_me",
            "counterpart": obligation.counterpart,
            "due": obligation.due.isoformat(),
            "status": obligation.status,
            "grade": obligation.grade,
            "done_on": obligation.done_on.isoformat() if obligation.done_on else None,
            "snoozed_until": obligation.snoozed_until.isoformat() if obligation.snoozed_until else None,
            "kept": reading,
            "days_after_due": (end - obligation.due).days,
            "on_time_until": (obligation.due + dt.timedelta(days=WINDOWS[obligation.rule].on_time)).isoformat(),
            "about": self.about(obligation),
            "trigger": obligation.trigger,
            "kept_by": None,
        }

    def about(self, obligation: Obligation) -> dict:
        """What the obligation is for: the meeting a thank is for (date, place), the referral a report is about,
        the job an announcement is for, the last touch before a nurture, the year of greetings."""
        found = self.by_id.get(obligation.trigger)
        day = found[1].isoformat() if found else None
        data = to_builtins(found[2].data) if found else {}
        rule = obligation.rule
        if rule == "thank":
            return {"meeting": obligation.id.split(":")[1], "date": day, "place": data.get("place"),
                    "kind": data.get("kind", "meeting"), "host": data.get("host", "them")}
        if rule == "report":
            referral = self.referral(obligation.id.split(":", 1)[1]) or {}
            outcome = data.get("outcome", "meeting_obtained")
            return {**referral, "outcome": outcome, "known_on": obligation.due.isoformat(),
                    "learnt_from": found[2].id if found else None}
        if rule == "announce":
            return {"job_found": day, "employer": data.get("employer"), "job": data.get("job")}
        if rule == "nurture":
            return {"last_touch": day}
        if rule == "greetings":
            return {"year": int(obligation.id.split(":")[1])}
        return {}


def _entry(reader: _Reader, day: dt.date, event: t.Event) -> dict:
    built = to_builtins(event)
    referral_id = built["data"].get("referral") if built["type"] in REFERRAL_NEWS else None
    referral = reader.referral(referral_id) if referral_id is not None else None
    found = {"date": day.isoformat(), "event": event.id, "type": built["type"], "data": built["data"],
             "referral": referral, "obligations": [], "kept": [],
             "unseen_thanks": _unseen_thanks(day, event, referral)}
    if type(event) is t.IdeaShared:
        found["idea_title"] = reader.idea_title(event.data.idea)
    return found


def _unseen_thanks(day: dt.date, event: t.Event, referral: dict | None) -> list[dict]:
    """The thank-you I cannot see: a name I gave led to a meeting (`referral_outcome` meeting_obtained of a
    `referral_made`), so by the thank rule the person I helped owed the person they met a thank-you the day
    after. Nothing in my log can say whether it was sent: the story says so, it creates no obligation."""
    if (type(event) is not t.ReferralOutcome or event.data.outcome != "meeting_obtained" or referral is None
            or referral["way"] != "made"):
        return []
    return [{"referral": referral["referral"], "seeker": referral["to"], "referred": referral["referred"],
             "known_on": day.isoformat(), "event": event.id}]


_pos = itemgetter(0)

REFERRAL_NEWS = ("referral_outcome", "introducer_informed", "update_received")
"""Events about a referral by its id only: the story names its parties."""


def _links(entries: list[dict], stories: list[dict]) -> None:
    """Hang each obligation on the event that created it, and mark the event that kept it (the first of a type
    that can keep it, on the day it was done, naming the same meeting or referral when the event names one)."""
    by_event = {entry["event"]: entry for entry in entries}
    used: set[tuple[str, str]] = set()
    for story in stories:
        home = by_event.get(story["trigger"])
        if home is not None:
            home["obligations"].append(story)
        if story["done_on"] is None:
            continue
        types = FULFILLED_BY.get((story["rule"], story["direction"]), ())
        for entry in entries:
            if (entry["date"] != story["done_on"] or entry["type"] not in types
                    or (entry["event"], story["rule"]) in used or not _names_same(entry, story)):
                continue
            used.add((entry["event"], story["rule"]))
            entry["kept"].append(story["id"])
            story["kept_by"] = entry["event"]
            break


def _names_same(entry: dict, story: dict) -> bool:
    data = entry["data"]
    if story["rule"] == "report":
        return data.get("referral") == story["about"].get("referral")
    if story["rule"] == "thank" and data.get("meeting") is not None:
        return data["meeting"] == story["about"]["meeting"]
    return True


def _timelines(projection: Projection, wanted: set[str] | None) -> dict[str, list[Occurrence]]:
    """Each contact's events (those naming them, as their history lists them), one pass over the log."""
    facts = projection.facts
    own = {}
    for obligation in projection.obligations:
        own.setdefault(obligation.id, obligation.counterpart)
    found: dict[str, list[Occurrence]] = {}
    for occurrence in facts.occurrences:
        event = occurrence[2]
        named = mentions(event, facts)
        if type(event) in (t.ObligationSnoozed, t.ObligationDismissed):
            counterpart = own.get(event.data.obligation)
            named = {counterpart} if counterpart in named else set()
        for contact in named:
            if contact in facts.contacts and (wanted is None or contact in wanted):
                found.setdefault(contact, []).append(occurrence)
    return found


def _story(reader: _Reader, contact: str, events: list[Occurrence]) -> dict:
    projection = reader.projection
    obligations = [reader.obligation(o) for o in reader.owed.get(contact, ())]
    ids = {occurrence[2].id for occurrence in events}
    extra = [reader.by_id[o["trigger"]] for o in obligations
             if o["trigger"] not in ids and o["trigger"] in reader.by_id]
    # an obligation created by an event that does not name the contact (the meeting with the person they
    # introduced me to, the job found) brings that event into the timeline: it is where the obligation starts
    ordered = sorted({occurrence[0]: occurrence for occurrence in [*events, *extra]}.values(), key=_pos)
    entries = [_entry(reader, day, event) for _, day, event in ordered]
    _links(entries, obligations)
    contact_record = projection.facts.contacts[contact]
    named = {contact}
    for entry in entries:
        data = entry["data"]
        if entry["type"] == "meeting_logged":  # the others met with them are named; greetings' recipients are not
            named.update(data["contacts"])
        for key in ("introducer", "referred", "to", "contact"):
            if data.get(key) is not None:
                named.add(data[key])
        for key in ("introducer", "referred", "to"):
            if entry["referral"] is not None and key in entry["referral"]:
                named.add(entry["referral"][key])
    for obligation in obligations:
        for key in ("introducer", "referred", "to"):
            if obligation["about"].get(key) is not None:
                named.add(obligation["about"][key])
    brief = _brief(reader, contact, obligations, entries)
    for item in brief["introduced"]:
        named.add(item["counterpart"])
    return {
        "contact": contact,
        "name": contact_record.name,
        "archived": contact_record.archived[1].isoformat() if contact_record.archived else None,
        "as_of": projection.as_of.isoformat(),
        "timezone": projection.timezone,
        "names": [{"contact": c, "name": reader.name(c)} for c in sorted(named)],
        "entries": entries,
        "obligations": obligations,
        "counts": counts(obligations),
        "months": months(obligations),
        "brief": brief,
    }


def _brief(reader: _Reader, contact: str, obligations: list[dict], entries: list[dict]) -> dict:
    """Before you meet again: what is still open between you, both ways; what I still owe the people this
    contact introduced me to (the two people met, never thanked); and the people this contact met through me,
    whose thank-you I cannot see."""
    introduced = sorted(
        (pair for referred in reader.introduced.get(contact, ()) for pair in reader.thanks_owed.get(referred, ())),
        key=_pos,
    )  # in the projection's order
    owed_to_me = [o["id"] for o in obligations if o["direction"] == "owed_to_me" and o["kept"] in OPEN]
    # the people they met through me, whose thank-you I cannot see: raised while they still owe me the news of
    # that meeting (once told, or once I let it go, the question is no longer mine to raise)
    open_reports = {i.split(":", 1)[1] for i in owed_to_me if i.startswith("report:")}
    unseen, seen = [], set()
    for entry in entries:
        for note in entry["unseen_thanks"]:
            if note["seeker"] == contact and note["referral"] in open_reports and note["referral"] not in seen:
                seen.add(note["referral"])
                unseen.append(note)
    return {
        "owed_by_me": [o["id"] for o in obligations if o["direction"] == "owed_by_me" and o["kept"] in OPEN],
        "owed_to_me": owed_to_me,
        "introduced": [reader.obligation(o) for _, o in introduced],
        "unseen_thanks": unseen,
    }


def contact_story(projection: Projection, contact: str) -> dict | None:
    """One relationship's story (see the module's docstring); None if the log never names that contact."""
    if contact not in projection.facts.contacts:
        return None
    reader = _Reader(projection)
    events = _timelines(projection, {contact}).get(contact, [])
    return _story(reader, contact, events)


def network_story(projection: Projection) -> dict:
    """Every relationship's story, people in order of name (then id), with the whole network's counts and
    monthly rates: what `merci replay --story` prints and the coach page shows."""
    reader = _Reader(projection)
    timelines = _timelines(projection, None)
    people = sorted(projection.facts.contacts, key=lambda c: (reader.name(c), c))
    stories = [_story(reader, contact, timelines.get(contact, [])) for contact in people]
    every = [o for story in stories for o in story["obligations"]]  # each obligation once; counts ignore order
    return {
        "as_of": projection.as_of.isoformat(),
        "timezone": projection.timezone,
        "counts": counts(every),
        "months": months(every),
        "people": stories,
    }


def changes(earlier: Projection, later: Projection) -> dict:
    """What changed between two replays of one log (an earlier and a later as_of), per side: obligations kept
    since, those that became overdue (or missed), those that appeared, those dismissed."""
    before = {o.id: o for o in earlier.obligations}
    found = {side: {"kept": [], "became_overdue": [], "new": [], "dismissed": []} for side in SIDES}
    for obligation in later.obligations:
        side = found["owed_by_me" if obligation.debtor == ME else "owed_to_me"]
        old = before.get(obligation.id)
        if old is None:
            side["new"].append(obligation.id)
        if obligation.status == "done" and (old is None or old.status != "done"):
            side["kept"].append(obligation.id)
        elif obligation.status in ("overdue", "missed") and (old is None or old.status not in ("overdue", "missed")):
            side["became_overdue"].append(obligation.id)
        elif obligation.status == "dismissed" and (old is None or old.status != "dismissed"):
            side["dismissed"].append(obligation.id)
    return {"since": earlier.as_of.isoformat(), "as_of": later.as_of.isoformat(), **found}


# --- the story in plain English, for the terminal ---------------------------------------------------------

def _months_ago(days: int) -> str:
    """ "6 months" for 191 days: whole months of 30 days, whole weeks under two months."""
    if days >= 60:
        return f" — {days // 30} months"
    if days >= 14:
        return f" — {days // 7} weeks"
    return ""


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def obligation_phrase(o: dict, names: dict[str, str]) -> str:
    """What the obligation asks, in words: "thank Hervé for the meeting of 2026-05-12 at Son bureau"."""
    who = names.get(o["counterpart"], o["counterpart"])
    about = o["about"]
    mine = o["direction"] == "owed_by_me"
    rule = o["rule"]
    if rule == "thank":
        meeting = f"the meeting of {about['date']}" + (f" at {about['place']}" if about.get("place") else "")
        return f"thank {who} for {meeting}" if mine else f"{who} to thank me for {meeting}"
    if rule == "report":
        referred = names.get(about.get("referred"), about.get("referred") or "?")
        outcome = {"meeting_obtained": "met", "declined": "declined", "no_answer": "no answer"}.get(
            about.get("outcome"), "met")
        news = f"how it went with {referred} ({outcome}, known {about['known_on']})"
        return f"tell {who} {news}" if mine else f"{who} to tell me {news}"
    if rule == "announce":
        return f"tell and thank {who} for the new job (found {about['job_found']})"
    if rule == "nurture":
        return f"keep in touch with {who} (last touch {about['last_touch']})"
    if rule == "greetings":
        return f"send {who} season's greetings for {about['year']}"
    return f"{rule} {who}"


def unseen_thanks_phrase(note: dict, names: dict[str, str]) -> str:
    """The thank-you I cannot see: "Paul met Anne through me (known 2026-06-10): did Paul thank Anne? Nothing
    tells me so"."""
    seeker, referred = names.get(note["seeker"], note["seeker"]), names.get(note["referred"], note["referred"])
    return (f"{seeker} met {referred} through me (known {note['known_on']}): did {seeker} thank {referred}? "
            "Nothing tells me so")


def reading_phrase(o: dict) -> str:
    """How it was kept: "still owed since 2026-05-13 (191 days — about 6 months)", "done 2 days late"."""
    reading, days = o["kept"], o["days_after_due"]
    if reading == "early":
        return f"done early, on {o['done_on']} ({_days(-days)} before it was due)"
    if reading == "on_time":
        return f"done on time, on {o['done_on']}"
    if reading in ("late", "very_late"):
        very = "very " if reading == "very_late" else ""
        return f"done {very}late, on {o['done_on']} ({_days(days)} after it was due)"
    if reading == "still_owed":
        return f"STILL OWED since {o['due']} ({_days(days)}{_months_ago(days)})"
    if reading == "due":
        return f"due now (on time until {o['on_time_until']})"
    if reading == "upcoming":
        return f"upcoming, due {o['due']}"
    if reading == "snoozed":
        return f"snoozed until {o['snoozed_until']} (due {o['due']})"
    if reading == "missed":
        return f"missed (due {o['due']})"
    return f"dismissed (was due {o['due']})"


def _event_phrase(entry: dict, contact: str, names: dict[str, str]) -> str:
    data, kind = entry["data"], entry["type"]
    name = lambda c: names.get(c, c)  # noqa: E731
    if kind == "meeting_logged":
        others = [name(c) for c in data.get("contacts", []) if c != contact]
        with_ = name(contact) if contact in data.get("contacts", []) else ", ".join(others)
        if contact in data.get("contacts", []) and others:
            with_ += " (with " + ", ".join(others) + ")"
        what = data.get("kind", "meeting")
        how = "they received me" if data.get("host", "them") == "them" else "I received them"
        place = f" at {data['place']}" if data.get("place") else ""
        return f"{what} with {with_}{place} ({how})"
    if kind == "referral_given":
        return f"{name(data['introducer'])} gave me the name of {name(data['referred'])}"
    if kind == "referral_made":
        return f"I gave {name(data['to'])} the name of {name(data['referred'])}"
    referral = entry["referral"] or {}
    seeker = name(referral.get("to", ME)) if referral.get("way") == "made" else "I"
    referred = name(referral.get("referred", "?"))
    if kind == "referral_outcome":
        if not referral:
            return f"outcome of referral {data['referral']}: {data['outcome']}"
        said = {"meeting_obtained": f"{seeker} obtained a meeting with {referred}",
                "declined": f"{referred} declined to meet {'me' if seeker == 'I' else seeker}",
                "no_answer": f"{seeker} had no answer from {referred}"}[data["outcome"]]
        return said if seeker == "I" else f"I learnt that {said}"
    if kind == "thanks_sent":
        return f"I thanked {name(data['contact'])}" + (f" ({data['channel']})" if data.get("channel") else "")
    if kind == "thanks_received":
        return f"{name(data['contact'])} thanked me"
    if kind == "introducer_informed":
        return f"I told {name(referral.get('introducer', '?'))} how it went with {referred}"
    if kind == "update_received":
        return f"{seeker} told me how it went with {referred}"
    if kind == "job_found":
        return "I found a job" + (f" at {data['employer']}" if data.get("employer") else "")
    if kind == "job_announced":
        return f"I told {name(data['contact'])} about my new job"
    if kind == "idea_shared":
        if entry.get("idea_title"):
            return f"I shared ‘{entry['idea_title']}’ with {name(data['contact'])}"
        return f"I shared an idea with {name(data['contact'])}" + (f": {data['idea']}" if data.get("idea") else "")
    if kind == "greetings_sent":
        return "season's greetings sent"
    if kind == "contact_added":
        return f"added {name(data['contact'])} to my contacts"
    if kind == "contact_updated":
        return f"updated {name(data['contact'])}'s card"
    if kind == "contact_archived":
        return f"archived {name(data['contact'])}"
    if kind == "obligation_snoozed":
        return f"snoozed {data['obligation']} until {data['until']}"
    if kind == "obligation_dismissed":
        return f"dismissed {data['obligation']}"
    return kind.replace("_", " ")


def count_phrase(tally: dict[str, int]) -> str:
    """ "4 of 7 on time, 2 late, 1 still owed" (the readings that occur, in KEPT order)."""
    parts = [f"{tally['on_time']} of {tally['total']} on time"]
    for reading in KEPT:
        if reading != "on_time" and tally[reading]:
            parts.append(f"{tally[reading]} {reading.replace('_', ' ')}")
    return ", ".join(parts)


def story_text(story: dict) -> list[str]:
    """One relationship's story in plain English: the brief first, then the timeline, then the counts."""
    names, contact = {n["contact"]: n["name"] for n in story["names"]}, story["contact"]
    who = story["name"]
    by_id = {o["id"]: o for o in story["obligations"]}
    lines = [f"The story with {who} [{contact}], as of {story['as_of']} ({story['timezone']})"
             + (f", archived on {story['archived']}" if story["archived"] else "")]
    brief = story["brief"]
    lines.append("")
    if brief["owed_by_me"] or brief["owed_to_me"] or brief["introduced"] or brief["unseen_thanks"]:
        lines.append(f"Before you meet {who} again:")
        if brief["owed_by_me"]:
            lines.append(f"  Make good first ({len(brief['owed_by_me'])} still open from me):")
            lines.extend(f"    - {obligation_phrase(by_id[i], names)}: {reading_phrase(by_id[i])}"
                         for i in brief["owed_by_me"])
        if brief["introduced"]:
            lines.append(f"  And the people {who} introduced you to:")
            lines.extend(f"    - {obligation_phrase(o, names)}: {reading_phrase(o)}" for o in brief["introduced"])
        if brief["owed_to_me"] or brief["unseen_thanks"]:
            lines.append(f"  To raise, kindly ({len(brief['owed_to_me'])} still open from {who}):")
            lines.extend(f"    - {obligation_phrase(by_id[i], names)}: {reading_phrase(by_id[i])}"
                         for i in brief["owed_to_me"])
            lines.extend(f"    - {unseen_thanks_phrase(note, names)}" for note in brief["unseen_thanks"])
    else:
        lines.append(f"Before you meet {who} again: nothing is open between you, either way.")
    lines.append("")
    lines.append("Timeline")
    for entry in story["entries"]:
        lines.append(f"  {entry['date']}  {_event_phrase(entry, contact, names)}")
        for o in entry["obligations"]:
            lines.append(f"      → {obligation_phrase(o, names)}: {reading_phrase(o)}")
        for kept_id in entry["kept"]:
            lines.append(f"      ✓ kept: {obligation_phrase(by_id[kept_id], names)}")
        for note in entry["unseen_thanks"]:
            lines.append(f"      ? {unseen_thanks_phrase(note, names)}")
    orphans = [o for o in story["obligations"] if all(o not in e["obligations"] for e in story["entries"])]
    for o in orphans:
        lines.append(f"  {o['due']}  → {obligation_phrase(o, names)}: {reading_phrase(o)}")
    lines.append("")
    lines.extend(_count_lines(story["counts"], (f"What I owe {who}", f"What {who} owes me")))
    return lines


def _count_lines(tallies: dict, labels: tuple[str, str]) -> list[str]:
    lines = []
    for side, label in zip(SIDES, labels):
        tally = tallies[side]
        if not tally["total"]:
            lines.append(f"{label}: nothing yet")
            continue
        lines.append(f"{label}: {count_phrase(tally)}")
        for rule, sides in tallies["by_rule"].items():
            if sides[side]["total"]:
                lines.append(f"  {rule:<9} {count_phrase(sides[side])}")
    return lines


def network_text(network: dict) -> list[str]:
    """The whole network's story: the counts, then each person's story."""
    lines = [f"Merci: the story of every relationship, as of {network['as_of']} ({network['timezone']})", ""]
    lines.extend(_count_lines(network["counts"], ("What I owe others", "What others owe me")))
    for story in network["people"]:
        if not story["entries"] and not story["obligations"]:
            continue
        lines.append("")
        lines.append("=" * 72)
        lines.extend(story_text(story))
    return lines


__all__ = ["contact_story", "network_story", "changes", "story_text", "network_text", "kept", "counts", "months"]
