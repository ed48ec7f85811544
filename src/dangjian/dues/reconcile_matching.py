"""Matching the lines of a statement (对账) to the members of the statement org's subtree and
the month's charges: `match_lines`, a read used by `services_reconcile.statement_import`, and
the member lookups `selectors_reconcile.line_candidates` shares.

Matching a line against the members of the statement org's subtree and the month's charges:

- `matched`: exactly one member has the line's name (compared without spaces, full-width
  letters and digits as half-width) and, when the line gives one, its ID tail; the line's
  amount equals what that member's charge for the month still owes;
- `amount_mismatch`: the member is found but the amount differs, or the member has no charge
  that month (the note says what is owed and what was paid);
- `ambiguous`: several members fit (the same name and no tail): the note lists them;
- `duplicate`: a second line for a member already found in this file, a month already paid,
  a charge matched by another statement that awaits confirmation, or a line identical
  (member, amount, date) to one matched or booked by another statement of any month;
- `date_mismatch`: the line's date is neither in the statement's month nor the next one: the
  money may belong to another month, so a person decides;
- `unmatched`: nobody fits. The note suggests near matches (the same pinyin, or one character
  different with the same ID tail, or the same name with another tail), which are never matched
  automatically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet

from dangjian.core.access import subtree_q
from dangjian.dues.models import (
    ChargeStatus,
    DuesCharge,
    LineStatus,
    StatementLine,
    StatementStatus,
)
from dangjian.dues.statement_files import ParsedLine, normalize_name
from dangjian.members.models import Member
from dangjian.members.pinyin import pinyin_keys
from dangjian.orgs.models import Org
from dangjian.rules.dues import add_month_starts, month_start

#: conditions per member query (SQLite bounds the depth of an expression)
BATCH = 100
MEMBER_FIELDS = (
    "id",
    "name",
    "name_pinyin",
    "id_tail",
    "org_path",
    "left_on",
    "branch",
    "branch__name",
)


def in_subtree(path: str, root: str) -> bool:
    return bool(path) and path.startswith(root)


def member_label(member: Member) -> str:
    branch = member.branch.name if member.branch_id else ""
    return f"{member.name}（{branch}，尾号{member.id_tail or '未登记'}）"


def _roster(org_path: str, month: dt.date) -> QuerySet:
    """Members of the subtree who owe dues for `month` by the one rule (`owing_q`: the leaving
    month is not owed), and anyone already charged for it."""
    from dangjian.dues.services_common import owing_q

    charged = DuesCharge.objects.unscoped().filter(member_id=OuterRef("pk"), month=month)
    return (
        Member.objects.unscoped()
        .filter(subtree_q("org_path", org_path))
        .filter(owing_q(month) | Exists(charged))
        .select_related("branch")
        .only(*MEMBER_FIELDS)
    )


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _members_for(org_path: str, month: dt.date, lines) -> list[Member]:
    """Every member a line may fit or be near: by name, by pinyin, by tail (for a line with a
    tail only), and by tail with the same first or last character (a name one character
    different keeps one of them)."""
    names = sorted({line.name for line in lines if line.name})
    pinyins = sorted({p for p in (pinyin_keys(n)[0] for n in names) if p})
    tails = sorted({line.id_tail for line in lines if line.id_tail and not line.name})
    near = sorted({(line.name, line.id_tail) for line in lines if line.name and line.id_tail})
    conditions = [Q(name__in=c) for c in _chunks(names, 500)]
    conditions += [Q(name_pinyin__in=c) for c in _chunks(pinyins, 500)]
    conditions += [Q(id_tail__in=c) for c in _chunks(tails, 500)]
    conditions += [
        Q(id_tail=tail) & (Q(name__startswith=name[0]) | Q(name__endswith=name[-1]))
        for name, tail in near
    ]
    found: dict[int, Member] = {}
    for batch in _chunks(conditions):
        for member in _roster(org_path, month).filter(reduce(or_, batch)):
            found[member.pk] = member
    return sorted(found.values(), key=lambda m: (m.name_pinyin, m.pk))


def _one_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def fits(name: str, tail: str, members) -> list[Member]:
    if name:
        return [
            m for m in members if normalize_name(m.name) == name and (not tail or m.id_tail == tail)
        ]
    return [m for m in members if tail and m.id_tail == tail]


def near_matches(name: str, tail: str, members) -> list[tuple[Member, str]]:
    """Members close to a line that fits nobody, with why: never matched automatically."""
    if not name:
        return []
    sound = pinyin_keys(name)[0]
    out = []
    for m in members:
        other = normalize_name(m.name)
        if other == name:
            if tail and m.id_tail != tail:
                out.append((m, "同名，身份证后四位不同"))
        elif tail and m.id_tail == tail and _one_apart(other, name):
            out.append((m, "姓名差一字，身份证后四位相同"))
        elif sound and m.name_pinyin == sound and (not tail or m.id_tail == tail):
            out.append((m, "姓名同音"))
    return out


@dataclass(frozen=True)
class LineMatch:
    status: str
    member_id: int | None = None
    charge_id: int | None = None
    note: str = ""


def _money(value) -> str:
    return f"{value:.2f}"


def match_lines(org: Org, month: dt.date, lines: list[ParsedLine]) -> list[LineMatch]:
    """The result of each line, in order (see the module's docstring). A fixed number of
    queries: members (in batches), the month's charges, and charges matched elsewhere."""
    members = _members_for(org.path, month, lines)
    fitting = [fits(line.name, line.id_tail, members) for line in lines]
    found_ids = {f[0].pk for f in fitting if len(f) == 1}
    charges = {
        c.member_id: c
        for c in DuesCharge.objects.unscoped().filter(month=month, member_id__in=found_ids)
    }
    elsewhere = {
        row["charge_id"]: row
        for row in StatementLine.objects.filter(
            status=LineStatus.MATCHED,
            statement__status=StatementStatus.MATCHED,
            charge_id__in=[c.pk for c in charges.values()],
        ).values("charge_id", "row_no", "statement__original_name")
    }
    # the same money already taken by another statement, whatever its month: a file booked
    # again under another month, or a bank line repeated in the next month's export
    booked = {
        (row["member_id"], row["amount"], row["paid_on"]): row
        for row in StatementLine.objects.filter(
            status=LineStatus.MATCHED,
            statement__status__in=[StatementStatus.MATCHED, StatementStatus.CONFIRMED],
            member_id__in=found_ids,
        ).values(
            "member_id",
            "amount",
            "paid_on",
            "row_no",
            "statement__original_name",
            "statement__month",
        )
    }
    window = (month, add_month_starts(month, 1))
    seen: dict[int, int] = {}  # member id → the row that first named him
    results = []
    for line, fit in zip(lines, fitting, strict=True):
        if not fit:
            near = near_matches(line.name, line.id_tail, members)
            note = "未找到该党员。"
            if near:
                note += "可能是：" + "；".join(f"{member_label(m)}，{why}" for m, why in near[:4])
                note += "。请核对后手工匹配。"
            results.append(LineMatch(LineStatus.UNMATCHED, note=note))
            continue
        if len(fit) > 1:
            listed = "、".join(member_label(m) for m in fit[:5])
            results.append(
                LineMatch(
                    LineStatus.AMBIGUOUS,
                    note=f"有{len(fit)}名党员符合：{listed}。请选择其中一人。",
                )
            )
            continue
        member = fit[0]
        if member.pk in seen:
            results.append(
                LineMatch(
                    LineStatus.DUPLICATE,
                    member.pk,
                    note=f"与第{seen[member.pk]}行为同一党员，本文件中重复出现。",
                )
            )
            continue
        seen[member.pk] = line.row_no
        charge = charges.get(member.pk)
        label = f"{month:%Y年%m月}"
        same = booked.get((member.pk, line.amount, line.paid_on))
        if same is not None:
            note = (
                f"与对账单“{same['statement__original_name']}”"
                f"（{same['statement__month']:%Y年%m月}）第{same['row_no']}行的党员、金额、"
                "日期都相同，可能是同一笔缴费重复导入；确为另一笔时请手工匹配。"
            )
            results.append(LineMatch(LineStatus.DUPLICATE, member.pk, note=note))
            continue
        if month_start(line.paid_on) not in window:
            note = (
                f"缴费日期{line.paid_on:%Y-%m-%d}不在对账月份（{label}）或次月内，"
                "可能属于其他月份，请核对后手工匹配或标为不入账。"
            )
            results.append(
                LineMatch(LineStatus.DATE_MISMATCH, member.pk, charge.pk if charge else None, note)
            )
            continue
        if charge is None:
            note = (
                f"该党员{label}没有应缴记录（应缴尚未生成或无需缴纳），"
                f"本行{_money(line.amount)}元。"
            )
            results.append(LineMatch(LineStatus.AMOUNT_MISMATCH, member.pk, note=note))
        elif charge.status == ChargeStatus.EXEMPT:
            note = f"该党员{label}已批准免交（R-DUES-08），本行{_money(line.amount)}元。"
            results.append(LineMatch(LineStatus.AMOUNT_MISMATCH, member.pk, charge.pk, note))
        elif charge.outstanding <= 0:
            note = f"该党员{label}党费已缴清（{_money(charge.paid_amount)}元），本行为重复缴纳。"
            results.append(LineMatch(LineStatus.DUPLICATE, member.pk, charge.pk, note))
        elif charge.pk in elsewhere:
            other = elsewhere[charge.pk]
            note = (
                f"该党员{label}党费已由对账单“{other['statement__original_name']}”"
                f"第{other['row_no']}行匹配，尚未入账。"
            )
            results.append(LineMatch(LineStatus.DUPLICATE, member.pk, charge.pk, note))
        elif line.amount == charge.outstanding:
            results.append(LineMatch(LineStatus.MATCHED, member.pk, charge.pk))
        else:
            owed = f"应缴{_money(charge.amount)}元"
            if charge.paid_amount:
                owed += (
                    f"（已缴{_money(charge.paid_amount)}元，尚欠{_money(charge.outstanding)}元）"
                )
            note = f"金额不符：{owed}，本行实缴{_money(line.amount)}元。"
            results.append(LineMatch(LineStatus.AMOUNT_MISMATCH, member.pk, charge.pk, note))
    return results
