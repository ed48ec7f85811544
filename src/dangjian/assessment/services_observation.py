"""Write paths of the on-site observation meeting (现场观摩会): plan (meeting, route of stops,
judges, participants), run (start, QR sign-in, judges' scores item by item, submit, close)
and follow up (exchange speeches, conclusions, tasks). See docs/observation.md.

Managing needs ASSESS_MANAGE on the meeting's `owner_path`. Scoring needs the caller to be a
judge of the meeting assigned to the stop, while the meeting is live. Every write is atomic
and audited (`assessment.<entity>.<verb>`); a refusal raises `AppError` and writes nothing.
The score arithmetic (trimmed mean, outliers) is not done here: `scoring.stop_results` reads
the submitted sheets with the rules of `dangjian.rules.assessment` (R-LOCAL-09).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.assessment.models import (
    ExchangeSpeech,
    Indicator,
    ObservationJudge,
    ObservationMeeting,
    ObservationStatus,
    ObservationTask,
    Participant,
    Scheme,
    SchemeStatus,
    SchemeTarget,
    ScoreItem,
    ScoreSheet,
    SecretaryContest,
    ShowKind,
    Stop,
    TaskStatus,
)
from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import SEPARATED_ROLES, Cap, Role
from dangjian.orgs.models import Org
from dangjian.rules import assessment as rules

#: sign-in codes: no 0/O, 1/I/L, so a code read from a screen is typed right
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: without a score sheet a judge gives one overall mark out of this
OVERALL_MAX = Decimal("100")
MAX_STOPS = 100
MAX_JUDGES = 200
MAX_PARTICIPANTS = 2000
TEXT_LIMITS = {
    "title": 200,
    "theme": 200,
    "place": 200,
    "purpose": 5000,
    "shows": 2000,
    "conclusions": 20000,
    "speaker": 50,
    "notes": 20000,
    "name": 50,
    "affiliation": 100,
    "detail": 5000,
    "done_note": 5000,
    "comment": 500,
}
MEETING_FIELDS = (
    "title",
    "theme",
    "purpose",
    "starts_at",
    "place",
    "sheet",
    "contest",
    "trim_min_judges",
    "outlier_points",
)
STOP_FIELDS = ("org", "place", "show_kind", "shows", "planned_minutes")
SPEECH_FIELDS = ("org", "speaker", "title", "notes")


# ---------------------------------------------------------------------------------- helpers


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _require(actor, path: str) -> None:
    """ASSESS_MANAGE on the meeting's owner. `actor=None` is the system (demo, jobs)."""
    if actor is not None and not can(actor, Cap.ASSESS_MANAGE, path):
        raise deny()


def _locked(meeting: ObservationMeeting) -> ObservationMeeting:
    """The meeting re-read under a row lock: two managers never interleave their changes."""
    return (
        ObservationMeeting.all_objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=meeting.pk)
    )


def _not_closed(meeting: ObservationMeeting) -> None:
    if meeting.status == ObservationStatus.CLOSED:
        raise AppError("观摩会已结束，不能再修改。")


def _text(value, field: str, label: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > TEXT_LIMITS.get(field, 200):
        raise AppError(f"{label}过长（最多{TEXT_LIMITS.get(field, 200)}字）。", field=field)
    return value


def _points(value, field: str = "points") -> Decimal:
    """A score as a Decimal; anything that is not a finite number is refused."""
    if isinstance(value, bool) or value is None or value == "":
        raise AppError("请输入有效的分数。", field=field)
    try:
        points = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError):
        raise AppError("请输入有效的分数。", field=field) from None
    if not points.is_finite():
        raise AppError("请输入有效的分数。", field=field)
    return points


def _plain(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def new_sign_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _path_covers(upper: str, lower: str) -> bool:
    return bool(upper) and lower.startswith(upper)


def _check_sheet(actor, owner_path: str, sheet: Scheme | None) -> None:
    """The score sheet is a PUBLISHED scheme for stops, owned by the meeting's owner or a body
    above it (a committee's sheet serves the units below), or one the actor manages. A draft
    may still change (items added, removed, re-weighted) while judges score with it, so it is
    refused: publish it first."""
    if sheet is None:
        return
    if sheet.target != SchemeTarget.STOP:
        raise AppError("现场评分表须为“观摩点位（现场评分表）”类方案。", field="sheet")
    visible = _path_covers(sheet.owner_path, owner_path) or (
        actor is None or can(actor, Cap.ASSESS_MANAGE, sheet.owner_path)
    )
    if not visible:
        raise deny()
    # the stored status, not the caller's copy: a sheet published a moment ago by another
    # path may still read "draft" in memory (and a stale "published" must not pass either)
    status = Scheme.all_objects.filter(pk=sheet.pk).values_list("status", flat=True).first()
    if status != SchemeStatus.PUBLISHED:
        raise AppError("该评分表尚未发布（或已结束），请先发布后再选用。", field="sheet")
    if not Indicator.objects.filter(scheme=sheet, is_category=False).exists():
        raise AppError("该评分表还没有评分项。", field="sheet")


def _check_contest(
    actor, owner_path: str, contest: SecretaryContest | None, starts_at, *, linking: bool = True
) -> None:
    """The contest the meeting's scores feed (书记赛党建). Linking one needs ASSESS_MANAGE on
    the contest's owner (as for a 述职评议): a unit's managers cannot feed their own unit's
    scores into a contest run above them. The contest and the meeting lie on one line of the
    tree. `linking=False` (the contest is unchanged) checks the year only."""
    if contest is None:
        return
    if linking:
        if actor is not None and not can(actor, Cap.ASSESS_MANAGE, contest.owner_path):
            raise deny()
        if not (
            _path_covers(contest.owner_path, owner_path)
            or _path_covers(owner_path, contest.owner_path)
        ):
            raise AppError("所选赛事不是本组织或其上下级组织举办的。", field="contest")
    if starts_at is not None and timezone.localtime(starts_at).year != contest.year:
        raise AppError(f"观摩会须在赛事年度（{contest.year}年）内举行。", field="contest")


def _check_numbers(values: dict) -> None:
    if "trim_min_judges" in values:
        trim = values["trim_min_judges"]
        if isinstance(trim, bool) or not isinstance(trim, int) or trim < 0 or trim > 100:
            raise AppError(
                "“去掉最高最低分的最少评委数”须为0到100的整数（0为不去掉）。",
                field="trim_min_judges",
            )
    if "outlier_points" in values:
        limit = _points(values["outlier_points"], "outlier_points")
        if limit <= 0:
            raise AppError("偏离提示阈值须大于0分。", field="outlier_points")
        if limit >= Decimal("1000") or limit != limit.quantize(rules.CENT):
            raise AppError("偏离提示阈值须小于1000分，最多两位小数。", field="outlier_points")
        values["outlier_points"] = limit


def _check_starts_at(starts_at) -> None:
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise AppError("请填写观摩会开始时间。", field="starts_at")


def _has_scores(**filters) -> bool:
    return ScoreSheet.objects.unscoped().filter(**filters).exists()


# ---------------------------------------------------------------------------------- meeting


@transaction.atomic
def observation_create(
    *,
    actor,
    owner: Org,
    title: str,
    starts_at: dt.datetime,
    theme: str = "",
    purpose: str = "",
    place: str = "",
    sheet: Scheme | None = None,
    contest: SecretaryContest | None = None,
    trim_min_judges: int = rules.TRIM_MIN_JUDGES,
    outlier_points: Decimal | str = Decimal("10"),
) -> ObservationMeeting:
    """Plan an observation meeting run by `owner` (a committee or a unit's Party body)."""
    _require(actor, owner.path)
    if not owner.is_active:
        raise AppError("该组织已撤销，不能组织观摩会。", field="owner")
    values = {
        "title": _text(title, "title", "会议名称", required=True),
        "theme": _text(theme, "theme", "主题"),
        "purpose": _text(purpose, "purpose", "主旨"),
        "place": _text(place, "place", "集合地点"),
        "trim_min_judges": trim_min_judges,
        "outlier_points": outlier_points,
    }
    _check_starts_at(starts_at)
    _check_numbers(values)
    _check_sheet(actor, owner.path, sheet)
    _check_contest(actor, owner.path, contest, starts_at)
    meeting = None
    for _ in range(5):
        try:
            with transaction.atomic():
                meeting = ObservationMeeting.all_objects.create(
                    owner=owner,
                    owner_path=owner.path,
                    starts_at=starts_at,
                    sheet=sheet,
                    contest=contest,
                    sign_in_code=new_sign_in_code(),
                    created_by=_user(actor),
                    **values,
                )
            break
        except IntegrityError:  # the code was taken: draw another
            continue
    if meeting is None:
        raise AppError("生成签到码失败，请重试。")
    audit(
        actor,
        "assessment.observation.created",
        meeting,
        org_path=owner.path,
        changes={
            "owner": owner.pk,
            "title": meeting.title,
            "starts_at": starts_at,
            "sheet": sheet.pk if sheet else None,
            "contest": contest.pk if contest else None,
            "trim_min_judges": meeting.trim_min_judges,
            "outlier_points": meeting.outlier_points,
        },
    )
    return meeting


@transaction.atomic
def observation_update(*, actor, meeting: ObservationMeeting, **changes) -> ObservationMeeting:
    """Change the plan: title, theme, purpose, start, place, score sheet (only before any
    score), contest, and the aggregation settings (not after the meeting closed)."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    unknown = sorted(set(changes) - set(MEETING_FIELDS))
    if unknown:
        raise AppError("不能修改该项。", field=unknown[0])
    values = dict(changes)
    labels = {"title": "会议名称", "theme": "主题", "purpose": "主旨", "place": "集合地点"}
    for field, label in labels.items():
        if field in values:
            values[field] = _text(values[field], field, label, required=field == "title")
    if "starts_at" in values:
        _check_starts_at(values["starts_at"])
    _check_numbers(values)
    if "sheet" in values and values["sheet"] != meeting.sheet:
        if meeting.status != ObservationStatus.PLANNED or _has_scores(stop__meeting=meeting):
            raise AppError("观摩会已开始评分，不能更换评分表。", field="sheet")
        _check_sheet(actor, meeting.owner_path, values["sheet"])
    contest = values.get("contest", meeting.contest)
    if "contest" in values or "starts_at" in values:
        _check_contest(
            actor,
            meeting.owner_path,
            contest,
            values.get("starts_at", meeting.starts_at),
            linking=getattr(contest, "pk", None) != meeting.contest_id,
        )
    diff = {}
    for field, value in values.items():
        old = getattr(meeting, field)
        if old != value:
            diff[field] = [_plain(old), _plain(value)]
            setattr(meeting, field, value)
    if diff:
        meeting.save(update_fields=list(diff))
        audit(
            actor,
            "assessment.observation.updated",
            meeting,
            org_path=meeting.owner_path,
            changes=diff,
        )
    return meeting


@transaction.atomic
def observation_start(*, actor, meeting: ObservationMeeting) -> ObservationMeeting:
    """筹备中 → 进行中: judges may score from now on."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    if meeting.status != ObservationStatus.PLANNED:
        raise AppError("只有筹备中的观摩会可以开始。")
    if not Stop.objects.unscoped().filter(meeting=meeting).exists():
        raise AppError("请先安排观摩点位。")
    if not ObservationJudge.objects.unscoped().filter(meeting=meeting).exists():
        raise AppError("请先添加评委。")
    meeting.status = ObservationStatus.LIVE
    meeting.save(update_fields=["status"])
    audit(
        actor,
        "assessment.observation.started",
        meeting,
        org_path=meeting.owner_path,
        changes={"status": [ObservationStatus.PLANNED, ObservationStatus.LIVE]},
    )
    return meeting


@transaction.atomic
def observation_close(*, actor, meeting: ObservationMeeting) -> ObservationMeeting:
    """进行中 → 已结束. Sheets not submitted by then do not count (the pages say how many);
    scoring stops."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    if meeting.status != ObservationStatus.LIVE:
        raise AppError("只有进行中的观摩会可以结束。")
    unsent = (
        ScoreSheet.objects.unscoped()
        .filter(stop__meeting=meeting, submitted_at__isnull=True)
        .count()
    )
    meeting.status = ObservationStatus.CLOSED
    meeting.save(update_fields=["status"])
    audit(
        actor,
        "assessment.observation.closed",
        meeting,
        org_path=meeting.owner_path,
        changes={
            "status": [ObservationStatus.LIVE, ObservationStatus.CLOSED],
            "unsubmitted_sheets": unsent,
        },
    )
    return meeting


@transaction.atomic
def conclusions_set(*, actor, meeting: ObservationMeeting, conclusions: str) -> ObservationMeeting:
    """会议明确的工作重点 (may be written after the meeting closed)."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    text = _text(conclusions, "conclusions", "会议明确的工作重点")
    if text != meeting.conclusions:
        old = meeting.conclusions
        meeting.conclusions = text
        meeting.save(update_fields=["conclusions"])
        audit(
            actor,
            "assessment.observation.conclusions_set",
            meeting,
            org_path=meeting.owner_path,
            changes={"conclusions": [old, text]},
        )
    return meeting


# ---------------------------------------------------------------------------------- route


def _check_stop_values(meeting: ObservationMeeting, values: dict) -> dict:
    if "org" in values:
        org = values["org"]
        if org is None:
            raise AppError("请选择展示单位。", field="org")
        if not org.is_active:
            raise AppError("该组织已撤销。", field="org")
        if not org.path.startswith(meeting.owner_path):
            raise AppError("展示单位须在观摩会组织单位的范围内。", field="org")
    if "place" in values:
        values["place"] = _text(values["place"], "place", "地点", required=True)
    if "shows" in values:
        values["shows"] = _text(values["shows"], "shows", "展示内容")
    if "show_kind" in values and values["show_kind"] not in ShowKind.values:
        raise AppError("请选择展示形式。", field="show_kind")
    if "planned_minutes" in values:
        minutes = values["planned_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600:
            raise AppError("计划时长须为1到600分钟。", field="planned_minutes")
    return values


def _all_stop_judges(meeting: ObservationMeeting, stop_ids: set[int]) -> list[ObservationJudge]:
    """Judges assigned to every one of `stop_ids` (the default assignment: all stops)."""
    judges = list(
        ObservationJudge.objects.unscoped().filter(meeting=meeting).prefetch_related("stops")
    )
    return [j for j in judges if {s.pk for s in j.stops.all()} >= stop_ids]


@transaction.atomic
def stop_add(
    *,
    actor,
    meeting: ObservationMeeting,
    org: Org,
    place: str,
    show_kind: str = ShowKind.BOARD,
    shows: str = "",
    planned_minutes: int = 15,
) -> Stop:
    """A stop at the end of the route. Judges who score every stop so far get it too."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    values = _check_stop_values(
        meeting,
        {
            "org": org,
            "place": place,
            "show_kind": show_kind,
            "shows": shows,
            "planned_minutes": planned_minutes,
        },
    )
    existing = set(Stop.objects.unscoped().filter(meeting=meeting).values_list("pk", flat=True))
    if len(existing) >= MAX_STOPS:
        raise AppError(f"观摩点位最多{MAX_STOPS}个。")
    last = Stop.objects.unscoped().filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0
    stop = Stop.all_objects.create(meeting=meeting, order=last + 1, **values)
    for judge in _all_stop_judges(meeting, existing):
        judge.stops.add(stop)
    audit(
        actor,
        "assessment.stop.added",
        stop,
        org_path=meeting.owner_path,
        changes={"meeting": meeting.pk, **{k: _plain(v) for k, v in values.items()}},
    )
    return stop


@transaction.atomic
def stop_update(*, actor, stop: Stop, **changes) -> Stop:
    """Change a stop (unit, place, what is shown, minutes). The unit cannot change once the
    stop has scores: they would move to another unit."""
    meeting = stop.meeting
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    unknown = sorted(set(changes) - set(STOP_FIELDS))
    if unknown:
        raise AppError("不能修改该项。", field=unknown[0])
    stop = Stop.all_objects.select_for_update().get(pk=stop.pk, meeting=meeting)
    values = _check_stop_values(meeting, dict(changes))
    if "org" in values and values["org"].pk != stop.org_id and _has_scores(stop=stop):
        raise AppError("该点位已有评分，不能更换展示单位。", field="org")
    diff = {}
    for field, value in values.items():
        old = getattr(stop, field)
        if old != value:
            diff[field] = [_plain(old), _plain(value)]
            setattr(stop, field, value)
    if diff:
        stop.save(update_fields=list(diff))
        audit(actor, "assessment.stop.updated", stop, org_path=meeting.owner_path, changes=diff)
    return stop


def _renumber(meeting: ObservationMeeting, ordered: list[Stop]) -> None:
    """Write orders 1..n. The route's (meeting, order) pairs are unique, so the rows move out
    of the way first (a swap in one statement would collide on the way)."""
    rows = Stop.objects.unscoped().filter(meeting=meeting)
    top = (rows.aggregate(m=Max("order"))["m"] or 0) + MAX_STOPS + 1
    for i, stop in enumerate(ordered, start=1):
        Stop.all_objects.filter(pk=stop.pk).update(order=top + i)
    for i, stop in enumerate(ordered, start=1):
        Stop.all_objects.filter(pk=stop.pk).update(order=i)
        stop.order = i


@transaction.atomic
def stop_remove(*, actor, stop: Stop) -> None:
    """Take a stop off the route (not once it has scores); the later stops move up."""
    meeting = stop.meeting
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    if _has_scores(stop_id=stop.pk):
        raise AppError("该点位已有评分，不能删除。")
    stop_id, org_id, place = stop.pk, stop.org_id, stop.place
    Stop.all_objects.filter(pk=stop_id, meeting=meeting).delete()
    _renumber(meeting, list(Stop.objects.unscoped().filter(meeting=meeting).order_by("order")))
    audit(
        actor,
        "assessment.stop.removed",
        meeting,
        org_path=meeting.owner_path,
        changes={"stop": stop_id, "org": org_id, "place": place},
    )


@transaction.atomic
def stops_reorder(*, actor, meeting: ObservationMeeting, stop_ids: list[int]) -> list[Stop]:
    """Put the route in the order of `stop_ids` (every stop of the meeting, once)."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    stops = {s.pk: s for s in Stop.objects.unscoped().filter(meeting=meeting)}
    try:
        wanted = [int(x) for x in stop_ids]
    except (TypeError, ValueError):
        raise AppError("点位顺序无效。", field="stops") from None
    if len(wanted) != len(stops) or set(wanted) != set(stops):
        raise AppError("点位顺序须包含本次观摩会的全部点位，且每个一次。", field="stops")
    before = [s.pk for s in sorted(stops.values(), key=lambda s: s.order)]
    ordered = [stops[pk] for pk in wanted]
    if before != wanted:
        _renumber(meeting, ordered)
        audit(
            actor,
            "assessment.stop.reordered",
            meeting,
            org_path=meeting.owner_path,
            changes={"stops": [before, wanted]},
        )
    return ordered


# ---------------------------------------------------------------------------------- people


def _meeting_stops(meeting: ObservationMeeting, stops: Iterable[Stop] | None) -> list[Stop]:
    own = {s.pk: s for s in Stop.objects.unscoped().filter(meeting=meeting)}
    if stops is None:
        return list(own.values())
    chosen = []
    for stop in stops:
        pk = getattr(stop, "pk", stop)
        if pk not in own:
            raise AppError("所选点位不属于本次观摩会。", field="stops")
        chosen.append(own[pk])
    return chosen


def _check_people(actor, meeting: ObservationMeeting, users: list, *, field: str, as_what: str):
    """Who may be a judge or a participant of the meeting.

    - 三员分立: an account holding a role in SEPARATED_ROLES (system administrator, security
      administrator, auditor) sees no business data, so it is never a judge or participant
      (always checked, whoever asks);
    - the account belongs to the meeting's organisation: it holds a grant on an org in the
      owner's subtree, or its member record (党员) is in it. Checked for a person acting; the
      system (`actor=None`: demo, jobs) adds whom it was told to.
    Two queries, whatever the number of users."""
    if not users:
        return
    ids = [u.pk for u in users]
    names = {u.pk: u.username for u in users}
    inside: set[int] = set()
    separated: dict[int, str] = {}
    grants = RoleGrant.objects.filter(
        user_id__in=ids, revoked_at__isnull=True, org__dissolved_on__isnull=True
    ).values_list("user_id", "role", "org__path")
    for user_id, role, path in grants:
        if role in SEPARATED_ROLES:
            separated.setdefault(user_id, Role(role).label)
        elif _path_covers(meeting.owner_path, path):
            inside.add(user_id)
    if separated:
        user_id = next(pk for pk in ids if pk in separated)
        raise AppError(
            f"账号“{names[user_id]}”为{separated[user_id]}（三员分立），不能{as_what}。",
            field=field,
        )
    if actor is None:
        return
    rest = [pk for pk in ids if pk not in inside]
    if rest:
        members = User.objects.filter(pk__in=rest, member__left_on__isnull=True).values_list(
            "pk", "member__org_path"
        )
        inside |= {pk for pk, path in members if path and _path_covers(meeting.owner_path, path)}
    outside = [names[pk] for pk in ids if pk not in inside]
    if outside:
        if len(ids) == 1:
            raise AppError("该账号不属于本组织，不能" + as_what + "。", field=field)
        shown = "、".join(outside[:10]) + ("等" if len(outside) > 10 else "")
        raise AppError(f"以下账号不属于本组织，不能{as_what}：{shown}", field=field)


@transaction.atomic
def judge_add(
    *,
    actor,
    meeting: ObservationMeeting,
    user,
    name: str = "",
    affiliation: str = "",
    stops: Iterable[Stop] | None = None,
) -> ObservationJudge:
    """A judge: a user account (he scores on his phone), the name and post shown on the
    sheets, and the stops he scores (default: all)."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        raise AppError("请选择有效的评委账号。", field="user")
    _check_people(actor, meeting, [user], field="user", as_what="担任评委")
    name = name or getattr(user, "display_name", "") or user.username
    name = _text(name, "name", "评委姓名", required=True)
    affiliation = _text(affiliation, "affiliation", "单位职务")
    chosen = _meeting_stops(meeting, stops)
    judges = ObservationJudge.objects.unscoped().filter(meeting=meeting)
    if judges.filter(user=user).exists():
        raise AppError("该账号已是本次观摩会的评委。", field="user")
    if judges.count() >= MAX_JUDGES:
        raise AppError(f"评委最多{MAX_JUDGES}人。")
    judge = ObservationJudge.all_objects.create(
        meeting=meeting, user=user, name=name, affiliation=affiliation
    )
    judge.stops.set(chosen)
    audit(
        actor,
        "assessment.judge.added",
        judge,
        org_path=meeting.owner_path,
        changes={
            "meeting": meeting.pk,
            "user": user.pk,
            "name": name,
            "affiliation": affiliation,
            "stops": sorted(s.pk for s in chosen),
        },
    )
    return judge


@transaction.atomic
def judge_assign(*, actor, judge: ObservationJudge, stops: Iterable[Stop]) -> ObservationJudge:
    """Set the stops a judge scores. A stop he has already scored stays his."""
    meeting = judge.meeting
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    chosen = _meeting_stops(meeting, stops)
    before = set(judge.stops.values_list("pk", flat=True))
    after = {s.pk for s in chosen}
    dropped = before - after
    if dropped:
        scored = (
            ScoreSheet.objects.unscoped()
            .filter(judge=judge, stop_id__in=dropped)
            .select_related("stop")
            .first()
        )
        if scored is not None:
            raise AppError(
                f"该评委已对第{scored.stop.order}站（{scored.stop.place}）评分，不能取消分配。",
                field="stops",
            )
    if before != after:
        judge.stops.set(chosen)
        audit(
            actor,
            "assessment.judge.assigned",
            judge,
            org_path=meeting.owner_path,
            changes={"stops": [sorted(before), sorted(after)]},
        )
    return judge


@transaction.atomic
def judge_remove(*, actor, judge: ObservationJudge) -> None:
    """Remove a judge who has not scored yet."""
    meeting = judge.meeting
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    if _has_scores(judge=judge):
        raise AppError("该评委已有评分，不能移除。")
    judge_id, user_id, name = judge.pk, judge.user_id, judge.name
    ObservationJudge.all_objects.filter(pk=judge_id, meeting=meeting).delete()
    audit(
        actor,
        "assessment.judge.removed",
        meeting,
        org_path=meeting.owner_path,
        changes={"judge": judge_id, "user": user_id, "name": name},
    )


def _name_entry(entry) -> tuple[str, str]:
    if isinstance(entry, (tuple, list)):
        name, affiliation = [*entry, "", ""][:2]
    else:
        name, affiliation = entry, ""
    return (
        _text(name, "name", "姓名", required=True),
        _text(affiliation, "affiliation", "单位职务"),
    )


@transaction.atomic
def participants_add(
    *,
    actor,
    meeting: ObservationMeeting,
    users: Iterable = (),
    names: Iterable = (),
) -> list[Participant]:
    """Add participants: accounts (they can sign in by QR) and/or plain names (entries of
    `names` are a name or a (name, affiliation) pair). An account already on the list is
    skipped. Returns the rows created."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    users = [u for u in users if u is not None]
    entries = [_name_entry(e) for e in names if e and (not isinstance(e, str) or e.strip())]
    for user in users:
        if not getattr(user, "pk", None) or not user.is_active:
            raise AppError("所选账号无效。", field="users")
    _check_people(
        actor, meeting, list({u.pk: u for u in users}.values()), field="users", as_what="参会"
    )
    rows = Participant.objects.unscoped().filter(meeting=meeting)
    present = set(rows.exclude(user=None).values_list("user_id", flat=True))
    new = []
    for user in users:
        if user.pk in present:
            continue
        present.add(user.pk)
        name = _text(user.display_name or user.username, "name", "姓名", required=True)
        new.append(Participant(meeting=meeting, user=user, name=name))
    new += [Participant(meeting=meeting, name=n, affiliation=a) for n, a in entries]
    if not new:
        if not users and not entries:
            raise AppError("请选择账号或填写姓名。", field="names")
        return []
    if rows.count() + len(new) > MAX_PARTICIPANTS:
        raise AppError(f"参会人员最多{MAX_PARTICIPANTS}人。", field="names")
    created = Participant.all_objects.bulk_create(new)
    audit(
        actor,
        "assessment.participant.added",
        meeting,
        org_path=meeting.owner_path,
        changes={
            "users": [p.user_id for p in new if p.user_id],
            "names": [p.name for p in new if not p.user_id],
        },
    )
    return created


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    meeting = participant.meeting
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    _not_closed(meeting)
    pid, name, user_id = participant.pk, participant.name, participant.user_id
    Participant.all_objects.filter(pk=pid, meeting=meeting).delete()
    audit(
        actor,
        "assessment.participant.removed",
        meeting,
        org_path=meeting.owner_path,
        changes={"participant": pid, "name": name, "user": user_id},
    )


def meeting_by_code(code: str) -> ObservationMeeting | None:
    code = (code or "").strip().upper()[:8]
    if not code:
        return None
    return ObservationMeeting.objects.unscoped().filter(sign_in_code=code).first()


@transaction.atomic
def participant_sign_in(*, actor, code: str, now: dt.datetime | None = None) -> Participant:
    """A participant signs in by the meeting's QR code (or its code typed). Signing in again
    changes nothing and returns the row."""
    meeting = meeting_by_code(code)
    if meeting is None:
        raise AppError("签到码无效，请核对后重新扫码。", field="code")
    if meeting.status == ObservationStatus.CLOSED:
        raise AppError("观摩会已结束，不能再签到。", field="code")
    row = (
        Participant.objects.unscoped()
        .select_for_update()
        .filter(meeting=meeting, user_id=getattr(actor, "pk", None))
        .first()
        if _user(actor)
        else None
    )
    if row is None:
        raise AppError("您不在本次观摩会的参会人员名单中，不能签到。请联系会务人员。", field="code")
    if row.signed_in_at is not None:
        return row
    row.signed_in_at = now or timezone.now()
    row.save(update_fields=["signed_in_at"])
    audit(
        actor,
        "assessment.participant.signed_in",
        meeting,
        org_path=meeting.owner_path,
        changes={"participant": row.pk, "at": row.signed_in_at},
    )
    return row


# ---------------------------------------------------------------------------------- scores


def _judge_for(actor, stop: Stop) -> tuple[ObservationMeeting, ObservationJudge]:
    """The meeting (live) and the actor's judge row, assigned to `stop`; else a refusal.
    The meeting row is locked, so a score never lands after the meeting was closed."""
    meeting = ObservationMeeting.all_objects.select_for_update().get(pk=stop.meeting_id)
    judge = (
        ObservationJudge.objects.unscoped().filter(meeting=meeting, user=actor).first()
        if _user(actor)
        else None
    )
    if judge is None:
        raise deny()
    if not judge.stops.filter(pk=stop.pk).exists():
        raise AppError("您未被分配到该点位评分。", field="stop")
    if meeting.status == ObservationStatus.PLANNED:
        raise AppError("观摩会尚未开始，暂不能评分。")
    if meeting.status == ObservationStatus.CLOSED:
        raise AppError("观摩会已结束，不能再评分。")
    return meeting, judge


def _open_sheet(stop: Stop, judge: ObservationJudge) -> tuple[ScoreSheet, bool]:
    """The judge's sheet for the stop, locked, created on the first score; not submitted."""
    sheet, created = ScoreSheet.all_objects.get_or_create(stop=stop, judge=judge)
    sheet = ScoreSheet.all_objects.select_for_update().get(pk=sheet.pk)
    if sheet.submitted_at is not None:
        raise AppError("该点位的评分已提交，不能再修改。")
    return sheet, created


@transaction.atomic
def score_item_save(*, actor, stop: Stop, indicator: Indicator, points) -> ScoreItem:
    """A judge's score of one item of the sheet at one stop, saved as he taps it. Saving the
    same value again changes nothing (a resent score from the phone's queue). The sheet's
    total is the sum of its items."""
    meeting, judge = _judge_for(actor, stop)
    if meeting.sheet_id is None:
        raise AppError("本次观摩会不设评分项，请直接给出总分。", field="indicator")
    if indicator is None or indicator.scheme_id != meeting.sheet_id or indicator.is_category:
        raise AppError("该评分项不属于本次观摩会的评分表。", field="indicator")
    points = _points(points)
    problem = rules.check_points(points, indicator.max_points)
    if problem:
        raise AppError(f"{problem}。", field="points")
    points = rules.q(points)
    sheet, _ = _open_sheet(stop, judge)
    item = ScoreItem.all_objects.filter(sheet=sheet, indicator=indicator).first()
    old = item.points if item is not None else None
    if item is not None and item.points == points:
        item.sheet = sheet
        return item
    if item is None:
        item = ScoreItem.all_objects.create(sheet=sheet, indicator=indicator, points=points)
    else:
        item.points = points
        item.save(update_fields=["points", "saved_at"])
    total = ScoreItem.all_objects.filter(sheet=sheet).aggregate(t=Sum("points"))["t"]
    sheet.total = rules.q(total or 0)
    sheet.save(update_fields=["total", "updated_at"])
    item.sheet = sheet
    audit(
        actor,
        "assessment.score.saved",
        sheet,
        org_path=meeting.owner_path,
        changes={
            "stop": stop.pk,
            "indicator": indicator.pk,
            "points": points,
            "previous": old,
            "total": sheet.total,
        },
    )
    return item


@transaction.atomic
def score_overall_save(*, actor, stop: Stop, points) -> ScoreSheet:
    """Without a score sheet, a judge's one overall score of a stop (0..100)."""
    meeting, judge = _judge_for(actor, stop)
    if meeting.sheet_id is not None:
        raise AppError("本次观摩会按评分表逐项打分。", field="points")
    points = _points(points)
    problem = rules.check_points(points, OVERALL_MAX)
    if problem:
        raise AppError(f"{problem}。", field="points")
    points = rules.q(points)
    sheet, created = _open_sheet(stop, judge)
    old = None if created else sheet.total
    if old == points:
        return sheet
    sheet.total = points
    sheet.save(update_fields=["total", "updated_at"])
    audit(
        actor,
        "assessment.score.saved",
        sheet,
        org_path=meeting.owner_path,
        changes={"stop": stop.pk, "indicator": None, "points": points, "previous": old},
    )
    return sheet


def sheet_missing(sheet: ScoreSheet, scheme_id: int | None) -> int:
    """How many items of the score sheet the judge has not scored yet."""
    if scheme_id is None:
        return 0
    wanted = Indicator.objects.filter(scheme_id=scheme_id, is_category=False).count()
    return wanted - ScoreItem.all_objects.filter(sheet=sheet).count()


@transaction.atomic
def sheet_submit(*, actor, stop: Stop, comment: str | None = None) -> ScoreSheet:
    """The judge confirms his sheet for a stop: every item must be scored (or, without a
    sheet, the overall score given). From then on it counts in the ranking and is locked.
    Submitting again changes nothing."""
    meeting, judge = _judge_for(actor, stop)
    sheet = ScoreSheet.all_objects.select_for_update().filter(stop=stop, judge=judge).first()
    if sheet is None:
        raise AppError("请先评分再提交。")
    if sheet.submitted_at is not None:
        return sheet
    missing = sheet_missing(sheet, meeting.sheet_id)
    if missing > 0:
        raise AppError(f"还有{missing}项未评分，请全部评分后再提交。")
    fields = ["submitted_at", "updated_at"]
    if comment is not None:
        sheet.comment = _text(comment, "comment", "评语")
        fields.append("comment")
    sheet.submitted_at = timezone.now()
    sheet.save(update_fields=fields)
    audit(
        actor,
        "assessment.sheet.submitted",
        sheet,
        org_path=meeting.owner_path,
        changes={"stop": stop.pk, "judge": judge.pk, "total": sheet.total},
    )
    return sheet


@transaction.atomic
def sheet_reopen(*, actor, sheet: ScoreSheet) -> ScoreSheet:
    """A manager hands a submitted sheet back to its judge (a mistake he asks to correct),
    while the meeting is live. It no longer counts until submitted again."""
    meeting = sheet.stop.meeting
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    if meeting.status != ObservationStatus.LIVE:
        raise AppError("只有进行中的观摩会可以退回评分。")
    sheet = ScoreSheet.all_objects.select_for_update().get(pk=sheet.pk)
    if sheet.submitted_at is None:
        raise AppError("该评分尚未提交。")
    old = sheet.submitted_at
    sheet.submitted_at = None
    sheet.save(update_fields=["submitted_at", "updated_at"])
    audit(
        actor,
        "assessment.sheet.reopened",
        sheet,
        org_path=meeting.owner_path,
        changes={"stop": sheet.stop_id, "judge": sheet.judge_id, "submitted_at": [old, None]},
    )
    return sheet


# ---------------------------------------------------------------------------------- afterwards


def _check_speech(meeting: ObservationMeeting, values: dict) -> dict:
    if "speaker" in values:
        values["speaker"] = _text(values["speaker"], "speaker", "发言人", required=True)
    if "title" in values:
        values["title"] = _text(values["title"], "title", "发言题目")
    if "notes" in values:
        values["notes"] = _text(values["notes"], "notes", "发言要点")
    org = values.get("org")
    if org is not None and not org.path.startswith(meeting.owner_path):
        raise AppError("发言单位须在观摩会组织单位的范围内。", field="org")
    return values


@transaction.atomic
def speech_add(
    *,
    actor,
    meeting: ObservationMeeting,
    speaker: str,
    org: Org | None = None,
    title: str = "",
    notes: str = "",
) -> ExchangeSpeech:
    """经验交流: a speaker of the exchange session, in the order added."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    values = _check_speech(
        meeting, {"speaker": speaker, "org": org, "title": title, "notes": notes}
    )
    rows = ExchangeSpeech.objects.unscoped().filter(meeting=meeting)
    last = rows.aggregate(m=Max("order"))["m"] or 0
    speech = ExchangeSpeech.all_objects.create(meeting=meeting, order=last + 1, **values)
    audit(
        actor,
        "assessment.speech.added",
        speech,
        org_path=meeting.owner_path,
        changes={"meeting": meeting.pk, **{k: _plain(v) for k, v in values.items()}},
    )
    return speech


@transaction.atomic
def speech_update(*, actor, speech: ExchangeSpeech, **changes) -> ExchangeSpeech:
    meeting = speech.meeting
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    unknown = sorted(set(changes) - set(SPEECH_FIELDS))
    if unknown:
        raise AppError("不能修改该项。", field=unknown[0])
    values = _check_speech(meeting, dict(changes))
    diff = {}
    for field, value in values.items():
        old = getattr(speech, field)
        if old != value:
            diff[field] = [_plain(old), _plain(value)]
            setattr(speech, field, value)
    if diff:
        speech.save(update_fields=list(diff))
        audit(actor, "assessment.speech.updated", speech, org_path=meeting.owner_path, changes=diff)
    return speech


@transaction.atomic
def task_add(
    *,
    actor,
    meeting: ObservationMeeting,
    org: Org,
    title: str,
    due_on: dt.date,
    detail: str = "",
) -> ObservationTask:
    """A task the meeting set for a unit, with a deadline (reminded to the unit's
    ASSESS_SUBMIT holders, reminders_observation.py)."""
    _require(actor, meeting.owner_path)
    meeting = _locked(meeting)
    if org is None:
        raise AppError("请选择责任单位。", field="org")
    if not org.path.startswith(meeting.owner_path):
        raise AppError("责任单位须在观摩会组织单位的范围内。", field="org")
    if not org.is_active:
        raise AppError("该组织已撤销。", field="org")
    title = _text(title, "title", "任务", required=True)
    detail = _text(detail, "detail", "要求")
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise AppError("请填写完成时限。", field="due_on")
    if due_on < timezone.localtime(meeting.starts_at).date():
        raise AppError("完成时限不能早于观摩会日期。", field="due_on")
    task = ObservationTask.all_objects.create(
        meeting=meeting, org=org, title=title, detail=detail, due_on=due_on
    )
    audit(
        actor,
        "assessment.task.added",
        task,
        org_path=meeting.owner_path,
        changes={"meeting": meeting.pk, "org": org.pk, "title": title, "due_on": due_on},
    )
    return task


def can_close_task(user, task: ObservationTask) -> bool:
    """The meeting's managers, and the responsible unit's ASSESS_SUBMIT holders."""
    return can(user, Cap.ASSESS_MANAGE, task.meeting.owner_path) or can(
        user, Cap.ASSESS_SUBMIT, task.org.path
    )


@transaction.atomic
def task_done(
    *, actor, task: ObservationTask, note: str = "", done_on: dt.date | None = None
) -> ObservationTask:
    """The task is done: when, and how (完成情况)."""
    if actor is not None and not can_close_task(actor, task):
        raise deny()
    task = (
        ObservationTask.all_objects.select_for_update()
        .select_related("meeting", "org")
        .get(pk=task.pk)
    )
    if task.status == TaskStatus.DONE:
        raise AppError("该任务已完成。")
    note = _text(note, "done_note", "完成情况", required=True)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise AppError("完成日期不能晚于今天。", field="done_on")
    task.status = TaskStatus.DONE
    task.done_on = done_on
    task.done_note = note
    task.save(update_fields=["status", "done_on", "done_note"])
    audit(
        actor,
        "assessment.task.done",
        task,
        org_path=task.meeting.owner_path,
        changes={"status": [TaskStatus.OPEN, TaskStatus.DONE], "done_on": done_on, "note": note},
    )
    return task
