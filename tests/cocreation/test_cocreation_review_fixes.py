"""Defects a review of 共同缔造 found, each pinned by a test that failed before its fix:

- control characters in a search or in the API's district are dropped, not searched for;
- a cadre's departure with an invalid date is refused in Chinese (only a blank date means
  today) and writes nothing;
- the hub's 受益户数 counts only what was achieved (done projects); planned beneficiaries are
  shown apart and labelled as such;
- places and members beyond the first 500 can be chosen (the posted id is checked against
  the database, scoped; a search narrows the options);
- a photo whose record fails after its file was stored leaves no file behind;
- an export holds exactly the rows of the filtered list it was started from."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from decimal import Decimal as D

import pytest
from django.db import DatabaseError
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.cocreation import selectors as sel
from dangjian.cocreation import selectors_hub as hub
from dangjian.cocreation import services as s
from dangjian.cocreation.models import Community, Pairing, PairingCadre, Photo
from dangjian.core.models import AuditEntry
from tests.cocreation.conftest import png_upload
from tests.conftest import PASSWORD
from tests.faults import drop_connection_after

DB_ERRORS = (DatabaseError, sqlite3.Error)


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


# ---------------------------------------------------------------------------------------------
# 1. Control characters in searches


def test_clean_q_drops_control_characters():
    assert sel.clean_q("\x01户户\x7f通\x1f ") == "户户通"
    assert sel.clean_q("\t龙泉\n村\r") == "龙泉村"
    assert sel.clean_text("\x1b郧阳区\x00") == "郧阳区"


@pytest.mark.django_db
def test_a_search_with_control_characters_finds_what_the_text_names(committee, world):
    response = committee.get(reverse("cocreation:projects") + "?q=%01户户通%7f")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert response.context["params"]["q"] == "户户通"


@pytest.mark.django_db
def test_the_api_district_drops_control_characters(client, world, personas):
    from dangjian.accounts.services import api_token_create

    token = api_token_create(actor=None, user=personas.committee_admin, name="t")
    secret = token[1] if isinstance(token, tuple) else token
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = client.get("/api/cocreation/pairings?district=%01郧阳区%1f", **headers).json()
    assert body["count"] == 3
    body = client.get("/api/cocreation/projects?district=%7f郧阳区", **headers).json()
    assert body["count"] == 3


# ---------------------------------------------------------------------------------------------
# 2. A cadre's departure


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["garbage", "2026-13-45", "今天"])
def test_cadre_end_with_an_invalid_date_writes_nothing(admin, world, junk):
    url = reverse("cocreation:cadre_end", args=[world.cadre.pk])
    response = admin.post(url, {"ended_on": junk}, follow=True)
    world.cadre.refresh_from_db()
    assert world.cadre.ended_on is None
    assert not AuditEntry.objects.filter(action="cocreation.cadre.ended").exists()
    assert "离任日期无效，应为 YYYY-MM-DD。" in _text(response)
    assert "已离任。" not in _text(response)


@pytest.mark.django_db
def test_cadre_end_with_a_blank_date_means_today(admin, world, today):
    url = reverse("cocreation:cadre_end", args=[world.cadre.pk])
    response = admin.post(url, {"ended_on": ""})
    assert response.status_code == 302
    world.cadre.refresh_from_db()
    assert world.cadre.ended_on == today


@pytest.mark.django_db
def test_cadre_end_with_a_date_before_the_start_is_refused(admin, world):
    url = reverse("cocreation:cadre_end", args=[world.cadre.pk])
    before = (world.cadre.started_on - dt.timedelta(days=1)).isoformat()
    response = admin.post(url, {"ended_on": before}, follow=True)
    world.cadre.refresh_from_db()
    assert world.cadre.ended_on is None
    assert "离任日期不能早于开始日期。" in _text(response)


# ---------------------------------------------------------------------------------------------
# 4. Households reached: what was achieved


@pytest.mark.django_db
def test_households_reached_count_only_done_projects(admin, world, today):
    extra = dict(category="roads", goal="目标", starts_on=today - dt.timedelta(days=10))
    s.project_create(
        actor=None, pairing=world.pairing, title="谋划中", beneficiary_households=50, **extra
    )
    s.project_create(
        actor=None,
        pairing=world.pairing,
        title="暂停",
        status="suspended",
        beneficiary_households=20,
        beneficiary_people=70,
        **extra,
    )
    totals = admin.get(reverse("cocreation:home")).context["totals"]
    # 户户通 (300 households) is still ongoing: nothing is reached yet
    assert totals.households == 0 and totals.people == 0
    assert totals.households_planned == 350  # ongoing 300 + planned 50; suspended left out

    s.project_update(actor=None, project=world.project, status="done", finished_on=today)
    response = admin.get(reverse("cocreation:home"))
    totals = response.context["totals"]
    assert totals.households == 300 and totals.people == 1000
    assert totals.households_planned == 50
    page = _text(response)
    assert "已完成项目受益户数" in page
    assert "在建及谋划中项目计划受益" in page


@pytest.mark.django_db
def test_the_community_page_tells_planned_from_reached_beneficiaries(admin, world, today):
    url = reverse("cocreation:community", args=[world.village.pk])
    assert "计划受益 300 户" in _text(admin.get(url))
    s.project_update(actor=None, project=world.project, status="done", finished_on=today)
    page = _text(admin.get(url))
    assert "计划受益 300 户" not in page and "受益 300 户" in page


@pytest.mark.django_db
def test_hub_totals_query_count_is_fixed(world, personas, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        hub.hub_totals(personas.committee_admin)


# ---------------------------------------------------------------------------------------------
# 5. Every place and every member can be chosen


def _many_places(n: int) -> list[Community]:
    Community.objects.bulk_create(
        Community(name=f"甲{i:04d}村", kind="village", district="房县", township="城关镇")
        for i in range(n)
    )
    return list(Community.objects.filter(district="房县").order_by("name"))


@pytest.mark.django_db
def test_the_place_past_the_first_500_can_be_paired(admin, world, tree, today):
    places = _many_places(501)
    url = reverse("cocreation:pairing_create")
    shown = admin.get(url).context["form"].fields["community"].widget.choices
    last = places[-1]
    assert str(last.pk) not in {str(v) for v, _ in shown}  # too many to list them all
    # the search finds it
    response = admin.get(reverse("cocreation:community_options") + "?q=甲0500")
    assert response.status_code == 200
    assert f'value="{last.pk}"' in _text(response)
    assert "<option" in _text(response) and "城关镇甲0500村" in _text(response)
    # and it can be posted
    response = admin.post(
        url, {"org": tree.party_group_a.pk, "community": last.pk, "started_on": today.isoformat()}
    )
    assert response.status_code == 302
    assert Pairing.objects.unscoped().filter(org=tree.party_group_a, community=last).exists()


@pytest.mark.django_db
def test_a_preselected_place_past_500_is_offered(admin, world):
    last = _many_places(501)[-1]
    form = admin.get(reverse("cocreation:pairing_create") + f"?community={last.pk}").context["form"]
    assert form.initial["community"] == last.pk
    assert str(last.pk) in {str(v) for v, _ in form.fields["community"].widget.choices}


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["999999", "abc", "-3", "1" * 30])
def test_an_unknown_place_is_refused_at_the_field(admin, world, tree, today, junk):
    response = admin.post(
        reverse("cocreation:pairing_create"),
        {"org": tree.party_group_a.pk, "community": junk, "started_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["community"] == ["请选择有效的村（社区）。"]
    assert Pairing.objects.unscoped().count() == 3


@pytest.mark.django_db
def test_the_place_options_need_a_manager(client, personas, world):
    url = reverse("cocreation:community_options")
    assert _client(client, personas.member_a).get(url).status_code == 404
    client.logout()
    assert _client(client, personas.unit_admin).get(url + "?q=%01龙泉").status_code == 200


def _many_members(branch, n: int) -> None:
    from dangjian.members.models import Member

    Member.all_objects.bulk_create(
        Member(
            name=f"阿{i:04d}",
            name_pinyin=f"a{i:04d}",
            sex="male",
            birth_date=dt.date(1980, 1, 1),
            category="full",
            branch=branch,
            joined_on=dt.date(2005, 7, 1),
            org_path=branch.path,
        )
        for i in range(n)
    )


@pytest.mark.django_db
def test_a_member_past_the_first_500_can_be_linked(admin, world, tree, today):
    _many_members(tree.branch_a, 501)
    wang = tree.members_a[2]  # 王五: "wangwu" sorts after every "a…"
    page = admin.get(reverse("cocreation:pairing", args=[world.pairing.pk]))
    shown = {str(v) for v, _ in page.context["cadre_form"].fields["member"].widget.choices}
    assert str(wang.pk) not in shown
    options = admin.get(reverse("cocreation:cadre_members", args=[world.pairing.pk]) + "?q=王五")
    assert options.status_code == 200 and f'value="{wang.pk}"' in _text(options)
    response = admin.post(
        reverse("cocreation:cadre_add", args=[world.pairing.pk]),
        {"member": wang.pk, "post": "包联干部", "started_on": today.isoformat()},
    )
    assert response.status_code == 302
    assert PairingCadre.objects.filter(pairing=world.pairing, member=wang).exists()


@pytest.mark.django_db
def test_a_member_outside_the_unit_is_refused_at_the_field(admin, world, tree, today):
    stranger = tree.members_c[0]  # 乙局
    response = admin.post(
        reverse("cocreation:cadre_add", args=[world.pairing.pk]),
        {"member": stranger.pk, "post": "包联干部", "started_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["cadre_form"].errors["member"] == ["请选择有效的本单位党员。"]
    assert not PairingCadre.objects.filter(member=stranger).exists()


@pytest.mark.django_db
def test_the_member_options_of_another_units_pairing_are_404(admin, world):
    url = reverse("cocreation:cadre_members", args=[world.pairing_b.pk])
    assert admin.get(url).status_code == 404


# ---------------------------------------------------------------------------------------------
# 6. A photo that fails after its file was stored leaves no file


@pytest.mark.django_db(transaction=True)
def test_a_dropped_photo_record_leaves_no_file(tree, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photos = Photo.objects.count()
    dropped = drop_connection_after(0, match='INSERT INTO "core_auditentry"')
    with dropped as fault, pytest.raises(DB_ERRORS):
        s.photo_add(actor=None, uploaded_file=png_upload(), project=world.project)
    assert fault.dropped
    assert any(st.startswith('INSERT INTO "cocreation_photo"') for st in fault.statements)
    assert Photo.objects.count() == photos
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the stored file went too

    photo = s.photo_add(actor=None, uploaded_file=png_upload(), project=world.project)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [
        photo.file.name.rsplit("/", 1)[-1]
    ]


# ---------------------------------------------------------------------------------------------
# 7. Exports hold the filtered list


def _export(client, kind: str, data: dict) -> list[list]:
    response = client.post(reverse("cocreation:export", args=[kind]), data)
    assert response.status_code == 200, response.content[:300]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _hidden(page: str, kind: str) -> dict:
    """The hidden fields of the export form of a list page, as the browser would post them."""
    import re

    form = re.search(
        rf'<form method="post" action="/cocreation/export/{kind}/"[^>]*>(.*?)</form>', page, re.S
    ).group(1)
    return {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
        if name != "csrfmiddlewaretoken"
    }


@pytest.mark.django_db
def test_the_overdue_export_holds_only_the_overdue_problems(admin, world):
    page = admin.get(reverse("cocreation:problems") + "?overdue=1")
    listed = [p.description for p in page.context["page"].object_list]
    assert listed == ["村口路灯不亮"]
    params = _hidden(_text(page), "problems")
    assert params["overdue"] == "1"
    rows = _export(admin, "problems", params)
    assert [r[4] for r in rows[1:]] == listed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["?q=路灯", "?q=周某&status=", "?status=resolved", "?overdue=1&q=水渠"]
)
def test_the_problem_export_equals_the_list(admin, world, query):
    page = admin.get(reverse("cocreation:problems") + query)
    listed = sorted(p.description for p in page.context["page"].object_list)
    rows = _export(admin, "problems", _hidden(_text(page), "problems"))
    assert sorted(r[4] for r in rows[1:]) == listed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "?q=户户通",
        "?category=lighting",
        "?category=services",
        "?district=郧阳区&pilot=0",
        "?pilot=1&status=planned",
        "?unit={unit_b}",
    ],
)
def test_the_project_export_equals_the_list(committee, world, tree, query):
    page = committee.get(
        reverse("cocreation:projects") + query.format(unit_b=tree.party_group_b.pk)
    )
    listed = sorted(p.title for p in page.context["page"].object_list)
    assert listed != sorted(
        ["户户通：硬化通村入户道路", "内部项目：村委会办公设备", "户户亮：路灯安装"]
    )
    rows = _export(committee, "projects", _hidden(_text(page), "projects"))
    assert sorted({r[3] for r in rows[1:]}) == listed


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?pilot=1", "?q=柳陂", "?status=ended", "?unit={unit_b}"])
def test_the_pairing_export_equals_the_hub_list(committee, world, tree, query):
    page = committee.get(reverse("cocreation:home") + query.format(unit_b=tree.party_group_b.pk))
    listed = sorted((p.org.name, p.community.name) for p in page.context["page"].object_list)
    rows = _export(committee, "pairings", _hidden(_text(page), "pairings"))
    assert sorted({(r[1], r[4]) for r in rows[1:]}) == listed


@pytest.mark.django_db
def test_export_filters_are_cleaned_and_audited(committee, world):
    rows = _export(
        committee,
        "projects",
        {"q": "\x01户户通", "category": "bogus", "district": "不存在", "pilot": "7"},
    )
    assert {r[3] for r in rows[1:]} == {"户户通：硬化通村入户道路"}
    entry = AuditEntry.objects.filter(action="cocreation.projects.exported").get()
    assert entry.changes["q"] == "户户通" and entry.changes["category"] == ""


@pytest.mark.django_db
def test_funds_and_metrics_unchanged_by_the_export_filters(committee, world):
    rows = _export(committee, "projects", {"q": "户户通"})
    header, body = rows[0], rows[1:]
    road = next(r for r in body if r[header.index("目标指标")] == "硬化道路")
    assert D(str(road[header.index("完成值")])) == D("4.5")
