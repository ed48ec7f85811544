"""Org write paths: rules enforced, nothing half-written, every change audited."""

import datetime as dt

import pytest
from django.http import Http404

from dangjian.core.errors import AppError, UnscopedQuery
from dangjian.core.models import AuditEntry
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orgs import services
from dangjian.orgs.models import CommitteeSeat, Org, Term


def test_paths_follow_the_tree(tree):
    assert tree.root.path == f"/{tree.root.pk}/"
    assert tree.branch_a.path == f"{tree.organ_a.path}{tree.branch_a.pk}/"
    assert tree.branch_a.depth == 3


def test_scoped_manager_refuses_a_query_without_scope(tree):
    with pytest.raises(UnscopedQuery):
        list(Org.objects.filter(kind="branch"))
    with pytest.raises(UnscopedQuery):
        Member.objects.count()
    with pytest.raises(UnscopedQuery):
        Org.objects.filter(pk=tree.root.pk).exists()
    # explicit opt-out and the related managers of an instance work
    assert Org.objects.unscoped().filter(kind="branch").count() == 3
    assert tree.branch_a.members.count() == 5


def _visible_names(user):
    return set(Org.objects.visible_to(user, Cap.ORG_VIEW).values_list("name", flat=True))


def test_visible_to_limits_to_the_users_subtree(personas, tree):
    assert _visible_names(personas.secretary_a) == {"第一党支部"}
    names = _visible_names(personas.unit_admin)
    assert names == {"甲局党组", "甲局机关党委", "甲局机关纪委", "第一党支部", "第二党支部"}
    assert not Org.objects.visible_to(personas.outsider, Cap.ORG_VIEW).exists()
    assert not Org.objects.visible_to(personas.auditor, Cap.ORG_VIEW).exists()


def test_create_refuses_a_kind_the_parent_cannot_hold(tree, personas):
    with pytest.raises(AppError) as exc:
        services.org_create(
            actor=personas.committee_admin,
            parent=tree.branch_a,
            name="错误总支",
            kind="general_branch",
        )
    assert exc.value.field == "kind"
    assert "党支部下不能设立党总支" in exc.value.message


def test_create_needs_manage_on_the_parent(tree, personas):
    with pytest.raises(Http404):
        services.org_create(
            actor=personas.secretary_a, parent=tree.branch_a, name="第一小组", kind="group"
        )
    assert not Org.objects.unscoped().filter(name="第一小组").exists()


def test_create_is_audited(tree, personas):
    org = services.org_create(
        actor=personas.unit_admin, parent=tree.organ_a, name="第三党支部", kind="branch"
    )
    entry = AuditEntry.objects.get(action="orgs.org.created", object_id=str(org.pk))
    assert entry.actor == personas.unit_admin
    assert entry.changes["name"] == "第三党支部"
    assert entry.org_path == org.path
    assert org.unit == tree.unit_a  # inherited from the parent


def test_move_rewrites_the_whole_subtree(tree, personas):
    group = services.org_create(actor=None, parent=tree.branch_a, name="第一小组", kind="group")
    services.org_move(
        actor=personas.committee_admin, org=tree.branch_a, new_parent=tree.party_group_b
    )
    tree.branch_a.refresh_from_db()
    group.refresh_from_db()
    assert tree.branch_a.path == f"{tree.party_group_b.path}{tree.branch_a.pk}/"
    assert group.path == f"{tree.branch_a.path}{group.pk}/"
    assert (tree.branch_a.depth, group.depth) == (2, 3)
    entry = AuditEntry.objects.get(action="orgs.org.moved")
    assert entry.changes["parent"] == [tree.organ_a.pk, tree.party_group_b.pk]


def test_move_carries_every_stored_path_of_the_subtree(tree, personas):
    """Rows of every app that copy their org's path (candidates, dues charges, assessments …)
    follow a move; the audit chain keeps the paths it was written with."""
    import datetime as dt
    from decimal import Decimal

    from dangjian.dues import services as dues
    from dangjian.dues.models import DuesBase, DuesCharge
    from dangjian.recruitment.models import Candidate
    from dangjian.recruitment.services import candidate_create

    member = tree.members_a[1]
    dues.base_set(
        actor=None,
        member=member,
        category="in_service",
        effective_month=dt.date(2026, 1, 1),
        base=Decimal("4000"),
    )
    dues.charges_generate(actor=None, org=tree.branch_a, month=dt.date(2026, 1, 1))
    candidate = candidate_create(
        actor=None,
        branch=tree.branch_a,
        name="陈小明",
        sex="1",
        birth_date=dt.date(1996, 5, 4),
        application_on=dt.date(2026, 3, 1),
    )
    old = tree.branch_a.path
    created = AuditEntry.objects.filter(org_path__startswith=old).count()
    services.org_move(
        actor=personas.committee_admin, org=tree.branch_a, new_parent=tree.party_group_b
    )
    tree.branch_a.refresh_from_db()
    new = tree.branch_a.path
    assert Candidate.all_objects.get(pk=candidate.pk).org_path == new
    assert DuesBase.all_objects.get(member=member).org_path == new
    assert DuesCharge.all_objects.get(member=member).org_path == new
    assert AuditEntry.objects.filter(org_path__startswith=old).count() == created
    copied = {(m._meta.label, f) for m, f in services._path_copies()}
    assert {
        ("recruitment.Candidate", "org_path"),
        ("dues.DuesCharge", "org_path"),
        ("assessment.Assessment", "org_path"),
        ("assessment.Scheme", "owner_path"),
        ("integrity.Commitment", "org_path"),
        ("members.Transfer", "to_path"),
    } <= copied
    assert ("core.AuditEntry", "org_path") not in copied


def test_move_into_own_subtree_is_refused(tree, personas):
    with pytest.raises(AppError):
        services.org_move(
            actor=personas.committee_admin, org=tree.party_group_a, new_parent=tree.organ_a
        )
    tree.party_group_a.refresh_from_db()
    assert tree.party_group_a.parent == tree.root


def test_unit_admin_cannot_move_out_of_their_unit(tree, personas):
    with pytest.raises(Http404):
        services.org_move(
            actor=personas.unit_admin, org=tree.branch_a, new_parent=tree.party_group_b
        )


def test_dissolve_keeps_history_and_needs_an_empty_org(tree, personas):
    with pytest.raises(AppError, match="名党员"):
        services.org_dissolve(
            actor=personas.committee_admin,
            org=tree.branch_b,
            on=dt.date(2022, 11, 1),
            reason="机构改革",
        )
    with pytest.raises(AppError, match="下级组织"):
        services.org_dissolve(
            actor=personas.committee_admin,
            org=tree.organ_a,
            on=dt.date(2022, 11, 1),
            reason="机构改革",
        )
    empty = services.org_create(actor=None, parent=tree.organ_a, name="临时党支部", kind="branch")
    services.term_record_election(actor=None, org=empty, elected_on=dt.date(2022, 1, 5))
    services.org_dissolve(
        actor=personas.committee_admin, org=empty, on=dt.date(2022, 11, 1), reason="任务完成"
    )
    empty.refresh_from_db()
    assert empty.dissolved_on == dt.date(2022, 11, 1)
    assert Term.objects.unscoped().get(org=empty).ended_on == dt.date(2022, 11, 1)
    assert Org.objects.unscoped().filter(pk=empty.pk).exists()


def test_dissolve_needs_a_reason(tree, personas):
    empty = services.org_create(actor=None, parent=tree.organ_a, name="临时党支部", kind="branch")
    with pytest.raises(AppError) as exc:
        services.org_dissolve(
            actor=personas.committee_admin, org=empty, on=dt.date(2022, 11, 1), reason="  "
        )
    assert exc.value.field == "reason"


def test_election_closes_the_term_and_computes_the_due_date(tree, personas):
    first = services.term_record_election(
        actor=personas.unit_admin, org=tree.organ_a, elected_on=dt.date(2019, 12, 1)
    )
    assert first.due_on == dt.date(2024, 12, 1)  # R-ORG-01: five years
    second = services.term_record_election(
        actor=personas.unit_admin, org=tree.organ_a, elected_on=dt.date(2024, 11, 20)
    )
    first.refresh_from_db()
    assert first.ended_on == dt.date(2024, 11, 20)
    assert second.due_on == dt.date(2029, 11, 20)
    with pytest.raises(AppError):
        services.term_record_election(
            actor=personas.unit_admin, org=tree.organ_a, elected_on=dt.date(2024, 1, 1)
        )


def test_election_refused_for_bodies_without_terms(tree, personas):
    with pytest.raises(AppError, match="不实行任期制"):
        services.term_record_election(
            actor=personas.committee_admin, org=tree.party_group_a, elected_on=dt.date(2022, 1, 1)
        )


def test_seats(tree, personas):
    secretary = tree.members_a[0]
    seat = services.seat_assign(
        actor=personas.unit_admin,
        org=tree.branch_a,
        member=secretary,
        role="secretary",
        started_on=dt.date(2022, 1, 1),
    )
    with pytest.raises(AppError, match="已有书记"):
        services.seat_assign(
            actor=personas.unit_admin,
            org=tree.branch_a,
            member=tree.members_a[1],
            role="secretary",
            started_on=dt.date(2022, 1, 1),
        )
    with pytest.raises(AppError, match="本组织"):
        services.seat_assign(
            actor=personas.unit_admin,
            org=tree.branch_a,
            member=tree.members_b[0],
            role="publicity",
            started_on=dt.date(2022, 1, 1),
        )
    services.seat_end(actor=personas.unit_admin, seat=seat, ended_on=dt.date(2022, 6, 1))
    assert CommitteeSeat.objects.unscoped().get(pk=seat.pk).ended_on == dt.date(2022, 6, 1)
    assert AuditEntry.objects.filter(action__startswith="orgs.seat.").count() == 2


def test_update_only_changes_editable_fields(tree, personas):
    with pytest.raises(AppError):
        services.org_update(actor=personas.committee_admin, org=tree.branch_a, kind="group")
    services.org_update(actor=personas.committee_admin, org=tree.branch_a, name="第一党支部（新）")
    entry = AuditEntry.objects.get(action="orgs.org.updated")
    assert entry.changes == {"name": ["第一党支部", "第一党支部（新）"]}


def test_audit_entries_cannot_be_edited_or_deleted(tree):
    entry = AuditEntry.objects.first()
    entry.action = "tampered"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
