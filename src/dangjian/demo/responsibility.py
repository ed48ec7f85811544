"""责任落实 for the demo city (issue 9): the 工委's work points of 2022 as the observation
meeting of 1 November 2022 set them, decomposed into tasks for the units, reported on and
closed with evaluations; this year's points with tasks in every state relative to `today`
(closed, on track, due within 7 days, overdue in three units, two with a 督办 — one left
unanswered five days so the daily job escalates it, one resolved by a later report); the
司法局's and the 老干部局's own 党建 and 业务 tasks; their responsibility lists of 2022 and this
year (主体责任, 第一责任人, 一岗双责) with quarterly reports, and a 主体责任 list for every other
unit. Lists are drawn up and confirmed in January (their items owe reports from then).

Everything goes through the services of `dangjian.responsibility` with `actor=None` (the
system); the demo accounts do nothing here, so the pages keep something for them to do.
Deterministic for a given day: one seeded `random.Random`; this year's dates are placed
relative to `today` and squeezed into the year when it is young. The 2022 part needs a
`today` after January 2023 (it is skipped before).

The escalation of the unanswered 督办 is the daily job's: `build_city` runs
`remind_tasks(today)` with the other reminders after everything is built.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.utils import timezone

from dangjian.demo import responsibility_data as data
from dangjian.members.models import Category, Employment, Member
from dangjian.orglife.models import Meeting, MeetingStatus
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole
from dangjian.responsibility import services_duties as duties
from dangjian.responsibility import services_tasks as tasks
from dangjian.responsibility.models import Task, TaskStatus

SEED = 20221102  # the day after the observation meeting: the points were published
EVALUATIONS = ("excellent", "good", "pass")
EVALUATION_WEIGHTS = (25, 52, 23)
LATE_SHARE = 0.08  # of 2022's tasks, reported and closed after their deadline
# of the tasks closed, those with interim reports before the final one (every report is a
# service call with its audit entry: the demo's build time keeps them few)
INTERIM_SHARE = 0.15
MEETING_UNITS = 10  # this year's study reports of the first units link a meeting of theirs
OTHER_REPORTING = 0.4  # of the other units, those that reported on the last ended quarter


@dataclass
class ResponsibilityDemo:
    points: int = 0
    tasks: int = 0  # tasks of work points and the units' own
    tasks_closed: int = 0
    tasks_closed_late: int = 0
    tasks_failed: int = 0  # closed as 不合格
    tasks_overdue: int = 0  # open past their deadline (this year)
    tasks_due_soon: int = 0  # open, due within 7 days
    own_tasks: int = 0
    task_reports: int = 0
    reports_with_meeting: int = 0
    supervisions: int = 0
    duty_lists: int = 0
    duty_items: int = 0
    duty_reports: int = 0
    duty_reports_missing: int = 0  # left out on purpose in the last ended quarter
    seconds: float = 0.0
    overdue_units: list[str] = field(default_factory=list)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _quarter_end(year: int, quarter: int) -> dt.date:
    if quarter == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)


class _Demo:
    def __init__(self, today: dt.date):
        self.today = today
        self.year = today.year
        self.rng = random.Random(SEED)
        self.result = ResponsibilityDemo()
        self.root = Org.all_objects.get(parent__isnull=True)
        self.tops = list(
            Org.all_objects.filter(parent=self.root, unit__isnull=False, dissolved_on=None)
            .select_related("unit")
            .order_by("unit__sort", "path")
        )
        self.top_of = {o.unit.name: o for o in self.tops}
        self.short = {o.pk: o.unit.short_name or o.unit.name for o in self.tops}
        self.jan1 = dt.date(self.year, 1, 1)
        self.dec31 = dt.date(self.year, 12, 31)
        span = (today - self.jan1).days
        self.squeeze = min(1.0, span / 130)
        self.items: dict[tuple[int, int], list[list]] = {}  # (org, year) → items of each list

    # --- dates ----------------------------------------------------------------------------------

    def back(self, days: int) -> dt.date:
        """`days` before today (at most 125), squeezed so that it stays in this year."""
        return self.today - dt.timedelta(days=int(days * self.squeeze))

    def ahead(self, days: int) -> dt.date:
        """`days` after today, but within this year."""
        return min(self.today + dt.timedelta(days=days), self.dec31)

    def clock(self, day: dt.date) -> dt.datetime:
        """A working hour of `day`, never after now (today's reports are of this morning)."""
        moment = _at(day, self.rng.randint(9, 17), self.rng.randint(0, 59))
        if day == self.today == timezone.localdate():
            return min(moment, timezone.now())
        return moment

    # --- tasks ----------------------------------------------------------------------------------

    def point(self, year, seq, spec: data.PointData, published: dt.datetime, units, starts, due):
        point = tasks.work_point_create(
            actor=None,
            org=self.root,
            year=year,
            title=spec.title.format(year=year),
            content=spec.content.format(year=year),
            seq=seq,
        )
        tasks.work_point_publish(actor=None, point=point, now=published)
        assigned = tasks.tasks_assign(
            actor=None,
            point=point,
            units=units,
            all_units=units is None,
            title=spec.task_title.format(year=year),
            starts_on=starts,
            due_on=due,
            content=spec.task_content.format(year=year),
            evidence_asked=spec.evidence,
        )
        self.result.points += 1
        self.result.tasks += len(assigned)
        return sorted(assigned, key=lambda t: t.org_path)

    def report(self, task: Task, progress: int, text: str, when: dt.datetime, meeting=None):
        tasks.task_report(
            actor=None,
            task=task,
            progress=progress,
            text=text.format(short=self.short.get(task.org_id, ""), year=task.year),
            meeting=meeting,
            now=when,
        )
        self.result.task_reports += 1
        if meeting is not None:
            self.result.reports_with_meeting += 1

    def close(self, task: Task, evaluation: str, when: dt.datetime, *, late=False) -> None:
        tasks.task_close(
            actor=None,
            task=task,
            evaluation=evaluation,
            note=data.EVALUATION_NOTES[evaluation],
            now=when,
        )
        self.result.tasks_closed += 1
        self.result.tasks_closed_late += late
        self.result.tasks_failed += evaluation == "fail"

    def evaluation(self) -> str:
        return self.rng.choices(EVALUATIONS, weights=EVALUATION_WEIGHTS)[0]

    def named(self, units: tuple[str, ...]) -> list[Org] | None:
        """The tops of the named units; None (every unit) when none are named."""
        if not units:
            return None
        return [self.top_of[name] for name in units if name in self.top_of]

    # --- 2022 -----------------------------------------------------------------------------------

    def year_2022(self) -> None:
        """The meeting's five priorities, published on 2 November 2022, due by the year's end;
        reported on in November and December and evaluated by mid-January: a few reported and
        closed late, one 不合格 (the 信访局's study task)."""
        if self.today < dt.date(2023, 2, 1):
            return
        rng = self.rng
        published = _at(dt.date(2022, 11, 2), 10)
        starts = dt.date(2022, 11, 3)
        dues = {
            "study": dt.date(2022, 12, 20),
            "chain": dt.date(2022, 12, 31),
            "cocreation": dt.date(2022, 12, 25),
            "integrity": dt.date(2022, 12, 15),
            "contest": dt.date(2022, 12, 31),
        }
        failing = self.top_of.get("十堰市信访局")
        for seq, spec in enumerate(data.POINTS_2022, start=1):
            due = dues[spec.key]
            units = self.named(spec.units)
            for task in self.point(2022, seq, spec, published, units, starts, due):
                if failing is not None and task.org_id == failing.pk and spec.key == "study":
                    day = due + dt.timedelta(days=12)
                    self.report(task, 60, data.FAIL_REPORT, self.clock(day))
                    self.close(task, "fail", _at(dt.date(2023, 1, 10), 15), late=True)
                    continue
                # an interim report now and then, the final one by the deadline (or, for a
                # few, after it)
                day = starts + dt.timedelta(days=rng.randint(4, 12))
                if rng.random() < INTERIM_SHARE / 2:
                    self.report(task, rng.choice((30, 40, 50)), spec.reports[0], self.clock(day))
                    day += dt.timedelta(days=rng.randint(5, 10))
                late = rng.random() < LATE_SHARE
                if late:
                    day = due + dt.timedelta(days=rng.randint(3, 12))
                    text = data.LATE_REPORT.format(done=spec.reports[2])
                    evaluation = rng.choice(("good", "pass", "pass"))
                else:
                    day = max(day, due - dt.timedelta(days=rng.randint(0, 8)))
                    day = min(day, due)
                    text = spec.reports[2]
                    evaluation = self.evaluation()
                self.report(task, 100, text, self.clock(day))
                closed = max(day, due) + dt.timedelta(days=rng.randint(2, 10))
                self.close(task, evaluation, _at(closed, 16), late=late)

    # --- this year ------------------------------------------------------------------------------

    def this_year(self) -> None:
        """The same themes carried on. Relative to today: the study task was due ~75 days ago
        (closed; the 司法局's and the 信访局's still open), the paired units' 共同缔造 task ~20
        days ago (closed but in the 司法局 and the 住建局, each with a 督办), the
        responsibility self-check is due within 7 days, the 清廉机关 and 书记赛党建 tasks later
        in the year."""
        year = self.year
        published_on = min(dt.date(year, 2, 20), self.back(125))
        published = _at(published_on, 10)
        starts = published_on + dt.timedelta(days=1 if published_on < self.today else 0)
        dues = {
            "study": self.back(75),
            "chain": self.ahead(4),
            "cocreation": self.back(20),
            "integrity": self.ahead(40),
            "contest": self.ahead(75),
        }
        overdue = {(self.top_of[u].pk, key) for u, key in data.OVERDUE if u in self.top_of}
        meetings = self.meetings()
        for seq, spec in enumerate(data.POINTS_THIS_YEAR, start=1):
            due = max(dues[spec.key], starts)
            units = self.named(spec.units)
            assigned = self.point(year, seq, spec, published, units, starts, due)
            for task in assigned:
                late = (task.org_id, spec.key) in overdue
                getattr(self, f"_{spec.key}")(task, spec, late, meetings)
        self.result.overdue_units = sorted(
            {self.short[pk] for pk, _ in overdue if self._is_open(pk, year)}
        )

    def _is_open(self, org_id: int, year: int) -> bool:
        return Task.all_objects.filter(
            org_id=org_id, year=year, status=TaskStatus.OPEN, due_on__lt=self.today
        ).exists()

    def meetings(self) -> dict[int, list[tuple[dt.datetime, Meeting]]]:
        """Held meetings of this year of the first units (and of the two demo units), for
        their study reports to link."""
        chosen = self.tops[:MEETING_UNITS]
        for name in ("十堰市司法局", "中共十堰市委老干部局"):
            top = self.top_of.get(name)
            if top is not None and top not in chosen:
                chosen.append(top)
        found: dict[int, list[tuple[dt.datetime, Meeting]]] = {}
        for top in chosen:
            rows = (
                Meeting.all_objects.filter(
                    org_path__startswith=top.path,
                    status__in=[MeetingStatus.HELD, MeetingStatus.ARCHIVED],
                    starts_at__gte=_at(self.jan1, 0),
                    starts_at__lt=_at(self.today, 0),
                )
                .only("pk", "org_path", "starts_at", "topic")
                .order_by("starts_at")
            )
            found[top.pk] = [(m.starts_at, m) for m in rows]
        return found

    def _meeting_before(self, meetings, org_id: int, moment: dt.datetime):
        earlier = [m for at, m in meetings.get(org_id, ()) if at < moment]
        return earlier[-1] if earlier else None

    def along(self, task: Task, share: float, until: dt.date | None = None) -> dt.date:
        """The day `share` of the way from the task's start to `until` (its deadline, or
        today when that is earlier)."""
        end = min(until or task.due_on, self.today)
        return task.starts_on + dt.timedelta(days=int((end - task.starts_on).days * share))

    def _study(self, task, spec, late, meetings):
        rng = self.rng
        first = self.clock(self.along(task, 0.35))
        if late or rng.random() < INTERIM_SHARE:
            self.report(task, rng.choice((30, 40)), spec.reports[0], first)
        if late:
            self.result.tasks_overdue += 1
            return
        day = max(task.due_on - dt.timedelta(days=rng.randint(0, 10)), self.along(task, 0.7))
        moment = max(self.clock(day), first + dt.timedelta(hours=1))
        meeting = self._meeting_before(meetings, task.org_id, moment)
        self.report(task, 100, spec.reports[2], moment, meeting)
        self.close(task, self.evaluation(), self.close_time(task, moment))

    def close_time(self, task: Task, after: dt.datetime) -> dt.datetime:
        """The 工委 closes a task reported complete within a few days, by its deadline."""
        reported = timezone.localdate(after)
        day = reported + dt.timedelta(days=self.rng.randint(0, 3))
        day = max(min(day, task.due_on, self.today), reported)
        return max(self.clock(day), after + dt.timedelta(minutes=30))

    def _chain(self, task, spec, late, meetings):
        """Due within 7 days: some units have reported how far they are."""
        rng = self.rng
        if rng.random() < 0.4:
            first = self.clock(self.along(task, 0.5))
            self.report(task, rng.choice((30, 40, 50)), spec.reports[0], first)
            if rng.random() < 0.3:
                second = max(self.clock(self.along(task, 0.9)), first + dt.timedelta(hours=1))
                self.report(task, rng.choice((70, 80, 90)), spec.reports[1], second)
        self.count_due_soon(task)

    def supervise(self, task: Task, sent_on: dt.date) -> None:
        respond_by = sent_on + dt.timedelta(days=3)
        tasks.supervision_send(
            actor=None,
            task=task,
            note=data.SUPERVISION_NOTE.format(respond_by=f"{respond_by:%Y年%m月%d日}"),
            respond_by=respond_by,
            now=_at(sent_on, 9, 30),
        )
        self.result.supervisions += 1

    def _cocreation(self, task, spec, late, meetings):
        """Due ~20 days ago: done and closed in most paired units, overdue with a 督办 in two
        (one unanswered: it escalates; one answered by a report)."""
        first = self.clock(self.along(task, 0.4))
        self.report(task, 30, spec.reports[0], first)
        if not late:
            second = max(self.clock(self.along(task, 0.75)), first + dt.timedelta(hours=1))
            self.report(task, 70, spec.reports[1], second)
            moment = max(self.clock(self.along(task, 0.95)), second + dt.timedelta(hours=1))
            self.report(task, 100, spec.reports[2], moment)
            self.close(task, self.evaluation(), self.close_time(task, moment))
            return
        self.result.tasks_overdue += 1
        sent_on = self.today - dt.timedelta(days=5)
        if task.org_id == getattr(self.top_of.get(data.ANSWERED), "pk", None):
            # a 督办 answered by a report four days later: resolved, the task still open
            sent_on = max(self.back(14), task.due_on + dt.timedelta(days=1))
            answered = min(sent_on + dt.timedelta(days=4), self.today)
        else:
            answered = None  # the 司法局's: unanswered, escalates with today's job
        if sent_on <= task.due_on or sent_on >= self.today:
            return  # the year is too young for the story
        self.supervise(task, sent_on)
        if answered is not None:
            self.report(task, 80, data.SUPERVISION_ANSWER, self.clock(answered))

    def _integrity(self, task, spec, late, meetings):
        if self.rng.random() < 0.3:
            self.report(task, 40, spec.reports[0], self.clock(self.along(task, 0.6)))
        self.count_due_soon(task)

    def _contest(self, task, spec, late, meetings):
        if self.rng.random() < 0.2:
            self.report(task, 20, spec.reports[0], self.clock(self.along(task, 0.8)))
        self.count_due_soon(task)

    def count_due_soon(self, task: Task) -> None:
        if self.today <= task.due_on <= self.today + dt.timedelta(days=7):
            self.result.tasks_due_soon += 1

    def own_tasks(self) -> None:
        """The 司法局's and the 老干部局's own 党建 and 业务 tasks of this year, so their annual
        plan shows both columns: one closed, one on track, one due within 7 days, one for
        later, of each kind."""
        rng = self.rng
        for unit, specs in data.OWN_TASKS.items():
            top = self.top_of.get(unit)
            if top is None:
                continue
            for spec in specs:
                starts = min(dt.date(self.year, 1, 15), self.back(110))
                due = {
                    "closed": self.back(40),
                    "on_track": self.ahead(60),
                    "due_soon": self.ahead(5),
                    "later": self.dec31,
                }[spec.state]
                task = tasks.task_create(
                    actor=None,
                    org=top,
                    year=self.year,
                    kind=spec.kind,
                    title=spec.title,
                    starts_on=starts,
                    due_on=max(due, starts),
                    content=spec.content,
                    evidence_asked=spec.evidence,
                )
                self.result.tasks += 1
                self.result.own_tasks += 1
                if spec.state == "closed":
                    moment = self.clock(self.along(task, 0.85))
                    self.report(task, 100, spec.reports[0], moment)
                    evaluation = rng.choice(("excellent", "good"))
                    self.close(task, evaluation, self.close_time(task, moment))
                elif spec.reports:
                    progress = 80 if spec.state == "due_soon" else rng.choice((40, 50, 60))
                    self.report(task, progress, spec.reports[0], self.clock(self.along(task, 0.8)))
                self.count_due_soon(task)

    def tidy_notices(self) -> None:
        """2022's points were assigned long ago: their "新任务" notices would only clutter
        today's inbox (as the study demo does with its meetings' notices)."""
        from dangjian.notify.models import Notification

        if self.year > 2022:
            Notification.objects.filter(
                topic=tasks.topic_of(Task(year=2022)), dedupe_key__startswith="task_assigned:"
            ).delete()

    # --- responsibility lists -------------------------------------------------------------------

    def leaders(self, top: Org) -> tuple[Member | None, list[Member]]:
        """The unit's secretary in the demo tree — the secretary of its 机关党委 (the 党组书记
        holds it), else of its first branch — and the 机关党委's other members, who stand for
        the leadership members of the 一岗双责 lists."""
        seats = list(
            CommitteeSeat.all_objects.filter(
                org__path__startswith=top.path,
                org__kind__in=[OrgKind.ORGAN_COMMITTEE, OrgKind.BRANCH],
                ended_on__isnull=True,
                member__employment=Employment.IN_SERVICE,
                member__category=Category.FULL,
                member__left_on__isnull=True,
            )
            .select_related("member", "org")
            .order_by("org__depth", "org__path", "role", "id")
        )
        organ = [s for s in seats if s.org.kind == OrgKind.ORGAN_COMMITTEE]
        pool = organ or seats
        secretary = next((s.member for s in pool if s.role == SeatRole.SECRETARY), None)
        names = {secretary.name} if secretary else set()
        others = []
        for seat in [*organ, *seats]:
            if seat.member.name not in names:
                names.add(seat.member.name)
                others.append(seat.member)
        return secretary, others

    def duty_lists(self) -> None:
        """The 司法局's and the 老干部局's lists of 2022 and this year (the 司法局's third
        leadership member joined this year), then every other unit's of this year."""
        for unit in data.DUAL_REMITS:
            top = self.top_of.get(unit)
            if top is None:
                continue
            secretary, others = self.leaders(top)
            for year in sorted({2022, self.year}):
                self.year_of_lists(top, unit, year, secretary, others)
                missing = unit == "十堰市司法局" and year == self.year
                self.duty_reports(top, year, skip=2 if missing else 0)
        # every other unit: this year's 主体责任 list, shorter; some reported last quarter
        for top in self.tops:
            if top.unit.name in data.DUAL_REMITS:
                continue
            main = self.duty_list(top, self.year, "main", top.name)
            for spec in data.MAIN_DUTIES[: data.OTHER_UNIT_DUTIES]:
                self.item(main, spec, self.year, "党组书记")
            self.confirm(main)
            if self.rng.random() < OTHER_REPORTING:
                self.duty_reports(top, self.year, last_only=True)

    def year_of_lists(self, top, unit, year, secretary, others) -> None:
        """A unit's lists of `year` written item by item: 主体责任, 第一责任人, 一岗双责."""
        remits = data.DUAL_REMITS[unit]
        count = data.DUAL_2022.get(unit, 0) if year < self.year else len(remits)
        holders = others[:count]
        owners = [m.name for m in holders] or ["机关党委"]
        main = self.duty_list(top, year, "main", top.name)
        for n, spec in enumerate(data.MAIN_DUTIES):
            owner = secretary.name if secretary and n in (0, 1, 4, 7) else None
            self.item(main, spec, year, owner or owners[n % len(owners)])
        self.confirm(main)
        if secretary is not None:
            first = self.duty_list(
                top,
                year,
                "first",
                secretary.name,
                holder=secretary,
                holder_post=data.FIRST_POST[unit],
            )
            for spec in data.FIRST_DUTIES:
                self.item(first, spec, year, secretary.name)
            self.confirm(first)
        for member, (post, remit) in zip(holders, remits, strict=False):
            self.dual_list(top, year, member, post, remit)

    def dual_list(self, top, year, member, post, remit):
        dual = self.duty_list(
            top, year, "dual", member.name, holder=member, holder_post=post, remit=remit
        )
        for spec in data.DUAL_DUTIES:
            self.item(dual, spec, year, member.name)
        self.confirm(dual)
        return dual

    def duty_list(self, top, year, kind, holder_name, *, holder=None, holder_post="", remit=""):
        duty_list = duties.duty_list_create(
            actor=None,
            today=self.today,
            org=top,
            year=year,
            kind=kind,
            holder_name=holder_name,
            holder=holder,
            holder_post=holder_post,
            remit=remit,
        )
        self.result.duty_lists += 1
        self.items.setdefault((top.pk, year), []).append([])
        return duty_list

    def drawn_up(self, year: int) -> dt.date:
        """Lists are drawn up in the first weeks of January (or today, in a younger year)."""
        return min(dt.date(year, 1, 10), self.today)

    def confirm(self, duty_list) -> None:
        """确认发布 ten days after they were drawn up (or today, in a younger year)."""
        confirmed = min(dt.date(duty_list.year, 1, 20), self.today)
        duties.duty_list_confirm(actor=None, duty_list=duty_list, now=_at(confirmed, 11))

    def item(self, duty_list, spec: data.DutyData, year: int, owner: str):
        deadline = dt.date(year, *spec.deadline) if spec.deadline else None
        item = duties.duty_item_add(
            actor=None,
            now=_at(self.drawn_up(year), 10),
            duty_list=duty_list,
            content=spec.content,
            owner_name=owner,
            category=spec.category,
            measures=spec.measures,
            deadline=deadline,
            evidence_asked=spec.evidence,
        )
        self.items[(duty_list.org_id, year)][-1].append(item)
        self.result.duty_items += 1
        return item

    def duty_reports(self, top: Org, year: int, *, skip: int = 0, last_only=False) -> None:
        """Reports for the quarters that have ended: progress grows to 100% by the deadline's
        quarter. In the last ended quarter `skip` items of the last list have none (the
        warning shows)."""
        rng = self.rng
        ended = [q for q in range(1, 5) if _quarter_end(year, q) < self.today]
        if not ended:
            return
        lists = self.items.get((top.pk, year), [])
        quarters = ended[-1:] if last_only else ended
        for number, items in enumerate(lists):
            for index, item in enumerate(items):
                done_q = (item.deadline.month - 1) // 3 + 1 if item.deadline else 4
                for quarter in quarters:
                    missing = (
                        quarter == ended[-1]
                        and number == len(lists) - 1
                        and index >= len(items) - skip
                    )
                    if missing:
                        self.result.duty_reports_missing += 1
                        continue
                    if quarter >= done_q:
                        progress = 100
                    else:
                        progress = min(95, round(100 * quarter / done_q) + rng.randint(-5, 5))
                    stage = 3 if progress == 100 else min(quarter - 1, 2)
                    end = _quarter_end(year, quarter)
                    day = min(end + dt.timedelta(days=rng.randint(1, 10)), self.today)
                    duties.duty_report_submit(
                        actor=None,
                        item=item,
                        quarter=quarter,
                        progress=progress,
                        text=data.DUTY_REPORTS[stage],
                        today=day,
                    )
                    self.result.duty_reports += 1


def build_responsibility(today: dt.date) -> ResponsibilityDemo:
    started = time.perf_counter()
    demo = _Demo(today)
    if not demo.tops:
        return demo.result
    demo.year_2022()
    demo.this_year()
    demo.own_tasks()
    demo.duty_lists()
    demo.tidy_notices()
    demo.result.seconds = round(time.perf_counter() - started, 2)
    return demo.result


__all__ = ["ResponsibilityDemo", "build_responsibility"]
