"""Score arithmetic shared by the assessment pages, the observation meeting and the contest:
the maximum of a scheme, the score of each stop from its judges' sheets, and each unit's
observation score on a 100-point scale. Reads only; the rules themselves are in
`dangjian.rules.assessment`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.assessment.models import Indicator, ObservationMeeting, Scheme, ScoreSheet, Stop
from dangjian.rules import assessment as rules

HUNDRED = Decimal("100")


def scheme_max(scheme: Scheme | None) -> Decimal:
    """The full marks of a scheme: its top-level nodes' points, bonus items included (R-LOCAL-06
    counts 班子建设 20 + 基本制度 20 + 基本工作 30 + 基本保障 20 + 加分 10 = 100). No scheme (an
    observation meeting scored with one overall mark) → 100."""
    if scheme is None:
        return HUNDRED
    rows = Indicator.objects.filter(scheme=scheme, parent__isnull=True)
    return sum((r.max_points for r in rows), Decimal("0"))


def on_hundred(points: Decimal, scheme: Scheme | None, *, full: Decimal | None = None) -> Decimal:
    """Points under a scheme as points out of 100 (over its full marks), never above 100."""
    full = scheme_max(scheme) if full is None else full
    return min(HUNDRED, rules.to_hundred(points, full))


@dataclass
class StopResult:
    stop: Stop
    judge_totals: dict[int, Decimal] = field(default_factory=dict)  # judge id → sheet total
    score: Decimal | None = None  # rules.stop_score over the submitted sheets
    outliers: dict[int, Decimal] = field(default_factory=dict)  # judge id → distance


def stop_results(meeting: ObservationMeeting, *, submitted_only: bool = True) -> list[StopResult]:
    """Each stop of the meeting, in route order, with its judges' totals and its score
    (trimmed mean per the meeting's `trim_min_judges`, outliers per `outlier_points`).
    Two queries whatever the size of the meeting."""
    stops = list(Stop.objects.unscoped().filter(meeting=meeting).select_related("org"))
    sheets = ScoreSheet.objects.unscoped().filter(stop__meeting=meeting)
    if submitted_only:
        sheets = sheets.filter(submitted_at__isnull=False)
    by_stop: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for stop_id, judge_id, total in sheets.values_list("stop_id", "judge_id", "total"):
        by_stop[stop_id][judge_id] = total
    results = []
    for stop in stops:
        totals = by_stop.get(stop.pk, {})
        result = StopResult(stop, totals)
        if totals:
            result.score = rules.stop_score(list(totals.values()), meeting.trim_min_judges)
            result.outliers = rules.outliers(totals, meeting.outlier_points)
        results.append(result)
    return results


def unit_observation_scores(meetings: Iterable[ObservationMeeting]) -> dict[int, Decimal]:
    """Per org shown (the stop's `org`), the mean of its scored stops across `meetings`, on a
    100-point scale (each stop score over its sheet's full marks, at most 100)."""
    sums: dict[int, list[Decimal]] = defaultdict(list)
    for meeting in meetings:
        top = scheme_max(meeting.sheet)
        for result in stop_results(meeting):
            if result.score is not None:
                sums[result.stop.org_id].append(on_hundred(result.score, None, full=top))
    return {org_id: rules.q(sum(v) / len(v)) for org_id, v in sums.items()}
