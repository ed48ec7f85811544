"""Generating the monthly charges (应缴生成): who owes (R-DUES-09: probationary members from
the month of acceptance; nobody after leaving, nobody suspended), bases and reductions,
idempotence, chunks, and the background run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.dues import services
from dangjian.dues.models import ChargeRun, ChargeStatus, DuesCharge, Reduction, RunStatus
from tests.conftest import _member
from tests.dues.conftest import BASE_MONTH, all_members, generate, set_base

D = Decimal
FEB, MAR, APR = dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)


def _charged(month) -> set[int]:
    return set(DuesCharge.all_objects.filter(month=month).values_list("member_id", flat=True))


def test_every_member_who_owes_gets_one_charge(tree, dues_bases):
    run = generate(tree.root, FEB)
    members = all_members(tree)
    assert _charged(FEB) == {m.pk for m in members}
    assert (run.status, run.total, run.done, run.created_count) == (RunStatus.DONE, 10, 10, 10)
    assert (run.skipped_count, run.no_base_count) == (0, 0)
    charge = DuesCharge.all_objects.get(member=tree.members_b[0], month=FEB)
    assert charge.branch == tree.branch_b and charge.org_path == tree.branch_b.path
    assert (charge.category, charge.base, charge.standard_amount, charge.amount) == (
        "in_service",
        D("4000.00"),
        D("40.00"),
        D("40.00"),
    )
    assert charge.status == ChargeStatus.DUE
    # one audit entry per run, not per charge
    entries = AuditEntry.objects.filter(action="dues.charges.generated")
    assert entries.count() == 1 and entries[0].changes["created"] == 10


def test_only_the_subtree_is_charged(tree, dues_bases):
    generate(tree.branch_b, FEB)
    assert _charged(FEB) == {m.pk for m in tree.members_b}


def test_rerun_adds_nothing_twice(tree, dues_bases):
    generate(tree.party_group_a, FEB)
    again = generate(tree.root, FEB)
    assert DuesCharge.all_objects.filter(month=FEB).count() == 10
    assert (again.created_count, again.skipped_count) == (2, 8)  # branch C only is new


def test_probationary_member_owes_from_the_month_of_acceptance(tree):
    """R-DUES-09: accepted by the 支部大会 on 15 March → March is owed, February is not."""
    newcomer = _member(
        tree.branch_a, "林新", category="probationary", joined_on=dt.date(2024, 3, 15)
    )
    set_base(newcomer, month=MAR)
    set_base(tree.members_a[0])
    generate(tree.branch_a, FEB)
    generate(tree.branch_a, MAR)
    assert newcomer.pk not in _charged(FEB)
    assert newcomer.pk in _charged(MAR)
    assert tree.members_a[0].pk in _charged(FEB)


def test_members_who_joined_after_the_month_owe_nothing(tree, dues_bases):
    late = _member(tree.branch_a, "晚来", category="probationary", joined_on=dt.date(2024, 5, 2))
    run = generate(tree.branch_a, APR)
    assert late.pk not in _charged(APR)
    assert run.total == 5 and run.no_base_count == 0  # not even counted as lacking a base


def test_members_who_left_or_are_suspended_owe_nothing(tree, dues_bases):
    from dangjian.members.models import Member
    from dangjian.members.services import member_leave

    left = member_leave(
        actor=None, member=tree.members_a[1], on=dt.date(2024, 2, 10), reason="died"
    )
    Member.all_objects.filter(pk=tree.members_a[2].pk).update(standing="suspended")
    generate(tree.branch_a, dt.date(2024, 1, 1))
    generate(tree.branch_a, FEB)
    assert left.pk in _charged(dt.date(2024, 1, 1))  # on the roster all January
    assert left.pk not in _charged(FEB)  # left during February
    assert tree.members_a[2].pk not in _charged(FEB)


def test_members_without_a_base_are_counted_not_charged(tree):
    set_base(tree.members_a[0])
    run = generate(tree.branch_a, FEB)
    assert _charged(FEB) == {tree.members_a[0].pk}
    assert (run.total, run.created_count, run.no_base_count) == (5, 1, 4)


def test_the_base_in_force_is_the_latest_before_the_month(tree):
    member = tree.members_a[0]
    set_base(member)
    set_base(member, base="6000", month=MAR)
    set_base(member, base="12000", month=dt.date(2024, 5, 1))
    for month in (FEB, MAR, APR):
        generate(tree.branch_a, month)
    amounts = dict(DuesCharge.all_objects.filter(member=member).values_list("month", "amount"))
    assert amounts == {FEB: D("40.00"), MAR: D("90.00"), APR: D("90.00")}


def _approved(member, kind, amount, first, last=None):
    return Reduction.all_objects.create(
        member=member,
        org_path=member.org_path,
        kind=kind,
        monthly_amount=amount,
        from_month=first,
        to_month=last,
        reason="困难",
        branch_discussed_on=first,
        status="approved",
    )


def test_reductions_and_exemptions_apply(tree, dues_bases):
    exempt = _approved(tree.members_a[0], "exempt", 0, FEB, FEB)
    reduce = _approved(tree.members_a[1], "reduce", D("2.00"), BASE_MONTH)
    Reduction.all_objects.create(  # pending: not applied
        member=tree.members_a[2],
        org_path=tree.branch_a.path,
        kind="exempt",
        from_month=FEB,
        reason="困难",
        branch_discussed_on=FEB,
    )
    generate(tree.branch_a, FEB)
    generate(tree.branch_a, MAR)
    c = DuesCharge.all_objects.get(member=tree.members_a[0], month=FEB)
    assert (c.amount, c.standard_amount, c.status, c.reduction_id) == (
        D("0.00"),
        D("40.00"),
        ChargeStatus.EXEMPT,
        exempt.pk,
    )
    assert DuesCharge.all_objects.get(member=tree.members_a[0], month=MAR).amount == D("40.00")
    c = DuesCharge.all_objects.get(member=tree.members_a[1], month=MAR)
    assert (c.amount, c.status, c.reduction_id) == (D("2.00"), ChargeStatus.DUE, reduce.pk)
    assert DuesCharge.all_objects.get(member=tree.members_a[2], month=FEB).amount == D("40.00")


@pytest.mark.parametrize("chunk", [1, 2, 3, 2000])
def test_chunk_boundaries_give_the_same_result(tree, dues_bases, chunk):
    run = generate(tree.root, FEB, chunk=chunk)
    assert _charged(FEB) == {m.pk for m in all_members(tree)}
    assert (run.done, run.total, run.created_count) == (10, 10, 10)
    assert run.heartbeat_at is not None and run.finished_at is not None


def test_queries_grow_with_chunks_not_members(tree, dues_bases, django_assert_max_num_queries):
    """Per chunk: members, their row locks, existing charges, bases, reductions, one INSERT,
    one progress update (+ savepoints); nothing per member."""
    with django_assert_max_num_queries(21):
        generate(tree.root, FEB, chunk=2000)
    with django_assert_max_num_queries(21 + 5 * 9):
        generate(tree.root, MAR, chunk=2)


def test_generate_refuses_outsiders(tree, personas, dues_bases):
    with pytest.raises(Http404):
        generate(tree.branch_a, FEB, actor=personas.secretary_b)
    with pytest.raises(Http404):
        generate(tree.root, FEB, actor=personas.unit_admin)
    assert not DuesCharge.all_objects.exists()
    run = generate(tree.branch_a, FEB, actor=personas.secretary_a)
    assert run.created_by == personas.secretary_a


# ---------------------------------------------------------------------------------------------
# The background run


def test_run_start_queues_and_runs_on_commit(
    tree, personas, dues_bases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.charge_run_start(actor=personas.secretary_a, org=tree.branch_a, month=FEB)
        assert run.status == RunStatus.QUEUED
    run.refresh_from_db()
    assert (run.status, run.created_count, run.percent) == (RunStatus.DONE, 5, 100)
    assert _charged(FEB) == {m.pk for m in tree.members_a}
    assert AuditEntry.objects.filter(action="dues.run.started").count() == 1


def test_a_second_start_while_one_runs_is_refused(tree, personas, dues_bases):
    services.charge_run_start(actor=personas.secretary_a, org=tree.branch_a, month=FEB)
    with pytest.raises(AppError) as exc:
        services.charge_run_start(actor=personas.secretary_a, org=tree.branch_a, month=FEB)
    assert "正在生成" in exc.value.message
    assert ChargeRun.all_objects.count() == 1
    # another month, or another org, is fine
    services.charge_run_start(actor=personas.secretary_a, org=tree.branch_a, month=MAR)
    assert ChargeRun.all_objects.count() == 2


@pytest.mark.parametrize(
    ("month", "text"),
    [(dt.date(2008, 3, 1), "2008年4月"), (dt.date(2099, 1, 1), "下个月"), ("2024-xx", "无效")],
)
def test_run_month_is_checked(tree, personas, month, text):
    with pytest.raises(AppError) as exc:
        services.charge_run_start(actor=personas.secretary_a, org=tree.branch_a, month=month)
    assert exc.value.field == "month" and text in exc.value.message
    assert not ChargeRun.all_objects.exists()


def test_run_start_by_an_outsider_is_404(tree, personas):
    for persona in ("secretary_b", "member_a", "auditor", "security_admin", "system_admin"):
        with pytest.raises(Http404):
            services.charge_run_start(actor=personas.by_name(persona), org=tree.branch_a, month=FEB)
    assert not ChargeRun.all_objects.exists()


def test_run_fails_cleanly_when_the_starter_lost_his_rights(tree, personas, dues_bases):
    from django.utils import timezone

    from dangjian.accounts.models import RoleGrant
    from dangjian.core.access import forget_grants

    run = services.charge_run_start(actor=personas.secretary_a, org=tree.branch_a, month=FEB)
    RoleGrant.objects.filter(user=personas.secretary_a).update(revoked_at=timezone.now())
    forget_grants(personas.secretary_a)
    services.charge_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "无权" in run.error
    assert not DuesCharge.all_objects.exists()


def test_task_runs_the_queued_run(tree, personas, dues_bases):
    from dangjian.dues.tasks import charge_run_task

    run = services.charge_run_start(actor=personas.secretary_a, org=tree.branch_a, month=FEB)
    charge_run_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.created_count == 5
    # a finished run is not run again
    charge_run_task.call(run.pk)
    assert DuesCharge.all_objects.count() == 5
