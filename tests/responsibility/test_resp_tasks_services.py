"""Work points and tasks through the real services: drafts and publishing, assignment to the
units below (every refusal), a unit's own tasks, progress reports with files and a meeting,
督办 and closing; each refusal writes nothing, each change one audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.notify.models import Notification
from dangjian.responsibility import selectors_tasks as sel
from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import (
    ReportFile,
    Supervision,
    Task,
    TaskReport,
    WorkPoint,
)
from tests.responsibility.resp_tasks_support import (
    EXE,
    make_point,
    meeting_of,
    own_task,
    photo,
    span,
    task_of,
    today,
)

pytestmark = pytest.mark.django_db


def _codes(code):
    return AuditEntry.objects.filter(action=code).count()


def _year_end():
    return dt.date(today().year, 12, 31)


# ---------------------------------------------------------------------------------------------
# Work points


def test_the_committee_writes_a_draft_point_numbered_in_turn(tree, personas):
    year = today().year
    first = services.work_point_create(
        actor=personas.committee_admin, org=tree.root, year=year, title="要点一"
    )
    second = services.work_point_create(
        actor=personas.committee_admin, org=tree.root, year=year, title="要点二", content="内容"
    )
    assert (first.seq, second.seq) == (1, 2)
    assert first.published_at is None and first.org_path == tree.root.path
    assert _codes("responsibility.work_point.created") == 2


@pytest.mark.parametrize("persona", ["unit_admin", "secretary_a", "auditor", "outsider"])
def test_only_a_publisher_writes_points(tree, personas, persona):
    with pytest.raises(Http404):
        services.work_point_create(
            actor=personas.by_name(persona), org=tree.root, year=today().year, title="要点"
        )
    assert not WorkPoint.objects.unscoped().exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": " "}, "title", "请填写要点。"),
        ({"title": "长" * 201}, "title", "要点不能超过200字。"),
        ({"year": 1999}, "year", "年度须在2000年至"),
        ({"year": "明年"}, "year", "年度须为四位数字。"),
        ({"seq": 0}, "seq", "序号须在1至999之间。"),
        ({"seq": "一"}, "seq", "序号须为整数。"),
    ],
)
def test_a_bad_point_is_refused_at_the_field(tree, values, field, message):
    kwargs = {"actor": None, "org": tree.root, "year": today().year, "title": "要点", **values}
    with pytest.raises(AppError) as caught:
        services.work_point_create(**kwargs)
    assert caught.value.field == field and message in caught.value.message
    assert not WorkPoint.objects.unscoped().exists()


def test_a_point_is_corrected_by_its_publisher(tree, personas):
    point, _ = make_point(tree, publish=False)
    services.work_point_update(
        actor=personas.committee_admin, point=point, title="新标题", content="新内容", seq=5
    )
    point.refresh_from_db()
    assert (point.title, point.content, point.seq) == ("新标题", "新内容", 5)
    with pytest.raises(Http404):
        services.work_point_update(actor=personas.unit_admin, point=point, title="改")
    assert _codes("responsibility.work_point.updated") == 1


# ---------------------------------------------------------------------------------------------
# Assignment


def test_the_units_below_are_the_top_bodies_of_each_unit(tree):
    assert sel.units_below(tree.root) == [tree.party_group_a, tree.party_group_b]
    assert sel.units_below(tree.party_group_a) == []
    assert sel.is_unit_top(tree.party_group_a) and not sel.is_unit_top(tree.organ_a)


def test_a_dissolved_unit_is_not_among_all_units(tree):
    from dangjian.orgs.models import Org

    Org.all_objects.filter(pk=tree.party_group_b.pk).update(dissolved_on=today())
    assert sel.units_below(tree.root) == [tree.party_group_a]


def test_all_units_gives_one_task_each_and_then_only_the_missing_ones(tree):
    point, tasks = make_point(tree, units=[tree.party_group_a], publish=False)
    assert [t.org_id for t in tasks] == [tree.party_group_a.pk]
    more = services.tasks_assign(
        actor=None, point=point, all_units=True, title="补充任务", **_dates()
    )
    assert [t.org_id for t in more] == [tree.party_group_b.pk]
    assert all(t.kind == "party" and t.year == point.year for t in [*tasks, *more])
    with pytest.raises(AppError) as caught:
        services.tasks_assign(actor=None, point=point, all_units=True, title="再来", **_dates())
    assert caught.value.field == "units" and "均已分派" in caught.value.message


def _dates(due=None):
    d = span(due or _year_end())
    return {"starts_on": d["starts_on"], "due_on": d["due_on"]}


@pytest.mark.parametrize(
    ("units", "field", "message"),
    [
        ("organ_a", "units", "甲局机关党委不是本级以下的单位"),
        ("root", "units", "测试工委不是本级以下的单位"),
        ("branch_c", "units", "乙局党支部不是本级以下的单位"),
        ("none", "units", "请选择责任单位"),
        ("twice", "units", "甲局党组已有该要点的任务"),
    ],
)
def test_assigning_to_what_is_not_a_unit_below_is_refused(tree, units, field, message):
    point, _ = make_point(tree, units=[tree.party_group_a], publish=False)
    special = {"none": [], "twice": [tree.party_group_a]}
    chosen = special[units] if units in special else [getattr(tree, units)]
    before = Task.objects.unscoped().count()
    with pytest.raises(AppError) as caught:
        services.tasks_assign(actor=None, point=point, units=chosen, title="任务", **_dates())
    assert caught.value.field == field and message in caught.value.message
    assert Task.objects.unscoped().count() == before


@pytest.mark.parametrize(
    ("starts", "due", "field", "message"),
    [
        ((5, 2), (5, 1), "due_on", "完成时限不能早于开始日期。"),
        ((1, 1), "next", "due_on", "完成时限须在"),
        ("last", (3, 1), "starts_on", "开始日期须在"),
        (None, (3, 1), "starts_on", "请填写开始日期。"),
        ((1, 1), "junk", "due_on", "请填写有效的日期。"),
    ],
)
def test_bad_task_dates_are_refused_at_the_field(tree, starts, due, field, message):
    point, _ = make_point(tree, units=[tree.party_group_a], publish=False)
    year = point.year

    def day(value):
        if value == "next":
            return dt.date(year + 1, 1, 1)
        if value == "last":
            return dt.date(year - 1, 12, 31)
        if value == "junk":
            return "2024-13-45"
        return dt.date(year, *value) if value else None

    with pytest.raises(AppError) as caught:
        services.tasks_assign(
            actor=None,
            point=point,
            units=[tree.party_group_b],
            title="任务",
            starts_on=day(starts),
            due_on=day(due),
        )
    assert caught.value.field == field and message in caught.value.message
    assert not Task.objects.unscoped().filter(org=tree.party_group_b).exists()


def test_the_unit_sees_a_point_s_task_only_once_published_and_is_told(tree, personas):
    point, tasks = make_point(tree, publish=False)
    task = task_of(tasks, tree.party_group_a)
    with pytest.raises(Http404):
        sel.access_task(personas.unit_admin, task.pk)
    with pytest.raises(Http404):
        sel.access_point(personas.unit_admin, point.pk)
    assert sel.access_task(personas.committee_admin, task.pk) == task
    assert not Notification.objects.filter(user=personas.unit_admin).exists()

    services.work_point_publish(actor=personas.committee_admin, point=point)
    assert sel.access_task(personas.unit_admin, task.pk) == task
    assert sel.access_point(personas.unit_admin, point.pk) == point
    notice = Notification.objects.get(user=personas.unit_admin)
    assert notice.kind == "task_due" and not notice.is_todo
    assert "开展专题学习" in notice.title and notice.link.endswith(f"/tasks/{task.pk}/")
    # the other unit's task stays the other unit's
    with pytest.raises(Http404):
        sel.access_task(personas.unit_admin, task_of(tasks, tree.party_group_b).pk)
    with pytest.raises(AppError):
        services.work_point_publish(actor=personas.committee_admin, point=point)
    assert _codes("responsibility.work_point.published") == 1


def test_a_task_added_to_a_published_point_is_visible_and_told_at_once(tree, personas):
    point, _ = make_point(tree, units=[tree.party_group_b])
    [task] = services.tasks_assign(
        actor=personas.committee_admin,
        point=point,
        units=[tree.party_group_a],
        title="补充任务",
        **_dates(),
    )
    assert sel.access_task(personas.unit_admin, task.pk) == task
    assert Notification.objects.filter(user=personas.unit_admin, kind="task_due").count() == 1
    assert _codes("responsibility.task.assigned") == 2


def test_a_unit_admin_cannot_assign_or_publish(tree, personas):
    point, _ = make_point(tree, units=[tree.party_group_b], publish=False)
    with pytest.raises(Http404):
        services.tasks_assign(
            actor=personas.unit_admin,
            point=point,
            units=[tree.party_group_a],
            title="任务",
            **_dates(),
        )
    with pytest.raises(Http404):
        services.work_point_publish(actor=personas.unit_admin, point=point)


# ---------------------------------------------------------------------------------------------
# A unit's own tasks


def test_a_unit_adds_its_own_task(tree, personas):
    task = services.task_create(
        actor=personas.unit_admin,
        org=tree.party_group_a,
        kind="business",
        title="完成年度行政执法案卷评查",
        **span(_year_end()),
    )
    assert task.point is None and task.kind == "business"
    assert sel.access_task(personas.unit_admin, task.pk) == task
    assert _codes("responsibility.task.created") == 1


@pytest.mark.parametrize(
    ("persona", "org", "kind", "field"),
    [
        ("unit_admin", "organ_a", "party", "org"),  # not the unit's top body
        ("unit_admin", "party_group_a", "other", "kind"),
        ("unit_admin", "party_group_b", "party", None),  # another unit: 404
        ("secretary_a", "party_group_a", "party", None),
    ],
)
def test_own_task_refusals(tree, personas, persona, org, kind, field):
    call = {
        "actor": personas.by_name(persona),
        "org": getattr(tree, org),
        "kind": kind,
        "title": "任务",
        **span(_year_end()),
    }
    if field is None:
        with pytest.raises(Http404):
            services.task_create(**call)
    else:
        with pytest.raises(AppError) as caught:
            services.task_create(**call)
        assert caught.value.field == field
    assert not Task.objects.unscoped().exists()


# ---------------------------------------------------------------------------------------------
# Reports


@pytest.fixture
def task(tree):
    _, tasks = make_point(tree)
    return task_of(tasks, tree.party_group_a)


def test_a_report_with_a_photo_moves_the_task_and_stores_the_file(tree, personas, task):
    report = services.task_report(
        actor=personas.unit_admin,
        task=task,
        progress=60,
        text="已组织三次集中学习。",
        files=[photo()],
    )
    task.refresh_from_db()
    assert task.progress == 60 and task.last_reported_at == report.reported_at
    [file] = ReportFile.objects.filter(task_report=report)
    assert file.content_type == "image/png" and file.original_name == "现场照片.png"
    assert file.file.name.endswith(".png") and file.org_path == task.org_path
    assert file.uploaded_by == personas.unit_admin
    entry = AuditEntry.objects.get(action="responsibility.task.reported")
    assert entry.changes["progress"] == 60 and entry.changes["files"] == ["现场照片.png"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"progress": 101}, "progress", "完成进度不能超过100%。"),
        ({"progress": -1}, "progress", "完成进度不能为负数。"),
        ({"progress": "半"}, "progress", "完成进度须为0至100的整数。"),
        ({"text": ""}, "text", "请填写进展情况。"),
        ({"files": [photo("病毒.exe", EXE, "image/png")]}, "files", "只能上传照片"),
        ({"files": [photo()] * 10}, "files", "一次最多上传9个文件。"),
    ],
)
def test_a_bad_report_is_refused_and_writes_nothing(personas, task, values, field, message):
    kwargs = {"actor": personas.unit_admin, "task": task, "progress": 50, "text": "进展"}
    kwargs.update(values)
    with pytest.raises(AppError) as caught:
        services.task_report(**kwargs)
    assert caught.value.field == field and message in caught.value.message
    task.refresh_from_db()
    assert task.progress == 0 and task.last_reported_at is None
    assert not TaskReport.objects.exists() and not ReportFile.objects.exists()


def test_a_report_links_a_held_meeting_of_the_unit_only(tree, personas, task):
    own, other = meeting_of(tree.branch_a), meeting_of(tree.branch_c)
    planned = meeting_of(tree.branch_a, held=False)
    for meeting in (other, planned):
        with pytest.raises(AppError) as caught:
            services.task_report(
                actor=personas.unit_admin, task=task, progress=30, text="学习", meeting=meeting
            )
        assert caught.value.field == "meeting"
        assert "本单位或下级组织已召开的会议" in caught.value.message
    assert not TaskReport.objects.exists()
    report = services.task_report(
        actor=personas.unit_admin, task=task, progress=30, text="学习", meeting=own
    )
    assert report.meeting == own


@pytest.mark.parametrize("persona", ["committee_admin", "secretary_a", "outsider"])
def test_only_the_unit_s_managers_report(personas, task, persona):
    if persona == "committee_admin":  # above the unit: resp.manage covers it
        services.task_report(actor=personas.committee_admin, task=task, progress=5, text="督促")
        return
    with pytest.raises(Http404):
        services.task_report(actor=personas.by_name(persona), task=task, progress=5, text="x")


def test_the_latest_report_sets_the_progress_and_past_reports_are_taken(task):
    moment = timezone.make_aware(dt.datetime(task.year, 3, 1, 10, 0))
    services.task_report(actor=None, task=task, progress=40, text="三月", now=moment)
    late = services.task_report(
        actor=None, task=task, progress=70, text="四月", now=moment + dt.timedelta(days=30)
    )
    # a report dated before the latest is kept in the history, the progress stays
    services.task_report(
        actor=None, task=task, progress=50, text="补报", now=moment + dt.timedelta(days=10)
    )
    task.refresh_from_db()
    assert task.progress == 70 and task.last_reported_at == late.reported_at
    assert TaskReport.objects.filter(task=task).count() == 3


def test_a_report_on_a_closed_task_is_refused(personas, task):
    services.task_close(actor=personas.committee_admin, task=task, evaluation="good")
    with pytest.raises(AppError) as caught:
        services.task_report(actor=personas.unit_admin, task=task, progress=100, text="完成")
    assert "已办结" in caught.value.message
    assert not TaskReport.objects.exists()


def test_a_draft_s_task_takes_no_report(tree, personas):
    _, tasks = make_point(tree, publish=False)
    draft_task = task_of(tasks, tree.party_group_a)
    with pytest.raises(Http404):
        services.task_report(actor=personas.unit_admin, task=draft_task, progress=5, text="x")
    with pytest.raises(AppError):
        services.task_report(actor=None, task=draft_task, progress=5, text="x")


# ---------------------------------------------------------------------------------------------
# 督办 and closing


def test_a_supervision_is_a_to_do_for_the_unit_admins_and_a_report_resolves_it(
    personas, task, settings
):
    settings.RESPONSIBILITY_ESCALATE_DAYS = 5
    sup = services.supervision_send(
        actor=personas.committee_admin,
        task=task,
        note="进度滞后，请加快推进",
        respond_by=today() + dt.timedelta(days=3),
    )
    assert sup.escalate_after_days == 5 and sup.resolved_at is None
    todo = Notification.objects.get(user=personas.unit_admin, kind="task_supervision")
    assert todo.is_todo and "进度滞后" in todo.body
    assert not Notification.objects.filter(user=personas.committee_admin).exists()
    report = services.task_report(actor=personas.unit_admin, task=task, progress=50, text="已推进")
    sup.refresh_from_db()
    assert sup.resolved_at == report.reported_at
    assert _codes("responsibility.supervision.sent") == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"respond_by": "yesterday"}, "respond_by", "限期反馈日期不能早于今天。"),
        ({"respond_by": None}, "respond_by", "请填写限期反馈日期。"),
        ({"note": ""}, "note", "请填写督办意见。"),
        ({"note": "长" * 501}, "note", "督办意见不能超过500字。"),
    ],
)
def test_a_bad_supervision_is_refused(personas, task, values, field, message):
    kwargs = {
        "actor": personas.committee_admin,
        "task": task,
        "note": "请加快",
        "respond_by": today() + dt.timedelta(days=3),
    }
    kwargs.update(values)
    if kwargs["respond_by"] == "yesterday":
        kwargs["respond_by"] = today() - dt.timedelta(days=1)
    with pytest.raises(AppError) as caught:
        services.supervision_send(**kwargs)
    assert caught.value.field == field and caught.value.message == message
    assert not Supervision.objects.exists()
    assert not Notification.objects.filter(kind="task_supervision").exists()


@pytest.mark.parametrize("persona", ["unit_admin", "secretary_a", "outsider"])
def test_only_the_publisher_supervises(personas, task, persona):
    with pytest.raises(Http404):
        services.supervision_send(
            actor=personas.by_name(persona),
            task=task,
            note="x",
            respond_by=today() + dt.timedelta(days=1),
        )
    assert not Supervision.objects.exists()


def test_the_publisher_closes_with_an_evaluation_and_nothing_more_follows(personas, task):
    sup = services.supervision_send(
        actor=None, task=task, note="请加快", respond_by=today() + dt.timedelta(days=1)
    )
    with pytest.raises(AppError) as caught:
        services.task_close(actor=personas.committee_admin, task=task, evaluation="")
    assert caught.value.field == "evaluation"
    with pytest.raises(Http404):
        services.task_close(actor=personas.unit_admin, task=task, evaluation="good")
    services.task_close(
        actor=personas.committee_admin, task=task, evaluation="excellent", note="成效明显"
    )
    task.refresh_from_db()
    sup.refresh_from_db()
    assert task.status == "closed" and task.evaluation == "excellent"
    assert task.closed_by == personas.committee_admin and sup.resolved_at == task.closed_at
    with pytest.raises(AppError) as caught:
        services.supervision_send(
            actor=personas.committee_admin,
            task=task,
            note="x",
            respond_by=today() + dt.timedelta(days=1),
        )
    assert "已办结" in caught.value.message
    with pytest.raises(AppError):
        services.task_close(actor=personas.committee_admin, task=task, evaluation="good")
    assert _codes("responsibility.task.closed") == 1


def test_a_unit_closes_its_own_task_without_an_evaluation(tree, personas):
    task = own_task(tree)
    with pytest.raises(Http404):
        services.task_close(actor=personas.secretary_a, task=task, evaluation="")
    services.task_close(actor=personas.unit_admin, task=task, evaluation="")
    task.refresh_from_db()
    assert task.status == "closed" and task.evaluation == ""


def test_the_committee_may_supervise_a_unit_s_own_task(tree, personas):
    task = own_task(tree)
    services.supervision_send(
        actor=personas.committee_admin,
        task=task,
        note="请按计划推进",
        respond_by=today() + dt.timedelta(days=2),
    )
    with pytest.raises(Http404):
        services.supervision_send(
            actor=personas.unit_admin,
            task=task,
            note="自己督办自己",
            respond_by=today() + dt.timedelta(days=2),
        )
    assert Supervision.objects.count() == 1
