"""The coach page's words (server/coach.py), rendered from the post's scenarios without a server: the mentor's
side names the two people Paul met through the mentor (a thank-you the mentor's log cannot show), French counts
agree with their number, and a large account opens on its summary with every relationship folded."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from events import project, read_log
from events.story import network_story
from server.coach import TEXT, plural, share_page

VECTORS = Path(__file__).parents[1] / "vectors"


def page(name: str, language: str, as_of: str = "2026-11-20") -> str:
    projection = project(read_log((VECTORS / f"{name}.ndjson").read_bytes()), dt.date.fromisoformat(as_of), None)
    html, style = share_page(network_story(projection), projection, language, "Coach")
    assert f"<style>{style}</style>" in html and "<script" not in html
    return html


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&#x27;", "'")


def test_the_mentor_reads_the_thank_yous_paul_owed_the_two_people_met():
    en, fr = text(page("seed-helper", "en")), text(page("seed-helper", "fr"))
    for who, known in (("Anne", "2026-06-10"), ("Marc", "2026-06-15")):
        said = f"Paul met {who} through me (known {known}): did Paul thank {who}? Nothing tells me so."
        assert en.count(said) == 3  # in Paul's brief and timeline, and in the timeline of the person met
        assert (f"Paul a rencontré {who} grâce à moi (appris le {known}) : est-ce que Paul a remercié {who} ? "
                "Rien ne me le dit.") in fr
    assert "To raise, kindly (3 still open from Paul)" in en
    assert "À évoquer, avec tact (3 suivis encore dus par Paul)" in fr


def test_french_counts_agree_with_their_number():
    fr = text(page("seed-helper", "fr"))
    assert "À rattraper d’abord (1 suivi encore dû de ma part)" in fr
    assert "0 sur 1 à temps, 1 toujours dû" in fr and "1 toujours dus" not in fr
    assert "3 toujours dus" in fr
    fr_mentee = text(page("seed-mentee", "fr"))
    assert "À rattraper d’abord (4 suivis encore dus de ma part)" in fr_mentee
    one_day = text(page("seed-mentee", "fr", "2026-05-14"))
    assert "TOUJOURS DÛ depuis le 2026-05-13 (1 jour)" in one_day and "(1 jours)" not in one_day
    en_one_day = text(page("seed-mentee", "en", "2026-05-14"))
    assert "STILL OWED since 2026-05-13 (1 day)" in en_one_day and "(1 days)" not in en_one_day
    t_fr, t_en = {**TEXT["fr"], "language": "fr"}, {**TEXT["en"], "language": "en"}
    assert [plural(t_fr, ("un", "des"), n) for n in (0, 1, 2)] == ["un", "un", "des"]
    assert [plural(t_en, ("one", "many"), n) for n in (0, 1, 2)] == ["many", "one", "many"]


def test_the_page_opens_on_the_summary_with_each_relationship_folded():
    html = page("seed-mentee", "en")
    assert html.index('id="network"') < html.index('id="audit"') < html.index('id="people"')
    # a small account shows everything at once: its few stories, its audit, its index
    assert len(re.findall(r'<details class="person" id="person-\d+" open>', html)) == 3
    assert '<details class="block" open>' in html
    for anchor in re.findall(r'href="#(person-\d+)"', html):
        assert f'id="{anchor}"' in html
    assert "@media (prefers-color-scheme: dark)" in html and "@media print" in html


def test_an_idea_shared_from_the_inbox_is_told_by_its_title():
    lines = (VECTORS / "seed-helper.ndjson").read_text().splitlines()
    lines += [
        '{"id": "idea-1", "type": "idea_saved", "v": 1, "at": "2026-09-01T09:00:00+02:00", '
        '"data": {"idea": "i-ob", "title": "Open banking, five years on", "link": "https://example.org/ob"}}',
        '{"id": "idea-2", "type": "idea_shared", "v": 1, "at": "2026-09-02T09:00:00+02:00", '
        '"data": {"contact": "c-paul", "idea": "i-ob", "link": "https://example.org/ob"}}',
        '{"id": "idea-3", "type": "idea_shared", "v": 1, "at": "2026-09-03T09:00:00+02:00", '
        '"data": {"contact": "c-paul", "idea": "a note typed by hand"}}',
    ]
    projection = project(read_log("\n".join(lines).encode()), dt.date(2026, 11, 20), None)
    en = text(share_page(network_story(projection), projection, "en", "Coach")[0])
    fr = text(share_page(network_story(projection), projection, "fr", "Coach")[0])
    assert "I shared ‘Open banking, five years on’ with Paul" in en
    assert "j’ai partagé «\u00a0Open banking, five years on\u00a0» avec Paul" in fr
    assert "I shared an idea with Paul" in en and "i-ob" not in en  # the free text one, as before
