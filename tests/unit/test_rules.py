"""The five rules both ways, as behaviour: small logs built in Python, expectations read off docs/rules.md.

These cover what the vectors leave implicit: which obligation a thank-you goes to, what a snooze, a dismissal
or an archive does, what a relationship's history shows, and how scores count.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from events import project
from events.project import mentions

from .logbook import Log, day


def status_of(log: Log, oid: str, as_of: str) -> str:
    return log.obligations(as_of)[oid]["status"]


# --- thank ----------------------------------------------------------------------------------------


def met(log: Log, on: str, meeting: str = "m1", contacts=("c1",), host: str = "them", time: str = "10:00") -> str:
    return log.meeting_logged(on, time, meeting=meeting, contacts=list(contacts), host=host)


@pytest.mark.parametrize(("after", "grade"), [(0, "early"), (1, "on_time"), (2, "late"), (6, "late"),
                                              (7, "very_late"), (40, "very_late")])
def test_thank_grade_follows_the_days_since_the_meeting(after, grade):
    log = Log()
    met(log, "2026-05-12")
    log.thanks_sent(day("2026-05-12", after), "18:00", contact="c1", meeting="m1", channel="email")
    got = log.obligations("2026-08-01")["thank:m1:c1"]
    assert (got["due"], got["status"], got["grade"], got["done_on"]) == (
        "2026-05-13", "done", grade, day("2026-05-12", after))


def test_thanking_the_same_day_is_early():
    log = Log()
    met(log, "2026-05-12", time="10:00")
    log.thanks_sent("2026-05-12", "21:00", contact="c1", channel="email")
    assert log.obligations("2026-05-12")["thank:m1:c1"]["grade"] == "early"


def test_a_thank_you_written_before_the_meeting_on_the_same_day_still_counts():
    # dates, not times: sent at 09:00 for a meeting logged at 10:00 the same day is early, not ignored
    log = Log()
    log.thanks_sent("2026-05-12", "09:00", contact="c1", channel="email")
    met(log, "2026-05-12", time="10:00")
    got = log.obligations("2026-05-20")["thank:m1:c1"]
    assert (got["status"], got["grade"]) == ("done", "early")


def test_a_thank_you_from_the_day_before_the_meeting_fulfils_nothing():
    log = Log()
    log.thanks_sent("2026-05-11", contact="c1", channel="email")
    met(log, "2026-05-12")
    assert status_of(log, "thank:m1:c1", "2026-05-20") == "overdue"


def test_an_unthanked_meeting_is_upcoming_then_due_the_day_after_then_overdue():
    log = Log()
    met(log, "2026-05-12")
    assert [status_of(log, "thank:m1:c1", day("2026-05-12", n)) for n in (0, 1, 2, 30)] == [
        "upcoming", "due", "overdue", "overdue"]


def test_a_meeting_owes_one_thank_to_each_contact():
    log = Log()
    met(log, "2026-05-12", contacts=("c1", "c2", "c1"))
    got = log.obligations("2026-05-12")
    assert sorted(got) == ["thank:m1:c1", "thank:m1:c2"]


def test_a_meeting_late_in_the_evening_is_on_that_local_day():
    log = Log(offset="+02:00")
    met(log, "2026-05-12", time="23:30")  # 21:30 UTC: the same day everywhere from UTC to Paris
    log.add("meeting_logged", "2026-05-13", "00:30", meeting="m2", contacts=["c2"])  # 22:30 UTC on the 12th
    paris = log.obligations("2026-05-20", "Europe/Paris")
    utc = log.obligations("2026-05-20", "UTC")
    assert paris["thank:m1:c1"]["due"] == utc["thank:m1:c1"]["due"] == "2026-05-13"
    assert paris["thank:m2:c2"]["due"] == "2026-05-14" and utc["thank:m2:c2"]["due"] == "2026-05-13"


def test_thanks_without_a_meeting_go_to_the_oldest_open_thank():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-14", "m2")
    log.thanks_sent("2026-05-15", contact="c1", channel="email")
    got = log.obligations("2026-05-15")
    assert got["thank:m1:c1"]["done_on"] == "2026-05-15" and got["thank:m1:c1"]["grade"] == "late"
    assert got["thank:m2:c1"]["status"] == "due"


def test_one_thank_you_fulfils_one_obligation_and_the_next_goes_to_the_next():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-13", "m2")
    log.thanks_sent("2026-05-14", contact="c1", channel="email")
    log.thanks_sent("2026-05-14", "11:00", contact="c1", channel="email")
    got = log.obligations("2026-05-14")
    assert (got["thank:m1:c1"]["grade"], got["thank:m2:c1"]["grade"]) == ("late", "on_time")


def test_thanks_without_a_meeting_skip_meetings_after_them():
    log = Log()
    met(log, "2026-05-12", "m1")
    log.thanks_sent("2026-05-13", contact="c1", channel="email")
    log.thanks_sent("2026-05-13", "11:00", contact="c1", channel="email")  # m2 had not happened yet
    met(log, "2026-05-20", "m2")
    got = log.obligations("2026-05-30")
    assert got["thank:m1:c1"]["status"] == "done" and got["thank:m2:c1"]["status"] == "overdue"


def test_thanks_naming_a_meeting_fulfil_that_meeting_only():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-13", "m2")
    log.thanks_sent("2026-05-14", contact="c1", meeting="m2", channel="email")
    got = log.obligations("2026-05-14")
    assert got["thank:m2:c1"]["status"] == "done" and got["thank:m1:c1"]["status"] == "overdue"


def test_thanks_naming_a_meeting_already_thanked_fulfil_nothing_else():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-13", "m2")
    log.thanks_sent("2026-05-13", contact="c1", meeting="m1", channel="email")
    log.thanks_sent("2026-05-14", contact="c1", meeting="m1", channel="letter")
    got = log.obligations("2026-05-15")
    assert got["thank:m1:c1"]["done_on"] == "2026-05-13"
    assert got["thank:m2:c1"]["status"] == "overdue"


def test_thanks_naming_another_contacts_meeting_fulfil_nothing():
    log = Log()
    met(log, "2026-05-12", "m1", contacts=("c1",))
    log.thanks_sent("2026-05-13", contact="c2", meeting="m1", channel="email")
    assert status_of(log, "thank:m1:c1", "2026-05-13") == "due"


def test_when_i_host_they_owe_me_the_thank_you():
    log = Log()
    met(log, "2026-05-12", host="me")
    got = log.obligations("2026-05-12")["thank:m1:c1"]
    assert (got["debtor"], got["creditor"]) == ("c1", "me")


def test_thanks_received_fulfil_only_what_they_owe_me():
    log = Log()
    met(log, "2026-05-12", "m1", host="me")
    met(log, "2026-05-12", "m2", host="them")
    log.thanks_received("2026-05-13", contact="c1", channel="email")
    got = log.obligations("2026-05-13")
    assert got["thank:m1:c1"]["status"] == "done" and got["thank:m1:c1"]["grade"] == "on_time"
    assert got["thank:m2:c1"]["status"] == "due"  # what I owe them is still owed


def test_thanks_sent_do_not_fulfil_what_they_owe_me():
    log = Log()
    met(log, "2026-05-12", "m1", host="me")
    log.thanks_sent("2026-05-13", contact="c1", meeting="m1", channel="email")
    log.thanks_sent("2026-05-13", "11:00", contact="c1", channel="email")
    assert status_of(log, "thank:m1:c1", "2026-05-13") == "due"


# --- report ---------------------------------------------------------------------------------------


def given(log: Log, on: str, referral="r1", introducer="c-herve", referred="c-anne"):
    return log.referral_given(on, referral=referral, introducer=introducer, referred=referred)


@pytest.mark.parametrize(("after", "grade"), [(0, "on_time"), (7, "on_time"), (8, "late"), (20, "late"),
                                              (21, "very_late")])
def test_report_window_counts_from_the_outcome(after, grade):
    log = Log()
    given(log, "2026-05-12")
    log.referral_outcome("2026-05-20", referral="r1", outcome="declined")
    log.introducer_informed(day("2026-05-20", after), referral="r1", channel="email")
    got = log.obligations("2026-07-01")["report:r1"]
    assert (got["debtor"], got["creditor"], got["due"], got["grade"]) == ("me", "c-herve", "2026-05-20", grade)


def test_no_outcome_known_no_report_owed():
    log = Log()
    given(log, "2026-05-12")
    log.introducer_informed("2026-05-13", referral="r1", channel="email")
    assert not any(oid.startswith("report:") for oid in log.obligations("2026-09-01"))


def test_meeting_the_referred_person_makes_the_outcome_known():
    log = Log()
    given(log, "2026-05-12")
    met(log, "2026-05-26", "m2", contacts=("c-anne",))
    log.referral_outcome("2026-06-01", referral="r1", outcome="meeting_obtained")  # later: the meeting was first
    got = log.obligations("2026-06-01")["report:r1"]
    assert got["due"] == "2026-05-26" and got["status"] == "due"
    assert status_of(log, "report:r1", "2026-06-03") == "overdue"


def test_a_meeting_before_the_referral_does_not_make_its_outcome_known():
    log = Log()
    met(log, "2026-05-01", "m0", contacts=("c-anne",))
    given(log, "2026-05-12")
    assert "report:r1" not in log.obligations("2026-06-01")


def test_an_outcome_logged_before_the_referral_counts_from_the_referral_date():
    log = Log()
    log.referral_outcome("2026-05-10", referral="r1", outcome="no_answer")
    given(log, "2026-05-12")
    assert log.obligations("2026-05-12")["report:r1"]["due"] == "2026-05-12"


def test_informing_before_the_outcome_does_not_count():
    log = Log()
    given(log, "2026-05-12")
    log.introducer_informed("2026-05-13", referral="r1", channel="email")
    log.referral_outcome("2026-05-20", referral="r1", outcome="declined")
    assert status_of(log, "report:r1", "2026-06-30") == "overdue"


def test_a_referral_i_made_is_owed_back_to_me_by_the_person_i_helped():
    log = Log()
    log.referral_made("2026-05-12", referral="r2", to="c-paul", referred="c-marc")
    log.referral_outcome("2026-06-10", referral="r2", outcome="meeting_obtained")
    log.introducer_informed("2026-06-11", referral="r2", channel="email")  # not how they tell me
    got = log.obligations("2026-06-30")["report:r2"]
    assert (got["debtor"], got["creditor"], got["due"], got["status"]) == ("c-paul", "me", "2026-06-10", "overdue")
    log.update_received("2026-06-25", referral="r2")  # O+15
    got = log.obligations("2026-06-30")["report:r2"]
    assert (got["status"], got["grade"], got["done_on"]) == ("done", "late", "2026-06-25")


def test_meeting_the_person_i_referred_does_not_tell_me_how_it_went():
    log = Log()
    log.referral_made("2026-05-12", referral="r2", to="c-paul", referred="c-marc")
    met(log, "2026-05-20", "m9", contacts=("c-marc",))
    assert "report:r2" not in log.obligations("2026-06-30")


# --- announce -------------------------------------------------------------------------------------


def test_finding_a_job_owes_an_announce_to_everyone_who_helped_since_the_last_one():
    log = Log()
    met(log, "2026-01-10", "m1", contacts=("c-old",))
    log.job_found("2026-02-01", id="job1")
    met(log, "2026-03-01", "m2", contacts=("c-met",), host="me")  # either host
    given(log, "2026-03-02", introducer="c-intro", referred="c-ref")
    log.contact_added("2026-03-03", contact="c-idle", name="Idle")  # added, never helped
    met(log, "2026-04-01", "m3", contacts=("c-day",), time="18:00")  # later the same day still counts
    log.job_found("2026-04-01", "09:00", id="job2")
    got = log.obligations("2026-04-01")
    announces = sorted(oid for oid in got if oid.startswith("announce:job2:"))
    assert announces == ["announce:job2:c-day", "announce:job2:c-intro", "announce:job2:c-met"]
    assert [oid for oid in got if oid.startswith("announce:job1:")] == ["announce:job1:c-old"]
    assert got["announce:job2:c-met"]["due"] == "2026-04-01" and got["announce:job2:c-met"]["trigger"] == "job2"


@pytest.mark.parametrize(("after", "grade"), [(0, "on_time"), (1, "late"), (6, "late"), (7, "very_late")])
def test_announcing_the_job(after, grade):
    log = Log()
    met(log, "2026-03-01")
    log.job_found("2026-04-01", id="job")
    log.job_announced(day("2026-04-01", after), contact="c1", channel="call")
    assert log.obligations("2026-05-01")["announce:job:c1"]["grade"] == grade


def test_announcing_before_the_job_was_found_fulfils_nothing():
    log = Log()
    met(log, "2026-03-01")
    log.job_announced("2026-03-31", contact="c1", channel="call")
    log.job_found("2026-04-01", id="job")
    assert status_of(log, "announce:job:c1", "2026-04-02") == "overdue"


def test_two_jobs_found_the_same_day_the_second_has_no_helpers():
    log = Log()
    met(log, "2026-03-01")
    log.job_found("2026-04-01", "09:00", id="job-a")
    log.job_found("2026-04-01", "17:00", id="job-b")
    got = log.obligations("2026-04-01")
    assert [oid for oid in got if oid.startswith("announce:")] == ["announce:job-a:c1"]


def test_a_contact_archived_on_the_day_of_the_job_is_not_a_helper():
    log = Log()
    met(log, "2026-03-01", "m1", contacts=("c1", "c2"))
    log.contact_archived("2026-04-01", "08:00", contact="c1")
    log.contact_archived("2026-04-02", contact="c2")  # archived after: still owed
    log.job_found("2026-04-01", id="job")
    got = log.obligations("2026-04-10")
    assert "announce:job:c1" not in got and got["announce:job:c2"]["status"] == "overdue"


def test_one_announcement_fulfils_the_oldest_open_announce():
    log = Log()
    met(log, "2026-03-01", "m1")
    log.job_found("2026-04-01", id="job-a")
    met(log, "2026-05-01", "m2")
    log.job_found("2026-06-01", id="job-b")
    log.job_announced("2026-06-01", contact="c1", channel="email")
    got = log.obligations("2026-06-01")
    assert got["announce:job-a:c1"]["grade"] == "very_late"
    assert got["announce:job-b:c1"]["status"] == "due"


# --- nurture --------------------------------------------------------------------------------------


def test_no_meeting_no_nurture():
    log = Log()
    log.contact_added("2026-01-01", contact="c1", name="A")
    log.idea_shared("2026-01-02", contact="c1", idea="x")
    assert log.obligations("2027-01-01") == {}


def test_nurture_is_listed_seven_days_before_due_and_due_after_the_cadence():
    log = Log()
    met(log, "2026-01-01")  # default cadence 90: due 2026-04-01, listed from 2026-03-25
    oid = "nurture:c1:2026-04-01"
    assert oid not in log.obligations("2026-03-24")
    assert status_of(log, oid, "2026-03-25") == "upcoming"
    assert [status_of(log, oid, d) for d in ("2026-04-01", "2026-04-15", "2026-04-16")] == ["due", "due", "overdue"]
    assert log.obligations("2026-03-25")[oid]["trigger"] == log.events[0].id


def test_a_touch_before_due_minus_7_only_moves_due():
    log = Log()
    met(log, "2026-01-01")
    log.idea_shared("2026-03-24", contact="c1", idea="an article")  # due-8: nothing listed yet
    got = log.obligations("2026-06-30")
    nurture = {oid: o for oid, o in got.items() if o["rule"] == "nurture"}
    assert list(nurture) == ["nurture:c1:2026-06-22"]  # 2026-03-24 + 90
    assert nurture["nurture:c1:2026-06-22"]["status"] == "due"


def test_a_touch_from_due_minus_7_fulfils_and_starts_the_next_cycle():
    log = Log()
    met(log, "2026-01-01")
    touch = log.idea_shared("2026-03-25", contact="c1", idea="an article")  # due-7
    got = log.obligations("2026-06-20")
    done = got["nurture:c1:2026-04-01"]
    assert (done["status"], done["grade"], done["done_on"]) == ("done", "early", "2026-03-25")
    following = got["nurture:c1:2026-06-23"]  # 2026-03-25 + 90
    assert following["status"] == "upcoming" and following["trigger"] == touch


@pytest.mark.parametrize(("on", "grade"), [("2026-04-15", "on_time"), ("2026-04-16", "late"),
                                           ("2026-05-15", "late"), ("2026-05-16", "very_late")])
def test_nurture_grades(on, grade):
    log = Log()
    met(log, "2026-01-01")
    log.thanks_sent(on, contact="c1", channel="email")  # a thank-you is a touch too
    assert log.obligations(on)["nurture:c1:2026-04-01"]["grade"] == grade


@pytest.mark.parametrize("touch", ["meeting_logged", "thanks_sent", "job_announced", "idea_shared",
                                   "introducer_informed"])
def test_every_kind_of_touch_fulfils_nurture(touch):
    log = Log()
    given(log, "2025-12-01", introducer="c1", referred="c9")
    log.referral_outcome("2025-12-02", referral="r1", outcome="declined")
    met(log, "2026-01-01")
    data = {"meeting_logged": {"meeting": "m2", "contacts": ["c1"]}, "thanks_sent": {"contact": "c1", "channel": "email"},
            "job_announced": {"contact": "c1", "channel": "email"}, "idea_shared": {"contact": "c1"},
            "introducer_informed": {"referral": "r1", "channel": "email"}}[touch]
    log.add(touch, "2026-04-02", **data)
    assert log.obligations("2026-04-02")["nurture:c1:2026-04-01"]["done_on"] == "2026-04-02"


@pytest.mark.parametrize(("kind", "data"), [
    ("greetings_sent", {"contacts": ["c1"]}),
    ("thanks_received", {"contact": "c1"}),
    ("contact_updated", {"contact": "c1", "note": "called"}),
    ("introducer_informed", {"referral": "r-other", "channel": "email"}),
])
def test_what_is_not_a_touch_leaves_nurture_open(kind, data):
    log = Log()
    met(log, "2026-01-01")
    given(log, "2026-01-02", referral="r-other", introducer="c-else", referred="c1")  # c1 was referred, not introducer
    log.add(kind, "2026-04-02", **data)
    assert status_of(log, "nurture:c1:2026-04-01", "2026-04-02") == "due"


def test_the_contacts_own_cadence_wins_and_zero_means_never():
    log = Log()
    log.contact_added("2025-12-01", contact="c1", name="A", cadence_days=30)
    log.contact_added("2025-12-01", contact="c2", name="B", cadence_days=0)
    met(log, "2026-01-01", contacts=("c1", "c2"))
    got = log.obligations("2026-06-01")
    assert [oid for oid in got if oid.startswith("nurture:")] == ["nurture:c1:2026-01-31"]


def test_clearing_a_contacts_cadence_falls_back_to_the_account_cadence():
    log = Log()
    log.contact_added("2025-12-01", contact="c1", name="A", cadence_days=30)
    met(log, "2026-01-01")
    log.contact_updated("2026-01-05", contact="c1", cadence_days=None)
    log.settings_changed("2026-01-06", cadence_days=60)
    got = log.obligations("2026-03-01")
    assert [oid for oid in got if oid.startswith("nurture:")] == ["nurture:c1:2026-03-02"]  # 01-01 + 60


def test_the_latest_account_cadence_applies_to_the_whole_history():
    log = Log()
    met(log, "2026-01-01")
    log.settings_changed("2026-02-01", cadence_days=30)  # after the meeting, yet it counts from it
    assert "nurture:c1:2026-01-31" in log.obligations("2026-02-01")
    assert "nurture:c1:2026-04-01" not in log.obligations("2026-04-01")


# --- greetings ------------------------------------------------------------------------------------


def test_greetings_exist_from_december_1_for_contacts_met_by_december_31():
    log = Log()
    met(log, "2026-06-01", "m1", contacts=("c1",))
    met(log, "2026-12-20", "m2", contacts=("c2",))
    log.contact_added("2026-06-01", contact="c3", name="Never met")
    assert not any(o.startswith("greetings:") for o in log.obligations("2026-11-30"))
    assert sorted(o for o in log.obligations("2026-12-01") if o.startswith("greetings:")) == ["greetings:2026:c1"]
    got = log.obligations("2026-12-20")
    assert sorted(o for o in got if o.startswith("greetings:")) == ["greetings:2026:c1", "greetings:2026:c2"]
    assert got["greetings:2026:c2"]["due"] == "2026-12-01"
    assert got["greetings:2026:c1"]["trigger"] == log.events[0].id  # the contact's first meeting


@pytest.mark.parametrize(("on", "grade"), [("2026-12-01", "on_time"), ("2026-12-31", "on_time"),
                                           ("2027-01-01", "late"), ("2027-01-31", "late")])
def test_greetings_grades(on, grade):
    log = Log()
    met(log, "2026-06-01")
    log.greetings_sent(on, contacts=["c1"])
    got = log.obligations("2027-03-01")["greetings:2026:c1"]
    assert (got["status"], got["grade"], got["done_on"]) == ("done", grade, on)


@pytest.mark.parametrize(("today", "status"), [("2026-12-01", "due"), ("2026-12-31", "due"),
                                               ("2027-01-01", "overdue"), ("2027-01-31", "overdue"),
                                               ("2027-02-01", "missed"), ("2028-06-01", "missed")])
def test_unsent_greetings_go_overdue_in_january_and_are_missed_in_february(today, status):
    log = Log()
    met(log, "2026-06-01")
    assert status_of(log, "greetings:2026:c1", today) == status


@pytest.mark.parametrize("on", ["2026-11-30", "2027-02-01"])
def test_greetings_outside_the_season_fulfil_nothing(on):
    log = Log()
    met(log, "2026-06-01")
    log.greetings_sent(on, contacts=["c1"])
    assert status_of(log, "greetings:2026:c1", "2027-03-01") == "missed"


def test_greetings_are_owed_every_year():
    log = Log()
    met(log, "2025-06-01")
    log.greetings_sent("2025-12-24", contacts=["c1"])
    got = log.obligations("2026-12-02")
    assert got["greetings:2025:c1"]["status"] == "done" and got["greetings:2026:c1"]["status"] == "due"


def test_a_missed_greetings_scores_zero():
    log = Log()
    log.contact_added("2026-05-01", contact="c1", name="A", cadence_days=0)
    met(log, "2026-06-01")
    log.thanks_sent("2026-06-02", contact="c1", channel="email")
    assert log.replay("2027-02-01")["scores"]["c1"]["owed_by_me"] == 0.5  # thank on time, greetings missed


# --- snooze ---------------------------------------------------------------------------------------


def test_snooze_hides_an_open_obligation_until_its_date():
    log = Log()
    met(log, "2026-05-12")
    log.obligation_snoozed("2026-05-14", obligation="thank:m1:c1", until="2026-05-20")
    got = log.obligations("2026-05-19")["thank:m1:c1"]
    assert (got["status"], got["snoozed_until"], got["due"]) == ("snoozed", "2026-05-20", "2026-05-13")


def test_snooze_expires_on_its_until_date():
    log = Log()
    met(log, "2026-05-12")
    log.obligation_snoozed("2026-05-14", obligation="thank:m1:c1", until="2026-05-20")
    got = log.obligations("2026-05-20")["thank:m1:c1"]
    assert (got["status"], got["snoozed_until"]) == ("overdue", None)


def test_a_snooze_counts_only_from_its_own_date():
    log = Log()
    met(log, "2026-05-12")
    log.obligation_snoozed("2026-05-16", obligation="thank:m1:c1", until="2026-05-20")
    assert status_of(log, "thank:m1:c1", "2026-05-15") == "overdue"
    assert status_of(log, "thank:m1:c1", "2026-05-16") == "snoozed"


def test_the_latest_snooze_wins_even_if_shorter():
    log = Log()
    met(log, "2026-05-12")
    log.obligation_snoozed("2026-05-14", obligation="thank:m1:c1", until="2026-06-30")
    log.obligation_snoozed("2026-05-15", obligation="thank:m1:c1", until="2026-05-18")
    assert status_of(log, "thank:m1:c1", "2026-05-18") == "overdue"


def test_a_snooze_never_changes_due_or_grade():
    log = Log()
    met(log, "2026-05-12")
    log.obligation_snoozed("2026-05-12", obligation="thank:m1:c1", until="2026-05-30")
    log.thanks_sent("2026-05-25", contact="c1", channel="email")
    got = log.obligations("2026-05-26")["thank:m1:c1"]
    assert (got["due"], got["status"], got["grade"], got["snoozed_until"]) == ("2026-05-13", "done", "very_late", None)


def test_a_snoozed_obligation_is_left_out_of_the_score():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-12", "m2", contacts=("c2",))
    log.obligation_snoozed("2026-05-14", obligation="thank:m1:c1", until="2026-06-01")
    doc = log.replay("2026-05-20")
    assert doc["scores"]["c1"]["owed_by_me"] is None and doc["overall"]["owed_by_me"] == 0.0


def test_a_snooze_of_a_missed_greetings_does_not_hide_it():
    log = Log()
    met(log, "2026-06-01")
    log.obligation_snoozed("2027-02-05", obligation="greetings:2026:c1", until="2027-03-01")
    assert status_of(log, "greetings:2026:c1", "2027-02-10") == "missed"


def test_a_snooze_written_before_the_obligation_exists_applies_once_it_does():
    log = Log()
    met(log, "2026-01-01")
    log.obligation_snoozed("2026-01-02", obligation="nurture:c1:2026-04-01", until="2026-05-01")
    got = log.obligations("2026-04-10")["nurture:c1:2026-04-01"]
    assert (got["status"], got["snoozed_until"]) == ("snoozed", "2026-05-01")


# --- dismiss --------------------------------------------------------------------------------------


def test_a_dismissed_obligation_is_dismissed_and_left_out_of_scores():
    log = Log()
    met(log, "2026-05-12", "m1")
    log.obligation_dismissed("2026-05-20", obligation="thank:m1:c1", reason="he left")
    doc = log.replay("2026-05-20")
    (thank,) = [o for o in doc["obligations"] if o["id"] == "thank:m1:c1"]
    assert (thank["status"], thank["grade"], thank["done_on"]) == ("dismissed", None, None)
    assert doc["scores"]["c1"]["owed_by_me"] is None


def test_after_a_dismissal_later_thanks_go_to_the_next_open_obligation():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-13", "m2")
    log.obligation_dismissed("2026-05-13", "12:00", obligation="thank:m1:c1")
    log.thanks_sent("2026-05-14", contact="c1", channel="email")
    got = log.obligations("2026-05-14")
    assert got["thank:m1:c1"]["status"] == "dismissed"
    assert (got["thank:m2:c1"]["status"], got["thank:m2:c1"]["grade"]) == ("done", "on_time")


def test_thanks_naming_a_dismissed_meeting_fulfil_nothing():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-12", "m2")
    log.obligation_dismissed("2026-05-12", "12:00", obligation="thank:m1:c1")
    log.thanks_sent("2026-05-13", contact="c1", meeting="m1", channel="email")
    got = log.obligations("2026-05-13")
    assert got["thank:m1:c1"]["status"] == "dismissed" and got["thank:m2:c1"]["status"] == "due"


def test_dismissing_a_done_obligation_changes_nothing():
    log = Log()
    met(log, "2026-05-12")
    log.thanks_sent("2026-05-13", contact="c1", channel="email")
    log.obligation_dismissed("2026-05-14", obligation="thank:m1:c1")
    got = log.obligations("2026-05-14")["thank:m1:c1"]
    assert (got["status"], got["grade"]) == ("done", "on_time")


def test_dismissing_the_open_nurture_keeps_later_cycles_going():
    log = Log()
    met(log, "2026-01-01")
    log.obligation_dismissed("2026-03-30", obligation="nurture:c1:2026-04-01")
    log.idea_shared("2026-04-05", contact="c1")
    got = log.obligations("2026-07-01")
    assert got["nurture:c1:2026-04-01"]["status"] == "dismissed"
    assert got["nurture:c1:2026-07-04"]["status"] == "upcoming"  # the touch of 04-05 started the next cycle


def test_a_dismissal_of_an_unknown_obligation_does_nothing():
    log = Log()
    met(log, "2026-05-12")
    log.obligation_dismissed("2026-05-12", obligation="thank:m9:c1")
    assert set(log.obligations("2026-05-13")) == {"thank:m1:c1"}


# --- archive --------------------------------------------------------------------------------------


def test_archiving_drops_open_nurture_and_greetings_and_starts_no_new_ones():
    log = Log()
    met(log, "2026-06-01")
    log.contact_archived("2026-12-10", contact="c1")
    got = log.obligations("2027-12-31")
    assert not any(o["rule"] in ("nurture", "greetings") and o["status"] != "done" for o in got.values())
    assert not any(oid.startswith(("greetings:2026", "greetings:2027")) for oid in got)


def test_archiving_keeps_what_was_done():
    log = Log()
    met(log, "2026-01-01")
    log.idea_shared("2026-04-01", contact="c1")
    log.greetings_sent("2026-12-02", contacts=["c1"])
    log.contact_archived("2026-12-10", contact="c1")
    got = log.obligations("2027-12-31")
    assert got["nurture:c1:2026-04-01"]["status"] == "done"
    assert got["greetings:2026:c1"]["status"] == "done"
    # the next cycle (due 2026-06-30, from the touch of 04-01) was open when archived: dropped
    assert sorted(o["rule"] for o in got.values()) == ["greetings", "nurture", "thank"]


def test_archiving_keeps_a_greetings_already_missed():
    log = Log()
    log.contact_added("2026-05-01", contact="c1", name="A", cadence_days=0)
    met(log, "2026-06-01")
    log.contact_archived("2027-03-01", contact="c1")
    got = log.obligations("2027-12-31")
    assert got["greetings:2026:c1"]["status"] == "missed"
    assert "greetings:2027:c1" not in got


def test_archiving_keeps_thank_report_and_announce():
    log = Log()
    met(log, "2026-05-12", contacts=("c1",))
    given(log, "2026-05-12", introducer="c1", referred="c2")
    log.referral_outcome("2026-05-20", referral="r1", outcome="declined")
    log.job_found("2026-05-21", id="job")
    log.contact_archived("2026-05-22", contact="c1")
    got = log.obligations("2026-06-30")
    assert {oid: o["status"] for oid, o in got.items() if o["creditor"] == "c1"} == {
        "thank:m1:c1": "overdue", "report:r1": "overdue", "announce:job:c1": "overdue"}


def test_touches_after_archiving_fulfil_no_nurture():
    log = Log()
    met(log, "2026-01-01")
    log.contact_archived("2026-02-01", contact="c1")
    log.idea_shared("2026-04-01", contact="c1")
    assert not any(o.startswith("nurture:") for o in log.obligations("2026-12-31"))


# --- scores ---------------------------------------------------------------------------------------


def test_scores_count_on_time_over_done_overdue_and_missed():
    log = Log()
    log.contact_added("2026-01-01", contact="c1", name="A", cadence_days=0)
    for n, after in enumerate((1, 1, 0, 3, None, None), start=1):  # on time x2, early, late, open x2
        met(log, day("2026-05-01", 10 * n), f"m{n}")
        if after is not None:
            log.thanks_sent(day("2026-05-01", 10 * n + after), contact="c1", meeting=f"m{n}", channel="email")
    # as of the day after m6: m5 overdue (counts), m6 due (left out)
    doc = log.replay(day("2026-05-01", 61))
    statuses = sorted(o["status"] for o in doc["obligations"])
    assert statuses == ["done", "done", "done", "done", "due", "overdue"]
    assert doc["scores"]["c1"]["owed_by_me"] == pytest.approx(2 / 5)
    assert doc["overall"] == {"owed_by_me": pytest.approx(2 / 5), "owed_to_me": None}


def test_scores_list_every_contact_added_or_named_even_with_nothing_owed():
    log = Log()
    log.contact_added("2026-01-01", contact="c-added", name="A")
    log.referral_made("2026-01-02", referral="r1", to="c-to", referred="c-ref")
    log.greetings_sent("2026-01-03", contacts=["c-greeted"])
    doc = log.replay("2026-01-03")
    assert sorted(doc["scores"]) == ["c-added", "c-greeted", "c-ref", "c-to"]
    assert all(s == {"owed_by_me": None, "owed_to_me": None} for s in doc["scores"].values())


def test_overall_counts_both_ways_separately():
    log = Log()
    met(log, "2026-05-01", "m1", contacts=("c1",), host="me")
    log.thanks_received("2026-05-02", contact="c1")
    met(log, "2026-05-01", "m2", contacts=("c2",), host="me")
    met(log, "2026-05-01", "m3", contacts=("c3",))
    doc = log.replay("2026-05-10")
    assert doc["overall"] == {"owed_by_me": 0.0, "owed_to_me": 0.5}
    assert doc["scores"]["c1"] == {"owed_by_me": None, "owed_to_me": 1.0}


# --- dates, order, unknown contacts ---------------------------------------------------------------


def test_the_log_time_zone_applies_to_the_whole_history():
    log = Log(offset="+00:00")
    met(log, "2026-05-12", time="22:30")  # 00:30 on the 13th in Paris
    log.settings_changed("2026-05-20", timezone="Europe/Paris")  # set later: still applies to m1
    doc = log.replay("2026-05-20", tz=None)
    assert doc["timezone"] == "Europe/Paris"
    assert {o["id"]: o["due"] for o in doc["obligations"]}["thank:m1:c1"] == "2026-05-14"


def test_the_latest_time_zone_setting_wins_whatever_as_of():
    log = Log()
    log.settings_changed("2026-05-01", timezone="Europe/Paris")
    log.settings_changed("2026-05-02", timezone="America/New_York")
    log.settings_changed("2026-05-03", language="fr")  # no time zone: leaves it as it was
    assert log.replay("2026-05-10", tz=None)["timezone"] == "America/New_York"
    # a past audit too: the zone is the latest in the whole log, counted or not (DESIGN.md §2, 2026-12)
    assert log.replay("2026-05-01", tz=None)["timezone"] == "America/New_York"
    assert log.replay("2026-04-01", tz=None)["timezone"] == "America/New_York"


def test_a_time_zone_set_after_as_of_dates_the_events_before_it():
    """An account made in Paris on Dec 1, replayed to Nov 27: its back-logged meeting at 00:30 Paris on the
    26th is on the 26th, not the 25th as in UTC, so its thank is due on the 27th, not overdue."""
    log = Log(offset="+00:00")
    met(log, "2026-11-25", time="23:30")  # 00:30 on the 26th in Paris
    log.settings_changed("2026-12-01", timezone="Europe/Paris")
    doc = log.replay("2026-11-27", tz=None)
    assert doc["timezone"] == "Europe/Paris"
    assert [(o["id"], o["due"], o["status"]) for o in doc["obligations"]] == [("thank:m1:c1", "2026-11-27", "due")]


def test_a_time_zone_set_on_as_of_counts_whatever_offset_it_is_written_with():
    log = Log()
    log.settings_changed("2026-05-01", timezone="Europe/Paris")
    # 00:30 at UTC+14 on the 21st is 10:30 UTC on the 20th: 12:30 in Paris, 06:30 in New York, both the 20th
    log.add("settings_changed", "2026-05-21", "00:30", offset="+14:00", timezone="America/New_York")
    assert log.replay("2026-05-20", tz=None)["timezone"] == "America/New_York"


@pytest.mark.parametrize(("zone", "change"), [
    ("Europe/Paris", "2026-03-29"), ("Europe/Paris", "2026-10-25"),
    ("America/Santiago", "2026-04-04"), ("America/Santiago", "2026-09-06"),  # at midnight: 00:00 skipped/repeated
    ("America/Havana", "2026-03-08"), ("America/Havana", "2026-11-01"),
    ("Australia/Lord_Howe", "2026-04-05"),  # half an hour
])
def test_local_dates_are_right_across_daylight_saving_changes(zone, change):
    log = Log(offset="+00:00")
    start = dt.datetime.fromisoformat(change).replace(tzinfo=dt.timezone.utc) - dt.timedelta(days=2)
    for step in range(4 * 24 * 3):  # every 20 minutes for four days
        when = start + dt.timedelta(minutes=20 * step)
        log.add("idea_shared", when.date().isoformat(), when.strftime("%H:%M"), contact="c1")
    history = log.history("c1", "2026-12-31", tz=zone)
    expected = [e.at.astimezone(ZoneInfo(zone)).date().isoformat() for e in log.events]
    assert [entry["date"] for entry in history["events"]] == expected


def test_as_of_cuts_at_local_midnight_even_where_midnight_is_skipped():
    # Santiago (UTC-4) skips 2026-09-06 00:00-01:00 and goes to UTC-3: the 5th ends at 04:00 UTC on the 6th
    log = Log(offset="+00:00")
    log.idea_shared("2026-09-06", "03:59", contact="c1")  # 23:59 on the 5th in Santiago
    log.idea_shared("2026-09-06", "04:00", contact="c1")  # 01:00 on the 6th
    assert len(log.history("c1", "2026-09-05", tz="America/Santiago")["events"]) == 1
    assert len(log.history("c1", "2026-09-06", tz="America/Santiago")["events"]) == 2


def test_events_count_by_local_date_against_as_of():
    log = Log(offset="+00:00")
    met(log, "2026-05-12", time="22:30")  # the 13th in Paris
    assert log.obligations("2026-05-12", "UTC") != {}
    assert log.obligations("2026-05-12", "Europe/Paris") == {}


def test_a_duplicate_id_counts_once_the_first_in_at_order():
    log = Log()
    log.add("meeting_logged", "2026-05-13", meeting="m-late", contacts=["c1"], id="same")
    log.add("meeting_logged", "2026-05-12", meeting="m-early", contacts=["c1"], id="same")
    assert set(log.obligations("2026-05-20")) == {"thank:m-early:c1"}


def test_a_contact_never_added_is_owed_under_its_id():
    log = Log()
    met(log, "2026-05-12", contacts=("c-ghost",))
    doc = log.replay("2026-05-14")
    assert [o["creditor"] for o in doc["obligations"]] == ["c-ghost"]
    assert "c-ghost" in doc["scores"]
    history = log.history("c-ghost", "2026-05-14")
    assert history["name"] == "c-ghost" and history["added"] is False


# --- relationship history and mentions ------------------------------------------------------------


def test_history_shows_both_ways():
    log = Log()
    log.contact_added("2026-05-01", contact="c1", name="Hervé", cadence_days=0)
    met(log, "2026-05-12", "m1", host="them")  # I owe thanks
    met(log, "2026-05-20", "m2", host="me")  # he owes thanks
    log.thanks_sent("2026-05-13", contact="c1", channel="email")
    met(log, "2026-05-20", "m3", contacts=("c2",))  # someone else
    history = log.history("c1", "2026-06-01")
    assert history["name"] == "Hervé" and history["added"] is True
    ways = {o["id"]: (o["debtor"], o["creditor"], o["status"]) for o in history["obligations"]}
    assert ways == {"thank:m1:c1": ("me", "c1", "done"), "thank:m2:c1": ("c1", "me", "overdue")}
    assert history["scores"] == {"owed_by_me": 1.0, "owed_to_me": 0.0}
    assert [e["type"] for e in history["events"]] == ["contact_added", "meeting_logged", "thanks_sent",
                                                      "meeting_logged"]


def test_history_follows_referrals_to_both_people_they_name():
    log = Log()
    r_given = given(log, "2026-05-12", introducer="c-herve", referred="c-anne")
    outcome = log.referral_outcome("2026-05-20", referral="r1", outcome="meeting_obtained")
    informed = log.introducer_informed("2026-05-21", referral="r1", channel="email")
    made = log.referral_made("2026-05-22", referral="r2", to="c-anne", referred="c-paul")
    update = log.update_received("2026-06-01", referral="r2")
    unrelated = log.referral_given("2026-05-23", referral="r3", introducer="c-x", referred="c-y")
    anne = [e["id"] for e in log.history("c-anne", "2026-06-30")["events"]]
    herve = [e["id"] for e in log.history("c-herve", "2026-06-30")["events"]]
    assert anne == [r_given, outcome, informed, made, update]
    assert herve == [r_given, outcome, informed]
    assert unrelated not in anne
    report = log.history("c-herve", "2026-06-30")["obligations"]
    assert [(o["id"], o["status"], o["grade"]) for o in report] == [("report:r1", "done", "on_time")]


def test_history_shows_snoozes_and_dismissals_of_its_own_obligations_only():
    log = Log()
    met(log, "2026-05-12", "m1", contacts=("c1", "c2"))
    mine = log.obligation_snoozed("2026-05-13", obligation="thank:m1:c1", until="2026-05-20")
    other = log.obligation_dismissed("2026-05-13", obligation="thank:m1:c2")
    unknown = log.obligation_dismissed("2026-05-13", obligation="thank:m9:c1")
    ids = [e["id"] for e in log.history("c1", "2026-05-14")["events"]]
    assert mine in ids and other not in ids and unknown not in ids


def test_history_events_carry_their_local_date():
    log = Log(offset="+00:00")
    met(log, "2026-05-12", time="22:30")
    (entry,) = log.history("c1", "2026-05-20", tz="Europe/Paris")["events"]
    assert entry["date"] == "2026-05-13" and entry["data"]["meeting"] == "m1"


def test_history_of_a_contact_the_log_never_names_is_none():
    log = Log()
    met(log, "2026-05-12")
    assert log.history("c-nobody", "2026-05-14") is None
    assert log.history("c1", "2026-05-11") is None  # not yet named as of then


def test_history_stops_at_as_of():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-20", "m2")
    history = log.history("c1", "2026-05-15")
    assert [e["data"]["meeting"] for e in history["events"]] == ["m1"]
    assert [o["id"] for o in history["obligations"]] == ["thank:m1:c1"]


def test_mentions_names_the_contacts_an_event_is_about():
    log = Log()
    given(log, "2026-05-12", introducer="c-h", referred="c-a")
    log.referral_made("2026-05-12", referral="r2", to="c-p", referred="c-m")
    log.referral_outcome("2026-05-13", referral="r1", outcome="declined")
    log.update_received("2026-05-13", referral="r2")
    log.greetings_sent("2026-05-13", contacts=["c-g1", "c-g2"])
    log.job_found("2026-05-13")
    log.settings_changed("2026-05-13", language="en")
    log.thanks_received("2026-05-13", contact="c-t")
    projection = project(log.events, dt.date(2026, 5, 31), "UTC")
    named = [mentions(e, projection.facts) for e in log.events]
    assert named == [{"c-h", "c-a"}, {"c-p", "c-m"}, {"c-h", "c-a"}, {"c-p", "c-m"}, {"c-g1", "c-g2"}, set(), set(),
                     {"c-t"}]


# --- doubtful corners ------------------------------------------------------------------------------


def test_a_referral_id_used_twice_keeps_the_referral_logged_first():
    log = Log()
    log.referral_made("2026-05-01", referral="r1", to="c-paul", referred="c-marc")
    given(log, "2026-05-05", referral="r1", introducer="c-herve", referred="c-anne")
    log.referral_outcome("2026-05-10", referral="r1", outcome="declined")
    got = log.obligations("2026-05-10")["report:r1"]
    assert (got["debtor"], got["creditor"]) == ("c-paul", "me")


def test_two_different_events_with_one_id_and_one_time_give_one_answer_whatever_their_order():
    log = Log()
    log.add("meeting_logged", "2026-05-12", meeting="m-a", contacts=["c1"], id="same")
    log.add("meeting_logged", "2026-05-12", meeting="m-b", contacts=["c1"], id="same")
    forward = log.replay("2026-05-20")
    log.events.reverse()
    assert log.replay("2026-05-20") == forward


def test_the_same_event_object_given_twice_counts_once():
    log = Log()
    met(log, "2026-05-12", "m1")
    met(log, "2026-05-12", "m2")
    log.thanks_sent("2026-05-13", contact="c1", channel="email")  # one thank-you: fulfils one thank
    once = log.replay("2026-05-20"), log.history("c1", "2026-05-20")
    assert sorted(o["status"] for o in once[0]["obligations"]) == ["done", "overdue"]
    log.events.append(log.events[-1])  # the very same object again
    assert (log.replay("2026-05-20"), log.history("c1", "2026-05-20")) == once
