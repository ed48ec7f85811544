"""The study write paths: plans and their lines, sessions planned through orglife (kind,
roster, hours against the length, plan lines of the right org and year), attaching a 党课,
updating a session, trainings (own with proof → submitted, a manager's → approved, bounds,
proof by content), their decision, exemptions. Bad input: a Chinese message at the field,
nothing written; outsiders: 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orglife.models import Attendance, Meeting
from dangjian.study import services_sessions as services
from dangjian.study.models import PlanItem, StudyExemption, StudyPlan, StudySession, Training
from tests.study.conftest import YEAR, at, make_session, record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def changed(monkeypatch):
    """The calls of points_changed (member ids, year) made by the services."""
    calls = []
    monkeypatch.setattr(
        services, "points_changed", lambda ids, day: calls.append((sorted(ids), day.year))
    )
    return calls


def _plan(org, year=YEAR, actor=None):
    return services.plan_save(actor=actor, org=org, year=year, title=f"{org.name}{year}学习计划")


def _item(plan, month=3, **kw):
    data = {"topic": "学习党章", "form": "concentrated", "mode": "in_person", "hours": "2"}
    data.update(kw)
    return services.plan_item_add(actor=None, plan=plan, month=month, **data)


# ---------------------------------------------------------------------------------------------
# Plans


def test_plan_save_creates_then_updates(tree, personas):
    plan = _plan(tree.branch_a, actor=personas.secretary_a)
    assert (plan.org_path, plan.year) == (tree.branch_a.path, YEAR)
    again = services.plan_save(
        actor=personas.secretary_a, org=tree.branch_a, year=YEAR, title="新名称", note="说明"
    )
    assert again.pk == plan.pk and StudyPlan.all_objects.count() == 1
    assert again.title == "新名称"
    entries = AuditEntry.objects.filter(action__startswith="study.plan").order_by("id")
    assert [e.action for e in entries] == ["study.plan.created", "study.plan.updated"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 1999}, "year"),
        ({"year": "abc"}, "year"),
        ({"title": "  "}, "title"),
        ({"title": "长" * 201}, "title"),
    ],
)
def test_plan_save_refuses_bad_input(tree, kwargs, field):
    data = {"year": YEAR, "title": "计划"} | kwargs
    with pytest.raises(AppError) as exc:
        services.plan_save(actor=None, org=tree.branch_a, **data)
    assert exc.value.field == field
    assert StudyPlan.all_objects.count() == 0


def test_plan_of_another_branch_is_404(tree, personas):
    with pytest.raises(Http404):
        _plan(tree.branch_b, actor=personas.secretary_a)
    plan = _plan(tree.branch_b)
    with pytest.raises(Http404):
        services.plan_item_add(
            actor=personas.secretary_a,
            plan=plan,
            month=1,
            topic="x",
            form="concentrated",
            mode="online",
            hours="1",
        )
    assert StudyPlan.all_objects.count() == 1 and PlanItem.all_objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"month": 13}, "month"),
        ({"month": "x"}, "month"),
        ({"topic": ""}, "topic"),
        ({"form": "party"}, "form"),
        ({"mode": "both"}, "mode"),
        ({"hours": "0"}, "hours"),
        ({"hours": "-2"}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"hours": ""}, "hours"),
        ({"note": "注" * 201}, "note"),
    ],
)
def test_plan_item_refuses_bad_input(tree, kwargs, field):
    plan = _plan(tree.branch_a)
    with pytest.raises(AppError) as exc:
        _item(plan, **kwargs)
    assert exc.value.field == field
    assert PlanItem.all_objects.count() == 0


def test_plan_item_delete_only_when_nobody_carried_it_out(tree):
    plan = _plan(tree.branch_a)
    spare, used = _item(plan, month=2), _item(plan, month=3)
    make_session(tree.branch_a, at(3, 5), plan_item=used)
    services.plan_item_delete(actor=None, item=spare)
    with pytest.raises(AppError, match="不能删除"):
        services.plan_item_delete(actor=None, item=used)
    assert list(PlanItem.all_objects.values_list("pk", flat=True)) == [used.pk]


# ---------------------------------------------------------------------------------------------
# Sessions


def test_session_of_a_branch_is_a_study_meeting_of_its_members(tree, personas):
    session = make_session(tree.branch_a, at(3, 1), actor=personas.secretary_a, speaker="张老师")
    meeting = session.meeting
    assert (meeting.kind, meeting.org_id, meeting.status) == (
        "study_session",
        tree.branch_a.pk,
        "planned",
    )
    assert session.org_path == meeting.org_path == tree.branch_a.path
    assert session.hours == Decimal("2.0") and len(meeting.sign_in_code) == 6
    roster = set(Attendance.all_objects.filter(meeting=meeting).values_list("member_id", flat=True))
    assert roster == {m.pk for m in tree.members_a}
    assert AuditEntry.objects.filter(action="study.session.created").count() == 1


def test_a_session_of_the_organ_committee_expects_its_whole_subtree(tree):
    session = make_session(tree.organ_a, at(3, 1))
    roster = Attendance.all_objects.filter(meeting=session.meeting).count()
    assert roster == len(tree.members_a) + len(tree.members_b)


def test_a_branch_party_lesson_is_an_orglife_party_lesson(tree):
    lesson = make_session(tree.branch_a, at(3, 1), form="party_lesson")
    assert lesson.meeting.kind == "party_lesson"
    # the same form held by a committee above the branches is a study session
    above = make_session(tree.organ_a, at(3, 2), form="party_lesson")
    assert above.meeting.kind == "study_session"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours": "2.1"}, "hours"),  # longer than the 2-hour session
        ({"hours": "0"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"hours": ""}, "hours"),
        ({"hours": "两小时"}, "hours"),
        ({"form": "chat"}, "form"),
        ({"mode": ""}, "mode"),
        ({"topic": ""}, "topic"),
        ({"speaker": "讲" * 101}, "speaker"),
        ({"length_minutes": 0}, "ends_at"),
        ({"length_minutes": -30}, "ends_at"),
    ],
)
def test_session_refuses_bad_input_and_writes_nothing(tree, kwargs, field):
    with pytest.raises(AppError) as exc:
        make_session(tree.branch_a, at(3, 1), **kwargs)
    assert exc.value.field == field
    assert Meeting.all_objects.count() == 0 and StudySession.all_objects.count() == 0


def test_session_needs_aware_times(tree):
    with pytest.raises(AppError) as exc:
        services.session_create(
            actor=None,
            org=tree.branch_a,
            form="concentrated",
            mode="online",
            topic="x",
            starts_at=dt.datetime(2024, 3, 1, 9),
            ends_at=dt.datetime(2024, 3, 1, 11),
            hours="1",
        )
    assert exc.value.field == "starts_at"


def test_session_plan_item_of_the_org_or_above_and_of_its_year(tree):
    unit_plan = _plan(tree.party_group_a)
    above = _item(unit_plan)
    session = make_session(tree.branch_a, at(3, 1), plan_item=above)
    assert session.plan_item_id == above.pk
    other = _item(_plan(tree.branch_b))
    with pytest.raises(AppError) as exc:
        make_session(tree.branch_a, at(3, 2), plan_item=other)
    assert exc.value.field == "plan_item"
    last_year = _item(_plan(tree.branch_a, year=YEAR - 1))
    with pytest.raises(AppError, match="年的计划"):
        make_session(tree.branch_a, at(3, 3), plan_item=last_year)
    assert StudySession.all_objects.count() == 1


def test_session_of_another_branch_is_404(tree, personas):
    with pytest.raises(Http404):
        make_session(tree.branch_b, at(3, 1), actor=personas.secretary_a)
    for persona in (personas.member_a, personas.auditor, personas.judge):
        with pytest.raises(Http404):
            make_session(tree.branch_a, at(3, 1), actor=persona)
    assert Meeting.all_objects.count() == 0


def test_session_update_checks_hours_audits_and_rebuilds_points(tree, personas, changed):
    session = make_session(tree.branch_a, at(3, 1))
    record(session.meeting, tree.members_a[:2])
    done = services.session_update(
        actor=personas.secretary_a, session=session, hours="1.5", speaker="李老师"
    )
    assert (done.hours, done.speaker) == (Decimal("1.5"), "李老师")
    entry = AuditEntry.objects.get(action="study.session.updated")
    assert entry.changes["hours"] == ["2.0", "1.5"]
    assert changed == [(sorted(m.pk for m in tree.members_a[:2]), YEAR)]
    with pytest.raises(AppError) as exc:
        services.session_update(actor=None, session=session, hours="3")
    assert exc.value.field == "hours"
    session.refresh_from_db()
    assert session.hours == Decimal("1.5")
    # nothing changed: no audit entry, no rebuild
    services.session_update(actor=None, session=session, hours="1.5")
    assert AuditEntry.objects.filter(action="study.session.updated").count() == 1
    with pytest.raises(TypeError):
        services.session_update(actor=None, session=session, topic="x")


def test_session_update_of_another_branch_is_404(tree, personas):
    session = make_session(tree.branch_b, at(3, 1))
    with pytest.raises(Http404):
        services.session_update(actor=personas.secretary_a, session=session, hours="1")


def test_attach_a_recorded_party_lesson(tree, personas, changed):
    from dangjian.orglife.services import meeting_plan

    meeting = meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="party_lesson",
        topic="党课：学习新党章",
        starts_at=at(4, 1, 14),
        ends_at=at(4, 1, 15, 30),
    )
    record(meeting, tree.members_a[:3])
    session = services.session_attach(
        actor=personas.secretary_a,
        meeting=meeting,
        form="party_lesson",
        mode="in_person",
        hours="1.5",
    )
    assert session.meeting_id == meeting.pk and session.org_path == meeting.org_path
    assert changed == [(sorted(m.pk for m in tree.members_a[:3]), YEAR)]
    with pytest.raises(AppError, match="已计入"):
        services.session_attach(
            actor=None, meeting=meeting, form="party_lesson", mode="in_person", hours="1"
        )


def test_attach_refuses_hours_beyond_the_length_and_committee_meetings(tree):
    from dangjian.orglife.services import meeting_plan
    from tests.study.conftest import seat

    meeting = meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="party_lesson",
        topic="党课",
        starts_at=at(4, 1, 14),
        ends_at=at(4, 1, 15),
    )
    with pytest.raises(AppError) as exc:
        services.session_attach(
            actor=None, meeting=meeting, form="party_lesson", mode="in_person", hours="1.5"
        )
    assert exc.value.field == "hours"
    for m in tree.members_a[:3]:
        seat(m, tree.branch_a, role="member")
    committee = meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="committee_meeting",
        topic="支委会",
        starts_at=at(4, 2),
        ends_at=at(4, 2, 11),
    )
    with pytest.raises(AppError, match="委员会会议"):
        services.session_attach(
            actor=None, meeting=committee, form="concentrated", mode="in_person", hours="1"
        )
    assert StudySession.all_objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Trainings


def _training(member, actor=None, **kw):
    data = {
        "title": "党校处级干部进修班",
        "provider": "市委党校",
        "kind": "party_school",
        "started_on": dt.date(YEAR, 5, 6),
        "ended_on": dt.date(YEAR, 5, 10),
        "hours": "40",
    }
    data.update(kw)
    return services.training_submit(actor=actor, member=member, **data)


def test_a_member_submits_his_own_training_with_proof(tree, personas, media, changed):
    member = personas.member_a.member
    training = _training(
        member,
        personas.member_a,
        proof=SimpleUploadedFile("结业证书.pdf", PDF, content_type="application/pdf"),
    )
    assert training.status == "submitted" and training.decided_by is None
    assert training.proof_name == "结业证书.pdf" and training.proof.read() == PDF
    assert training.org_path == member.org_path
    assert changed == []  # nothing counts until approved
    assert AuditEntry.objects.filter(action="study.training.submitted").count() == 1


def test_a_manager_records_a_training_approved(tree, personas, changed):
    member = tree.members_a[2]
    training = _training(member, personas.secretary_a, is_concentrated=True)
    assert training.status == "approved" and training.decided_by == personas.secretary_a
    assert changed == [([member.pk], YEAR)]


def test_a_secretarys_own_training_waits_for_someone_else(tree, personas, media):
    mine = _training(
        personas.secretary_a.member,
        personas.secretary_a,
        proof=SimpleUploadedFile("p.png", PNG, content_type="image/png"),
    )
    assert mine.status == "submitted"
    with pytest.raises(AppError, match="本人"):
        services.training_decide(actor=personas.secretary_a, training=mine, approve=True)
    done = services.training_decide(actor=personas.unit_admin, training=mine, approve=True)
    assert done.status == "approved" and done.decided_by == personas.unit_admin


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "-3"}, "hours"),
        ({"hours": "121"}, "hours"),  # 5 days × 24 = 120
        ({"hours": ""}, "hours"),
        ({"ended_on": dt.date(YEAR, 5, 1)}, "ended_on"),
        ({"started_on": dt.date(2099, 1, 1), "ended_on": dt.date(2099, 1, 2)}, "started_on"),
        ({"title": ""}, "title"),
        ({"provider": ""}, "provider"),
        ({"kind": "abroad"}, "kind"),
        ({"started_on": "2024-13-01"}, "started_on"),
    ],
)
def test_training_refuses_bad_input(tree, personas, kwargs, field):
    with pytest.raises(AppError) as exc:
        _training(tree.members_a[2], personas.secretary_a, **kwargs)
    assert field in {f for f, _ in exc.value.errors}
    assert Training.all_objects.count() == 0


def test_own_training_needs_a_proof_of_an_allowed_kind(tree, personas, media):
    member = personas.member_a.member
    with pytest.raises(AppError) as exc:
        _training(member, personas.member_a)
    assert exc.value.field == "proof"
    for name, data in (
        ("证书.pdf", b"MZ\x90\x00 a program"),
        ("证书.html", b"<html><body>x</body></html>"),
        ("空.pdf", b""),
    ):
        with pytest.raises(AppError) as exc:
            _training(member, personas.member_a, proof=SimpleUploadedFile(name, data))
        assert exc.value.field == "proof", name
    assert Training.all_objects.count() == 0


def test_proof_size_is_bounded(tree, personas, media, settings):
    settings.STUDY_FILE_MAX_BYTES = 100
    with pytest.raises(AppError, match="超过") as exc:
        _training(
            personas.member_a.member,
            personas.member_a,
            proof=SimpleUploadedFile("p.pdf", PDF + b"0" * 200),
        )
    assert exc.value.field == "proof"


def test_a_proof_keeps_the_extension_of_what_it_is(tree, personas, media):
    training = _training(
        personas.member_a.member,
        personas.member_a,
        proof=SimpleUploadedFile("截图", PNG, content_type="image/png"),
    )
    assert training.proof_name == "截图.png"


def test_training_for_a_member_of_another_branch_is_404(tree, personas):
    for actor in (personas.secretary_b, personas.member_a, personas.auditor):
        with pytest.raises(Http404):
            _training(tree.members_a[2], actor)
    assert Training.all_objects.count() == 0


def test_training_decide(tree, personas, media, changed):
    member = personas.member_a.member
    proof = SimpleUploadedFile("p.pdf", PDF)
    first = _training(member, personas.member_a, proof=proof)
    with pytest.raises(AppError) as exc:
        services.training_decide(actor=personas.secretary_a, training=first, approve=False)
    assert exc.value.field == "reason"
    done = services.training_decide(
        actor=personas.secretary_a, training=first, approve=False, reason="证明不清晰"
    )
    assert (done.status, done.reject_reason) == ("rejected", "证明不清晰")
    assert changed == []
    with pytest.raises(AppError, match="不能再审核"):
        services.training_decide(actor=personas.secretary_a, training=first, approve=True)
    second = _training(member, personas.member_a, proof=SimpleUploadedFile("p.pdf", PDF))
    with pytest.raises(Http404):
        services.training_decide(actor=personas.secretary_b, training=second, approve=True)
    services.training_decide(actor=personas.secretary_a, training=second, approve=True)
    assert changed == [([member.pk], YEAR)]
    assert AuditEntry.objects.filter(action="study.training.approved").count() == 1


def test_proof_open_is_audited(tree, personas, media):
    training = _training(
        personas.member_a.member, personas.member_a, proof=SimpleUploadedFile("p.pdf", PDF)
    )
    with services.training_proof_open(actor=personas.secretary_a, training=training) as handle:
        assert handle.read() == PDF
    assert AuditEntry.objects.filter(action="study.training.proof_downloaded").count() == 1
    with pytest.raises(Http404):
        services.training_proof_open(actor=personas.secretary_b, training=training)


# ---------------------------------------------------------------------------------------------
# Exemptions (R-EDU-03)


def test_exemption_grant_and_revoke(tree, personas):
    member = tree.members_a[3]
    exemption = services.exemption_grant(
        actor=personas.secretary_a, member=member, year=YEAR, reason="old", note="88岁"
    )
    assert (exemption.org_path, exemption.year) == (member.org_path, YEAR)
    with pytest.raises(AppError, match="已免除"):
        services.exemption_grant(actor=None, member=member, year=YEAR, reason="ill")
    with pytest.raises(AppError) as exc:
        services.exemption_grant(actor=None, member=member, year=YEAR + 1, reason="tired")
    assert exc.value.field == "reason"
    with pytest.raises(Http404):
        services.exemption_revoke(actor=personas.secretary_b, exemption=exemption)
    services.exemption_revoke(actor=personas.secretary_a, exemption=exemption)
    assert StudyExemption.all_objects.count() == 0
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"study.exemption.granted", "study.exemption.revoked"} <= actions


def test_exemption_of_another_branch_is_404(tree, personas):
    with pytest.raises(Http404):
        services.exemption_grant(
            actor=personas.secretary_a, member=tree.members_b[0], year=YEAR, reason="old"
        )
    assert StudyExemption.all_objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Review fixes


@pytest.mark.parametrize("value", ["1e30", "NaN", "-0", "1e-30"])
def test_odd_hours_are_refused_at_the_field_everywhere(tree, value):
    with pytest.raises(AppError) as exc:
        make_session(tree.branch_a, at(3, 1), hours=value)
    assert exc.value.field == "hours"
    plan = _plan(tree.branch_a)
    with pytest.raises(AppError) as exc:
        _item(plan, hours=value)
    assert exc.value.field == "hours"
    with pytest.raises(AppError) as exc:
        _training(tree.members_a[2], hours=value)
    assert exc.value.field == "hours"
    assert (Meeting.all_objects.count(), PlanItem.all_objects.count()) == (0, 0)
    assert Training.all_objects.count() == 0


@pytest.mark.parametrize(
    ("starts_at", "field"),
    [
        (dt.datetime(9999, 12, 31, 22, tzinfo=dt.UTC), "starts_at"),
        (dt.datetime(1, 1, 1, 9, tzinfo=dt.UTC), "starts_at"),
        (dt.datetime(1999, 12, 31, 9, tzinfo=dt.UTC), "starts_at"),
        (at(12, 31, 23, 30, year=2200), "ends_at"),  # ends in 2201
    ],
)
def test_session_times_are_bounded_to_sensible_years(tree, starts_at, field):
    """Year 9999 made orglife's local-day conversion overflow (a 500)."""
    with pytest.raises(AppError) as exc:
        make_session(tree.branch_a, starts_at, length_minutes=60, hours="1")
    assert exc.value.field == field and "2000" in exc.value.message
    assert Meeting.all_objects.count() == 0


def test_a_session_is_held_by_a_unit_body_or_below_never_the_whole_city(tree):
    """At the root its roster would be every member of the city: one attendance row each."""
    with pytest.raises(AppError) as exc:
        make_session(tree.root, at(3, 1))
    assert exc.value.field == "org" and "单位" in exc.value.message
    assert Meeting.all_objects.count() == 0 and Attendance.all_objects.count() == 0
    unit = make_session(tree.party_group_a, at(3, 1))  # the unit's top node: its members
    assert Attendance.all_objects.filter(meeting=unit.meeting).count() == 8
    assert make_session(tree.branch_c, at(3, 2)).meeting.org == tree.branch_c


def test_a_branch_without_a_unit_may_still_hold_a_session(tree):
    from dangjian.members.services import member_create
    from dangjian.orgs.services import org_create
    from tests.conftest import member_data

    direct = org_create(actor=None, parent=tree.root, name="工委直属支部", kind="branch")
    assert direct.unit_id is None
    member_create(actor=None, branch=direct, name="直属党员", **member_data())
    session = make_session(direct, at(3, 1))
    assert Attendance.all_objects.filter(meeting=session.meeting).count() == 1


def test_the_same_training_is_not_entered_twice(tree, personas, media):
    member = personas.member_a.member
    first = _training(member, personas.member_a, proof=SimpleUploadedFile("p.pdf", PDF))
    for actor, proof in ((personas.member_a, SimpleUploadedFile("p.pdf", PDF)), (None, None)):
        with pytest.raises(AppError, match="该培训已登记") as exc:
            _training(member, actor, proof=proof)
        assert exc.value.field == "title"
    assert Training.all_objects.count() == 1
    # another span or title is another training; a rejected one may be entered again
    _training(member, None, started_on=dt.date(YEAR, 6, 3), ended_on=dt.date(YEAR, 6, 7))
    services.training_decide(actor=personas.secretary_a, training=first, approve=False, reason="x")
    again = _training(member, None)
    assert again.status == "approved" and Training.all_objects.count() == 3


def test_training_dates_before_2000_are_refused(tree):
    with pytest.raises(AppError) as exc:
        _training(tree.members_a[2], started_on=dt.date(1, 1, 1), ended_on=dt.date(1, 1, 2))
    assert exc.value.field == "started_on" and "2000" in exc.value.message
    assert Training.all_objects.count() == 0


def test_training_revoke(tree, personas, media, changed):
    member = tree.members_a[2]
    training = _training(member, personas.secretary_a)
    changed.clear()
    with pytest.raises(Http404):
        services.training_revoke(actor=personas.secretary_b, training=training, reason="x")
    with pytest.raises(AppError) as exc:
        services.training_revoke(actor=personas.secretary_a, training=training, reason=" ")
    assert exc.value.field == "reason"
    assert Training.all_objects.get(pk=training.pk).status == "approved"
    done = services.training_revoke(
        actor=personas.unit_admin, training=training, reason="证明材料不实"
    )
    assert (done.status, done.reject_reason, done.decided_by) == (
        "rejected",
        "证明材料不实",
        personas.unit_admin,
    )
    assert changed == [([member.pk], YEAR)]  # the hours and points it gave go
    entry = AuditEntry.objects.get(action="study.training.revoked")
    assert entry.changes["reason"] == "证明材料不实"
    with pytest.raises(AppError, match="只能撤销已认定"):
        services.training_revoke(actor=personas.unit_admin, training=done, reason="again")
    # nobody withdraws his own
    mine = _training(personas.secretary_a.member, personas.unit_admin)
    with pytest.raises(AppError, match="本人"):
        services.training_revoke(actor=personas.secretary_a, training=mine, reason="x")


def _transfer(member, to_org, personas):
    from dangjian.members.transfers import services as transfers

    t = transfers.transfer_start(
        actor=personas.secretary_a,
        member=member,
        on=dt.date.today(),
        reason="工作调动",
        to_org=to_org,
    )
    transfers.transfer_accept(actor=personas.secretary_b, transfer=t, on=dt.date.today())
    member.refresh_from_db()
    return member


def test_a_transferred_members_training_and_exemption_follow_him(tree, personas, media):
    from dangjian.study import selectors_sessions as sel

    member = personas.member_a.member
    pending = _training(member, personas.member_a, proof=SimpleUploadedFile("p.pdf", PDF))
    approved = _training(
        member,
        None,
        hours="8",
        title="网络培训",
        started_on=dt.date(YEAR, 6, 3),
        ended_on=dt.date(YEAR, 6, 3),
    )
    exemption = services.exemption_grant(actor=None, member=member, year=YEAR, reason="ill")
    member = _transfer(member, tree.branch_b, personas)
    assert pending.org_path == tree.branch_a.path  # stored as history, not used for access
    # the new secretary sees and decides; the old one gets 404
    assert [t.pk for t in sel.trainings_pending(personas.secretary_b)] == [pending.pk]
    assert sel.trainings_pending(personas.secretary_a) == []
    assert pending.pk in [t.pk for t in sel.trainings_pending(personas.unit_admin, tree.branch_b)]
    assert sel.trainings_pending(personas.unit_admin, tree.branch_a) == []
    assert [t.pk for t in sel.trainings_decided(personas.secretary_b)] == [approved.pk]
    for old in (personas.secretary_a,):
        with pytest.raises(Http404):
            sel.access_training(old, pending.pk)
        with pytest.raises(Http404):
            sel.access_exemption(old, exemption.pk)
        with pytest.raises(Http404):
            services.training_decide(actor=old, training=pending, approve=True)
        with pytest.raises(Http404):
            services.exemption_revoke(actor=old, exemption=exemption)
    found = sel.access_training(personas.secretary_b, pending.pk)
    services.training_decide(actor=personas.secretary_b, training=found, approve=True)
    assert Training.all_objects.get(pk=pending.pk).status == "approved"
    with services.training_proof_open(actor=personas.secretary_b, training=found) as handle:
        assert handle.read() == PDF
    services.training_revoke(
        actor=personas.secretary_b,
        training=sel.access_training(personas.secretary_b, approved.pk),
        reason="重复登记",
    )
    services.exemption_revoke(
        actor=personas.secretary_b,
        exemption=sel.access_exemption(personas.secretary_b, exemption.pk),
    )
    assert StudyExemption.all_objects.count() == 0
