"""党内统计 basics (R-STAT-01..06): the categories of the annual 党内统计公报 as data, and the
date arithmetic that turns them into ranges a database can count.

Source: 中共中央组织部《中国共产党党内统计公报》(published each year; the categories are read
from secondary reproductions, confidence C2). The age cut-off (31 December of the report year,
R-STAT-03) is C3, so callers may choose the alternative ("cutoff": age on the cut-off date).

Everything here is pure: dates in, dates or numbers out. The selector
(`members/statistics.py`) counts members with range filters built from these bounds, so the
database never has to compute an age per row.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from dangjian.rules.base import Confidence, add_years, rule
from dangjian.rules.codes import OCCUPATIONS, occupation_of

BULLETIN = "中国共产党党内统计公报（中共中央组织部）"
# the first bulletin in the current series; the categories below are those of recent years
BULLETIN_SINCE = dt.date(2012, 6, 30)

R_STAT_01 = rule(
    "R-STAT-01",
    "党员总量、全年净增数及基层党组织总数（基层党委、总支部、支部）",
    source=BULLETIN,
    article="党员队伍、党的基层组织部分",
    effective=BULLETIN_SINCE,
    confidence=Confidence.C2,
)
R_STAT_02 = rule(
    "R-STAT-02",
    "女党员、少数民族党员、大专及以上学历党员人数及占党员总数的比例",
    source=BULLETIN,
    article="党员队伍构成部分",
    effective=BULLETIN_SINCE,
    confidence=Confidence.C2,
)
R_STAT_03 = rule(
    "R-STAT-03",
    "党员年龄分段：30岁及以下、31至35岁……56至60岁、61岁及以上",
    source=BULLETIN,
    article="党员队伍构成部分",
    effective=BULLETIN_SINCE,
    confidence=Confidence.C2,
    note="年龄计算截止日（统计年度12月31日）为C3，可配置为按统计截止日计算。",
)
R_STAT_04 = rule(
    "R-STAT-04",
    "按入党时间分：新中国成立前、成立后至十一届三中全会、三中全会后至十八大、十八大以来",
    source=BULLETIN,
    article="党员队伍构成部分",
    effective=BULLETIN_SINCE,
    confidence=Confidence.C2,
)
R_STAT_05 = rule(
    "R-STAT-05",
    "党员职业分布（工人、农牧渔民、专业技术人员、管理人员、党政机关工作人员、学生、其他、离退休）",
    source=BULLETIN,
    article="党员队伍构成部分",
    effective=BULLETIN_SINCE,
    confidence=Confidence.C2,
)
R_STAT_06 = rule(
    "R-STAT-06",
    "发展党员：总数，其中女性、少数民族、35岁及以下、大专及以上学历，职业分布",
    source=BULLETIN,
    article="发展党员部分",
    effective=BULLETIN_SINCE,
    confidence=Confidence.C2,
)

STAT_RULES = (R_STAT_01, R_STAT_02, R_STAT_03, R_STAT_04, R_STAT_05, R_STAT_06)

# ---------------------------------------------------------------------------------------------
# R-STAT-03 age bands. (label, lowest age, highest age); None = open end. "及以下"/"及以上"
# include the stated age (R-GEN-01).
#: statistics reach no further back than the founding of the Party
EARLIEST_CUTOFF = dt.date(1921, 7, 1)


def cutoff_problem(day: dt.date, today: dt.date) -> str | None:
    """Why a cut-off date cannot be used (page and API say the same), or None."""
    if day > today:
        return "统计截止日不能晚于今天"
    if day < EARLIEST_CUTOFF:
        return "统计截止日不能早于1921年7月1日"
    return None


AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("30岁及以下", None, 30),
    ("31至35岁", 31, 35),
    ("36至40岁", 36, 40),
    ("41至45岁", 41, 45),
    ("46至50岁", 46, 50),
    ("51至55岁", 51, 55),
    ("56至60岁", 56, 60),
    ("61岁及以上", 61, None),
)

# R-STAT-06 "35岁及以下" new members (R-GEN-01: 以下 includes 35)
YOUNG_MAX_AGE = 35

AGE_MODES: tuple[tuple[str, str], ...] = (
    ("year_end", "按统计年度12月31日计算年龄"),
    ("cutoff", "按统计截止日计算年龄"),
)
# R-STAT-03: age at 31 December of the report year. C3, so it is the default, not a fixed rule.
DEFAULT_AGE_MODE = "year_end"


def age_reference(cutoff: dt.date, mode: str = DEFAULT_AGE_MODE) -> dt.date:
    """The day on which ages are computed: 31 December of the cut-off's year ("year_end",
    R-STAT-03) or the cut-off itself ("cutoff")."""
    if mode == "year_end":
        return dt.date(cutoff.year, 12, 31)
    if mode == "cutoff":
        return cutoff
    raise ValueError(f"unknown age mode: {mode!r}")


def age_on(birth: dt.date, reference: dt.date) -> int:
    """Completed years on `reference`. Someone born on 29 February turns a year older on 28
    February in a common year (R-GEN-04: a missing day becomes the month's last day)."""
    years = reference.year - birth.year
    if add_years(birth, years) > reference:
        years -= 1
    return years


def latest_birth_for_age(reference: dt.date, age: int) -> dt.date:
    """The latest birth date of someone who is at least `age` on `reference`:
    ``age_on(b, reference) >= age  ⇔  b <= latest_birth_for_age(reference, age)``."""
    year = reference.year - age
    candidate = dt.date(
        year, reference.month, min(reference.day, calendar.monthrange(year, reference.month)[1])
    )
    # 28 Feb of a common year: someone born on 29 Feb of a leap year also turns `age` that day
    following = candidate + dt.timedelta(days=1)
    if add_years(following, age) <= reference:
        return following
    return candidate


BirthRange = tuple[str, dt.date | None, dt.date | None]


def age_band_bounds(reference: dt.date) -> list[BirthRange]:
    """Each R-STAT-03 band as a birth-date range: (label, born_after_exclusive,
    born_on_or_before), None for an open end. A member is in a band iff
    ``born_after < birth_date <= born_on_or_before``. The bands cover every birth date exactly
    once (someone born after `reference` falls in the youngest band)."""
    out: list[BirthRange] = []
    for label, low, high in AGE_BANDS:
        # age <= high  ⇔  not (age >= high + 1)  ⇔  born after the latest birth for high + 1
        after = latest_birth_for_age(reference, high + 1) if high is not None else None
        on_or_before = latest_birth_for_age(reference, low) if low is not None else None
        out.append((label, after, on_or_before))
    return out


def young_born_after(reference: dt.date, max_age: int = YOUNG_MAX_AGE) -> dt.date:
    """Members aged `max_age` and under on `reference` were born after this date."""
    return latest_birth_for_age(reference, max_age + 1)


def age_band_of(birth: dt.date, reference: dt.date) -> str:
    """The band label of one birth date (for tests and single records)."""
    age = age_on(birth, reference)
    for label, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return label
    raise AssertionError("AGE_BANDS leave a gap")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# R-STAT-04 joining periods: (label, joined on or after, joined before); None = open end.
# The events: 中华人民共和国成立 1949-10-01; 党的十一届三中全会 held 18–22 Dec 1978; 党的十八大
# held 8–14 Nov 2012. "After" an event starts the day after it closed, so joining during the
# Third Plenum counts as "before" it, and the 18th-Congress period starts on 15 Nov 2012 (our
# reading of the bulletin's 前/后/以来, C3; one edit here changes it).
FOUNDING_OF_PRC = dt.date(1949, 10, 1)
AFTER_THIRD_PLENUM = dt.date(1978, 12, 23)  # the day after the 11th CC's 3rd Plenum closed
AFTER_18TH_CONGRESS = dt.date(2012, 11, 15)  # the day after the 18th Congress closed

JOINING_PERIODS: tuple[tuple[str, dt.date | None, dt.date | None], ...] = (
    ("新中国成立前入党", None, FOUNDING_OF_PRC),
    ("新中国成立后至党的十一届三中全会前入党", FOUNDING_OF_PRC, AFTER_THIRD_PLENUM),
    ("党的十一届三中全会后至党的十八大前入党", AFTER_THIRD_PLENUM, AFTER_18TH_CONGRESS),
    ("党的十八大以来入党", AFTER_18TH_CONGRESS, None),
)


def joining_period_of(joined_on: dt.date) -> str:
    for label, start, end in JOINING_PERIODS:
        if (start is None or joined_on >= start) and (end is None or joined_on < end):
            return label
    raise AssertionError("JOINING_PERIODS leave a gap")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# R-STAT-05 occupation groups, in the bulletin's order; members whose post has no group (empty
# or unknown code) are shown apart so the table still adds up.
UNCLASSIFIED = ""
UNCLASSIFIED_LABEL = "未填写或无法归类"
OCCUPATION_GROUPS: tuple[tuple[str, str], ...] = (*OCCUPATIONS, (UNCLASSIFIED, UNCLASSIFIED_LABEL))


def occupation_counts(by_post: dict[str, int]) -> dict[str, int]:
    """Member counts per post code → counts per occupation group (every group present, in the
    order of OCCUPATION_GROUPS)."""
    out = {code: 0 for code, _ in OCCUPATION_GROUPS}
    for post, n in by_post.items():
        out[occupation_of(post) or UNCLASSIFIED] += n
    return out


# ---------------------------------------------------------------------------------------------
# R-STAT-01 grassroots organisations: 基层党委 / 总支部 / 支部, by org kind.
GRASSROOTS_KINDS: tuple[tuple[str, str], ...] = (
    ("organ_committee", "基层党委"),
    ("general_branch", "党总支"),
    ("branch", "党支部"),
)


def year_start(cutoff: dt.date) -> dt.date:
    return dt.date(cutoff.year, 1, 1)


def percent(part: int, total: int) -> float:
    """part / total in percent, one decimal, rounded half up; 0.0 when total is 0."""
    if not total:
        return 0.0
    value = (Decimal(part) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)
