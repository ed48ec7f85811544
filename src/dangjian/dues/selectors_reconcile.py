"""Reads of reconciliation (对账): statements and their lines behind dues.manage on the
statement's org (404 to everyone else), the detail grouped by what each line needs, the month's
charges nobody paid ("the unmatched on both sides") and the members a line may be matched to.
The matching itself (`match_lines`) lives in `reconcile_matching`, re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dangjian.core.access import can, deny, subtree_q
from dangjian.core.permissions import Cap
from dangjian.dues.models import (
    ChargeStatus,
    DuesCharge,
    LineStatus,
    Statement,
    StatementLine,
)
from dangjian.dues.reconcile_matching import (
    LineMatch,
    _members_for,
    _roster,
    fits,
    in_subtree,
    match_lines,
    member_label,
    near_matches,
)
from dangjian.dues.statement_files import ParsedLine
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind

MANAGE = Cap.DUES_MANAGE
ORG_CHOICES_MAX = 300
CANDIDATES_MAX = 20
__all__ = ["LineMatch", "fits", "in_subtree", "match_lines", "member_label", "near_matches"]


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


# ---------------------------------------------------------------------------------------------
# Access and lists


def access_statement(user, statement_id, need: Cap = MANAGE) -> Statement:
    pk = _int(statement_id)
    found = (
        Statement.objects.unscoped()
        .select_related("org", "uploaded_by", "confirmed_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_statement_line(user, line_id, need: Cap = MANAGE) -> StatementLine:
    pk = _int(line_id)
    found = (
        StatementLine.objects.select_related("statement", "statement__org", "member", "charge")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.statement.org_path):
        raise deny()
    return found


def statement_list(user, org: Org | None = None) -> QuerySet:
    """Statements of the user's subtrees (of `org`'s subtree when given), newest first."""
    qs = Statement.objects.visible_to(user, MANAGE).select_related("org", "uploaded_by")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    return qs.order_by("-uploaded_at", "-id")


def statement_orgs(user) -> list[Org]:
    """The orgs a statement may be uploaded for (capped; deeper ones come through ?org=)."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .exclude(kind=OrgKind.GROUP)
        .only("id", "name", "depth", "path", "kind")
        .order_by("path")[:ORG_CHOICES_MAX]
    )


@dataclass
class StatementDetail:
    statement: Statement
    matched: list[StatementLine]
    attention: list[StatementLine]
    ignored: list[StatementLine]

    @property
    def matched_amount(self):
        return sum((line.amount for line in self.matched), start=0)


def statement_lines(statement: Statement) -> list[StatementLine]:
    return list(
        StatementLine.objects.filter(statement=statement)
        .select_related("member", "member__branch", "charge")
        .order_by("row_no")
    )


def statement_detail(statement: Statement) -> StatementDetail:
    """The statement's lines grouped: matched, needing attention, ignored (one query)."""
    groups: dict[str, list] = {"matched": [], "attention": [], "ignored": []}
    for line in statement_lines(statement):
        if line.status == LineStatus.MATCHED:
            groups["matched"].append(line)
        elif line.status == LineStatus.IGNORED:
            groups["ignored"].append(line)
        else:
            groups["attention"].append(line)
    return StatementDetail(statement, **groups)


def unmatched_charges(statement: Statement) -> QuerySet:
    """The month's charges in the statement's org that are still owed and that no line of the
    statement matched: members who paid nothing on this statement."""
    matched = StatementLine.objects.filter(
        statement=statement, status=LineStatus.MATCHED, charge__isnull=False
    ).values("charge_id")
    return (
        DuesCharge.objects.unscoped()
        .filter(
            subtree_q("org_path", statement.org_path),
            month=statement.month,
            status__in=[ChargeStatus.DUE, ChargeStatus.PARTIAL],
        )
        .exclude(pk__in=matched)
        .select_related("member", "branch")
        .order_by("org_path", "member__name_pinyin", "member_id")
    )


def charge_for(member: Member, month: dt.date) -> DuesCharge | None:
    """A member's charge for a month (the caller checked access to the member's statement)."""
    return DuesCharge.objects.unscoped().filter(member=member, month=month).first()


# ---------------------------------------------------------------------------------------------
# Choosing a member for a line by hand


@dataclass
class Candidate:
    member: Member
    reason: str
    charge: DuesCharge | None = None


def line_candidates(line: StatementLine, q: str = "") -> list[Candidate]:
    """Members a line may be matched to: the one it found, those that fit (an ambiguous line),
    near matches, and those whose name or pinyin starts with `q` — each with its charge for
    the statement's month. The caller obtained the line through `access_statement_line`."""
    statement = line.statement
    parsed = [ParsedLine(line.row_no, line.name, line.id_tail, line.amount, line.paid_on)]
    members = _members_for(statement.org_path, statement.month, parsed)
    out: dict[int, Candidate] = {}
    if line.member_id and in_subtree(line.member.org_path, statement.org_path):
        out[line.member_id] = Candidate(line.member, "原匹配")
    for m in fits(line.name, line.id_tail, members):
        out.setdefault(m.pk, Candidate(m, "姓名相符"))
    for m, why in near_matches(line.name, line.id_tail, members):
        out.setdefault(m.pk, Candidate(m, why))
    q = "".join((q or "").split())[:20]
    if q:
        key = q.lower()
        searched = _roster(statement.org_path, statement.month).filter(
            Q(name__contains=q) | Q(name_pinyin__startswith=key) | Q(name_initials__startswith=key)
        )
        for m in searched.order_by("name_pinyin", "id")[:CANDIDATES_MAX]:
            out.setdefault(m.pk, Candidate(m, "搜索结果"))
    candidates = list(out.values())[: CANDIDATES_MAX * 2]
    charges = {
        c.member_id: c
        for c in DuesCharge.objects.unscoped().filter(
            month=statement.month, member_id__in=[c.member.pk for c in candidates]
        )
    }
    for candidate in candidates:
        candidate.charge = charges.get(candidate.member.pk)
    return candidates
