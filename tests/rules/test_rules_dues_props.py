"""Property tests (hypothesis) of dangjian.rules.dues.monthly_dues: never negative, monotone
non-decreasing within a bracket, exactly rate × base rounded half-up (R-DUES-03/06/17)."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules.dues import (
    CATEGORIES,
    FIXED_CATEGORIES,
    MAX_BASE,
    RETIRED_TABLE,
    TABLES,
    monthly_dues,
    rate_for,
)

PERCENT = sorted(set(CATEGORIES) - FIXED_CATEGORIES)
UNITS = ["0.01", "0.1", "1"]

bases = st.decimals(min_value=0, max_value=MAX_BASE, places=2, allow_nan=False)
categories = st.sampled_from(PERCENT)
units = st.sampled_from(UNITS)


def bracket_index(category, base):
    for i, (upper, _) in enumerate(TABLES[category]):
        if upper is None or base <= upper:
            return i
    raise AssertionError


@given(st.sampled_from(sorted(CATEGORIES)), bases, units)
def test_never_negative(category, base, unit):
    assert monthly_dues(category, base, rounding=unit) >= 0


@given(categories, bases, bases, units)
def test_monotone_within_a_bracket(category, a, b, unit):
    lo, hi = sorted((a, b))
    if bracket_index(category, lo) != bracket_index(category, hi):
        return
    assert monthly_dues(category, lo, rounding=unit) <= monthly_dues(category, hi, rounding=unit)


@given(categories, bases, bases)
def test_monotone_across_brackets_at_the_unit(category, a, b):
    # rates only grow from bracket to bracket, so the amount is monotone everywhere
    lo, hi = sorted((a, b))
    assert monthly_dues(category, lo) <= monthly_dues(category, hi)


@given(categories, bases, units)
def test_exactly_rate_times_base_rounded(category, base, unit):
    rate = rate_for(category, base)
    u = Decimal(unit)
    expected = (base * rate / u).quantize(Decimal(1), rounding=ROUND_HALF_UP) * u
    amount = monthly_dues(category, base, rounding=unit)
    assert amount == expected
    assert abs(amount - base * rate) <= u / 2
    assert amount.as_tuple().exponent == -2  # shown in yuan and fen


@given(bases)
def test_retired_never_above_in_service(base):
    assert RETIRED_TABLE[0][1] == Decimal("0.005")
    assert monthly_dues("retired", base) <= monthly_dues("in_service", base)


@given(bases, st.sampled_from(sorted(FIXED_CATEGORIES - {"farmer"})), units)
def test_fixed_categories_are_twenty_fen(base, category, unit):
    assert monthly_dues(category, base, rounding=unit) == Decimal("0.20")


@given(st.decimals(min_value=Decimal("0.20"), max_value=Decimal("1.00"), places=2))
def test_farmer_amount_kept(amount):
    assert monthly_dues("farmer", None, fixed_amount=amount) == amount
