"""Write paths of reconciliation (对账): import a payroll or bank statement and match its lines
to the month's charges, resolve or ignore the lines that need a person, then confirm (every
matched line becomes a payment through `services.payment_record`) or discard the statement.

Each function is atomic, checks dues.manage on the statement's org itself (404 otherwise),
refuses bad input with a Chinese message and writes one audit entry
(`dues.statement.imported|confirmed|discarded`, `dues.statement_line.resolved|ignored`).
The matching rules are in `match_lines` and docs/dues.md."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.dues import selectors_reconcile as matching
from dangjian.dues import statement_files
from dangjian.dues.models import (
    ChargeStatus,
    DuesCharge,
    LineStatus,
    PaymentMethod,
    Statement,
    StatementLine,
    StatementSource,
    StatementStatus,
)
from dangjian.dues.services_common import month_of, require, user_or_none
from dangjian.members.models import Member
from dangjian.orgs.models import Org

MANAGE = Cap.DUES_MANAGE
REASON_MAX = 100
NOTE_MAX = 200
#: the statuses that still need a person (the "needs attention" panel)
ATTENTION = (
    LineStatus.AMBIGUOUS,
    LineStatus.AMOUNT_MISMATCH,
    LineStatus.DUPLICATE,
    LineStatus.DATE_MISMATCH,
    LineStatus.UNMATCHED,
)
METHODS = {
    StatementSource.PAYROLL: PaymentMethod.PAYROLL,
    StatementSource.BANK: PaymentMethod.TRANSFER,
}
STATEMENT_FIELDS = [
    "org",
    "month",
    "source",
    "original_name",
    "file_digest",
    "total_rows",
    "matched_count",
    "unmatched_count",
    "total_amount",
]
LINE_FIELDS = ["status", "member", "charge", "note"]


def _pending(statement: Statement) -> None:
    if statement.status == StatementStatus.CONFIRMED:
        raise AppError("该对账单已入账，不能再修改。", code="state")
    if statement.status == StatementStatus.DISCARDED:
        raise AppError("该对账单已作废，不能再修改。", code="state")


def _locked(statement: Statement) -> Statement:
    return Statement.all_objects.select_for_update().select_related("org").get(pk=statement.pk)


def _recount(statement: Statement) -> None:
    """matched_count: lines to book; unmatched_count: lines that still need a person (ignored
    lines are neither)."""
    statuses = list(
        StatementLine.objects.filter(statement=statement).values_list("status", flat=True)
    )
    statement.matched_count = sum(1 for s in statuses if s == LineStatus.MATCHED)
    statement.unmatched_count = sum(1 for s in statuses if s in ATTENTION)
    statement.save(update_fields=["matched_count", "unmatched_count"])


def _reason(value, label: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        raise AppError(f"请填写{label}。", field="reason")
    if len(text) > REASON_MAX:
        raise AppError(f"{label}不能超过{REASON_MAX}字。", field="reason")
    return text


def _file_name(uploaded_file) -> str:
    name = os.path.basename(str(getattr(uploaded_file, "name", "") or "").replace("\\", "/"))
    name = "".join(c for c in name if c.isprintable()).strip()
    return (name or "对账单")[:255]


# ---------------------------------------------------------------------------------------------
# Import


def _imported_before(org: Org, digest: str) -> Statement | None:
    """A statement not discarded with the same file, for `org`, an org below it or one above
    it, whatever its month: the same money is never booked twice (one indexed query)."""
    for earlier in (
        Statement.all_objects.filter(file_digest=digest)
        .exclude(status=StatementStatus.DISCARDED)
        .select_related("org")
        .order_by("uploaded_at", "id")
    ):
        if earlier.org_path.startswith(org.path) or org.path.startswith(earlier.org_path):
            return earlier
    return None


@transaction.atomic
def statement_import(
    *, actor, org: Org, month, source: str, uploaded_file, today: dt.date | None = None
) -> Statement:
    """Read a statement for `org` and `month` and match its lines (dues.manage on `org`).
    A file already imported (same sha256, not discarded) for this org, one below or one above
    it is refused, whatever the month."""
    today = today or timezone.localdate()
    if org is None:
        raise AppError("请选择组织。", field="org")
    require(actor, MANAGE, org.path)
    if org.dissolved_on is not None:
        raise AppError("该组织已撤销，不能导入对账单。", field="org")
    month = month_of(month, "month", "对账月份")
    if month > today.replace(day=1):
        raise AppError("对账月份不能晚于本月。", field="month")
    if source not in StatementSource.values:
        raise AppError("请选择来源（工资代扣清单或银行流水）。", field="source")
    if uploaded_file is None:
        raise AppError("请选择要上传的对账文件。", field="file")
    parsed = statement_files.read_statement(uploaded_file, today=today)
    earlier = _imported_before(org, parsed.digest)
    if earlier is not None:
        raise AppError(
            f"同一文件已于{timezone.localtime(earlier.uploaded_at):%Y-%m-%d %H:%M}导入过"
            f"（{earlier.org.name}，{earlier.month:%Y年%m月}，“{earlier.original_name}”），"
            "不能重复导入，换一个月份也不行；如确需重新导入，请先作废原对账单。",
            field="file",
        )
    results = matching.match_lines(org, month, parsed.lines)
    statement = Statement.objects.create(
        org=org,
        org_path=org.path,
        month=month,
        source=source,
        original_name=_file_name(uploaded_file),
        file_digest=parsed.digest,
        total_rows=len(parsed.lines),
        matched_count=sum(1 for r in results if r.status == LineStatus.MATCHED),
        unmatched_count=sum(1 for r in results if r.status in ATTENTION),
        total_amount=sum((line.amount for line in parsed.lines), start=0),
        uploaded_by=user_or_none(actor),
    )
    StatementLine.objects.bulk_create(
        [
            StatementLine(
                statement=statement,
                row_no=line.row_no,
                name=line.name,
                id_tail=line.id_tail,
                amount=line.amount,
                paid_on=line.paid_on,
                status=result.status,
                member_id=result.member_id,
                charge_id=result.charge_id,
                note=result.note[:NOTE_MAX],
            )
            for line, result in zip(parsed.lines, results, strict=True)
        ]
    )
    by_status: dict[str, int] = {}
    for result in results:
        by_status[result.status] = by_status.get(result.status, 0) + 1
    audit(
        actor,
        "dues.statement.imported",
        statement,
        org_path=org.path,
        changes={**snapshot(statement, STATEMENT_FIELDS), "lines_by_status": by_status},
    )
    return statement


# ---------------------------------------------------------------------------------------------
# Lines


def _locked_line(line: StatementLine) -> tuple[StatementLine, Statement]:
    statement = _locked(line.statement)
    fresh = StatementLine.objects.select_related("member", "charge").get(pk=line.pk)
    return fresh, statement


@transaction.atomic
def statement_line_resolve(
    *, actor, line: StatementLine, member: Member, charge: DuesCharge | None = None
) -> StatementLine:
    """Match a line by hand to `member` and a month's charge (default: the statement's month).
    The amount checks of the import apply: the line's amount must settle what the charge still
    owes, and one charge takes one line."""
    line, statement = _locked_line(line)
    require(actor, MANAGE, statement.org_path)
    _pending(statement)
    if member is None:
        raise AppError("请选择党员。", field="member")
    if not matching.in_subtree(member.org_path, statement.org_path):
        raise AppError(f"该党员不在{statement.org.name}范围内。", field="member")
    # a member who left the roster owes no month from the one he left in (rules.dues
    # .owes_month); without a charge of the chosen month he is refused just below
    if charge is None:
        charge = (
            DuesCharge.all_objects.filter(member=member, month=statement.month)
            .select_for_update()
            .first()
        )
        if charge is None:
            raise AppError(
                f"{member.name}在{statement.month:%Y年%m月}没有应缴记录（应缴尚未生成或无需缴纳），"
                "请先生成应缴或选择其他月份。",
                field="month",
            )
    else:
        charge = DuesCharge.all_objects.select_for_update().get(pk=charge.pk)
        if charge.member_id != member.pk:
            raise AppError("所选月份的应缴记录不属于该党员。", field="month")
    month = f"{charge.month:%Y年%m月}"
    if charge.status == ChargeStatus.EXEMPT:
        raise AppError(f"{member.name}{month}已批准免交（R-DUES-08），无需缴纳。", field="month")
    if charge.outstanding <= 0:
        raise AppError(f"{member.name}{month}党费已缴清，不能重复入账。", field="month")
    if line.amount != charge.outstanding:
        raise AppError(
            f"金额不符：{member.name}{month}尚欠{charge.outstanding}元，本行为{line.amount}元。"
            "多月合缴或部分缴纳请在缴费登记中办理，并将本行标为不入账。",
            field="member",
        )
    taken = (
        StatementLine.objects.filter(charge=charge, status=LineStatus.MATCHED)
        .filter(statement__status=StatementStatus.MATCHED)
        .exclude(pk=line.pk)
        .select_related("statement")
        .first()
    )
    if taken is not None:
        where = "本对账单" if taken.statement_id == statement.pk else "另一份待入账的对账单"
        raise AppError(
            f"{member.name}{month}的党费已由{where}第{taken.row_no}行匹配。", field="member"
        )
    before = snapshot(line, LINE_FIELDS)
    line.member = member
    line.charge = charge
    line.status = LineStatus.MATCHED
    line.note = f"手工匹配（原为：{before_label(before['status'])}）"[:NOTE_MAX]
    line.save(update_fields=LINE_FIELDS)
    _recount(statement)
    audit(
        actor,
        "dues.statement_line.resolved",
        line,
        org_path=statement.org_path,
        changes={
            "statement": statement.pk,
            "row_no": line.row_no,
            **diff(before, snapshot(line, LINE_FIELDS)),
        },
    )
    return line


def before_label(status: str) -> str:
    return LineStatus(status).label if status in LineStatus.values else status


@transaction.atomic
def statement_line_ignore(*, actor, line: StatementLine, reason: str) -> StatementLine:
    """Leave a line out of the booking (e.g. someone else's transfer, a payment booked by
    hand), with the reason."""
    line, statement = _locked_line(line)
    require(actor, MANAGE, statement.org_path)
    _pending(statement)
    reason = _reason(reason, "不入账原因")
    if line.status == LineStatus.IGNORED:
        raise AppError(f"第{line.row_no}行已标为不入账。", code="state")
    before = snapshot(line, LINE_FIELDS)
    line.status = LineStatus.IGNORED
    line.charge = None
    line.note = f"不入账：{reason}"[:NOTE_MAX]
    line.save(update_fields=LINE_FIELDS)
    _recount(statement)
    audit(
        actor,
        "dues.statement_line.ignored",
        line,
        org_path=statement.org_path,
        changes={
            "statement": statement.pk,
            "row_no": line.row_no,
            "reason": reason,
            **diff(before, snapshot(line, LINE_FIELDS)),
        },
    )
    return line


# ---------------------------------------------------------------------------------------------
# Confirm, discard


@transaction.atomic
def statement_confirm(*, actor, statement: Statement) -> Statement:
    """Book every matched line as a payment (method: payroll deduction for a payroll statement,
    transfer for a bank one), all or nothing: when one line cannot be booked nothing is, and
    the message names the row. Lines still needing attention are not booked."""
    from dangjian.dues.services import payment_record  # the ledger's one write path

    statement = _locked(statement)
    require(actor, MANAGE, statement.org_path)
    _pending(statement)
    lines = list(
        StatementLine.objects.filter(statement=statement, status=LineStatus.MATCHED)
        .select_related("member", "charge")
        .order_by("row_no")
    )
    if not lines:
        raise AppError("没有已匹配的记录可以入账，请先处理待核对的记录，或作废该对账单。")
    charges = {
        c.pk: c
        for c in DuesCharge.all_objects.select_for_update().filter(
            pk__in=[line.charge_id for line in lines if line.charge_id]
        )
    }
    method = METHODS[statement.source]
    payments: list[int] = []
    booked_amount = Decimal(0)
    for line in lines:
        row = f"第{line.row_no}行（{line.name or line.id_tail}）"
        member, charge = line.member, charges.get(line.charge_id)
        if member is None or charge is None:
            raise AppError(f"{row}匹配的党员或应缴记录已不存在，请重新匹配。全部记录均未入账。")
        if not matching.in_subtree(member.org_path, statement.org_path):
            raise AppError(
                f"{row}：{member.name}已不在{statement.org.name}范围内。全部记录均未入账。"
            )
        if charge.outstanding != line.amount:
            raise AppError(
                f"{row}：{member.name}{charge.month:%Y年%m月}尚欠{charge.outstanding}元，"
                f"与本行{line.amount}元不符（可能已在别处登记缴费），请重新匹配。全部记录均未入账。"
            )
        try:
            payment = payment_record(
                actor=actor,
                member=member,
                amount=line.amount,
                paid_on=line.paid_on,
                method=method,
                months=[charge.month],
                statement_line=line,
                note=f"对账单“{statement.original_name}”第{line.row_no}行"[:200],
            )
        except AppError as exc:
            raise AppError(
                f"{row}无法入账：{exc.message}全部记录均未入账。", code=exc.code
            ) from None
        payments.append(payment.pk)
        booked_amount += line.amount
    statement.status = StatementStatus.CONFIRMED
    statement.confirmed_by = user_or_none(actor)
    statement.confirmed_at = timezone.now()
    statement.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit(
        actor,
        "dues.statement.confirmed",
        statement,
        org_path=statement.org_path,
        changes={
            "status": [StatementStatus.MATCHED, StatementStatus.CONFIRMED],
            "payments": payments,
            "amount": booked_amount,
            "left_unbooked": statement.unmatched_count,
        },
    )
    return statement


@transaction.atomic
def statement_discard(*, actor, statement: Statement, reason: str) -> Statement:
    """Set a statement aside before it is confirmed (wrong month, wrong file); its lines are
    kept, and the same file may be imported again."""
    statement = _locked(statement)
    require(actor, MANAGE, statement.org_path)
    _pending(statement)
    reason = _reason(reason, "作废原因")
    statement.status = StatementStatus.DISCARDED
    statement.save(update_fields=["status"])
    audit(
        actor,
        "dues.statement.discarded",
        statement,
        org_path=statement.org_path,
        changes={"status": [StatementStatus.MATCHED, StatementStatus.DISCARDED], "reason": reason},
    )
    return statement
