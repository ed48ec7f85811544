"""Study and training (学习培训) as rules: the yearly credit-hour minimums (R-EDU-01/02), the
exemption of R-EDU-03, shortfalls, when the year-end warnings start, self-test scoring and
the member points scheme with its caps (R-LOCAL-08). Pure: no Django. Explained in
docs/rules/study.md."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dangjian.rules.base import Confidence, Finding, Level, rule

EDU_REGS = "中国共产党党员教育管理工作条例"
EDU_REGS_2019 = dt.date(2019, 5, 6)
TRAINING_PLAN = "全国党员教育培训工作规划"

R_EDU_01 = rule(
    "R-EDU-01",
    "党员每年参加集中学习培训一般不少于32学时",
    source=EDU_REGS,
    article="第二十条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_EDU_02 = rule(
    "R-EDU-02",
    "基层党组织书记和班子成员每年参加集中培训和集体学习不少于56学时，其中至少参加1次集中培训",
    source=TRAINING_PLAN,
    article="",
    effective=dt.date(2014, 1, 1),
    confidence=Confidence.C2,
    note=(
        "不在《条例》中，出自全国党员教育培训工作规划：2014—2018年规划据摘要确认，"
        "2019—2023年规划据记忆沿用（C3），2024—2028年规划未核对；"
        "学时数可由 DANGJIAN_STUDY_COMMITTEE_HOURS 配置"
    ),
)
R_EDU_03 = rule(
    "R-EDU-03",
    "年老体弱、行动不便的党员，不硬性要求参加学习活动，由党组织送学上门；不计入学时考核",
    source=EDU_REGS,
    article="第二十三条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_LOCAL_08 = rule(
    "R-LOCAL-08",
    "党员积分示例：年度合格分70分，每年从0分起算；退休党员和长期外出流动党员不参加；"
    "“参加党的活动”一项40分",
    source="某市直机关党员积分制管理办法",
    article="",
    effective=dt.date(2020, 1, 1),
    confidence=Confidence.C2,
    note="据转载件，仅部分条目；积分方案为可配置数据，演示方案据此编写",
)

MEMBER_HOURS = 32  # R-EDU-01
COMMITTEE_HOURS = 56  # R-EDU-02 (configurable: its source is a plan, not the 条例)
#: from this month on, a member short of the year's hours gets a to-do (issue 8)
WARN_FROM_MONTH = 10
ZERO = Decimal("0")
TENTH = Decimal("0.1")


def required_hours(
    is_committee_member: bool, exempt: bool, *, committee_hours: int = COMMITTEE_HOURS
) -> int:
    """The yearly minimum of credit hours: 0 for an exempt member (R-EDU-03), 56 for a
    branch secretary or committee member (R-EDU-02; `committee_hours` lets a deployment set
    another figure, the rule being uncertain), 32 for every other member (R-EDU-01)."""
    if exempt:
        return 0
    return int(committee_hours) if is_committee_member else MEMBER_HOURS


def hours(value) -> Decimal:
    """Hours as a Decimal to 0.1, half-up."""
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


#: typed hours above this are refused before any rounding (a 1e30 would overflow the
#: quantize); no session, plan line or training comes near it
HOURS_TYPED_MAX = Decimal(10000)


def _typed_hours(value) -> tuple[Decimal | None, str]:
    """(amount, "") for typed hours that are a finite number of at most one decimal, else
    (None, why): "number", "positive", "large" or "decimals"."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None, "number"
    if not amount.is_finite():
        return None, "number"
    if amount <= 0:
        return None, "positive"
    if amount > HOURS_TYPED_MAX:
        return None, "large"
    try:
        if amount != hours(amount):
            return None, "decimals"
    except InvalidOperation:
        return None, "number"
    return amount, ""


def check_session_hours(value, length_hours) -> str | None:
    """Why `value` cannot be the credited hours of a session lasting `length_hours` (a
    Chinese message), or None: a session credits more than 0 and at most its own length."""
    amount, why = _typed_hours(value)
    if why == "number":
        return "学时应为数字，如 2 或 1.5。"
    if why == "positive":
        return "学时应大于0。"
    if why == "decimals":
        return "学时最多保留一位小数。"
    if why == "large" or amount > Decimal(str(length_hours)):
        return f"学时不能超过本次学习的时长（{hours(length_hours)}小时）。"
    return None


@dataclass(frozen=True)
class HoursStanding:
    required: int
    earned: Decimal
    shortfall: Decimal  # 0 when met
    needs_concentrated: bool  # R-EDU-02: no concentrated training yet
    #: a secretary or committee member: R-EDU-02 is the rule cited, whatever figure the
    #: deployment sets for it (it may equal MEMBER_HOURS)
    is_committee_member: bool = False

    @property
    def met(self) -> bool:
        return self.shortfall == 0 and not self.needs_concentrated


def standing(
    earned,
    *,
    is_committee_member: bool,
    exempt: bool,
    has_concentrated: bool = True,
    committee_hours: int = COMMITTEE_HOURS,
) -> HoursStanding:
    required = required_hours(is_committee_member, exempt, committee_hours=committee_hours)
    got = hours(earned)
    short = max(Decimal(required) - got, ZERO)
    return HoursStanding(
        required=required,
        earned=got,
        shortfall=hours(short),
        needs_concentrated=bool(is_committee_member and not exempt and not has_concentrated),
        is_committee_member=bool(is_committee_member),
    )


def shortfall_findings(
    state: HoursStanding,
    *,
    today: dt.date,
    year: int,
    is_committee_member: bool | None = None,
) -> list[Finding]:
    """The year-end warning (from WARN_FROM_MONTH of `year`; an error once the year is over)
    for a member whose hours fall short: R-EDU-02 for a secretary or committee member
    (`is_committee_member`, by default the standing's own flag), R-EDU-01 for the others."""
    if is_committee_member is None:
        is_committee_member = state.is_committee_member
    if state.met or state.required == 0:
        return []
    if today.year == year and today.month < WARN_FROM_MONTH:
        return []
    over = today.year > year
    level = Level.ERROR if over else Level.WARNING
    rule_id = "R-EDU-02" if is_committee_member else "R-EDU-01"
    found: list[Finding] = []
    if state.shortfall > 0:
        message = (
            f"{year}年学时{state.earned}，未达到{state.required}学时的要求（差{state.shortfall}学时）"
            if over
            else f"{year}年学时{state.earned}，距{state.required}学时的要求"
            f"尚差{state.shortfall}学时"
        )
        found.append(
            Finding(
                rule_id,
                level,
                message,
                data={"shortfall": str(state.shortfall), "required": state.required},
            )
        )
    if state.needs_concentrated:
        found.append(
            Finding("R-EDU-02", level, f"{year}年尚未参加集中培训（书记和班子成员每年至少1次）")
        )
    return found


# ---------------------------------------------------------------------------------------------
# Self-tests


@dataclass(frozen=True)
class QuizResult:
    correct: int
    total: int
    score: Decimal  # out of 100, to 0.1
    wrong: tuple[int, ...]  # the question ids answered wrongly or not at all


def draw_questions(question_ids: Sequence[int], count: int, seed: str) -> list[int]:
    """`count` questions drawn at random (the seed makes each member's draw repeatable)."""
    pool = sorted(set(question_ids))
    if count > len(pool):
        raise ValueError(f"题库只有{len(pool)}道在用题目，不足{count}道。")
    return random.Random(seed).sample(pool, count)


def score_quiz(
    answer_key: Mapping[int, Sequence[int]], answers: Mapping[int, Iterable[int]]
) -> QuizResult:
    """All or nothing per question: the chosen options must be exactly the right ones."""
    total = len(answer_key)
    wrong = []
    for qid, right in answer_key.items():
        given = answers.get(qid)
        if given is None or sorted(set(given)) != sorted(set(right)):
            wrong.append(qid)
    correct = total - len(wrong)
    score = hours(Decimal(100) * correct / total) if total else ZERO
    return QuizResult(correct, total, score, tuple(wrong))


# ---------------------------------------------------------------------------------------------
# Member points (党员积分)

#: action code → label; the sources services_points reads them from
POINT_ACTIONS: dict[str, str] = {
    "meeting_attended": "参加组织生活",
    "study_attended": "参加学习培训",
    "training_completed": "参加培训（认定学时）",
    "reading_completed": "完成必学资料",
    "quiz_passed": "自测及格",
    "note_submitted": "提交心得体会",
    "volunteer": "志愿服务",
}


@dataclass(frozen=True)
class PointRuleData:
    action: str
    points: Decimal
    daily_cap: Decimal = ZERO  # 0 = no cap
    yearly_cap: Decimal = ZERO


@dataclass(frozen=True)
class PointSchemeData:
    name: str
    version: int
    effective_from: dt.date
    baseline: int
    rules: tuple[PointRuleData, ...]

    def rule_for(self, action: str) -> PointRuleData | None:
        return next((r for r in self.rules if r.action == action), None)


def _r(action, points, daily=0, yearly=0) -> PointRuleData:
    return PointRuleData(action, Decimal(points), Decimal(daily), Decimal(yearly))


#: the demo's scheme (R-LOCAL-08): 70 to pass the year; taking part in the Party's
#: activities worth at most 40 a year; the other items are this project's own figures
DEFAULT_POINT_SCHEME = PointSchemeData(
    name="市直机关党员积分（示例方案）",
    version=0,
    effective_from=dt.date(2020, 1, 1),
    baseline=70,
    rules=(
        _r("meeting_attended", 2, daily=4, yearly=40),
        _r("study_attended", 2, daily=4, yearly=20),
        _r("training_completed", 3, yearly=12),
        _r("reading_completed", 1, daily=3, yearly=15),
        _r("quiz_passed", 3, daily=3, yearly=15),
        _r("note_submitted", 2, daily=2, yearly=10),
        _r("volunteer", 2, daily=2, yearly=20),
    ),
)


@dataclass(frozen=True)
class PointEvent:
    action: str
    source_type: str
    source_id: int
    on: dt.date


@dataclass(frozen=True)
class Award:
    event: PointEvent
    points: Decimal
    capped_from: Decimal | None  # what the rule gave when a cap cut it


def scheme_for(schemes: Iterable[PointSchemeData], on: dt.date) -> PointSchemeData:
    """The version in force on `on`: the latest effective on or before it (the default when
    none is)."""
    chosen = None
    for s in schemes:
        if s.effective_from <= on and (
            chosen is None
            or (s.effective_from, s.version) > (chosen.effective_from, chosen.version)
        ):
            chosen = s
    return chosen or DEFAULT_POINT_SCHEME


def award_points(
    events: Iterable[PointEvent], schemes: Iterable[PointSchemeData] = ()
) -> list[Award]:
    """One member's awards for one year, in date order: each event gets its action's points
    under the scheme version in force on its day, cut by what is left of the day's and the
    year's cap for that action. Events whose action the scheme does not know get nothing."""
    schemes = list(schemes)
    ordered = sorted(events, key=lambda e: (e.on, e.action, e.source_type, e.source_id))
    per_day: dict[tuple[str, dt.date], Decimal] = {}
    per_year: dict[str, Decimal] = {}
    awards: list[Award] = []
    for event in ordered:
        scheme = scheme_for(schemes, event.on)
        r = scheme.rule_for(event.action)
        if r is None or r.points <= 0:
            continue
        give = r.points
        if r.daily_cap > 0:
            give = min(give, r.daily_cap - per_day.get((event.action, event.on), ZERO))
        if r.yearly_cap > 0:
            give = min(give, r.yearly_cap - per_year.get(event.action, ZERO))
        give = max(give, ZERO)
        per_day[(event.action, event.on)] = per_day.get((event.action, event.on), ZERO) + give
        per_year[event.action] = per_year.get(event.action, ZERO) + give
        awards.append(Award(event, give, r.points if give < r.points else None))
    return awards


def check_point_rule(points, daily_cap, yearly_cap) -> dict[str, str]:
    """Field → Chinese message for a bad rule row (empty when it is fine)."""
    errors: dict[str, str] = {}
    values = {}
    for name, value, label in (
        ("points", points, "每次分值"),
        ("daily_cap", daily_cap, "每日上限"),
        ("yearly_cap", yearly_cap, "年度上限"),
    ):
        try:
            amount = Decimal(str(value))
        except Exception:
            errors[name] = f"{label}应为数字。"
            continue
        if not amount.is_finite() or amount < 0 or amount > 1000:
            errors[name] = f"{label}应在0到1000之间。"
        elif amount != hours(amount):
            errors[name] = f"{label}最多保留一位小数。"
        values[name] = amount
    if not errors:
        if values["daily_cap"] and values["daily_cap"] < values["points"]:
            errors["daily_cap"] = "每日上限不能小于每次分值（0 表示不设上限）。"
        if values["yearly_cap"] and values["daily_cap"] > values["yearly_cap"]:
            errors["yearly_cap"] = "年度上限不能小于每日上限（0 表示不设上限）。"
    return errors


# ---------------------------------------------------------------------------------------------
# notes and points (brief C)

NOTE_TITLE_MAX = 200
NOTE_TEXT_MIN = 20
NOTE_TEXT_MAX = 20000
#: R-LOCAL-08: a mobile member gone longer than this before the year's end takes no part
MOBILE_ABSENCE_MONTHS = 6
#: what a cap that cut an award is called on the member's page
CAP_LABELS = {"daily": "已达每日上限", "yearly": "已达年度上限"}
EXCLUSION_LABELS = {
    "retired": "退休党员不参加党员积分（R-LOCAL-08）",
    "mobile": "长期外出流动党员不参加党员积分（R-LOCAL-08）",
}


def mobile_cutoff(year: int) -> dt.date:
    """A mobile member who left before this day has been away more than
    MOBILE_ABSENCE_MONTHS at the end of `year`: December 31 less six months, June 30."""
    return dt.date(year, 12 - MOBILE_ABSENCE_MONTHS, 30)


def points_exclusion(
    *, retired: bool, is_mobile: bool, mobile_since: dt.date | None, year: int
) -> str | None:
    """Why a member takes no part in `year`'s points (R-LOCAL-08): "retired", "mobile" (a
    mobile member away more than six months before December 31), or None. A mobile member
    whose departure date is unknown takes part: nothing says he has been away long."""
    if retired:
        return "retired"
    if is_mobile and mobile_since is not None and mobile_since < mobile_cutoff(year):
        return "mobile"
    return None


def cap_reasons(
    awards: Iterable[Award], schemes: Iterable[PointSchemeData] = ()
) -> list[str | None]:
    """For awards in award_points' order (as stored in the ledger), which cap cut each:
    "daily", "yearly" or None. Replays the day's and the year's running sums; where both
    caps bind, the yearly one is named (it stays binding for the rest of the year)."""
    schemes = list(schemes)
    per_day: dict[tuple[str, dt.date], Decimal] = {}
    per_year: dict[str, Decimal] = {}
    reasons: list[str | None] = []
    for award in awards:
        event = award.event
        r = scheme_for(schemes, event.on).rule_for(event.action)
        day_key = (event.action, event.on)
        reason = None
        if r is not None and award.capped_from is not None:
            wanted = award.capped_from
            yearly_left = (
                r.yearly_cap - per_year.get(event.action, ZERO) if r.yearly_cap > 0 else None
            )
            daily_left = r.daily_cap - per_day.get(day_key, ZERO) if r.daily_cap > 0 else None
            if (
                yearly_left is not None
                and yearly_left < wanted
                and (daily_left is None or yearly_left <= daily_left)
            ):
                reason = "yearly"
            elif daily_left is not None and daily_left < wanted:
                reason = "daily"
            elif yearly_left is not None and yearly_left < wanted:
                reason = "yearly"
        per_day[day_key] = per_day.get(day_key, ZERO) + award.points
        per_year[event.action] = per_year.get(event.action, ZERO) + award.points
        reasons.append(reason)
    return reasons


def percent_of(total, baseline) -> int:
    """Progress towards the year's baseline, 0..100 (a bar's width)."""
    base = Decimal(str(baseline))
    if base <= 0:
        return 100
    return int(min(Decimal(100), max(ZERO, Decimal(str(total)) * 100 / base)))


# ---------------------------------------------------------------------------------------------
# sessions (brief A)

#: a held 党课 recorded without a study session credits its length, at most this many hours
PARTY_LESSON_MAX_HOURS = 4
#: a training credits at most this many hours a day of its span
TRAINING_HOURS_PER_DAY = 24
TRAINING_HOURS_MAX = Decimal("9999.9")  # the column's bound (max_digits=5, one decimal)


def length_tenths(seconds: int) -> int:
    """A meeting's length in tenths of an hour, half-up, from its whole seconds: the one
    formula the credit uses everywhere (the database computes the same integer)."""
    return max(int(seconds) + 180, 0) // 360


def lesson_credit(seconds: int) -> Decimal:
    """What a held 党课 without a study session credits each member present: its length to
    0.1 hour (half-up), at most PARTY_LESSON_MAX_HOURS."""
    tenths = min(length_tenths(seconds), PARTY_LESSON_MAX_HOURS * 10)
    return Decimal(tenths) / 10


def check_plan_hours(value) -> str | None:
    """Why `value` cannot be the planned hours of a plan line (a Chinese message), or None."""
    amount, why = _typed_hours(value)
    if why == "number":
        return "计划学时应为数字，如 2 或 1.5。"
    if why == "positive":
        return "计划学时应大于0。"
    if why == "decimals":
        return "计划学时最多保留一位小数。"
    if why == "large" or amount > 999:
        return "计划学时过大，请核对。"
    return None


def check_training(
    started_on: dt.date, ended_on: dt.date, value, *, today: dt.date
) -> dict[str, str]:
    """Field → Chinese message for a training that cannot be entered (empty when fine): it
    ended on or after it started, not in the future, and credits more than 0 hours and at
    most TRAINING_HOURS_PER_DAY for each day of its span."""
    errors: dict[str, str] = {}
    if ended_on < started_on:
        errors["ended_on"] = "结束日期不能早于开始日期。"
    if started_on > today:
        errors["started_on"] = "开始日期不能晚于今天。"
    if ended_on > today:
        errors["ended_on"] = "培训尚未结束，结束后再登记。"
    amount, why = _typed_hours(value)
    days = max((ended_on - started_on).days + 1, 1)
    limit = min(Decimal(TRAINING_HOURS_PER_DAY * days), TRAINING_HOURS_MAX)
    if why == "number":
        errors["hours"] = "学时应为数字，如 8 或 2.5。"
    elif why == "positive":
        errors["hours"] = "学时应大于0。"
    elif why == "decimals":
        errors["hours"] = "学时最多保留一位小数。"
    elif why == "large":
        errors["hours"] = f"学时过大，至多{limit}学时。"
    elif ("ended_on" not in errors or ended_on >= started_on) and amount > limit:
        errors["hours"] = f"学时不能超过培训天数×24（{days}天，至多{limit}学时）。"
    return errors


def hours_bucket_bounds(
    committee_hours: int = COMMITTEE_HOURS,
) -> tuple[tuple[Decimal, Decimal | None], ...]:
    """(low, high) bounds of the distribution chart's bars: 0, under 8, 8–16, 16–24, 24–32,
    32 to the committee figure (R-EDU-02, a setting) and that figure and over; when the
    figure is not above 32 the last bar is simply 32 and over."""
    bounds: list[tuple[Decimal, Decimal | None]] = [
        (ZERO, TENTH),
        (TENTH, Decimal(8)),
        (Decimal(8), Decimal(16)),
        (Decimal(16), Decimal(24)),
        (Decimal(24), Decimal(MEMBER_HOURS)),
    ]
    top = int(committee_hours)
    if top > MEMBER_HOURS:
        bounds += [(Decimal(MEMBER_HOURS), Decimal(top)), (Decimal(top), None)]
    else:
        bounds.append((Decimal(MEMBER_HOURS), None))
    return tuple(bounds)


def hours_bucket_labels(committee_hours: int = COMMITTEE_HOURS) -> tuple[str, ...]:
    labels = []
    for low, high in hours_bucket_bounds(committee_hours):
        if high == TENTH:
            labels.append("0学时")
        elif low == TENTH:
            labels.append(f"0-{high}")
        elif high is None:
            labels.append(f"{low}及以上")
        else:
            labels.append(f"{low}-{high}")
    return tuple(labels)


def hours_bucket(earned, committee_hours: int = COMMITTEE_HOURS) -> int:
    """The index in hours_bucket_bounds(committee_hours) of a member's earned hours (the
    distribution chart)."""
    got = hours(earned)
    for i, (low, high) in enumerate(hours_bucket_bounds(committee_hours)):
        if got >= low and (high is None or got < high):
            return i
    return 0


#: the bars for the default figures: 0, under 8, …, 32–56, 56 and over
HOURS_BUCKET_BOUNDS = hours_bucket_bounds()
HOURS_BUCKET_LABELS = hours_bucket_labels()
