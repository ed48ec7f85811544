"""The data sources of auto-scored indicators (系统自动计分), as a registry.

Each source has a code, a Chinese label, a sentence naming the records it reads, an
`available` flag and a function `(org, year, indicator) -> AutoResult`. A source measures the
records of the org's whole subtree for the year — what was due, what was done, and how many
times something was missed — and the indicator decides how that becomes points:

- with `deduction_per` set, each miss (occurrence) takes `deduction_per` off, never below 0
  (`rules.assessment.deduction_score`, R-LOCAL-05/06/10);
- otherwise the share done earns that share of the points (`rules.assessment.ratio_score`).

The organisational-life sources read the compliance grid (`orglife.compliance.compliance_grid`,
three queries for any subtree) — never a query per branch. A `SourceCache` passed along lets
several indicators, or all assessments of a scheme, share one grid. Sources for modules that do
not exist yet (`training_hours`) are registered as unavailable: they may be chosen, score
nothing and say so.

Recipe "add an auto data source": docs/assessment-schemes.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core.access import subtree_q
from dangjian.rules import assessment as rules
from dangjian.rules import orglife as orglife_rules

ZERO = Decimal("0")
#: 警示教育: the sessions a year the source expects (an example requirement, not a cited rule)
WARNING_SESSIONS_PER_YEAR = 2


@dataclass(frozen=True)
class AutoResult:
    points: Decimal
    detail: str  # Chinese, cites the rule IDs that decide
    occurrences: int | None = None


@dataclass(frozen=True)
class Measure:
    """What a source counted: `done` of `due` checks passed, `missed` occurrences failed."""

    done: int
    due: int
    missed: int
    text: str


class SourceCache:
    """Shared work for one refresh: compliance grids by (root path, year), so that the
    indicators of an assessment — or all assessments of a scheme, with `prime` — read one
    grid. `today` is fixed for the whole refresh."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or timezone.localdate()
        self._grids: dict[tuple[str, int], object] = {}

    def prime(self, root, year: int) -> None:
        """Compute the grid of `root`'s subtree once; orgs below read their rows from it."""
        self.grid_rows(root, year)

    def grid_rows(self, org, year: int):
        from dangjian.orglife import compliance

        for (path, y), grid in self._grids.items():
            if y == year and org.path.startswith(path):
                if path == org.path:
                    return grid, grid.rows
                return grid, [r for r in grid.rows if r.path.startswith(org.path)]
        grid = compliance.compliance_grid(org, year, self.today)
        self._grids[(org.path, year)] = grid
        return grid, grid.rows


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    reads: str  # the records it reads, in one sentence
    available: bool
    measure: Callable[..., Measure] | None = field(default=None, repr=False)
    rule_ids: str = ""
    #: how the templates score it: "ratio" (share done) or "deduction" (per occurrence)
    suggested: str = "ratio"
    #: templates show a source's label; they must not call it
    do_not_call_in_templates = True

    def __call__(self, org, year: int, indicator, cache: SourceCache | None = None) -> AutoResult:
        return compute(self.code, org, year, indicator, cache)


def _q(value) -> str:
    return f"{rules.q(value)}".rstrip("0").rstrip(".") if value is not None else ""


def score(indicator, m: Measure) -> AutoResult:
    """Points for a measure: per occurrence with `deduction_per`, else in proportion."""
    max_points = Decimal(indicator.max_points)
    if indicator.deduction_per:
        per = Decimal(indicator.deduction_per)
        points = rules.deduction_score(max_points, per, m.missed)
        off = max_points - points
        detail = (
            f"{m.text}；每次扣{_q(per)}分，共{m.missed}次，扣{_q(off)}分，"
            f"得{_q(points)}分（R-LOCAL-05/06：扣完该项分值为止）。"
        )
        return AutoResult(points, detail, m.missed)
    points = rules.ratio_score(max_points, m.done, m.due)
    share = f"{m.done}/{m.due}" if m.due else "无应检查事项，得满分"
    return AutoResult(points, f"{m.text}；按完成比例（{share}）计，得{_q(points)}分。", None)


def compute(code: str, org, year: int, indicator, cache: SourceCache | None = None) -> AutoResult:
    """The auto score of `indicator` for `org`'s subtree in `year` from source `code`."""
    source = SOURCES.get(code)
    if source is None:
        return AutoResult(ZERO, f"未知的数据来源“{code}”，不能自动计分。", None)
    if not source.available or source.measure is None:
        return AutoResult(
            ZERO,
            f"数据来源“{source.label}”尚不可用，本项暂不自动计分（计0分），"
            "请自评时说明情况，由复核人核定。",
            None,
        )
    cache = cache or SourceCache()
    return score(indicator, source.measure(org, year, cache))


# ---------------------------------------------------------------------------------------------
# Organisational life (三会一课, 主题党日, 组织生活会), from the compliance grid


def _scope_text(org, rows) -> str:
    branches = sum(1 for r in rows if r.kind == "branch")
    groups = sum(1 for r in rows if r.kind == "group")
    if len(rows) == 1 and rows[0].org_id == org.pk:
        return org.name
    counted = f"党支部{branches}个" + (f"、党小组{groups}个" if groups else "")
    return f"{org.name}（统计{counted}）"


def _ratio_of_kinds(kinds: tuple[str, ...], label: str, rule_ids: str):
    def measure(org, year, cache: SourceCache) -> Measure:
        _grid, rows = cache.grid_rows(org, year)
        done = missed = 0
        for row in rows:
            for kind in kinds:
                cells = row.cells.get(kind, [])
                done += cells.count(orglife_rules.DONE)
                missed += cells.count(orglife_rules.MISSING)
        text = (
            f"{year}年{_scope_text(org, rows)}{label}：已到期周期应开展{done + missed}次，"
            f"已开展{done}次，应开未开{missed}次（{rule_ids}）"
        )
        return Measure(done, done + missed, missed, text)

    return measure


def _spans(kind: str, size: int, label: str, span_label: str, rule_ids: str):
    """A kind counted per longer span (`size` of its periods): the span is missed when none of
    its periods saw a meeting and its last period has ended (R-LOCAL-06: 党员大会 at least once
    a half-year, 支委会/党小组会 at least once a quarter)."""

    def measure(org, year, cache: SourceCache) -> Measure:
        _grid, rows = cache.grid_rows(org, year)
        done = missed = owing = 0
        for row in rows:
            cells = row.cells.get(kind)
            if not cells:
                continue
            owing += 1
            for start in range(0, len(cells), size):
                span = cells[start : start + size]
                if orglife_rules.DONE in span:
                    done += 1
                elif span[-1] == orglife_rules.MISSING:
                    missed += 1
        text = (
            f"{year}年{_scope_text(org, rows)}应开{label}的组织{owing}个：已到期的{span_label}"
            f"共{done + missed}个，开展了的{done}个，少于1次的{missed}个（{rule_ids}）"
        )
        return Measure(done, done + missed, missed, text)

    return measure


def _life_meetings(org, year, cache: SourceCache) -> Measure:
    _grid, rows = cache.grid_rows(org, year)
    done = missed = 0
    for row in rows:
        cells = row.cells.get(orglife_rules.MeetingKind.LIFE_MEETING, [])
        done += cells.count(orglife_rules.DONE)
        missed += cells.count(orglife_rules.MISSING)
    text = (
        f"{year}年{_scope_text(org, rows)}：已召开组织生活会的党支部{done}个，"
        f"全年未召开的{missed}个（R-ORGLIFE-09，R-LOCAL-06）"
    )
    return Measure(done, done + missed, missed, text)


# ---------------------------------------------------------------------------------------------
# 换届 (R-ORG-05, R-ORG-23)


def _term_overdue(org, year, cache: SourceCache) -> Measure:
    """Bodies of the subtree with a term that were overdue for re-election at some time in the
    year: the due date passed before the re-election (or before the year's end / today)."""
    from dangjian.orgs.models import Org, Term
    from dangjian.rules import orgs as org_rules

    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ref = min(year_end, cache.today)
    orgs = dict(
        Org.objects.unscoped()
        .filter(subtree_q("path", org.path), kind__in=list(org_rules.TERM_YEARS))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=year_start))
        .values_list("pk", "name")
    )
    terms = (
        Term.objects.unscoped()
        .filter(subtree_q("org__path", org.path), org_id__in=list(orgs), started_on__lte=ref)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=year_start))
        .values_list("org_id", "due_on", "ended_on")
    )
    with_term: set[int] = set()
    overdue: dict[int, int] = {}
    for org_id, due_on, ended_on in terms:
        with_term.add(org_id)
        until = min(ended_on, ref) if ended_on else ref
        if due_on < until:
            days = (until - due_on).days
            overdue[org_id] = max(overdue.get(org_id, 0), days)
    unknown = len(orgs) - len(with_term)
    names = "、".join(orgs[i] for i in list(overdue)[:5])
    text = f"{year}年{org.name}及下级有任期的党组织{len(orgs)}个，逾期未换届的{len(overdue)}个"
    if overdue:
        text += f"（{names}{'等' if len(overdue) > 5 else ''}）"
    if unknown:
        text += f"，未登记任期信息、无法判断的{unknown}个（未计入）"
    text += "（R-ORG-05，R-ORG-23）"
    checked = len(with_term)
    return Measure(checked - len(overdue), checked, len(overdue), text)


# ---------------------------------------------------------------------------------------------
# 清廉机关 (integrity app)


def _commitments(org, year, cache: SourceCache) -> Measure:
    from dangjian.integrity.models import Commitment
    from dangjian.members.models import Member

    year_end = dt.date(year, 12, 31)
    ref = min(year_end, cache.today)
    members = (
        Member.objects.unscoped()
        .filter(subtree_q("org_path", org.path), joined_on__lte=ref)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=ref))
    )
    total = members.count()
    signed = (
        Commitment.objects.unscoped()
        .filter(year=year, member__in=members.values("pk"))
        .values("member_id")
        .distinct()
        .count()
    )
    text = (
        f"{year}年{org.name}及下级在册党员{total}人，已签订廉洁承诺{signed}人，"
        f"未签订{total - signed}人"
    )
    return Measure(signed, total, total - signed, text)


def _risk_points(org, year, cache: SourceCache) -> Measure:
    from dangjian.integrity.models import RiskPoint

    rows = list(
        RiskPoint.objects.unscoped()
        .filter(subtree_q("org_path", org.path), year=year)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=dt.date(year, 1, 1)))
        .values_list("measures", "owner_name")
    )
    total = len(rows)
    ready = sum(1 for measures, owner in rows if measures.strip() and owner.strip())
    if not total:
        return Measure(0, 1, 1, f"{year}年{org.name}及下级未登记廉政风险点")
    text = (
        f"{year}年{org.name}及下级登记廉政风险点{total}个，明确防控措施和责任人的{ready}个，"
        f"未明确的{total - ready}个"
    )
    return Measure(ready, total, total - ready, text)


def _warning_sessions(org, year, cache: SourceCache) -> Measure:
    from dangjian.integrity.models import WarningSession

    count = (
        WarningSession.objects.unscoped()
        .filter(subtree_q("org_path", org.path), held_on__year=year)
        .count()
    )
    due = WARNING_SESSIONS_PER_YEAR
    done = min(count, due)
    text = (
        f"{year}年{org.name}及下级开展警示教育{count}次（示例要求每年不少于{due}次，"
        f"少{due - done}次）"
    )
    return Measure(done, due, due - done, text)


# ---------------------------------------------------------------------------------------------
# 党费 (dues app)


def _dues_arrears(org, year, cache: SourceCache) -> Measure:
    """Charges of the months of `year` that have ended (the current month is still open),
    and those not paid in full: each is one 人次 (R-LOCAL-10's "每人次")."""
    from django.db.models import Count

    from dangjian.dues.models import ChargeStatus, DuesCharge

    open_month = cache.today.replace(day=1)
    counts = (
        DuesCharge.objects.unscoped()
        .filter(subtree_q("org_path", org.path), month__year=year, month__lt=open_month)
        .aggregate(
            total=Count("id"),
            short=Count("id", filter=Q(status__in=[ChargeStatus.DUE, ChargeStatus.PARTIAL])),
        )
    )
    total, short = counts["total"], counts["short"]
    text = (
        f"{year}年{org.name}及下级已结束月份应缴党费{total}人次，未按月足额交纳{short}人次"
        f"（R-LOCAL-10；连续6个月不交纳的按R-DUES-14处理）"
    )
    return Measure(total - short, total, short, text)


# ---------------------------------------------------------------------------------------------
# 责任落实 (responsibility app): the lists' quarterly reports, the work points' tasks


def _duty_reports(org, year, cache: SourceCache) -> Measure:
    """Each item of the subtree's confirmed lists of `year` owes a report for every quarter
    that has ended by today and ends on or after the day the item was in force (the later of
    its list's confirmation and its addition: `owes_report_q`) (R-ORG-12; the report's 15
    grace days do not delay the count). Only owed reports count as done."""
    from dangjian.responsibility.models import DutyItem, DutyList, DutyReport
    from dangjian.responsibility.selectors_duties import owes_report_q
    from dangjian.rules import duties as duty_rules

    quarters = duty_rules.quarters_due(year, cache.today)
    lists = DutyList.objects.unscoped().filter(subtree_q("org_path", org.path), year=year)
    counts = lists.aggregate(
        confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
        drafts=Count("id", filter=Q(confirmed_at__isnull=True)),
    )
    owed = {f"q{q}": Count("id", filter=owes_report_q(year, q)) for q in quarters}
    item_counts = DutyItem.objects.filter(
        subtree_q("org_path", org.path), duty_list__year=year, duty_list__confirmed_at__isnull=False
    ).aggregate(n=Count("id"), **owed)
    items = item_counts["n"]
    drafts = f"，未确认发布的清单{counts['drafts']}份未计入" if counts["drafts"] else ""
    if not items:
        return Measure(
            0, 1, 1, f"{year}年{org.name}及下级未建立（或未确认发布）责任清单{drafts}（R-ORG-12）"
        )
    done = 0
    if quarters:
        reported = Q()
        for q in quarters:
            reported |= Q(quarter=q) & owes_report_q(year, q, "item__")
        done = DutyReport.objects.filter(
            reported, subtree_q("org_path", org.path), item__duty_list__year=year
        ).count()
    due = sum(item_counts[f"q{q}"] for q in quarters)
    ended = "、".join(duty_rules.QUARTER_NAMES[q] for q in quarters) or "无已结束季度"
    text = (
        f"{year}年{org.name}及下级已发布责任清单{counts['confirmed']}份、责任事项{items}项，"
        f"已结束季度（{ended}）应报告进展{due}次，已报告{done}次，未报告{due - done}次"
        f"{drafts}（R-ORG-12）"
    )
    return Measure(done, due, due - done, text)


def _task_completion(org, year, cache: SourceCache) -> Measure:
    """Tasks of the subtree due in `year` — those whose deadline has passed, and those
    already closed — done when closed by the deadline with an evaluation other than 不合格
    (a unit's own task closed without an evaluation counts as done)."""
    from dangjian.responsibility.models import Evaluation, Task, TaskStatus

    rows = list(
        Task.objects.unscoped()
        .filter(subtree_q("org_path", org.path), due_on__year=year)
        .filter(Q(point__isnull=True) | Q(point__published_at__isnull=False))
        .filter(Q(due_on__lt=cache.today) | Q(status=TaskStatus.CLOSED))
        .values_list("status", "closed_at", "evaluation", "due_on")
    )
    done = late = failed = open_ = 0
    for status, closed_at, evaluation, due_on in rows:
        if status != TaskStatus.CLOSED or closed_at is None:
            open_ += 1
        elif evaluation == Evaluation.FAIL:
            failed += 1
        elif timezone.localdate(closed_at) > due_on:
            late += 1
        else:
            done += 1
    total = len(rows)
    text = (
        f"{year}年{org.name}及下级已到期（或已办结）的任务{total}项，按期办结且评价合格以上"
        f"{done}项，逾期办结{late}项，评价不合格{failed}项，逾期未办结{open_}项"
    )
    return Measure(done, total, total - done, text)


K = orglife_rules.MeetingKind
SOURCES: dict[str, Source] = {
    s.code: s
    for s in (
        Source(
            "orglife_compliance",
            "“三会一课”落实情况",
            "读取本组织及下级党支部、党小组当年党员大会、支委会、党小组会、党课的会议记录，"
            "按已到期周期统计应开与已开。",
            True,
            _ratio_of_kinds(
                (K.MEMBER_ASSEMBLY, K.COMMITTEE_MEETING, K.GROUP_MEETING, K.PARTY_LESSON),
                "“三会一课”",
                "R-ORGLIFE-01/04/05/07",
            ),
            "R-ORGLIFE-01,R-ORGLIFE-04,R-ORGLIFE-05,R-ORGLIFE-07",
        ),
        Source(
            "theme_day_compliance",
            "主题党日开展情况",
            "读取本组织及下级党支部当年主题党日的活动记录，按已到期月份统计。",
            True,
            _ratio_of_kinds((K.THEME_DAY,), "主题党日", "R-ORGLIFE-08"),
            "R-ORGLIFE-08",
        ),
        Source(
            "member_assembly_missing",
            "党员大会缺开次数（每半年）",
            "读取下级党支部当年党员大会记录，统计已结束的半年中一次未开的次数。",
            True,
            _spans(K.MEMBER_ASSEMBLY, 2, "党员大会", "半年", "R-LOCAL-06，R-ORGLIFE-01"),
            "R-LOCAL-06,R-ORGLIFE-01",
            "deduction",
        ),
        Source(
            "committee_meeting_missing",
            "支委会缺开次数（每季度）",
            "读取下级党支部（设支委会的）当年支委会记录，统计已结束的季度中一次未开的次数。",
            True,
            _spans(K.COMMITTEE_MEETING, 3, "支委会", "季度", "R-LOCAL-06，R-ORGLIFE-04"),
            "R-LOCAL-06,R-ORGLIFE-04",
            "deduction",
        ),
        Source(
            "group_meeting_missing",
            "党小组会缺开次数（每季度）",
            "读取下级党小组当年党小组会记录，统计已结束的季度中一次未开的次数。",
            True,
            _spans(K.GROUP_MEETING, 3, "党小组会", "季度", "R-LOCAL-06，R-ORGLIFE-05"),
            "R-LOCAL-06,R-ORGLIFE-05",
            "deduction",
        ),
        Source(
            "life_meeting_missing",
            "未召开组织生活会的党支部数",
            "读取下级党支部当年组织生活会记录，统计全年未召开的党支部。",
            True,
            _life_meetings,
            "R-LOCAL-06,R-ORGLIFE-09",
            "deduction",
        ),
        Source(
            "term_overdue",
            "逾期未换届的党组织数",
            "读取本组织及下级党组织的届次记录，统计当年任期届满后未按期换届的组织。",
            True,
            _term_overdue,
            "R-ORG-05,R-ORG-23",
            "deduction",
        ),
        Source(
            "integrity_commitments",
            "廉洁承诺签订率",
            "读取清廉机关中当年的廉洁承诺，与本组织及下级在册党员逐人比对。",
            True,
            _commitments,
        ),
        Source(
            "integrity_risk_points",
            "廉政风险点防控措施落实率",
            "读取清廉机关中本组织及下级当年登记的廉政风险点，统计已明确防控措施和责任人的比例。",
            True,
            _risk_points,
        ),
        Source(
            "integrity_warning_sessions",
            "警示教育开展次数",
            f"读取清廉机关中本组织及下级当年的警示教育记录（示例要求每年不少于"
            f"{WARNING_SESSIONS_PER_YEAR}次）。",
            True,
            _warning_sessions,
        ),
        Source(
            "dues_arrears",
            "党费未足额交纳人次",
            "读取党费台账中本组织及下级党员当年已结束月份的应缴记录，统计未按月足额交纳的人次"
            "（R-LOCAL-10）。",
            True,
            _dues_arrears,
            "R-LOCAL-10",
            "deduction",
        ),
        Source(
            "duty_reports",
            "责任清单季度进展报告率",
            "读取责任落实中本组织及下级当年已确认发布的责任清单，统计各责任事项在已结束季度的"
            "进展报告（R-ORG-12）。",
            True,
            _duty_reports,
            "R-ORG-12",
        ),
        Source(
            "task_completion",
            "工作任务按期办结率",
            "读取责任落实中本组织及下级当年到期的任务，统计按期办结且评价为合格以上的比例。",
            True,
            _task_completion,
        ),
        Source(
            "training_hours",
            "学习培训学时完成率（学习培训模块上线后可用）",
            "将读取学习培训模块中党员的年度学时记录，统计完成规定学时的比例。",
            False,
        ),
    )
}

SOURCE_CHOICES: list[tuple[str, str]] = [(s.code, s.label) for s in SOURCES.values()]


def source_label(code: str) -> str:
    source = SOURCES.get(code)
    return source.label if source else code
