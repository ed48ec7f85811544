"""Table-driven tests of dangjian.rules.dues (rules.md §4, R-DUES-01..17): the rules.md test
vectors, every bracket edge of every category, rounding units, the base from pay items, months,
back-payment, arrears runs."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest

from dangjian.rules import RULES
from dangjian.rules.base import Confidence, Level
from dangjian.rules.dues import (
    BACK_PAY_MAX_MONTHS,
    CATEGORIES,
    CENTRE_THRESHOLD,
    FIXED_CATEGORIES,
    MAX_BASE,
    DuesInputError,
    arrears_findings,
    back_pay_finding,
    base_for_month,
    base_from_items,
    bracket_edges,
    consecutive_unpaid,
    first_month_owed,
    month_range,
    month_start,
    monthly_dues,
    months_between,
    rate_for,
    rule_for,
    to_centre,
)

D = Decimal
day = dt.date


def test_rules_import_without_django():
    code = "import dangjian.rules.dues, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# Registry


@pytest.mark.parametrize("n", range(1, 18))
def test_dues_rules_registered(n):
    r = RULES[f"R-DUES-{n:02d}"]
    assert r.title and r.source
    assert r.effective == day(2008, 2, 1)


def test_rule_citations_and_confidence():
    assert RULES["R-DUES-03"].citation == "《关于中国共产党党费收缴、使用和管理的规定》第二条"
    assert RULES["R-DUES-14"].article == "第十三条"
    assert RULES["R-DUES-06"].article == "第五条"
    assert RULES["R-DUES-02"].confidence is Confidence.C2
    assert "问答" in RULES["R-DUES-02"].source
    assert RULES["R-DUES-17"].confidence is Confidence.OPEN
    assert "DANGJIAN_DUES_ROUNDING" in RULES["R-DUES-17"].note
    assert all(RULES[f"R-DUES-{n:02d}"].confidence is Confidence.C1 for n in (1, 3, 7, 13, 16))


def test_categories_match_the_model_choices():
    assert list(CATEGORIES) == [
        "in_service",
        "annual_salary",
        "self_employed",
        "retired",
        "farmer",
        "student",
        "unemployed",
        "low_income",
    ]
    assert {"farmer", "student", "unemployed", "low_income"} == FIXED_CATEGORIES
    assert CATEGORIES["retired"] == "离退休党员"


# ---------------------------------------------------------------------------------------------
# The rules.md test vectors


@pytest.mark.parametrize(
    ("category", "base", "expected"),
    [
        ("in_service", "3000.00", "15.00"),
        ("in_service", "3000.01", "30.00"),
        ("in_service", "5000.00", "50.00"),
        ("in_service", "5000.01", "75.00"),
        ("in_service", "10000.00", "150.00"),
        ("in_service", "10000.01", "200.00"),
        ("retired", "5000.00", "25.00"),
        ("retired", "5000.01", "50.00"),
        ("student", None, "0.20"),
        ("unemployed", None, "0.20"),
    ],
)
def test_rules_md_vectors(category, base, expected):
    amount = monthly_dues(category, None if base is None else D(base))
    assert amount == D(expected)
    assert str(amount) == expected  # two decimals, as shown


# ---------------------------------------------------------------------------------------------
# Every bracket edge (x.00 and x.01 either side) for every category

SALARIED = ["in_service", "annual_salary", "self_employed"]
SALARIED_EDGES = [
    ("0", "0.00"),
    ("0.01", "0.00"),  # 0.00005 rounds down
    ("1", "0.01"),  # 0.005 rounds half up
    ("2999.99", "15.00"),  # 14.99995 → 15.00
    ("3000.00", "15.00"),
    ("3000.01", "30.00"),
    ("4999.99", "50.00"),
    ("5000.00", "50.00"),
    ("5000.01", "75.00"),
    ("9999.99", "150.00"),  # 149.99985
    ("10000.00", "150.00"),
    ("10000.01", "200.00"),
    ("12345.67", "246.91"),  # 246.9134
    ("1000000", "20000.00"),
]


@pytest.mark.parametrize("category", SALARIED)
@pytest.mark.parametrize(("base", "expected"), SALARIED_EDGES)
def test_salaried_brackets(category, base, expected):
    assert monthly_dues(category, D(base)) == D(expected)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("2999.99", "15.00"),
        ("3000.00", "15.00"),
        ("3000.01", "15.00"),  # retired: no 3000 edge
        ("4999.99", "25.00"),
        ("5000.00", "25.00"),
        ("5000.01", "50.00"),
        ("10000.00", "100.00"),
        ("10000.01", "100.00"),  # retired: no 10000 edge
    ],
)
def test_retired_brackets(base, expected):
    assert monthly_dues("retired", D(base)) == D(expected)


@pytest.mark.parametrize("category", ["student", "unemployed", "low_income"])
@pytest.mark.parametrize("base", [None, D("0"), D("3000.00"), D("3000.01"), D("50000")])
def test_fixed_categories_ignore_the_base(category, base):
    assert monthly_dues(category, base) == D("0.20")
    assert monthly_dues(category, base, rounding="1") == D("0.20")  # fixed amounts not rounded


@pytest.mark.parametrize("amount", [None, "0.20", "0.21", "0.50", "0.99", "1.00", "1"])
def test_farmer_amount_in_range(amount):
    expected = D("0.20") if amount is None else D(amount)
    assert monthly_dues("farmer", None, fixed_amount=amount) == expected
    assert monthly_dues("farmer", D("5000.01"), fixed_amount=amount) == expected


@pytest.mark.parametrize("amount", ["0.19", "1.01", "0", "-0.20", "2"])
def test_farmer_amount_out_of_range(amount):
    with pytest.raises(DuesInputError) as exc:
        monthly_dues("farmer", None, fixed_amount=D(amount))
    assert exc.value.field == "fixed_amount"
    assert "R-DUES-07" in str(exc.value)


def test_farmer_amount_below_a_cent():
    with pytest.raises(DuesInputError) as exc:
        monthly_dues("farmer", None, fixed_amount=D("0.255"))
    assert exc.value.field == "fixed_amount"


@pytest.mark.parametrize(
    ("category", "edges"),
    [
        ("in_service", [D(3000), D(5000), D(10000)]),
        ("annual_salary", [D(3000), D(5000), D(10000)]),
        ("self_employed", [D(3000), D(5000), D(10000)]),
        ("retired", [D(5000)]),
        ("farmer", []),
        ("student", []),
    ],
)
def test_bracket_edges(category, edges):
    assert bracket_edges(category) == edges


@pytest.mark.parametrize(
    ("category", "base", "rate"),
    [
        ("in_service", "3000", "0.005"),
        ("in_service", "3000.01", "0.01"),
        ("self_employed", "10000.01", "0.02"),
        ("retired", "5000.01", "0.01"),
        ("student", None, None),
    ],
)
def test_rate_for(category, base, rate):
    assert rate_for(category, base) == (None if rate is None else D(rate))


def test_rule_for():
    assert rule_for("in_service") == "R-DUES-03"
    assert rule_for("annual_salary") == "R-DUES-04"
    assert rule_for("self_employed") == "R-DUES-05"
    assert rule_for("retired") == "R-DUES-06"
    assert rule_for("farmer") == rule_for("low_income") == "R-DUES-07"


# ---------------------------------------------------------------------------------------------
# Rounding (R-DUES-17)


@pytest.mark.parametrize(
    ("category", "base", "rounding", "expected"),
    [
        ("in_service", "1234", "0.1", "6.20"),  # 6.17
        ("in_service", "1230", "0.1", "6.20"),  # 6.15 half up
        ("in_service", "1229.98", "0.1", "6.10"),  # 6.1499
        ("in_service", "1234", "1", "6.00"),
        ("in_service", "1300", "1", "7.00"),  # 6.50 half up
        ("in_service", "1299.98", "1", "6.00"),  # 6.4999
        ("in_service", "3000.01", "1", "30.00"),
        ("retired", "4990", "1", "25.00"),  # 24.95
        ("retired", "5000.01", "0.1", "50.00"),
        ("in_service", "100", "1", "1.00"),  # 0.50
        ("in_service", "99.99", "1", "0.00"),
        ("in_service", "12345.67", D("0.01"), "246.91"),
    ],
)
def test_rounding_units(category, base, rounding, expected):
    assert monthly_dues(category, D(base), rounding=rounding) == D(expected)


@pytest.mark.parametrize("rounding", ["0", "-0.01", "abc"])
def test_bad_rounding_unit(rounding):
    with pytest.raises(DuesInputError) as exc:
        monthly_dues("in_service", D(100), rounding=rounding)
    assert exc.value.field == "rounding"


# ---------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("category", "base", "field", "words"),
    [
        ("teacher", D(100), "category", "未知的党费类别"),
        ("", D(100), "category", "未知的党费类别"),
        ("in_service", None, "base", "请填写缴纳基数"),
        ("retired", "", "base", "请填写缴纳基数"),
        ("in_service", D("-0.01"), "base", "不能为负数"),
        ("self_employed", D("1000000.01"), "base", "缴纳基数超出合理范围"),
        ("in_service", "12,3x", "base", "不是有效的数字"),
        ("in_service", "NaN", "base", "不是有效的数字"),
        ("in_service", D("Infinity"), "base", "不是有效的数字"),
        ("in_service", 3000.0, "base", "精确的十进制数"),
        ("in_service", True, "base", "精确的十进制数"),
        ("in_service", [3000], "base", "不是有效的数字"),
    ],
)
def test_bad_input(category, base, field, words):
    with pytest.raises(DuesInputError) as exc:
        monthly_dues(category, base)
    assert exc.value.field == field
    assert words in exc.value.message
    assert isinstance(exc.value, ValueError)


def test_max_base_inclusive_and_strings_accepted():
    assert monthly_dues("in_service", MAX_BASE) == D("20000.00")
    assert monthly_dues("in_service", "3,000.00") == D("15.00")
    assert monthly_dues("in_service", 3000) == D("15.00")


# ---------------------------------------------------------------------------------------------
# The base from pay items (R-DUES-02)


def test_base_from_items():
    assert base_from_items([D("3000"), "1500.50", D("800")], D("120.25")) == D("5180.25")
    assert base_from_items([], "0") == D(0)
    assert base_from_items([D("100")], D("100")) == D(0)


@pytest.mark.parametrize(
    ("items", "tax", "field"),
    [
        ([D("100"), D("-1")], D("0"), "items"),
        ([D("100")], D("-1"), "income_tax"),
        ([D("100")], D("100.01"), "income_tax"),
        (["abc"], D("0"), "items"),
        ([D("100")], "x", "income_tax"),
    ],
)
def test_base_from_items_bad(items, tax, field):
    with pytest.raises(DuesInputError) as exc:
        base_from_items(items, tax)
    assert exc.value.field == field


# ---------------------------------------------------------------------------------------------
# Centre (R-DUES-12)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("999.99", False), ("1000", True), ("1000.00", True), ("5000", True), ("0", False)],
)
def test_to_centre(amount, expected):
    assert D(1000) == CENTRE_THRESHOLD
    assert to_centre(D(amount)) is expected


# ---------------------------------------------------------------------------------------------
# Months


def test_month_helpers():
    assert month_start(day(2024, 2, 29)) == day(2024, 2, 1)
    assert months_between(day(2024, 1, 31), day(2024, 2, 1)) == 1
    assert months_between(day(2023, 12, 1), day(2024, 1, 31)) == 1
    assert months_between(day(2024, 5, 5), day(2024, 5, 31)) == 0
    assert months_between(day(2024, 5, 5), day(2023, 5, 31)) == -12
    assert month_range(day(2023, 11, 30), day(2024, 2, 1)) == [
        day(2023, 11, 1),
        day(2023, 12, 1),
        day(2024, 1, 1),
        day(2024, 2, 1),
    ]
    assert month_range(day(2024, 2, 29), day(2024, 2, 1)) == [day(2024, 2, 1)]
    assert month_range(day(2024, 3, 1), day(2024, 2, 29)) == []


@pytest.mark.parametrize(
    ("joined", "first"),
    [
        (day(2024, 2, 29), day(2024, 2, 1)),
        (day(2024, 3, 1), day(2024, 3, 1)),
        (day(2025, 12, 31), day(2025, 12, 1)),
    ],
)
def test_first_month_owed(joined, first):
    assert first_month_owed(joined) == first


def test_base_for_month():
    bases = [(day(2024, 1, 1), D(3000)), (day(2024, 7, 15), D(5000)), (day(2025, 1, 1), D(6000))]
    assert base_for_month(bases, day(2023, 12, 1)) is None
    assert base_for_month(bases, day(2024, 6, 30)) == D(3000)
    assert base_for_month(bases, day(2024, 7, 1)) == D(5000)  # R-DUES-11: from that month
    assert base_for_month(list(reversed(bases)), day(2025, 3, 1)) == D(6000)


# ---------------------------------------------------------------------------------------------
# Back-payment (R-DUES-13)


@pytest.mark.parametrize("months", [0, 1, 5, 6])
def test_back_pay_within_limit(months):
    assert BACK_PAY_MAX_MONTHS == 6
    assert back_pay_finding(months, "") is None


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_back_pay_over_limit_without_reason(reason):
    f = back_pay_finding(7, reason)
    assert f is not None and f.rule_id == "R-DUES-13" and f.level is Level.ERROR
    assert "超过6个月" in f.message and "R-DUES-13" in f.message
    assert f.data["months"] == 7


def test_back_pay_over_limit_with_reason():
    f = back_pay_finding(9, " 长期驻外，经支部同意 ")
    assert f.level is Level.INFO and f.rule_id == "R-DUES-13"
    assert "长期驻外，经支部同意" in f.message
    assert f.data["reason"] == "长期驻外，经支部同意"


# ---------------------------------------------------------------------------------------------
# Arrears (R-DUES-14)


@pytest.mark.parametrize(
    ("months", "level"),
    [
        (0, None),
        (2, None),
        (3, Level.WARNING),
        (5, Level.WARNING),
        (6, Level.ERROR),
        (14, Level.ERROR),
    ],
)
def test_arrears_levels(months, level):
    since = day(2025, 1, 1)
    found = arrears_findings(months, since)
    if level is None:
        assert found == []
        return
    assert [f.level for f in found] == [level]
    f = found[0]
    assert f.rule_id == "R-DUES-14"
    assert f"已连续{months}个月未交纳党费" in f.message
    assert f.data == {"months": months, "since": since}
    if level is Level.ERROR:
        assert "自行脱党" in f.message and "党支部" in f.message


def test_arrears_custom_thresholds():
    assert arrears_findings(1, day(2025, 1, 1), warn=1, alert=2)[0].level is Level.WARNING
    assert arrears_findings(2, day(2025, 1, 1), warn=1, alert=2)[0].level is Level.ERROR
    with pytest.raises(ValueError):
        arrears_findings(2, day(2025, 1, 1), warn=4, alert=3)


@pytest.mark.parametrize(
    ("unpaid", "through", "expected"),
    [
        ([], day(2025, 6, 15), (0, None)),
        # through's month unpaid: the run ends there
        (
            [day(2025, 4, 1), day(2025, 5, 1), day(2025, 6, 1)],
            day(2025, 6, 15),
            (3, day(2025, 4, 1)),
        ),
        # through's month not in the list (paid or not yet due): the run ends the month before
        ([day(2025, 4, 1), day(2025, 5, 20)], day(2025, 6, 30), (2, day(2025, 4, 1))),
        # a gap breaks the run
        (
            [day(2025, 1, 1), day(2025, 3, 1), day(2025, 4, 1)],
            day(2025, 4, 1),
            (2, day(2025, 3, 1)),
        ),
        # nothing unpaid in the last two months: no run
        ([day(2025, 1, 1), day(2025, 2, 1)], day(2025, 4, 1), (0, None)),
        # months after through are ignored; runs cross the year
        (
            [day(2024, 11, 1), day(2024, 12, 1), day(2025, 1, 1), day(2025, 3, 1)],
            day(2025, 1, 31),
            (3, day(2024, 11, 1)),
        ),
        # duplicates and mid-month days stand for their month
        (
            [day(2025, 5, 1), day(2025, 5, 31), day(2025, 4, 15)],
            day(2025, 5, 2),
            (2, day(2025, 4, 1)),
        ),
    ],
)
def test_consecutive_unpaid(unpaid, through, expected):
    assert consecutive_unpaid(unpaid, through) == expected


def test_six_months_run_gives_the_alert():
    unpaid = month_range(day(2025, 1, 1), day(2025, 6, 1))
    n, since = consecutive_unpaid(unpaid, day(2025, 7, 10))
    assert (n, since) == (6, day(2025, 1, 1))
    assert arrears_findings(n, since)[0].level is Level.ERROR


def test_categories_are_the_model_choices():
    from dangjian.dues.models import DuesCategory

    assert dict(DuesCategory.choices) == CATEGORIES


def test_rounding_setting_values_are_accepted():
    from django.conf import settings

    assert monthly_dues("in_service", D("1234"), rounding=settings.DUES_ROUNDING) == D("6.17")
