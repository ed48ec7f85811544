"""The member page: history timeline, actions, warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangjian.core.access import can
from dangjian.core.permissions import Cap
from dangjian.members import services as member_services
from dangjian.members.models import (
    Member,
    MemberChange,
    Source,
    Transfer,
    TransferKind,
    TransferStatus,
)
from dangjian.members.selectors import member_findings
from dangjian.members.transfers.selectors import transfer_actions

# ---------------------------------------------------------------------------------------------
# The member page: history timeline, actions, warnings

ITEM_LABELS = {
    **{key: label for key, (label, _) in member_services.TRACKED.items()},
    "branch": "所在党支部",
    "left": "减少",
    "contact": "联系流动党员",
}

TONES = {
    TransferStatus.PENDING: "warning",
    TransferStatus.ACCEPTED: "success",
    TransferStatus.RETURNED: "danger",
    TransferStatus.CANCELLED: "secondary",
}


@dataclass
class Event:
    """One line of a member's history."""

    on: dt.date
    kind: str  # joined | converted | change | transfer | left
    title: str
    old: str = ""
    new: str = ""
    detail: str = ""
    reason: str = ""
    who: str = ""
    badge: str = ""
    tone: str = "secondary"
    order: int = 2


def _name(user) -> str:
    return str(user) if user is not None else ""


def _transfer_event(t: Transfer) -> Event:
    where_to = t.to_org.name if t.to_org_id else t.to_org_name
    detail = f"{t.from_org.name} → {where_to}"
    if t.letter_number:
        detail += f"（介绍信编号 {t.letter_number}）"
    if t.status == TransferStatus.ACCEPTED:
        verb = "已接收" if t.kind == TransferKind.WITHIN else "已收到回执"
        detail += f"；{t.decided_on:%Y-%m-%d} {verb}"
    elif t.status == TransferStatus.RETURNED:
        detail += f"；{t.decided_on:%Y-%m-%d} 退回，原因：{t.return_reason}"
    elif t.status == TransferStatus.CANCELLED:
        detail += f"；{t.decided_on:%Y-%m-%d} 由转出方撤销"
    else:
        detail += "；待接收，接收前仍由转出党组织管理（R-EDU-12）"
    who = _name(t.started_by)
    if t.decided_by_id and t.decided_by_id != t.started_by_id:
        who = f"{who}；办理：{_name(t.decided_by)}" if who else _name(t.decided_by)
    badge = t.get_status_display()
    if t.status == TransferStatus.PENDING:
        badge = "转出中"
    return Event(
        on=t.started_on,
        kind="transfer",
        title=f"组织关系转接（{t.get_kind_display()}）",
        detail=detail,
        reason=t.reason,
        who=who,
        badge=badge,
        tone=TONES.get(t.status, "secondary"),
        order=3,
    )


def member_timeline(
    member: Member, changes: list[MemberChange], transfers: list[Transfer]
) -> list[Event]:
    """The member's whole history, newest first: joining, conversion, every recorded change
    (item, old → new, effective date, reason, who), transfers with their state, leaving."""
    source = dict(Source.choices).get(member.source, "")
    events = [
        Event(
            on=member.joined_on,
            kind="joined",
            title="加入党组织",
            detail=f"登记方式：{source}" if source else "",
            order=0,
        )
    ]
    if member.converted_on:
        events.append(
            Event(on=member.converted_on, kind="converted", title="转为正式党员", order=1)
        )
    has_left = False
    for c in changes:
        kind = "left" if c.item == "left" else "change"
        has_left = has_left or kind == "left"
        events.append(
            Event(
                on=c.effective_on,
                kind=kind,
                title=ITEM_LABELS.get(c.item, c.item),
                old="" if c.item in ("left", "contact") else c.old_value,
                new=c.new_value,
                reason=c.reason if c.reason != c.new_value else "",
                who=c.actor_name or _name(c.actor),
                tone="dark" if kind == "left" else "secondary",
                order=4 if kind == "left" else 2,
            )
        )
    events += [_transfer_event(t) for t in transfers]
    if member.left_on and not has_left:
        events.append(
            Event(
                on=member.left_on,
                kind="left",
                title="减少",
                new=member.get_left_reason_display(),
                tone="dark",
                order=4,
            )
        )
    events.sort(key=lambda e: (e.on, e.order), reverse=True)
    return events


def _member_transfers(member: Member) -> list[Transfer]:
    return list(
        Transfer.objects.unscoped()
        .filter(member_id=member.pk)
        .select_related("from_org", "to_org", "started_by", "decided_by")
        .order_by("-started_on", "-id")
    )


def member_page_context(user, member: Member, today: dt.date) -> dict:
    """Everything `members/_history.html` and `members/_actions.html` need, for a member the
    caller obtained through `access_member`: two queries (changes, transfers)."""
    transfers = _member_transfers(member)
    changes = list(
        MemberChange.objects.unscoped().filter(member_id=member.pk).select_related("actor")
    )
    pending = next((t for t in transfers if t.status == TransferStatus.PENDING), None)
    can_manage = can(user, Cap.MEMBER_MANAGE, member.org_path)
    active = member.is_active
    return {
        "history": member_timeline(member, changes, transfers),
        "transfers": transfers,
        "pending": pending,
        "pending_actions": transfer_actions(user, pending) if pending else frozenset(),
        "findings": member_findings(member, today) if active else [],
        "can_manage": can_manage,
        "can_transfer": can_manage and active and pending is None,
        "can_leave": can_manage and active and pending is None,
        "can_follow_up": can_manage and active and member.is_mobile,
    }
