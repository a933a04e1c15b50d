"""The coach page (`/s/{secret}`): the account's audit to today and the story of each relationship, rendered on
the server as one self-contained HTML page in the account's language (fr or en), with no script, and an inline
style sheet (allowed by its hash) that prints well. Reads the story JSON of events/story.py.
"""

from __future__ import annotations

from html import escape

from events.project import Projection

STYLE = """
:root { color-scheme: light dark; --ink: #1b1b1f; --bg: #fff; --muted: #555; --line: #d4d4d8; --bad: #a4000f;
        --good: #0b6b2b; --panel: #f4f4f5; --link: #1f3a93; --bar-mine: #1f3a93; --bar-theirs: #8fa8e8; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #ececf0; --bg: #141417; --muted: #b4b4bd; --line: #3f3f46; --bad: #ff9b9b; --good: #7ddc96;
          --panel: #202026; --link: #a9bdff; --bar-mine: #a9bdff; --bar-theirs: #5a6a9a; }
}
body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--bg); margin: 0 auto; max-width: 52rem;
       padding: 1rem; overflow-wrap: anywhere; }
a { color: var(--link); }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; } h4 { font-size: 1rem; margin: .75rem 0 .25rem; }
.muted { color: var(--muted); } .owed { color: var(--bad); font-weight: 600; } .kept { color: var(--good); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { text-align: left; padding: .25rem .5rem;
       border-bottom: 1px solid var(--line); vertical-align: top; }
caption { text-align: left; }
.brief { background: var(--panel); border-left: 4px solid var(--bad); padding: .5rem 1rem; }
.unseen { font-style: italic; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { padding: .25rem 0; border-bottom: 1px dotted var(--line); }
ol.timeline ul { margin: .25rem 0 0 1.5rem; padding: 0; }
svg { max-width: 100%; height: auto; } svg .axis { stroke: var(--muted); }
svg text { fill: var(--ink); font-size: 10px; }
svg .bar-mine { fill: var(--bar-mine); } svg .bar-theirs { fill: var(--bar-theirs); }
details { border-top: 1px solid var(--line); }
details > summary { cursor: pointer; padding: .5rem 0; min-height: 44px; box-sizing: border-box; }
details > summary h3 { display: inline; font-size: 1.05rem; margin: 0; }
details.person[open] > summary { border-bottom: 1px solid var(--line); }
details.block > summary { font-weight: 600; }
.person-body { padding: 0 0 1rem; }
.status { display: block; font-size: .95rem; color: var(--muted); }
.status .owed { font-weight: 600; }
nav.people ul { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: .25rem .5rem; }
nav.people a { display: inline-block; padding: .15rem .25rem; min-height: 24px; min-width: 24px; }
nav.people .open::after { content: " •"; color: var(--bad); }
@media (max-width: 36rem) {
  body { padding: .75rem; }
  table.audit thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.audit, table.audit tbody, table.audit tr, table.audit td { display: block; width: auto; }
  table.audit tr { border-bottom: 1px solid var(--line); padding: .35rem 0; }
  table.audit td { border: 0; padding: 0; }
  table.audit td:nth-child(-n+2) { display: inline; color: var(--muted); font-size: .9rem; }
  table.audit td:first-child::after { content: " · "; }
}
@media print {
  :root { --ink: #000; --bg: #fff; --muted: #333; --line: #999; --bad: #000; --good: #000; --panel: #fff;
          --link: #000; --bar-mine: #000; --bar-theirs: #888; }
  body { max-width: none; font-size: 11pt; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; }
  details.person { break-before: page; }
  nav.people { display: none; }
  .brief { border: 1px solid #000; }
  a { color: inherit; text-decoration: none; }
}
"""

TEXT = {
    "en": {
        "title": "Merci — follow-up audit", "as_of": "Audit as of {day} ({zone})",
        "shared": "Shared read-only with “{label}”. Nothing here can be changed.",
        "network": "The whole network", "scores": "On time: I {mine}, others {theirs}",
        "mine": "What I owe others", "theirs": "What others owe me",
        "owe_them": "What I owe {who}", "they_owe": "What {who} owes me", "nothing": "nothing yet",
        "of_on_time": "{n} of {total} on time", "chart": "On-time rate by month, both ways",
        "chart_desc": "For each month, the share of follow-ups due that month that were done on time: what I owe "
                      "(dark bars) and what others owe me (light bars).",
        "month": "Month", "rate_mine": "I kept on time", "rate_theirs": "Others kept on time",
        "audit": "Pending and done, as of {day}", "rule": "Rule", "who": "Between", "due": "Due",
        "how": "How it was kept", "people": "Each relationship",
        "story": "The story with {who}", "brief": "Before meeting {who} again",
        "make_good": ("To make good first ({n} still open from me)", "To make good first ({n} still open from me)"),
        "introduced": "And the people {who} introduced:",
        "raise": ("To raise, kindly ({n} still open from {who})", "To raise, kindly ({n} still open from {who})"),
        "unseen": "{seeker} met {referred} through me (known {date}): did {seeker} thank {referred}? Nothing tells "
                  "me so.",
        "summary": "Summary", "index": "People ({n})", "index_hint": "A dot marks something still open.",
        "audit_count": ("Every follow-up, pending and done ({n})", "Every follow-up, pending and done ({n})"),
        "open_mine": ("{n} still open from me", "{n} still open from me"),
        "open_theirs": ("{n} still open from them", "{n} still open from them"), "nothing_open": "nothing open",
        "all_clear": "Nothing is open between you, either way.",
        "timeline": "Timeline", "kept_by": "kept: {what}", "me": "me",
        "gone_title": "This link is no longer valid",
        "gone": "This link is no longer valid: it has expired or its owner revoked it. Ask them for a new one.",
        "early": ("done early, on {done} ({n} day before it was due)",
                  "done early, on {done} ({n} days before it was due)"),
        "on_time": "done on time, on {done}",
        "late": ("done late, on {done} ({n} day after it was due)", "done late, on {done} ({n} days after it was due)"),
        "very_late": ("done very late, on {done} ({n} day after it was due)",
                      "done very late, on {done} ({n} days after it was due)"),
        "still_owed": ("STILL OWED since {due} ({n} day)", "STILL OWED since {due} ({n} days)"),
        "due_now": "due now (on time until {until})",
        "upcoming": "upcoming, due {due}", "snoozed": "snoozed until {until} (due {due})",
        "missed": "missed (due {due})", "dismissed": "dismissed (was due {due})",
        "thank_mine": "thank {who} for the meeting of {date}{place}", "thank_theirs": "{who} to thank me for the "
                      "meeting of {date}{place}", "at": " at {place}",
        "report_mine": "tell {who} how it went with {referred}", "report_theirs": "{who} to tell me how it went with "
                       "{referred}",
        "announce": "tell and thank {who} for the new job (found {date})",
        "nurture": "keep in touch with {who} (last touch {date})",
        "greetings": "season's greetings to {who} for {year}",
        "ev": {
            "meeting_logged": "meeting with {with}{place}",
            "referral_given": "{introducer} gave me the name of {referred}",
            "referral_made": "I gave {to} the name of {referred}",
            "referral_outcome": "news of the referral to {referred}: {outcome}",
            "thanks_sent": "I thanked {contact}", "thanks_received": "{contact} thanked me",
            "introducer_informed": "I told {introducer} how it went with {referred}",
            "update_received": "I was told how it went with {referred}", "job_found": "I found a job",
            "job_announced": "I told {contact} about my new job", "idea_shared": "I shared an idea with {contact}",
            "idea_shared_titled": "I shared ‘{idea}’ with {contact}",
            "greetings_sent": "season's greetings sent", "contact_added": "{contact} added to my contacts",
            "contact_updated": "{contact}'s card updated", "contact_archived": "{contact} archived",
            "obligation_snoozed": "a follow-up snoozed until {until}", "obligation_dismissed": "a follow-up dismissed",
        },
        "outcome": {"meeting_obtained": "a meeting was obtained", "declined": "declined", "no_answer": "no answer"},
        "rules": {"thank": "thank", "report": "news", "announce": "new job", "nurture": "keep in touch",
                  "greetings": "greetings"},
        "readings": {"early": "early", "late": "late", "very_late": "very late", "still_owed": "still owed",
                     "due": "due", "upcoming": "upcoming", "snoozed": "snoozed", "missed": "missed",
                     "dismissed": "dismissed"},
    },
    "fr": {
        "title": "Merci — audit du suivi", "as_of": "Audit au {day} ({zone})",
        "shared": "Partagé en lecture seule avec « {label} ». Rien ne peut être modifié ici.",
        "network": "Tout le réseau", "scores": "À temps : moi {mine}, les autres {theirs}",
        "mine": "Ce que je dois aux autres", "theirs": "Ce que les autres me doivent",
        "owe_them": "Ce que je dois à {who}", "they_owe": "Ce que {who} me doit", "nothing": "rien pour l’instant",
        "of_on_time": "{n} sur {total} à temps", "chart": "Taux de suivi à temps par mois, dans les deux sens",
        "chart_desc": "Pour chaque mois, la part des suivis dus ce mois-là faits à temps : ce que je dois (barres "
                      "foncées) et ce qu’on me doit (barres claires).",
        "month": "Mois", "rate_mine": "Mes suivis à temps", "rate_theirs": "Suivis des autres à temps",
        "audit": "En attente et faits, au {day}", "rule": "Règle", "who": "Entre", "due": "Échéance",
        "how": "Comment", "people": "Chaque relation",
        "story": "L’histoire avec {who}", "brief": "Avant de revoir {who}",
        "make_good": ("À rattraper d’abord ({n} suivi encore dû de ma part)",
                      "À rattraper d’abord ({n} suivis encore dus de ma part)"),
        "introduced": "Et les personnes que {who} m’a présentées :",
        "raise": ("À évoquer, avec tact ({n} suivi encore dû par {who})",
                  "À évoquer, avec tact ({n} suivis encore dus par {who})"),
        "all_clear": "Rien n’est en suspens entre vous.",
        "unseen": "{seeker} a rencontré {referred} grâce à moi (appris le {date}) : est-ce que {seeker} a remercié "
                  "{referred} ? Rien ne me le dit.",
        "summary": "En bref", "index": "Les personnes ({n})", "index_hint": "Un point signale un suivi encore ouvert.",
        "audit_count": ("Chaque suivi, en attente ou fait ({n})", "Chaque suivi, en attente ou fait ({n})"),
        "open_mine": ("{n} encore dû de ma part", "{n} encore dus de ma part"),
        "open_theirs": ("{n} encore dû de sa part", "{n} encore dus de sa part"), "nothing_open": "rien en suspens",
        "timeline": "Chronologie", "kept_by": "fait : {what}", "me": "moi",
        "gone_title": "Ce lien n’est plus valide",
        "gone": "Ce lien n’est plus valide : il a expiré ou son auteur l’a révoqué. Demandez-lui un nouveau lien.",
        "early": ("fait en avance, le {done} ({n} jour avant l’échéance)",
                  "fait en avance, le {done} ({n} jours avant l’échéance)"),
        "on_time": "fait à temps, le {done}",
        "late": ("fait en retard, le {done} ({n} jour après l’échéance)",
                 "fait en retard, le {done} ({n} jours après l’échéance)"),
        "very_late": ("fait très en retard, le {done} ({n} jour après l’échéance)",
                      "fait très en retard, le {done} ({n} jours après l’échéance)"),
        "still_owed": ("TOUJOURS DÛ depuis le {due} ({n} jour)", "TOUJOURS DÛ depuis le {due} ({n} jours)"),
        "due_now": "à faire (à temps jusqu’au {until})",
        "upcoming": "à venir, le {due}", "snoozed": "reporté au {until} (échéance {due})",
        "missed": "manqué (échéance {due})", "dismissed": "écarté (échéance {due})",
        "thank_mine": "remercier {who} pour le rendez-vous du {date}{place}",
        "thank_theirs": "{who} doit me remercier pour le rendez-vous du {date}{place}", "at": " à {place}",
        "report_mine": "dire à {who} comment s’est passé le contact avec {referred}",
        "report_theirs": "{who} doit me dire comment s’est passé le contact avec {referred}",
        "announce": "annoncer le nouveau poste à {who}, avec un merci (trouvé le {date})",
        "nurture": "garder le lien avec {who} (dernier contact le {date})",
        "greetings": "vœux de fin d’année à {who} pour {year}",
        "ev": {
            "meeting_logged": "rendez-vous avec {with}{place}", "referral_given": "{introducer} m’a donné le nom de "
            "{referred}", "referral_made": "j’ai donné à {to} le nom de {referred}",
            "referral_outcome": "nouvelles du contact avec {referred} : {outcome}",
            "thanks_sent": "j’ai remercié {contact}", "thanks_received": "merci reçu de {contact}",
            "introducer_informed": "j’ai dit à {introducer} comment s’est passé le contact avec {referred}",
            "update_received": "on m’a dit comment s’est passé le contact avec {referred}",
            "job_found": "j’ai trouvé un poste", "job_announced": "j’ai annoncé mon nouveau poste à {contact}",
            "idea_shared": "j’ai partagé une idée avec {contact}",
            "idea_shared_titled": "j’ai partagé « {idea} » avec {contact}", "greetings_sent": "vœux envoyés",
            "contact_added": "fiche de {contact} créée", "contact_updated": "fiche de {contact} mise à jour",
            "contact_archived": "fiche de {contact} archivée", "obligation_snoozed": "un suivi reporté au {until}",
            "obligation_dismissed": "un suivi écarté",
        },
        "outcome": {"meeting_obtained": "rendez-vous obtenu", "declined": "refusé", "no_answer": "sans réponse"},
        "rules": {"thank": "remerciement", "report": "nouvelles", "announce": "nouveau poste",
                  "nurture": "garder le lien", "greetings": "vœux"},
        "readings": {"early": "en avance", "late": "en retard", "very_late": "très en retard",
                     "still_owed": ("toujours dû", "toujours dus"), "due": "à faire", "upcoming": "à venir",
                     "snoozed": ("reporté", "reportés"), "missed": ("manqué", "manqués"),
                     "dismissed": ("écarté", "écartés")},
    },
}

COUNTED_READINGS = ("early", "late", "very_late", "still_owed", "due", "upcoming", "snoozed", "missed", "dismissed")


def _t(language: str) -> dict:
    return {**TEXT.get(language, TEXT["en"]), "language": language if language in TEXT else "en"}


def plural(t: dict, text: str | tuple[str, str], n: int) -> str:
    """A text that agrees with the number it counts: (one, other) — French says 0 and 1 in the singular
    ("1 suivi encore dû", "0 jour"), English only 1 — or one text for both."""
    if isinstance(text, str):
        return text
    one = n <= 1 if t["language"] == "fr" else n == 1
    return text[0] if one else text[1]


def count_sentence(tally: dict, t: dict) -> str:
    if not tally["total"]:
        return t["nothing"]
    parts = [t["of_on_time"].format(n=tally["on_time"], total=tally["total"])]
    parts += [f"{tally[r]} {plural(t, t['readings'][r], tally[r])}" for r in COUNTED_READINGS if tally[r]]
    return ", ".join(parts)


def reading(o: dict, t: dict) -> str:
    kept, days = o["kept"], abs(o["days_after_due"])
    key = "due_now" if kept == "due" else kept
    return plural(t, t[key], days).format(done=o["done_on"], n=days, due=o["due"],
                                          until=o["snoozed_until"] or o["on_time_until"])


def unseen_words(note: dict, names: dict, t: dict) -> str:
    """The thank-you the person helped owed the one they met through me, which my log cannot show."""
    return t["unseen"].format(seeker=names.get(note["seeker"], note["seeker"]), date=note["known_on"],
                              referred=names.get(note["referred"], note["referred"]))


def obligation_words(o: dict, names: dict, t: dict) -> str:
    who = names.get(o["counterpart"], o["counterpart"])
    about, mine = o["about"], o["direction"] == "owed_by_me"
    rule = o["rule"]
    if rule == "thank":
        place = t["at"].format(place=about["place"]) if about.get("place") else ""
        return t["thank_mine" if mine else "thank_theirs"].format(who=who, date=about["date"], place=place)
    if rule == "report":
        referred = names.get(about.get("referred"), about.get("referred") or "?")
        return t["report_mine" if mine else "report_theirs"].format(who=who, referred=referred)
    if rule == "announce":
        return t["announce"].format(who=who, date=about["job_found"])
    if rule == "nurture":
        return t["nurture"].format(who=who, date=about["last_touch"])
    return t["greetings"].format(who=who, year=about.get("year"))


def event_words(entry: dict, contact: str, names: dict, t: dict) -> str:
    data = entry["data"]
    name = lambda c: names.get(c, c)  # noqa: E731
    referral = entry.get("referral") or {}
    fields = {
        "contact": name(data.get("contact", contact)), "introducer": name(data.get("introducer")
                                                                          or referral.get("introducer", "?")),
        "referred": name(data.get("referred") or referral.get("referred", "?")),
        "to": name(data.get("to") or referral.get("to", "?")), "until": data.get("until", ""),
        "outcome": t["outcome"].get(data.get("outcome"), ""),
        "with": ", ".join(name(c) for c in data.get("contacts", [])),
        "place": t["at"].format(place=data["place"]) if data.get("place") else "",
        "idea": entry.get("idea_title") or "",
    }
    # an idea shared from the inbox is told by its title (events/story.py's idea_title)
    kind = "idea_shared_titled" if entry["type"] == "idea_shared" and entry.get("idea_title") else entry["type"]
    template = t["ev"].get(kind)
    return template.format(**fields) if template else entry["type"].replace("_", " ")


def chart(months: list[dict], t: dict) -> str:
    """A small SVG bar chart of the on-time rate by month, both ways, with the same numbers as a table."""
    width, height, bar = max(160, 44 * len(months) + 40), 140, 16
    parts = [f'<svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {width} {height + 30}" '
             f'width="{width}" height="{height + 30}"><title id="chart-title">{escape(t["chart"])}</title>'
             f'<desc id="chart-desc">{escape(t["chart_desc"])}</desc>',
             f'<line x1="30" y1="{height}" x2="{width}" y2="{height}" class="axis"/>',
             '<text x="0" y="14">100%</text>',
             f'<text x="8" y="{height}">0%</text>']
    for i, month in enumerate(months):
        x = 40 + 44 * i
        for j, (side, colour) in enumerate((("owed_by_me", "bar-mine"), ("owed_to_me", "bar-theirs"))):
            cell = month[side]
            if cell["counted"]:
                rate = cell["on_time"] / cell["counted"]
                h = max(2, round(rate * (height - 10)))
                parts.append(f'<rect x="{x + j * (bar + 2)}" y="{height - h}" width="{bar}" height="{h}" '
                             f'class="{colour}"/>')
        parts.append(f'<text x="{x}" y="{height + 14}">{month["month"][2:]}</text>')
    parts.append("</svg>")
    rows = "".join(
        f"<tr><th scope=\"row\">{m['month']}</th><td>{_rate(m['owed_by_me'])}</td>"
        f"<td>{_rate(m['owed_to_me'])}</td></tr>"
        for m in months
    )
    table = (f'<table><caption class="muted">{escape(t["chart"])}</caption><thead><tr><th scope="col">'
             f'{t["month"]}</th><th scope="col">{t["rate_mine"]}</th><th scope="col">{t["rate_theirs"]}</th></tr>'
             f"</thead><tbody>{rows}</tbody></table>")
    return "".join(parts) + table


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)} %"


def _rate(cell: dict) -> str:
    if not cell["counted"]:
        return "—"
    return f"{cell['on_time']}/{cell['counted']} ({round(100 * cell['on_time'] / cell['counted'])}%)"


def _page(language: str, title: str, body: str) -> tuple[str, str]:
    html = (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>")
    return html, STYLE


def gone_page() -> tuple[str, str]:
    """The page of a link that expired, was revoked or never existed (in both languages: whose it was is unknown)."""
    en, fr = TEXT["en"], TEXT["fr"]
    body = (f'<main><h1>{en["gone_title"]}</h1><p>{en["gone"]}</p>'
            f'<h1 lang="fr">{fr["gone_title"]}</h1><p lang="fr">{fr["gone"]}</p></main>')
    return _page("en", en["gone_title"], body)


AUDIT_OPEN_UP_TO = 30
"""The audit's table of every follow-up shows open up to this many rows; a larger account's starts folded (its
summary says how many), so that the page opens on the summary and the people, not on a thousand rows."""


INDEX_OPEN_UP_TO = 30
"""The index of the people shows open up to this many; a larger account's starts folded."""
PEOPLE_OPEN_UP_TO = 5
"""Each relationship's story shows unfolded up to this many people (a mentee's few: nothing to tap); past it each
starts folded to its name and what is still open."""


def share_page(network: dict, projection: Projection, language: str, label: str) -> tuple[str, str]:
    """The coach page: the summary first (counts both ways, scores, the monthly chart), the audit to today
    (pending and done, per rule and per person), an index of the people, then each relationship folded
    (`<details>`: its name and what is still open, the story and its brief once unfolded; all of it prints).
    Returns the HTML and its style sheet (for the CSP hash)."""
    t = _t(language)
    esc = escape
    colon = " :" if t["language"] == "fr" else ":"
    as_of = t["as_of"].format(day=network["as_of"], zone=network["timezone"])
    out = [f'<main><header><h1>{esc(t["title"])}</h1><p>{esc(as_of)}</p>'
           f'<p class="muted">{esc(t["shared"].format(label=label))}</p></header>']
    counts = network["counts"]
    scores = t["scores"].format(mine=_percent(projection.overall["owed_by_me"].value),
                                theirs=_percent(projection.overall["owed_to_me"].value))
    out.append(f'<section aria-labelledby="network"><h2 id="network">{esc(t["summary"])} — {esc(t["network"])}</h2>'
               f'<p>{esc(scores)}</p><ul>')
    for side, key in (("owed_by_me", "mine"), ("owed_to_me", "theirs")):
        out.append(f"<li><strong>{esc(t[key])}</strong>{colon} {esc(count_sentence(counts[side], t))}")
        rules = "".join(f"<li>{esc(t['rules'][rule])} — {esc(count_sentence(sides[side], t))}</li>"
                        for rule, sides in counts["by_rule"].items() if sides[side]["total"])
        out.append(f"<ul>{rules}</ul></li>" if rules else "</li>")
    out.append("</ul>")
    if network["months"]:
        out.append(chart(network["months"], t))
    out.append("</section>")
    # the audit: every obligation to today, pending and done, with how it was kept
    everyone = [o for person in network["people"] for o in person["obligations"]]
    everyone.sort(key=lambda o: (o["due"], o["id"]))
    names = {n["contact"]: n["name"] for person in network["people"] for n in person["names"]}
    opened = " open" if len(everyone) <= AUDIT_OPEN_UP_TO else ""
    out.append(f'<section aria-labelledby="audit"><h2 id="audit">{esc(t["audit"].format(day=network["as_of"]))}</h2>'
               f'<details class="block"{opened}><summary>'
               f'{esc(plural(t, t["audit_count"], len(everyone)).format(n=len(everyone)))}</summary>'
               f'<table class="audit"><thead><tr><th scope="col">{t["due"]}</th><th scope="col">{t["rule"]}</th>'
               f'<th scope="col">{t["who"]}</th><th scope="col">{t["how"]}</th></tr></thead><tbody>')
    for o in everyone:
        css = "owed" if o["kept"] == "still_owed" else "kept" if o["done_on"] else ""
        out.append(f'<tr><td>{o["due"]}</td><td>{esc(t["rules"][o["rule"]])}</td>'
                   f'<td>{esc(obligation_words(o, names, t))}</td><td class="{css}">{esc(reading(o, t))}</td></tr>')
    out.append("</tbody></table></details></section>")
    shown = [(number, person) for number, person in enumerate(network["people"])
             if person["entries"] or person["obligations"]]
    out.append(f'<section aria-labelledby="people"><h2 id="people">{esc(t["people"])}</h2>')
    if len(shown) > 1:
        opened = " open" if len(shown) <= INDEX_OPEN_UP_TO else ""
        out.append(f'<nav class="people" aria-labelledby="people-index"><details class="block"{opened}>'
                   f'<summary id="people-index">{esc(t["index"].format(n=len(shown)))}</summary>'
                   f'<p class="muted">{esc(t["index_hint"])}</p><ul>')
        for number, person in shown:
            css = ' class="open"' if _open(person) else ""
            out.append(f'<li><a href="#person-{number}"{css}>{esc(person["name"])}</a></li>')
        out.append("</ul></details></nav>")
    for number, person in shown:
        out.append(_person(person, t, f"person-{number}", len(shown) <= PEOPLE_OPEN_UP_TO))
    out.append("</section></main>")
    return _page(t["language"], t["title"], "".join(out))


def _open(story: dict) -> bool:
    brief = story["brief"]
    return bool(brief["owed_by_me"] or brief["owed_to_me"] or brief["introduced"] or brief.get("unseen_thanks"))


def _status(story: dict, t: dict) -> str:
    """What is still open with them, in a few words: "2 still open from me · 1 still open from them"."""
    brief = story["brief"]
    mine, theirs = len(brief["owed_by_me"]), len(brief["owed_to_me"])
    parts = [f'<span class="owed">{escape(plural(t, t[key], n).format(n=n))}</span>'
             for key, n in (("open_mine", mine), ("open_theirs", theirs)) if n]
    return " · ".join(parts) if parts else escape(t["nothing_open"])


def _person(story: dict, t: dict, anchor: str, unfolded: bool = False) -> str:
    esc = escape
    names = {n["contact"]: n["name"] for n in story["names"]}
    who = story["name"]
    by_id = {o["id"]: o for o in story["obligations"]}
    opened = " open" if unfolded else ""
    out = [f'<details class="person" id="{anchor}"{opened}><summary><h3 id="{anchor}-h">'
           f'{esc(t["story"].format(who=who))}</h3><span class="status">{_status(story, t)}</span></summary>'
           '<div class="person-body">']
    brief = story["brief"]
    unseen = brief.get("unseen_thanks", [])

    def item(o: dict) -> str:
        return f"<li>{esc(obligation_words(o, names, t))} — <span class=\"owed\">{esc(reading(o, t))}</span></li>"

    out.append(f'<div class="brief"><h4>{esc(t["brief"].format(who=who))}</h4>')
    if _open(story):
        if brief["owed_by_me"]:
            n = len(brief["owed_by_me"])
            out.append(f"<p>{esc(plural(t, t['make_good'], n).format(n=n))}</p><ul>"
                       + "".join(item(by_id[i]) for i in brief["owed_by_me"]) + "</ul>")
        if brief["introduced"]:
            out.append(f"<p>{esc(t['introduced'].format(who=who))}</p><ul>"
                       + "".join(item(o) for o in brief["introduced"]) + "</ul>")
        if brief["owed_to_me"] or unseen:
            n = len(brief["owed_to_me"])
            out.append(f"<p>{esc(plural(t, t['raise'], n).format(n=n, who=who))}</p><ul>"
                       + "".join(item(by_id[i]) for i in brief["owed_to_me"])
                       + "".join(f'<li class="unseen">{esc(unseen_words(note, names, t))}</li>' for note in unseen)
                       + "</ul>")
    else:
        out.append(f"<p>{esc(t['all_clear'])}</p>")
    out.append("</div>")
    out.append(f"<h4>{esc(t['timeline'])}</h4><ol class=\"timeline\">")
    for entry in story["entries"]:
        out.append(f"<li><time datetime=\"{entry['date']}\">{entry['date']}</time> — "
                   f"{esc(event_words(entry, story['contact'], names, t))}")
        subs = [f"<li>→ {esc(obligation_words(o, names, t))} — {esc(reading(o, t))}</li>" for o in entry["obligations"]]
        subs += [f"<li class=\"kept\">✓ {esc(t['kept_by'].format(what=obligation_words(by_id[i], names, t)))}</li>"
                 for i in entry["kept"]]
        subs += [f'<li class="unseen">? {esc(unseen_words(note, names, t))}</li>'
                 for note in entry.get("unseen_thanks", [])]
        out.append(f"<ul>{''.join(subs)}</ul></li>" if subs else "</li>")
    out.append("</ol><ul>")
    for side, key in (("owed_by_me", "owe_them"), ("owed_to_me", "they_owe")):
        counted = count_sentence(story["counts"][side], t)
        out.append(f"<li><strong>{esc(t[key].format(who=who))}</strong> — {esc(counted)}</li>")
    out.append("</ul></div></details>")
    return "".join(out)
