"""Reductions after the review: nobody approves his own (R-DUES-08), an approved reduction can
be ended early (re-deriving the unpaid months after it), a pending one can be withdrawn by the
branch; the buttons on the reductions page and the member's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.dues import services
from dangjian.dues.models import ChargeStatus, DuesCharge, Reduction, ReductionStatus
from tests.dues.conftest import MONTHLY, pay

APR, MAY, JUN = dt.date(2024, 4, 1), dt.date(2024, 5, 1), dt.date(2024, 6, 1)


def _request(actor, member, kind="exempt", first=APR, last=None):
    return services.reduction_request(
        actor=actor,
        member=member,
        kind=kind,
        monthly_amount=None,
        from_month=first,
        to_month=last,
        reason="患重病，收入锐减",
        branch_discussed_on=dt.date(2024, 3, 28),
    )


def _charge(member, month):
    return DuesCharge.all_objects.get(member=member, month=month)


# --- R-DUES-08: nobody decides his own case ---------------------------------------------------


def test_the_requester_cannot_approve_his_own_request(tree, personas, dues_bases):
    # the unit administrator may both keep branch A's dues and approve above it
    reduction = _request(personas.unit_admin, tree.members_a[2])
    with pytest.raises(AppError) as exc:
        services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=True)
    assert "R-DUES-08" in exc.value.message and "本人" in exc.value.message
    assert Reduction.all_objects.get(pk=reduction.pk).status == ReductionStatus.PENDING
    assert not AuditEntry.objects.filter(action="dues.reduction.approved").exists()
    # another approver may
    services.reduction_decide(actor=personas.committee_admin, reduction=reduction, approve=True)
    assert Reduction.all_objects.get(pk=reduction.pk).status == ReductionStatus.APPROVED


def test_an_approver_cannot_approve_his_own_reduction_as_a_member(tree, personas, dues_bases):
    approver = personas.committee_admin
    approver.member = tree.members_a[2]
    approver.save(update_fields=["member"])
    reduction = _request(personas.secretary_a, tree.members_a[2])
    with pytest.raises(AppError, match="R-DUES-08"):
        services.reduction_decide(actor=approver, reduction=reduction, approve=False, note="否")
    assert Reduction.all_objects.get(pk=reduction.pk).status == ReductionStatus.PENDING


def test_own_approval_refused_through_the_page(client, tree, personas, dues_bases):
    reduction = _request(personas.unit_admin, tree.members_a[2])
    client.force_login(personas.unit_admin)
    response = client.post(
        f"/dues/reductions/{reduction.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert response.status_code == 200
    assert "R-DUES-08" in response.content.decode()
    assert Reduction.all_objects.get(pk=reduction.pk).status == ReductionStatus.PENDING


# --- ending an approved reduction ---------------------------------------------------------------


@pytest.fixture
def exempted(tree, personas, charged):
    """An open-ended exemption of 王五 from April, approved: April–June charge nothing."""
    member = tree.members_a[2]
    reduction = _request(personas.secretary_a, member)
    services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=True)
    assert _charge(member, JUN).status == ChargeStatus.EXEMPT
    return reduction


def test_end_rederives_the_months_after_it(tree, personas, exempted):
    member = tree.members_a[2]
    done = services.reduction_end(
        actor=personas.unit_admin, reduction=exempted, to_month="2024-04", reason="已恢复工作"
    )
    assert done.to_month == APR and done.closed_by == personas.unit_admin
    assert done.close_note == "已恢复工作" and done.status == ReductionStatus.APPROVED
    apr, may, jun = (_charge(member, m) for m in (APR, MAY, JUN))
    assert (apr.status, apr.amount) == (ChargeStatus.EXEMPT, D("0.00"))
    assert (may.status, may.amount, may.reduction_id) == (ChargeStatus.DUE, MONTHLY, None)
    assert (jun.status, jun.amount) == (ChargeStatus.DUE, MONTHLY)
    entry = AuditEntry.objects.get(action="dues.reduction.ended")
    assert entry.changes["reason"] == "已恢复工作"
    assert AuditEntry.objects.filter(action="dues.charge.recomputed").count() == 2


@pytest.mark.parametrize(
    ("to_month", "reason", "field", "text"),
    [
        ("2024-03", "恢复", "to_month", "起始月份"),
        ("2024-13", "恢复", "to_month", "无效"),
        ("2024-05", "", "reason", "终止原因"),
    ],
)
def test_end_refuses_bad_input_and_writes_nothing(
    tree, personas, exempted, to_month, reason, field, text
):
    with pytest.raises(AppError) as exc:
        services.reduction_end(
            actor=personas.unit_admin, reduction=exempted, to_month=to_month, reason=reason
        )
    assert exc.value.field == field and text in exc.value.message
    assert Reduction.all_objects.get(pk=exempted.pk).to_month is None
    assert not AuditEntry.objects.filter(action="dues.reduction.ended").exists()


def test_end_cannot_lengthen_or_end_a_pending_one(tree, personas, charged):
    member = tree.members_a[3]
    reduction = _request(personas.secretary_a, member, last=MAY)
    with pytest.raises(AppError, match="只有已批准"):
        services.reduction_end(
            actor=personas.unit_admin, reduction=reduction, to_month=APR, reason="x"
        )
    services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=True)
    with pytest.raises(AppError, match="早于原截止月份"):
        services.reduction_end(
            actor=personas.unit_admin, reduction=reduction, to_month=JUN, reason="x"
        )


def test_end_needs_the_approvers_rights(tree, personas, exempted):
    with pytest.raises(AppError, match="R-DUES-08"):
        services.reduction_end(
            actor=personas.secretary_a, reduction=exempted, to_month=APR, reason="x"
        )
    with pytest.raises(Http404):
        services.reduction_end(
            actor=personas.secretary_b, reduction=exempted, to_month=APR, reason="x"
        )


def test_end_leaves_a_paid_month_as_it_was(tree, personas, tree_paid_reduce):
    member, reduction = tree_paid_reduce
    services.reduction_end(actor=personas.unit_admin, reduction=reduction, to_month=APR, reason="x")
    may = _charge(member, MAY)
    assert (may.amount, may.paid_amount, may.status) == (D("10.00"), D("10.00"), "paid")
    assert _charge(member, JUN).amount == MONTHLY


@pytest.fixture
def tree_paid_reduce(tree, personas, charged):
    """赵六 pays 10.00 a month from April (少交), and paid May."""
    member = tree.members_a[3]
    reduction = services.reduction_request(
        actor=personas.secretary_a,
        member=member,
        kind="reduce",
        monthly_amount="10.00",
        from_month=APR,
        to_month=None,
        reason="困难",
        branch_discussed_on=dt.date(2024, 3, 28),
    )
    services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=True)
    pay(member, "10.00", dt.date(2024, 5, 20), months=[MAY])
    return member, reduction


def test_end_through_the_reductions_page(client, tree, personas, exempted):
    client.force_login(personas.unit_admin)
    html = client.get("/dues/reductions/").content.decode()
    assert f"/dues/reductions/{exempted.pk}/end/" in html
    response = client.post(
        f"/dues/reductions/{exempted.pk}/end/", {"to_month": "2024-05", "reason": "已恢复"}
    )
    assert response.status_code == 302
    assert Reduction.all_objects.get(pk=exempted.pk).to_month == MAY
    # a bad month: a message, nothing changed
    response = client.post(
        f"/dues/reductions/{exempted.pk}/end/", {"to_month": "abc", "reason": "x"}, follow=True
    )
    assert "最后减免月份" in response.content.decode()
    assert Reduction.all_objects.get(pk=exempted.pk).to_month == MAY


@pytest.mark.parametrize(
    ("persona", "status"),
    [("secretary_a", 404), ("secretary_b", 404), ("member_a", 404), ("auditor", 404)],
)
def test_end_page_is_404_to_non_approvers(client, tree, personas, exempted, persona, status):
    client.force_login(personas.by_name(persona))
    response = client.post(
        f"/dues/reductions/{exempted.pk}/end/", {"to_month": "2024-05", "reason": "x"}
    )
    assert response.status_code == status
    assert Reduction.all_objects.get(pk=exempted.pk).to_month is None


# --- withdrawing a pending request -------------------------------------------------------------


def test_withdraw_a_pending_request_then_ask_again(tree, personas, dues_bases):
    member = tree.members_a[2]
    reduction = _request(personas.secretary_a, member)
    with pytest.raises(AppError, match="撤回原因"):
        services.reduction_withdraw(actor=personas.secretary_a, reduction=reduction, reason="")
    done = services.reduction_withdraw(
        actor=personas.secretary_a, reduction=reduction, reason="材料不全，重新研究"
    )
    assert done.status == ReductionStatus.WITHDRAWN and done.close_note == "材料不全，重新研究"
    assert AuditEntry.objects.filter(action="dues.reduction.withdrawn").count() == 1
    again = _request(personas.secretary_a, member)  # no longer blocks a new request
    assert again.status == ReductionStatus.PENDING
    with pytest.raises(AppError, match="只有待审批"):
        services.reduction_withdraw(actor=personas.secretary_a, reduction=done, reason="x")
    with pytest.raises(AppError, match="已撤回"):
        services.reduction_decide(actor=personas.unit_admin, reduction=done, approve=True)


def test_withdraw_needs_the_branchs_rights(tree, personas, dues_bases):
    reduction = _request(personas.secretary_a, tree.members_a[2])
    with pytest.raises(Http404):
        services.reduction_withdraw(actor=personas.secretary_b, reduction=reduction, reason="x")
    assert Reduction.all_objects.get(pk=reduction.pk).status == ReductionStatus.PENDING


def test_withdraw_through_the_member_page(client, tree, personas, dues_bases):
    member = tree.members_a[2]
    reduction = _request(personas.secretary_a, member)
    client.force_login(personas.secretary_a)
    html = client.get(f"/dues/members/{member.pk}/").content.decode()
    assert f"/dues/reductions/{reduction.pk}/withdraw/" in html
    assert "/end/" not in html  # the branch does not end reductions
    response = client.post(
        f"/dues/reductions/{reduction.pk}/withdraw/",
        {"reason": "重新研究", "next": f"/dues/members/{member.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/dues/members/{member.pk}/"
    assert Reduction.all_objects.get(pk=reduction.pk).status == ReductionStatus.WITHDRAWN
    client.force_login(personas.secretary_b)
    response = client.post(f"/dues/reductions/{reduction.pk}/withdraw/", {"reason": "x"})
    assert response.status_code == 404
