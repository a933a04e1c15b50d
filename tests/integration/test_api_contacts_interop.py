"""Contacts in (vCard from Android, iPhone, Google, vCard 4.0; LinkedIn's Connections.csv), contacts out (vCard 4.0),
and the private calendar feed, through the real app on a real SQLite file (the feed on PostgreSQL too)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import ics
import icalendar
import pytest

from .api import PASSWORD, contact, event, meeting, running_app, sign_up, thanks

FIXTURES = Path(__file__).parents[1] / "fixtures" / "contacts"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def import_file(account, body: bytes, format: str = "vcard", dry_run: bool = False, expect: int = 200):
    params = {"format": format, **({"dry_run": "1"} if dry_run else {})}
    answer = await account.client.post("/api/contacts/import", params=params, content=body, headers=account.auth)
    assert answer.status_code == expect, answer.text
    return answer.json()


async def contacts_by_name(account) -> dict[str, dict]:
    answer = await account.get("/api/contacts")
    return {c["name"]: c for c in answer.json()["contacts"]}


def outcomes(result: dict) -> list[tuple[str | None, str, str]]:
    return [(c["name"], c["outcome"], c["reason"]) for c in result["contacts"]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Where the app keeps its log: the tests taking this fixture run on both stores."""
    return request.getfixturevalue("postgres_url") if request.param == "postgres" else ""


# --- contacts in -----------------------------------------------------------------------------------------------


async def test_an_android_export_is_previewed_then_imported_with_its_quoted_printable_names_and_notes(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        # Given an Android vCard 2.1 export: QUOTED-PRINTABLE with soft line breaks, CRLF, a photo, two emails,
        # a Greek name, and a card with only a number
        preview = await import_file(ana, fixture("android.vcf"), dry_run=True)
        assert outcomes(preview) == [
            ("Hervé Martin", "added", "new"), ("Zoé Lefèvre", "added", "new"),
            ("Γιώργος Παπαδόπουλος", "added", "new"), (None, "skipped", "no_name"),
        ]
        assert (preview["added"], preview["updated"], preview["skipped"], preview["stored"]) == (3, 0, 1, 0)
        assert preview["contacts"][3]["card"] == 4 and preview["contacts"][3]["line"] == 47
        # a dry run writes nothing
        assert await ana.log() == []

        done = await import_file(ana, fixture("android.vcf"))
        assert (done["added"], done["stored"], done["dry_run"]) == (3, 3, False)
        people = await contacts_by_name(ana)
        herve = people["Hervé Martin"]["fields"]
        assert herve["email"] == "herve.martin@example.org" and herve["org"] == "Société Générale"
        assert herve["phone"] == "+33 6 12 34 56 78" and "h.martin@acme.example" in herve["note"]
        # the comma of a vCard 2.1 note is text, not a separator (vobject's own decoding would cut the note there)
        assert people["Zoé Lefèvre"]["fields"]["note"].endswith("À relancer en janvier.")
        assert {e["type"] for e in await ana.log()} == {"contact_added"}


async def test_importing_the_same_file_twice_adds_nothing(tmp_path, database_url):
    async with running_app(tmp_path, database_url=database_url) as client:
        ana = await sign_up(client, "ana@example.org")
        first = await import_file(ana, fixture("iphone.vcf"))
        assert first["added"] == 2
        log = await ana.log()
        again = await import_file(ana, fixture("iphone.vcf"))
        assert (again["added"], again["updated"], again["stored"]) == (0, 0, 0)
        assert {c["reason"] for c in again["contacts"]} == {"matches_by_email"}
        assert await ana.log() == log


async def test_an_iphone_export_keeps_its_japanese_name_grouped_emails_and_folded_note(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        await import_file(ana, fixture("iphone.vcf"))  # with a byte order mark
        people = await contacts_by_name(ana)
        taro = people["山田 太郎"]["fields"]
        assert taro["email"] == "taro.yamada@example.jp" and taro["org"] == "株式会社サンプル, 営業部"
        note = people["Anne-Sophie Dupont"]["fields"]["note"]
        assert note.startswith("Présentée par Hervé lors du petit-déjeuner du club des DAF, à recontacter")
        assert "\nDeuxième ligne de la note." in note


async def test_google_contacts_duplicates_are_skipped_and_its_categories_become_tags(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        result = await import_file(ana, fixture("google.vcf"))
        assert outcomes(result) == [
            ("ليلى حداد", "added", "new"), ("Paul Durand", "added", "new"),
            ("Paul Durand", "skipped", "duplicate_in_file"),
        ]
        assert "card 2" in result["contacts"][2]["detail"]
        assert (await contacts_by_name(ana))["ليلى حداد"]["fields"]["tags"] == ["Fintech"]  # not Google's myContacts


async def test_a_vcard_4_file_is_imported(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        await import_file(ana, fixture("v4.vcf"))
        elodie = (await contacts_by_name(ana))["Élodie Marchand"]["fields"]
        assert elodie["phone"] == "+33-6-98-76-54-32" and elodie["title"] == "Head of Partnerships"


async def test_linkedin_connections_skip_the_notes_lines_and_match_by_accent_insensitive_name(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        # Given Claire already typed in Merci without her accents, and Hervé with his email
        await ana.sync([
            contact("e-claire", "c-claire", "claire NGUYEN"),
            event("e-herve", "contact_added", {"contact": "c-herve", "name": "H. Martin",
                                               "email": "Herve.Martin@example.org"}),
        ])
        result = await import_file(ana, fixture("Connections.csv"), format="linkedin_csv")
        assert outcomes(result) == [
            ("Hervé Martin", "updated", "matches_by_email"),
            ("Claire Nguyễn", "updated", "matches_by_name"),
            ("Κώστας Νικολάου", "added", "new"),
            (None, "skipped", "no_name"),
            ("Claire Nguyễn", "skipped", "duplicate_in_file"),
        ]
        assert [c["line"] for c in result["contacts"]] == [5, 6, 7, 8, 9]
        people = await contacts_by_name(ana)
        assert people["claire NGUYEN"]["fields"]["org"] == "Doctolib"  # her name as typed is kept
        assert people["H. Martin"]["fields"]["title"] == "CFO"
        assert people["Κώστας Νικολάου"]["fields"]["note"].startswith("LinkedIn: https://www.linkedin.com/in/kostasn")
        again = await import_file(ana, fixture("Connections.csv"), format="linkedin_csv")
        assert (again["added"], again["updated"], again["stored"]) == (0, 0, 0)


async def test_a_name_held_by_two_contacts_is_not_guessed(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        await ana.sync([contact("e1", "c1", "Paul Durand"), contact("e2", "c2", "Paul  DURAND")])
        card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Paul Durand\r\nORG:Acme\r\nEND:VCARD\r\n"
        result = await import_file(ana, card)
        assert outcomes(result) == [("Paul Durand", "skipped", "ambiguous_name")]


@pytest.mark.parametrize("body, format, message", [
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\n",
     "vcard", "card 2, line 5: BEGIN:VCARD is never closed by END:VCARD"),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nthis line has no colon\r\nEND:VCARD\r\n",
     "vcard", "card 1, line 4: "),
    (b"FN:Ann\r\n", "vcard", "line 1: a vCard file starts with BEGIN:VCARD"),
    (b"BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\nEMAIL:x@y.org\r\n", "vcard", "line 4: EMAIL outside a card"),
    (b"BEGIN:VCARD\r\nFN:Ren\xe9\r\nEND:VCARD\r\n", "vcard", "line 2: the file is not UTF-8 text"),
    (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "vcard", "line 1: a vCard file starts with BEGIN:VCARD"),
    (b"Notes:\r\nhello\r\n", "linkedin_csv", "no header row naming the columns First Name, Last Name"),
    (b"First Name,Last Name,URL\r\nAnn,Lee,https://x,extra,fields\r\n", "linkedin_csv", "line 2: 5 fields"),
    (b"First Name,Last Name\r\n\"Ann,Lee\r\n", "linkedin_csv", "line 2: unexpected end of data"),
])
async def test_a_bad_file_is_refused_whole_naming_its_line_or_card(tmp_path, body, format, message):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        answer = await import_file(ana, body, format=format, expect=400)
        assert message in answer["error"], answer
        assert await ana.log() == []


async def test_too_big_or_too_many_cards_is_a_413_and_an_unknown_format_a_400(tmp_path):
    async with running_app(tmp_path, max_contacts_import_bytes=1000, max_contacts_import_cards=2) as client:
        ana = await sign_up(client, "ana@example.org")
        big = await import_file(ana, b"BEGIN:VCARD\r\n" + b"NOTE:" + b"x" * 2000 + b"\r\nEND:VCARD\r\n", expect=413)
        assert "1000-byte limit" in big["error"]
        cards = b"".join(b"BEGIN:VCARD\r\nFN:P%d\r\nEND:VCARD\r\n" % i for i in range(3))
        many = await import_file(ana, cards, expect=413)
        assert "more than 2 cards" in many["error"]
        await import_file(ana, b"", expect=400)
        answer = await ana.client.post("/api/contacts/import", params={"format": "xls"}, content=b"x", headers=ana.auth)
        assert answer.status_code == 400 and "format" in answer.text
        assert await ana.log() == []


async def test_an_import_needs_a_token(tmp_path):
    async with running_app(tmp_path) as client:
        answer = await client.post("/api/contacts/import", params={"format": "vcard"}, content=fixture("v4.vcf"))
        assert answer.status_code == 401


# --- contacts out ----------------------------------------------------------------------------------------------


async def test_the_vcard_export_re_imports_as_nothing_new_here_and_as_everyone_elsewhere(tmp_path, database_url):
    async with running_app(tmp_path, database_url=database_url) as client:
        ana = await sign_up(client, "ana@example.org")
        await ana.sync([
            contact("e1", "c-herve", "Hervé Martin, Jr"),
            event("e2", "contact_added", {"contact": "c-zoe", "name": "Zoé; Lefèvre", "email": "zoe@example.fr",
                                          "org": "Qonto", "tags": ["fintech", "a,b"], "note": "line 1\nline 2"}),
        ])
        answer = await ana.get("/api/contacts.vcf")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/vcard")
        body = answer.content
        assert body.count(b"BEGIN:VCARD\r\nVERSION:4.0\r\n") == 2 and b"UID:c-zoe\r\n" in body
        log = await ana.log()
        again = await import_file(ana, body)
        assert (again["added"], again["updated"], again["stored"]) == (0, 0, 0)
        assert {c["reason"] for c in again["contacts"]} == {"matches_by_id"}
        assert await ana.log() == log
        # into another account: the same people, fields intact
        bob = await sign_up(client, "bob@example.org")
        assert (await import_file(bob, body))["added"] == 2
        zoe = (await contacts_by_name(bob))["Zoé; Lefèvre"]["fields"]
        assert (zoe["email"], zoe["org"], zoe["tags"], zoe["note"]) == (
            "zoe@example.fr", "Qonto", ["fintech", "a,b"], "line 1\nline 2")


# --- the calendar feed -----------------------------------------------------------------------------------------


MET_HERVE = [
    contact("e-herve", "c-herve", "Hervé Martin"),
    meeting("e-m1", ("c-herve",), "m1", at="2026-11-17T10:00:00+01:00"),
]
"""Met on the 17th: thanking Hervé is due on the 18th, the test app's today."""


async def feed(client, url: str):
    path = url.split("://", 1)[1].split("/", 1)[1]
    return await client.get("/" + path)


async def test_the_feed_lists_what_i_owe_as_all_day_events_that_an_independent_parser_reads(tmp_path, database_url):
    async with running_app(tmp_path, database_url=database_url) as client:
        ana = await sign_up(client, "ana@example.org", language="fr")
        await ana.sync(MET_HERVE)
        link = (await ana.get("/api/calendar")).json()
        assert link["url"].startswith("http") and link["url"].endswith(".ics")
        secret = link["url"].rsplit("/", 1)[1].removesuffix(".ics")
        assert len(secret) >= 22  # >= 128 bits in base64url
        # the same url on every call, from any device
        laptop = await ana.new_device()
        assert (await laptop.get("/api/calendar")).json()["url"] == link["url"]

        answer = await feed(client, link["url"])  # no Authorization header
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
        text = answer.text
        # RFC 5545: CRLF line ends, lines folded at 75 octets
        assert "\n" not in text.replace("\r\n", "")
        assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
        # an independent parser (ics) reads one all-day event, in French, with the obligation id as its UID
        (item,) = ics.Calendar(text).events
        assert item.uid == "thank:m1:c-herve@calendar.merci.invalid"
        assert item.name == "Remercier Hervé Martin"
        assert item.all_day and item.begin.date() == dt.date(2026, 11, 18)
        # and icalendar agrees, DTSTAMP included
        (vevent,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
        assert vevent["DTSTART"].dt == dt.date(2026, 11, 18) and vevent["DTEND"].dt == dt.date(2026, 11, 19)
        assert vevent["DTSTAMP"].dt.tzinfo is not None


async def test_the_feed_speaks_english_and_drops_what_is_done_without_duplicating_uids(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org", language="en")
        await ana.sync(MET_HERVE + [meeting("e-m2", ("c-paul",), "m2", at="2026-11-17T16:00:00+01:00")])
        url = (await ana.get("/api/calendar")).json()["url"]
        first = ics.Calendar((await feed(client, url)).text)
        assert sorted(e.name for e in first.events) == ["Thank Hervé Martin", "Thank c-paul"]
        # When Hervé is thanked, the next fetch no longer has his event, and Paul's keeps its UID
        await ana.sync([thanks("e-t1", "c-herve", "m1", at="2026-11-18T09:00:00+01:00")])
        second = ics.Calendar((await feed(client, url)).text)
        assert [e.uid for e in second.events] == ["thank:m2:c-paul@calendar.merci.invalid"]
        assert len({e.uid for e in first.events} | {e.uid for e in second.events}) == 2


async def test_rotating_the_link_kills_the_old_url_at_once(tmp_path, database_url):
    async with running_app(tmp_path, database_url=database_url) as client:
        ana = await sign_up(client, "ana@example.org")
        await ana.sync(MET_HERVE)
        old = (await ana.get("/api/calendar")).json()["url"]
        assert (await feed(client, old)).status_code == 200
        rotated = await ana.client.post("/api/calendar/rotate", headers=ana.auth)
        assert rotated.status_code == 200
        new = rotated.json()["url"]
        assert new != old
        gone = await feed(client, old)
        assert gone.status_code == 404 and "link was replaced" in gone.json()["error"]
        assert (await feed(client, new)).status_code == 200
        assert (await ana.get("/api/calendar")).json()["url"] == new


async def test_a_feed_shows_only_its_own_accounts_obligations_and_needs_its_secret(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        bob = await sign_up(client, "bob@example.org")
        await ana.sync(MET_HERVE)
        await bob.sync([meeting("e-b", ("c-bea",), "mb", at="2026-11-17T10:00:00+01:00")])
        ana_url = (await ana.get("/api/calendar")).json()["url"]
        bob_url = (await bob.get("/api/calendar")).json()["url"]
        assert [e.name for e in ics.Calendar((await feed(client, bob_url)).text).events] == ["Thank c-bea"]
        assert [e.name for e in ics.Calendar((await feed(client, ana_url)).text).events] == ["Thank Hervé Martin"]
        for wrong in (ana_url[:-6] + "AAAA.ics", ana_url.removesuffix(".ics"), ana_url[:-4] + ".ical"):
            assert (await feed(client, wrong)).status_code == 404
        assert (await client.get("/api/calendar")).status_code == 401


async def test_the_feed_survives_a_restart_with_the_key_in_the_data_folder(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        url = (await ana.get("/api/calendar")).json()["url"]
    async with running_app(tmp_path) as client:
        assert (await feed(client, url)).status_code == 200
    assert (tmp_path / "calendar_feed_key").stat().st_mode & 0o777 == 0o600


async def test_erasing_the_account_kills_its_feed(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        url = (await ana.get("/api/calendar")).json()["url"]
        erased = await client.request("DELETE", "/api/account", json={"password": PASSWORD}, headers=ana.auth)
        assert erased.status_code in (200, 204), erased.text
        assert (await feed(client, url)).status_code == 404


async def test_a_snoozed_follow_up_moves_to_the_day_its_snooze_ends_and_a_dismissed_one_leaves(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org")
        await ana.sync(MET_HERVE + [
            meeting("e-m2", ("c-paul",), "m2", at="2026-11-17T16:00:00+01:00"),
            event("e-s", "obligation_snoozed", {"obligation": "thank:m1:c-herve", "until": "2026-11-25"},
                  at="2026-11-18T08:00:00+01:00"),
            event("e-d", "obligation_dismissed", {"obligation": "thank:m2:c-paul"}, at="2026-11-18T08:00:00+01:00"),
        ])
        url = (await ana.get("/api/calendar")).json()["url"]
        (item,) = ics.Calendar((await feed(client, url)).text).events
        assert item.uid.startswith("thank:m1:c-herve@") and item.begin.date() == dt.date(2026, 11, 25)


async def test_the_request_log_never_holds_a_feeds_secret(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="merci.http")
    async with running_app(tmp_path, log_requests=True) as client:
        ana = await sign_up(client, "ana@example.org")
        url = (await ana.get("/api/calendar")).json()["url"]
        assert (await feed(client, url)).status_code == 200
        assert (await feed(client, url[:-8] + "xxxx.ics")).status_code == 404
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    lines = [record.http for record in caplog.records if record.name == "merci.http"]
    assert [(line["path"], line["status"], line["account"]) for line in lines[-2:]] == [
        ("/cal/[secret].ics", 200, ana.id), ("/cal/[secret].ics", 404, None),
    ]
    assert secret not in caplog.text and secret[:-4] not in caplog.text


async def test_contacts_imports_count_against_the_accounts_import_quota(tmp_path):
    async with running_app(tmp_path, import_quota_events=3) as client:
        ana = await sign_up(client, "ana@example.org")
        # a preview writes nothing, and takes no events of the quota
        assert (await import_file(ana, fixture("android.vcf"), dry_run=True))["added"] == 3
        assert (await import_file(ana, fixture("android.vcf")))["stored"] == 3  # the quota's 3 events
        refused = await import_file(ana, fixture("v4.vcf"), expect=429)
        assert "quota of 3 events" in refused["error"]
        assert len(await ana.log()) == 3


async def test_long_lines_are_folded_at_75_octets_and_read_back_whole(tmp_path):
    long_name = "Marie-Éléonore de La Tour d’Auvergne-Lauraguais " * 3
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org", language="fr")
        await ana.sync([contact("e-m", "c-m", long_name.strip()),
                        meeting("e-m1", ("c-m",), "m1", at="2026-11-17T10:00:00+01:00")])
        url = (await ana.get("/api/calendar")).json()["url"]
        raw = (await feed(client, url)).content
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    summary = [i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:")][0]
    assert lines[summary + 1].startswith(b" ")  # a continuation line: folded, by RFC 5545 3.1
    # unfolded by hand (CRLF + one space removed), the summary is whole, in UTF-8, never cut inside a character
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    assert f"SUMMARY:Remercier {' '.join(long_name.split())}\r\n" in unfolded
    assert [e.name for e in ics.Calendar(raw.decode()).events] == [f"Remercier {' '.join(long_name.split())}"]


async def test_a_report_names_the_introducer_and_the_person_referred(tmp_path):
    async with running_app(tmp_path) as client:
        ana = await sign_up(client, "ana@example.org", language="en")
        await ana.sync([
            contact("e-a", "c-anne", "Anne Dupont"), contact("e-p", "c-paul", "Paul Durand"),
            event("e-r", "referral_given", {"referral": "r1", "introducer": "c-anne", "referred": "c-paul"},
                  at="2026-11-10T10:00:00+01:00"),
            event("e-o", "referral_outcome", {"referral": "r1", "outcome": "meeting_obtained"},
                  at="2026-11-17T10:00:00+01:00"),
        ])
        url = (await ana.get("/api/calendar")).json()["url"]
        names = {e.uid: e.name for e in ics.Calendar((await feed(client, url)).text).events}
        assert names["report:r1@calendar.merci.invalid"] == "Tell Anne Dupont how it went with Paul Durand"
