"""Who sees what of 共同缔造 (the issue's "a paired community's page shows only what the unit
may show"): the community page in full for the pairing unit's managers and the 工委, only what
the unit marked public for every other reader — never a resident's name — and 404 for the
separated administrators and outsiders; then the permission rows of every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

#: what only the pairing unit (甲局) and the 工委 may see on 龙泉村's page
PRIVATE_A = [
    "内部项目：村委会办公设备",  # a project not public
    "三组的路还没修到家门口",  # feedback not public
    "王大爷",  # a resident's name (of public feedback)
    "李大妈",  # a resident's name (of private feedback)
    "了解困难户情况（内部）",  # a visit not public
    "困难户周某房屋漏雨",  # a problem of a visit not public
    "赵大爷",  # who raised a problem of a public visit
    'data-testid="cadre-member-link"',  # the cadre's member link
]
#: what every reader sees: the public project with its progress, public feedback content, the
#: public visit and its problem, the public campaign, the cadres' names and posts
PUBLIC = [
    "户户通：硬化通村入户道路",
    "37.5%",
    "路修好了，出门不再一脚泥。",
    "走访农户，听取意见。",
    "村口路灯不亮",
    "大清理、大清扫、大清洗专项行动",
    "驻村第一书记",
    "甲局党组",
    "乙局党组",
]
#: 乙局's project, not public: only 乙局's managers and the 工委
PRIVATE_B = "户户亮：路灯安装"


def _page(client, personas, name, world):
    client.login(username=personas.by_name(name).username, password=PASSWORD)
    return client.get(reverse("cocreation:community", args=[world.village.pk]))


@pytest.mark.parametrize("name", ["member_a", "secretary_a", "secretary_b", "judge"])
def test_readers_see_only_what_the_units_marked_public(client, personas, world, name):
    response = _page(client, personas, name, world)
    assert response.status_code == 200
    page = response.content.decode()
    for text in PUBLIC:
        assert text in page, text
    for text in [*PRIVATE_A, PRIVATE_B]:
        assert text not in page, text
    assert "本页显示各包联单位公开的内容" in page
    # the summary counts only what is shown
    assert response.context["p"].satisfaction.total == 1
    assert all(f.resident_name == "" for f in response.context["p"].feedback)


def test_the_unit_admin_sees_his_unit_in_full_and_the_other_unit_public_only(
    client, personas, world
):
    response = _page(client, personas, "unit_admin", world)
    assert response.status_code == 200
    page = response.content.decode()
    for text in [*PUBLIC, *PRIVATE_A]:
        assert text in page, text
    assert PRIVATE_B not in page
    assert response.context["p"].satisfaction.total == 2


def test_the_committee_sees_everything(client, personas, world):
    response = _page(client, personas, "committee_admin", world)
    page = response.content.decode()
    for text in [*PUBLIC, *PRIVATE_A, PRIVATE_B]:
        assert text in page, text


@pytest.mark.parametrize("name", ["auditor", "security_admin", "system_admin", "outsider"])
def test_separated_roles_and_outsiders_get_404(client, personas, world, name):
    assert _page(client, personas, name, world).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("cocreation:community", args=[world.village.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_a_public_project_of_the_other_unit_shows_to_the_unit_admin(client, personas, world):
    from dangjian.cocreation import services as s

    s.project_update(actor=None, project=world.project_b, is_public=True)
    page = _page(client, personas, "unit_admin", world).content.decode()
    assert PRIVATE_B in page
    # shown, but not as a link to 乙局's project page
    assert reverse("cocreation:project", args=[world.project_b.pk]) not in page


# ---------------------------------------------------------------------------------------------
# Permission rows: the management pages need cocreation.manage on the record's unit

PERSONAS = [
    "committee_admin",
    "unit_admin",
    "secretary_a",
    "member_a",
    "secretary_b",
    "auditor",
    "security_admin",
    "system_admin",
    "judge",
    "outsider",
]
#: status per persona for a record of 甲局 (A) and of 乙局 (B)
MANAGE_A = {"committee_admin": 200, "unit_admin": 200}
MANAGE_B = {"committee_admin": 200}


def _targets(world):
    return {
        "pairing": ("cocreation:pairing", world.pairing.pk, world.pairing_b.pk),
        "pairing_edit": ("cocreation:pairing_edit", world.pairing.pk, world.pairing_b.pk),
        "project": ("cocreation:project", world.project.pk, world.project_b.pk),
        "project_edit": ("cocreation:project_edit", world.project.pk, world.project_b.pk),
        "project_create": ("cocreation:project_create", world.pairing.pk, world.pairing_b.pk),
        "visit_create": ("cocreation:visit_create", world.pairing.pk, world.pairing_b.pk),
    }


@pytest.mark.parametrize("name", PERSONAS)
def test_permission_rows(client, personas, world, name):
    client.login(username=personas.by_name(name).username, password=PASSWORD)
    for key, (route, a, b) in _targets(world).items():
        got_a = client.get(reverse(route, args=[a])).status_code
        got_b = client.get(reverse(route, args=[b])).status_code
        assert got_a == MANAGE_A.get(name, 404), f"{key}-{name}-A"
        assert got_b == MANAGE_B.get(name, 404), f"{key}-{name}-B"
    for route, arg in (
        ("cocreation:visit", world.visit_private.pk),
        ("cocreation:campaign", world.campaign.pk),
        ("cocreation:campaign_edit", world.campaign.pk),
        ("cocreation:community_edit", world.village.pk),
    ):
        assert client.get(reverse(route, args=[arg])).status_code == MANAGE_A.get(name, 404), (
            f"{route}-{name}"
        )
    expected_global = 200 if name in MANAGE_A else 404
    for route in (
        "cocreation:projects",
        "cocreation:problems",
        "cocreation:campaigns",
        "cocreation:pairing_create",
        "cocreation:campaign_create",
        "cocreation:community_create",
    ):
        assert client.get(reverse(route)).status_code == expected_global, f"{route}-{name}"


@pytest.mark.parametrize("name", ["secretary_a", "member_a", "judge", "auditor", "outsider"])
def test_posts_by_non_managers_are_404_and_write_nothing(client, personas, world, name):
    from dangjian.core.models import AuditEntry

    client.login(username=personas.by_name(name).username, password=PASSWORD)
    before = AuditEntry.objects.filter(action__startswith="cocreation.").count()
    posts = [
        (
            reverse("cocreation:metric_add", args=[world.project.pk]),
            {"name": "x", "unit": "个", "target": "1"},
        ),
        (
            reverse("cocreation:milestone_done", args=[world.open_milestone.pk]),
            {"done_on": world.today.isoformat()},
        ),
        (
            reverse("cocreation:problem_update", args=[world.problem_overdue.pk]),
            {"status": "in_progress"},
        ),
        (reverse("cocreation:pairing_end", args=[world.pairing.pk]), {}),
        (reverse("cocreation:cadre_end", args=[world.cadre.pk]), {}),
        (reverse("cocreation:feedback_reply", args=[world.feedback_public.pk]), {"reply": "x"}),
        (reverse("cocreation:export", args=["problems"]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert AuditEntry.objects.filter(action__startswith="cocreation.").count() == before


def test_the_unit_admin_cannot_post_into_the_other_unit(client, personas, world):
    client.login(username="unit_admin", password=PASSWORD)
    url = reverse("cocreation:metric_add", args=[world.project_b.pk])
    assert client.post(url, {"name": "x", "unit": "个", "target": "1"}).status_code == 404
    assert not world.project_b.metrics.exists()
