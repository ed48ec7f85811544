"""The decisions of the committee above and what follows from them: a refused approval can be
corrected, deleted or recorded again, a refused conversion leaves room for an extension or a
cancellation, which themselves take effect only when approved (R-DEV-21); votes stay in the
minutes (no deletion); archived meetings take no vote; the 党组's second review and the
archiving of a converted file are reachable from the page; the material of a step can be
downloaded by those who may read the candidate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.orglife.models import Meeting, Vote
from dangjian.orglife.services import meeting_archive
from dangjian.recruitment import selectors as sel
from dangjian.recruitment import services
from dangjian.recruitment.models import CandidateStatus, StepEvent
from dangjian.rules.base import add_months
from tests.conftest import PERSONA_NAMES
from tests.recruitment.conftest import (
    assembly,
    date_of,
    step_kwargs,
    today_after,
)

pytestmark = pytest.mark.django_db


def _record(candidate, step, on=None, actor=None, **kwargs):
    on = on or date_of(step)
    merged = {**step_kwargs(candidate, step, on), **kwargs}
    return services.step_record(actor=actor, candidate=candidate, step=step, on=on, **merged)


def _written() -> tuple:
    return (
        StepEvent.all_objects.count(),
        Vote.all_objects.count(),
        Member.all_objects.count(),
        AuditEntry.objects.count(),
    )


def _refused_conversion(candidate_factory):
    """A 预备党员 whose conversion the committee above refused (step 24 not passed)."""
    c = candidate_factory(upto="conversion_meeting")
    _record(c, "party_group_review", on=date_of("conversion_meeting") + dt.timedelta(days=3))
    event = _record(c, "conversion_approval", passed=False, note="考察期表现不合格")
    c.refresh_from_db()
    return c, event


# --- item 2: a refused approval is not stuck ---------------------------------------------------


def test_refused_conversion_can_be_corrected_deleted_and_recorded_again(tree, candidate_factory):
    c, event = _refused_conversion(candidate_factory)
    assert c.status == CandidateStatus.ACTIVE and c.member.category == "probationary"
    # the note of a refused result may be corrected (nothing followed from it)
    services.step_correct(actor=None, event=event, reason="补充意见", note="需进一步考察")
    event.refresh_from_db()
    assert event.note == "需进一步考察"
    # not passed → passed would change the member record: delete and record again instead
    before = _written()
    with pytest.raises(AppError) as err:
        services.step_correct(actor=None, event=event, reason="录错", passed=True)
    assert err.value.field == "passed" and "删除此记录" in err.value.message
    assert _written() == before
    # recording an approval again needs the branch's decision again (or the refusal deleted)
    with pytest.raises(AppError) as err:
        _record(c, "conversion_approval", on=date_of("conversion_approval"))
    assert "须由支部大会重新讨论" in err.value.message and "删除该记录" in err.value.message
    assert _written() == before
    services.step_delete(actor=None, event=event, reason="误录为未通过")
    again = _record(c, "conversion_approval", on=date_of("conversion_approval"))
    c.refresh_from_db()
    assert again.passed and c.status == CandidateStatus.CONVERTED
    assert Member.all_objects.get(pk=c.member_id).category == "full"


def test_a_refused_conversion_may_be_deleted(tree, candidate_factory):
    _c, event = _refused_conversion(candidate_factory)
    services.step_delete(actor=None, event=event, reason="误录为未通过")
    assert not StepEvent.all_objects.filter(pk=event.pk).exists()
    entry = AuditEntry.objects.get(action="recruitment.step.deleted")
    assert entry.changes["step"] == "conversion_approval" and entry.changes["passed"] is False


def test_a_passed_approval_stays_locked(tree, candidate_factory):
    c = candidate_factory(upto="approval")
    event = StepEvent.all_objects.get(candidate=c, step="approval")
    before = _written()
    with pytest.raises(AppError) as err:
        services.step_delete(actor=None, event=event, reason="误录")
    assert "已据此生成预备党员档案" in err.value.message
    with pytest.raises(AppError) as err:
        services.step_correct(actor=None, event=event, reason="误录", passed=False)
    assert "已据此生成预备党员档案" in err.value.message
    assert _written() == before


def test_a_refused_approval_reopens_the_file_when_deleted(tree, personas, candidate_factory):
    c = candidate_factory(upto="party_group_review")
    event = _record(c, "approval", passed=False, member_fields=None, note="材料不全")
    c.refresh_from_db()
    assert c.status == CandidateStatus.WITHDRAWN
    services.step_correct(actor=None, event=event, reason="补记", body="甲局机关党委")
    services.step_delete(actor=personas.unit_admin, event=event, reason="实为暂缓审批，误录")
    c.refresh_from_db()
    assert c.status == CandidateStatus.ACTIVE and c.status_reason == ""
    entry = AuditEntry.objects.get(action="recruitment.step.deleted")
    assert entry.changes["status"] == ["withdrawn", "active"]
    _record(c, "approval", actor=personas.unit_admin)
    c.refresh_from_db()
    assert c.member is not None and c.stage == "probationary"


def test_after_a_refused_conversion_the_probation_is_extended_then_converted(
    tree, personas, candidate_factory
):
    """R-DEV-21: the committee refused the conversion; the 支部大会 extends the probation, the
    committee approves the extension, a second meeting and approval convert him."""
    c, refused = _refused_conversion(candidate_factory)
    acceptance = date_of("acceptance")
    on = refused.on + dt.timedelta(days=5)
    _record(c, "extension", on=on, months=6)  # after the first conversion meeting: allowed
    member = Member.all_objects.get(pk=c.member_id)
    assert member.probation_extension_months == 0  # not yet approved
    pending = sel.approvals_pending_for(personas.unit_admin, on)
    assert [(p.candidate, p.step) for p in pending] == [(c, "extension_approval")]
    _record(c, "extension_approval", on=on + dt.timedelta(days=10), actor=personas.unit_admin)
    member.refresh_from_db()
    assert member.probation_extension_months == 6
    end = add_months(acceptance, 18)
    _record(c, "conversion_meeting", on=end + dt.timedelta(days=3))  # the second meeting
    _record(c, "party_group_review", on=end + dt.timedelta(days=5))
    _record(c, "conversion_approval", on=end + dt.timedelta(days=10), actor=personas.unit_admin)
    member.refresh_from_db()
    c.refresh_from_db()
    assert c.status == CandidateStatus.CONVERTED
    assert member.category == "full" and member.converted_on == end  # R-DEV-23
    errors = [
        f for f in sel.candidate_findings(c, end + dt.timedelta(days=11)) if f.level == "error"
    ]
    assert errors == []


def test_after_a_refused_conversion_the_status_may_be_cancelled(tree, personas, candidate_factory):
    c, refused = _refused_conversion(candidate_factory)
    on = refused.on + dt.timedelta(days=5)
    _record(c, "cancellation", on=on, note="不具备党员条件")
    c.refresh_from_db()
    assert c.status == CandidateStatus.ACTIVE  # waits for the committee above
    # a branch secretary cannot approve his own branch's decision
    before = _written()
    with pytest.raises(AppError) as err:
        _record(c, "cancellation_approval", on=on, actor=personas.secretary_a)
    assert err.value.code == "forbidden"
    assert _written() == before
    _record(c, "cancellation_approval", on=on + dt.timedelta(days=3), actor=personas.unit_admin)
    c.refresh_from_db()
    member = Member.all_objects.get(pk=c.member_id)
    assert c.status == CandidateStatus.CANCELLED
    assert member.left_reason == "probation_cancelled" and member.left_on is not None


def test_a_refused_extension_leaves_the_probation_as_it_was(tree, personas, candidate_factory):
    c = candidate_factory(upto="probation_assessment")
    on = add_months(date_of("acceptance"), 12)
    _record(c, "extension", on=on, months=6)
    _record(c, "extension_approval", on=on + dt.timedelta(days=5), passed=False)
    member = Member.all_objects.get(pk=c.member_id)
    assert member.probation_extension_months == 0
    facts = sel.facts_of(c)
    assert "extension_months" not in facts and facts["extension_count"] == 0


# --- item 8: a vote is in the minutes --------------------------------------------------------


@pytest.mark.parametrize("step", ["acceptance", "conversion_meeting"])
def test_a_vote_step_is_not_deleted(tree, candidate_factory, step):
    c = candidate_factory(upto="volunteer_form" if step == "acceptance" else "conversion_meeting")
    if step == "acceptance":
        _record(c, "acceptance")
    event = StepEvent.all_objects.get(candidate=c, step=step)
    minutes = Meeting.all_objects.get(pk=event.meeting_id).minutes
    before = _written()
    with pytest.raises(AppError) as err:
        services.step_delete(actor=None, event=event, reason="误录")
    assert err.value.message.startswith("该步骤已在支部党员大会表决并记入会议记录，不能删除")
    assert _written() == before
    assert Meeting.all_objects.get(pk=event.meeting_id).minutes == minutes


# --- item 9: only held meetings take a vote ---------------------------------------------------


def test_archived_meetings_are_not_offered_and_are_refused(tree, candidate_factory):
    c = candidate_factory(upto="volunteer_form")
    on = date_of("acceptance")
    meeting = assembly(tree.branch_a, on)
    assert meeting in list(sel.assembly_choices(c))
    meeting_archive(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    assert list(sel.assembly_choices(c)) == []
    before = _written()
    with pytest.raises(AppError) as err:
        services.step_record(
            actor=None,
            candidate=c,
            step="acceptance",
            on=on,
            meeting=meeting,
            vote_counts=(4, 0, 0),
        )
    assert err.value.field == "meeting" and "已召开" in err.value.message
    assert _written() == before


def test_no_held_meeting_on_the_day_says_record_it_first(tree, candidate_factory):
    c = candidate_factory(upto="volunteer_form")
    on = date_of("acceptance")
    other_day = assembly(tree.branch_a, on + dt.timedelta(days=2))
    before = _written()
    with pytest.raises(AppError) as err:
        services.step_record(
            actor=None,
            candidate=c,
            step="acceptance",
            on=on,
            meeting=other_day,
            vote_counts=(4, 0, 0),
        )
    assert err.value.field == "on" and "请先在组织生活中登记" in err.value.message
    assert _written() == before


# --- item 11: a corrected application date still needs 18 years (R-DEV-01) -----------------


def test_correcting_the_application_before_the_18th_birthday_is_refused(tree, candidate_factory):
    c = candidate_factory(upto="application")
    event = StepEvent.all_objects.get(candidate=c, step="application")
    eighteen = dt.date(c.birth_date.year + 18, c.birth_date.month, c.birth_date.day)
    before = _written()
    with pytest.raises(AppError) as err:
        services.step_correct(
            actor=None, event=event, reason="更正", on=eighteen - dt.timedelta(days=1)
        )
    assert err.value.field == "on" and "R-DEV-01" in err.value.message
    assert _written() == before
    services.step_correct(actor=None, event=event, reason="更正", on=eighteen)  # the birthday
    event.refresh_from_db()
    assert event.on == eighteen


# --- items 3 and 4: the page offers the 党组's second review and the archiving ---------------


def test_second_party_group_review_is_recordable_from_the_page(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="oath")  # one review, before the approval
    client.force_login(personas.unit_admin)
    url = reverse("recruitment:candidate", args=[c.pk])
    assert "party_group_review" not in client.get(url).context["recordable"]
    _record(c, "probation_assessment")
    _record(c, "conversion_application")
    _record(c, "conversion_meeting")
    response = client.get(url)
    assert "party_group_review" in response.context["recordable"]  # R-ORG-14: again
    row = next(
        r
        for p in response.context["timeline"].phases
        for r in p.rows
        if r.code == "party_group_review"
    )
    assert row.state == "due" and len(row.events) == 1
    on = date_of("conversion_meeting") + dt.timedelta(days=3)
    response = client.post(
        reverse("recruitment:step", args=[c.pk, "party_group_review"]), {"on": on.isoformat()}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert StepEvent.all_objects.filter(candidate=c, step="party_group_review").count() == 2
    response = client.get(url)
    assert "party_group_review" not in response.context["recordable"]
    assert "conversion_approval" in response.context["recordable"]


def test_archive_is_recordable_after_conversion(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="conversion_approval")
    c.refresh_from_db()
    assert c.status == CandidateStatus.CONVERTED
    client.force_login(personas.secretary_a)
    url = reverse("recruitment:candidate", args=[c.pk])
    response = client.get(url)
    assert response.context["recordable"] == {"archive"}
    assert 'data-testid="record-archive"' in response.content.decode()
    on = today_after("conversion_approval")
    response = client.post(reverse("recruitment:step", args=[c.pk, "archive"]), {"on": on})
    assert response.status_code == 302
    assert StepEvent.all_objects.filter(candidate=c, step="archive").exists()
    assert client.get(url).context["recordable"] == set()


# --- item 12: a Unicode digit in the query is no 500 ---------------------------------------


@pytest.mark.parametrize("value", ["²", "١", "12x", ""])
def test_new_candidate_form_ignores_a_strange_branch_parameter(client, tree, personas, value):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("recruitment:new"), {"branch": value})
    assert response.status_code == 200


# --- item 14: the material of a step --------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
READERS = {"committee_admin", "unit_admin", "secretary_a"}


@pytest.fixture
def with_material(tree, candidate_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    c = candidate_factory(upto="talk")
    upload = SimpleUploadedFile("入党积极分子推荐表.pdf", PDF, content_type="application/pdf")
    return _record(c, "activist", document=upload)


def test_step_material_permission_table(client, personas, with_material):
    url = reverse("recruitment:step_document", args=[with_material.pk])
    got = {}
    for name in PERSONA_NAMES:
        client.force_login(personas.by_name(name))
        got[name] = client.get(url).status_code
        client.logout()
    assert got == {name: 200 if name in READERS else 404 for name in PERSONA_NAMES}
    downloads = AuditEntry.objects.filter(action="recruitment.document.downloaded")
    assert downloads.count() == len(READERS)  # outsiders leave no download


def test_step_material_comes_with_its_name_and_is_linked(client, personas, with_material):
    client.force_login(personas.secretary_a)
    url = reverse("recruitment:step_document", args=[with_material.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=utf-8''" in disposition
    assert "%E6%8E%A8%E8%8D%90%E8%A1%A8.pdf" in disposition  # 推荐表.pdf
    entry = AuditEntry.objects.get(action="recruitment.document.downloaded")
    assert entry.actor == personas.secretary_a
    assert entry.changes["event"] == with_material.pk
    page = client.get(reverse("recruitment:candidate", args=[with_material.candidate_id]))
    assert url in page.content.decode()
    # a step without material: 404
    talk = StepEvent.all_objects.get(candidate=with_material.candidate, step="talk")
    assert client.get(reverse("recruitment:step_document", args=[talk.pk])).status_code == 404
