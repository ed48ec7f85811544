"""Reads of 党费 (dues), always from what the user may see: dues.manage on the subtree for
the branch's ledgers, dues.approve strictly above the branch for reductions, and a member's
own dues for himself. Every list runs in a fixed number of queries whatever its length.

- access: `access_member_dues`, `access_payment`, `access_reduction`, `access_run`,
  `dues_org`, `can_approve`;
- the month: `month_list` (谁本月应缴多少、缴了没有), `runs_for`;
- a member: `member_ledger`, `member_bases`, `member_payments`, `member_reductions`, `my_dues`;
- reductions: `reductions_pending_for`, `reduction_list`;
- reports (selectors_reports): `arrears`, `arrears_ageing`, `annual_totals`, `publication`,
  `dues_overview`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from dangjian.core.access import can, deny, paths_for, subtree_q
from dangjian.core.permissions import Cap
from dangjian.dues.models import (
    ChargeRun,
    DuesCategory,
    DuesPayment,
    Reduction,
    ReductionStatus,
)
from dangjian.dues.selectors_member import (
    LedgerMonth,
    MyDues,
    member_bases,
    member_ledger,
    member_payments,
    member_reductions,
    my_dues,
)
from dangjian.dues.selectors_month import (
    WITHOUT_MAX,
    LazyRows,
    MonthList,
    MonthRow,
    month_list,
)
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import access_org

MANAGE = Cap.DUES_MANAGE
APPROVE = Cap.DUES_APPROVE
ZERO = Decimal("0.00")
#: how many runs and reductions a page lists
RUNS_MAX = 20
REDUCTIONS_MAX = 200
CATEGORY_LABELS = dict(DuesCategory.choices)


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def owing_q(month: dt.date, prefix: str = "") -> Q:
    """Members who owe dues for `month` (R-DUES-09: from the month of acceptance; not after
    leaving the roster; nothing while 停止党籍). The same test as the generation."""
    from dangjian.dues.services_common import owing_q as q

    return q(month, prefix)


# ---------------------------------------------------------------------------------------------
# Access


def can_approve(user, branch_path: str) -> bool:
    """R-DUES-08: dues.approve held on an org strictly above the branch (a grant on the branch
    itself does not count: a branch never approves its own reduction)."""
    return any(branch_path.startswith(p) and p != branch_path for p in paths_for(user, APPROVE))


def access_member_dues(user, member_id, need: Cap | None = MANAGE) -> Member:
    """The member whose dues the user may read (404 otherwise). `need=None`: the member
    himself (through his account's link) or a holder of dues.manage on his branch."""
    pk = _int(member_id)
    member = (
        Member.all_objects.select_related("branch", "branch__unit").filter(pk=pk).first()
        if pk
        else None
    )
    if member is None:
        raise deny()
    if need is None:
        if getattr(user, "member_id", None) == member.pk and user.is_active:
            return member
        need = MANAGE
    if not can(user, need, member.org_path):
        raise deny()
    return member


def access_payment(user, payment_id, need: Cap = MANAGE) -> DuesPayment:
    pk = _int(payment_id)
    found = (
        DuesPayment.all_objects.select_related("member", "paid_by", "recorded_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_reduction(user, reduction_id, need: Cap = MANAGE) -> Reduction:
    """A reduction: `need=DUES_APPROVE` asks for the right to decide it (strictly above the
    branch, R-DUES-08); dues.manage reads it (the branch that asked, and the committees)."""
    pk = _int(reduction_id)
    found = (
        Reduction.all_objects.select_related(
            "member", "member__branch", "requested_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise deny()
    allowed = (
        can_approve(user, found.org_path) if need == APPROVE else can(user, need, found.org_path)
    )
    if not allowed:
        raise deny()
    return found


def access_run(user, run_id, need: Cap = MANAGE) -> ChargeRun:
    pk = _int(run_id)
    found = ChargeRun.all_objects.select_related("org").filter(pk=pk).first() if pk else None
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def dues_org(user, value=None, need: Cap = MANAGE) -> Org:
    """The org named by a query parameter (404 when not the user's), else the top-most org on
    which the user holds `need` (a branch secretary: his branch)."""
    if value not in (None, ""):
        return access_org(user, value, need=need)
    paths = paths_for(user, need)
    if not paths:
        raise deny()
    return access_org(user, paths[0].strip("/").split("/")[-1], need=need)


# ---------------------------------------------------------------------------------------------
# The month


def runs_for(user, org: Org, *, limit: int = RUNS_MAX) -> list[ChargeRun]:
    """The latest charge runs of `org`'s subtree, newest first."""
    return list(
        ChargeRun.objects.visible_to(user, MANAGE)
        .filter(subtree_q("org_path", org.path))
        .select_related("org", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Reductions


def _approve_q(user) -> Q:
    """Reductions of branches strictly below one of the user's dues.approve nodes."""
    q = Q(pk__in=[])
    for p in paths_for(user, APPROVE):
        q |= subtree_q("org_path", p) & ~Q(org_path=p)
    return q


def reductions_pending_for(user) -> list[Reduction]:
    """The pending reductions the user may decide (R-DUES-08), oldest first."""
    return list(
        Reduction.all_objects.filter(_approve_q(user), status=ReductionStatus.PENDING)
        .select_related("member", "member__branch", "requested_by")
        .order_by("requested_at", "id")[:REDUCTIONS_MAX]
    )


def reduction_list(user, org: Org | None = None, status: str = "") -> list[Reduction]:
    """Reductions the user may read: his branches' requests (dues.manage) and those he decides
    (dues.approve), narrowed to `org`'s subtree and a status when given."""
    from dangjian.core.access import scope_q

    qs = Reduction.all_objects.filter(scope_q(user, MANAGE, "org_path") | _approve_q(user))
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if status in ReductionStatus.values:
        qs = qs.filter(status=status)
    return list(
        qs.select_related("member", "member__branch", "requested_by", "decided_by").order_by(
            "-requested_at", "-id"
        )[:REDUCTIONS_MAX]
    )


# the reports live in their own module; importable from here
from dangjian.dues.selectors_reports import (  # noqa: E402
    BUCKETS,
    ArrearsRow,
    DuesOverview,
    Publication,
    PublicationRow,
    TotalRow,
    annual_totals,
    arrears,
    arrears_ageing,
    dues_overview,
    publication,
)

__all__ = [
    "BUCKETS",
    "WITHOUT_MAX",
    "ArrearsRow",
    "DuesOverview",
    "LazyRows",
    "LedgerMonth",
    "MonthList",
    "MonthRow",
    "MyDues",
    "Publication",
    "PublicationRow",
    "TotalRow",
    "access_member_dues",
    "access_payment",
    "access_reduction",
    "access_run",
    "annual_totals",
    "arrears",
    "arrears_ageing",
    "can_approve",
    "dues_org",
    "dues_overview",
    "member_bases",
    "member_ledger",
    "member_payments",
    "member_reductions",
    "month_list",
    "my_dues",
    "publication",
    "reduction_list",
    "reductions_pending_for",
    "runs_for",
]
