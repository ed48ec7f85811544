"""Pages of the responsibility lists: who may open which (one table: the 工委 sees all, 甲局's
admin 甲局 only, everybody else nothing), query counts that do not grow with the rows, the
forms (errors at the field, nothing written), the phone report form with a photo, evidence
downloads, the overview, and junk input (a Chinese message or a 404, never a 500)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.responsibility import services_duties
from dangjian.responsibility.models import DutyItem, DutyList, DutyReport, ReportFile
from tests.conftest import PERSONA_NAMES
from tests.responsibility.resp_duties_support import (
    YEAR,
    add_item,
    at,
    confirmed_list,
    make_list,
    photo,
    report,
)

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def objects(tree, media):
    own, (item, _other) = confirmed_list(tree.party_group_a)
    done = report(item, files=[photo()])
    evidence = ReportFile.objects.get(duty_report=done)
    draft = make_list(tree.party_group_a, kind="dual", holder_name="李四")
    add_item(draft)
    other, (other_item, _x) = confirmed_list(tree.party_group_b)
    return {
        "list": own.pk,
        "item": item.pk,
        "file": evidence.pk,
        "draft": draft.pk,
        "other": other.pk,
        "other_item": other_item.pk,
        "P": tree.party_group_a.pk,
        "Q": tree.party_group_b.pk,
    }


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


ADMINS = {"committee_admin": 200, "unit_admin": 200}
COMMITTEE = {"committee_admin": 200}

# (name, url, {persona: status}; every persona not named answers 404)
PAGES = [
    ("lists", "/responsibility/duties/", ADMINS),
    ("lists of 甲局", "/responsibility/duties/?org={P}&year=", ADMINS),
    ("lists of 乙局", "/responsibility/duties/?org={Q}", COMMITTEE),
    ("new list in 甲局", "/responsibility/duties/new/?org={P}", ADMINS),
    ("new list in 乙局", "/responsibility/duties/new/?org={Q}", COMMITTEE),
    ("list of 甲局", "/responsibility/duties/{list}/", ADMINS),
    ("list of 乙局", "/responsibility/duties/{other}/", COMMITTEE),
    ("edit draft", "/responsibility/duties/{draft}/edit/", ADMINS),
    ("add item", "/responsibility/duties/{list}/items/new/", ADMINS),
    ("add item 乙局", "/responsibility/duties/{other}/items/new/", COMMITTEE),
    ("edit item", "/responsibility/duties/items/{item}/edit/", ADMINS),
    ("report form", "/responsibility/duties/items/{item}/report/", ADMINS),
    ("report form 乙局", "/responsibility/duties/items/{other_item}/report/", COMMITTEE),
    ("evidence", "/responsibility/duties/files/{file}/", ADMINS),
    ("overview", "/responsibility/duties/overview/", ADMINS),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, personas, objects, persona):
    """Every page for one persona (one set-up per persona keeps the table fast)."""
    c = _as(client, personas, persona)
    got = {name: c.get(url.format(**objects)).status_code for name, url, _t in PAGES}
    assert got == {name: table.get(persona, 404) for name, _u, table in PAGES}


def test_the_committee_admin_chooses_a_unit_first(client, personas, objects):
    response = _as(client, personas, "committee_admin").get("/responsibility/duties/new/")
    assert response.status_code == 200
    assert "请先选择单位" in response.content.decode()
    # 甲局's admin has one unit: straight to the form
    response = _as(client, personas, "unit_admin").get("/responsibility/duties/new/")
    assert 'data-testid="duty-list-form"' in response.content.decode()


WRITES = [
    ("confirm", "/responsibility/duties/{draft}/confirm/", {}),
    ("delete", "/responsibility/duties/{draft}/delete/", {}),
    ("copy", "/responsibility/duties/{list}/copy/", {"year": YEAR + 1}),
    ("item delete", "/responsibility/duties/items/{item}/delete/", {}),
    ("report", "/responsibility/duties/items/{item}/report/", {"quarter": 2, "progress": 9,
                                                                  "text": "x"}),
    ("export", "/responsibility/duties/{list}/export/", {"fmt": "xlsx"}),
    ("new item", "/responsibility/duties/{list}/items/new/", {"content": "x", "owner_name": "y",
                                                               "category": "political"}),
]  # fmt: skip


@pytest.mark.parametrize(
    "persona", ["secretary_a", "member_a", "judge", "auditor", "security_admin", "outsider"]
)
def test_writes_are_404_for_everybody_else(client, personas, objects, persona):
    before = AuditEntry.objects.count()
    c = _as(client, personas, persona)
    got = {name: c.post(url.format(**objects), data).status_code for name, url, data in WRITES}
    assert got == {name: 404 for name, _u, _d in WRITES}
    assert DutyList.all_objects.count() == 3 and DutyItem.objects.count() == 5
    assert DutyReport.objects.count() == 1
    assert AuditEntry.objects.count() == before


def test_the_other_units_admin_cannot_touch_a_list(client, personas, objects):
    response = _as(client, personas, "unit_admin").post(
        f"/responsibility/duties/items/{objects['other_item']}/report/",
        {"quarter": 1, "progress": 50, "text": "x"},
    )
    assert response.status_code == 404
    assert DutyReport.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Forms


def test_create_a_list_and_its_items_through_the_pages(client, tree, personas, media):
    c = _as(client, personas, "unit_admin")
    year = timezone.localdate().year
    response = c.post(
        f"/responsibility/duties/new/?org={tree.party_group_a.pk}",
        {"org": tree.party_group_a.pk, "year": year, "kind": "first",
         "holder": tree.members_a[0].pk, "holder_post": "党组书记"},
    )  # fmt: skip
    duty_list = DutyList.all_objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{duty_list.pk}/")
    assert duty_list.holder_name == tree.members_a[0].name
    response = c.post(
        f"/responsibility/duties/{duty_list.pk}/items/new/",
        {"category": "political", "content": "带头落实“第一议题”制度", "owner_name": "张三丰",
         "deadline": f"{year}-12-31", "next": "another"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/items/new/")
    response = c.post(f"/responsibility/duties/{duty_list.pk}/confirm/")
    assert response.status_code == 302
    duty_list.refresh_from_db()
    assert duty_list.confirmed_at is not None
    page = c.get(f"/responsibility/duties/{duty_list.pk}/").content.decode()
    assert "带头落实“第一议题”制度" in page and "已确认发布" in page


def test_a_second_main_list_is_refused_at_the_field(client, tree, personas, objects):
    response = _as(client, personas, "unit_admin").post(
        f"/responsibility/duties/new/?org={tree.party_group_a.pk}",
        {"org": tree.party_group_a.pk, "year": YEAR, "kind": "main"},
    )
    assert response.status_code == 400
    assert "已有党组主体责任清单" in response.content.decode()
    assert DutyList.all_objects.count() == 3


def test_item_deadline_outside_the_year_is_shown_at_the_field(client, personas, objects):
    response = _as(client, personas, "unit_admin").post(
        f"/responsibility/duties/{objects['draft']}/items/new/",
        {"category": "political", "content": "x", "owner_name": "y", "deadline": "2030-01-01"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-deadline"' in response.content.decode()
    assert f"完成时限须在{YEAR}年内。" in response.content.decode()


def test_editing_a_confirmed_item_asks_for_a_reason(client, personas, objects):
    c = _as(client, personas, "unit_admin")
    url = f"/responsibility/duties/items/{objects['item']}/edit/"
    page = c.get(url).content.decode()
    assert "调整原因" in page and "disabled" in page
    response = c.post(url, {"measures": "新措施", "owner_name": "张三丰", "reason": ""})
    assert response.status_code == 400
    assert "须填写调整原因" in response.content.decode()
    response = c.post(url, {"measures": "新措施", "owner_name": "张三丰", "reason": "上级要求"})
    assert response.status_code == 302
    assert DutyItem.objects.get(pk=objects["item"]).measures == "新措施"


def test_report_progress_above_100_is_refused_at_progress(client, personas, objects):
    response = _as(client, personas, "unit_admin").post(
        f"/responsibility/duties/items/{objects['item']}/report/",
        {"quarter": 2, "progress": 150, "text": "推进中"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-progress"' in page and "完成进度应在0到100之间。" in page
    assert DutyReport.objects.count() == 1


def test_report_with_a_photo_from_the_phone_page(client, personas, objects, media):
    c = _as(client, personas, "unit_admin")
    url = f"/responsibility/duties/items/{objects['item']}/report/"
    page = c.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'accept="image/*' in page
    response = c.post(
        url, {"quarter": 2, "progress": 80, "text": "召开专题会", "files": [photo("现场.png")]}
    )
    assert response.status_code == 302
    done = DutyReport.objects.get(item_id=objects["item"], quarter=2)
    assert done.progress == 80 and done.files.get().original_name == "现场.png"
    assert DutyItem.objects.get(pk=objects["item"]).progress == 80
    detail = c.get(f"/responsibility/duties/{objects['list']}/").content.decode()
    assert "现场.png" in detail


def test_evidence_download_is_audited(client, personas, objects):
    response = _as(client, personas, "unit_admin").get(
        f"/responsibility/duties/files/{objects['file']}/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="responsibility.duty_file.downloaded").count() == 1


def test_copy_through_the_page(client, personas, objects):
    response = _as(client, personas, "unit_admin").post(
        f"/responsibility/duties/{objects['list']}/copy/", {"year": YEAR + 1}
    )
    assert response.status_code == 302
    copy = DutyList.all_objects.get(year=YEAR + 1)
    assert response["Location"].endswith(f"/{copy.pk}/")
    bad = _as(client, personas, "unit_admin").post(
        f"/responsibility/duties/{objects['list']}/copy/", {"year": "abc"}
    )
    assert bad.status_code == 302  # back with the message, nothing written
    assert DutyList.all_objects.count() == 4


def test_detail_shows_findings_with_the_rule_id(client, personas, objects):
    page = (
        _as(client, personas, "unit_admin")
        .get(f"/responsibility/duties/{objects['list']}/")
        .content.decode()
    )
    # a past year: quarters 2–4 of the first item and all of the second are overdue
    assert "R-ORG-12" in page and "逾期未报告" in page and "已过完成时限" in page


def test_filters_and_search(client, personas, objects):
    c = _as(client, personas, "committee_admin")
    page = c.get("/responsibility/duties/?year=&kind=dual").content.decode()
    assert "李四" in page and "共 1 份清单" in page
    page = c.get("/responsibility/duties/?year=&q=乙局").content.decode()
    assert "共 1 份清单" in page
    page = c.get(f"/responsibility/duties/?year={YEAR}&status=draft").content.decode()
    assert "共 1 份清单" in page


# ---------------------------------------------------------------------------------------------
# Query counts


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _more(tree, n):
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    for i in range(n):
        unit = Unit.objects.create(name=f"测试{i}局", sort=10 + i)
        org = org_services.org_create(
            actor=None, parent=tree.root, name=f"测试{i}局党组", kind="party_group", unit=unit
        )
        _list, items = confirmed_list(org, items=3)
        for item in items:
            report(item, quarter=1, files=[photo()])
            report(item, quarter=2)


def test_list_pages_do_not_grow_with_rows(client, tree, personas, objects):
    c = _as(client, personas, "committee_admin")
    urls = ["/responsibility/duties/?year=", "/responsibility/duties/overview/?year=2024"]
    small = [_queries(c, u) for u in urls]
    _more(tree, 6)
    assert [_queries(c, u) for u in urls] == small
    assert max(small) <= 20


def test_detail_page_does_not_grow_with_items(client, tree, personas, objects):
    c = _as(client, personas, "unit_admin")
    url = f"/responsibility/duties/{objects['list']}/"
    small = _queries(c, url)
    duty_list = DutyList.all_objects.get(pk=objects["list"])
    for n in range(5):
        item = add_item(duty_list, content=f"增补{n}", deadline=dt.date(YEAR, 12, 31))
        report(item, quarter=1, files=[photo()])
        report(item, quarter=3)
    assert _queries(c, url) == small
    assert small <= 15


# ---------------------------------------------------------------------------------------------
# The overview and junk input


def test_overview_counts_per_unit(client, tree, personas, objects):
    page = _as(client, personas, "committee_admin").get(
        f"/responsibility/duties/overview/?year={YEAR}"
    )
    text = page.content.decode()
    assert text.count('data-testid="overview-row"') == 2
    assert "第四季度" in text  # a past year: the fourth quarter's reports are counted
    mine = _as(client, personas, "unit_admin").get("/responsibility/duties/overview/?year=2024")
    assert mine.content.decode().count('data-testid="overview-row"') == 1


@pytest.mark.parametrize(
    "url",
    [
        "/responsibility/duties/?org=abc&year=x&kind=zzz&status=q&page=-1",
        "/responsibility/duties/?year=99999999999999999999999",
        "/responsibility/duties/overview/?year=abc&page=x",
        "/responsibility/duties/items/{item}/report/?quarter=9",
        "/responsibility/duties/items/{item}/report/?quarter=abc",
    ],
)
def test_junk_query_strings_never_500(client, personas, objects, url):
    response = _as(client, personas, "committee_admin").get(url.format(**objects))
    assert response.status_code in (200, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/responsibility/duties/99999999/",
        "/responsibility/duties/items/99999999/report/",
        "/responsibility/duties/files/99999999/",
        "/responsibility/duties/new/?org=abc",
        "/responsibility/duties/new/?org={item}0000",
        "/responsibility/duties/?org=-5",
    ],
)
def test_unknown_ids_are_404(client, personas, objects, url):
    assert _as(client, personas, "committee_admin").get(url.format(**objects)).status_code == 404


def test_bad_posts_get_a_message_not_a_500(client, personas, objects):
    c = _as(client, personas, "unit_admin")
    url = f"/responsibility/duties/items/{objects['item']}/report/"
    for data in (
        {"quarter": "abc", "progress": "x", "text": "y"},
        {"quarter": 1, "progress": "", "text": ""},
        {"quarter": 1, "progress": 10, "text": "x" * 6000},
    ):
        response = c.post(url, data)
        assert response.status_code == 400
    response = c.post(f"/responsibility/duties/{objects['list']}/export/", {"fmt": "pdf"})
    assert response.status_code in (302, 400)
    assert DutyReport.objects.count() == 1


def test_get_never_writes(client, personas, objects):
    before = AuditEntry.objects.count()
    c = _as(client, personas, "committee_admin")
    for url, _table in [(u, t) for _n, u, t in PAGES]:
        if "files" in url:
            continue  # a download is audited by design
        c.get(url.format(**objects))
    assert AuditEntry.objects.count() == before


def test_an_empty_draft_invites_the_first_item(client, tree, personas):
    duty_list = make_list(tree.party_group_a, kind="first", holder_name="张三丰")
    page = _as(client, personas, "unit_admin").get(f"/responsibility/duties/{duty_list.pk}/")
    text = page.content.decode()
    assert 'data-testid="no-items"' in text and "草稿" in text
    assert 'data-testid="item-report"' not in text  # no reports before confirming


def test_the_overview_chart_gets_its_data_as_json(client, personas, objects):
    text = (
        _as(client, personas, "committee_admin")
        .get(f"/responsibility/duties/overview/?year={YEAR}")
        .content.decode()
    )
    assert 'id="duties-chart-data"' in text and 'data-duties-chart="duties-chart-data"' in text
    assert "duties_overview.js" in text


def test_the_lists_page_counts_overdue_items_not_findings(client, tree, personas):
    # a past year: each of the two items misses four reports and is past its deadline (five
    # findings each), yet two items are overdue
    confirmed_list(tree.party_group_a, items=2)
    page = (
        _as(client, personas, "unit_admin")
        .get(f"/responsibility/duties/?year={YEAR}")
        .content.decode()
    )
    assert '<span class="finding-error" data-testid="list-errors">2项逾期</span>' in page


def test_an_item_added_in_november_asks_for_the_fourth_quarter_only(client, tree, personas):
    duty_list = make_list(tree.party_group_a)
    add_item(duty_list, content="十一月增补的事项", now=at(dt.date(YEAR, 11, 10)))
    services_duties.duty_list_confirm(actor=None, duty_list=duty_list, now=at(dt.date(YEAR, 1, 20)))
    page = (
        _as(client, personas, "unit_admin")
        .get(f"/responsibility/duties/{duty_list.pk}/")
        .content.decode()
    )
    assert page.count('data-testid="finding-error"') == 1
    assert "第四季度进展逾期未报告" in page and "第一季度进展逾期未报告" not in page
    assert page.count("无需报告") == 3
    listing = _as(client, personas, "unit_admin").get(f"/responsibility/duties/?year={YEAR}")
    assert "1项逾期" in listing.content.decode()
