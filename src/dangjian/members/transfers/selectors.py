"""Reads behind the transfer pages (see the package docstring)."""

from __future__ import annotations

from django.db.models import Count, Q

from dangjian.core.access import can, deny, paths_for, scope_q
from dangjian.core.permissions import Cap
from dangjian.members.models import (
    Transfer,
    TransferStatus,
)
from dangjian.members.transfers.services import _decided_refusal, _decider_path
from dangjian.orgs.models import Org, OrgKind

BRANCH_CHOICES_MAX = 500

ACTIONS = ("view", "accept", "return", "cancel")

_RELATED = (
    "member",
    "member__branch",
    "from_org",
    "to_org",
    "started_by",
    "decided_by",
)


# ---------------------------------------------------------------------------------------------
# Reads


def may(user, transfer: Transfer, action: str) -> bool:
    """May the user do `action` ("view", "accept", "return", "cancel") on this transfer?
    Statuses aside: the services refuse a decided transfer with a message."""
    if action == "view":
        return can(user, Cap.MEMBER_VIEW, transfer.from_path) or bool(
            transfer.to_path and can(user, Cap.MEMBER_VIEW, transfer.to_path)
        )
    if action in ("accept", "return"):
        path = _decider_path(transfer)
        return bool(path) and can(user, Cap.MEMBER_MANAGE, path)
    if action == "cancel":
        return can(user, Cap.MEMBER_MANAGE, transfer.from_path)
    return False


def transfer_actions(user, transfer: Transfer) -> frozenset[str]:
    """The buttons to show for a transfer (no queries: grants are cached on the user)."""
    if transfer.status != TransferStatus.PENDING:
        return frozenset()
    return frozenset(a for a in ("accept", "return", "cancel") if may(user, transfer, a))


def transfer_rows(user, rows) -> list[tuple[Transfer, frozenset[str], bool]]:
    """(transfer, its buttons, may the user open the member's page) for a shown page of
    transfers; no queries. The receiving side sees the member's page only once accepted."""
    return [
        (t, transfer_actions(user, t), can(user, Cap.MEMBER_VIEW, t.member.org_path)) for t in rows
    ]


def access_transfer(user, transfer_id, action: str = "view") -> Transfer:
    """The transfer, for someone on its sending side (`from_path`) or its receiving side
    (`to_path`) who may do `action`; 404 otherwise. Acting on a decided transfer is refused
    with a message."""
    try:
        transfer_id = int(transfer_id)
    except (TypeError, ValueError):
        raise deny() from None
    if action not in ACTIONS:
        raise deny()
    transfer = Transfer.objects.unscoped().select_related(*_RELATED).filter(pk=transfer_id).first()
    if transfer is None or not may(user, transfer, "view") or not may(user, transfer, action):
        raise deny()
    if action != "view" and transfer.status != TransferStatus.PENDING:
        raise _decided_refusal(transfer)
    return transfer


def _incoming_q(user) -> Q:
    return scope_q(user, Cap.MEMBER_MANAGE, "to_path") & Q(status=TransferStatus.PENDING)


def _outgoing_q(user) -> Q:
    return scope_q(user, Cap.MEMBER_MANAGE, "from_path") & Q(status=TransferStatus.PENDING)


def _history_q(user) -> Q:
    either_side = scope_q(user, Cap.MEMBER_VIEW, "from_path") | scope_q(
        user, Cap.MEMBER_VIEW, "to_path"
    )
    return either_side & ~Q(status=TransferStatus.PENDING)


def _listed(q: Q):
    # scoped by hand: the receiving side's rows are found through `to_path`, which the
    # model's own scope (`from_path`) does not cover
    return (
        Transfer.objects.unscoped()
        .filter(q)
        .select_related(*_RELATED)
        .order_by("-started_on", "-id")
    )


def transfers_incoming(user):
    """Pending transfers into branches where the user may manage members (to accept)."""
    return _listed(_incoming_q(user))


def transfers_outgoing(user):
    """Pending transfers out of the user's subtree (转出中): still the sender's members."""
    return _listed(_outgoing_q(user))


def transfers_history(user):
    """Decided transfers (accepted, returned, cancelled) on either side of the user."""
    return _listed(_history_q(user)).order_by("-decided_on", "-id")


def transfer_counts(user) -> dict[str, int]:
    """The tab badges, in one query."""
    if not (paths_for(user, Cap.MEMBER_VIEW) or paths_for(user, Cap.MEMBER_MANAGE)):
        return {"incoming": 0, "outgoing": 0, "history": 0}
    incoming, outgoing, history = _incoming_q(user), _outgoing_q(user), _history_q(user)
    return (
        Transfer.objects.unscoped()
        .filter(incoming | outgoing | history)
        .aggregate(
            incoming=Count("pk", filter=incoming),
            outgoing=Count("pk", filter=outgoing),
            history=Count("pk", filter=history),
        )
    )


def members_in_transfer(member_ids) -> set[int]:
    """Which of these (already visible) members have a pending transfer: for a "转出中"
    badge on a list page, one query for the page."""
    return set(
        Transfer.objects.unscoped()
        .filter(member_id__in=list(member_ids), status=TransferStatus.PENDING)
        .values_list("member_id", flat=True)
    )


def destination_branches(user, *, exclude: Org | None = None, q: str = "") -> list[Org]:
    """Active branches the user can see, for the receiving-branch picker, by unit."""
    qs = (
        Org.objects.visible_to(user, Cap.ORG_VIEW)
        .filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)
        .select_related("unit")
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    return list(qs.order_by("unit__sort", "unit_id", "path")[:BRANCH_CHOICES_MAX])


def destination_branch(user, org_id) -> Org | None:
    """One branch from the picker, if the user may choose it (None otherwise)."""
    try:
        org_id = int(org_id)
    except (TypeError, ValueError):
        return None
    return (
        Org.objects.visible_to(user, Cap.ORG_VIEW)
        .filter(pk=org_id, kind=OrgKind.BRANCH, dissolved_on__isnull=True)
        .first()
    )


def grouped_branches(branches: list[Org]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Select choices grouped by unit (optgroups)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for org in branches:
        unit = org.unit.name if org.unit_id else "未设单位"
        groups.setdefault(unit, []).append((org.pk, org.name))
    return list(groups.items())
