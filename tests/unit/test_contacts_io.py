"""The contacts file reader and writer as pure functions: a vCard 4.0 export reads back as the same people
(Hypothesis, any text a contact may hold), and names match whatever their case, accents and word order."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from events.facts import Contact
from server.contacts_io import normalise_name, plan_import, read_vcards, write_vcards

AT = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)
# Any printable text but the surrogates and the controls (a contact's fields are typed by people); vCard's own
# special characters are drawn often, since escaping them is where a writer or a reader goes wrong.
text = st.text(
    st.one_of(st.sampled_from(",;:\\\"=é漢Ωل "), st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))),
    min_size=1, max_size=40,
).map(str.strip).filter(bool)
note = st.lists(text, min_size=1, max_size=3).map("\n".join)
contact_fields = st.fixed_dictionaries(
    {"name": text},
    optional={"email": st.emails().filter(lambda e: len(e) <= 254), "phone": text, "org": text, "title": text,
              "note": note, "tags": st.lists(text.map(lambda t: t[:50].strip()).filter(bool), min_size=1, max_size=4,
                                             unique=True)},
)


@settings(max_examples=150, deadline=None)
@given(st.lists(contact_fields, min_size=1, max_size=5))
def test_an_export_reads_back_as_the_same_people_with_their_ids(people):
    contacts = [Contact(f"c-{i}", added=True, fields=fields) for i, fields in enumerate(people)]
    read = read_vcards(write_vcards(contacts).encode(), 100)
    assert [p.uid for p in read] == [c.id for c in contacts]
    for person, fields in zip(read, people):
        assert person.name == fields["name"]
        assert person.emails == ([fields["email"]] if "email" in fields else [])
        for name in ("phone", "org", "title", "note"):
            assert getattr(person, name) == fields.get(name), name
        assert person.tags == fields.get("tags", [])
    # and importing it back into the log it came from changes nothing
    plans = plan_import(read, {c.id: c for c in contacts}, AT)
    assert {(p.outcome, p.reason) for p in plans} == {("skipped", "matches_by_id")}


def test_names_match_whatever_their_case_accents_spacing_and_word_order():
    assert normalise_name("Hervé  MARTIN") == normalise_name("martin herve") == normalise_name("Martin Hervé")
    assert normalise_name("Zoë Lefèvre-Durand") == normalise_name("zoe lefevre durand")
    assert normalise_name("Γιώργος") == normalise_name("ΓΙΩΡΓΟΣ".lower().replace("ω", "ώ"))
    # a Japanese voiced mark makes another letter: が is not か
    assert normalise_name("がく") != normalise_name("かく")


def test_ids_come_from_the_source_not_from_the_file_order_or_the_moment():
    from pathlib import Path

    body = (Path(__file__).parents[1] / "fixtures" / "contacts" / "android.vcf").read_bytes()
    people = read_vcards(body, 100)
    first = {p.name: p.event["id"] for p in plan_import(people, {}, AT) if p.event}
    later = AT + dt.timedelta(days=30)
    again = {p.name: p.event["id"] for p in plan_import(list(reversed(people)), {}, later) if p.event}
    assert first == again and len(set(first.values())) == 3
    # the same person from another export (same first email, other fields) is the same contact
    other = read_vcards(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:H. Martin\r\nEMAIL:herve.martin@example.org\r\n"
                        b"END:VCARD\r\n", 1)
    (plan,) = plan_import(other, {}, AT)
    assert plan.contact == first["Hervé Martin"]


def test_a_card_without_fn_is_named_from_n_given_name_first():
    card = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=4D=61=72=74=69=6E;"
            b"=48=65=72=76=C3=A9;;Dr;\r\nEND:VCARD\r\n")
    (person,) = read_vcards(card, 1)
    assert person.name == "Dr Hervé Martin"


def test_a_tag_named_as_a_google_group_survives_merci_s_own_export_but_not_google_s():
    # Found by the property above: a person tagged "myContacts" in Merci lost the tag on re-import
    ours = read_vcards(write_vcards([Contact("c-1", added=True, fields={"name": "Zoé", "tags": ["myContacts", "golf"]})])
                       .encode(), 100)
    google = read_vcards(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zo\xc3\xa9\r\nCATEGORIES:myContacts,starred,golf\r\n"
                         b"END:VCARD\r\n", 100)
    assert [p.tags for p in ours] == [["myContacts", "golf"]]
    assert [p.tags for p in google] == [["golf"]]
