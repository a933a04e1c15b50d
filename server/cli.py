"""`merci`, the command at the edge: the domain's commands (replay a log to any date, the audit; one
relationship's history) and the server (`serve`). The domain (`events/`) knows nothing of it.

Bad input ends with one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from events.codec import LogError, read_log
from events.facts import order
from events.prepass import resolve
from events.project import Projection, contact_history, log_time_zone, project, replay_document
from events.story import contact_story, network_story, network_text, story_text
from events.types import is_time_zone

EXIT_USAGE = 2
EXIT_BAD_LOG = 3

STATUS_ORDER = ("overdue", "due", "upcoming", "snoozed", "done", "missed", "dismissed")


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a short-lived process builds one large acyclic structure (a
    replay allocates millions of objects, and each collection would walk them all again: half the decoding
    time). Process-wide, so for the CLI and benchmarks, never for the server's threads."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def main(argv: list[str] | None = None, now: Callable[[], dt.datetime] = _now) -> int:
    """Run `merci` with `argv`; `now` is the clock that dates "today" when --as-of is not given."""
    parser = _parser()
    args = parser.parse_args(argv)
    args.now = now
    try:
        if args.command == "serve":
            return args.run(args)
        with gc_paused():  # a short-lived process building one large acyclic structure
            return args.run(args)
    except CliError as exc:
        print(f"merci: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="merci", description="Merci: networking follow-up, from an event log.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    replay = commands.add_parser("replay", help="what was owed, both ways, on a date (the audit)")
    replay.add_argument("log", help="an NDJSON event log (- for standard input)")
    _dates(replay)
    replay.add_argument("--format", choices=("table", "text"), default="table",
                        help="table: what was owed, by status (the default); text: every relationship's story")
    output = replay.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the replay document as JSON")
    output.add_argument("--story", action="store_true", help="print every relationship's story as JSON")
    replay.set_defaults(run=_replay)

    history = commands.add_parser("history", help="one relationship's timeline, both ways")
    history.add_argument("log", help="an NDJSON event log (- for standard input)")
    history.add_argument("contact", metavar="NAME-OR-ID",
                         help="the contact's id, or their name: any words starting words of the name or organisation, "
                              "accents and case aside (as the app's search)")
    _dates(history)
    output = history.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the history as JSON")
    output.add_argument("--story", action="store_true", help="print the relationship's story as JSON")
    history.set_defaults(run=_history)

    serve = commands.add_parser("serve", help="run the sync server")
    serve.add_argument("--host", default=None, help="address to listen on (MERCI_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (MERCI_PORT, default 8000)")
    serve.add_argument("--data", default=None, help="data folder: database and keys (MERCI_DATA, default ./data)")
    serve.add_argument("--database-url", default=None, metavar="URL",
                       help="postgresql://user:password@host:port/database to share with other instances, instead "
                            "of SQLite in the data folder (MERCI_DATABASE_URL)")
    serve.set_defaults(run=_serve)
    return parser


def _dates(command: argparse.ArgumentParser) -> None:
    command.add_argument("--as-of", metavar="YYYY-MM-DD", help="replay up to the end of this local date (default today)")
    command.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the log's setting, else UTC)")


def _load(args: argparse.Namespace) -> Projection:
    if args.tz is not None and not is_time_zone(args.tz):
        raise CliError(f"--tz: unknown time zone {args.tz!r} (expected an IANA name such as Europe/Paris)")
    as_of = None
    if args.as_of is not None:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.as_of):
                raise ValueError
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise CliError(f"--as-of: {args.as_of!r} is not a date (expected YYYY-MM-DD)") from None
    content = _read(args.log)
    try:
        events = read_log(content)
    except LogError as exc:
        raise CliError(f"{args.log}: {exc}", EXIT_BAD_LOG) from None
    if as_of is None:
        zone = args.tz or log_time_zone(resolve(order(events)).events) or "UTC"
        as_of = args.now().astimezone(ZoneInfo(zone)).date()
    return project(events, as_of, args.tz)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a folder, not a log file") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror})") from None


def _replay(args: argparse.Namespace) -> int:
    projection = _load(args)
    if args.story:
        _print_json(network_story(projection))
        return 0
    if args.format == "text":
        print("\n".join(network_text(network_story(projection))))
        return 0
    document = replay_document(projection)
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(document) + b"\n")  # compact: pipe to jq to read
        return 0
    document = msgspec.to_builtins(document)
    names = {c: contact.name for c, contact in projection.facts.contacts.items()}
    print(f"Merci replay as of {document['as_of']} ({document['timezone']})")
    for status in STATUS_ORDER:
        rows = [o for o in document["obligations"] if o["status"] == status]
        if not rows:
            continue
        print(f"\n{status.upper()} ({len(rows)})")
        for o in rows:
            who = (f"me → {names.get(o['creditor'], o['creditor'])}" if o["debtor"] == "me"
                   else f"{names.get(o['debtor'], o['debtor'])} → me")
            extra = f"  {o['grade']} on {o['done_on']}" if o["done_on"] else ""
            if o["snoozed_until"]:
                extra = f"  until {o['snoozed_until']}"
            print(f"  {o['due']}  {o['rule']:<9} {who:<32}{extra}  [{o['id']}]")
    print("\nScores (on time / counted)     owed by me   owed to me")
    for contact, sides in document["scores"].items():
        if sides["owed_by_me"] is None and sides["owed_to_me"] is None:
            continue
        print(f"  {names.get(contact, contact):<28} {_pct(sides['owed_by_me']):>10}   {_pct(sides['owed_to_me']):>10}")
    overall = document["overall"]
    print(f"  {'overall':<28} {_pct(overall['owed_by_me']):>10}   {_pct(overall['owed_to_me']):>10}")
    return 0


def _fold(text: str) -> str:
    """Text as a search compares it: lower case, no accents, spaces collapsed (pwa/lib/people.js `fold`)."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return " ".join(bare.lower().split())


_WORD_BREAK = re.compile(r"[\s\-'’.,]+")


def _matches(name: str, org: str, wanted: str) -> bool:
    """As the app's search (pwa/lib/people.js `matches`): the whole query in the folded name, or every word typed
    starting a word of the name or the organisation."""
    if wanted in _fold(name):
        return True
    own = [w for w in _WORD_BREAK.split(_fold(f"{name} {org}")) if w]
    return all(any(w.startswith(word) for w in own) for word in _WORD_BREAK.split(wanted) if word)


def _find_contact(projection: Projection, wanted: str, log: str) -> str:
    """The id of the contact `wanted` names: an id as it is, else a name as the app finds it (one whose whole name
    it is wins over those it only starts). None or several: a CliError saying what was searched, or who matched."""
    contacts = projection.facts.contacts
    if wanted in contacts or wanted in projection.facts.merged:  # a merged-away id reads as the one it joined
        return wanted
    folded = _fold(wanted)
    if not folded:
        raise CliError("no contact named: give a contact's id or name")
    found = [c for c in contacts.values() if _matches(c.name, c.fields.get("org") or "", folded)]
    exact = [c for c in found if _fold(c.name) == folded]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0].id
    if not found:
        raise CliError(f"no contact has the id or a name matching {wanted!r} in {log} up to {projection.as_of}")
    listed = "\n".join(f"  {c.name} [{c.id}]" for c in sorted(found, key=lambda c: (_fold(c.name), c.id)))
    raise CliError(f"{wanted!r} matches {len(found)} contacts; give one's id (or more of the name):\n{listed}")


def _history(args: argparse.Namespace) -> int:
    projection = _load(args)
    contact = _find_contact(projection, args.contact, args.log)
    history = contact_history(projection, contact)
    if history is None:
        raise CliError(f"contact {args.contact!r} does not appear in {args.log} up to {projection.as_of}")
    if args.story:
        _print_json(contact_story(projection, contact))
        return 0
    if args.json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(history), indent=1) + b"\n")
        return 0
    history = msgspec.to_builtins(history)
    print(f"{history['name']} [{history['contact']}]" + (" (archived)" if history["archived"] else ""))
    print(f"as of {projection.as_of} ({projection.timezone}); "
          f"owed by me {_pct(history['scores']['owed_by_me'])}, owed to me {_pct(history['scores']['owed_to_me'])}")
    print("\nTimeline")
    for event in history["events"]:
        data = event["data"]
        detail = ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("contact",) and v not in (None, []))
        print(f"  {event['date']}  {event['type']:<20} {detail}")
    print("\nObligations")
    for o in history["obligations"]:
        direction = "I owe" if o["debtor"] == "me" else "they owe"
        done = f" — {o['grade']} on {o['done_on']}" if o["done_on"] else ""
        print(f"  {o['due']}  {o['rule']:<9} {direction:<8} {o['status']}{done}")
    if history["changes"]:  # the record changed: say what and when
        print("\nChanges")
        for change in history["changes"]:
            print(f"  {change['type']} {change['event']} {change['change']} on {change['date']} (by {change['by']})")
    print()
    print("\n".join(story_text(contact_story(projection, contact))))
    return 0


def _print_json(document: dict) -> None:
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(document), indent=1) + b"\n")


def _serve(args: argparse.Namespace) -> int:
    from .main import serve  # the server's imports (litestar, uvicorn) only when serving

    return serve(host=args.host, port=args.port, data=args.data, database_url=args.database_url)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
