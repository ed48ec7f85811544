"""Observation meeting write paths: planning, route, judges, participants and sign-in, the
judges' scores (every bad input of issue #6: above the maximum, below zero, a stop not
assigned, a meeting not live — a clear message and nothing written), submission, closing,
and the follow-up (speeches, conclusions, tasks). Every write is audited."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.http import Http404
from tests.assessment.helpers_obs import (
    START,
    items_of,
    make_meeting,
    make_sheet,
    make_users,
    score_all,
    stops_of,
)

from dangjian.assessment import services_observation as obs
from dangjian.assessment.models import (
    ObservationJudge,
    ObservationMeeting,
    ObservationTask,
    Participant,
    ScoreItem,
    ScoreSheet,
    Stop,
)
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _actions(prefix="assessment."):
    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _written():
    """Everything a score could have written: sheets, items, score audit entries."""
    return (
        ScoreSheet.objects.unscoped().count(),
        ScoreItem.objects.unscoped().count(),
        AuditEntry.objects.filter(action="assessment.score.saved").count(),
    )


# ---------------------------------------------------------------------------------- planning


def test_create_checks_input_and_audits(tree, personas):
    sheet = make_sheet(tree.root)
    meeting = obs.observation_create(
        actor=personas.committee_admin,
        owner=tree.root,
        title="  2022年第三次现场观摩会 ",
        starts_at=START,
        sheet=sheet,
        trim_min_judges=5,
        outlier_points="8.5",
    )
    assert meeting.title == "2022年第三次现场观摩会"
    assert meeting.owner_path == tree.root.path
    assert meeting.status == "planned"
    assert len(meeting.sign_in_code) == 6 and meeting.sign_in_code.isalnum()
    assert meeting.outlier_points == Decimal("8.5")
    entry = AuditEntry.objects.get(action="assessment.observation.created")
    assert entry.actor == personas.committee_admin
    assert entry.changes["sheet"] == sheet.pk and entry.org_path == tree.root.path


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"title": " "}, "title", "请填写会议名称"),
        ({"starts_at": dt.datetime(2022, 11, 1, 9)}, "starts_at", "开始时间"),
        ({"trim_min_judges": -1}, "trim_min_judges", "0到100"),
        ({"trim_min_judges": 101}, "trim_min_judges", "0到100"),
        ({"outlier_points": "0"}, "outlier_points", "大于0"),
        ({"outlier_points": "-3"}, "outlier_points", "大于0"),
        ({"outlier_points": "abc"}, "outlier_points", "有效的分数"),
        ({"outlier_points": "1.234"}, "outlier_points", "两位小数"),
    ],
)
def test_create_refuses_bad_input(tree, personas, kwargs, field, message):
    values = {"title": "观摩会", "starts_at": START} | kwargs
    with pytest.raises(AppError, match=message) as exc:
        obs.observation_create(actor=personas.committee_admin, owner=tree.root, **values)
    assert exc.value.field == field
    assert ObservationMeeting.objects.unscoped().count() == 0
    assert _actions() == []


def test_create_needs_assess_manage_on_the_owner(tree, personas):
    for name in ("secretary_a", "judge", "member_a", "outsider", "auditor"):
        with pytest.raises(Http404):
            obs.observation_create(
                actor=personas.by_name(name), owner=tree.root, title="x", starts_at=START
            )
    # the unit admin runs meetings of his unit, not of the committee above
    with pytest.raises(Http404):
        obs.observation_create(
            actor=personas.unit_admin, owner=tree.root, title="x", starts_at=START
        )
    meeting = obs.observation_create(
        actor=personas.unit_admin, owner=tree.party_group_a, title="甲局观摩", starts_at=START
    )
    assert meeting.owner_path == tree.party_group_a.path


def test_sheet_must_be_a_stop_scheme_with_items(tree, personas):
    unit_scheme = make_sheet(tree.root, name="单位考核")
    unit_scheme.target = "unit"
    unit_scheme.save()
    with pytest.raises(AppError, match="观摩点位") as exc:
        obs.observation_create(
            actor=None, owner=tree.root, title="x", starts_at=START, sheet=unit_scheme
        )
    assert exc.value.field == "sheet"
    # a sheet of the committee above serves a unit's meeting; one of a sibling unit does not
    committee_sheet = make_sheet(tree.root, name="工委评分表")
    meeting = obs.observation_create(
        actor=personas.unit_admin,
        owner=tree.party_group_a,
        title="甲局观摩",
        starts_at=START,
        sheet=committee_sheet,
    )
    assert meeting.sheet == committee_sheet
    sibling = make_sheet(tree.party_group_b, name="乙局评分表")
    with pytest.raises(Http404):
        obs.observation_create(
            actor=personas.unit_admin,
            owner=tree.party_group_a,
            title="甲局观摩2",
            starts_at=START,
            sheet=sibling,
        )


def test_update_diff_and_sheet_locked_once_scored(tree, personas):
    judges = make_users("j", 1)
    sheet = make_sheet(tree.root)
    meeting = make_meeting(tree, sheet=sheet, judges=judges, live=True)
    obs.observation_update(actor=personas.committee_admin, meeting=meeting, theme="新主题")
    entry = AuditEntry.objects.filter(action="assessment.observation.updated").get()
    assert entry.changes == {"theme": ["赛党建、创清廉、推进共同缔造", "新主题"]}
    # nothing changed → no entry
    obs.observation_update(actor=personas.committee_admin, meeting=meeting, theme="新主题")
    assert AuditEntry.objects.filter(action="assessment.observation.updated").count() == 1
    with pytest.raises(AppError, match="不能更换评分表"):
        obs.observation_update(actor=None, meeting=meeting, sheet=None)
    with pytest.raises(AppError, match="不能修改该项"):
        obs.observation_update(actor=None, meeting=meeting, status="closed")


# ---------------------------------------------------------------------------------- route


def test_route_add_reorder_remove_keeps_orders_dense(tree, personas):
    meeting = make_meeting(tree, stops=[])
    admin = personas.committee_admin
    a = obs.stop_add(actor=admin, meeting=meeting, org=tree.party_group_a, place="门口展板")
    b = obs.stop_add(actor=admin, meeting=meeting, org=tree.party_group_b, place="三楼书法室")
    c = obs.stop_add(
        actor=admin, meeting=meeting, org=tree.branch_c, place="四楼合唱排练", show_kind="activity"
    )
    assert [s.order for s in stops_of(meeting)] == [1, 2, 3]
    obs.stops_reorder(actor=admin, meeting=meeting, stop_ids=[c.pk, a.pk, b.pk])
    assert [s.pk for s in stops_of(meeting)] == [c.pk, a.pk, b.pk]
    assert [s.order for s in stops_of(meeting)] == [1, 2, 3]
    with pytest.raises(AppError, match="全部点位"):
        obs.stops_reorder(actor=admin, meeting=meeting, stop_ids=[c.pk, a.pk])
    with pytest.raises(AppError, match="全部点位"):
        obs.stops_reorder(actor=admin, meeting=meeting, stop_ids=[c.pk, a.pk, a.pk])
    obs.stop_remove(actor=admin, stop=c)
    assert [(s.pk, s.order) for s in stops_of(meeting)] == [(a.pk, 1), (b.pk, 2)]
    assert "assessment.stop.reordered" in _actions() and "assessment.stop.removed" in _actions()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"place": ""}, "place"),
        ({"planned_minutes": 0}, "planned_minutes"),
        ({"planned_minutes": 601}, "planned_minutes"),
        ({"show_kind": "dance"}, "show_kind"),
    ],
)
def test_stop_bad_input(tree, kwargs, field):
    meeting = make_meeting(tree, stops=[])
    values = {"org": tree.party_group_a, "place": "门口"} | kwargs
    with pytest.raises(AppError) as exc:
        obs.stop_add(actor=None, meeting=meeting, **values)
    assert exc.value.field == field
    assert Stop.objects.unscoped().count() == 0


def test_stop_unit_must_be_under_the_owner(tree, personas):
    meeting = make_meeting(tree, owner=tree.party_group_a, stops=[])
    with pytest.raises(AppError, match="范围内"):
        obs.stop_add(actor=None, meeting=meeting, org=tree.branch_c, place="乙局")


def test_judge_defaults_to_all_stops_and_new_stops_follow(tree):
    users = make_users("j", 2)
    meeting = make_meeting(tree, judges=[users[0]])
    first = stops_of(meeting)[0]
    partial = obs.judge_add(actor=None, meeting=meeting, user=users[1], stops=[first])
    everyone = ObservationJudge.objects.unscoped().get(meeting=meeting, user=users[0])
    assert everyone.name == "评委j1"
    assert {s.pk for s in everyone.stops.all()} == {s.pk for s in stops_of(meeting)}
    new = obs.stop_add(actor=None, meeting=meeting, org=tree.branch_c, place="四楼")
    assert new in everyone.stops.all() and new not in partial.stops.all()
    with pytest.raises(AppError, match="已是本次观摩会的评委"):
        obs.judge_add(actor=None, meeting=meeting, user=users[0])


def test_judge_assignment_cannot_drop_a_scored_stop(tree):
    users = make_users("j", 1)
    meeting = make_meeting(tree, sheet=make_sheet(tree.root), judges=users, live=True)
    first, second = stops_of(meeting)
    judge = ObservationJudge.objects.unscoped().get(meeting=meeting)
    score_all(meeting, users[0], first, ["8", "8", "16"], submit=False)
    with pytest.raises(AppError, match="不能取消分配"):
        obs.judge_assign(actor=None, judge=judge, stops=[second])
    obs.judge_assign(actor=None, judge=judge, stops=[first])
    assert list(judge.stops.all()) == [first]
    with pytest.raises(AppError, match="已有评分"):
        obs.judge_remove(actor=None, judge=judge)
    with pytest.raises(AppError, match="已有评分"):
        obs.stop_remove(actor=None, stop=first)


# ---------------------------------------------------------------------------------- sign-in


def test_participants_and_qr_sign_in(tree, personas):
    meeting = make_meeting(tree)
    created = obs.participants_add(
        actor=personas.committee_admin,
        meeting=meeting,
        users=[personas.member_a, personas.member_a],
        names=["王老师", ("李主任", "市委老干部局")],
    )
    assert len(created) == 3
    assert Participant.objects.unscoped().filter(meeting=meeting).count() == 3
    # an account already on the list is skipped
    assert obs.participants_add(actor=None, meeting=meeting, users=[personas.member_a]) == []
    row = obs.participant_sign_in(actor=personas.member_a, code=meeting.sign_in_code.lower())
    assert row.signed_in_at is not None
    again = obs.participant_sign_in(actor=personas.member_a, code=meeting.sign_in_code)
    assert again.signed_in_at == row.signed_in_at
    assert AuditEntry.objects.filter(action="assessment.participant.signed_in").count() == 1
    with pytest.raises(AppError, match="不在本次观摩会的参会人员名单中"):
        obs.participant_sign_in(actor=personas.secretary_b, code=meeting.sign_in_code)
    with pytest.raises(AppError, match="签到码无效"):
        obs.participant_sign_in(actor=personas.member_a, code="ZZZZZZ")
    assert (
        Participant.objects.unscoped().filter(meeting=meeting, signed_in_at__isnull=False).count()
        == 1
    )


def test_start_needs_stops_and_judges_close_counts_unsent(tree):
    users = make_users("j", 2)
    empty = make_meeting(tree, stops=[], title="空")
    with pytest.raises(AppError, match="观摩点位"):
        obs.observation_start(actor=None, meeting=empty)
    no_judges = make_meeting(tree, title="无评委")
    with pytest.raises(AppError, match="评委"):
        obs.observation_start(actor=None, meeting=no_judges)
    meeting = make_meeting(tree, sheet=make_sheet(tree.root), judges=users, live=True)
    first = stops_of(meeting)[0]
    score_all(meeting, users[0], first, ["9", "9", "18"])
    score_all(meeting, users[1], first, ["5", "5", "10"], submit=False)
    obs.observation_close(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    entry = AuditEntry.objects.get(action="assessment.observation.closed")
    assert entry.changes["unsubmitted_sheets"] == 1
    with pytest.raises(AppError, match="只有进行中"):
        obs.observation_close(actor=None, meeting=meeting)
    with pytest.raises(AppError, match="已结束"):
        obs.stop_add(actor=None, meeting=meeting, org=tree.branch_c, place="x")


# ---------------------------------------------------------------------------------- scores


@pytest.fixture
def live(tree, personas):
    """A live meeting with a 40-point sheet, two stops, judge A on both, judge B on the
    first only."""
    a, b = make_users("j", 2)
    meeting = make_meeting(tree, sheet=make_sheet(tree.root), judges=[a], live=False)
    first, second = stops_of(meeting)
    obs.judge_add(actor=None, meeting=meeting, user=b, stops=[first])
    meeting = obs.observation_start(actor=None, meeting=meeting)
    return meeting, a, b, first, second, items_of(meeting.sheet)


def test_item_saved_total_recomputed_and_audited(live):
    meeting, a, _b, first, _second, items = live
    item = obs.score_item_save(actor=a, stop=first, indicator=items[0], points=Decimal("8.5"))
    assert item.points == Decimal("8.5") and item.sheet.total == Decimal("8.5")
    obs.score_item_save(actor=a, stop=first, indicator=items[2], points="17")
    item = obs.score_item_save(actor=a, stop=first, indicator=items[0], points=Decimal("9"))
    assert item.sheet.total == Decimal("26.00")
    sheet = ScoreSheet.objects.unscoped().get(stop=first, judge__user=a)
    assert sheet.total == Decimal("26.00") and sheet.submitted_at is None
    entries = AuditEntry.objects.filter(action="assessment.score.saved").order_by("id")
    assert entries.count() == 3
    assert entries.last().changes == {
        "stop": first.pk,
        "indicator": items[0].pk,
        "points": "9.00",
        "previous": "8.50",
        "total": "26.00",
    }
    assert entries.last().org_path == meeting.owner_path and entries.last().actor == a


def test_resending_the_same_score_writes_nothing(live):
    _meeting, a, _b, first, _second, items = live
    obs.score_item_save(actor=a, stop=first, indicator=items[0], points="7")
    before = _written()
    again = obs.score_item_save(actor=a, stop=first, indicator=items[0], points="7.00")
    assert again.points == Decimal("7") and _written() == before


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("10.01", "得分不能超过该项分值 10.00 分"),
        ("11", "得分不能超过该项分值 10.00 分"),
        ("-0.5", "得分不能为负数"),
        ("-1", "得分不能为负数"),
        ("8.555", "最多保留两位小数"),
        ("NaN", "有效的分数"),
        ("Infinity", "有效的分数"),
        ("abc", "有效的分数"),
        ("", "有效的分数"),
    ],
)
def test_bad_points_are_refused_and_nothing_written(live, points, message):
    _meeting, a, _b, first, _second, items = live
    before = _written()
    with pytest.raises(AppError, match=re.escape(message)) as exc:
        obs.score_item_save(actor=a, stop=first, indicator=items[0], points=points)
    assert exc.value.field == "points"
    assert _written() == before == (0, 0, 0)


def test_boundaries_zero_and_maximum_are_accepted(live):
    _meeting, a, _b, first, _second, items = live
    assert obs.score_item_save(actor=a, stop=first, indicator=items[0], points="0").points == 0
    item = obs.score_item_save(actor=a, stop=first, indicator=items[1], points="10")
    assert item.points == Decimal("10") and item.sheet.total == Decimal("10")


def test_a_stop_not_assigned_is_refused_and_nothing_written(live):
    _meeting, _a, b, _first, second, items = live
    with pytest.raises(AppError, match="您未被分配到该点位评分") as exc:
        obs.score_item_save(actor=b, stop=second, indicator=items[0], points="5")
    assert exc.value.field == "stop"
    with pytest.raises(AppError, match="您未被分配到该点位评分"):
        obs.sheet_submit(actor=b, stop=second)
    assert _written() == (0, 0, 0)


def test_someone_not_a_judge_gets_404_and_nothing_written(live, personas):
    _meeting, _a, _b, first, _second, items = live
    for user in (personas.committee_admin, personas.judge, personas.outsider, None):
        with pytest.raises(Http404):
            obs.score_item_save(actor=user, stop=first, indicator=items[0], points="5")
    assert _written() == (0, 0, 0)


def test_a_meeting_not_live_refuses_scores(tree):
    users = make_users("j", 1)
    meeting = make_meeting(tree, sheet=make_sheet(tree.root), judges=users)
    first = stops_of(meeting)[0]
    indicator = items_of(meeting.sheet)[0]
    with pytest.raises(AppError, match="尚未开始"):
        obs.score_item_save(actor=users[0], stop=first, indicator=indicator, points="5")
    meeting = obs.observation_start(actor=None, meeting=meeting)
    obs.observation_close(actor=None, meeting=meeting)
    with pytest.raises(AppError, match="已结束"):
        obs.score_item_save(actor=users[0], stop=first, indicator=indicator, points="5")
    assert _written() == (0, 0, 0)


def test_an_indicator_of_another_scheme_or_a_category_is_refused(live, tree):
    _meeting, a, _b, first, _second, _items = live
    other = items_of(make_sheet(tree.root, name="另一张表"))[0]
    with pytest.raises(AppError, match="不属于本次观摩会的评分表"):
        obs.score_item_save(actor=a, stop=first, indicator=other, points="5")
    category = other.parent
    with pytest.raises(AppError, match="不属于本次观摩会的评分表"):
        obs.score_item_save(actor=a, stop=first, indicator=category, points="5")
    assert _written() == (0, 0, 0)


def test_submit_needs_every_item_and_then_locks(live):
    _meeting, a, _b, first, _second, items = live
    with pytest.raises(AppError, match="请先评分"):
        obs.sheet_submit(actor=a, stop=first)
    obs.score_item_save(actor=a, stop=first, indicator=items[0], points="8")
    with pytest.raises(AppError, match="还有2项未评分"):
        obs.sheet_submit(actor=a, stop=first)
    obs.score_item_save(actor=a, stop=first, indicator=items[1], points="8")
    obs.score_item_save(actor=a, stop=first, indicator=items[2], points="16")
    sheet = obs.sheet_submit(actor=a, stop=first, comment="展板规范")
    assert sheet.submitted_at is not None and sheet.total == Decimal("32") and sheet.comment
    assert obs.sheet_submit(actor=a, stop=first).submitted_at == sheet.submitted_at
    before = _written()
    with pytest.raises(AppError, match="已提交"):
        obs.score_item_save(actor=a, stop=first, indicator=items[0], points="9")
    assert _written() == before
    # a manager hands it back; the judge corrects it
    obs.sheet_reopen(actor=None, sheet=sheet)
    obs.score_item_save(actor=a, stop=first, indicator=items[0], points="9")
    assert ScoreSheet.objects.unscoped().get(pk=sheet.pk).total == Decimal("33")
    assert _actions("assessment.sheet.") == [
        "assessment.sheet.submitted",
        "assessment.sheet.reopened",
    ]


def test_overall_score_without_a_sheet(tree):
    users = make_users("j", 1)
    meeting = make_meeting(tree, judges=users, live=True)
    first = stops_of(meeting)[0]
    with pytest.raises(AppError, match=re.escape("不能超过该项分值 100.00 分")):
        obs.score_overall_save(actor=users[0], stop=first, points="100.5")
    assert _written() == (0, 0, 0)
    sheet = obs.score_overall_save(actor=users[0], stop=first, points="92.5")
    assert sheet.total == Decimal("92.5")
    obs.score_overall_save(actor=users[0], stop=first, points="92.50")  # resend: nothing
    assert AuditEntry.objects.filter(action="assessment.score.saved").count() == 1
    assert obs.sheet_submit(actor=users[0], stop=first).submitted_at is not None
    indicator = items_of(make_sheet(tree.root))[0]
    with pytest.raises(AppError, match="不设评分项"):
        obs.score_item_save(actor=users[0], stop=first, indicator=indicator, points="5")


# ---------------------------------------------------------------------------------- afterwards


def test_speeches_conclusions_tasks(tree, personas):
    meeting = make_meeting(tree)
    admin = personas.committee_admin
    s1 = obs.speech_add(
        actor=admin, meeting=meeting, speaker="张局长", org=tree.party_group_b, title="老干部工作"
    )
    s2 = obs.speech_add(actor=admin, meeting=meeting, speaker="李处长", org=tree.party_group_a)
    assert (s1.order, s2.order) == (1, 2)
    obs.speech_update(actor=admin, speech=s2, notes="法治宣传进社区")
    with pytest.raises(AppError, match="请填写发言人"):
        obs.speech_update(actor=admin, speech=s2, speaker="")
    obs.conclusions_set(actor=admin, meeting=meeting, conclusions="书记赛党建；六化管理")
    task = obs.task_add(
        actor=admin,
        meeting=meeting,
        org=tree.branch_a,
        title="完善支部标准化台账",
        due_on=dt.date(2022, 12, 31),
    )
    with pytest.raises(AppError, match="不能早于"):
        obs.task_add(
            actor=admin, meeting=meeting, org=tree.branch_a, title="x", due_on=dt.date(2022, 1, 1)
        )
    # the responsible unit's secretary marks it done; another branch's cannot
    with pytest.raises(Http404):
        obs.task_done(actor=personas.secretary_b, task=task, note="完成")
    done = obs.task_done(
        actor=personas.secretary_a, task=task, note="已完成", done_on=dt.date(2022, 12, 1)
    )
    assert done.status == "done" and done.done_on == dt.date(2022, 12, 1)
    with pytest.raises(AppError, match="已完成"):
        obs.task_done(actor=personas.secretary_a, task=task, note="again")
    assert ObservationTask.objects.unscoped().get(pk=task.pk).done_note == "已完成"
    assert _actions() == [
        "assessment.observation.created",
        "assessment.stop.added",
        "assessment.stop.added",
        "assessment.speech.added",
        "assessment.speech.added",
        "assessment.speech.updated",
        "assessment.observation.conclusions_set",
        "assessment.task.added",
        "assessment.task.done",
    ]
