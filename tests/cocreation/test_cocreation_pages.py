"""The 共同缔造 pages through the Django test client: the hub with totals and charts, the lists
with filters and search, the forms (a refusal is a Chinese message at the field and nothing is
written), photos, junk input, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.cocreation import services as s
from dangjian.cocreation.models import (
    Campaign,
    Community,
    Milestone,
    Pairing,
    Photo,
    Problem,
    Project,
    ProjectMetric,
    Visit,
)
from dangjian.core.models import AuditEntry
from tests.cocreation.conftest import png_bytes, png_upload
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_tree")]


def _client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def admin(client, personas):
    return _client(client, personas.unit_admin)


@pytest.fixture
def committee(client, personas):
    return _client(client, personas.committee_admin)


def _text(response) -> str:
    return response.content.decode()


def test_hub_of_the_unit_admin_shows_its_pairing_and_projects(admin, world):
    response = admin.get(reverse("cocreation:home"))
    assert response.status_code == 200
    page = _text(response)
    assert "甲局党组 · 郧阳区谭家湾镇龙泉村" in page
    assert "户户通：硬化通村入户道路" in page
    assert "户户亮：路灯安装" not in page  # 乙局's project
    totals = response.context["totals"]
    assert totals.pairings == 1 and totals.pilots == 1
    assert totals.projects == 2
    # 户户通 is still ongoing: its 300 households are planned, not yet reached
    assert totals.households == 0 and totals.households_planned == 300
    assert totals.km == D("4.5")
    assert totals.funds_raised == D("80.50")
    assert totals.problems_open == 2 and totals.problems_overdue == 1
    assert 'data-cocreation-chart="chart-status"' in page


def test_hub_of_the_committee_covers_every_unit_with_charts(committee, world):
    response = committee.get(reverse("cocreation:home"))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals.pairings == 3 and totals.pilots == 1 and totals.projects == 3
    assert totals.communities == 2
    status = response.context["chart_status"]
    assert status["units"] == ["甲局党组", "乙局党组"]
    ongoing = next(x for x in status["series"] if x["name"] == "实施中")
    assert ongoing["data"] == [1, 1]
    metrics = response.context["chart_metrics"]
    i = metrics["names"].index("硬化道路（公里）")
    assert metrics["targets"][i] == 12.0 and metrics["achieved"][i] == 4.5
    assert metrics["percents"][i] == 37.5
    raw = re.search(r'<script id="chart-metrics"[^>]*>(.*?)</script>', _text(response)).group(1)
    data = json.loads(raw)
    assert data["names"] == metrics["names"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?pilot=1", 1),
        ("?pilot=0", 2),
        ("?q=柳陂", 1),
        ("?district=郧阳区", 3),
        ("?district=不存在", 3),  # junk filters are ignored
        ("?status=ended", 0),
        ("?status=all&unit=abc&page=zz", 3),
    ],
)
def test_hub_filters(committee, world, query, expected):
    response = committee.get(reverse("cocreation:home") + query)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == expected


def test_hub_unit_filter(committee, world, tree):
    response = committee.get(reverse("cocreation:home") + f"?unit={tree.party_group_b.pk}")
    assert response.context["page"].paginator.count == 2


def test_readers_are_sent_to_the_communities_and_others_get_404(client, personas, world):
    for name in ("member_a", "secretary_a", "judge"):
        c = _client(client, personas.by_name(name))
        assert c.get(reverse("cocreation:home")).status_code == 302
        assert c.get(reverse("cocreation:communities")).status_code == 200
        for url in ("projects", "problems", "campaigns"):
            assert c.get(reverse(f"cocreation:{url}")).status_code == 404
        c.logout()
    for name in ("auditor", "security_admin", "system_admin", "outsider"):
        c = _client(client, personas.by_name(name))
        assert c.get(reverse("cocreation:home")).status_code == 404
        assert c.get(reverse("cocreation:communities")).status_code == 404
        c.logout()


def test_project_list_filters_and_states(committee, world):
    url = reverse("cocreation:projects")
    assert committee.get(url).context["page"].paginator.count == 3
    assert committee.get(url + "?status=planned").context["page"].paginator.count == 1
    assert committee.get(url + "?category=lighting").context["page"].paginator.count == 1
    assert committee.get(url + "?q=户户通").context["page"].paginator.count == 1
    response = committee.get(url + "?status=bogus&category=x&pilot=7")
    assert response.status_code == 200 and response.context["page"].paginator.count == 3
    assert "37.5%" in _text(committee.get(url + "?q=户户通"))


def test_problem_ledger_and_overdue_view(admin, world):
    url = reverse("cocreation:problems")
    response = admin.get(url)
    assert response.context["page"].paginator.count == 2
    response = admin.get(url + "?overdue=1")
    rows = list(response.context["page"].object_list)
    assert [p.description for p in rows] == ["村口路灯不亮"]
    assert "已逾期" in _text(response)
    s.problem_update(
        actor=None, problem=world.problem_overdue, status="resolved", resolution="已修复"
    )
    assert admin.get(url + "?overdue=1").context["page"].paginator.count == 0
    assert admin.get(url + "?status=resolved").context["page"].paginator.count == 1
    assert admin.get(url + "?status=").context["page"].paginator.count == 2


def test_community_create_and_duplicate_at_the_field(admin, world):
    url = reverse("cocreation:community_create")
    assert admin.get(url).status_code == 200
    response = admin.post(
        url, {"name": "龙泉村", "kind": "village", "district": "郧阳区", "township": "谭家湾镇"}
    )
    assert response.status_code == 400
    assert "已登记" in str(response.context["form"].errors["name"])
    response = admin.post(
        url,
        {
            "name": "北街社区",
            "kind": "community",
            "district": "茅箭区",
            "township": "五堰街道",
            "households": "-4",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["households"] == ["户数不能为负数。"]
    response = admin.post(
        url,
        {
            "name": "北街社区",
            "kind": "community",
            "district": "茅箭区",
            "township": "五堰街道",
            "households": "1200",
        },
    )
    place = Community.objects.get(name="北街社区")
    assert response.status_code == 302 and response.url == reverse(
        "cocreation:community", args=[place.pk]
    )
    assert place.households == 1200


def test_pairing_create_page(admin, world, tree):
    place = s.community_create(
        actor=None, name="北街社区", kind="community", district="茅箭区", township="五堰街道"
    )
    url = reverse("cocreation:pairing_create")
    response = admin.get(url + f"?community={place.pk}")
    assert response.status_code == 200
    today = dt.date.today().isoformat()
    response = admin.post(
        url, {"org": tree.party_group_a.pk, "community": world.village.pk, "started_on": today}
    )
    assert response.status_code == 400
    assert "不能重复登记" in str(response.context["form"].errors["community"])
    response = admin.post(
        url, {"org": tree.party_group_b.pk, "community": place.pk, "started_on": today}
    )
    assert response.status_code == 400  # 乙局 is not a choice for 甲局's admin
    response = admin.post(
        url,
        {
            "org": tree.party_group_a.pk,
            "community": place.pk,
            "started_on": today,
            "is_pilot": "on",
        },
    )
    pairing = Pairing.objects.unscoped().get(community=place)
    assert response.status_code == 302 and pairing.is_pilot


def test_pairing_page_cadres_and_end(admin, world, tree):
    url = reverse("cocreation:pairing", args=[world.pairing.pk])
    response = admin.get(url)
    assert response.status_code == 200
    assert "户户通" in _text(response) and "驻村第一书记" in _text(response)
    response = admin.post(
        reverse("cocreation:cadre_add", args=[world.pairing.pk]),
        {"name": "", "post": "包联干部", "started_on": "2026-13-01"},
    )
    assert response.status_code == 400
    assert "开始日期无效" in str(response.context["cadre_form"].errors["started_on"])
    response = admin.post(
        reverse("cocreation:cadre_add", args=[world.pairing.pk]),
        {
            "member": tree.members_a[2].pk,
            "post": "包联干部",
            "started_on": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert world.pairing.cadres.filter(name=tree.members_a[2].name).exists()
    response = admin.post(
        reverse("cocreation:pairing_end", args=[world.pairing.pk]),
        {"ended_on": (world.pairing.started_on - dt.timedelta(days=1))},
    )
    assert response.status_code == 400
    assert "结束日期不能早于包联日期。" in _text(response)
    response = admin.post(
        reverse("cocreation:pairing_end", args=[world.pairing.pk]),
        {"ended_on": dt.date.today().isoformat()},
    )
    assert response.status_code == 302
    world.pairing.refresh_from_db()
    assert world.pairing.ended_on is not None


def _project_post(**changes):
    data = {
        "title": "户户亮：太阳能路灯",
        "category": "lighting",
        "goal": "安装太阳能路灯，确保户户亮。",
        "status": "planned",
        "starts_on": "2026-01-01",
        "due_on": "",
        "funds_planned": "35",
        "is_public": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"funds_planned": "-5"}, "funds_planned", "计划资金不能为负数。"),
        ({"due_on": "2025-12-31"}, "due_on", "计划完成日期不能早于开始日期。"),
        ({"title": "灯" * 201}, "title", "项目名称不能超过200字。"),
        ({"beneficiary_households": "很多"}, "beneficiary_households", "受益户数须为整数。"),
        ({"starts_on": "not-a-date"}, "starts_on", "开始日期无效，应为 YYYY-MM-DD。"),
    ],
)
def test_project_form_refusals_at_the_field(admin, world, changes, field, message):
    before = Project.objects.unscoped().count()
    response = admin.post(
        reverse("cocreation:project_create", args=[world.pairing.pk]), _project_post(**changes)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert Project.objects.unscoped().count() == before


def test_project_form_creates_and_edits(admin, world):
    response = admin.post(
        reverse("cocreation:project_create", args=[world.pairing.pk]), _project_post()
    )
    project = Project.objects.unscoped().get(title="户户亮：太阳能路灯")
    assert response.status_code == 302 and project.funds_planned == D("35")
    url = reverse("cocreation:project_edit", args=[project.pk])
    assert admin.get(url).status_code == 200
    response = admin.post(url, _project_post(status="done"))
    project.refresh_from_db()
    assert response.status_code == 302 and project.finished_on == dt.date.today()


def test_project_page_metric_milestone_feedback(admin, world, today):
    url = reverse("cocreation:project", args=[world.project.pk])
    response = admin.get(url)
    assert response.status_code == 200
    page = _text(response)
    assert "4.5 / 12 公里" in page and "37.5%" in page
    assert "王大爷" in page  # the unit sees residents' names
    assert "满意率" in page
    # a metric with a negative target
    response = admin.post(
        reverse("cocreation:metric_add", args=[world.project.pk]),
        {"name": "路灯", "unit": "盏", "target": "-3"},
    )
    assert response.status_code == 400
    assert response.context["metric_form"].errors["target"] == ["目标值应大于0。"]
    assert not ProjectMetric.objects.filter(name="路灯").exists()
    response = admin.post(
        reverse("cocreation:metric_add", args=[world.project.pk]),
        {"name": "路灯", "unit": "盏", "target": "40"},
    )
    assert response.status_code == 302
    lamp = ProjectMetric.objects.get(name="路灯")
    # a milestone with a negative amount
    response = admin.post(
        reverse("cocreation:milestone_add", args=[world.project.pk]),
        {"title": "安装路灯", "due_on": today.isoformat(), "metric": lamp.pk, "amount": "-2"},
    )
    assert response.status_code == 400
    assert response.context["milestone_form"].errors["amount"] == ["完成量不能为负数。"]
    response = admin.post(
        reverse("cocreation:milestone_add", args=[world.project.pk]),
        {"title": "安装路灯", "due_on": today.isoformat(), "metric": lamp.pk, "amount": "48"},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="安装路灯")
    response = admin.post(
        reverse("cocreation:milestone_done", args=[milestone.pk]),
        {"done_on": (today + dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert "完成日期不能晚于今天。" in _text(response)
    response = admin.post(
        reverse("cocreation:milestone_done", args=[milestone.pk]),
        {"done_on": today.isoformat(), "amount": ""},
    )
    assert response.status_code == 302
    page = _text(admin.get(url))
    assert "48 / 40 盏" in page and "120.0%" in page and "超额完成" in page
    response = admin.post(
        reverse("cocreation:feedback_add", args=[world.project.pk]),
        {
            "received_on": today.isoformat(),
            "satisfaction": "basic",
            "content": "灯亮了",
            "resident_name": "周大姐",
        },
    )
    assert response.status_code == 302
    response = admin.post(
        reverse("cocreation:feedback_reply", args=[world.feedback_private.pk]),
        {"reply": "三组道路下月施工。"},
    )
    assert response.status_code == 302
    world.feedback_private.refresh_from_db()
    assert world.feedback_private.reply == "三组道路下月施工。"


def test_photo_upload_gallery_and_download(admin, client, personas, world):
    url = reverse("cocreation:project_photo_add", args=[world.project.pk])
    fake = png_upload("x.png")
    response = admin.post(url, {"file": fake, "caption": "硬化后的村道"})
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.caption == "硬化后的村道"
    page = _text(admin.get(reverse("cocreation:project", args=[world.project.pk])))
    assert reverse("cocreation:photo", args=[photo.pk]) in page
    response = admin.get(reverse("cocreation:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("evil.png", b"<html>not a photo</html>", content_type="image/png")
    response = admin.post(url, {"file": bad})
    assert response.status_code == 400
    assert response.context["photo_form"].errors["file"] == [
        "只能上传照片（JPG、PNG 或 WebP 格式）。"
    ]
    assert Photo.objects.count() == 1
    response = admin.post(url, {"caption": "没有文件"})
    assert response.status_code == 400
    assert Photo.objects.count() == 1


def test_photo_of_a_private_record_is_hidden_from_readers(client, personas, world):
    public = s.photo_add(actor=None, uploaded_file=png_upload(), project=world.project)
    private = s.photo_add(actor=None, uploaded_file=png_upload(), visit=world.visit_private)
    c = _client(client, personas.member_a)
    assert c.get(reverse("cocreation:photo", args=[public.pk])).status_code == 200
    assert c.get(reverse("cocreation:photo", args=[private.pk])).status_code == 404
    assert c.post(reverse("cocreation:photo_remove", args=[public.pk])).status_code == 404
    c.logout()
    c = _client(client, personas.auditor)
    assert c.get(reverse("cocreation:photo", args=[public.pk])).status_code == 404


def test_campaign_pages(admin, world, today, tree):
    assert admin.get(reverse("cocreation:campaigns")).status_code == 200
    url = reverse("cocreation:campaign_create")
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        {
            "org": tree.party_group_a.pk,
            "title": "大清扫",
            "starts_on": today.isoformat(),
            "ends_on": (today - dt.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"] == ["结束日期不能早于开始日期。"]
    response = admin.post(
        url,
        {
            "org": tree.party_group_a.pk,
            "title": "大清扫",
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "communities": [world.village.pk],
            "cadres": "12",
            "residents": "80",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.unscoped().get(title="大清扫")
    assert list(campaign.communities.all()) == [world.village]
    detail = admin.get(reverse("cocreation:campaign", args=[campaign.pk]))
    assert detail.status_code == 200 and "龙泉村" in _text(detail)
    response = admin.post(
        reverse("cocreation:campaign_edit", args=[campaign.pk]),
        {
            "title": "大清扫",
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "communities": [world.village.pk],
            "results": "清运垃圾12车",
            "cadres": "12",
            "residents": "80",
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.results == "清运垃圾12车" and not campaign.is_public


def test_visit_form_with_problems_and_problem_update(admin, world, today):
    url = reverse("cocreation:visit_create", args=[world.pairing.pk])
    assert admin.get(url).status_code == 200
    data = {
        "visited_on": today.isoformat(),
        "visitors": "张三丰",
        "summary": "走访10户",
        "households": "10",
        "p1_description": "水管漏水",
        "p1_owner_name": "李四",
        "p1_due_on": (today - dt.timedelta(days=3)).isoformat(),
    }
    before = (Visit.objects.unscoped().count(), Problem.objects.unscoped().count())
    response = admin.post(url, data)
    assert response.status_code == 400
    assert "第1个问题：办理时限不能早于走访日期。" in _text(response)
    assert (Visit.objects.unscoped().count(), Problem.objects.unscoped().count()) == before
    data["p1_due_on"] = (today + dt.timedelta(days=5)).isoformat()
    response = admin.post(url, data)
    visit = Visit.objects.unscoped().order_by("-id").first()
    assert response.status_code == 302 and visit.problems.count() == 1
    problem = visit.problems.get()
    page = admin.get(reverse("cocreation:visit", args=[visit.pk]))
    assert page.status_code == 200 and "水管漏水" in _text(page)
    response = admin.post(
        reverse("cocreation:problem_update", args=[problem.pk]),
        {"status": "resolved", "resolution": ""},
    )
    assert response.status_code == 400
    assert response.context["update_form"].errors["resolution"] == ["请填写办理结果。"]
    response = admin.post(
        reverse("cocreation:problem_update", args=[problem.pk]),
        {
            "status": "resolved",
            "resolution": "已维修",
            "resolved_on": today.isoformat(),
            "next": reverse("cocreation:problems"),
        },
    )
    assert response.status_code == 302 and response.url == reverse("cocreation:problems")
    problem.refresh_from_db()
    assert problem.status == "resolved"
    response = admin.post(
        reverse("cocreation:problem_update", args=[problem.pk]),
        {"status": "resolved", "next": "https://evil.example/"},
    )
    assert response.status_code == 400  # an outside next is ignored; the page shows the error
    assert AuditEntry.objects.filter(action="cocreation.visit.recorded").count() == 3


@pytest.mark.parametrize(
    "url",
    [
        "/cocreation/projects/99999999999999999999/",
        "/cocreation/pairings/0/",
        "/cocreation/communities/123456/",
        "/cocreation/visits/99999/",
        "/cocreation/photos/77/",
    ],
)
def test_unknown_ids_are_404(admin, world, url):
    assert admin.get(url).status_code == 404


def test_get_never_writes_and_post_only_endpoints(admin, world):
    before = AuditEntry.objects.count()
    for name, arg in (
        ("metric_add", world.project.pk),
        ("milestone_done", world.open_milestone.pk),
        ("problem_update", world.problem_overdue.pk),
        ("pairing_end", world.pairing.pk),
    ):
        assert admin.get(reverse(f"cocreation:{name}", args=[arg])).status_code == 405
    assert AuditEntry.objects.count() == before


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _more(world, n, today):
    """n more pairings, each with a project, a metric, a milestone, a visit and a problem."""
    for i in range(n):
        place = s.community_create(
            actor=None, name=f"新村{i}", kind="village", district="丹江口市", township="六里坪镇"
        )
        pairing = s.pairing_create(
            actor=None, org=world.pairing.org, community=place, started_on=world.pairing.started_on
        )
        project = s.project_create(
            actor=None,
            pairing=pairing,
            title=f"项目{i}",
            category="roads",
            goal="修路",
            starts_on=today,
            status="ongoing",
        )
        metric = s.metric_add(actor=None, project=project, name="道路", unit="公里", target=2)
        s.milestone_add(
            actor=None,
            project=project,
            title="一段",
            due_on=today,
            metric=metric,
            amount=1,
            done_on=today,
        )
        s.feedback_add(
            actor=None,
            project=project,
            received_on=today,
            satisfaction="satisfied",
            content="好",
            is_public=True,
        )
        s.visit_record(
            actor=None,
            pairing=pairing,
            visited_on=today,
            visitors="甲",
            summary="走访",
            is_public=True,
            problems=[{"description": "问题", "owner_name": "乙", "due_on": today}],
        )
        c = s.campaign_create(
            actor=None,
            org=world.pairing.org,
            title=f"行动{i}",
            starts_on=today,
            ends_on=today,
            communities=[place],
        )
        s.photo_add(actor=None, uploaded_file=png_upload(), campaign=c)


@pytest.mark.parametrize(
    "url",
    [
        "/cocreation/",
        "/cocreation/projects/",
        "/cocreation/problems/?status=",
        "/cocreation/campaigns/",
        "/cocreation/communities/",
    ],
)
def test_list_pages_cost_a_constant_number_of_queries(committee, world, today, url):
    small = _queries(committee, url)
    _more(world, 4, today)
    assert _queries(committee, url) == small
    assert small <= 30


def test_community_and_pairing_pages_cost_a_constant_number_of_queries(
    committee, client, personas, world, today
):
    community_url = reverse("cocreation:community", args=[world.village.pk])
    pairing_url = reverse("cocreation:pairing", args=[world.pairing.pk])
    small = _queries(committee, community_url)
    small_pairing = _queries(committee, pairing_url)
    for i in range(4):
        p = s.project_create(
            actor=None,
            pairing=world.pairing,
            title=f"项目{i}",
            category="roads",
            goal="修路",
            starts_on=today,
        )
        m = s.metric_add(actor=None, project=p, name="道路", unit="公里", target=2)
        s.milestone_add(actor=None, project=p, title="一段", due_on=today, metric=m, amount=1)
        s.feedback_add(
            actor=None,
            project=p,
            received_on=today,
            satisfaction="basic",
            content="可以",
            resident_name="某某",
        )
        s.photo_add(actor=None, uploaded_file=png_upload(), project=p)
        s.visit_record(
            actor=None,
            pairing=world.pairing,
            visited_on=today,
            visitors="甲",
            summary="走访",
            problems=[{"description": "问题", "owner_name": "乙", "due_on": today}],
        )
        s.cadre_add(actor=None, pairing=world.pairing, name=f"干部{i}", started_on=today)
    assert _queries(committee, community_url) == small
    assert _queries(committee, pairing_url) == small_pairing
    assert small <= 25
