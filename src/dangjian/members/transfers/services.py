"""Transfer, leave and follow-up write paths (see the package docstring)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members import services as member_services
from dangjian.members.models import (
    LeftReason,
    Member,
    SuspensionGround,
    Transfer,
    TransferKind,
    TransferStatus,
)
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import members as member_rules
from dangjian.rules.base import add_years

TEXT_MAX = 200
LETTER_MAX = 50

PENDING_REFUSAL = "该党员已有一条待接收的组织关系转接（转出中），请先办结或撤销后再办理。"

#: 减少 reasons offered on the leave page: 转出 is never chosen by hand, it is what a
#: transfer's receipt does (R-EDU-12); 取消预备党员资格 is what the committee's approval of the
#: branch's decision does (recruitment, R-DEV-21)
LEAVE_REASONS = [
    (v, label)
    for v, label in LeftReason.choices
    if v not in (LeftReason.TRANSFERRED_OUT, LeftReason.PROBATION_CANCELLED)
]


# ---------------------------------------------------------------------------------------------
# Checks shared by the services and the pages


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _require(actor, cap: Cap, path: str) -> None:
    if actor is not None and not can(actor, cap, path):
        raise deny()


def _day(on, *, field: str, label: str, today: dt.date, not_before=None, before_label=""):
    if not isinstance(on, dt.date):
        raise AppError(f"{label}：请填写日期。", field=field)
    if on > today:
        raise AppError(f"{label}：不能晚于今天。", field=field)
    if not_before is not None and on < not_before:
        raise AppError(f"{label}：不能早于{before_label}（{not_before:%Y-%m-%d}）。", field=field)


def _text(value, *, field: str, label: str, limit: int = TEXT_MAX, required_message=""):
    value = (value or "").strip()
    if not value and required_message:
        raise AppError(required_message, field=field)
    if len(value) > limit:
        raise AppError(f"{label}：不能超过{limit}个字。", field=field)
    return value


def _pending_of(member: Member) -> Transfer | None:
    return (
        Transfer.objects.unscoped()
        .filter(member_id=member.pk, status=TransferStatus.PENDING)
        .select_related("to_org")
        .first()
    )


def _fresh_member(member: Member) -> Member:
    """The member re-read under a row lock, so two decisions cannot cross."""
    return (
        Member.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("branch")
        .get(pk=member.pk)
    )


def _fresh_transfer(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("member", "from_org", "to_org")
        .get(pk=transfer.pk)
    )


def start_refusal(member: Member) -> str | None:
    """Why no transfer can be started for this member now (None: it can)."""
    if not member.is_active:
        return "该党员已减少，不能办理组织关系转接。"
    if _pending_of(member) is not None:
        return PENDING_REFUSAL
    return None


def leave_refusal(member: Member) -> str | None:
    if not member.is_active:
        return "该党员已减少。"
    if _pending_of(member) is not None:
        return "该党员有待接收的组织关系转接，请先撤销转接再办理减少（R-EDU-12）。"
    return None


def follow_up_refusal(member: Member) -> str | None:
    if not member.is_active:
        return "该党员已减少。"
    if not member.is_mobile:
        return "该党员不是流动党员，无需登记联系；外出的请先在编辑页登记为流动党员（R-EDU-13）。"
    return None


def _decider_path(transfer: Transfer) -> str:
    """Where accept/return are decided: the receiving branch within the system; for an
    organisation outside the system, the sending side records its answer."""
    return transfer.to_path if transfer.kind == TransferKind.WITHIN else transfer.from_path


def _decided_refusal(transfer: Transfer) -> AppError:
    return AppError(f"该转接{transfer.get_status_display()}，不能再办理。")


# ---------------------------------------------------------------------------------------------
# Services


@transaction.atomic
def transfer_start(
    *,
    actor,
    member: Member,
    on: dt.date,
    reason: str,
    to_org: Org | None = None,
    to_org_name: str = "",
    letter_number: str = "",
) -> Transfer:
    """Start a transfer of the member's organisational relation (R-EDU-12): to another
    branch in the system (`to_org`), or to an organisation outside it (`to_org_name` and the
    letter number). The member stays on the sending roster until the transfer is accepted."""
    _require(actor, Cap.MEMBER_MANAGE, member.org_path)
    today = timezone.localdate()
    member = _fresh_member(member)
    refusal = start_refusal(member)
    if refusal:
        raise AppError(refusal)
    errors: list[tuple[str | None, str]] = []
    for check in (
        lambda: _day(
            on,
            field="on",
            label="转出日期",
            today=today,
            not_before=member.joined_on,
            before_label="加入党组织日期",
        ),
        lambda: _text(
            reason,
            field="reason",
            label="转接原因",
            required_message="转接原因：请填写（如工作调动、居住地变化，R-EDU-12）。",
        ),
        lambda: _text(letter_number, field="letter_number", label="介绍信编号", limit=LETTER_MAX),
    ):
        try:
            check()
        except AppError as exc:
            errors += exc.errors
    letter_number = (letter_number or "").strip()
    to_org_name = (to_org_name or "").strip()
    if to_org is not None:
        kind = TransferKind.WITHIN
        if to_org.kind != OrgKind.BRANCH or not to_org.is_active:
            errors.append(("to_org", "接收党支部：只能转入未撤销的党支部。"))
        elif to_org.pk == member.branch_id:
            errors.append(("to_org", "接收党支部：不能是该党员现在的党支部。"))
        to_org_name = to_org.name
    else:
        kind = TransferKind.OUTSIDE
        if not to_org_name:
            errors.append(("to_org_name", "接收党组织名称：转出至系统外时必须填写。"))
        elif len(to_org_name) > TEXT_MAX:
            errors.append(("to_org_name", f"接收党组织名称：不能超过{TEXT_MAX}个字。"))
        if not letter_number:
            errors.append(("letter_number", "介绍信编号：转出至系统外时必须填写。"))
    if errors:
        raise AppError(errors[0][1], field=errors[0][0], errors=errors)
    transfer = Transfer(
        member=member,
        kind=kind,
        from_org=member.branch,
        from_path=member.org_path,
        to_org=to_org,
        to_path=to_org.path if to_org is not None else "",
        to_org_name=to_org_name,
        letter_number=letter_number,
        reason=reason.strip(),
        started_on=on,
        started_by=_user(actor),
    )
    try:
        with transaction.atomic():  # the one-pending constraint catches a concurrent start
            transfer.save()
    except IntegrityError:
        raise AppError(PENDING_REFUSAL) from None
    audit(
        actor,
        "members.transfer.started",
        transfer,
        org_path=transfer.from_path,
        changes={
            "member": member.pk,
            "name": member.name,
            "kind": kind,
            "from_org": member.branch_id,
            "to_org": to_org.pk if to_org is not None else None,
            "to_org_name": to_org_name,
            "letter_number": letter_number,
            "started_on": on,
            "reason": transfer.reason,
            "rule": "R-EDU-12",
        },
    )
    return transfer


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer, on: dt.date) -> Transfer:
    """Within the system the receiving side accepts: the member moves to its roster. For an
    organisation outside the system the sending side records the receipt (回执): the member
    leaves the roster as 转出. Either way the sending side's responsibility ends here."""
    transfer = _fresh_transfer(transfer)
    _require(actor, Cap.MEMBER_MANAGE, _decider_path(transfer))
    if transfer.status != TransferStatus.PENDING:
        raise _decided_refusal(transfer)
    today = timezone.localdate()
    label = "接收日期" if transfer.kind == TransferKind.WITHIN else "回执日期"
    _day(
        on,
        field="on",
        label=label,
        today=today,
        not_before=transfer.started_on,
        before_label="转出日期",
    )
    member = _fresh_member(transfer.member)
    if not member.is_active:
        raise AppError("该党员已减少，不能接收；请由转出方撤销此转接。")
    if member.org_path != transfer.from_path or member.branch_id != transfer.from_org_id:
        raise AppError("该党员的所在党支部在转出后已变更，此转接已失效，请由转出方撤销后重新办理。")
    if transfer.kind == TransferKind.WITHIN:
        to_org = transfer.to_org
        if to_org is None or to_org.kind != OrgKind.BRANCH or not to_org.is_active:
            raise AppError("接收党支部已撤销，不能接收；请退回或由转出方撤销此转接。")
        member_services.move_to_branch(
            member, to_org, actor=actor, on=on, reason=f"组织关系转接：{transfer.reason}"
        )
    else:
        member_services.member_leave(
            actor=actor,
            member=member,
            on=on,
            reason=LeftReason.TRANSFERRED_OUT,
            note=f"转往{transfer.to_org_name}（介绍信编号{transfer.letter_number}），已收到回执"[
                :TEXT_MAX
            ],
        )
    transfer.status = TransferStatus.ACCEPTED
    transfer.decided_on = on
    transfer.decided_by = _user(actor)
    transfer.member = member
    transfer.save(update_fields=["status", "decided_on", "decided_by"])
    audit(
        actor,
        "members.transfer.accepted",
        transfer,
        org_path=_decider_path(transfer),
        changes={
            "member": member.pk,
            "name": member.name,
            "kind": transfer.kind,
            "from_org": transfer.from_org_id,
            "to_org": transfer.to_org_id,
            "to_org_name": transfer.to_org_name,
            "decided_on": on,
            "rule": "R-EDU-12",
        },
    )
    return transfer


@transaction.atomic
def transfer_return(
    *, actor, transfer: Transfer, reason: str, on: dt.date | None = None
) -> Transfer:
    """The receiving side sends the transfer back, always with a reason (R-EDU-12: no
    refusal to receive without reason). The member stays where he is."""
    transfer = _fresh_transfer(transfer)
    _require(actor, Cap.MEMBER_MANAGE, _decider_path(transfer))
    if transfer.status != TransferStatus.PENDING:
        raise _decided_refusal(transfer)
    today = timezone.localdate()
    on = on or today
    _day(
        on,
        field="on",
        label="退回日期",
        today=today,
        not_before=transfer.started_on,
        before_label="转出日期",
    )
    reason = _text(
        reason,
        field="reason",
        label="退回原因",
        required_message="退回原因：请填写；不得无故拒绝接收组织关系（R-EDU-12）。",
    )
    transfer.status = TransferStatus.RETURNED
    transfer.return_reason = reason
    transfer.decided_on = on
    transfer.decided_by = _user(actor)
    transfer.save(update_fields=["status", "return_reason", "decided_on", "decided_by"])
    audit(
        actor,
        "members.transfer.returned",
        transfer,
        org_path=_decider_path(transfer),
        changes={
            "member": transfer.member_id,
            "name": transfer.member.name,
            "return_reason": reason,
            "decided_on": on,
            "rule": "R-EDU-12",
        },
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """The sending side withdraws a transfer that is still pending."""
    transfer = _fresh_transfer(transfer)
    _require(actor, Cap.MEMBER_MANAGE, transfer.from_path)
    if transfer.status != TransferStatus.PENDING:
        raise _decided_refusal(transfer)
    transfer.status = TransferStatus.CANCELLED
    transfer.decided_on = timezone.localdate()
    transfer.decided_by = _user(actor)
    transfer.save(update_fields=["status", "decided_on", "decided_by"])
    audit(
        actor,
        "members.transfer.cancelled",
        transfer,
        org_path=transfer.from_path,
        changes={"member": transfer.member_id, "name": transfer.member.name},
    )
    return transfer


@transaction.atomic
def member_leave_roster(
    *, actor, member: Member, on: dt.date, reason: str, note: str = ""
) -> Member:
    """减少 from the leave page: not while a transfer is pending, never as 转出 (a transfer's
    receipt does that), 自行脱党除名 only when its rule is met (R-EDU-06, R-EDU-08).
    停止党籍 is not a leaving: it is a standing, changed on the edit page (R-EDU-05/06)."""
    _require(actor, Cap.MEMBER_MANAGE, member.org_path)
    member = _fresh_member(member)
    refusal = leave_refusal(member)
    if refusal:
        raise AppError(refusal)
    if reason == LeftReason.TRANSFERRED_OUT:
        raise AppError(
            "减少原因：转出请通过“组织关系转接”办理，接收或登记回执后自动减少（R-EDU-12）。",
            field="reason",
        )
    if reason not in LeftReason.values:
        raise AppError("减少原因：请选择。", field="reason")
    _day(
        on,
        field="on",
        label="减少日期",
        today=timezone.localdate(),
        not_before=member.joined_on,
        before_label="加入党组织日期",
    )
    note = _text(note, field="note", label="说明")
    if reason == LeftReason.REMOVED_LOST:
        _check_removal_after_suspension(member, on)
    if reason == LeftReason.REMOVED_LAPSED and not note:
        raise AppError(
            "说明：请写明无正当理由连续6个月不参加组织生活、不交纳党费或不做党所分配工作的情况"
            "（R-EDU-08）。",
            field="note",
        )
    return member_services.member_leave(actor=actor, member=member, on=on, reason=reason, note=note)


def _check_removal_after_suspension(member: Member, on) -> None:
    """R-EDU-06: removal as 自行脱党 only two years after suspension for lost contact."""
    years = member_rules.LOST_CONTACT_REMOVE_YEARS
    if member.standing != "suspended" or member.suspension_ground != SuspensionGround.LOST_CONTACT:
        raise AppError(
            f"减少原因：须先因失去联系停止党籍（在编辑页修改党籍状态），停止党籍满{years}年后"
            f"仍无法取得联系的，才能按自行脱党除名（R-EDU-06）。",
            field="reason",
        )
    if member.suspended_on is None:
        raise AppError(
            f"减少原因：未登记停止党籍日期，无法确认是否已满{years}年（R-EDU-06）。",
            field="reason",
        )
    due = add_years(member.suspended_on, years)
    if isinstance(on, dt.date) and on < due:
        raise AppError(
            f"减少日期：该党员于{member.suspended_on:%Y-%m-%d}停止党籍，{due:%Y-%m-%d}满{years}年，"
            f"此前不能按自行脱党除名（R-EDU-06）。",
            field="on",
        )


@transaction.atomic
def member_follow_up(*, actor, member: Member, on: dt.date, note: str = "") -> Member:
    """Record a contact with a mobile member (R-EDU-13; at least every 6 months, R-EDU-14)."""
    _require(actor, Cap.MEMBER_MANAGE, member.org_path)
    member = _fresh_member(member)
    refusal = follow_up_refusal(member)
    if refusal:
        raise AppError(refusal)
    today = timezone.localdate()
    _day(
        on,
        field="on",
        label="联系日期",
        today=today,
        not_before=member.mobile_since,
        before_label="外出日期",
    )
    last = member.mobile_last_contact_on
    if last is not None and on < last:
        raise AppError(f"联系日期：早于已登记的最近联系日期（{last:%Y-%m-%d}）。", field="on")
    note = _text(note, field="note", label="联系情况")
    return member_services.member_record_contact(actor=actor, member=member, on=on, note=note)
