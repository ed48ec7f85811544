"""学习培训 for the demo city (issue 8): the 司法局's 2022 study year as the seed report counts
it, this year's plans and sessions, trainings and exemptions, the library, self-tests, study
notes and the member points derived from all of it.

- The 司法局 (seed report: "共组织全体干警集中学习19场，培训1395人次"): a 2022 plan of its 机关党委
  and the 19 whole-staff sessions that carried it out (集中学习, 专题党课, 宣讲, 报告会, 培训班,
  导学), planned with `session_create`, recorded with orglife's `meeting_record` (minutes from
  a few templates) and archived; who came is chosen so that the present attendances add up to
  exactly 1,395. Trainings (党校, 网络培训) bring most members to their 32 or 56 hours
  (R-EDU-01/02); a handful stay short, one committee member has no concentrated training, two
  old members are exempt (R-EDU-03): the hours page has a short list to show.
- This year: the 工委's video lecture followed in a 分会场 of every unit (hours and points
  across the city), plans for the 司法局 and four other units, their sessions up to today,
  and (from October, when the warnings start) the 司法局's trainings again.
- The library: twelve materials of our own (placeholder files generated here), required
  reading for the 司法局 and the 老干部局 with due dates, reading progress for part of them.
- Self-tests: a bank written from the rules (study_data.py), the city's "学习党的二十大精神知识
  自测" open now and taken by a few hundred members, and the 司法局's own test; the demo
  accounts have taken neither, so a member can take one in the browser.
- Study notes of the demo accounts (a note comes from the member's own account), one copied
  by the second branch's secretary from the first's (flagged by the similarity index).
- Points: every member's ledger of 2022 and this year, rebuilt from the records at the end.

Everything a person does goes through the services (`actor=None` is the system; a test or
a reading names the member; a note comes from his account), except the routine reading of a
few hundred members, written in bulk as the dues demo writes its routine payments.
Deterministic for a given day: one seeded `random.Random`.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.access import subtree_q
from dangjian.demo import study_data as data
from dangjian.members.models import Employment, Member, Standing
from dangjian.orglife import services as orglife
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole
from dangjian.similarity import synthetic
from dangjian.study import services_library as library
from dangjian.study import services_notes as notes
from dangjian.study import services_points as points
from dangjian.study import services_quiz as quizzes
from dangjian.study import services_sessions as sessions
from dangjian.study.models import (
    CopiedNote,
    PointEntry,
    ReadingProgress,
    StudySession,
    Topic,
    TrainingKind,
)
from dangjian.study.selectors_sessions import SHORT, hours_queryset

SEED = 20221023  # the day after the 二十大 closed
PRESENT, LEAVE, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LEAVE,
    AttendanceStatus.ABSENT,
)
LEAVE_REASONS = ("外出办案", "公务出差", "单位值班", "病假", "参加上级培训", "下沉社区")
SHORT_REASONS = ("借调外单位工作", "长期病休")
RETIREE_REASON = "离退休党员，由离退休干部党支部送学"
QUIZ_TAKERS = 320  # the city's test: "a few hundred members"
NOTE_AUTHORS = ("dangyuan", "zbsj", "zbsj2")  # the demo accounts of the 司法局's members


@dataclass
class StudyDemo:
    plans: int = 0
    plan_items: int = 0
    sessions: int = 0  # all study sessions built here
    sfj_sessions_2022: int = 0  # the seed report's 19…
    sfj_person_times_2022: int = 0  # …and 1,395
    trainings: int = 0
    exemptions: int = 0
    sfj_short_2022: int = 0  # members of the 司法局 short of their hours in 2022
    sfj_short_this_year: int = 0
    materials: int = 0
    assignments: int = 0
    readings: int = 0  # finished
    questions: int = 0
    quizzes: int = 0
    attempts: int = 0
    notes: int = 0
    copied_notes: int = 0
    point_entries: int = 0
    seconds: float = 0.0


def _at(day: dt.date, clock: dt.time | int, minute: int = 0) -> dt.datetime:
    if isinstance(clock, int):
        clock = dt.time(clock, minute)
    return dt.datetime.combine(day, clock, tzinfo=timezone.get_current_timezone())


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _ceil(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_CEILING)


# --- placeholder files of the library ----------------------------------------------------------


def _docx(title: str, description: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph(description)
    document.add_paragraph(data.PLACEHOLDER_NOTE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text (Helvetica needs no embedded font)."""
    text = " ".join(f"({line}) Tj T*" for line in lines)
    stream = f"BT /F1 14 Tf 72 760 Td 22 TL {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


class _Demo:
    def __init__(self, today: dt.date):
        from dangjian.demo.city import LGB, SFJ

        self.today = today
        self.rng = random.Random(SEED)
        self.result = StudyDemo()
        self.root = Org.all_objects.get(parent__isnull=True)
        self.sfj_top = self._top(SFJ)
        self.sfj = self._holder(self.sfj_top)
        self.lgb_top = self._top(LGB)
        # the demo accounts' members keep a clean record (their notes aside): the story is
        # about the others, and the member account has every test and reading still to do
        self.accounts = set(User.objects.exclude(member=None).values_list("member_id", flat=True))
        self.meetings: list[Meeting] = []  # planned here: their notices are dropped at the end

    @staticmethod
    def _top(unit_name: str) -> Org:
        return (
            Org.all_objects.filter(unit__name=unit_name, kind=OrgKind.PARTY_GROUP)
            .order_by("path")
            .first()
        )

    @staticmethod
    def _holder(top: Org) -> Org:
        """Who holds a unit's whole-staff study: its 机关党委, else the top body."""
        return (
            Org.all_objects.filter(parent=top, kind=OrgKind.ORGAN_COMMITTEE, dissolved_on=None)
            .order_by("path")
            .first()
            or top
        )

    # --- orglife's stand-ins --------------------------------------------------------------------

    # --- plans ----------------------------------------------------------------------------------

    def plan(self, org: Org, year: int, lines, title: str) -> list:
        plan = sessions.plan_save(
            actor=None,
            org=org,
            year=year,
            title=title,
            note="按照市直机关工委年度党员教育培训安排制定（演示数据）。",
        )
        items = [
            sessions.plan_item_add(
                actor=None,
                plan=plan,
                month=line.month,
                topic=line.topic,
                form=line.form,
                mode=line.mode,
                hours=line.hours,
            )
            for line in lines
        ]
        self.result.plans += 1
        self.result.plan_items += len(items)
        return items

    # --- sessions -------------------------------------------------------------------------------

    def session(self, org, day, form, topic, speaker, item=None, mode="in_person", place=""):
        start, minutes, hours = data.FORM_TIMES[form]
        starts = _at(day, start)
        place = place or (data.ONLINE_PLACE if mode == "online" else data.PLACES[form])
        session = sessions.session_create(
            actor=None,
            org=org,
            form=form,
            mode=mode,
            topic=topic,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=minutes),
            hours=hours,
            place=place,
            speaker=speaker,
            plan_item=item,
        )
        self.meetings.append(session.meeting)
        self.result.sessions += 1
        return session

    def roster(self, meeting: Meeting) -> list[int]:
        return list(
            Attendance.all_objects.filter(meeting=meeting)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )

    def record(self, session, attendance: dict[int, tuple[str, str]], names: dict[int, str]):
        meeting = session.meeting
        present = [pk for pk, (status, _) in attendance.items() if status == PRESENT]
        chair, recorder = self._officers(meeting, attendance)
        minutes = self.minutes(session, present, len(attendance), names, chair, recorder)
        orglife.meeting_record(
            actor=None,
            meeting=meeting,
            attendance=attendance,
            minutes=minutes,
            chair=chair,
            recorder=recorder,
            now=meeting.ends_at + dt.timedelta(hours=1),
        )
        if meeting.starts_at.year < self.today.year:  # last year's records are archived
            orglife.meeting_archive(
                actor=None, meeting=meeting, now=meeting.ends_at + dt.timedelta(days=3)
            )

    def _officers(self, meeting, attendance) -> tuple[Member | None, Member | None]:
        seats = list(
            CommitteeSeat.all_objects.filter(org_id=meeting.org_id, ended_on__isnull=True)
            .exclude(role=SeatRole.GROUP_LEADER)
            .order_by("role", "id")
            .values_list("role", "member_id")
        )
        on_roster = [(role, pk) for role, pk in seats if pk in attendance]
        chair = next((pk for role, pk in on_roster if role == SeatRole.SECRETARY), None)
        chair = chair or next((pk for _, pk in on_roster), None)
        recorder = next((pk for _, pk in on_roster if pk != chair), None)
        people = Member.all_objects.in_bulk([pk for pk in (chair, recorder) if pk])
        return people.get(chair), people.get(recorder)

    def minutes(self, session, present, expected, names, chair, recorder) -> str:
        """The record of the day: who, what was studied, what people said, what was asked."""
        rng, meeting = self.rng, session.meeting
        day = timezone.localtime(meeting.starts_at)
        topic = meeting.topic.removeprefix(f"{data.SESSION_TOPIC_PREFIX}：")
        speaker = session.speaker or "主讲人"
        lines = [
            f"{day:%Y年%m月%d日%H:%M}，{meeting.org.name}在{meeting.place}组织"
            f"{session.get_form_display()}，主题为“{topic}”。"
            f"主持人：{chair.name if chair else '单位主要负责同志'}，"
            f"记录人：{recorder.name if recorder else '党务干部'}。"
            f"应到{expected}人，实到{len(present)}人，请假和缺席{expected - len(present)}人。",
            "一、学习内容。"
            + rng.choice(data.STUDY_PARAGRAPHS[session.form]).format(speaker=speaker, topic=topic),
            "二、交流发言。",
        ]
        speakers = rng.sample(present, min(len(present), rng.randint(3, 5)))
        works = data.WORKS if meeting.org_path.startswith(self.sfj_top.path) else synthetic.SUBJECTS
        for pk in speakers:
            work = rng.choice(works)
            said = rng.choice(data.DISCUSSION).format(a=names.get(pk, "一名党员"), work=work)
            lines.append(said + self._example(data.EXAMPLE, rng.choice(works)))
        lines.append("三、会议要求。" + rng.choice(data.REQUIREMENTS))
        return "\n".join(lines)

    def _example(self, template: str, work: str) -> str:
        """A case from the speaker's own work (the plain phrases of similarity.synthetic):
        two records share a template, rarely the cases."""
        rng = self.rng
        return template.format(
            work=work,
            problem=rng.choice(synthetic.PROBLEMS),
            measure=rng.choice(synthetic.MEASURES),
        )

    # --- the 司法局's 2022 ---------------------------------------------------------------------

    def sfj_2022(self) -> None:
        items = self.plan(self.sfj, 2022, data.SFJ_2022_PLAN, "市司法局2022年度党员干部学习计划")
        last = min(dt.date(2022, 12, 31), self.today - dt.timedelta(days=1))
        due = [s for s in data.SFJ_2022_SESSIONS if dt.date(2022, s.month, s.day) <= last]
        if not due:
            return
        target = round(data.SFJ_PERSON_TIMES * len(due) / data.SFJ_SESSIONS)
        held = [
            self.session(
                self.sfj,
                dt.date(2022, s.month, s.day),
                s.form,
                f"{data.SESSION_TOPIC_PREFIX}：{s.topic}",
                s.speaker,
                items[s.line],
                s.mode,
            )
            for s in due
        ]
        rosters = [self.roster(h.meeting) for h in held]
        people = self._people([h.meeting for h in held], 2022)
        short = self._pick_short(people, 2022)
        no_course = self._pick_no_course(people, short)
        rng = self.rng
        propensity = {}
        for pk, p in people.items():
            if p["retired"]:
                propensity[pk] = 0.5
            elif pk in short:
                propensity[pk] = 0.3
            elif p["committee"] or pk in self.accounts:
                propensity[pk] = 0.93
            else:
                propensity[pk] = rng.uniform(0.6, 0.92)
        present: list[set[int]] = []
        for spec, roster in zip(due, rosters, strict=True):
            came = set()
            for pk in roster:
                if people[pk]["retired"] and not spec.retirees:
                    continue
                if pk in no_course and spec.form == "course":
                    continue
                if rng.random() < propensity[pk]:
                    came.add(pk)
            present.append(came)
        # hit the report's figure: flip ordinary members' attendance until it adds up
        movable = {
            pk for pk, p in people.items() if not p["retired"] and pk not in short | self.accounts
        }
        cells = [
            (i, pk)
            for i, roster in enumerate(rosters)
            for pk in roster
            if pk in movable and not (pk in no_course and due[i].form == "course")
        ]
        rng.shuffle(cells)
        total = sum(map(len, present))
        for i, pk in cells:
            if total == target:
                break
            if total > target and pk in present[i]:
                present[i].discard(pk)
                total -= 1
            elif total < target and pk not in present[i]:
                present[i].add(pk)
                total += 1
        names = {pk: p["name"] for pk, p in people.items()}
        for session, roster, came in zip(held, rosters, present, strict=True):
            attendance = {}
            for pk in roster:
                if pk in came:
                    attendance[pk] = (PRESENT, "")
                elif people[pk]["retired"]:
                    attendance[pk] = (LEAVE, RETIREE_REASON)
                elif pk in short:
                    attendance[pk] = (LEAVE, SHORT_REASONS[pk % len(SHORT_REASONS)])
                elif rng.random() < 0.7:
                    attendance[pk] = (LEAVE, rng.choice(LEAVE_REASONS))
                else:
                    attendance[pk] = (ABSENT, "")
            self.record(session, attendance, names)
        self.result.sfj_sessions_2022 = len(held)
        self.result.sfj_person_times_2022 = total
        self.top_up(2022, short, no_course, exempt=2)

    def _people(self, meetings: list[Meeting], year: int) -> dict[int, dict]:
        """What the story needs of each member on the meetings' rosters: name, retired, on an
        elected committee that year (R-EDU-02's 56 hours), joined when."""
        on_roster = Attendance.all_objects.filter(meeting__in=meetings).values("member_id")
        committee = set(
            CommitteeSeat.all_objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1)),
                member_id__in=on_roster,
                started_on__lte=dt.date(year, 12, 31),
            )
            .exclude(role=SeatRole.GROUP_LEADER)
            .values_list("member_id", flat=True)
        )
        return {
            pk: {
                "name": name,
                "retired": employment == Employment.RETIRED,
                "committee": pk in committee,
                "joined": joined,
            }
            for pk, name, employment, joined in Member.all_objects.filter(
                pk__in=on_roster
            ).values_list("pk", "name", "employment", "joined_on")
        }

    def _pick_short(self, people: dict[int, dict], year: int) -> set[int]:
        """A handful of ordinary members who miss most sessions (seconded, long sick leave)."""
        pool = sorted(
            pk
            for pk, p in people.items()
            if not p["retired"]
            and not p["committee"]
            and pk not in self.accounts
            and p["joined"] < dt.date(year, 1, 1)
        )
        return set(self.rng.sample(pool, min(4, len(pool))))

    def _pick_no_course(self, people: dict[int, dict], short: set[int]) -> set[int]:
        """One committee member who missed the training courses (R-EDU-02: no concentrated
        training this year)."""
        pool = sorted(
            pk
            for pk, p in people.items()
            if p["committee"] and not p["retired"] and pk not in self.accounts | short
        )
        return set(self.rng.sample(pool, min(1, len(pool))))

    # --- hours: trainings and exemptions --------------------------------------------------------

    def top_up(self, year: int, short: set[int], no_course: set[int], *, exempt: int) -> None:
        """Bring every member of the 司法局 to his hours but the chosen few: a 党校 course for
        committee members without a concentrated training, online courses for the rest. The
        `short` get nothing; `no_course` get online hours only (R-EDU-02's concentrated
        training stays missing); the `exempt` oldest retired members are exempted (R-EDU-03)
        and the next one did not study online."""
        rng = self.rng
        rows = list(
            hours_queryset(subtree_q("org_path", self.sfj_top.path), year)
            .order_by("birth_date", "pk")
            .values_list("pk", "employment", "earned_t", "required_t", "committee", "concentrated")
        )
        retired = [r for r in rows if r[1] == Employment.RETIRED]
        exempted = {r[0] for r in retired[:exempt]}
        for pk in sorted(exempted):
            sessions.exemption_grant(
                actor=None,
                member=Member.all_objects.get(pk=pk),
                year=year,
                reason="old",
                note="年事已高、行动不便，由支部送学上门（R-EDU-03）",
            )
            self.result.exemptions += 1
        # one retired member who did not study online either stays short
        left_short = {r[0] for r in retired[exempt : exempt + 1]}
        last = min(dt.date(year, 12, 20), self.today - dt.timedelta(days=1))
        members = Member.all_objects.in_bulk([r[0] for r in rows])
        for pk, employment, earned_t, required_t, committee, concentrated in rows:
            member = members[pk]
            if (
                pk in exempted | short | left_short
                or member.left_on is not None
                or member.standing != Standing.NORMAL
            ):
                continue
            earned = Decimal(earned_t) / 10
            gap = Decimal(required_t) / 10 - earned
            if committee and not concentrated and pk not in no_course:
                hours = max(Decimal(24), _ceil(gap) + rng.choice((0, 4, 8)))
                end = _weekday(last - dt.timedelta(days=rng.randint(20, 80)))
                self._training(
                    member, data.PARTY_SCHOOL, TrainingKind.PARTY_SCHOOL, end, 5, hours, True
                )
                gap -= hours
            if gap > 0:
                course = data.RETIREE_COURSE if employment == Employment.RETIRED else None
                end = last - dt.timedelta(days=rng.randint(0, 25))
                hours = _ceil(gap) + rng.choice((1, 2, 4, 6))
                self._training(
                    member, course or data.ONLINE_COURSE, TrainingKind.ONLINE, end, 30, hours
                )

    def _training(self, member, what, kind, ended_on, days, hours, concentrated=False):
        provider, title = what
        started_on = max(ended_on - dt.timedelta(days=days - 1), dt.date(ended_on.year, 1, 1))
        sessions.training_submit(
            actor=None,
            member=member,
            title=f"{ended_on.year}年{title}",
            provider=provider,
            kind=kind,
            started_on=started_on,
            ended_on=ended_on,
            hours=hours,
            is_concentrated=concentrated,
        )
        self.result.trainings += 1

    # --- this year --------------------------------------------------------------------------------

    def this_year(self) -> None:
        from dangjian.demo.city import SFJ

        year = self.today.year
        if year <= 2022:  # the 2022 story is this year's
            return
        units = [(SFJ, self.sfj_top), *((n, self._top(n)) for n in data.OTHER_UNITS)]
        for name in data.OTHER_UNITS_2022:
            top = self._top(name)
            if top is not None:
                self.plan(self._holder(top), 2022, data.THIS_YEAR_PLAN, f"{name}2022年度学习计划")
        self.city_wide()
        for n, (name, top) in enumerate(units):
            if top is None:
                continue
            holder = self._holder(top)
            items = self.plan(holder, year, data.THIS_YEAR_PLAN, f"{name}{year}年度学习计划")
            done = [i for i in items if i.month < self.today.month]
            if top != self.sfj_top:  # a few sessions in the other units
                done = done[n % 2 :: 3]
            held = []
            for k, item in enumerate(done):
                day = _weekday(dt.date(year, item.month, 8 + (k * 5 + n * 3) % 18))
                speaker = self.rng.choice(data.SPEAKERS)
                held.append(
                    self.session(holder, day, item.form, item.topic, speaker, item, item.mode)
                )
            rosters = [self.roster(h.meeting) for h in held]
            people = self._people([h.meeting for h in held], year)
            names = {pk: p["name"] for pk, p in people.items()}
            short: set[int] = set()
            no_course: set[int] = set()
            if top == self.sfj_top:
                short = self._pick_short(people, year)
                no_course = self._pick_no_course(people, short)
            for session, roster in zip(held, rosters, strict=True):
                attendance = {}
                for pk in roster:
                    if people[pk]["retired"]:
                        invited = session.form in ("report", "party_lesson")
                        came = invited and self.rng.random() < 0.4
                        attendance[pk] = (PRESENT, "") if came else (LEAVE, RETIREE_REASON)
                    elif pk in no_course and session.form == "course":
                        attendance[pk] = (LEAVE, "参加市委巡察工作")
                    elif self.rng.random() < (0.95 if pk in self.accounts else 0.84):
                        attendance[pk] = (PRESENT, "")
                    else:
                        attendance[pk] = (LEAVE, self.rng.choice(LEAVE_REASONS))
                self.record(session, attendance, names)
            # from October the shortfalls are warned about: most of the 司法局 have caught up
            if top == self.sfj_top and self.today.month >= 10:
                self.top_up(year, short, no_course, exempt=2)

    def city_wide(self) -> None:
        """The 工委's video lecture for the whole 市直机关 six weeks ago, followed in every unit
        (a 分会场 each, held by the unit's 机关党委 or 党组 for its members): study hours and
        points across the city (the branches' own meetings carry no attendance in the demo,
        orglife.py)."""
        day = _weekday(self.today - dt.timedelta(days=45))
        if day.year != self.today.year:
            return
        tops = Org.all_objects.filter(kind=OrgKind.PARTY_GROUP, dissolved_on=None).order_by("path")
        for top in tops:
            session = self.session(
                self._holder(top),
                day,
                "report",
                data.CITY_LECTURE,
                data.CITY_SPEAKER,
                mode="online",
                place=data.CITY_PLACE,
            )
            people = self._people([session.meeting], day.year)
            attendance = {}
            for pk in self.roster(session.meeting):
                if people[pk]["retired"]:
                    attendance[pk] = (LEAVE, RETIREE_REASON)
                elif pk in self.accounts or self.rng.random() < 0.86:
                    attendance[pk] = (PRESENT, "")
                else:
                    attendance[pk] = (LEAVE, self.rng.choice(LEAVE_REASONS))
            self.record(session, attendance, {pk: p["name"] for pk, p in people.items()})

    # --- the library ------------------------------------------------------------------------------

    def library(self) -> None:
        """The materials (documents get a placeholder file made here), who must read what by
        when, and how far the 司法局's and the 老干部局's members have come."""
        rng = self.rng
        owners = {"root": self.root, "sfj": self.sfj_top, "lgb": self.lgb_top}
        topics = {}
        for sort, name in enumerate(
            ("二十大精神", "党章党规", "党内条例", "党史学习", "理论武装", "业务知识"), start=1
        ):
            # shared reference rows (the migration's; `flush` empties them)
            topics[name], _ = Topic.objects.get_or_create(name=name, defaults={"sort": sort})
        readers = {
            key: [
                m
                for m in Member.all_objects.filter(
                    subtree_q("org_path", owners[key].path),
                    left_on__isnull=True,
                    standing=Standing.NORMAL,
                ).order_by("pk")
                if m.pk not in self.accounts
            ]
            for key in ("sfj", "lgb")
        }
        progress: list[ReadingProgress] = []
        for n, spec in enumerate(data.MATERIALS):
            upload = None
            if spec.kind == "document":
                if n % 4 == 2:  # a few are PDFs
                    upload = SimpleUploadedFile(f"{spec.title}.pdf", _pdf(data.PLACEHOLDER_PDF))
                else:
                    upload = SimpleUploadedFile(
                        f"{spec.title}.docx", _docx(spec.title, spec.description)
                    )
            material = library.material_create(
                actor=None,
                org=owners[spec.owner],
                topic=topics[spec.topic],
                title=spec.title,
                description=spec.description,
                kind=spec.kind,
                file=upload,
                url=spec.url,
                minutes=spec.minutes,
            )
            self.result.materials += 1
            for key in spec.assign_to:
                library.material_assign(
                    actor=None,
                    material=material,
                    org=owners[key],
                    due_on=self.today + dt.timedelta(days=spec.due_days),
                    today=self.today,
                )
                self.result.assignments += 1
                # three weeks since it was assigned: about half have finished, some started
                for member in readers[key]:
                    roll = rng.random()
                    if roll > 0.7:
                        continue
                    opened = _at(
                        self.today - dt.timedelta(days=rng.randint(2, 21)),
                        rng.randint(8, 21),
                        rng.randint(0, 59),
                    )
                    done = None
                    if roll < 0.55:
                        done = opened + dt.timedelta(minutes=spec.minutes + rng.randint(0, 30))
                        self.result.readings += 1
                    progress.append(
                        ReadingProgress(
                            material=material,
                            member=member,
                            org_path=member.org_path,
                            opened_at=opened,
                            completed_at=done,
                        )
                    )
        # the routine reading of a few hundred members, in bulk (as the dues demo writes its
        # routine payments): the ledger they feed is rebuilt from them at the end
        ReadingProgress.all_objects.bulk_create(progress, batch_size=1000)

    # --- self-tests ------------------------------------------------------------------------------

    def quizzes(self) -> None:
        bank = quizzes.bank_create(
            actor=None, org=self.root, title=data.BANK_TITLE, description=data.BANK_DESCRIPTION
        )
        for q in data.QUESTIONS:
            quizzes.question_add(
                actor=None,
                bank=bank,
                kind=q.kind,
                text=q.text,
                options=list(q.options),
                answer=list(q.answer),
                explanation=q.explanation,
                rule_ref=q.rule_ref,
            )
            self.result.questions += 1
        opens = _at(self.today - dt.timedelta(days=20), 8)
        city = quizzes.quiz_create(
            actor=None,
            org=self.root,
            bank=bank,
            title="学习党的二十大精神知识自测",
            question_count=10,
            time_limit_minutes=15,
            pass_score=60,
            opens_at=opens,
            closes_at=_at(self.today + dt.timedelta(days=30), 22),
        )
        sfj = quizzes.quiz_create(
            actor=None,
            org=self.sfj_top,
            bank=bank,
            title="市司法局党章党规知识测试",
            question_count=10,
            time_limit_minutes=20,
            pass_score=60,
            opens_at=_at(self.today - dt.timedelta(days=12), 8),
            closes_at=_at(self.today + dt.timedelta(days=10), 22),
        )
        self.result.quizzes += 2
        ordinary = Member.all_objects.filter(
            left_on__isnull=True, standing=Standing.NORMAL, employment=Employment.IN_SERVICE
        ).exclude(pk__in=self.accounts)
        everyone = list(ordinary.order_by("pk").values_list("pk", flat=True))
        takers = sorted(self.rng.sample(everyone, min(QUIZ_TAKERS, len(everyone))))
        sfj_people = list(
            ordinary.filter(subtree_q("org_path", self.sfj_top.path))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        sfj_takers = [pk for pk in sfj_people if self.rng.random() < 0.7]
        members = Member.all_objects.in_bulk(sorted(set(takers) | set(sfj_takers)))
        questions = {q.pk: q for q in bank.questions.all()}
        for quiz, who in ((city, takers), (sfj, sfj_takers)):
            for pk in who:
                self._take(quiz, members[pk], questions)

    def _take(self, quiz, member: Member, questions: dict) -> None:
        """One member's attempt, some day since the test opened: he knows each answer with his
        own likelihood, so the scores spread."""
        rng = self.rng
        last = self.today - dt.timedelta(days=1)
        first = timezone.localtime(quiz.opens_at).date()
        day = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
        started = _at(day, rng.randint(8, 21), rng.randint(0, 59))
        if started < quiz.opens_at:
            started = quiz.opens_at + dt.timedelta(minutes=rng.randint(1, 90))
        attempt = quizzes.quiz_start(actor=None, quiz=quiz, member=member, now=started)
        knows = rng.uniform(0.45, 1.0)
        answers = {}
        for qid in attempt.question_ids:
            q = questions[qid]
            right = list(q.answer)
            if rng.random() < knows:
                answers[qid] = right
            elif q.kind == "multiple":
                answers[qid] = right[:-1] if len(right) > 1 else [*right, len(q.options) - 1]
            else:
                answers[qid] = [rng.choice([i for i in range(len(q.options)) if i not in right])]
        spent = dt.timedelta(minutes=rng.randint(3, quiz.time_limit_minutes - 1))
        quizzes.quiz_submit(actor=None, attempt=attempt, answers=answers, now=started + spent)
        self.result.attempts += 1

    # --- study notes ------------------------------------------------------------------------------

    def notes(self) -> None:
        """心得体会 of the 司法局's demo accounts (a note is handed in by the member's own
        account) on the 2022 sessions they attended, two each; the second branch's secretary
        handed in the first secretary's note with a few words changed: flagged."""
        rng = self.rng
        authors = list(
            User.objects.filter(username__in=NOTE_AUTHORS, member__isnull=False)
            .select_related("member")
            .order_by("username")
        )
        by_name = {u.username: u for u in authors}
        written = {}
        for user in authors:
            attended = list(
                StudySession.all_objects.filter(
                    subtree_q("org_path", self.sfj.path),
                    meeting__starts_at__year=2022,
                    meeting__attendances__member_id=user.member_id,
                    meeting__attendances__status=PRESENT,
                )
                .select_related("meeting")
                .order_by("-meeting__starts_at")[:2]
            )
            for session in attended:
                k = sum(len(v) for v in written.values())
                topic = session.meeting.topic.removeprefix(f"{data.SESSION_TOPIC_PREFIX}：")
                when = session.meeting.ends_at + dt.timedelta(days=rng.randint(1, 6), hours=2)
                note = notes.note_submit(
                    actor=user,
                    title=data.NOTE_TITLES[k % len(data.NOTE_TITLES)].format(topic=topic),
                    text=self._note_text(k, topic),
                    session=session,
                    now=min(when, _at(self.today - dt.timedelta(days=1), 20)),
                )
                written.setdefault(user.username, []).append(note)
                self.result.notes += 1
        source = (written.get("zbsj") or [None])[0]
        copier = by_name.get("zbsj2")
        if source is not None and copier is not None:
            text = source.text.replace("我", "本人", 1).replace("。", "！", 1)
            notes.note_submit(
                actor=copier,
                title=source.title,
                text=text,
                now=min(
                    source.submitted_at + dt.timedelta(days=1, hours=3),
                    _at(self.today - dt.timedelta(days=1), 22),
                ),
            )
            self.result.notes += 1
        self.result.copied_notes = CopiedNote.all_objects.count()

    def _note_text(self, k: int, topic: str) -> str:
        """Note `k`: its opening, reflections and resolution picked by turns (two notes rarely
        share more than one sentence), the member's own case in the middle."""
        rng, reflections = self.rng, data.NOTE_REFLECTIONS
        work = rng.choice(data.WORKS)
        return "".join(
            [
                data.NOTE_OPENINGS[k % len(data.NOTE_OPENINGS)].format(topic=topic),
                reflections[k % len(reflections)].format(work=work),
                self._example(data.NOTE_EXAMPLE, work),
                reflections[(k + 3) % len(reflections)].format(work=work),
                data.NOTE_RESOLUTIONS[k % len(data.NOTE_RESOLUTIONS)],
            ]
        )

    # --- the end --------------------------------------------------------------------------------

    def tidy_notices(self) -> None:
        """The sessions were held long ago: their 会议通知 would only clutter today's inbox
        (as the recruitment demo does with its meetings)."""
        from dangjian.notify.models import Notification

        Notification.objects.filter(topic__in=[f"meeting:{m.pk}" for m in self.meetings]).delete()

    def points(self) -> None:
        """Every member's ledger of 2022 and of this year, rebuilt from the records in chunks
        (services_points.points_refresh_all); build_city pauses the per-write rebuilds
        (points_hooks.paused), which would only redo it."""
        for year in sorted({2022, self.today.year}):
            points.points_refresh_all(year=year)
        self.result.point_entries = PointEntry.all_objects.count()

    def counts(self) -> None:
        from dangjian.study.selectors_sessions import hours_queryset as hours

        def short(year: int) -> int:
            return (
                hours(subtree_q("org_path", self.sfj_top.path), year)
                .filter(SHORT, exempt=False)
                .count()
            )

        self.result.sfj_short_2022 = short(2022)
        if self.today.year > 2022:
            self.result.sfj_short_this_year = short(self.today.year)


def build_study(today: dt.date) -> StudyDemo:
    started = time.perf_counter()
    demo = _Demo(today)
    if demo.sfj_top is None or demo.lgb_top is None:
        return demo.result
    demo.sfj_2022()
    demo.this_year()
    demo.library()
    demo.quizzes()
    demo.notes()
    demo.tidy_notices()
    demo.points()
    demo.counts()
    demo.result.seconds = round(time.perf_counter() - started, 2)
    return demo.result


__all__ = ["StudyDemo", "build_study"]
