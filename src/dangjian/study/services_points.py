"""Member points (党员积分, R-LOCAL-08): the scheme's versions and the ledger.

- `point_scheme_save` stores a new version of the scheme (never edits an old one) and has the
  ledger of every year it touches rebuilt in the background (`tasks.refresh_points_all`);
- `points_refresh` rebuilds members' ledgers for a year from the records (attendance at held
  meetings and study sessions, approved trainings, finished readings, passed self-tests,
  submitted notes): derived, never typed. Every write that changes a source calls
  `points_hooks.points_changed`, which enqueues it;
- `points_refresh_all` does it for everyone, in chunks (a new scheme version, the demo).

The caps and the version in force on each day are rules.study.award_points'; retired members
and mobile members long away take no part (rules.study.points_exclusion).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Employment, Member
from dangjian.orglife.models import Attendance, AttendanceStatus, MeetingStatus
from dangjian.orgs.models import Org
from dangjian.rules import study as rules
from dangjian.rules.orglife import MeetingKind
from dangjian.study.models import (
    PointEntry,
    PointRule,
    PointScheme,
    QuizAttempt,
    ReadingProgress,
    StudyNote,
    Training,
    TrainingStatus,
)
from dangjian.study.selectors_points import (
    MEETING_SOURCE,
    NOTE_SOURCE,
    schemes_data,
    year_bounds,
)

#: members per batch: one query per source for each batch
CHUNK = 2000
HELD = (MeetingStatus.HELD, MeetingStatus.ARCHIVED)
SCHEME_NAME_MAX = 100
BASELINE_MAX = 1000


# ---------------------------------------------------------------------------------------------
# The ledger


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def gather_events(member_ids: list[int], year: int) -> dict[int, list[rules.PointEvent]]:
    """Every member's point events of `year`, read from the records: one query per source
    for the whole batch."""
    start, end = year_bounds(year)
    events: dict[int, list[rules.PointEvent]] = defaultdict(list)
    attended = Attendance.all_objects.filter(
        member_id__in=member_ids,
        status=AttendanceStatus.PRESENT,
        meeting__status__in=HELD,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    ).values_list(
        "member_id", "meeting_id", "meeting__starts_at", "meeting__kind", "meeting__study_session"
    )
    for member_id, meeting_id, starts_at, kind, session_id in attended:
        study = session_id is not None or kind == MeetingKind.STUDY_SESSION
        action = "study_attended" if study else "meeting_attended"
        events[member_id].append(
            rules.PointEvent(action, MEETING_SOURCE, meeting_id, _day(starts_at))
        )
    trainings = Training.all_objects.filter(
        member_id__in=member_ids,
        status=TrainingStatus.APPROVED,
        started_on__gte=dt.date(year, 1, 1),
        started_on__lte=dt.date(year, 12, 31),
    ).values_list("member_id", "pk", "started_on")
    for member_id, pk, started_on in trainings:
        events[member_id].append(
            rules.PointEvent("training_completed", "study.training", pk, started_on)
        )
    readings = ReadingProgress.all_objects.filter(
        member_id__in=member_ids, completed_at__gte=start, completed_at__lt=end
    ).values_list("member_id", "pk", "completed_at")
    for member_id, pk, at in readings:
        events[member_id].append(
            rules.PointEvent("reading_completed", "study.reading", pk, _day(at))
        )
    passed = QuizAttempt.all_objects.filter(
        member_id__in=member_ids, passed=True, submitted_at__gte=start, submitted_at__lt=end
    ).values_list("member_id", "pk", "submitted_at")
    for member_id, pk, at in passed:
        events[member_id].append(
            rules.PointEvent("quiz_passed", "study.quiz_attempt", pk, _day(at))
        )
    notes = StudyNote.all_objects.filter(
        member_id__in=member_ids, submitted_at__gte=start, submitted_at__lt=end
    ).values_list("member_id", "pk", "submitted_at")
    for member_id, pk, at in notes:
        events[member_id].append(rules.PointEvent("note_submitted", NOTE_SOURCE, pk, _day(at)))
    return events


def _chunks(ids: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def points_refresh(*, member_ids: Iterable[int], year: int) -> int:
    """Rebuild the members' ledgers for `year` from the records: each member-year's entries
    are replaced (deleted and inserted again in one transaction per batch of CHUNK members),
    with the member's current org path. Members who take no part that year (R-LOCAL-08) are
    left with no entries. Returns the number of entries written."""
    year = _year(year)
    ids = sorted({int(i) for i in member_ids if i})
    schemes = schemes_data()
    written = 0
    for chunk in _chunks(ids):
        written += _refresh_chunk(chunk, year, schemes)
    return written


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        raise AppError("年度无效。", field="year")
    return year


#: source ids per DELETE of the stale entries of other years (SQLite's variable limit)
STALE_IDS_PER_QUERY = 5000


def _drop_stale(ids: list[int], year: int, rows: list[PointEntry]) -> None:
    """Delete the batch's entries of other years for the sources about to be inserted: a
    source has one date, so an entry of another year is left from before it moved (a meeting
    corrected across New Year) and would break the unique key (member, action, source)."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_type[row.source_type].add(row.source_id)
    matching, size = Q(), 0  # one query while few, a bounded number of parameters when many
    for source_type, source_ids in sorted(by_type.items()):
        for part in _chunks(sorted(source_ids), STALE_IDS_PER_QUERY):
            if size and size + len(part) > STALE_IDS_PER_QUERY:
                _delete_other_years(ids, year, matching)
                matching, size = Q(), 0
            matching |= Q(source_type=source_type, source_id__in=part)
            size += len(part)
    if size:
        _delete_other_years(ids, year, matching)


def _delete_other_years(ids: list[int], year: int, matching: Q) -> None:
    PointEntry.all_objects.filter(matching, member_id__in=ids).exclude(year=year).delete()


@transaction.atomic
def _refresh_chunk(ids: list[int], year: int, schemes) -> int:
    # the batch's members are locked (in one order, the primary key's) before anything is
    # read or deleted: two rebuilds of one member wait for each other instead of colliding
    members = list(
        Member.all_objects.select_for_update(no_key=True)  # FK inserts need not wait
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "org_path", "employment", "is_mobile", "mobile_since")
    )
    taking_part = {
        pk: path
        for pk, path, employment, is_mobile, mobile_since in members
        if rules.points_exclusion(
            retired=employment == Employment.RETIRED,
            is_mobile=is_mobile,
            mobile_since=mobile_since,
            year=year,
        )
        is None
    }
    events = gather_events(sorted(taking_part), year) if taking_part else {}
    rows = []
    for member_id, path in taking_part.items():
        for award in rules.award_points(events.get(member_id, ()), schemes):
            e = award.event
            rows.append(
                PointEntry(
                    member_id=member_id,
                    org_path=path,
                    year=year,
                    action=e.action,
                    source_type=e.source_type,
                    source_id=e.source_id,
                    occurred_on=e.on,
                    points=award.points,
                    capped_from=award.capped_from,
                    scheme_version=rules.scheme_for(schemes, e.on).version,
                )
            )
    PointEntry.all_objects.filter(member_id__in=ids, year=year).delete()
    _drop_stale(ids, year, rows)
    PointEntry.all_objects.bulk_create(rows, batch_size=500)
    return len(rows)


def points_refresh_all(*, year: int) -> int:
    """Rebuild `year`'s ledger for every member on the roster during that year, CHUNK member
    ids at a time (key-set over the primary key: each batch is one indexed query), and drop
    the entries of members no longer on it. Returns the number of entries written."""
    year = _year(year)
    on_roster = Q(joined_on__lte=dt.date(year, 12, 31)) & (
        Q(left_on__isnull=True) | Q(left_on__gte=dt.date(year, 1, 1))
    )
    schemes = schemes_data()
    written, last = 0, 0
    while True:
        ids = list(
            Member.all_objects.filter(on_roster, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            break
        written += _refresh_chunk(ids, year, schemes)
        last = ids[-1]
    gone = Member.all_objects.filter(on_roster).values("pk")
    PointEntry.all_objects.filter(year=year).exclude(member_id__in=gone).delete()
    return written


# ---------------------------------------------------------------------------------------------
# The scheme


def _root_paths() -> list[str]:
    return list(Org.objects.unscoped().filter(parent__isnull=True).values_list("path", flat=True))


def can_edit_scheme(user) -> bool:
    """The scheme is a city-wide setting: points.scheme held on a root of the tree."""
    return any(can(user, Cap.POINTS_SCHEME, p) for p in _root_paths())


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise AppError(f"请填写有效的{label}（如 2026-01-01）。", field=field) from None
    if not 2000 <= value.year <= 2200:
        raise AppError(f"{label}应在2000年至2200年之间。", field=field)
    return value


def _clean_rules(rows: list[dict]) -> list[PointRule]:
    if not isinstance(rows, (list, tuple)) or not rows:
        raise AppError("请至少设置一项积分规则。", field="rules")
    errors: list[tuple[str | None, str]] = []
    out: list[PointRule] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            errors.append(("rules", f"第{i}条规则格式不正确。"))
            continue
        action = str(row.get("action") or "")
        if action not in rules.POINT_ACTIONS:
            errors.append(("rules", f"第{i}条规则的积分事项“{action[:30]}”不存在。"))
            continue
        label = rules.POINT_ACTIONS[action]
        if action in seen:
            errors.append((f"points_{action}", f"“{label}”重复设置。"))
            continue
        seen.add(action)
        raw = {k: row.get(k) for k in ("points", "daily_cap", "yearly_cap")}
        if raw["points"] in (None, ""):
            errors.append((f"points_{action}", f"请填写“{label}”的每次分值。"))
            continue
        problems = rules.check_point_rule(raw["points"], raw["daily_cap"], raw["yearly_cap"])
        if problems:
            errors.extend((f"{name}_{action}", f"{label}：{msg}") for name, msg in problems.items())
            continue
        values = {k: _decimal(v) for k, v in raw.items()}
        if values["points"] <= 0:
            errors.append((f"points_{action}", f"{label}：每次分值应大于0（不计分的事项请留空）。"))
            continue
        out.append(PointRule(action=action, **values))
    if errors:
        raise AppError(errors[0][1], field=errors[0][0], errors=errors)
    return out


@transaction.atomic
def point_scheme_save(
    *,
    actor,
    name: str,
    effective_from,
    baseline,
    rules: list[dict],  # [{action, points, daily_cap, yearly_cap}]; shadows the module here
    note: str = "",
    today: dt.date | None = None,
) -> PointScheme:
    """Save a new version of the points scheme (version = the latest + 1), in force from
    `effective_from` (not before the latest version's). Only points.scheme on a root of the
    tree (the 工委); `actor=None` is the system. After the commit, the ledger of every year
    from `effective_from`'s to this one is rebuilt in the background."""
    if actor is not None and not can_edit_scheme(actor):
        raise deny()
    today = today or timezone.localdate()
    name = (name or "").strip()
    if not name:
        raise AppError("请填写方案名称。", field="name")
    if len(name) > SCHEME_NAME_MAX:
        raise AppError(f"方案名称不能超过{SCHEME_NAME_MAX}字。", field="name")
    note = (note or "").strip()
    if len(note) > 2000:
        raise AppError("说明不能超过2000字。", field="note")
    start = _date(effective_from, "effective_from", "生效日期")
    try:
        base = int(str(baseline).strip())
    except (TypeError, ValueError):
        raise AppError("年度合格分应为整数。", field="baseline") from None
    if not 1 <= base <= BASELINE_MAX:
        raise AppError(f"年度合格分应在1到{BASELINE_MAX}之间。", field="baseline")
    cleaned = _clean_rules(rules)
    # the roots always exist (an empty scheme table has no row to lock): two saves at once
    # wait for each other here; NO KEY UPDATE lets rows that point at a root be written
    list(
        Org.objects.unscoped()
        .select_for_update(no_key=True)
        .filter(parent__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    newest = PointScheme.objects.order_by("-effective_from", "-version").first()
    if newest is not None and start < newest.effective_from:
        raise AppError(
            f"生效日期不能早于现行最新版本（第{newest.version}版）的生效日期"
            f"{newest.effective_from:%Y-%m-%d}。",
            field="effective_from",
        )
    fields = {
        "name": name,
        "effective_from": start,
        "baseline": base,
        "note": note,
        "created_by": actor if getattr(actor, "pk", None) else None,
    }
    scheme = None
    for _ in range(2):  # a version taken meanwhile (a database without row locks): once more
        try:
            with transaction.atomic():
                scheme = PointScheme.objects.create(version=_next_version(), **fields)
            break
        except IntegrityError:
            continue
    if scheme is None:
        raise AppError("其他人正在同时保存积分方案，请刷新后重试。", code="conflict")
    for rule in cleaned:
        rule.scheme = scheme
    PointRule.objects.bulk_create(cleaned)
    audit(
        actor,
        "study.point_scheme.saved",
        scheme,
        changes={
            "version": scheme.version,
            "name": name,
            "effective_from": start,
            "baseline": base,
            "rules": [f"{x.action}:{x.points}/{x.daily_cap}/{x.yearly_cap}" for x in cleaned],
        },
    )
    years = list(range(start.year, today.year + 1))
    if years:
        transaction.on_commit(partial(_enqueue_all, years))
    return scheme


def _next_version() -> int:
    latest = PointScheme.objects.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1


def _enqueue_all(years: list[int]) -> None:
    from dangjian.study.tasks import refresh_points_all

    for year in years:
        refresh_points_all.enqueue(year)
