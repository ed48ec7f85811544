"""发展党员 for the demo city: a few dozen candidates at every stage, their steps recorded
through the services as the branches and the 机关党委 would have recorded them.

Each candidate follows the standard flow (rules.md §3.1) with the usual gaps between steps,
started so that today finds him at a chosen stage. Some files break a time rule, as real
ones do, so the board shows errors and warnings with their rules:

- a 发展对象 fixed ten months after he became an activist (R-DEV-07, an error);
- a talk held seven weeks after the application (R-DEV-03);
- an activist not assessed for more than six months (R-DEV-06);
- an acceptance the committee has not approved four months on (R-DEV-17);
- a probation that ended weeks ago with no conversion meeting (R-DEV-21);
- a training of two days with the reason recorded (R-DEV-11, overridden).

The secretary's own branch holds a dozen of them, with steps due this week and next. The
支部党员大会 that accept and convert are held (and recorded) through organisational life, so
their votes follow R-DEV-15. Deterministic for a given day.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q
from stdnum.cn import ric

from dangjian.accounts.models import User
from dangjian.core import crypto
from dangjian.core.workcalendar import work_calendar
from dangjian.members.models import Category, Member, Standing
from dangjian.orglife import services as orglife
from dangjian.orglife.models import AttendanceStatus, Meeting, MeetingStatus
from dangjian.orglife.services_votes import voting_counts
from dangjian.orgs.models import Org, OrgKind
from dangjian.recruitment import services as recruit
from dangjian.recruitment.models import Candidate
from dangjian.rules.base import add_months

TZ = ZoneInfo("Asia/Shanghai")
SEED = 7


@dataclass
class RecruitmentDemo:
    candidates: int = 0
    steps: int = 0
    with_errors: int = 0
    with_warnings: int = 0
    members_added: int = 0  # approved: 预备党员 (and those since converted) on the roster
    probationary_added: int = 0
    meetings_added: int = 0  # the 支部党员大会 held for the votes


@dataclass(frozen=True)
class Profile:
    """How far a candidate has come: days since his application, and what goes wrong."""

    days: int
    flaw: str = ""


# the secretary's branch: every stage, steps due soon, three broken rules
MINE = (
    Profile(9),  # talk due within the month (R-DEV-03)
    Profile(48, "no_talk"),  # the month has passed without a talk
    Profile(120),
    Profile(60 + 365 - 8),  # an activist whose year is up next week (R-DEV-07)
    Profile(380, "no_assessment"),
    Profile(470, "short_activist"),  # fixed as 发展对象 after ten months (R-DEV-07)
    Profile(505),
    Profile(640, "no_approval"),  # accepted, no approval four months on (R-DEV-17)
    Profile(700),
    Profile(60 + 375 + 80 + 365 - 12),  # probation ends in about twelve days
    Profile(60 + 375 + 80 + 365 + 40, "no_conversion"),  # probation over, no meeting
    Profile(1000),  # converted
)
OTHERS = (
    Profile(15),
    Profile(30),
    Profile(70, "late_talk"),
    Profile(150),
    Profile(240),
    Profile(300),
    Profile(420),
    Profile(480, "short_training"),
    Profile(520),
    Profile(600),
    Profile(650),
    Profile(760),
    Profile(820),
    Profile(880, "late_oath"),
    Profile(950),
    Profile(1050),
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


class _Demo:
    def __init__(self, today: dt.date):
        from dangjian.demo.city import GIVEN, SECRETARY_BRANCH, SFJ, SURNAMES

        self.today = today
        self.rng = random.Random(SEED)
        self.calendar = work_calendar()
        self.surnames, self.given = SURNAMES, GIVEN
        self.branch = Org.all_objects.get(name=SECRETARY_BRANCH)
        self.sfj_admin = User.objects.filter(username="sfjadmin").first()
        unit_branches = (
            Org.all_objects.filter(
                kind=OrgKind.BRANCH, dissolved_on__isnull=True, is_retiree_branch=False
            )
            .exclude(pk=self.branch.pk)
            .order_by("path")
        )
        sfj = [b for b in unit_branches if b.name.startswith(SFJ)]
        rest = [b for b in unit_branches if not b.name.startswith(SFJ)]
        self.other_branches = sfj[:2] + self.rng.sample(rest, min(6, len(rest)))
        self.result = RecruitmentDemo()
        self.meetings: dict[tuple[int, dt.date], Meeting] = {}
        self.created_meetings: list[Meeting] = []
        self.used_ids: set[str] = set()

    # --- people -------------------------------------------------------------------------

    def _name(self) -> tuple[str, str]:
        from dangjian.members.models import Sex

        sex = self.rng.choice([Sex.MALE, Sex.FEMALE])
        first, last = self.given[("new", sex)]
        name = self.rng.choice(self.surnames[:60]) + self.rng.choice(first) + self.rng.choice(last)
        return name, ("1" if sex == Sex.MALE else "2")

    def _id_number(self, birth: dt.date, male: bool) -> str:
        while True:
            seq = self.rng.randint(500, 999)
            seq += (seq % 2) != male  # odd for men
            body = f"420302{birth:%Y%m%d}{seq % 1000:03d}"
            number = body + ric.calc_check_digit(body + "0")
            digest = crypto.digest(number)
            if digest in self.used_ids:
                continue
            if not Member.all_objects.filter(id_digest=digest).exists():
                self.used_ids.add(digest)
                return number

    def _full_members(self, branch: Org, day: dt.date, n: int) -> list[Member]:
        return list(
            Member.all_objects.filter(
                branch=branch,
                category=Category.FULL,
                left_on__isnull=True,
                standing=Standing.NORMAL,
            )
            .filter(Q(converted_on__isnull=True) | Q(converted_on__lte=day))
            .order_by("pk")[:n]
        )

    # --- the 支部党员大会 that vote --------------------------------------------------------

    def _assembly(self, branch: Org, day: dt.date, topic: str) -> Meeting:
        key = (branch.pk, day)
        if key in self.meetings:
            return self.meetings[key]
        existing = (
            Meeting.objects.unscoped()
            .filter(
                org=branch,
                kind="member_assembly",
                status=MeetingStatus.HELD,
                starts_at__gte=_at(day, 0),
                starts_at__lt=_at(day + dt.timedelta(days=1), 0),
            )
            .first()
        )
        if existing is None:
            meeting = orglife.meeting_plan(
                actor=None,
                org=branch,
                kind="member_assembly",
                topic=topic,
                starts_at=_at(day, 15),
                ends_at=_at(day, 17),
                place="党员活动室",
            )
            roster = meeting.attendances.values_list("member_id", flat=True)
            self.created_meetings.append(meeting)
            existing = orglife.meeting_record(
                actor=None,
                meeting=meeting,
                attendance={pk: (AttendanceStatus.PRESENT, "") for pk in roster},
                minutes=f"{topic}。支部委员会报告审查情况，入党介绍人介绍有关情况，与会党员充分讨论。",
            )
        self.meetings[key] = existing
        return existing

    def _vote(self, branch: Org, day: dt.date, topic: str) -> tuple[Meeting, tuple[int, int, int]]:
        meeting = self._assembly(branch, day, topic)
        entitled, present = voting_counts(meeting)
        yes = present - 1 if present - 1 > entitled / 2 else present
        return meeting, (yes, 0, present - yes)

    # --- one candidate ---------------------------------------------------------------------

    def candidate(self, branch: Org, profile: Profile) -> Candidate | None:
        applied = self.today - dt.timedelta(days=profile.days)
        name, sex = self._name()
        age_days = 365 * self.rng.randint(26, 36) + self.rng.randint(0, 300)
        birth = applied - dt.timedelta(days=age_days)
        if birth.year > 2000:  # the demo roster's in-service members are born 1962–2000
            birth = birth.replace(year=2000)
        candidate = recruit.candidate_create(
            actor=None,
            branch=branch,
            name=name,
            sex=sex,
            birth_date=birth,
            application_on=applied,
            education=self.rng.choice(["21", "31", "11"]),
            unit_post=self.rng.choice(["科员", "副主任科员", "四级主任科员", "办事员"]),
            today=self.today,
        )
        self.result.candidates += 1
        flaw = profile.flaw
        plan = self._plan(applied, flaw)
        for step, day, extra in plan:
            if day > self.today:
                break
            if not self._record(candidate, branch, step, day, extra, sex == "1", birth):
                break
        candidate.refresh_from_db()
        return candidate

    def _plan(self, applied: dt.date, flaw: str) -> list[tuple[str, dt.date, dict]]:
        """The candidate's steps with their days, from the application on."""
        d = dt.timedelta
        plan: list[tuple[str, dt.date, dict]] = []
        talk = applied + d(days=49 if flaw == "late_talk" else 14)
        if flaw != "no_talk":
            plan.append(("talk", talk, {}))
        activist = applied + d(days=60)
        plan += [
            ("activist", activist, {}),
            ("activist_filing", activist + d(days=7), {}),
            ("contacts", activist + d(days=7), {"people": 2}),
        ]
        year = 10 if flaw == "short_activist" else 12
        if flaw != "no_assessment":
            plan.append(("assessment", add_months(activist, 6), {}))
        publicity = add_months(activist, year) + d(days=3)
        publicity_end = self.calendar.add_workdays(publicity, 5)
        prospect = publicity_end + d(days=2)
        if year == 12 and flaw != "no_assessment":
            plan.append(("assessment", add_months(activist, 12) - d(days=5), {}))
        plan += [
            ("prospect_publicity", publicity, {"end_on": publicity_end}),
            ("prospect", prospect, {}),
            ("prospect_filing", prospect + d(days=5), {}),
            ("introducers", prospect + d(days=5), {"people": 2}),
            ("political_review", prospect + d(days=20), {"passed": True}),
        ]
        if flaw == "short_training":
            training = {
                "days": 2,
                "hours": 16,
                "override_rule": "R-DEV-11",
                "override_reason": "党校集中培训因故压缩为两天，经机关党委同意以线上学习补足",
            }
        else:
            training = {"days": 3, "hours": 24}
        pre_review = prospect + d(days=60)
        acceptance = pre_review + d(days=20)
        plan += [
            ("training", prospect + d(days=30), training),
            ("committee_review", prospect + d(days=50), {}),
            ("pre_review", pre_review, {"passed": True, "higher": True}),
            ("volunteer_form", pre_review + d(days=5), {}),
            ("acceptance", acceptance, {"vote": "讨论接收预备党员"}),
        ]
        if flaw == "no_approval":
            return plan
        approval = acceptance + d(days=45)
        oath = approval + d(days=50 if flaw == "late_oath" else 14)
        plan += [
            ("approval_talk", acceptance + d(days=20), {"higher": True}),
            ("party_group_review", acceptance + d(days=30), {"higher": True}),
            ("approval", approval, {"passed": True, "higher": True}),
            ("approval_filing", approval + d(days=7), {"higher": True}),
            ("placement", approval + d(days=7), {}),
            ("oath", oath, {}),
            ("probation_assessment", add_months(acceptance, 3), {}),
            ("probation_assessment", add_months(acceptance, 6), {}),
            ("probation_assessment", add_months(acceptance, 9), {}),
        ]
        if flaw == "no_conversion":
            return plan
        meeting = add_months(acceptance, 12) + d(days=3)
        plan += [
            ("conversion_application", add_months(acceptance, 12) - d(days=15), {}),
            ("conversion_meeting", meeting, {"vote": "讨论预备党员转正"}),
            ("party_group_review", meeting + d(days=14), {"higher": True}),
            ("conversion_approval", meeting + d(days=30), {"passed": True, "higher": True}),
            ("archive", meeting + d(days=45), {}),
        ]
        return plan

    def _record(self, candidate, branch, step, day, extra, male, birth) -> bool:
        extra = dict(extra)
        actor = self.sfj_admin if extra.pop("higher", False) and self._in_sfj(branch) else None
        kwargs: dict = {}
        if "people" in extra:
            people = self._full_members(branch, day, extra.pop("people"))
            if len(people) < 2:
                return False
            kwargs["people"] = people
        if "vote" in extra:
            meeting, counts = self._vote(branch, day, extra.pop("vote"))
            kwargs["meeting"], kwargs["vote_counts"] = meeting, counts
        if step == "approval":
            kwargs["member_fields"] = {
                "id_number": self._id_number(birth, male),
                "phone": f"13{self.rng.randint(0, 999999999):09d}",
                "address": "湖北省十堰市茅箭区人民北路88号",
                "post": "0110",
            }
        recruit.step_record(
            actor=actor,
            candidate=candidate,
            step=step,
            on=day,
            today=self.today,
            **extra,
            **kwargs,
        )
        self.result.steps += 1
        return True

    def _in_sfj(self, branch: Org) -> bool:
        return self.sfj_admin is not None and branch.path.startswith(
            self.sfj_admin.grants.get().org.path
        )


def build_recruitment(today: dt.date) -> RecruitmentDemo:
    demo = _Demo(today)
    for profile in MINE:
        demo.candidate(demo.branch, profile)
    for i, profile in enumerate(OTHERS):
        demo.candidate(demo.other_branches[i % len(demo.other_branches)], profile)
    # the meetings were held long ago: their notices would only clutter today's inbox
    from dangjian.notify.models import Notification

    Notification.objects.filter(
        topic__in=[f"meeting:{m.pk}" for m in demo.created_meetings]
    ).delete()
    members = Member.all_objects.filter(candidate__isnull=False)
    demo.result.members_added = members.count()
    demo.result.probationary_added = members.filter(category=Category.PROBATIONARY).count()
    demo.result.meetings_added = len(demo.created_meetings)
    demo.result.with_errors = Candidate.all_objects.filter(error_count__gt=0).count()
    demo.result.with_warnings = Candidate.all_objects.filter(warning_count__gt=0).count()
    return demo.result


__all__ = ["RecruitmentDemo", "build_recruitment"]
