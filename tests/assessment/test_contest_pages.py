"""书记赛党建 pages: the permission table (persona × page → 200 or 404), the results page
(parts, weights, total, ★, chart, status), create with a bad weight sum shown at the field,
entries, publish, the xlsx download, and query counts that do not grow with the entries."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from tests.assessment import helpers_contest as h

from dangjian.assessment import services_contest as services
from dangjian.assessment.models import ContestEntry, ContestStatus, SecretaryContest
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_tree")]


@pytest.fixture
def contests(tree, personas):
    admin = personas.committee_admin
    scheme = h.scheme(tree.root, maxima=(90,))  # full marks 90 + 加分 10 = 100
    draft = h.contest(admin, tree.root, scheme_=scheme, name="草稿赛", weights=(100, 0, 0))
    published = h.contest(admin, tree.root, scheme_=scheme, name="已公布赛", weights=(100, 0, 0))
    for contest in (draft, published):
        services.entries_set(
            actor=admin, contest=contest, orgs=[tree.party_group_a, tree.party_group_b]
        )
    h.assessment(scheme, tree.party_group_a, 95)
    h.assessment(scheme, tree.party_group_b, "79.99")
    services.contest_publish(actor=admin, contest=published)
    return {"draft": draft, "published": published, "scheme": scheme}


def _url(name, contests):
    d, p = contests["draft"].pk, contests["published"].pk
    return {
        "list": "/contests/",
        "create": "/contests/new/",
        "draft": f"/contests/{d}/",
        "published": f"/contests/{p}/",
        "edit": f"/contests/{d}/edit/",
        "entries": f"/contests/{d}/entries/",
        "export": f"/contests/{p}/export/",
        "export_draft": f"/contests/{d}/export/",
    }[name]


# persona → pages answering 200 (every other page answers 404)
ALLOWED = {
    "committee_admin": {
        "list",
        "create",
        "draft",
        "published",
        "edit",
        "entries",
        "export",
        "export_draft",
    },
    # manages his own unit only: sees the 工委's published ranking, not its draft
    "unit_admin": {"list", "create", "published", "export"},
    "secretary_a": {"list", "published", "export"},
    # the xlsx is a working tool (assess.submit): members and judges read the page only
    "member_a": {"list", "published"},
    "secretary_b": {"list", "published", "export"},
    "judge": {"list", "published"},
    "auditor": set(),
    "security_admin": set(),
    "system_admin": set(),
    "outsider": set(),
}
PAGES = ["list", "create", "draft", "published", "edit", "entries", "export", "export_draft"]


@pytest.mark.parametrize("persona", list(ALLOWED))
@pytest.mark.parametrize("page", PAGES)
def test_permission_table(client, tree, personas, contests, persona, page):
    client.force_login(personas.by_name(persona))
    response = client.get(_url(page, contests))
    expected = 200 if page in ALLOWED[persona] else 404
    assert response.status_code == expected, (persona, page)


@pytest.mark.parametrize("persona", ["unit_admin", "secretary_a", "member_a", "judge"])
def test_posts_of_non_managers_are_404_and_change_nothing(client, personas, contests, persona):
    client.force_login(personas.by_name(persona))
    d, p = contests["draft"].pk, contests["published"].pk
    for url, data in [
        (f"/contests/{d}/publish/", {}),
        (f"/contests/{p}/unpublish/", {"reason": "x"}),
        (f"/contests/{d}/edit/", {"name": "改"}),
        (f"/contests/{d}/entries/", {"orgs": []}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert SecretaryContest.objects.unscoped().get(pk=d).status == ContestStatus.DRAFT
    assert SecretaryContest.objects.unscoped().get(pk=p).status == ContestStatus.PUBLISHED
    assert ContestEntry.objects.unscoped().filter(contest_id=d).count() == 2


def test_results_page_shows_parts_weights_total_stars(client, tree, personas, contests):
    client.force_login(personas.member_a)
    html = client.get(f"/contests/{contests['published'].pk}/").content.decode()
    assert "已公布" in html and 'data-testid="contest-chart"' in html
    assert "日常考核 100%" in html and "现场观摩 0%" in html
    rows = html.split('data-testid="ranking-row"')[1:]
    assert len(rows) == 2
    assert "甲局党组" in rows[0] and "95.00" in rows[0] and rows[0].count("bi-star-fill") == 5
    assert "乙局党组" in rows[1] and "79.99" in rows[1] and rows[1].count("bi-star-fill") == 0
    assert "不定星" in rows[1]
    # the publish controls are for managers only
    assert 'data-testid="contest-unpublish"' not in html


def test_draft_page_says_live_and_missing(client, tree, personas):
    admin = personas.committee_admin
    contest = h.contest(admin, tree.root)
    services.entries_set(actor=admin, contest=contest, orgs=[tree.party_group_a])
    client.force_login(admin)
    html = client.get(f"/contests/{contest.pk}/").content.decode()
    assert "实时计算" in html and 'data-testid="contest-publish"' in html
    assert "日常考核缺1个单位" in html and "按0分计入综合得分" in html


def test_create_with_a_bad_weight_sum_shows_it_at_the_field(client, tree, personas):
    client.force_login(personas.committee_admin)
    data = {
        "owner": tree.root.pk,
        "year": 2025,
        "name": "书记赛党建",
        "scheme": "",
        "routine_weight": "50",
        "observation_weight": "30",
        "review_weight": "25",
        "star_thresholds": "95 5\n90 4",
    }
    response = client.post("/contests/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "各部分权重之和须为100%，现为105.00%" in html and "is-invalid" in html
    assert not SecretaryContest.objects.unscoped().exists()
    data["review_weight"] = "20"
    response = client.post("/contests/new/", data)
    contest = SecretaryContest.objects.unscoped().get()
    assert (
        response.status_code == 302 and response["Location"] == f"/contests/{contest.pk}/entries/"
    )
    assert contest.star_thresholds == [["95", 5], ["90", 4]]


def test_garbage_is_never_a_500(client, tree, personas, contests):
    client.force_login(personas.committee_admin)
    d = contests["draft"].pk
    for data in [
        {"owner": "abc", "year": "x", "routine_weight": "1e999", "star_thresholds": "a b c"},
        {"owner": "999999", "year": "2025", "name": "x" * 500},
    ]:
        response = client.post("/contests/new/", data)
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode()
    assert client.post(f"/contests/{d}/entries/", {"orgs": ["abc"]}).status_code == 400
    r = client.post(f"/contests/{d}/entries/", {"orgs": [str(tree.root.pk)]})
    assert r.status_code == 400
    assert client.get("/contests/99999999/").status_code == 404
    assert client.get("/contests/?year=abc&page=-1").status_code == 200
    assert client.post(f"/contests/{d}/entries/999999/remove/").status_code == 404


def test_entries_page_and_publish(client, tree, personas):
    admin = personas.committee_admin
    contest = h.contest(admin, tree.root)
    client.force_login(admin)
    html = client.get(f"/contests/{contest.pk}/entries/").content.decode()
    assert "甲局党组" in html and "第一党支部" in html and "测试工委" not in html.split("<form")[-1]
    response = client.post(
        f"/contests/{contest.pk}/entries/",
        {"orgs": [tree.party_group_a.pk, tree.party_group_b.pk]},
    )
    assert response.status_code == 302
    assert ContestEntry.objects.unscoped().filter(contest=contest).count() == 2
    assert client.post(f"/contests/{contest.pk}/publish/").status_code == 302
    contest.refresh_from_db()
    assert contest.status == ContestStatus.PUBLISHED
    assert client.post(f"/contests/{contest.pk}/unpublish/", {"reason": ""}).status_code == 302
    contest.refresh_from_db()
    assert contest.status == ContestStatus.PUBLISHED  # a reason is required
    client.post(f"/contests/{contest.pk}/unpublish/", {"reason": "更正"})
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT


def test_export_xlsx_holds_the_ranking_and_is_audited(client, tree, personas, contests):
    client.force_login(personas.secretary_a)
    response = client.get(f"/contests/{contests['published'].pk}/export/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("名次", "参赛单位", "书记", "日常考核（权重100.00%）")
    assert rows[1][0] == 1 and rows[1][1] == "甲局党组" and rows[1][6] == 95.0
    assert rows[1][7] == 5 and rows[1][8] == "★★★★★"
    assert rows[2][1] == "乙局党组" and rows[2][7] == 0
    entry = AuditEntry.objects.get(action="assessment.contest_ranking.exported")
    assert entry.actor_id == personas.secretary_a.pk and entry.changes["rows"] == 2


def test_query_counts(client, tree, personas, contests, django_assert_max_num_queries):
    admin = personas.committee_admin
    client.force_login(admin)
    for pk in (contests["draft"].pk, contests["published"].pk):
        client.get(f"/contests/{pk}/")  # warm the session and caches
        with django_assert_max_num_queries(20):
            assert client.get(f"/contests/{pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/contests/").status_code == 200
    # more entries, more contests: the same bound
    more = [tree.organ_a, tree.branch_a, tree.branch_b, tree.branch_c]
    services.entries_set(
        actor=admin,
        contest=contests["draft"],
        orgs=[tree.party_group_a, tree.party_group_b, *more],
    )
    for i in range(5):
        h.contest(admin, tree.root, name=f"赛{i}")
    with django_assert_max_num_queries(20):
        assert client.get(f"/contests/{contests['draft'].pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/contests/").status_code == 200


def test_weights_render_for_decimal_values(client, tree, personas):
    admin = personas.committee_admin
    contest = h.contest(admin, tree.root, weights=("33.33", "33.33", "33.34"))
    client.force_login(admin)
    html = client.get(f"/contests/{contest.pk}/").content.decode()
    assert "日常考核 33.33%" in html and "述职评议 33.34%" in html
    assert Decimal("100") == sum(
        (contest.routine_weight, contest.observation_weight, contest.review_weight), Decimal(0)
    )


def test_superiors_draft_schemes_are_not_offered(client, tree, personas):
    """Issue #6 item 10: the contest form lists the schemes the user manages (drafts too) and
    the issued schemes of the bodies above him — never the name of a superior's draft; the
    service refuses a superior's draft as well."""
    from dangjian.assessment.forms_contest import scheme_queryset
    from dangjian.assessment.models import Scheme, SchemeStatus, SchemeTarget

    def make(owner, name, status, target=SchemeTarget.UNIT):
        s = h.scheme(owner, name=name, target=target)
        Scheme.all_objects.filter(pk=s.pk).update(status=status)
        s.refresh_from_db()
        return s

    root_draft = make(tree.root, "工委未发布方案", SchemeStatus.DRAFT)
    make(tree.root, "工委已发布方案", SchemeStatus.PUBLISHED)
    make(tree.root, "工委已结束方案", SchemeStatus.CLOSED)
    make(tree.root, "工委评分表", SchemeStatus.PUBLISHED, SchemeTarget.STOP)
    make(tree.party_group_a, "甲局草稿方案", SchemeStatus.DRAFT)
    make(tree.party_group_b, "乙局已发布方案", SchemeStatus.PUBLISHED)
    unit = personas.unit_admin
    assert {s.name for s in scheme_queryset(unit)} == {
        "工委已发布方案",
        "工委已结束方案",
        "甲局草稿方案",
    }
    assert "工委未发布方案" in {s.name for s in scheme_queryset(personas.committee_admin)}
    client.force_login(unit)
    html = client.get("/contests/new/").content.decode()
    assert "工委已发布方案" in html and "甲局草稿方案" in html
    assert "工委未发布方案" not in html and "乙局已发布方案" not in html
    response = client.post(
        "/contests/new/",
        {
            "owner": tree.party_group_a.pk,
            "year": "2025",
            "name": "甲局书记赛",
            "scheme": root_draft.pk,
            "routine_weight": "50",
            "observation_weight": "30",
            "review_weight": "20",
        },
    )
    assert response.status_code == 200 and "请选择有效的考核方案" in response.content.decode()
    with pytest.raises(AppError) as exc:
        h.contest(unit, tree.party_group_a, scheme_=root_draft, name="甲局书记赛")
    assert exc.value.field == "scheme"
    assert not SecretaryContest.objects.unscoped().filter(name="甲局书记赛").exists()
