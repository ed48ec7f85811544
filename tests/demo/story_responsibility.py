"""The demo's 责任落实 and 共同缔造 (dangjian.demo.responsibility, dangjian.demo.cocreation): the
issue's "done when" — the 工委 admin sees the work points with their completion by unit and
sends a 督办 through the page; the 老干部局's admin opens 龙泉村's page with its three projects
and their progress — plus the figures the builders report, the states of this year's tasks,
the lists and their quarterly reports, the escalated 督办, and the audit trail.

The city is test_demo_today's (scale 0.1, today), shared with the other stories there."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.cocreation.models import (
    Campaign,
    Community,
    Feedback,
    Milestone,
    Pairing,
    PairingCadre,
    Problem,
    ProblemStatus,
    Project,
    Visit,
)
from dangjian.core.models import AuditEntry
from dangjian.demo import cocreation_data, responsibility_data
from dangjian.demo.city import LGB, SFJ
from dangjian.notify.models import Notification, NotificationKind
from dangjian.orgs.models import Org
from dangjian.responsibility.models import (
    DutyItem,
    DutyList,
    DutyReport,
    Supervision,
    Task,
    TaskReport,
    TaskStatus,
    WorkPoint,
)
from dangjian.rules import duties as duty_rules
from dangjian.rules import responsibility as rules

pytestmark = [pytest.mark.city, pytest.mark.django_db(transaction=False)]


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _top(unit: str) -> Org:
    return Org.all_objects.get(unit__name=unit, parent__parent__isnull=True)


def _audited(action: str, objects) -> set[str]:
    """The ids of `objects` lacking an audit entry `action` of their own."""
    ids = {str(o.pk) for o in objects}
    found = set(
        AuditEntry.objects.filter(action=action, object_id__in=ids).values_list(
            "object_id", flat=True
        )
    )
    return ids - found


def test_work_points_lists_and_co_creation_of_the_demo(shared_city):
    today, result = shared_city.today, shared_city

    _the_figures_match_the_builders(result, today)
    _this_years_tasks_are_in_every_state(today)
    _the_2022_points_of_the_meeting()
    if _story_fits(today):
        _the_unanswered_supervision_has_escalated(today)
    _the_lists_and_their_quarterly_reports(today)
    _the_annual_plans_show_both_columns()
    _everything_was_written_with_audit_entries()
    if _story_fits(today):
        _the_committee_admin_sees_completion_by_unit_and_sends_a_supervision(today)
    _the_lgb_admin_opens_longquan()


def _story_fits(today) -> bool:
    """Whether this year is old enough for the 督办 story (a 督办 five days ago on a task due
    about three weeks before, squeezed into the year): from mid-February."""
    return (today - dt.date(today.year, 1, 1)).days > 45


def _the_figures_match_the_builders(result, today):
    assert result.work_points == WorkPoint.all_objects.count() == 10
    assert result.resp_tasks == Task.all_objects.count()
    assert Task.all_objects.filter(point__isnull=True).count() == 12  # the two units' own
    supervisions = 2 if _story_fits(today) else 0
    assert result.resp_supervisions == Supervision.objects.count() == supervisions
    overdue = Task.all_objects.filter(
        year=today.year, status=TaskStatus.OPEN, due_on__lt=today
    ).select_related("org__unit")
    assert result.resp_tasks_overdue == overdue.count()
    if _story_fits(today):
        # a few, in three units, the 司法局 among them
        assert overdue.count() == len(responsibility_data.OVERDUE)
        assert {t.org.unit.name for t in overdue} == {u for u, _ in responsibility_data.OVERDUE}
        assert SFJ in {t.org.unit.name for t in overdue}
    assert result.duty_lists == DutyList.all_objects.count()
    assert result.duty_reports == DutyReport.objects.count()
    assert result.cocreation_pairings == Pairing.all_objects.count() == 6
    assert result.cocreation_projects == Project.all_objects.count() == 7
    assert result.cocreation_problems == Problem.all_objects.count() == 8
    # the co-creation places, among those the legal demo adds for its village lawyers
    assert {c.name for c in cocreation_data.COMMUNITIES} <= set(
        Community.objects.values_list("name", flat=True)
    )
    assert Campaign.all_objects.count() == 2
    assert Pairing.all_objects.filter(is_pilot=True).count() == 2
    # every point published by the 工委 (the root), five a year: 2022's and this year's
    root = Org.all_objects.get(parent__isnull=True)
    points = WorkPoint.all_objects.all()
    assert {p.org_id for p in points} == {root.pk}
    assert all(p.published_at is not None for p in points)
    assert sorted({p.year for p in points}) == sorted({2022, today.year})


def _this_years_tasks_are_in_every_state(today):
    tasks = Task.all_objects.filter(year=today.year)
    states = {
        rules.task_state(
            t.status,
            t.progress,
            t.starts_on,
            t.due_on,
            today,
            closed_on=timezone.localdate(t.closed_at) if t.closed_at else None,
        )
        for t in tasks
    }
    if today.timetuple().tm_yday > 90:  # a young year squeezes the story
        assert {
            rules.TaskState.CLOSED,
            rules.TaskState.ON_TRACK,
            rules.TaskState.DUE_SOON,
            rules.TaskState.OVERDUE,
        } <= states
    # every demo unit has this year's tasks; reports, some of them linked to a unit's meeting
    units = Org.all_objects.filter(parent__parent__isnull=True, unit__isnull=False).count()
    assert tasks.values("org").distinct().count() == units
    linked = TaskReport.objects.filter(meeting__isnull=False).select_related("meeting", "task")
    assert linked.count() >= 5
    assert all(r.meeting.org_path.startswith(r.task.org_path) for r in linked)


def _the_2022_points_of_the_meeting():
    points = list(WorkPoint.all_objects.filter(year=2022).order_by("seq"))
    assert [p.title for p in points] == [p.title for p in responsibility_data.POINTS_2022]
    assert all(p.published_at.date() == dt.date(2022, 11, 2) for p in points)
    # the meeting's themes: 二十大, the responsibility chain, 共同缔造, 清廉机关, 书记赛党建
    text = "".join(p.title for p in points)
    for theme in ("二十大", "主体责任", "共同缔造", "清廉机关", "书记赛党建"):
        assert theme in text
    tasks = Task.all_objects.filter(year=2022)
    units = Org.all_objects.filter(parent__parent__isnull=True, unit__isnull=False).count()
    # to every unit (the study and chain points) and a few to named units
    assert tasks.filter(point=points[0]).count() == units
    assert 0 < tasks.filter(point=points[2]).count() < units
    # all reported and closed with an evaluation: a few late, one 不合格
    assert not tasks.filter(status=TaskStatus.OPEN).exists()
    assert not tasks.filter(evaluation="").exists()
    assert tasks.filter(evaluation="fail").count() == 1
    late = [t for t in tasks if timezone.localdate(t.closed_at) > t.due_on]
    assert len(late) >= 3
    assert not tasks.filter(reports__isnull=True).exists()


def _the_unanswered_supervision_has_escalated(today):
    sfj = _top(SFJ)
    escalated = Supervision.objects.get(escalated_at__isnull=False)
    assert escalated.task.org_id == sfj.pk and escalated.resolved_at is None
    assert timezone.localdate(escalated.sent_at) == today - dt.timedelta(days=5)
    assert AuditEntry.objects.filter(
        action="responsibility.supervision.escalated", object_id=str(escalated.task_id)
    ).exists()
    # a to-do for the unit's secretary (his account, else the unit's administrators)
    told = Notification.objects.filter(
        kind=NotificationKind.TASK_ESCALATION,
        is_todo=True,
        dedupe_key=f"task_escalation:{escalated.pk}",
    ).select_related("user")
    assert told.exists() and all(n.org_id == sfj.pk for n in told)
    # the other was answered by a later report: resolved, the task still open and overdue
    resolved = Supervision.objects.get(resolved_at__isnull=False)
    assert resolved.task.status == TaskStatus.OPEN and resolved.escalated_at is None
    assert resolved.task.reports.filter(reported_at__gte=resolved.sent_at).exists()


def _the_lists_and_their_quarterly_reports(today):
    ended = duty_rules.quarters_due(today.year, today)
    for unit in (SFJ, LGB):
        top = _top(unit)
        for year in sorted({2022, today.year}):
            lists = list(DutyList.all_objects.filter(org=top, year=year).prefetch_related("items"))
            kinds = [dl.kind for dl in lists]
            assert kinds.count("main") == 1 and kinds.count("first") == 1
            assert 2 <= kinds.count("dual") <= 3
            assert all(6 <= len(dl.items.all()) <= 10 for dl in lists)
            assert all(dl.confirmed_at is not None for dl in lists)
            first = next(dl for dl in lists if dl.kind == "first")
            # the unit's actual secretary from the demo tree
            assert first.holder is not None and first.holder.org_path.startswith(top.path)
            assert first.holder_name == first.holder.name
            duals = [dl for dl in lists if dl.kind == "dual"]
            assert all(dl.remit and dl.holder_id for dl in duals)
        # 2022: every quarter reported
        items_2022 = DutyItem.objects.filter(duty_list__org=top, duty_list__year=2022)
        assert DutyReport.objects.filter(item__in=items_2022).count() == 4 * items_2022.count()
    if ended and today.year > 2022:
        # this year: the ended quarters, one or two left out in the 司法局's last one
        items = DutyItem.objects.filter(duty_list__org=_top(SFJ), duty_list__year=today.year)
        reported = DutyReport.objects.filter(item__in=items, quarter=ended[-1]).count()
        assert 1 <= items.count() - reported <= 2
        # the 工委's overview counts them owed: the 司法局's report rate is short of 100%
        overview = _client("gwadmin").get(reverse("responsibility:overview"))
        assert overview.status_code == 200
        row = next(u for u in overview.context["ov"].units if u.org_id == _top(SFJ).pk)
        assert row.expected == items.count() and row.reported == reported
    others = DutyList.all_objects.filter(year=today.year).exclude(org__in=[_top(SFJ), _top(LGB)])
    assert (
        others.count()
        == Org.all_objects.filter(parent__parent__isnull=True, unit__isnull=False).count() - 2
    )
    assert {dl.kind for dl in others} == {"main"}
    assert all(dl.items.count() < 6 for dl in others)


def _the_annual_plans_show_both_columns():
    for username, unit in (("sfjadmin", SFJ), ("lgbadmin", LGB)):
        page = _client(username).get(reverse("responsibility:plan"), {"org": _top(unit).pk})
        assert page.status_code == 200
        assert page.context["party_count"] >= 3 and page.context["business_count"] >= 3


def _everything_was_written_with_audit_entries():
    assert not _audited("responsibility.work_point.created", WorkPoint.all_objects.all())
    assert not _audited("responsibility.work_point.published", WorkPoint.all_objects.all())
    own = Task.all_objects.filter(point__isnull=True)
    assert not _audited("responsibility.task.created", own)
    assigned = set()
    for entry in AuditEntry.objects.filter(action="responsibility.task.assigned"):
        assigned.update(entry.changes["tasks"])
    assert assigned == set(
        Task.all_objects.filter(point__isnull=False).values_list("pk", flat=True)
    )
    closed = Task.all_objects.filter(status=TaskStatus.CLOSED)
    assert not _audited("responsibility.task.closed", closed)
    reported = AuditEntry.objects.filter(action="responsibility.task.reported").count()
    assert reported == TaskReport.objects.count()
    lists = DutyList.all_objects.all()
    assert not _audited("responsibility.duty_list.created", lists)
    assert not _audited("responsibility.duty_list.confirmed", lists)
    assert not _audited("responsibility.duty_item.added", DutyItem.objects.all())
    assert not _audited("responsibility.duty_report.submitted", DutyReport.objects.all())
    assert not _audited("cocreation.pairing.created", Pairing.all_objects.all())
    assert not _audited("cocreation.project.created", Project.all_objects.all())
    assert not _audited("cocreation.visit.recorded", Visit.all_objects.all())
    assert not _audited("cocreation.milestone.added", Milestone.objects.all())
    assert not _audited("cocreation.feedback.added", Feedback.objects.all())


def _the_committee_admin_sees_completion_by_unit_and_sends_a_supervision(today):
    admin = _client("gwadmin")
    listed = admin.get(reverse("responsibility:points"), {"year": today.year})
    assert listed.status_code == 200
    assert listed.content.decode().count('data-testid="point-row"') == 5
    matrix = admin.get(reverse("responsibility:matrix"), {"year": today.year})
    assert matrix.status_code == 200
    text = matrix.content.decode()
    units = Org.all_objects.filter(parent__parent__isnull=True, unit__isnull=False).count()
    assert text.count('data-testid="column-completion"') == units
    assert text.count('data-testid="matrix-row"') == 5
    assert "中共十堰市司法局党组" in text and 'data-testid="unit-chart"' in text
    # the overdue page lists the open tasks past their deadline; one has no 督办 yet
    overdue = admin.get(reverse("responsibility:overdue")).content.decode()
    sfj = _top(SFJ)
    task = Task.all_objects.get(
        org=sfj, year=today.year, point__seq=1, status=TaskStatus.OPEN, due_on__lt=today
    )
    assert not task.supervisions.exists()
    assert f'data-task="{task.pk}"' in overdue
    respond_by = today + dt.timedelta(days=5)
    sent = admin.post(
        reverse("responsibility:task_supervise", args=[task.pk]) + "?next=overdue",
        {"note": "请尽快报送学习计划落实情况。", "respond_by": respond_by.isoformat()},
    )
    assert sent.status_code == 302 and sent.url == reverse("responsibility:overdue")
    supervision = task.supervisions.get()
    assert supervision.sent_by.username == "gwadmin" and supervision.respond_by == respond_by
    assert AuditEntry.objects.filter(
        action="responsibility.supervision.sent",
        object_id=str(task.pk),
        actor__username="gwadmin",
    ).exists()
    # a to-do for the unit: its administrator
    todo = Notification.objects.get(
        user__username="sfjadmin",
        kind=NotificationKind.TASK_SUPERVISION,
        dedupe_key=f"task_supervision:{supervision.pk}",
    )
    assert todo.is_todo and todo.done_at is None and todo.org_id == sfj.pk


def _the_lgb_admin_opens_longquan():
    village = Community.objects.get(name="龙泉村", township="谭家湾镇", district="郧阳区")
    pairing = Pairing.all_objects.get(community=village)
    assert pairing.org_id == _top(LGB).pk and pairing.is_pilot
    cadres = PairingCadre.objects.filter(pairing=pairing).select_related("member")
    assert cadres.count() >= 3
    assert all(c.member.org_path.startswith(_top(LGB).path) for c in cadres)
    page = _client("lgbadmin").get(reverse("cocreation:community", args=[village.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('data-testid="community-project"') == 3
    for title in ("户户通", "户户亮", "户户富"):
        assert title in text
    # the progress of each: 户户通 reached its 8.6 km and 412 households in 2022, 户户亮 has 200
    # of its 260 lights, 户户富 is half way
    figures = re.findall(r'data-testid="metric-figures">([^<]*)', text)
    joined = " ".join(" ".join(f.split()) for f in figures)
    assert "8.6 / 8.6 公里" in joined and "412 / 412 户" in joined
    assert "200 / 260 盏" in joined
    percents = re.findall(r'data-testid="metric-percent">([^<]*)<', text)
    assert percents.count("100.0%") == 2 and len(percents) == 6
    # the campaign in the village and the community, visits with problems in every state
    assert "大清理、大清扫、大清洗" in text
    statuses = set(Problem.all_objects.filter(pairing=pairing).values_list("status", flat=True))
    assert statuses == set(ProblemStatus.values)
    open_steps = Milestone.objects.filter(project__pairing=pairing, done_on__isnull=True)
    assert open_steps.count() >= 3
