"""The same money is never booked twice from statements: the same file is refused in any month
for the org, the orgs below it and the orgs above it; a line dated outside the statement's
month (or the next) needs a person; a line identical (member, amount, date) to one already
matched or booked by another statement is flagged as a duplicate."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.dues import services_reconcile as services
from dangjian.dues.models import DuesPayment, LineStatus, Statement, StatementLine
from dangjian.rules.dues import add_month_starts
from tests.dues.test_dues_reconcile_services import import_rows, make_charge


@pytest.fixture
def this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def last_month(this_month):
    return add_month_starts(this_month, -1)


@pytest.fixture
def owed(tree, this_month, last_month):
    """Branch A and B members owe 30.00 this month and last month."""
    for m in tree.members_a + tree.members_b:
        make_charge(m, this_month)
        make_charge(m, last_month)


def _rows(day, name="张三丰"):
    return [[name, "", "30", day.isoformat()]]


def test_the_same_file_is_refused_in_another_month(tree, owed, this_month, last_month):
    import_rows(tree.branch_a, this_month, _rows(this_month))
    with pytest.raises(AppError) as exc:
        import_rows(tree.branch_a, last_month, _rows(this_month))
    assert exc.value.field == "file" and "不能重复导入" in exc.value.message
    assert Statement.all_objects.count() == 1


@pytest.mark.parametrize("second", ["organ_a", "root", "branch_a"])
def test_the_same_file_is_refused_above_and_below(tree, owed, this_month, second):
    import_rows(tree.branch_a, this_month, _rows(this_month))
    with pytest.raises(AppError, match="不能重复导入"):
        import_rows(getattr(tree, second), this_month, _rows(this_month))


def test_the_same_bytes_for_an_unrelated_org_or_after_a_discard_are_accepted(
    tree, owed, this_month
):
    first = import_rows(tree.branch_a, this_month, _rows(this_month))
    import_rows(tree.branch_c, this_month, _rows(this_month))  # not above, not below
    services.statement_discard(actor=None, statement=first, reason="传错")
    import_rows(tree.branch_a, this_month, _rows(this_month))
    assert Statement.all_objects.count() == 3


def test_a_line_dated_outside_the_month_needs_a_person(tree, owed, this_month, last_month):
    before = add_month_starts(last_month, -1)
    statement = import_rows(
        tree.branch_a,
        last_month,
        [
            ["张三丰", "", "30", this_month.isoformat()],  # the next month: fine
            ["李四", "", "30", before.isoformat()],  # the month before: a person decides
        ],
    )
    lines = {line.row_no: line for line in StatementLine.objects.filter(statement=statement)}
    assert lines[2].status == LineStatus.MATCHED
    assert lines[3].status == LineStatus.DATE_MISMATCH
    assert lines[3].member_id == tree.members_a[1].pk
    assert "不在对账月份" in lines[3].note and f"{before:%Y-%m}" in lines[3].note
    statement.refresh_from_db()
    assert (statement.matched_count, statement.unmatched_count) == (1, 1)
    # confirmed, only the matched line is booked; the other needed a person
    services.statement_confirm(actor=None, statement=statement)
    assert DuesPayment.all_objects.count() == 1


@pytest.mark.parametrize("confirm", [True, False])
def test_an_identical_line_in_another_statement_is_a_duplicate(
    tree, owed, this_month, last_month, confirm
):
    first = import_rows(tree.branch_a, this_month, _rows(this_month), name="bank-a.csv")
    if confirm:
        services.statement_confirm(actor=None, statement=first)
    # another export (another file) of last month repeating the same transfer
    second = import_rows(
        tree.branch_a,
        last_month,
        [*_rows(this_month), ["李四", "", "30", last_month.isoformat()]],
        name="bank-b.csv",
    )
    lines = {line.row_no: line for line in StatementLine.objects.filter(statement=second)}
    assert lines[2].status == LineStatus.DUPLICATE
    assert "bank-a.csv" in lines[2].note and "重复导入" in lines[2].note
    assert lines[3].status == LineStatus.MATCHED
