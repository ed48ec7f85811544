"""Write paths of 减免 (R-DUES-08): the branch, having discussed it, requests a reduction or an
exemption (`reduction_request`); the Party committee one level up decides
(`reduction_decide`). A branch never approves its own: the approver holds dues.approve on an
org strictly above the member's branch, and is neither the requester nor the member. The
committee ends an approved one early (`reduction_end`); the branch withdraws a pending one
(`reduction_withdraw`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.dues.models import (
    DuesBase,
    DuesCharge,
    Reduction,
    ReductionKind,
    ReductionStatus,
)
from dangjian.dues.selectors import can_approve
from dangjian.dues.services_common import (
    day_of,
    is_current,
    lock_member,
    money,
    month_of,
    rederive_unpaid,
    require,
    text,
    user_or_none,
)
from dangjian.members.models import Member
from dangjian.rules import dues as rules

REDUCTION_FIELDS = [
    "member",
    "kind",
    "monthly_amount",
    "from_month",
    "to_month",
    "reason",
    "branch_discussed_on",
    "status",
]


@transaction.atomic
def reduction_request(
    *,
    actor,
    member: Member,
    kind: str,
    monthly_amount,
    from_month,
    to_month,
    reason: str,
    branch_discussed_on,
    today: dt.date | None = None,
) -> Reduction:
    """申请少交或免交 for the months `from_month`..`to_month` (open-ended when empty), after the
    branch discussed it on `branch_discussed_on` (R-DUES-08). The approvers are told (to-do)."""
    require(actor, Cap.DUES_MANAGE, member.org_path)
    today = today or timezone.localdate()
    # first: two overlapping requests at once wait here, and the second sees the first
    lock_member(member)
    if not is_current(member):
        raise AppError("该党员已不在册或已停止党籍。", field="member")
    if kind not in ReductionKind.values:
        raise AppError("请选择少交或免交。", field="kind")
    first = month_of(from_month, "from_month", "起始月份")
    last = month_of(to_month, "to_month", "截止月份") if to_month not in (None, "") else None
    if last is not None and last < first:
        raise AppError("截止月份不能早于起始月份。", field="to_month")
    if first < rules.first_month_owed(member.joined_on):
        raise AppError(
            "起始月份不能早于该党员开始交纳党费的月份（R-DUES-09）。", field="from_month"
        )
    reason = text(reason, "reason", "原因", 500, required=True)
    discussed = day_of(branch_discussed_on, "branch_discussed_on", "支部研究日期")
    if discussed > today:
        raise AppError("支部研究日期不能晚于今天。", field="branch_discussed_on")
    if kind == ReductionKind.EXEMPT:
        amount = Decimal("0.00")
    else:
        amount = money(monthly_amount, "monthly_amount", "减免后月缴额")
        base = (
            DuesBase.all_objects.filter(member=member, effective_month__lte=first)
            .order_by("-effective_month")
            .first()
        )
        if base is not None and amount >= base.monthly_amount:
            raise AppError(
                f"少交后的月缴额须低于标准应缴额（{base.monthly_amount}元）；不需减免则无需申请。",
                field="monthly_amount",
            )
    overlap = Reduction.all_objects.filter(
        member=member, status__in=[ReductionStatus.PENDING, ReductionStatus.APPROVED]
    ).filter(Q(to_month__isnull=True) | Q(to_month__gte=first))
    if last is not None:
        overlap = overlap.filter(from_month__lte=last)
    if overlap.exists():
        raise AppError(
            "该党员在这段时间已有待审批或已批准的减免，请勿重复申请。", field="from_month"
        )
    reduction = Reduction.all_objects.create(
        member=member,
        org_path=member.org_path,
        kind=kind,
        monthly_amount=amount,
        from_month=first,
        to_month=last,
        reason=reason,
        branch_discussed_on=discussed,
        requested_by=user_or_none(actor),
    )
    audit(
        actor,
        "dues.reduction.requested",
        reduction,
        org_path=member.org_path,
        changes=snapshot(reduction, REDUCTION_FIELDS),
    )
    from dangjian.dues.reminders import notify_reductions

    notify_reductions([reduction])
    return reduction


def _require_approver(actor, reduction: Reduction) -> None:
    """R-DUES-08: dues.approve strictly above the member's branch. The branch's own managers
    get a clear refusal; everyone else a 404."""
    if actor is not None and not can_approve(actor, reduction.org_path):
        if can(actor, Cap.DUES_MANAGE, reduction.org_path) or can(
            actor, Cap.DUES_APPROVE, reduction.org_path
        ):
            raise AppError(
                "党费减免须报上一级党委批准（R-DUES-08），党支部不能自行审批。", code="forbidden"
            )
        raise deny()


def _lock(reduction: Reduction) -> Reduction:
    lock_member(reduction.member)
    return Reduction.all_objects.select_for_update().select_related("member").get(pk=reduction.pk)


def _copy_back(reduction: Reduction, locked: Reduction) -> None:
    for name in (
        "status",
        "to_month",
        "decided_by",
        "decided_at",
        "decision_note",
        "closed_by",
        "closed_at",
        "close_note",
    ):
        setattr(reduction, name, getattr(locked, name))


@transaction.atomic
def reduction_decide(*, actor, reduction: Reduction, approve: bool, note: str = "") -> Reduction:
    """批准 or 不批准 a pending reduction. Only the committee above the member's branch decides
    (R-DUES-08), and never a person deciding his own case: neither the one who requested it nor
    the member himself. An approval re-derives the wholly unpaid charges of its months."""
    _require_approver(actor, reduction)
    if actor is not None and (
        actor.pk == reduction.requested_by_id
        or (getattr(actor, "member_id", None) and actor.member_id == reduction.member_id)
    ):
        raise AppError(
            "不能审批本人提出或本人的党费减免申请，须由上一级党委的其他负责人审批（R-DUES-08）。",
            code="forbidden",
        )
    note = text(note, "note", "审批意见", 500, required=not approve)
    locked = _lock(reduction)
    if locked.status != ReductionStatus.PENDING:
        raise AppError(f"该申请已{locked.get_status_display()}，不能再次审批。")
    locked.status = ReductionStatus.APPROVED if approve else ReductionStatus.REJECTED
    locked.decided_by = user_or_none(actor)
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(
        actor,
        "dues.reduction.approved" if approve else "dues.reduction.rejected",
        locked,
        org_path=locked.org_path,
        changes={"status": locked.status, "note": note},
    )
    if approve:
        months = DuesCharge.all_objects.filter(member=locked.member, month__gte=locked.from_month)
        if locked.to_month is not None:
            months = months.filter(month__lte=locked.to_month)
        rederive_unpaid(
            actor=actor,
            member=locked.member,
            months=list(months.values_list("month", flat=True)),
            reason="reduction",
        )
    _copy_back(reduction, locked)
    return locked


@transaction.atomic
def reduction_end(*, actor, reduction: Reduction, to_month, reason: str) -> Reduction:
    """终止 an approved reduction after `to_month` (the last month it still covers): the
    hardship is over, or an open-ended exemption must stop. Approver rights, as for the
    decision (R-DUES-08). The wholly unpaid charges after `to_month` that it covered are
    derived again from the base in force; months already paid stay as they were."""
    _require_approver(actor, reduction)
    reason = text(reason, "reason", "终止原因", 500, required=True)
    last = month_of(to_month, "to_month", "截止月份")
    locked = _lock(reduction)
    if locked.status != ReductionStatus.APPROVED:
        raise AppError(f"该申请{locked.get_status_display()}，只有已批准的减免才能终止。")
    if last < locked.from_month:
        raise AppError(
            f"截止月份不能早于减免的起始月份（{locked.from_month:%Y年%m月}）。", field="to_month"
        )
    if locked.to_month is not None and last >= locked.to_month:
        raise AppError(
            f"截止月份须早于原截止月份（{locked.to_month:%Y年%m月}）；到期即自动结束。",
            field="to_month",
        )
    before = locked.to_month
    locked.to_month = last
    locked.closed_by = user_or_none(actor)
    locked.closed_at = timezone.now()
    locked.close_note = reason
    locked.save(update_fields=["to_month", "closed_by", "closed_at", "close_note"])
    audit(
        actor,
        "dues.reduction.ended",
        locked,
        org_path=locked.org_path,
        changes={"to_month": [before, last], "reason": reason},
    )
    months = DuesCharge.all_objects.filter(member=locked.member, month__gt=last)
    if before is not None:
        months = months.filter(month__lte=before)
    rederive_unpaid(
        actor=actor,
        member=locked.member,
        months=list(months.values_list("month", flat=True)),
        reason="reduction_ended",
    )
    _copy_back(reduction, locked)
    return locked


@transaction.atomic
def reduction_withdraw(*, actor, reduction: Reduction, reason: str) -> Reduction:
    """撤回 a pending request: the branch that asked (dues.manage on the member's branch) takes
    it back, e.g. to correct it; a new request for the months may then be made."""
    require(actor, Cap.DUES_MANAGE, reduction.org_path)
    reason = text(reason, "reason", "撤回原因", 500, required=True)
    locked = _lock(reduction)
    if locked.status != ReductionStatus.PENDING:
        raise AppError(f"该申请已{locked.get_status_display()}，只有待审批的申请才能撤回。")
    locked.status = ReductionStatus.WITHDRAWN
    locked.closed_by = user_or_none(actor)
    locked.closed_at = timezone.now()
    locked.close_note = reason
    locked.save(update_fields=["status", "closed_by", "closed_at", "close_note"])
    audit(
        actor,
        "dues.reduction.withdrawn",
        locked,
        org_path=locked.org_path,
        changes={"status": [ReductionStatus.PENDING, ReductionStatus.WITHDRAWN], "reason": reason},
    )
    _copy_back(reduction, locked)
    return locked
