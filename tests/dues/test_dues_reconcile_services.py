"""Reconciliation write paths: matching on import (matched, duplicates, near matches, the
ambiguous, mismatched amounts), the refusals that write nothing, resolving and ignoring lines,
confirming (all or nothing, naming the row) and discarding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.dues import selectors_reconcile as sel
from dangjian.dues import services_reconcile as services
from dangjian.dues.models import (
    ChargeStatus,
    DuesCharge,
    DuesPayment,
    LineStatus,
    PaymentMethod,
    Statement,
    StatementLine,
    StatementStatus,
)
from dangjian.dues.services import payment_record
from dangjian.rules.dues import add_month_starts


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def day(month):
    return month  # the 1st: never after today


def make_charge(member, month, amount="30.00"):
    amount = Decimal(amount)
    return DuesCharge.all_objects.create(
        member=member,
        branch=member.branch,
        org_path=member.org_path,
        month=month,
        category="in_service",
        standard_amount=amount,
        amount=amount,
    )


def csv_upload(rows, name="statement.csv", header=("姓名", "身份证后四位", "金额", "日期")):
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"))


def import_rows(org, month, rows, *, actor=None, source="payroll", name="statement.csv"):
    return services.statement_import(
        actor=actor, org=org, month=month, source=source, uploaded_file=csv_upload(rows, name)
    )


def lines_of(statement) -> dict[int, StatementLine]:
    return {line.row_no: line for line in StatementLine.objects.filter(statement=statement)}


@pytest.fixture
def charges(tree, month):
    """Each member of branches A and B owes 30 yuan this month."""
    return {m.name: make_charge(m, month) for m in tree.members_a + tree.members_b}


# --- matching ---------------------------------------------------------------------------------


def test_lines_match_by_name_by_tail_and_by_both(tree, charges, month, day):
    zhang, li, wang = tree.members_a[0], tree.members_a[1], tree.members_a[2]
    statement = import_rows(
        tree.organ_a,
        month,
        [
            ["张三丰", "", "30.00", day],
            ["", li.id_tail, "30", day],
            ["王 五", wang.id_tail, "30.0", day],
        ],
    )
    lines = lines_of(statement)
    assert [lines[r].status for r in (2, 3, 4)] == [LineStatus.MATCHED] * 3
    assert lines[2].member_id == zhang.pk and lines[2].charge_id == charges["张三丰"].pk
    assert lines[3].member_id == li.pk and lines[4].member_id == wang.pk
    assert lines[4].name == "王五"  # spaces in names are dropped
    assert (statement.total_rows, statement.matched_count, statement.unmatched_count) == (3, 3, 0)
    assert statement.total_amount == Decimal("90.00")
    assert statement.status == StatementStatus.MATCHED
    entry = AuditEntry.objects.get(action="dues.statement.imported")
    assert entry.changes["matched_count"] == 3 and entry.org_path == tree.organ_a.path


def test_same_person_twice_and_a_month_already_paid_are_duplicates(tree, charges, month, day):
    li = tree.members_a[1]
    payment_record(actor=None, member=li, amount="30", paid_on=day, method="cash", months=[month])
    statement = import_rows(
        tree.organ_a,
        month,
        [["张三丰", "", "30", day], ["张三丰", "", "30", day], ["李四", "", "30", day]],
    )
    lines = lines_of(statement)
    assert lines[2].status == LineStatus.MATCHED
    assert lines[3].status == LineStatus.DUPLICATE and "第2行" in lines[3].note
    assert lines[4].status == LineStatus.DUPLICATE and "已缴清" in lines[4].note
    assert (statement.matched_count, statement.unmatched_count) == (1, 2)


def test_a_charge_matched_by_another_pending_statement_is_a_duplicate(tree, charges, month, day):
    import_rows(tree.organ_a, month, [["张三丰", "", "30", day]], name="bank1.csv")
    second = import_rows(
        tree.organ_a, month, [["张三丰", "", "30", day], ["李四", "", "30", day]], name="b2.csv"
    )
    lines = lines_of(second)
    assert lines[2].status == LineStatus.DUPLICATE and "bank1.csv" in lines[2].note
    assert lines[3].status == LineStatus.MATCHED


def test_near_matches_are_suggested_never_matched(tree, charges, month, day):
    zhang = tree.members_a[0]
    statement = import_rows(
        tree.organ_a,
        month,
        [
            ["张三峰", zhang.id_tail, "30", day],  # one character different, same tail
            ["李思", "", "30", day],  # same pinyin
            ["张三丰", "9999" if zhang.id_tail != "9999" else "8888", "30", day],  # other tail
            ["无此人", "", "30", day],
        ],
    )
    lines = lines_of(statement)
    assert all(lines[r].status == LineStatus.UNMATCHED for r in (2, 3, 4, 5))
    assert all(lines[r].member_id is None and lines[r].charge_id is None for r in (2, 3, 4, 5))
    assert "张三丰" in lines[2].note and "差一字" in lines[2].note
    assert "李四" in lines[3].note and "同音" in lines[3].note
    assert "张三丰" in lines[4].note and "同名" in lines[4].note
    assert lines[5].note == "未找到该党员。"
    assert statement.unmatched_count == 4 and statement.matched_count == 0


def test_one_char_apart_without_tail_is_not_suggested(tree, charges, month, day):
    zhang = tree.members_a[0]
    statement = import_rows(
        tree.organ_a, month, [["张二丰", "", "30", day], ["张二丰", zhang.id_tail, "30", day]]
    )
    lines = lines_of(statement)
    assert lines[2].note == "未找到该党员。"
    assert "张三丰" in lines[3].note and "差一字" in lines[3].note


def test_same_name_two_members_is_ambiguous_unless_the_tail_decides(tree, charges, month, day):
    from tests.conftest import _member

    other = _member(tree.branch_b, "王五")
    make_charge(other, month)
    statement = import_rows(
        tree.organ_a,
        month,
        [["王五", "", "30", day], ["王五", other.id_tail, "30", day]],
    )
    lines = lines_of(statement)
    assert lines[2].status == LineStatus.AMBIGUOUS
    assert "2名党员" in lines[2].note and "第一党支部" in lines[2].note
    assert "第二党支部" in lines[2].note
    assert lines[3].status == LineStatus.MATCHED and lines[3].member_id == other.pk


def test_amount_differs_or_nothing_owed(tree, charges, month, day):
    qian = tree.members_a[4]
    DuesCharge.all_objects.filter(member=qian).delete()
    statement = import_rows(
        tree.organ_a, month, [["张三丰", "", "25.00", day], ["钱七", "", "30", day]]
    )
    lines = lines_of(statement)
    assert lines[2].status == LineStatus.AMOUNT_MISMATCH
    assert lines[2].member_id == tree.members_a[0].pk
    assert "应缴30.00元" in lines[2].note and "实缴25.00元" in lines[2].note
    assert lines[3].status == LineStatus.AMOUNT_MISMATCH and lines[3].charge_id is None
    assert "没有应缴记录" in lines[3].note


def test_members_outside_the_statement_org_are_not_matched(tree, charges, month, day):
    make_charge(tree.members_c[0], month)
    statement = import_rows(
        tree.branch_a, month, [["郑一", "", "30", day], ["孙八", "", "30", day]]
    )
    lines = lines_of(statement)
    assert lines[2].status == LineStatus.UNMATCHED  # branch C: another unit
    assert lines[3].status == LineStatus.UNMATCHED  # branch B: a sibling branch


# --- refusals ---------------------------------------------------------------------------------


def _nothing_written():
    assert Statement.all_objects.count() == 0
    assert StatementLine.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="dues.statement").exists()


def test_the_same_file_twice_is_refused_until_discarded(tree, charges, month, day):
    rows = [["张三丰", "", "30", day]]
    first = import_rows(tree.organ_a, month, rows)
    with pytest.raises(AppError) as exc:
        import_rows(tree.organ_a, month, rows, name="renamed.csv")
    assert exc.value.field == "file" and "重复导入" in exc.value.message
    assert Statement.all_objects.count() == 1
    services.statement_discard(actor=None, statement=first, reason="月份选错")
    again = import_rows(tree.organ_a, month, rows)
    assert again.pk != first.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"month": "nonsense"}, "month"),
        ({"future": True}, "month"),
        ({"source": "cash"}, "source"),
        ({"org": None}, "org"),
        ({"file": None}, "file"),
    ],
)
def test_bad_input_writes_nothing(tree, charges, month, day, changes, field):
    kwargs = {
        "actor": None,
        "org": tree.organ_a,
        "month": month,
        "source": "bank",
        "uploaded_file": csv_upload([["张三丰", "", "30", day]]),
    }
    if changes.pop("future", False):
        kwargs["month"] = add_month_starts(month, 1)
    if "file" in changes:
        kwargs["uploaded_file"] = changes.pop("file")
    kwargs.update(changes)
    with pytest.raises(AppError) as exc:
        services.statement_import(**kwargs)
    assert exc.value.field == field
    _nothing_written()


def test_a_malformed_file_writes_nothing_and_names_the_rows(tree, charges, month, day):
    rows = [["张三丰", "", "abc", day], ["李四", "", "30", "昨天"], ["", "", "30", day]]
    with pytest.raises(AppError) as exc:
        import_rows(tree.organ_a, month, rows)
    messages = [m for _, m in exc.value.errors]
    assert messages == [
        "第2行 金额“abc”不是数字",
        "第3行 日期“昨天”不是有效日期（如2024-03-05、2024/3/5或20240305）",
        "第4行 缺少姓名或身份证后四位",
    ]
    _nothing_written()


@pytest.mark.parametrize("persona", ["secretary_b", "member_a", "auditor", "system_admin"])
def test_import_without_dues_manage_is_404(tree, personas, charges, month, day, persona):
    with pytest.raises(Http404):
        import_rows(
            tree.branch_a, month, [["张三丰", "", "30", day]], actor=personas.by_name(persona)
        )
    _nothing_written()


def test_secretary_imports_for_his_branch(tree, personas, charges, month, day):
    statement = import_rows(
        tree.branch_a, month, [["张三丰", "", "30", day]], actor=personas.secretary_a
    )
    assert statement.uploaded_by == personas.secretary_a and statement.matched_count == 1


# --- resolve and ignore -----------------------------------------------------------------------


@pytest.fixture
def mixed(tree, charges, month, day):
    """Row 2 matched, row 3 unmatched (张三峰), row 4 amount mismatch, row 5 unmatched."""
    return import_rows(
        tree.organ_a,
        month,
        [
            ["李四", "", "30", day],
            ["张三峰", "", "30", day],
            ["王五", "", "20", day],
            ["无此人", "", "30", day],
        ],
    )


def test_resolve_an_unmatched_line_by_hand(tree, personas, mixed, charges):
    line = lines_of(mixed)[3]
    zhang = tree.members_a[0]
    resolved = services.statement_line_resolve(actor=personas.unit_admin, line=line, member=zhang)
    assert resolved.status == LineStatus.MATCHED
    assert resolved.member_id == zhang.pk and resolved.charge_id == charges["张三丰"].pk
    assert "手工匹配" in resolved.note
    mixed.refresh_from_db()
    assert (mixed.matched_count, mixed.unmatched_count) == (2, 2)
    entry = AuditEntry.objects.get(action="dues.statement_line.resolved")
    assert entry.changes["status"] == ["unmatched", "matched"]


def test_resolve_refuses_a_wrong_amount_a_taken_charge_and_an_outsider(
    tree, personas, mixed, charges, month
):
    lines = lines_of(mixed)
    wang = tree.members_a[2]
    with pytest.raises(AppError, match="金额不符"):
        services.statement_line_resolve(actor=None, line=lines[4], member=wang)
    with pytest.raises(AppError, match="第2行匹配"):
        services.statement_line_resolve(actor=None, line=lines[3], member=tree.members_a[1])
    make_charge(tree.members_c[0], month)
    with pytest.raises(AppError) as exc:
        services.statement_line_resolve(actor=None, line=lines[3], member=tree.members_c[0])
    assert exc.value.field == "member"
    with pytest.raises(Http404):
        services.statement_line_resolve(
            actor=personas.secretary_b, line=lines[3], member=tree.members_a[0]
        )
    assert StatementLine.objects.filter(status=LineStatus.MATCHED).count() == 1
    assert not AuditEntry.objects.filter(action="dues.statement_line.resolved").exists()


def test_resolve_to_another_month(tree, mixed, month, day):
    earlier = add_month_starts(month, -1)
    charge = make_charge(tree.members_a[0], earlier)
    line = services.statement_line_resolve(
        actor=None, line=lines_of(mixed)[3], member=tree.members_a[0], charge=charge
    )
    assert line.charge_id == charge.pk


def test_ignore_a_line_needs_a_reason(tree, mixed):
    line = lines_of(mixed)[5]
    with pytest.raises(AppError) as exc:
        services.statement_line_ignore(actor=None, line=line, reason="  ")
    assert exc.value.field == "reason"
    line = services.statement_line_ignore(actor=None, line=line, reason="他人误转，已退回")
    assert line.status == LineStatus.IGNORED and "他人误转" in line.note
    mixed.refresh_from_db()
    assert (mixed.matched_count, mixed.unmatched_count) == (1, 2)
    assert AuditEntry.objects.filter(action="dues.statement_line.ignored").count() == 1


# --- the two sides ----------------------------------------------------------------------------


def test_detail_groups_lines_and_lists_the_charges_nobody_paid(tree, mixed, charges):
    detail = sel.statement_detail(mixed)
    assert [line.row_no for line in detail.matched] == [2]
    assert [line.row_no for line in detail.attention] == [3, 4, 5]
    unpaid = {c.member.name for c in sel.unmatched_charges(mixed)}
    # everyone in unit A's organ committee who owes, except 李四 (matched on row 2)
    assert unpaid == {m.name for m in tree.members_a + tree.members_b} - {"李四"}
    services.statement_line_resolve(actor=None, line=lines_of(mixed)[3], member=tree.members_a[0])
    assert "张三丰" not in {c.member.name for c in sel.unmatched_charges(mixed)}


# --- confirm and discard ----------------------------------------------------------------------


def test_confirm_books_every_matched_line(tree, personas, charges, month, day):
    statement = import_rows(
        tree.branch_a,
        month,
        [["张三丰", "", "30", day], ["李四", "", "30", day], ["无此人", "", "30", day]],
        source="bank",
    )
    confirmed = services.statement_confirm(actor=personas.secretary_a, statement=statement)
    assert confirmed.status == StatementStatus.CONFIRMED
    assert confirmed.confirmed_by == personas.secretary_a and confirmed.confirmed_at
    payments = list(DuesPayment.all_objects.order_by("member__name_pinyin"))
    assert [p.member.name for p in payments] == ["李四", "张三丰"]
    assert {p.method for p in payments} == {PaymentMethod.TRANSFER}
    assert {p.statement_line.statement_id for p in payments} == {statement.pk}
    assert DuesCharge.all_objects.get(pk=charges["张三丰"].pk).status == ChargeStatus.PAID
    assert DuesCharge.all_objects.get(pk=charges["王五"].pk).status == ChargeStatus.DUE
    entry = AuditEntry.objects.get(action="dues.statement.confirmed")
    assert entry.changes["amount"] == "60.00" and entry.changes["left_unbooked"] == 1
    with pytest.raises(AppError, match="已入账"):
        services.statement_confirm(actor=None, statement=statement)
    with pytest.raises(AppError, match="已入账"):
        services.statement_line_ignore(actor=None, line=lines_of(statement)[4], reason="x")


def test_payroll_statements_book_payroll_deductions(tree, charges, month, day):
    statement = import_rows(tree.branch_a, month, [["张三丰", "", "30", day]])
    services.statement_confirm(actor=None, statement=statement)
    assert DuesPayment.all_objects.get().method == PaymentMethod.PAYROLL


def test_confirm_is_all_or_nothing_when_a_charge_was_paid_meanwhile(tree, charges, month, day):
    statement = import_rows(
        tree.branch_a, month, [["张三丰", "", "30", day], ["李四", "", "30", day]]
    )
    payment_record(actor=None, member=tree.members_a[1], amount="30", paid_on=day, method="cash")
    with pytest.raises(AppError) as exc:
        services.statement_confirm(actor=None, statement=statement)
    assert "第3行" in exc.value.message and "全部记录均未入账" in exc.value.message
    assert DuesPayment.all_objects.filter(statement_line__isnull=False).count() == 0
    assert DuesCharge.all_objects.get(pk=charges["张三丰"].pk).status == ChargeStatus.DUE
    statement.refresh_from_db()
    assert statement.status == StatementStatus.MATCHED
    assert not AuditEntry.objects.filter(action="dues.statement.confirmed").exists()


def test_confirm_is_all_or_nothing_when_the_ledger_refuses_a_line(tree, month):
    """Row 2 is paid within six months of the month owed; row 3 eight months after it, which
    the ledger refuses without a recorded exception (R-DUES-13): nothing is booked."""
    today = timezone.localdate()
    old = add_month_starts(today.replace(day=1), -8)
    zhang, li = tree.members_a[0], tree.members_a[1]
    make_charge(zhang, old)
    make_charge(li, old)
    early = add_month_starts(old, 1)
    statement = import_rows(
        tree.branch_a, old, [["张三丰", "", "30", early], ["李四", "", "30", today]]
    )
    # paid eight months after the statement's month: a person decides, then matches by hand
    late = StatementLine.objects.get(statement=statement, row_no=3)
    assert late.status == LineStatus.DATE_MISMATCH and "不在对账月份" in late.note
    services.statement_line_resolve(actor=None, line=late, member=li)
    statement.refresh_from_db()
    assert statement.matched_count == 2
    with pytest.raises(AppError) as exc:
        services.statement_confirm(actor=None, statement=statement)
    assert exc.value.message.startswith("第3行（李四）无法入账")
    assert "R-DUES-13" in exc.value.message
    assert DuesPayment.all_objects.count() == 0
    assert set(DuesCharge.all_objects.values_list("status", flat=True)) == {ChargeStatus.DUE}


def test_confirm_without_matched_lines_is_refused(tree, charges, month, day):
    statement = import_rows(tree.branch_a, month, [["无此人", "", "30", day]])
    with pytest.raises(AppError, match="没有已匹配"):
        services.statement_confirm(actor=None, statement=statement)


@pytest.mark.parametrize("persona", ["secretary_b", "member_a", "auditor", "security_admin"])
def test_confirm_and_discard_by_outsiders_are_404(tree, personas, charges, month, day, persona):
    statement = import_rows(tree.branch_a, month, [["张三丰", "", "30", day]])
    user = personas.by_name(persona)
    with pytest.raises(Http404):
        services.statement_confirm(actor=user, statement=statement)
    with pytest.raises(Http404):
        services.statement_discard(actor=user, statement=statement, reason="x")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.MATCHED and DuesPayment.all_objects.count() == 0


def test_discard_needs_a_reason_and_ends_the_statement(tree, charges, month, day):
    statement = import_rows(tree.branch_a, month, [["张三丰", "", "30", day]])
    with pytest.raises(AppError) as exc:
        services.statement_discard(actor=None, statement=statement, reason="")
    assert exc.value.field == "reason"
    services.statement_discard(actor=None, statement=statement, reason="文件传错")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISCARDED
    entry = AuditEntry.objects.get(action="dues.statement.discarded")
    assert entry.changes["reason"] == "文件传错"
    with pytest.raises(AppError, match="已作废"):
        services.statement_confirm(actor=None, statement=statement)
    assert DuesPayment.all_objects.count() == 0
