"""The coach page (`/s/{secret}`): the account's audit to today and the story of each relationship, rendered on
the server as one self-contained HTML page in the account's language (fr or en), with no script, and an inline
style sheet (allowed by its hash) that prints well. Reads the story JSON of events/story.py.
"""

from __future__ import annotations

from html import escape

from events.project import Projection

STYLE = """
:root { color-scheme: light; --ink: #1b1b1f; --muted: #555; --line: #d4d4d8; --bad: #a4000f; --good: #0b6b2b; }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: #fff; margin: 0 auto; max-width: 52rem;
       padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
.muted { color: var(--muted); } .owed { color: var(--bad); font-weight: 600; } .kept { color: var(--good); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { text-align: left; padding: .25rem .5rem;
       border-bottom: 1px solid var(--line); vertical-align: top; }
section.person { border-top: 2px solid var(--ink); margin-top: 2rem; }
.brief { background: #f4f4f5; border-left: 4px solid var(--bad); padding: .5rem 1rem; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { padding: .25rem 0; border-bottom: 1px dotted var(--line); }
ol.timeline ul { margin: .25rem 0 0 1.5rem; padding: 0; }
svg { max-width: 100%; height: auto; }
@media print {
  body { max-width: none; font-size: 11pt; padding: 0; }
  section.person { break-before: page; }
  .brief { border: 1px solid #000; background: none; }
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
        "make_good": "To make good first ({n} still open from me)",
        "introduced": "And the people {who} introduced:",
        "raise": "To raise, kindly ({n} still open from {who})",
        "all_clear": "Nothing is open between you, either way.",
        "timeline": "Timeline", "kept_by": "kept: {what}", "me": "me",
        "gone_title": "This link is no longer valid",
        "gone": "This link is no longer valid: it has expired or its owner revoked it. Ask them for a new one.",
        "early": "done early, on {done} ({n} days before it was due)", "on_time": "done on time, on {done}",
        "late": "done late, on {done} ({n} days after it was due)",
        "very_late": "done very late, on {done} ({n} days after it was due)",
        "still_owed": "STILL OWED since {due} ({n} days)", "due_now": "due now (on time until {until})",
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
        "make_good": "À rattraper d’abord ({n} encore dus de ma part)",
        "introduced": "Et les personnes que {who} m’a présentées :",
        "raise": "À évoquer, avec tact ({n} encore dus par {who})", "all_clear": "Rien n’est en suspens entre vous.",
        "timeline": "Chronologie", "kept_by": "fait : {what}", "me": "moi",
        "gone_title": "Ce lien n’est plus valide",
        "gone": "Ce lien n’est plus valide : il a expiré ou son auteur l’a révoqué. Demandez-lui un nouveau lien.",
        "early": "fait en avance, le {done} ({n} jours avant l’échéance)", "on_time": "fait à temps, le {done}",
        "late": "fait en retard, le {done} ({n} jours après l’échéance)",
        "very_late": "fait très en retard, le {done} ({n} jours après l’échéance)",
        "still_owed": "TOUJOURS DÛ depuis le {due} ({n} jours)", "due_now": "à faire (à temps jusqu’au {until})",
        "upcoming": "à venir, le {due}", "snoozed": "reporté au {until} (échéance {due})",
        "missed": "manqué (échéance {due})", "dismissed": "écarté (échéance {due})",
        "thank_mine": "remercier {who} pour le rendez-vous du {date}{place}",
        "thank_theirs": "{who} doit me remercier pour le rendez-vous du {date}{place}", "at": " à {place}",
        "report_mine": "dire à {who} comment s’est passé le contact avec {referred}",
        "report_theirs": "{who} doit me dire comment s’est passé le contact avec {referred}",
        "announce": "annoncer le nouveau poste à {who} et le remercier (trouvé le {date})",
        "nurture": "garder le lien avec {who} (dernier contact le {date})",
        "greetings": "vœux de fin d’année à {who} pour {year}",
        "ev": {
            "meeting_logged": "rendez-vous avec {with}{place}", "referral_given": "{introducer} m’a donné le nom de "
            "{referred}", "referral_made": "j’ai donné à {to} le nom de {referred}",
            "referral_outcome": "nouvelles du contact avec {referred} : {outcome}",
            "thanks_sent": "j’ai remercié {contact}", "thanks_received": "{contact} m’a remercié",
            "introducer_informed": "j’ai dit à {introducer} comment s’est passé le contact avec {referred}",
            "update_received": "on m’a dit comment s’est passé le contact avec {referred}",
            "job_found": "j’ai trouvé un poste", "job_announced": "j’ai annoncé mon nouveau poste à {contact}",
            "idea_shared": "j’ai partagé une idée avec {contact}", "greetings_sent": "vœux envoyés",
            "contact_added": "{contact} ajouté à mes contacts", "contact_updated": "fiche de {contact} mise à jour",
            "contact_archived": "{contact} archivé", "obligation_snoozed": "un suivi reporté au {until}",
            "obligation_dismissed": "un suivi écarté",
        },
        "outcome": {"meeting_obtained": "rendez-vous obtenu", "declined": "refusé", "no_answer": "sans réponse"},
        "rules": {"thank": "remerciement", "report": "nouvelles", "announce": "nouveau poste",
                  "nurture": "garder le lien", "greetings": "vœux"},
        "readings": {"early": "en avance", "late": "en retard", "very_late": "très en retard",
                     "still_owed": "toujours dus", "due": "à faire", "upcoming": "à venir", "snoozed": "reportés",
                     "missed": "manqués", "dismissed": "écartés"},
    },
}

COUNTED_READINGS = ("early", "late", "very_late", "still_owed", "due", "upcoming", "snoozed", "missed", "dismissed")


def _t(language: str) -> dict:
    return TEXT.get(language, TEXT["en"])


def count_sentence(tally: dict, t: dict) -> str:
    if not tally["total"]:
        return t["nothing"]
    parts = [t["of_on_time"].format(n=tally["on_time"], total=tally["total"])]
    parts += [f"{tally[r]} {t['readings'][r]}" for r in COUNTED_READINGS if tally[r]]
    return ", ".join(parts)


def reading(o: dict, t: dict) -> str:
    kept, days = o["kept"], o["days_after_due"]
    key = "due_now" if kept == "due" else kept
    return t[key].format(done=o["done_on"], n=abs(days), due=o["due"], until=o["snoozed_until"] or o["on_time_until"])


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
    }
    template = t["ev"].get(entry["type"])
    return template.format(**fields) if template else entry["type"].replace("_", " ")


def chart(months: list[dict], t: dict) -> str:
    """A small SVG bar chart of the on-time rate by month, both ways, with the same numbers as a table."""
    width, height, bar = max(160, 44 * len(months) + 40), 140, 16
    parts = [f'<svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {width} {height + 30}" '
             f'width="{width}" height="{height + 30}"><title id="chart-title">{escape(t["chart"])}</title>'
             f'<desc id="chart-desc">{escape(t["chart_desc"])}</desc>',
             f'<line x1="30" y1="{height}" x2="{width}" y2="{height}" stroke="#555"/>',
             f'<text x="0" y="14" font-size="10" fill="#555">100%</text>',
             f'<text x="8" y="{height}" font-size="10" fill="#555">0%</text>']
    for i, month in enumerate(months):
        x = 40 + 44 * i
        for j, (side, colour) in enumerate((("owed_by_me", "#1f3a93"), ("owed_to_me", "#8fa8e8"))):
            cell = month[side]
            if cell["counted"]:
                rate = cell["on_time"] / cell["counted"]
                h = max(2, round(rate * (height - 10)))
                parts.append(f'<rect x="{x + j * (bar + 2)}" y="{height - h}" width="{bar}" height="{h}" '
                             f'fill="{colour}"/>')
        parts.append(f'<text x="{x}" y="{height + 14}" font-size="10" fill="#1b1b1f">{month["month"][2:]}</text>')
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


def share_page(network: dict, projection: Projection, language: str, label: str) -> tuple[str, str]:
    """The coach page: the audit to today (pending and done, per rule and per person), the monthly chart, and
    each relationship's story with its brief. Returns the HTML and its style sheet (for the CSP hash)."""
    t = _t(language)
    esc = escape
    as_of = t["as_of"].format(day=network["as_of"], zone=network["timezone"])
    out = [f'<main><header><h1>{esc(t["title"])}</h1><p>{esc(as_of)}</p>'
           f'<p class="muted">{esc(t["shared"].format(label=label))}</p></header>']
    counts = network["counts"]
    scores = t["scores"].format(mine=_percent(projection.overall["owed_by_me"].value),
                                theirs=_percent(projection.overall["owed_to_me"].value))
    out.append(f'<section aria-labelledby="network"><h2 id="network">{esc(t["network"])}</h2>'
               f'<p>{esc(scores)}</p><ul>')
    for side, key in (("owed_by_me", "mine"), ("owed_to_me", "theirs")):
        out.append(f"<li><strong>{esc(t[key])}</strong> : {esc(count_sentence(counts[side], t))}" if language == "fr"
                   else f"<li><strong>{esc(t[key])}</strong>: {esc(count_sentence(counts[side], t))}")
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
    out.append(f'<section aria-labelledby="audit"><h2 id="audit">{esc(t["audit"].format(day=network["as_of"]))}</h2>'
               f'<table><thead><tr><th scope="col">{t["due"]}</th><th scope="col">{t["rule"]}</th>'
               f'<th scope="col">{t["who"]}</th><th scope="col">{t["how"]}</th></tr></thead><tbody>')
    for o in everyone:
        css = "owed" if o["kept"] == "still_owed" else "kept" if o["done_on"] else ""
        out.append(f'<tr><td>{o["due"]}</td><td>{esc(t["rules"][o["rule"]])}</td>'
                   f'<td>{esc(obligation_words(o, names, t))}</td><td class="{css}">{esc(reading(o, t))}</td></tr>')
    out.append("</tbody></table></section>")
    out.append(f'<h2>{esc(t["people"])}</h2>')
    for number, person in enumerate(network["people"]):
        if person["entries"] or person["obligations"]:
            out.append(_person(person, t, f"person-{number}"))
    out.append("</main>")
    return _page(language, t["title"], "".join(out))


def _person(story: dict, t: dict, anchor: str) -> str:
    esc = escape
    names = {n["contact"]: n["name"] for n in story["names"]}
    who = story["name"]
    by_id = {o["id"]: o for o in story["obligations"]}
    out = [f'<section class="person" aria-labelledby="{anchor}">'
           f'<h3 id="{anchor}">{esc(t["story"].format(who=who))}</h3>']
    brief = story["brief"]
    def item(o: dict) -> str:
        return f"<li>{esc(obligation_words(o, names, t))} — <span class=\"owed\">{esc(reading(o, t))}</span></li>"

    out.append(f'<div class="brief"><h4>{esc(t["brief"].format(who=who))}</h4>')
    if brief["owed_by_me"] or brief["owed_to_me"] or brief["introduced"]:
        if brief["owed_by_me"]:
            out.append(f"<p>{esc(t['make_good'].format(n=len(brief['owed_by_me'])))}</p><ul>"
                       + "".join(item(by_id[i]) for i in brief["owed_by_me"]) + "</ul>")
        if brief["introduced"]:
            out.append(f"<p>{esc(t['introduced'].format(who=who))}</p><ul>"
                       + "".join(item(o) for o in brief["introduced"]) + "</ul>")
        if brief["owed_to_me"]:
            out.append(f"<p>{esc(t['raise'].format(n=len(brief['owed_to_me']), who=who))}</p><ul>"
                       + "".join(item(by_id[i]) for i in brief["owed_to_me"]) + "</ul>")
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
        out.append(f"<ul>{''.join(subs)}</ul></li>" if subs else "</li>")
    out.append("</ol><ul>")
    for side, key in (("owed_by_me", "owe_them"), ("owed_to_me", "they_owe")):
        counted = count_sentence(story["counts"][side], t)
        out.append(f"<li><strong>{esc(t[key].format(who=who))}</strong> — {esc(counted)}</li>")
    out.append("</ul></section>")
    return "".join(out)
