"""The 共同缔造 write paths through the real services: what they record and audit, derived
achievement, and every refusal — a Chinese message at the field and nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from dangjian.cocreation import services as s
from dangjian.cocreation.models import (
    Campaign,
    Community,
    Feedback,
    Milestone,
    Pairing,
    Photo,
    Problem,
    Project,
    ProjectMetric,
    Visit,
)
from dangjian.cocreation.selectors import metrics_for
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from tests.cocreation.conftest import png_upload

pytestmark = pytest.mark.django_db


def _codes(prefix="cocreation."):
    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _refused(field, fn, **kwargs) -> AppError:
    with pytest.raises(AppError) as info:
        fn(**kwargs)
    assert info.value.field == field, info.value.errors
    return info.value


def test_the_world_is_recorded_and_audited(world, tree):
    codes = _codes()
    assert codes.count("cocreation.community.created") == 2
    assert codes.count("cocreation.pairing.created") == 3
    assert "cocreation.cadre.added" in codes
    assert codes.count("cocreation.project.created") == 3
    assert codes.count("cocreation.metric.added") == 2
    assert codes.count("cocreation.milestone.added") == 2
    assert codes.count("cocreation.feedback.added") == 2
    assert "cocreation.campaign.created" in codes
    assert codes.count("cocreation.visit.recorded") == 2
    entry = AuditEntry.objects.filter(action="cocreation.project.created").order_by("id").first()
    assert entry.org_path == tree.party_group_a.path
    assert entry.changes["funds_planned"] == "120.00"
    # the cadre's name came from the member record
    assert world.cadre.name == tree.members_a[0].name
    assert world.project.funds_raised == D("80.50")


def test_achievement_is_the_sum_of_done_milestones(world, today):
    rows = {r.name: r for r in metrics_for([world.project.pk])[world.project.pk]}
    assert rows["硬化道路"].progress.achieved == D("4.5")  # the open milestone's 5 is not counted
    assert rows["硬化道路"].progress.percent == D("37.5")
    assert rows["通达户数"].progress.achieved == 0
    s.milestone_done(actor=None, milestone=world.open_milestone, done_on=today, amount="9")
    rows = {r.name: r for r in metrics_for([world.project.pk])[world.project.pk]}
    # 13.5 of 12 km: shown as 112.5 %, not capped
    assert rows["硬化道路"].progress.achieved == D("13.5")
    assert rows["硬化道路"].progress.percent == D("112.5")
    assert rows["硬化道路"].progress.exceeded
    assert "cocreation.milestone.done" in _codes()


def test_milestone_done_keeps_the_planned_amount_and_refuses_twice(world, today):
    done = s.milestone_done(actor=None, milestone=world.open_milestone, done_on=today)
    assert done.amount == D("5") and done.done_on == today
    _refused("done_on", s.milestone_done, actor=None, milestone=done, done_on=today)


@pytest.mark.parametrize(
    ("target", "message"),
    [(0, "目标值应大于0。"), ("-5", "目标值应大于0。"), ("", "请填写目标值。")],
)
def test_a_metric_needs_a_positive_target(world, target, message):
    before = ProjectMetric.objects.count()
    error = _refused(
        "target",
        s.metric_add,
        actor=None,
        project=world.project,
        name="路灯",
        unit="盏",
        target=target,
    )
    assert error.message == message
    assert ProjectMetric.objects.count() == before


def test_a_metric_name_is_unique_in_its_project(world):
    _refused(
        "name",
        s.metric_add,
        actor=None,
        project=world.project,
        name="硬化道路",
        unit="公里",
        target=3,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"funds_planned": "-1"}, "funds_planned", "计划资金不能为负数。"),
        ({"funds_raised": "abc"}, "funds_raised", "协调到位资金须为数字。"),
        ({"beneficiary_households": -3}, "beneficiary_households", "受益户数不能为负数。"),
        ({"title": "路" * 201}, "title", "项目名称不能超过200字。"),
        ({"goal": ""}, "goal", "请填写目标。"),
        ({"category": "space"}, "category", "请选择项目类别。"),
        ({"status": "bogus"}, "status", "请选择项目状态。"),
    ],
)
def test_project_bad_input_writes_nothing(world, today, changes, field, message):
    values = {
        "pairing": world.pairing,
        "title": "户户亮",
        "category": "lighting",
        "goal": "安装路灯",
        "starts_on": today,
    }
    values.update(changes)
    before = (Project.objects.unscoped().count(), AuditEntry.objects.count())
    error = _refused(field, s.project_create, actor=None, **values)
    assert error.message == message
    assert (Project.objects.unscoped().count(), AuditEntry.objects.count()) == before


def test_a_due_date_before_the_start_is_refused(world, today):
    error = _refused(
        "due_on",
        s.project_create,
        actor=None,
        pairing=world.pairing,
        title="户户富",
        category="industry",
        goal="香菇基地",
        starts_on=today,
        due_on=today - dt.timedelta(days=1),
    )
    assert error.message == "计划完成日期不能早于开始日期。"
    error = _refused(
        "ends_on",
        s.campaign_create,
        actor=None,
        org=world.pairing.org,
        title="大清扫",
        starts_on=today,
        ends_on=today - dt.timedelta(days=1),
    )
    assert error.message == "结束日期不能早于开始日期。"


def test_project_update_stamps_and_clears_the_completion(world, today):
    done = s.project_update(actor=None, project=world.project, status="done")
    assert done.finished_on == today
    again = s.project_update(actor=None, project=done, status="ongoing")
    assert again.finished_on is None
    entry = AuditEntry.objects.filter(action="cocreation.project.updated").order_by("id").last()
    assert entry.changes["status"] == ["done", "ongoing"]
    with pytest.raises(AppError):
        s.project_update(actor=None, project=world.project, org_path="/1/")


def test_negative_milestone_amount_and_foreign_metric(world, today):
    before = Milestone.objects.count()
    error = _refused(
        "amount",
        s.milestone_add,
        actor=None,
        project=world.project,
        title="三组",
        due_on=today,
        metric=world.road,
        amount="-1",
    )
    assert error.message == "完成量不能为负数。"
    other = s.metric_add(actor=None, project=world.hidden_project, name="电脑", unit="台", target=5)
    _refused(
        "metric",
        s.milestone_add,
        actor=None,
        project=world.project,
        title="三组",
        due_on=today,
        metric=other,
        amount="1",
    )
    _refused(
        "metric",
        s.milestone_add,
        actor=None,
        project=world.project,
        title="三组",
        due_on=today,
        amount="1",
    )
    _refused(
        "done_on",
        s.milestone_add,
        actor=None,
        project=world.project,
        title="三组",
        due_on=today,
        done_on=today + dt.timedelta(days=1),
    )
    assert Milestone.objects.count() == before


def test_duplicate_community_is_refused(world):
    before = Community.objects.count()
    error = _refused(
        "name",
        s.community_create,
        actor=None,
        name=" 龙泉村 ",
        kind="village",
        district="郧阳区",
        township="谭家湾镇",
    )
    assert "已登记" in error.message
    assert Community.objects.count() == before
    # the same name in another township is another village
    s.community_create(
        actor=None, name="龙泉村", kind="village", district="郧阳区", township="茶店镇"
    )


def test_a_second_live_pairing_is_refused_but_one_after_the_end_is_not(world, tree, today):
    before = Pairing.objects.unscoped().count()
    error = _refused(
        "community",
        s.pairing_create,
        actor=None,
        org=tree.party_group_a,
        community=world.village,
        started_on=today,
    )
    assert "不能重复登记" in error.message
    assert Pairing.objects.unscoped().count() == before
    s.pairing_end(actor=None, pairing=world.pairing, ended_on=today)
    again = s.pairing_create(
        actor=None, org=tree.party_group_a, community=world.village, started_on=today
    )
    assert again.ended_on is None


def test_a_pairing_belongs_to_a_unit_top_body(world, tree, today):
    error = _refused(
        "org",
        s.pairing_create,
        actor=None,
        org=tree.branch_a,
        community=world.other_village,
        started_on=today,
    )
    assert "党组" in error.message
    _refused(
        "started_on",
        s.pairing_create,
        actor=None,
        org=tree.party_group_a,
        community=world.other_village,
        started_on=today + dt.timedelta(days=1),
    )


def test_an_ended_pairing_takes_no_projects(world, today):
    s.pairing_end(actor=None, pairing=world.pairing, ended_on=today)
    world.pairing.refresh_from_db()
    with pytest.raises(AppError):
        s.project_create(
            actor=None,
            pairing=world.pairing,
            title="x",
            category="other",
            goal="x",
            starts_on=today,
        )
    with pytest.raises(AppError):
        s.pairing_end(actor=None, pairing=world.pairing, ended_on=today)


def test_cadre_from_another_unit_is_refused(world, tree, today):
    _refused(
        "member",
        s.cadre_add,
        actor=None,
        pairing=world.pairing,
        name="",
        member=tree.members_c[0],
        started_on=today,
    )
    _refused(
        "name",
        s.cadre_add,
        actor=None,
        pairing=world.pairing,
        name=world.cadre.name,
        started_on=today,
    )
    ended = s.cadre_end(actor=None, cadre=world.cadre, ended_on=today)
    assert ended.ended_on == today


def test_photo_is_judged_by_its_content(world):
    photo = s.photo_add(
        actor=None, uploaded_file=png_upload(), project=world.project, caption="道路硬化后"
    )
    assert photo.content_type == "image/png" and photo.size > 0
    assert photo.file.name.endswith(".png")
    before = Photo.objects.count()
    fake = SimpleUploadedFile("照片.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    error = _refused("file", s.photo_add, actor=None, uploaded_file=fake, project=world.project)
    assert error.message == "只能上传照片（JPG、PNG 或 WebP 格式）。"
    assert Photo.objects.count() == before
    _refused("file", s.photo_add, actor=None, uploaded_file=png_upload())
    _refused(
        "file",
        s.photo_add,
        actor=None,
        uploaded_file=png_upload(),
        project=world.project,
        visit=world.visit_public,
    )


def test_an_oversized_photo_is_refused(world, settings):
    settings.COCREATION_PHOTO_MAX_BYTES = 50
    error = _refused(
        "file", s.photo_add, actor=None, uploaded_file=png_upload(), visit=world.visit_public
    )
    assert "过大" in error.message or "超过" in error.message
    assert Photo.objects.count() == 0


def test_photo_remove(world):
    photo = s.photo_add(actor=None, uploaded_file=png_upload(), campaign=world.campaign)
    s.photo_remove(actor=None, photo=photo)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert "cocreation.photo.removed" in _codes()


def test_feedback_refusals(world, today):
    before = Feedback.objects.count()
    _refused(
        "satisfaction",
        s.feedback_add,
        actor=None,
        project=world.project,
        received_on=today,
        satisfaction="meh",
        content="好",
    )
    _refused(
        "content",
        s.feedback_add,
        actor=None,
        project=world.project,
        received_on=today,
        satisfaction="basic",
        content="",
    )
    _refused(
        "received_on",
        s.feedback_add,
        actor=None,
        project=world.project,
        received_on=today + dt.timedelta(days=1),
        satisfaction="basic",
        content="好",
    )
    assert Feedback.objects.count() == before
    replied = s.feedback_reply(
        actor=None, feedback=world.feedback_private, reply="已安排施工。", is_public=True
    )
    assert replied.reply == "已安排施工。" and replied.is_public


def test_campaign_only_in_paired_places(world, tree, today):
    stranger = s.community_create(
        actor=None, name="北街社区", kind="community", district="茅箭区", township="五堰街道"
    )
    before = Campaign.objects.unscoped().count()
    error = _refused(
        "communities",
        s.campaign_create,
        actor=None,
        org=tree.party_group_a,
        title="大清洗",
        starts_on=today,
        ends_on=today,
        communities=[stranger],
    )
    assert error.message == "只能选择本单位包联的村（社区）。"
    _refused(
        "residents",
        s.campaign_create,
        actor=None,
        org=tree.party_group_a,
        title="大清洗",
        starts_on=today,
        ends_on=today,
        residents=-1,
    )
    assert Campaign.objects.unscoped().count() == before
    updated = s.campaign_update(
        actor=None, campaign=world.campaign, results="清理垃圾50吨。", communities=[]
    )
    assert updated.results == "清理垃圾50吨。" and not updated.communities.exists()
    entry = AuditEntry.objects.filter(action="cocreation.campaign.updated").order_by("id").last()
    assert entry.changes["communities"] == [[world.village.pk], []]


def test_visit_with_bad_problem_writes_nothing(world, today):
    before = (Visit.objects.unscoped().count(), Problem.objects.unscoped().count())
    error = _refused(
        "problems",
        s.visit_record,
        actor=None,
        pairing=world.pairing,
        visited_on=today,
        visitors="张三丰",
        summary="走访",
        problems=[
            {"description": "路灯坏了", "owner_name": "李四", "due_on": today},
            {"description": "水管漏", "owner_name": "李四", "due_on": today - dt.timedelta(days=1)},
        ],
    )
    assert error.message == "第2个问题：办理时限不能早于走访日期。"
    _refused(
        "visited_on",
        s.visit_record,
        actor=None,
        pairing=world.pairing,
        visited_on=today + dt.timedelta(days=1),
        visitors="x",
        summary="x",
    )
    _refused(
        "visitors",
        s.visit_record,
        actor=None,
        pairing=world.pairing,
        visited_on=today,
        visitors="x" * 501,
        summary="x",
    )
    _refused(
        "visited_on",
        s.visit_record,
        actor=None,
        pairing=world.pairing,
        visited_on=world.pairing.started_on - dt.timedelta(days=1),
        visitors="x",
        summary="x",
    )
    assert (Visit.objects.unscoped().count(), Problem.objects.unscoped().count()) == before


def test_problem_is_tracked_to_resolution(world, today):
    p = s.problem_update(
        actor=None, problem=world.problem_overdue, status="in_progress", resolution="已联系供电所"
    )
    assert p.status == "in_progress" and p.resolved_on is None
    _refused("resolution", s.problem_update, actor=None, problem=p, status="resolved")
    done = s.problem_update(actor=None, problem=p, status="resolved", resolution="已更换灯泡")
    assert done.resolved_on == today
    _refused(
        "status", s.problem_update, actor=None, problem=done, status="explained", resolution="x"
    )
    reopened = s.problem_update(actor=None, problem=done, status="in_progress")
    assert reopened.resolved_on is None and reopened.resolution == "已更换灯泡"
    added = s.problem_add(
        actor=None,
        visit=world.visit_public,
        description="井盖缺失",
        owner_name="王五",
        due_on=today,
    )
    assert added.pairing_id == world.pairing.pk
    codes = _codes()
    assert codes.count("cocreation.problem.updated") == 3
    assert "cocreation.problem.added" in codes


@pytest.mark.parametrize("name", ["unit_admin", "committee_admin"])
def test_managers_may_write(world, personas, today, name):
    actor = personas.by_name(name)
    project = s.project_create(
        actor=actor,
        pairing=world.pairing,
        title="户户富",
        category="industry",
        goal="发展香菇基地",
        starts_on=today,
    )
    entry = AuditEntry.objects.filter(action="cocreation.project.created").order_by("id").last()
    assert entry.actor_id == actor.pk and project.created_by == actor


@pytest.mark.parametrize(
    "name", ["secretary_a", "member_a", "judge", "auditor", "system_admin", "outsider"]
)
def test_others_are_refused_with_404(world, personas, today, name):
    actor = personas.by_name(name)
    with pytest.raises(Http404):
        s.project_create(
            actor=actor,
            pairing=world.pairing,
            title="x",
            category="other",
            goal="x",
            starts_on=today,
        )
    with pytest.raises(Http404):
        s.community_create(
            actor=actor, name="新村", kind="village", district="郧阳区", township="谭家湾镇"
        )
    with pytest.raises(Http404):
        s.problem_update(actor=actor, problem=world.problem_overdue, status="in_progress")


def test_unit_admin_cannot_write_for_another_unit(world, personas, tree, today):
    actor = personas.unit_admin
    with pytest.raises(Http404):
        s.project_create(
            actor=actor,
            pairing=world.pairing_b,
            title="x",
            category="other",
            goal="x",
            starts_on=today,
        )
    with pytest.raises(Http404):
        s.pairing_create(
            actor=actor, org=tree.party_group_b, community=world.other_village, started_on=today
        )
    # a community is shared: any manager may register one, and edit one his unit is paired with
    place = s.community_create(
        actor=actor, name="新村", kind="village", district="郧阳区", township="谭家湾镇"
    )
    with pytest.raises(Http404):
        s.community_update(actor=actor, community=place, households=10)
    s.community_update(actor=actor, community=world.village, households=330)
    with pytest.raises(Http404):
        s.community_update(actor=actor, community=world.other_village, households=10)
