"""Write paths of 发展党员: creating a candidate (R-DEV-01), recording steps (who may, what is
refused with nothing written, what is recorded and shown as a finding), the member record
that follows approval, conversion, extension and cancellation, corrections and deletions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member, MemberChange
from dangjian.orglife.models import Vote
from dangjian.recruitment import selectors as sel
from dangjian.recruitment import services
from dangjian.recruitment.models import Candidate, CandidateStatus, StepEvent
from dangjian.rules.base import add_months
from tests.recruitment.conftest import (
    START,
    assembly,
    date_of,
    full_members,
    make_candidate,
    member_fields,
    step_kwargs,
    today_after,
)


def _counts() -> tuple:
    return (
        Candidate.all_objects.count(),
        StepEvent.all_objects.count(),
        Vote.all_objects.count(),
        Member.all_objects.count(),
        MemberChange.all_objects.count(),
        AuditEntry.objects.filter(action__startswith="recruitment.").count(),
        AuditEntry.objects.filter(action__startswith="members.").count(),
    )


def _record(candidate, step, on=None, actor=None, **kwargs):
    on = on or date_of(step)
    merged = {**step_kwargs(candidate, step, on), **kwargs}
    return services.step_record(actor=actor, candidate=candidate, step=step, on=on, **merged)


# --- creating a candidate ---------------------------------------------------------------------


def test_create_records_the_application_and_audits(tree, personas):
    c = services.candidate_create(
        actor=personas.secretary_a,
        branch=tree.branch_a,
        name="陈小明",
        sex="1",
        birth_date=dt.date(1996, 5, 4),
        application_on=START,
    )
    assert c.org_path == tree.branch_a.path and c.stage == "applicant" and c.status == "active"
    assert list(StepEvent.all_objects.filter(candidate=c).values_list("step", "on")) == [
        ("application", START)
    ]
    entry = AuditEntry.objects.get(action="recruitment.candidate.created")
    assert entry.actor == personas.secretary_a and entry.changes["application_on"] == "2022-03-01"
    assert c.next_due_label.startswith("党组织派人谈话")  # R-DEV-03 talk within a month


@pytest.mark.parametrize(
    ("birth", "application", "field"),
    [
        (dt.date(2004, 3, 2), dt.date(2022, 3, 1), "application_on"),  # one day short of 18
        (dt.date(1996, 5, 4), dt.date.today() + dt.timedelta(days=2), "application_on"),
        (dt.date(1996, 5, 4), dt.date(1990, 1, 1), "application_on"),  # before birth
        (dt.date.today() + dt.timedelta(days=1), dt.date(2022, 3, 1), "birth_date"),
    ],
)
def test_create_refusals_write_nothing(tree, birth, application, field):
    before = _counts()
    with pytest.raises(AppError) as err:
        services.candidate_create(
            actor=None,
            branch=tree.branch_a,
            name="陈小明",
            sex="1",
            birth_date=birth,
            application_on=application,
        )
    assert err.value.field == field
    assert _counts() == before


def test_eighteenth_birthday_is_old_enough(tree):
    c = services.candidate_create(
        actor=None,
        branch=tree.branch_a,
        name="陈小明",
        sex="1",
        birth_date=dt.date(2004, 3, 1),
        application_on=dt.date(2022, 3, 1),
    )
    assert c.pk


def test_under_age_message_cites_the_rule(tree):
    with pytest.raises(AppError, match="R-DEV-01"):
        services.candidate_create(
            actor=None,
            branch=tree.branch_a,
            name="陈小明",
            sex="1",
            birth_date=dt.date(2010, 1, 1),
            application_on=dt.date(2022, 3, 1),
        )


def test_create_only_on_a_branch_and_inside_the_scope(tree, personas):
    with pytest.raises(AppError) as err:
        services.candidate_create(
            actor=None,
            branch=tree.organ_a,
            name="陈小明",
            sex="1",
            birth_date=dt.date(1996, 5, 4),
            application_on=START,
        )
    assert err.value.field == "branch"
    with pytest.raises(Http404):
        services.candidate_create(
            actor=personas.secretary_b,
            branch=tree.branch_a,
            name="陈小明",
            sex="1",
            birth_date=dt.date(1996, 5, 4),
            application_on=START,
        )
    assert not Candidate.all_objects.exists()


# --- who may record which step ----------------------------------------------------------------


def test_secretary_records_branch_steps_but_not_the_approval(tree, personas, candidate_factory):
    c = candidate_factory(upto="application")
    event = _record(c, "talk", actor=personas.secretary_a)
    assert event.recorded_by == personas.secretary_a
    c = candidate_factory(upto="acceptance", name="林一")
    c.refresh_from_db()
    before = _counts()
    with pytest.raises(AppError) as err:
        _record(c, "approval_talk", actor=personas.secretary_a)
    assert err.value.code == "forbidden" and "R-DEV-17" in err.value.message
    assert _counts() == before


def test_secretary_of_another_branch_gets_404(tree, personas, candidate_factory):
    c = candidate_factory(upto="application")
    before = _counts()
    with pytest.raises(Http404):
        _record(c, "talk", actor=personas.secretary_b)
    with pytest.raises(Http404):
        sel.access_candidate(personas.secretary_b, c.pk)
    assert _counts() == before


def test_unit_admin_approves_and_the_member_is_probationary_from_acceptance(
    tree, personas, candidate_factory
):
    c = candidate_factory(upto="party_group_review")
    acceptance = date_of("acceptance")
    _record(c, "approval", actor=personas.unit_admin)
    c.refresh_from_db()
    member = c.member
    assert member is not None and member.branch == tree.branch_a
    assert member.category == "probationary" and member.joined_on == acceptance  # R-DEV-20
    assert member.converted_on is None and member.name == c.name
    assert c.stage == "probationary" and c.status == CandidateStatus.ACTIVE
    entry = AuditEntry.objects.get(action="recruitment.step.recorded", changes__step="approval")
    assert entry.actor == personas.unit_admin and entry.changes["member"] == member.pk
    assert AuditEntry.objects.filter(action="members.member.created").exists()


def test_approval_needs_the_member_items(tree, candidate_factory):
    c = candidate_factory(upto="party_group_review")
    before = _counts()
    fields = member_fields(c)
    del fields["id_number"]
    with pytest.raises(AppError) as err:
        _record(c, "approval", member_fields=fields)
    assert err.value.field == "id_number"
    assert _counts() == before


def test_approval_not_passed_ends_the_file(tree, candidate_factory):
    c = candidate_factory(upto="party_group_review")
    _record(c, "approval", passed=False, member_fields=None, note="不具备党员条件")
    c.refresh_from_db()
    assert c.member is None and c.status == CandidateStatus.WITHDRAWN
    assert c.status_reason == "不具备党员条件"
    with pytest.raises(AppError):
        _record(c, "approval_filing")


# --- conversion, extension, cancellation --------------------------------------------------------


def test_conversion_makes_him_full_with_history(tree, personas, candidate_factory):
    c = candidate_factory(upto="conversion_meeting")
    _record(c, "party_group_review", on=date_of("conversion_meeting") + dt.timedelta(days=3))
    _record(c, "conversion_approval", actor=personas.unit_admin)
    c.refresh_from_db()
    member = Member.all_objects.get(pk=c.member_id)
    expected = add_months(date_of("acceptance"), 12)  # R-DEV-23: the day probation ends
    assert member.category == "full" and member.converted_on == expected
    assert c.status == CandidateStatus.CONVERTED and c.stage == "full"
    change = MemberChange.all_objects.get(member=member, item="category")
    assert (change.old_value, change.new_value) == ("预备党员", "正式党员")
    assert change.effective_on == expected and "R-DEV-23" in change.reason
    assert sel.candidate_findings(c, today_after("conversion_approval")) == []


@pytest.mark.parametrize("months", [5, 13, None])
def test_extension_months_out_of_range_are_refused(tree, candidate_factory, months):
    c = candidate_factory(upto="probation_assessment")
    on = add_months(date_of("acceptance"), 12)
    kwargs = {**step_kwargs(c, "extension", on), "months": months}
    before = _counts()
    with pytest.raises(AppError) as err:
        services.step_record(actor=None, candidate=c, step="extension", on=on, **kwargs)
    assert err.value.field == "months" and "R-DEV-21" in err.value.message
    assert _counts() == before


def test_extension_once_and_conversion_after_it(tree, personas, candidate_factory):
    c = candidate_factory(upto="probation_assessment")
    acceptance = date_of("acceptance")
    on = add_months(acceptance, 12)
    _record(c, "extension", on=on, months=6)
    member = Member.all_objects.get(pk=c.member_id)
    assert member.probation_extension_months == 0  # R-DEV-21: not before the committee approves
    _record(c, "extension_approval", on=on + dt.timedelta(days=5), actor=personas.unit_admin)
    member.refresh_from_db()
    assert member.probation_extension_months == 6
    entry = AuditEntry.objects.filter(action="members.member.updated").latest("id")
    assert entry.changes["probation_extension_months"] == [0, 6]
    again = on + dt.timedelta(days=30)
    kwargs = {**step_kwargs(c, "extension", again), "months": 6}
    before = _counts()
    with pytest.raises(AppError) as err:
        services.step_record(actor=None, candidate=c, step="extension", on=again, **kwargs)
    assert err.value.field == "step"
    assert _counts() == before
    end = add_months(acceptance, 18)
    _record(c, "conversion_application", on=end - dt.timedelta(days=10))
    _record(c, "conversion_meeting", on=end + dt.timedelta(days=3))
    _record(c, "party_group_review", on=end + dt.timedelta(days=10))
    _record(c, "conversion_approval", on=end + dt.timedelta(days=20), actor=personas.unit_admin)
    member.refresh_from_db()
    assert member.category == "full" and member.converted_on == end


def test_cancellation_takes_the_member_off_the_roster(tree, personas, candidate_factory):
    c = candidate_factory(upto="probation_assessment")
    on = add_months(date_of("acceptance"), 12)
    _record(c, "cancellation", on=on, note="不履行党员义务")
    c.refresh_from_db()
    assert c.status == CandidateStatus.ACTIVE  # R-DEV-21: the committee above must approve
    assert Member.all_objects.get(pk=c.member_id).left_on is None
    approved_on = on + dt.timedelta(days=7)
    _record(c, "cancellation_approval", on=approved_on, actor=personas.unit_admin)
    c.refresh_from_db()
    member = Member.all_objects.get(pk=c.member_id)
    assert member.left_on == approved_on and member.left_reason == "probation_cancelled"
    assert member.get_left_reason_display() == "取消预备党员资格"  # not 除名
    assert c.status == CandidateStatus.CANCELLED
    with pytest.raises(AppError):
        _record(c, "conversion_application", on=on + dt.timedelta(days=1))


# --- refusals: nothing written ----------------------------------------------------------------


def _bad_cases(tree):
    a = tree.members_a
    return {
        "unknown step": ("talk", {"step": "nonsense"}, "step"),
        "future": ("talk", {"on": dt.date.today() + dt.timedelta(days=1)}, "on"),
        "before application": ("talk", {"on": START - dt.timedelta(days=1)}, "on"),
        "activist before talk": ("activist", {"on": date_of("talk") - dt.timedelta(days=3)}, "on"),
        "publicity without end": ("prospect_publicity", {"end_on": None}, "end_on"),
        "publicity end before start": (
            "prospect_publicity",
            {"end_on": date_of("prospect_publicity") - dt.timedelta(days=1)},
            "end_on",
        ),
        "publicity a year and more": (
            "prospect_publicity",
            {"end_on": date_of("prospect_publicity") + dt.timedelta(days=400)},
            "end_on",
        ),
        "training without days or hours": ("training", {"days": None, "hours": None}, "days"),
        "political review without result": ("political_review", {"passed": None}, "passed"),
        "three contacts": ("contacts", {"people": a[:3]}, "people"),
        "no contacts": ("contacts", {"people": []}, "people"),
        "one introducer": ("introducers", {"people": a[:1]}, "people"),
        "a probationary introducer": ("introducers", {"people": [a[0], a[4]]}, "people"),
        "an introducer of another branch": (
            "introducers",
            {"people": [a[0], tree.members_b[1]]},
            "people",
        ),
        "acceptance without meeting": ("acceptance", {"meeting": None}, "meeting"),
        "acceptance without counts": ("acceptance", {"vote_counts": None}, "vote_counts"),
        "acceptance voted down": ("acceptance", {"vote_counts": (2, 2, 0)}, "vote_counts"),
        "hard rule overridden": (
            "prospect",
            {"override_rule": "R-DEV-07", "override_reason": "工作需要"},
            "override_rule",
        ),
        "override without reason": ("talk", {"override_rule": "R-DEV-03"}, "override_reason"),
    }


BAD = [
    "unknown step",
    "future",
    "before application",
    "activist before talk",
    "publicity without end",
    "publicity end before start",
    "publicity a year and more",
    "training without days or hours",
    "political review without result",
    "three contacts",
    "no contacts",
    "one introducer",
    "a probationary introducer",
    "an introducer of another branch",
    "acceptance without meeting",
    "acceptance without counts",
    "acceptance voted down",
    "hard rule overridden",
    "override without reason",
]

#: the step recorded last before each bad case's step, in the default history
BEFORE = {
    "talk": "application",
    "activist": "talk",
    "prospect_publicity": "assessment",
    "training": "political_review",
    "political_review": "introducers",
    "contacts": "activist_filing",
    "introducers": "prospect_filing",
    "acceptance": "volunteer_form",
    "prospect": "contacts",
}


@pytest.mark.parametrize("case", BAD)
def test_bad_step_input_is_refused_and_nothing_is_written(tree, personas, case):
    step, changes, field = _bad_cases(tree)[case]
    c = make_candidate(tree.branch_a, upto=BEFORE[step])
    if step == "prospect":
        # fix the prospect less than a year after the activist day: a hard rule (R-DEV-07)
        changes = {**changes, "on": date_of("activist") + dt.timedelta(days=200)}
    on = changes.pop("on", date_of(step))
    kwargs = {**step_kwargs(c, step, on), **changes}
    step = kwargs.pop("step", step)
    before = _counts()
    with pytest.raises(AppError) as err:
        services.step_record(actor=personas.unit_admin, candidate=c, step=step, on=on, **kwargs)
    assert err.value.field == field, err.value.message
    assert _counts() == before
    if case == "acceptance voted down":
        assert "赞成2票" in err.value.message and "R-DEV-15" in err.value.message


def test_a_step_is_recorded_once(tree, candidate_factory):
    c = candidate_factory(upto="talk")
    before = _counts()
    with pytest.raises(AppError) as err:
        _record(c, "talk", on=date_of("talk") + dt.timedelta(days=1))
    assert err.value.field == "step"
    assert _counts() == before


def test_a_closed_file_takes_no_step(tree, candidate_factory):
    c = candidate_factory(upto="talk")
    services.candidate_withdraw(actor=None, candidate=c, reason="本人撤回申请")
    c.refresh_from_db()
    assert c.status == CandidateStatus.WITHDRAWN and c.next_due_on is None
    before = _counts()
    with pytest.raises(AppError):
        _record(c, "activist")
    assert _counts() == before


def test_vote_must_be_the_branch_assembly_of_that_day(tree, candidate_factory):
    c = candidate_factory(upto="volunteer_form")
    on = date_of("acceptance")
    other = assembly(tree.branch_b, on)
    before = _counts()
    with pytest.raises(AppError) as err:
        _record(c, "acceptance", on=on, meeting=other, vote_counts=(3, 0, 0))
    assert err.value.field == "meeting"
    same_branch = assembly(tree.branch_a, on + dt.timedelta(days=1))
    with pytest.raises(AppError) as err:
        _record(c, "acceptance", on=on, meeting=same_branch, vote_counts=(4, 0, 0))
    assert err.value.field == "on"
    assert _counts()[:3] == before[:3]


def test_the_vote_goes_to_the_meeting(tree, candidate_factory):
    c = candidate_factory(upto="acceptance")
    event = StepEvent.all_objects.get(candidate=c, step="acceptance")
    assert event.vote is not None and event.vote.passed and event.vote.yes == 4
    assert event.vote.motion == "接收陈小明为预备党员"
    assert event.meeting_id == event.vote.meeting_id


def test_contacts_and_introducers_are_kept_on_the_candidate(tree, candidate_factory):
    c = candidate_factory(upto="introducers")
    people = full_members(tree.branch_a)
    assert list(c.contacts.all()) == people[:1]
    assert set(c.introducers.all()) == set(people[:2])


# --- hard rules are recorded and shown; soft ones may be overridden ---------------------------


def test_a_violated_hard_rule_is_recorded_as_an_error(tree, candidate_factory):
    early = date_of("activist") + dt.timedelta(days=200)
    c = candidate_factory(
        upto="prospect", dates={"prospect": early}, skip=("assessment", "prospect_publicity")
    )
    assert StepEvent.all_objects.filter(candidate=c, step="prospect", on=early).exists()
    findings = sel.candidate_findings(c, early + dt.timedelta(days=1))
    errors = [f for f in findings if f.rule_id == "R-DEV-07"]
    assert errors and str(errors[0].level) == "error" and errors[0].field == "prospect"
    c.refresh_from_db()
    assert c.error_count >= 1 and c.stage == "prospect"


def test_a_soft_rule_override_turns_the_warning_into_a_note(tree, candidate_factory):
    late = add_months(START, 2)  # talk two months after the application (R-DEV-03: one)
    c = candidate_factory(upto="application")
    _record(c, "talk", on=late, override_rule="R-DEV-03", override_reason="申请人外出培训")
    event = StepEvent.all_objects.get(candidate=c, step="talk")
    assert event.override_reason == "R-DEV-03：申请人外出培训"
    assert sel.facts_of(c)["overrides"] == {"R-DEV-03": "申请人外出培训"}
    found = [f for f in sel.candidate_findings(c, late) if f.rule_id == "R-DEV-03"]
    assert [str(f.level) for f in found] == ["info"]


def test_r_org_14_the_party_group_studies_before_approval(tree, personas, candidate_factory):
    c = candidate_factory(upto="approval", skip=("party_group_review",))
    found = [
        f for f in sel.candidate_findings(c, today_after("approval")) if f.rule_id == "R-ORG-14"
    ]
    assert found and str(found[0].level) == "error" and "机关党委" in found[0].message
    # 乙局 has no 机关党委: the 党组 reviews and the 机关工委 approves
    c2 = make_candidate(tree.branch_c, upto="approval", skip=("party_group_review",), name="林三")
    found = [
        f for f in sel.candidate_findings(c2, today_after("approval")) if f.rule_id == "R-ORG-14"
    ]
    assert found and "机关工委" in found[0].message
    pending = sel.approvals_pending_for(personas.committee_admin, today_after("acceptance"))
    assert pending == []  # both approved already


# --- corrections and deletions ----------------------------------------------------------------


def test_correct_with_reason_and_audit(tree, personas, candidate_factory):
    c = candidate_factory(upto="talk")
    event = StepEvent.all_objects.get(candidate=c, step="talk")
    new_on = date_of("talk") + dt.timedelta(days=2)
    services.step_correct(
        actor=personas.secretary_a, event=event, reason="笔误", on=new_on, note="谈话人：张三丰"
    )
    event.refresh_from_db()
    assert event.on == new_on and event.note == "谈话人：张三丰"
    entry = AuditEntry.objects.get(action="recruitment.step.corrected")
    assert entry.changes["reason"] == "笔误" and entry.changes["on"][1] == new_on.isoformat()


def test_correction_out_of_order_is_refused(tree, candidate_factory):
    c = candidate_factory(upto="activist")
    event = StepEvent.all_objects.get(candidate=c, step="talk")
    before = _counts()
    with pytest.raises(AppError) as err:
        services.step_correct(
            actor=None, event=event, reason="更正", on=date_of("activist") + dt.timedelta(days=1)
        )
    assert err.value.field == "on"
    with pytest.raises(AppError) as err:
        services.step_correct(actor=None, event=event, reason="", note="x")
    assert err.value.field == "reason"
    assert _counts() == before
    event.refresh_from_db()
    assert event.on == date_of("talk")


def test_delete_refuses_what_others_rest_on(tree, candidate_factory):
    c = candidate_factory(upto="approval")
    before = _counts()
    for step in ("acceptance", "approval", "application"):
        event = StepEvent.all_objects.get(candidate=c, step=step)
        with pytest.raises(AppError):
            services.step_delete(actor=None, event=event, reason="误录")
    assert _counts() == before
    event = StepEvent.all_objects.get(candidate=c, step="prospect_filing")
    services.step_delete(actor=None, event=event, reason="误录")
    assert not StepEvent.all_objects.filter(candidate=c, step="prospect_filing").exists()
    entry = AuditEntry.objects.get(action="recruitment.step.deleted")
    assert entry.changes["step"] == "prospect_filing" and entry.changes["reason"] == "误录"


def test_update_and_refresh(tree, personas, candidate_factory):
    c = candidate_factory(upto="application")
    services.candidate_update(actor=personas.secretary_a, candidate=c, unit_post="科员")
    c.refresh_from_db()
    assert c.unit_post == "科员"
    with pytest.raises(AppError) as err:
        services.candidate_update(actor=None, candidate=c, birth_date=dt.date(2010, 1, 1))
    assert err.value.field == "birth_date"
    with pytest.raises(Http404):
        services.candidate_update(actor=personas.secretary_b, candidate=c, unit_post="x")
