"""The write paths of legal services: refusals in Chinese at the field with nothing written,
the one-live-lawyer-per-place rule, the aid case's moves, the 246 items, audit entries and the
capability check inside the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from dangjian.core import crypto
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.legal import services_aid as sa
from dangjian.legal import services_lawyers as sl
from dangjian.legal import services_villages as sv
from dangjian.legal.models import (
    LegalAidCase,
    ServiceLog,
    VillageLawyer,
    WorkSystemItem,
)
from tests.legal import legal_svc_world

pytestmark = pytest.mark.django_db
lw = legal_svc_world.lw


def _refused(fn, field, text=None, **kwargs):
    with pytest.raises(AppError) as exc:
        fn(**kwargs)
    assert exc.value.field == field
    if text:
        assert text in str(exc.value)
    return exc.value


def test_lawyer_phone_is_sealed_and_masked(lw):
    assert lw.lawyer.phone_masked == "138****1234"
    assert crypto.decrypt(lw.lawyer.phone_sealed) == "13800001234"
    entry = AuditEntry.objects.filter(action="legal.lawyer.created").first()
    assert entry is not None and "13800001234" not in str(entry.changes)


@pytest.mark.parametrize("licence", ["123", "1420320151000000X", "", "142032015100000011"])
def test_bad_licence_number_is_refused(lw, licence):
    before = lw.firm.lawyers.count()
    _refused(
        sl.lawyer_create, "licence_no", actor=None, firm=lw.firm, name="新律师", licence_no=licence
    )
    assert lw.firm.lawyers.count() == before


def test_duplicate_licence_number_is_refused(lw):
    _refused(
        sl.lawyer_create,
        "licence_no",
        "已登记",
        actor=None,
        firm=lw.firm2,
        name="重复",
        licence_no=lw.lawyer.licence_no,
    )


def test_lawyer_update_changes_fields_and_audits(lw, personas):
    sl.lawyer_update(actor=personas.unit_admin, lawyer=lw.lawyer3, is_party_member=True, phone="")
    lw.lawyer3.refresh_from_db()
    assert lw.lawyer3.is_party_member is True
    assert AuditEntry.objects.filter(action="legal.lawyer.updated").exists()


def test_a_lawyer_assigned_twice_to_one_village_is_refused(lw):
    _refused(
        sv.village_lawyer_assign,
        "lawyer",
        "该律师已是该村（社区）的驻点律师",
        actor=None,
        community=lw.villages[0],
        lawyer=lw.lawyer,
    )
    assert VillageLawyer.all_objects.filter(community=lw.villages[0]).count() == 1


def test_another_lawyer_while_one_serves_is_refused_with_advice(lw):
    err = _refused(
        sv.village_lawyer_assign, "lawyer", actor=None, community=lw.villages[0], lawyer=lw.lawyer3
    )
    assert "请先结束" in str(err)
    sv.village_lawyer_end(actor=None, assignment=lw.assignment)
    new = sv.village_lawyer_assign(actor=None, community=lw.villages[0], lawyer=lw.lawyer3)
    assert new.ended_on is None
    assert AuditEntry.objects.filter(action="legal.village_lawyer.ended").exists()


def test_service_log_boundaries(lw):
    start = lw.assignment.started_on
    _refused(
        sv.service_log_record,
        "served_on",
        "不能早于",
        actor=None,
        assignment=lw.assignment,
        kind="visit",
        served_on=start - dt.timedelta(days=1),
    )
    _refused(
        sv.service_log_record,
        "served_on",
        "不能晚于今天",
        actor=None,
        assignment=lw.assignment,
        kind="visit",
        served_on=lw.today + dt.timedelta(days=1),
    )
    _refused(
        sv.service_log_record,
        "count",
        actor=None,
        assignment=lw.assignment,
        kind="visit",
        served_on=start,
        count=0,
    )
    _refused(
        sv.service_log_record,
        "kind",
        actor=None,
        assignment=lw.assignment,
        kind="party",
        served_on=start,
    )
    before = ServiceLog.all_objects.count()
    sv.service_log_record(
        actor=None, assignment=lw.assignment, kind="mediation", served_on=start, count="2"
    )
    assert ServiceLog.all_objects.count() == before + 1


def test_adviser_appoint_and_end(lw):
    _refused(sv.adviser_appoint, "lawyer", "已是", actor=None, post=lw.post_city, lawyer=lw.lawyer)
    _refused(
        sv.adviser_appoint,
        "lawyer",
        "本单位",
        actor=None,
        post=lw.post_county,
        lawyer=lw.other_lawyer,
    )
    sv.adviser_end(actor=None, adviser=lw.adviser)
    _refused(sv.adviser_end, "ended_on", actor=None, adviser=lw.adviser)


def test_aid_case_moves(lw, personas):
    admin = personas.unit_admin
    case = sa.aid_case_accept(actor=admin, case=lw.case_applied)
    assert case.status == "accepted" and case.accepted_on == lw.today
    _refused(sa.aid_case_accept, "status", actor=admin, case=case)
    _refused(sa.aid_case_close, "status", actor=admin, case=case, outcome="won")
    _refused(sa.aid_case_assign, "lawyer", actor=admin, case=case, lawyer=lw.other_lawyer)
    case = sa.aid_case_assign(actor=admin, case=case, lawyer=lw.lawyer3)
    assert case.status == "assigned" and case.lawyer == lw.lawyer3
    actions = set(
        AuditEntry.objects.filter(action__startswith="legal.aid_case.").values_list(
            "action", flat=True
        )
    )
    assert {"legal.aid_case.accepted", "legal.aid_case.assigned"} <= actions


def test_closing_without_outcome_is_refused_and_nothing_written(lw):
    _refused(sa.aid_case_close, "outcome", "结果", actor=None, case=lw.case_assigned, outcome="")
    lw.case_assigned.refresh_from_db()
    assert lw.case_assigned.status == "assigned" and lw.case_assigned.closed_on is None
    closed = sa.aid_case_close(actor=None, case=lw.case_assigned, outcome="settled")
    assert closed.status == "closed" and closed.closed_on == lw.today


def test_refusal_needs_a_reason(lw):
    _refused(sa.aid_case_refuse, "reason", actor=None, case=lw.case_applied, reason="  ")
    case = sa.aid_case_refuse(actor=None, case=lw.case_applied, reason="经济状况不符合条件")
    assert case.status == "refused" and case.accepted_on == lw.today


def test_case_number_is_unique_per_unit(lw, tree):
    _refused(
        sa.aid_case_create,
        "case_no",
        "已登记",
        actor=None,
        org=lw.org,
        case_no=lw.case_applied.case_no,
        applicant_name="甲",
        applicant_category="minor",
        matter="事项",
        applied_on=lw.today,
    )
    # the same number in another unit is fine
    sa.aid_case_create(
        actor=None,
        org=tree.party_group_b,
        case_no=lw.case_applied.case_no,
        applicant_name="乙",
        applicant_category="minor",
        matter="事项",
        applied_on=lw.today,
    )


def test_nul_characters_are_refused(lw):
    _refused(
        sa.aid_case_create,
        "matter",
        actor=None,
        org=lw.org,
        case_no="X-9",
        applicant_name="甲",
        applicant_category="minor",
        matter="a\x00b",
        applied_on=lw.today,
    )
    assert not LegalAidCase.all_objects.filter(case_no="X-9").exists()


def test_activity_lawyers_must_be_the_units(lw):
    _refused(
        sa.activity_record,
        "lawyers",
        actor=None,
        org=lw.org,
        kind="pufa",
        title="普法",
        held_on=lw.today,
        lawyers=[lw.other_lawyer],
    )
    _refused(
        sa.activity_record,
        "held_on",
        actor=None,
        org=lw.org,
        kind="pufa",
        title="普法",
        held_on=lw.today + dt.timedelta(days=3),
    )


def test_work_system_items_create_move_update_delete(lw, personas):
    admin = personas.unit_admin
    a = sa.work_system_item_create(
        actor=admin, org=lw.org, heading="两个目标", kind="goal", text="甲"
    )
    b = sa.work_system_item_create(
        actor=admin, org=lw.org, heading="两个目标", kind="goal", text="乙"
    )
    assert (a.position, b.position) == (1, 2)
    sa.work_system_item_move(actor=admin, item=b, direction="up")
    order = list(
        WorkSystemItem.all_objects.filter(org=lw.org)
        .order_by("position")
        .values_list("text", flat=True)
    )
    assert order == ["乙", "甲"]
    _refused(sa.work_system_item_move, "direction", actor=admin, item=b, direction="up")
    sa.work_system_item_update(actor=admin, item=a, text="甲（修订）")
    _refused(sa.work_system_item_update, "kind", actor=admin, item=a, kind="other")
    sa.work_system_item_delete(actor=admin, item=a)
    assert WorkSystemItem.all_objects.filter(org=lw.org).count() == 1
    assert AuditEntry.objects.filter(action="legal.system_item.deleted").exists()


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "auditor", "system_admin"])
def test_services_refuse_actors_without_the_capability(lw, personas, persona):
    actor = personas.by_name(persona)
    with pytest.raises(Http404):
        sl.firm_create(actor=actor, org=lw.org, name="新所")
    with pytest.raises(Http404):
        sa.aid_case_accept(actor=actor, case=lw.case_applied)


def test_another_units_admin_cannot_touch_the_case(lw, personas):
    with pytest.raises(Http404):
        sa.aid_case_accept(actor=personas.unit_admin, case=lw.other_case)


def test_firm_on_a_non_unit_org_is_refused(lw, tree):
    _refused(sl.firm_create, "org", actor=None, org=tree.branch_a, name="某所")
    _refused(sl.firm_create, "name", "已登记", actor=None, org=lw.org, name="汉江律师事务所")
