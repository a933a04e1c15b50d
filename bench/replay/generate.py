"""A realistic synthetic Merci log: N events from a seed, always the same bytes for the same (N, seed).

    .venv/bin/python bench/replay/generate.py N OUT.ndjson [--seed 7]

One person networking over four years (2023-2026, Europe/Paris). Each contact is a small story: added,
met (mostly they receive me), thanked (mostly the day after), sometimes a referral given at the meeting
(the referred person becomes a story of their own, the outcome is logged and the introducer informed),
sometimes a referral I make, then follow-up touches (ideas, coffees) every few months, now and then an
update or an archive. Around the stories: greetings each December to most of the year's contacts, a
job found now and then with announcements to the people who helped, snoozes and dismissals, a few
settings changes. The number of contacts grows with N (about one per ten events), so per-contact lists
stay as long as a real person's would and only the number of relationships scales.

Lines are written in time order, except that about 2% arrive late (a phone that synced after a week
offline), as a real export would be.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

ZONE = ZoneInfo("Europe/Paris")
START = dt.datetime(2023, 1, 1, tzinfo=ZONE)
DAYS = 4 * 365
CHANNELS = ("email", "email", "email", "message", "call", "letter", "in_person")
KINDS = ("meeting", "meeting", "coffee", "coffee", "call", "video", "event")
FIRST = ("Hervé", "Anne", "Marc", "Paul", "Léa", "Zoé", "Sophie", "Karim", "Nadia", "Jean", "Inès", "Louis")
LAST = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon")
ORGS = ("BPI", "Cabinet Conseil", "Startup SAS", "Banque Populaire", "Mairie", "Université", None, None)


class Writer:
    """Collects events as (instant, seq, dict), then writes them in time order (with a few late ones)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rows: list[tuple[float, int, dict]] = []

    def add(self, when: dt.datetime, type_: str, **data) -> str:
        seq = len(self.rows)
        stamp = when.timestamp()
        event_id = _uuid7(stamp, self.rng)
        self.rows.append((stamp, seq, {"id": event_id, "type": type_, "v": 1, "at": when.isoformat(timespec="seconds"),
                                       "data": {k: v for k, v in data.items() if v is not None}}))
        return event_id

    def ordered(self, limit: int) -> list[dict]:
        rows = sorted(self.rows)[:limit]
        # about 2% synced late: they appear up to a week of events further down the file
        out = [r[2] for r in rows]
        for i in range(len(out)):
            if self.rng.random() < 0.02:
                j = min(len(out) - 1, i + self.rng.randint(1, 300))
                out[i], out[j] = out[j], out[i]
        return out


def _uuid7(stamp: float, rng: random.Random) -> str:
    """A UUIDv7-shaped id (time-ordered, as the PWA makes them), deterministic from the seed."""
    ms = int(stamp * 1000) & ((1 << 48) - 1)
    rand = rng.getrandbits(74)
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _day(offset_days: float, hour: int, minute: int = 0) -> dt.datetime:
    day = START + dt.timedelta(days=int(offset_days))
    return day.replace(hour=hour, minute=minute)


class Story:
    """Everything about one contact, written as a few events spread over months or years."""

    def __init__(self, gen: "Generator", contact: str, first_day: float, introduced_by: str | None = None,
                 referral: str | None = None):
        self.gen, self.contact, self.first_day = gen, contact, first_day
        self.introduced_by, self.referral = introduced_by, referral

    def write(self) -> None:
        g, rng, w, c = self.gen, self.gen.rng, self.gen.w, self.contact
        day = self.first_day
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        cadence = rng.choice((None,) * 8 + (30, 60, 180, 0))
        w.add(_day(day - rng.randint(0, 5), rng.randint(8, 21), rng.randint(0, 59)), "contact_added",
              contact=c, name=name, org=rng.choice(ORGS), email=f"{c}@example.org", cadence_days=cadence)
        meetings = 1 + (rng.random() < 0.5) + (rng.random() < 0.25) + (rng.random() < 0.1)
        for n in range(meetings):
            if day >= DAYS:
                return
            meeting = f"m-{c}-{n}"
            host = "them" if rng.random() < 0.8 else "me"
            others = [g.some_contact()] if rng.random() < 0.1 else []
            when = _day(day, rng.randint(8, 18), rng.choice((0, 15, 30, 45)))
            w.add(when, "meeting_logged", meeting=meeting, contacts=[c, *others], host=host,
                  kind=rng.choice(KINDS), place=rng.choice(("Café de la Paix", "son bureau", None)))
            g.helped_on(c, day)
            if self.referral and n == 0 and rng.random() < 0.6:
                # the introducer's referral worked: log the outcome and tell them
                w.add(when + dt.timedelta(hours=2), "referral_outcome", referral=self.referral,
                      outcome="meeting_obtained", meeting=meeting)
                if rng.random() < 0.7:
                    w.add(_day(day + rng.choice((0, 1, 2, 3, 7, 12, 25)), rng.randint(8, 21)), "introducer_informed",
                          referral=self.referral, channel=rng.choice(CHANNELS), note="rdv obtenu, merci")
            self._thank(meeting, host, day)
            if host == "them" and rng.random() < 0.3:
                for _ in range(rng.choice((1, 1, 2))):
                    g.refer(c, day)
            if host == "me" and rng.random() < 0.25:
                g.refer_out(c, day)
            day += rng.choice((20, 45, 90, 120, 200, 400))
            self._touch_until(day)
        if rng.random() < 0.1 and day < DAYS:
            w.add(_day(day, 19), "contact_updated", contact=c, title=rng.choice(("CTO", "DRH", None)),
                  org=None if rng.random() < 0.3 else rng.choice(ORGS))
        if rng.random() < 0.05 and day < DAYS:
            w.add(_day(day + 30, 20), "contact_archived", contact=c)

    def _thank(self, meeting: str, host: str, day: float) -> None:
        rng, w, c = self.gen.rng, self.gen.w, self.contact
        after = rng.choices((0, 1, 2, 4, 9, None), weights=(8, 60, 10, 6, 4, 12))[0]
        if after is None:
            if rng.random() < 0.3:  # owed and left: sometimes snoozed, sometimes dismissed
                oid = f"thank:{meeting}:{c}"
                if rng.random() < 0.5:
                    w.add(_day(day + 2, 20), "obligation_snoozed", obligation=oid,
                          until=(START + dt.timedelta(days=int(day) + 7)).date().isoformat())
                else:
                    w.add(_day(day + 3, 20), "obligation_dismissed", obligation=oid, reason="plus d'actualité")
            return
        kind = "thanks_sent" if host == "them" else "thanks_received"
        data = {"contact": c, "channel": rng.choice(CHANNELS)} if kind == "thanks_sent" else {"contact": c}
        if rng.random() < 0.7:
            data["meeting"] = meeting
        w.add(_day(day + after, rng.randint(8, 22), rng.randint(0, 59)), kind, **data)

    def _touch_until(self, until: float) -> None:
        rng, w, c = self.gen.rng, self.gen.w, self.contact
        if rng.random() < 0.5:
            day = until - rng.randint(1, 30)
            if 0 <= day < DAYS:
                w.add(_day(day, rng.randint(8, 22)), "idea_shared", contact=c, idea="un article qui pourrait te plaire",
                      link=f"https://example.org/{rng.getrandbits(24):x}")


class Generator:
    def __init__(self, n: int, seed: int):
        self.n, self.rng = n, random.Random(seed)
        self.w = Writer(self.rng)
        self.contacts: list[str] = []
        self.met_by_year: dict[int, set[str]] = {}
        self.helpers: list[tuple[float, str]] = []
        self.referrals = 0
        self.pending: list[Story] = []

    def some_contact(self) -> str:
        return self.rng.choice(self.contacts) if self.contacts else self.new_contact_id()

    def new_contact_id(self) -> str:
        contact = f"c{len(self.contacts):06d}"
        self.contacts.append(contact)
        return contact

    def helped_on(self, contact: str, day: float) -> None:
        self.met_by_year.setdefault(2023 + int(day) // 365, set()).add(contact)
        self.helpers.append((day, contact))

    def refer(self, introducer: str, day: float) -> None:
        """The introducer gives me a name: a new story starts a few weeks later, if time allows."""
        self.referrals += 1
        referral, referred = f"r{self.referrals:06d}", self.new_contact_id()
        self.w.add(_day(day, 19, 30), "referral_given", referral=referral, introducer=introducer, referred=referred)
        self.helpers.append((day, introducer))
        start = day + self.rng.randint(5, 40)
        if start < DAYS:
            self.pending.append(Story(self, referred, start, introducer, referral))
        elif self.rng.random() < 0.5:
            self.w.add(_day(day + 20, 19), "referral_outcome", referral=referral, outcome="no_answer")

    def refer_out(self, to: str, day: float) -> None:
        """I give someone a name; sometimes I learn what came of it, sometimes they tell me."""
        self.referrals += 1
        referral = f"r{self.referrals:06d}"
        self.w.add(_day(day, 20), "referral_made", referral=referral, to=to, referred=self.some_contact())
        if self.rng.random() < 0.5:
            outcome_day = day + self.rng.randint(7, 40)
            self.w.add(_day(outcome_day, 12), "referral_outcome", referral=referral,
                       outcome=self.rng.choice(("meeting_obtained", "declined", "no_answer")))
            if self.rng.random() < 0.4:
                self.w.add(_day(outcome_day + self.rng.randint(0, 25), 18), "update_received", referral=referral,
                           channel=self.rng.choice(CHANNELS))

    def run(self) -> list[dict]:
        rng, w = self.rng, self.w
        w.add(START.replace(hour=9), "settings_changed", timezone="Europe/Paris", language="fr", reminder_hour=9)
        # stories start through the four years; a stop margin leaves room for the extras written below
        budget = int(self.n * 0.88)
        while len(w.rows) < budget:
            if self.pending and rng.random() < 0.5:
                story = self.pending.pop(rng.randrange(len(self.pending)))
            else:
                story = Story(self, self.new_contact_id(), rng.uniform(0, DAYS - 1))
            story.write()
        self._seasons()
        self._jobs()
        self._settings()
        while len(w.rows) < self.n:  # top up with ideas shared, the commonest light touch
            day = rng.uniform(0, DAYS - 1)
            w.add(_day(day, rng.randint(8, 22)), "idea_shared", contact=self.some_contact(), idea="à lire")
        return w.ordered(self.n)

    def _seasons(self) -> None:
        """Each December, greetings to most contacts met that year or before, in batches (a mail merge)."""
        rng, w = self.rng, self.w
        known: set[str] = set()
        for year in range(2023, 2027):
            known |= self.met_by_year.get(year, set())
            targets = sorted(c for c in known if rng.random() < 0.7)
            for i in range(0, len(targets), 40):
                day = (dt.date(year, 12, 1) - START.date()).days + rng.choice((2, 10, 18, 22, 35, 45))
                if day < DAYS + 31:
                    w.add(_day(day, 18), "greetings_sent", contacts=targets[i:i + 40], channel="email",
                          note="Bonnes fêtes !")

    def _jobs(self) -> None:
        """A job found about every eight months (missions, contracts), announced to some of those who helped."""
        rng, w = self.rng, self.w
        helpers = sorted(self.helpers)
        previous = 0.0
        job_day = rng.uniform(150, 300)
        while job_day < DAYS:
            w.add(_day(job_day, 17), "job_found", job="mission", employer=rng.choice(ORGS))
            since = {c for d, c in helpers if previous < d <= job_day}
            for contact in sorted(since):
                if rng.random() < 0.35:
                    w.add(_day(job_day + rng.choice((0, 0, 1, 3, 8)), rng.randint(9, 21)), "job_announced",
                          contact=contact, channel=rng.choice(CHANNELS))
            previous, job_day = job_day, job_day + rng.uniform(200, 300)

    def _settings(self) -> None:
        for day, cadence in ((400, 60), (900, 90)):
            self.w.add(_day(day, 21), "settings_changed", cadence_days=cadence)


def generate(n: int, seed: int = 7) -> list[dict]:
    """N events as dicts, in file order."""
    return Generator(n, seed).run()


def write(n: int, path: Path, seed: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    encoder = msgspec.json.Encoder()
    with path.open("wb") as out:
        events = generate(n, seed)
        for start in range(0, len(events), 50_000):
            out.write(encoder.encode_lines(events[start:start + 50_000]))
    return path


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of events")
    parser.add_argument("out", type=Path, help="the NDJSON file to write")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    write(args.n, args.out, args.seed)
    print(f"{args.n} events -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
