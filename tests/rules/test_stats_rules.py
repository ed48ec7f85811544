"""Table-driven tests of dangjian.rules.stats (R-STAT-01..06), boundaries included."""

import datetime as dt
import subprocess
import sys

import pytest

from dangjian.rules import RULES
from dangjian.rules.base import Confidence
from dangjian.rules.stats import (
    AGE_BANDS,
    JOINING_PERIODS,
    OCCUPATION_GROUPS,
    UNCLASSIFIED,
    age_band_bounds,
    age_band_of,
    age_on,
    age_reference,
    joining_period_of,
    latest_birth_for_age,
    occupation_counts,
    percent,
    young_born_after,
)

D = dt.date


def test_rules_import_without_django():
    code = "import dangjian.rules.stats, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rules_registered_with_confidence():
    for n in range(1, 7):
        r = RULES[f"R-STAT-0{n}"]
        assert "党内统计公报" in r.source
        assert r.confidence == Confidence.C2
    assert "C3" in RULES["R-STAT-03"].note  # the age cut-off is the uncertain part


def test_bands_and_periods_as_published():
    assert [label for label, _, _ in AGE_BANDS] == [
        "30岁及以下",
        "31至35岁",
        "36至40岁",
        "41至45岁",
        "46至50岁",
        "51至55岁",
        "56至60岁",
        "61岁及以上",
    ]
    assert [(start, end) for _, start, end in JOINING_PERIODS] == [
        (None, D(1949, 10, 1)),
        (D(1949, 10, 1), D(1978, 12, 23)),
        (D(1978, 12, 23), D(2012, 11, 15)),
        (D(2012, 11, 15), None),
    ]


@pytest.mark.parametrize(
    ("cutoff", "mode", "reference"),
    [
        (D(2024, 6, 30), "year_end", D(2024, 12, 31)),  # R-STAT-03 default
        (D(2024, 12, 31), "year_end", D(2024, 12, 31)),
        (D(2024, 1, 1), "year_end", D(2024, 12, 31)),
        (D(2024, 6, 30), "cutoff", D(2024, 6, 30)),
    ],
)
def test_age_reference(cutoff, mode, reference):
    assert age_reference(cutoff, mode) == reference


def test_age_reference_default_is_year_end_and_rejects_unknown_modes():
    assert age_reference(D(2024, 3, 1)) == D(2024, 12, 31)
    with pytest.raises(ValueError):
        age_reference(D(2024, 3, 1), "birthday")


@pytest.mark.parametrize(
    ("birth", "reference", "age"),
    [
        (D(1994, 12, 31), D(2024, 12, 31), 30),  # birthday on the reference day counts
        (D(1995, 1, 1), D(2024, 12, 31), 29),
        (D(1994, 7, 1), D(2024, 6, 30), 29),  # one day short
        (D(1994, 6, 30), D(2024, 6, 30), 30),
        (D(2000, 2, 29), D(2023, 2, 28), 23),  # R-GEN-04: 29 Feb → 28 Feb in a common year
        (D(2000, 2, 29), D(2023, 2, 27), 22),
        (D(2000, 2, 29), D(2024, 2, 28), 23),  # a leap year has its own 29 Feb
    ],
)
def test_age_on(birth, reference, age):
    assert age_on(birth, reference) == age


@pytest.mark.parametrize(
    "reference",
    [D(2024, 12, 31), D(2024, 6, 30), D(2024, 2, 29), D(2023, 2, 28), D(2025, 3, 1)],
)
@pytest.mark.parametrize("age", [18, 31, 36, 61])
def test_latest_birth_for_age_is_exact(reference, age):
    latest = latest_birth_for_age(reference, age)
    assert age_on(latest, reference) >= age
    assert age_on(latest + dt.timedelta(days=1), reference) < age


def test_latest_birth_takes_29_february_on_28_february():
    # on 28 Feb 2023 someone born 29 Feb 1992 has turned 31 (R-GEN-04)
    assert latest_birth_for_age(D(2023, 2, 28), 31) == D(1992, 2, 29)


def test_age_band_bounds_year_end_are_whole_years():
    bounds = age_band_bounds(D(2024, 12, 31))
    assert bounds[0] == ("30岁及以下", D(1993, 12, 31), None)
    assert bounds[1] == ("31至35岁", D(1988, 12, 31), D(1993, 12, 31))
    assert bounds[-1] == ("61岁及以上", None, D(1963, 12, 31))


@pytest.mark.parametrize(
    ("birth", "reference", "band"),
    [
        # year_end reference: the age is the report year minus the birth year
        (D(1994, 12, 31), D(2024, 12, 31), "30岁及以下"),  # turns 30 on the last day
        (D(1993, 12, 31), D(2024, 12, 31), "31至35岁"),
        (D(1993, 1, 1), D(2024, 12, 31), "31至35岁"),
        (D(1989, 1, 1), D(2024, 12, 31), "31至35岁"),  # 35 at year end
        (D(1988, 12, 31), D(2024, 12, 31), "36至40岁"),
        (D(1964, 1, 1), D(2024, 12, 31), "56至60岁"),  # 60
        (D(1963, 12, 31), D(2024, 12, 31), "61岁及以上"),
        (D(2030, 1, 1), D(2024, 12, 31), "30岁及以下"),  # nonsense future birth: still counted
        # cut-off reference: the birthday decides
        (D(1993, 7, 1), D(2024, 6, 30), "30岁及以下"),
        (D(1993, 6, 30), D(2024, 6, 30), "31至35岁"),
    ],
)
def test_band_edges(birth, reference, band):
    assert age_band_of(birth, reference) == band
    # the birth-date ranges used by the database say the same
    matches = [
        label
        for label, after, on_or_before in age_band_bounds(reference)
        if (after is None or birth > after) and (on_or_before is None or birth <= on_or_before)
    ]
    assert matches == [band]


@pytest.mark.parametrize("reference", [D(2024, 12, 31), D(2023, 2, 28), D(2024, 2, 29)])
def test_bands_partition_every_birth_date(reference):
    bounds = age_band_bounds(reference)
    day = D(1940, 1, 1)
    while day < D(2010, 1, 1):
        hits = [
            label
            for label, after, top in bounds
            if (after is None or day > after) and (top is None or day <= top)
        ]
        assert hits == [age_band_of(day, reference)], day
        day += dt.timedelta(days=1)


def test_young_means_35_and_under():
    after = young_born_after(D(2024, 12, 31))
    assert after == D(1988, 12, 31)
    assert age_on(after + dt.timedelta(days=1), D(2024, 12, 31)) == 35
    assert age_on(after, D(2024, 12, 31)) == 36


@pytest.mark.parametrize(
    ("joined", "period"),
    [
        (D(1949, 9, 30), "新中国成立前入党"),
        (D(1949, 10, 1), "新中国成立后至党的十一届三中全会前入党"),
        (D(1978, 12, 18), "新中国成立后至党的十一届三中全会前入党"),  # plenum opened
        (D(1978, 12, 22), "新中国成立后至党的十一届三中全会前入党"),  # plenum closed
        (D(1978, 12, 23), "党的十一届三中全会后至党的十八大前入党"),
        (D(2012, 11, 14), "党的十一届三中全会后至党的十八大前入党"),  # congress closed
        (D(2012, 11, 15), "党的十八大以来入党"),
        (D(2024, 7, 1), "党的十八大以来入党"),
    ],
)
def test_joining_period_boundaries(joined, period):
    assert joining_period_of(joined) == period


def test_occupation_counts_map_posts_to_groups():
    counts = occupation_counts({"0110": 3, "0120": 1, "0430": 2, "0810": 5, "": 1, "9999": 2})
    assert list(counts) == [code for code, _ in OCCUPATION_GROUPS]
    assert counts["01"] == 4  # 党政机关工作人员
    assert counts["04"] == 2  # 工人
    assert counts["08"] == 5  # 离退休人员
    assert counts[UNCLASSIFIED] == 3  # empty and unknown posts
    assert counts["06"] == 0
    assert sum(counts.values()) == 14


@pytest.mark.parametrize(
    ("part", "total", "value"),
    [
        (1, 3, 33.3),
        (2, 3, 66.7),
        (1, 8, 12.5),
        (1, 16, 6.3),  # 6.25 rounds half up
        (0, 5, 0.0),
        (5, 5, 100.0),
        (0, 0, 0.0),
        (3, 0, 0.0),
    ],
)
def test_percent(part, total, value):
    assert percent(part, total) == value


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (dt.date(2022, 11, 1), None),
        (dt.date(1921, 7, 1), None),
        (dt.date(1921, 6, 30), "不能早于1921年7月1日"),
        (dt.date(2022, 11, 2), "不能晚于今天"),
    ],
)
def test_cutoff_problem(day, problem):
    from dangjian.rules.stats import cutoff_problem

    found = cutoff_problem(day, dt.date(2022, 11, 1))
    assert (found is None) if problem is None else (problem in found)
