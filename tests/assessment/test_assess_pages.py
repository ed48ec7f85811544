"""Scheme pages: the permission table (persona × page → 200 or 404), the editor and its forms,
publishing, the assessment page with htmx saves and evidence uploads, the review page,
exports, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from tests.assessment.helpers_assess import YEAR, published, score_of, small_scheme
from tests.conftest import PERSONA_NAMES

from dangjian.assessment import services_assess as sa
from dangjian.assessment import services_schemes as ss
from dangjian.assessment.models import Assessment, Evidence, Indicator, Scheme
from dangjian.core.models import AuditEntry
from dangjian.orgs import services as org_services

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")

ADMIN = {"committee_admin"}
UNIT = {"committee_admin", "unit_admin"}
FILL_A = {"committee_admin", "unit_admin", "secretary_a"}
SUBMITTERS = {"committee_admin", "unit_admin", "secretary_a", "secretary_b"}


@pytest.fixture
def world(tree, personas):
    """A 工委 scheme over the branches (published), a draft 工委 scheme, and a 甲局 scheme over
    its branches (published), each branch A assessment submitted."""
    city, a = published(tree)
    draft = small_scheme(tree.root, name="草稿方案")
    unit = small_scheme(tree.party_group_a, name="甲局方案")
    ss.scheme_publish(actor=None, scheme=unit)
    unit_a = Assessment.objects.unscoped().get(scheme=unit, org=tree.branch_a)
    for assessment in (a, unit_a):
        for title, kwargs in (
            ("人工项", {"points": "18"}),
            ("扣分项", {"occurrences": 1}),
            ("党员大会", {"points": "10"}),
            ("主题党日", {"points": "20"}),
            ("表彰", {"points": "5"}),
        ):
            sa.score_self_set(actor=None, score=score_of(assessment, title), **kwargs)
        sa.assessment_submit(actor=None, assessment=assessment)
    return {"city": city, "draft": draft, "unit": unit, "a": a, "unit_a": unit_a}


PAGES = [
    # (name, url, who gets 200; everyone else 404)
    ("scheme list", "/assessment/schemes/", UNIT),
    ("scheme create", "/assessment/schemes/new/", UNIT),
    ("city scheme", "/assessment/schemes/{city}/", ADMIN),
    ("city scheme edit", "/assessment/schemes/{city}/edit/", ADMIN),
    ("city results", "/assessment/schemes/{city}/results/", ADMIN),
    ("city results export", "/assessment/schemes/{city}/results/export/", ADMIN),
    ("draft add indicator", "/assessment/schemes/{draft}/indicators/new/", ADMIN),
    ("draft publish", "/assessment/schemes/{draft}/publish/", ADMIN),
    ("unit scheme", "/assessment/schemes/{unit}/", UNIT),
    ("unit results", "/assessment/schemes/{unit}/results/", UNIT),
    ("mine", "/assessment/mine/", SUBMITTERS),
    ("assessment A", "/assessment/a/{a}/", FILL_A),
    ("assessment A export", "/assessment/a/{a}/export/", FILL_A),
    ("review A (city)", "/assessment/a/{a}/review/", ADMIN),
    ("review A (unit)", "/assessment/a/{unit_a}/review/", UNIT),
    ("missing scheme", "/assessment/schemes/999999/", set()),
    ("missing assessment", "/assessment/a/999999/", set()),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_table(client, world, personas, persona, name, url, allowed):
    client.force_login(personas.by_name(persona))
    ids = {k: (v.pk if hasattr(v, "pk") else v) for k, v in world.items()}
    response = client.get(url.format(**ids))
    assert response.status_code == (200 if persona in allowed else 404), (name, persona)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("unit_admin", "/assessment/schemes/{city}/close/"),
        ("secretary_a", "/assessment/schemes/{unit}/close/"),
        ("secretary_b", "/assessment/a/{a}/submit/"),
        ("secretary_a", "/assessment/a/{a}/return/"),
        ("unit_admin", "/assessment/a/{a}/return/"),
        ("member_a", "/assessment/a/{a}/refresh/"),
        ("unit_admin", "/assessment/schemes/{draft}/publish/"),
    ],
)
def test_writes_by_outsiders_are_404_and_change_nothing(client, world, personas, persona, url):
    client.force_login(personas.by_name(persona))
    ids = {k: v.pk for k, v in world.items()}
    before = AuditEntry.objects.count()
    assert client.post(url.format(**ids), {"reason": "x"}).status_code == 404
    assert AuditEntry.objects.count() == before


def test_the_editor_builds_a_scheme_from_a_template_and_publishes(client, tree, personas):
    client.force_login(personas.committee_admin)
    response = client.post(
        "/assessment/schemes/new/",
        {"owner": tree.root.pk, "year": 2026, "template_code": "standard_branch"},
    )
    scheme = Scheme.objects.unscoped().get(year=2026)
    assert response.status_code == 302 and response["Location"].endswith(f"/{scheme.pk}/")
    page = client.get(f"/assessment/schemes/{scheme.pk}/").content.decode()
    assert "机关党支部标准化建设考核" in page and "班子建设" in page
    assert "党费收缴" in page and "暂不可用" in page
    assert "基本分 <strong>90</strong>" in page
    # a bad indicator comes back with the message at its field
    response = client.post(
        f"/assessment/schemes/{scheme.pk}/indicators/new/",
        {"title": "新指标", "max_points": "5", "method": "deduction", "deduction_per": ""},
    )
    assert response.status_code == 200
    assert "按次扣分的指标须填写每次扣分" in response.content.decode()
    cat = Indicator.objects.get(scheme=scheme, title="加分项")
    response = client.post(
        f"/assessment/schemes/{scheme.pk}/indicators/new/",
        {"parent": cat.pk, "title": "新指标", "max_points": "1", "method": "manual"},
    )
    assert "超过类别“加分项”的10.00分" in response.content.decode()
    # publish: all three branches are offered; pick two
    page = client.get(f"/assessment/schemes/{scheme.pk}/publish/").content.decode()
    assert page.count('name="orgs"') == 3
    response = client.post(
        f"/assessment/schemes/{scheme.pk}/publish/", {"orgs": [tree.branch_a.pk, tree.branch_b.pk]}
    )
    assert response.status_code == 302
    assert Assessment.objects.unscoped().filter(scheme=scheme).count() == 2
    # copy forward from the page
    response = client.post(f"/assessment/schemes/{scheme.pk}/copy/", {"year": 2027})
    copy = Scheme.objects.unscoped().get(year=2027)
    assert response["Location"].endswith(f"/{copy.pk}/") and copy.copied_from_id == scheme.pk


def test_indicator_edit_after_publishing_keeps_the_points(client, world, personas):
    client.force_login(personas.committee_admin)
    city = world["city"]
    ind = Indicator.objects.get(scheme=city, title="扣分项")
    url = f"/assessment/schemes/{city.pk}/indicators/{ind.pk}/edit/"
    page = client.get(url).content.decode()
    assert "方案已发布，只能修改文字说明" in page
    response = client.post(
        url, {"title": "扣分项（改）", "max_points": "99", "method": "manual", "guidance": "新"}
    )
    assert response.status_code == 302
    ind.refresh_from_db()
    assert (ind.title, ind.max_points, ind.method) == ("扣分项（改）", Decimal("10"), "deduction")


def test_htmx_saves_one_indicator_and_updates_the_total(client, tree, personas):
    _scheme, a = published(tree)
    client.force_login(personas.secretary_a)
    page = client.get(f"/assessment/a/{a.pk}/").content.decode()
    assert page.count('data-testid="score-row"') == 5
    assert "hx-post" in page
    manual = score_of(a, "人工项")
    url = f"/assessment/a/{a.pk}/scores/{manual.indicator_id}/"
    response = client.post(url, {"points": "30"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "得分不能超过该项分值 20.00 分" in body
    response = client.post(url, {"points": "17.5", "note": "好"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "已保存" in body and 'id="self-totals"' in body and 'hx-swap-oob="true"' in body
    assert '<strong class="fs-4" data-testid="self-total">17.50</strong>' in body
    assert "还有 4 项未自评" in body
    deduction = score_of(a, "扣分项")
    response = client.post(
        f"/assessment/a/{a.pk}/scores/{deduction.indicator_id}/", {"occurrences": "2"}
    )
    assert response.status_code == 302
    deduction.refresh_from_db()
    assert deduction.self_points == Decimal("2.00")


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def test_evidence_upload_and_download(client, tree, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _scheme, a = published(tree)
    score = score_of(a, "人工项")
    client.force_login(personas.secretary_a)
    url = f"/assessment/a/{a.pk}/scores/{score.indicator_id}/evidence/"
    upload = SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"kind": "file", "file": upload})
    assert response.status_code == 302
    evidence = Evidence.objects.unscoped().get(score=score)
    fake = SimpleUploadedFile("x.pdf", b"<html></html>", content_type="application/pdf")
    response = client.post(url, {"kind": "file", "file": fake}, follow=True)
    assert "只能上传照片" in response.content.decode()
    response = client.post(url, {"kind": "meeting", "meeting": "123456"}, follow=True)
    assert "只能选择本组织及下级已召开的会议" in response.content.decode()
    download = client.get(f"/assessment/a/{a.pk}/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(personas.secretary_b)
    assert client.get(f"/assessment/a/{a.pk}/evidence/{evidence.pk}/").status_code == 404


def test_review_page_requires_reasons_and_confirms(client, world, personas):
    a = world["a"]
    client.force_login(personas.committee_admin)
    manual = score_of(a, "人工项").indicator_id
    url = f"/assessment/a/{a.pk}/review/"
    response = client.post(url, {f"final_{manual}": "12"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写调整理由" in body and 'value="12"' in body
    response = client.post(url, {f"final_{manual}": "12", f"reason_{manual}": "记录不全"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.final_total) == ("reviewed", Decimal("53.00"))
    results = client.get(f"/assessment/schemes/{world['city'].pk}/results/").content.decode()
    assert "53.00" in results


def test_results_export_is_ranked(client, world, personas, tree):
    city, a = world["city"], world["a"]
    sa.assessment_review(actor=None, assessment=a, finals={})
    client.force_login(personas.committee_admin)
    response = client.get(f"/assessment/schemes/{city.pk}/results/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("名次", "被考核组织", "状态", "自评总分", "复核总分")
    assert rows[1][:5] == (1, "第一党支部", "已复核", 59, 59)
    assert {r[1] for r in rows[2:4]} == {"第二党支部", "乙局党支部"}
    assert AuditEntry.objects.filter(action="assessment.scheme_results.exported").count() == 1


def test_score_sheet_export(client, world, personas):
    client.force_login(personas.secretary_a)
    response = client.get(f"/assessment/a/{world['a'].pk}/export/")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    titles = [r[1].strip() if r[1] else r[1] for r in rows[1:]]
    assert titles[:3] == ["基本", "人工项", "扣分项"]
    assert rows[-1][1] == "合计" and rows[-1][7] == 59


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_pages_queries_do_not_grow(client, tree, personas):
    scheme, _a = published(tree)
    client.force_login(personas.committee_admin)
    urls = [
        f"/assessment/schemes/{scheme.pk}/results/",
        "/assessment/schemes/",
        "/assessment/mine/",
        f"/assessment/schemes/{scheme.pk}/",
    ]
    small = [_count(client, u) for u in urls]
    more = small_scheme(tree.root, name="方案二")
    ss.scheme_publish(actor=None, scheme=more)
    for n in range(8):
        org_services.org_create(actor=None, parent=tree.organ_a, name=f"新支部{n}", kind="branch")
    bigger = small_scheme(tree.root, name="方案三")
    extra = ss.indicator_add(
        actor=None, scheme=bigger, title="又一类", max_points="5", is_category=True
    )
    ss.indicator_add(
        actor=None, scheme=bigger, parent=extra, title="又一项", max_points="5", method="manual"
    )
    ss.scheme_publish(actor=None, scheme=bigger)
    urls[0] = f"/assessment/schemes/{bigger.pk}/results/"
    urls[3] = f"/assessment/schemes/{bigger.pk}/"
    assert Assessment.objects.unscoped().filter(scheme=bigger).count() == 11
    assert [_count(client, u) for u in urls] == small


def test_assessment_page_queries_do_not_grow_with_evidence(client, tree, personas):
    _scheme, a = published(tree)
    client.force_login(personas.secretary_a)
    url = f"/assessment/a/{a.pk}/"
    small = _count(client, url)
    for title in ("人工项", "扣分项", "表彰"):
        for n in range(3):
            sa.evidence_add(
                actor=None, score=score_of(a, title), kind="link", url=f"/orglife/?n={n}"
            )
    assert _count(client, url) == small


def test_bad_parameters_never_500(client, world, personas):
    client.force_login(personas.committee_admin)
    city = world["city"]
    for url in (
        "/assessment/schemes/?year=abc&page=zz",
        f"/assessment/schemes/{city.pk}/indicators/999999/edit/",
        "/assessment/mine/?year=99999",
    ):
        assert client.get(url).status_code in (200, 404), url
    response = client.post(f"/assessment/schemes/{city.pk}/copy/", {"year": "abc"})
    assert response.status_code == 302
    response = client.post(
        f"/assessment/a/{world['a'].pk}/review/", {"final_abc": "1", "final_1x": "2"}
    )
    assert response.status_code in (200, 302)


def test_my_assessments_and_reviews(client, world, personas, tree):
    client.force_login(personas.secretary_a)
    page = client.get("/assessment/mine/").content.decode()
    assert page.count('data-testid="my-assessment"') == 2  # the 工委's and 甲局's
    client.force_login(personas.committee_admin)
    page = client.get("/assessment/mine/").content.decode()
    assert 'data-testid="to-review"' in page and "第一党支部" in page


def test_remind_link_targets_exist(world):
    from django.urls import reverse

    assert reverse("assess:review", args=[world["a"].pk]).endswith("/review/")
    assert dt.date(YEAR, 1, 1).year == YEAR
