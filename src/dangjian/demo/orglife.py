"""Organisational life for the demo city: meetings of 2022 (the year of the seed report) and of
the current year up to today, with the gaps a real city has — some branches late with their
theme days, some without 党课, a few minutes copied from another unit's branch — so that the
compliance page, its warnings and the copied-minutes check have something true to show.

Generated in bulk after the city (`build_city`), deterministic for a given day. Attendance
rows are written for the two demo branches (the accounts `zbsj`, `zbsj2`, `dangyuan` see them);
other branches carry their meetings and minutes only, to keep `make demo` fast.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole
from dangjian.rules import orglife as rules
from dangjian.similarity import synthetic

#: the study text every branch was told to study in late 2022: shared boilerplate, which the
#: copied-minutes check must not mistake for copying
PRESCRIBED_STUDY = (
    "会议集中学习了党的二十大报告第一部分，深刻领会过去五年的工作和新时代十年的伟大变革，"
    "深刻领悟“两个确立”的决定性意义，增强“四个意识”、坚定“四个自信”、做到“两个维护”，"
    "把学习宣传贯彻党的二十大精神作为当前和今后一个时期的首要政治任务。"
)
TOPICS = {
    "member_assembly": [
        "学习贯彻党的二十大精神",
        "审议支部年度工作计划",
        "讨论发展党员工作",
        "通报党费收缴情况",
        "研究共同缔造结对共建事项",
    ],
    "committee_meeting": [
        "研究本月党建工作安排",
        "研究“书记赛党建”推进措施",
        "研究清廉机关建设任务",
        "研究党员教育培训计划",
        "研究主题党日活动方案",
    ],
    "party_lesson": [
        "弘扬伟大建党精神",
        "以案为鉴筑牢廉洁防线",
        "深入学习习近平法治思想",
        "发扬斗争精神增强斗争本领",
    ],
    "theme_day": [
        "走进结对社区开展志愿服务",
        "重温入党誓词",
        "参观廉政教育基地",
        "开展“大清扫”行动",
        "学习身边先进典型",
        "开展“户户通”入户走访",
    ],
    "life_meeting": ["年度组织生活会暨民主评议党员"],
    "member_appraisal": ["民主评议党员"],
}
PLACES = ["机关三楼会议室", "党员活动室", "结对社区党群服务中心", "机关一楼报告厅"]
BODY = [
    "与会党员结合工作实际逐一发言，{a}谈到要把学习成果转化为推动工作的实际成效，{b}提出要在服务群众中当先锋作表率。",
    "会议对照年初计划逐项梳理了完成情况，对{a}负责的结对共建任务进展进行了通报，明确下一步由{b}牵头推进。",
    "会议讨论了{month}月份的重点工作，决定由{a}负责联系结对社区，{b}负责整理活动资料并按时报送。",
    "{a}领学了相关文件精神，{b}结合分管工作谈了体会，大家一致表示要以更高标准做好本职工作。",
    "会议指出，支部要严格落实“三会一课”制度，{a}要督促党员按时参加组织生活，{b}要做好会议记录和台账整理。",
    "大家围绕如何提升服务质效展开讨论，{a}建议优化办事流程，{b}建议加强与社区的常态化联系。",
]
WEEKDAY_TIMES = [dt.time(9, 0), dt.time(15, 0), dt.time(16, 30)]


@dataclass
class Generated:
    meetings: int = 0
    attendance: int = 0
    copied_pairs: int = 0
    flagged: int = 0  # pairs the copied-minutes detector found


def _day_in(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    day = start + dt.timedelta(days=rng.randrange(0, span + 1))
    while day.weekday() >= 5 and day > start:  # meetings on working days
        day -= dt.timedelta(days=1)
    return day


def _minutes(rng, kind, topic, day, names, chair, recorder, present, expected, org) -> str:
    """The header from the record, then a body of speeches and decisions (similarity's
    synthetic minutes: varied enough that unrelated branches do not look alike); in late 2022
    the prescribed study text that every branch copied."""
    header = (
        f"{day:%Y年%m月%d日}，{org}召开{rules.KIND_LABELS[kind]}，主题为“{topic}”。"
        f"会议由{chair}主持，{recorder}记录，应到{expected}人，实到{present}人。"
    )
    study = PRESCRIBED_STUDY if dt.date(2022, 10, 23) <= day <= dt.date(2022, 12, 31) else None
    body = synthetic.minutes(rng, org=org, study=study).split("\n")[3:]
    return "\n".join([header, *body])


def build_orglife(today: dt.date, *, seed: int = 2022) -> Generated:
    """Meetings for every branch (and group) of the demo city; see the module docstring."""
    from dangjian.demo.city import SECRETARY_BRANCH, SIBLING_BRANCH
    from dangjian.orglife.models import Attendance, Meeting

    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    branches = list(
        Org.all_objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.GROUP], dissolved_on__isnull=True)
        .order_by("path")
        .values_list("pk", "path", "name", "kind", "unit_id")
    )
    seats = dict(
        CommitteeSeat.all_objects.filter(ended_on__isnull=True)
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    secretaries = dict(
        CommitteeSeat.all_objects.filter(
            ended_on__isnull=True, role=SeatRole.SECRETARY
        ).values_list("org_id", "member_id")
    )
    members_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, branch_id, name in Member.all_objects.filter(
        left_on__isnull=True, branch__kind=OrgKind.BRANCH
    ).values_list("pk", "branch_id", "name"):
        members_of[branch_id].append((pk, name))
    names_of = {pk: name for rows in members_of.values() for pk, name in rows}
    joined = dict(Member.all_objects.values_list("pk", "joined_on"))

    demo_branches = set(
        Org.all_objects.filter(name__in=[SECRETARY_BRANCH, SIBLING_BRANCH]).values_list(
            "pk", flat=True
        )
    )
    # the city's habits: most branches keep to the rules; some are late, some skip 党课
    late = {pk for pk, *_ in branches if rng.random() < 0.12}
    no_lessons = {pk for pk, *_ in branches if rng.random() < 0.08}
    demo_secretary_branch = next(
        (pk for pk, _p, name, *_ in branches if name == SECRETARY_BRANCH), None
    )
    late.discard(demo_secretary_branch)  # the secretary's own branch is on time…
    no_lessons.discard(demo_secretary_branch)

    meetings: list[Meeting] = []
    people: dict[int, list[int]] = {}  # meeting index → expected member ids (demo branches)
    codes: set[str] = set()

    def code() -> str:
        while True:
            c = "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6))
            if c not in codes:
                codes.add(c)
                return c

    # 2022 (the seed report's year) up to today at most, and this year up to today
    # (yesterday at the latest: a meeting later today would be held in the future)
    last_day = today - dt.timedelta(days=1)
    years = [(2022, min(dt.date(2022, 12, 31), last_day))]
    if today.year > 2022:
        years.append((today.year, last_day))
    for pk, path, name, kind, _unit in branches:
        roster = members_of.get(pk, [])
        if kind == OrgKind.BRANCH and not roster:
            continue
        owed = (
            (rules.MeetingKind.GROUP_MEETING,)
            if kind == OrgKind.GROUP
            else tuple(
                k
                for k in (
                    "member_assembly",
                    "committee_meeting",
                    "party_lesson",
                    "theme_day",
                    "life_meeting",
                    "member_appraisal",
                )
                if k != "committee_meeting" or seats.get(pk, 0) >= 3
            )
        )
        chair_id = secretaries.get(pk)
        chair_name = names_of.get(chair_id) or (roster[0][1] if roster else "党小组长")
        recorder_name = roster[1][1] if len(roster) > 1 else chair_name
        names = [n for _, n in roster] or [chair_name]
        for year, last in years:
            for kind_code in owed:
                if kind_code == "party_lesson" and pk in no_lessons:
                    continue
                frequency = rules.frequency_of(kind_code)
                for start, end in rules.periods_of(frequency.period, year):
                    if start > last:
                        break
                    if kind_code in ("life_meeting", "member_appraisal"):
                        start = max(start, dt.date(year, 11, 1))  # held in Q4, usually
                        if start > last:
                            continue
                    end = min(end, last)
                    # the late branches miss some periods; everyone misses one now and then
                    if pk in late and rng.random() < 0.35:
                        continue
                    if rng.random() < 0.03:
                        continue
                    if end == last and year == today.year and rng.random() < 0.5:
                        continue  # the current period: not everyone has met yet
                    day = _day_in(rng, start, end)
                    starts = dt.datetime.combine(day, rng.choice(WEEKDAY_TIMES), tzinfo=tz)
                    expected = len(roster)
                    present = max(1, expected - rng.randrange(0, 3)) if expected else 0
                    topic = rng.choice(TOPICS.get(kind_code, ["党小组学习"]))
                    meetings.append(
                        Meeting(
                            org_id=pk,
                            org_path=path,
                            kind=kind_code,
                            topic=topic,
                            place=rng.choice(PLACES),
                            starts_at=starts,
                            ends_at=starts + dt.timedelta(hours=1, minutes=30),
                            status="archived" if year < today.year else "held",
                            chair_id=chair_id,
                            minutes=_minutes(
                                rng,
                                kind_code,
                                topic,
                                day,
                                names,
                                chair_name,
                                recorder_name,
                                present,
                                expected,
                                name,
                            ),
                            sign_in_code=code(),
                            held_at=starts + dt.timedelta(hours=2),
                        )
                    )
                    if pk in demo_branches:  # the roster of the day: not those who joined later
                        people[len(meetings) - 1] = [m for m, _ in roster if joined[m] <= day]
    # a few minutes copied across units: the second branch re-used the first one's record,
    # changing only the names and the date
    by_kind = defaultdict(list)
    for i, m in enumerate(meetings):
        if m.kind == "theme_day" and m.starts_at.year == 2022 and m.org_id not in demo_branches:
            by_kind[m.starts_at.month].append(i)
    unit_of = {pk: unit for pk, _p, _n, _k, unit in branches}
    name_of = {pk: n for pk, _p, n, _k, _u in branches}
    copied = 0
    for month in (3, 6, 9, 11, 12):
        candidates = by_kind.get(month, [])
        rng.shuffle(candidates)
        for i in candidates:
            j = next(
                (
                    j
                    for j in candidates
                    if unit_of[meetings[j].org_id] != unit_of[meetings[i].org_id]
                ),
                None,
            )
            if j is None:
                continue
            source, target = meetings[i], meetings[j]
            text = source.minutes.replace(
                f"{source.starts_at:%Y年%m月%d日}", f"{target.starts_at:%Y年%m月%d日}"
            ).replace(name_of[source.org_id], name_of[target.org_id])
            target.minutes = text
            target.topic = source.topic
            copied += 1
            break

    Meeting.all_objects.bulk_create(meetings, batch_size=1000)
    rows = []
    for index, member_ids in people.items():
        meeting = meetings[index]
        absent = set(rng.sample(member_ids, min(len(member_ids), rng.randrange(0, 3))))
        for member_id in member_ids:
            if member_id in absent:
                status, reason = ("leave", "外出公务") if rng.random() < 0.6 else ("absent", "")
            else:
                status, reason = "present", ""
            rows.append(
                Attendance(
                    meeting_id=meeting.pk,
                    member_id=member_id,
                    status=status,
                    reason=reason,
                    signed_in_at=meeting.starts_at - dt.timedelta(minutes=5)
                    if status == "present"
                    else None,
                )
            )
    Attendance.all_objects.bulk_create(rows, batch_size=2000)
    # the copied-minutes index: the demo indexes 2022's theme days (where the copies are) in
    # bulk and lets the detector find the pairs; meetings recorded later are checked as
    # they are recorded (orglife/copies.py)
    from dangjian.orglife.copies import sweep

    flagged = sweep([m for m in meetings if m.kind == "theme_day" and m.starts_at.year == 2022])
    return Generated(
        meetings=len(meetings), attendance=len(rows), copied_pairs=copied, flagged=flagged
    )


def overdue_summary(today: dt.date) -> dict[str, int]:
    """How many branch-periods of this year are missing (for the demo's printed summary)."""
    from dangjian.orglife.compliance import compliance_grid

    root = Org.all_objects.filter(parent__isnull=True).first()
    if root is None:
        return {}
    return compliance_grid(root, today.year, today).totals()


__all__ = ["Generated", "build_orglife", "overdue_summary"]
