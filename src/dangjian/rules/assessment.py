"""Assessment as rules: deductions capped at the indicator's maximum, judges' scores of a stop
aggregated (trimmed mean), weighted contest totals, star levels and the 述职评议 rate
(R-LOCAL-05..07/09/10, R-ORG-17). Pure: no Django. Explained in docs/rules/assessment.md.

Every score is a `Decimal` rounded half-up to 0.01 point (the sheets count in hundredths:
R-LOCAL-10 deducts 0.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from dangjian.rules.base import Confidence, rule

R_LOCAL_05 = rule(
    "R-LOCAL-05",
    "市直机关党建考核：按次扣分，扣完该项分值为止",
    source="荆门市直机关党建工作先进单位考核评分表（2015–2016）",
    article="基层组织活动",
    effective=dt.date(2015, 1, 1),
    confidence=Confidence.C2,
)
R_LOCAL_06 = rule(
    "R-LOCAL-06",
    "机关党支部标准化评分模板：班子建设20、基本制度20、基本工作30、基本保障20、加分10",
    source="机关党支部标准化建设评分细则（通用模板）",
    article="",
    effective=dt.date(2018, 1, 1),
    confidence=Confidence.C2,
)
R_LOCAL_07 = rule(
    "R-LOCAL-07",
    "创星定级：95分以上五星，90–95四星，85–90三星，80–85二星，80分以下不定星",
    source="巴东县基层党组织创星定级办法",
    article="",
    effective=dt.date(2010, 1, 1),
    confidence=Confidence.C2,
    note="示例阈值；各地星级线不同，赛事中可配置。",
)
R_LOCAL_09 = rule(
    "R-LOCAL-09",
    "书记赛党建类评比：现场观摩与述职等环节按权重合成",
    source="邓州等地书记赛党建做法（新闻报道）",
    article="",
    effective=dt.date(2020, 1, 1),
    confidence=Confidence.C2,
    note="十堰评分表未找到；权重由赛事配置，默认日常考核50%、现场观摩30%、述职评议20%。",
)
R_ORG_17 = rule(
    "R-ORG-17",
    "书记抓党建述职评议：每年述职，上级党组织评议考核（好/较好/一般/差）",
    source="中国共产党党和国家机关基层组织工作条例",
    article="第三十九条",
    effective=dt.date(2019, 12, 1),
    confidence=Confidence.C1,
    note="等次名称出自《党委（党组）书记抓基层党建工作述职评议考核办法（试行）》，未核对原文（C3）。",
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")

#: trim the highest and the lowest score when at least this many judges scored (configurable
#: per observation meeting)
TRIM_MIN_JUDGES = 5

#: 书记赛党建 default weights in percent (R-LOCAL-09; configurable per contest)
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    "routine": Decimal("50"),
    "observation": Decimal("30"),
    "review": Decimal("20"),
}
PART_LABELS = {"routine": "日常考核", "observation": "现场观摩", "review": "述职评议"}

#: R-LOCAL-07: (lowest total, stars), highest first
DEFAULT_STARS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("95"), 5),
    (Decimal("90"), 4),
    (Decimal("85"), 3),
    (Decimal("80"), 2),
)

GRADES = ("good", "fairly_good", "average", "poor")
GRADE_LABELS = {"good": "好", "fairly_good": "较好", "average": "一般", "poor": "差"}


def q(value: Decimal | int | str) -> Decimal:
    """Round half-up to 0.01."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def check_points(points: Decimal, max_points: Decimal) -> str | None:
    """The message for a score outside 0..max, or None."""
    if points < ZERO:
        return "得分不能为负数"
    if points > max_points:
        return f"得分不能超过该项分值 {q(max_points)} 分"
    if points != points.quantize(CENT):
        return "得分最多保留两位小数"
    return None


def deduction_score(max_points: Decimal, per: Decimal, occurrences: int) -> Decimal:
    """R-LOCAL-05/06/10: `per` points off for each occurrence, never below zero: the total
    deducted is capped at the indicator's maximum."""
    if occurrences < 0:
        raise ValueError("occurrences must not be negative")
    deducted = min(Decimal(per) * occurrences, Decimal(max_points))
    return q(Decimal(max_points) - deducted)


def ratio_score(max_points: Decimal, done: int, due: int) -> Decimal:
    """An auto indicator scored in proportion: `done` of `due` earns that share of the points;
    nothing due earns the full points."""
    if due <= 0:
        return q(max_points)
    return q(Decimal(max_points) * min(done, due) / due)


def stop_score(scores: Sequence[Decimal], trim_min: int = TRIM_MIN_JUDGES) -> Decimal:
    """The score of a stop from its judges' scores: with `trim_min` (default 5) or more
    scores, drop one highest and one lowest and average the rest; otherwise the plain mean.
    Rounded half-up to 0.01. At least one score is needed."""
    values = sorted(Decimal(s) for s in scores)
    if not values:
        raise ValueError("no scores")
    if trim_min and len(values) >= max(trim_min, 3):
        values = values[1:-1]
    return q(sum(values, ZERO) / len(values))


def outliers(
    scores: Mapping[Hashable, Decimal], threshold: Decimal, min_judges: int = 3
) -> dict[Hashable, Decimal]:
    """Judges whose score sits more than `threshold` points from the median of the other
    judges' scores, with that distance (signed). The median, not the mean, so that one far-off
    judge does not drag the others into the flag. Needs `min_judges` scores."""
    if len(scores) < min_judges:
        return {}
    found = {}
    for key, value in scores.items():
        others = sorted(Decimal(v) for k, v in scores.items() if k != key)
        mid = len(others) // 2
        median = others[mid] if len(others) % 2 else (others[mid - 1] + others[mid]) / 2
        distance = Decimal(value) - median
        if abs(distance) > Decimal(threshold):
            found[key] = q(distance)
    return found


def check_weights(weights: Mapping[str, Decimal]) -> str | None:
    """The message when the parts' weights are not percentages summing to 100, or None."""
    for name, w in weights.items():
        if Decimal(w) < ZERO:
            return f"{PART_LABELS.get(name, name)}权重不能为负数"
    total = sum((Decimal(w) for w in weights.values()), ZERO)
    if total != HUNDRED:
        return f"各部分权重之和须为100%，现为{q(total)}%"
    return None


def weighted_total(parts: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Decimal:
    """Σ part × weight / 100 over the parts, each part on a 100-point scale. A part without a
    score counts zero (the contest page says which parts are missing)."""
    total = ZERO
    for name, weight in weights.items():
        value = parts.get(name)
        if value is not None:
            total += Decimal(value) * Decimal(weight) / HUNDRED
    return q(total)


def to_hundred(points: Decimal, max_points: Decimal) -> Decimal:
    """A score on a `max_points` scale as points out of 100."""
    if not max_points:
        return ZERO
    return q(Decimal(points) * HUNDRED / Decimal(max_points))


def stars(total: Decimal, thresholds: Iterable[tuple[Decimal, int]] = DEFAULT_STARS) -> int:
    """R-LOCAL-07: the stars a total earns (bounds inclusive: "95分以上" includes 95, R-GEN-01);
    0 below the lowest line."""
    best = 0
    for line, count in thresholds:
        if Decimal(total) >= Decimal(line):
            best = max(best, int(count))
    return best


def review_rate(tallies: Mapping[str, int]) -> tuple[int, Decimal]:
    """R-ORG-17: (ballots, share of 好 + 较好 in percent, 0.01). No ballots → (0, 0)."""
    ballots = sum(int(tallies.get(g, 0)) for g in GRADES)
    if not ballots:
        return 0, ZERO
    good = int(tallies.get("good", 0)) + int(tallies.get("fairly_good", 0))
    return ballots, q(Decimal(good) * HUNDRED / ballots)


def competition_ranks(totals: Mapping[Hashable, Decimal]) -> dict[Hashable, int]:
    """Standard competition ranking: equal totals share a rank, the next rank skips
    (1, 2, 2, 4)."""
    ordered = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    ranks: dict[Hashable, int] = {}
    previous = None
    rank = 0
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank = position
            previous = total
        ranks[key] = rank
    return ranks
