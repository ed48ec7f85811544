"""Reconciliation pages: who may open which (one table), the writes outsiders cannot make,
the upload flow (matched, refused with every row's problem), the htmx resolve, ignore,
confirm and discard buttons, the template workbook, and the detail page's query count."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.dues import services_reconcile as services
from dangjian.dues.models import (
    DuesCharge,
    DuesPayment,
    LineStatus,
    Statement,
    StatementLine,
    StatementStatus,
)
from tests.conftest import PERSONA_NAMES

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


def make_charge(member, month, amount="30.00"):
    amount = Decimal(amount)
    return DuesCharge.all_objects.create(
        member=member,
        branch=member.branch,
        org_path=member.org_path,
        month=month,
        category="in_service",
        standard_amount=amount,
        amount=amount,
    )


def csv_bytes(rows) -> bytes:
    text = "姓名,身份证后四位,金额,日期\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    return text.encode("gbk")


def upload(name, rows):
    return SimpleUploadedFile(name, csv_bytes(rows))


@pytest.fixture
def statement(tree, month):
    """Branch A's statement: row 2 matched (张三丰), row 3 unmatched (张三峰, no tail)."""
    for member in tree.members_a:
        make_charge(member, month)
    return services.statement_import(
        actor=None,
        org=tree.branch_a,
        month=month,
        source="payroll",
        uploaded_file=upload("a.csv", [["张三丰", "", "30", month], ["张二丰", "", "30", month]]),
    )


def _lines(statement):
    return {line.row_no: line for line in StatementLine.objects.filter(statement=statement)}


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


MANAGERS = {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200}

# (name, url, {persona: status}); a persona not named answers 404
PAGES = [
    ("list", "/dues/reconcile/", {**MANAGERS, "secretary_b": 200}),
    ("list of A", "/dues/reconcile/?org={A}", MANAGERS),
    ("upload form", "/dues/reconcile/upload/", {**MANAGERS, "secretary_b": 200}),
    ("upload form for A", "/dues/reconcile/upload/?org={A}", MANAGERS),
    ("template", "/dues/reconcile/template/", {**MANAGERS, "secretary_b": 200}),
    ("detail", "/dues/reconcile/{statement}/", MANAGERS),
    ("resolve", "/dues/reconcile/lines/{line}/resolve/", MANAGERS),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "url", "table"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_table(client, tree, personas, statement, persona, name, url, table):
    ids = {"A": tree.branch_a.pk, "statement": statement.pk, "line": _lines(statement)[3].pk}
    response = _as(client, personas, persona).get(url.format(**ids))
    assert response.status_code == table.get(persona, 404), (name, persona)


WRITES = [
    ("confirm", "/dues/reconcile/{statement}/confirm/", {}),
    ("discard", "/dues/reconcile/{statement}/discard/", {"reason": "x"}),
    ("resolve", "/dues/reconcile/lines/{line}/resolve/", {"member": "{member}"}),
    ("ignore", "/dues/reconcile/lines/{line}/ignore/", {"reason": "x"}),
]


@pytest.mark.parametrize(
    "persona",
    ["member_a", "secretary_b", "judge", "auditor", "security_admin", "system_admin", "outsider"],
)
@pytest.mark.parametrize(("name", "url", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_404_for_outsiders(client, tree, personas, statement, persona, name, url, data):
    ids = {
        "statement": statement.pk,
        "line": _lines(statement)[3].pk,
        "member": tree.members_a[0].pk,
    }
    data = {k: v.format(**ids) for k, v in data.items()}
    response = _as(client, personas, persona).post(url.format(**ids), data)
    assert response.status_code == 404
    statement.refresh_from_db()
    assert statement.status == StatementStatus.MATCHED
    assert _lines(statement)[3].status == LineStatus.UNMATCHED
    assert DuesPayment.all_objects.count() == 0


def test_upload_by_an_outsider_for_branch_a_is_404(client, tree, personas, month):
    response = _as(client, personas, "secretary_b").post(
        "/dues/reconcile/upload/",
        {
            "org": tree.branch_a.pk,
            "month": f"{month:%Y-%m}",
            "source": "bank",
            "file": upload("a.csv", [["张三丰", "", "30", month]]),
        },
    )
    assert response.status_code == 404
    assert Statement.all_objects.count() == 0


@pytest.mark.parametrize("url", ["/dues/reconcile/99999/", "/dues/reconcile/lines/99999/resolve/"])
def test_missing_ids_are_404(client, personas, url):
    assert _as(client, personas, "committee_admin").get(url).status_code == 404


def test_upload_matches_and_shows_the_three_panels(client, tree, personas, month):
    for member in tree.members_a:
        make_charge(member, month)
    response = _as(client, personas, "secretary_a").post(
        "/dues/reconcile/upload/",
        {
            "org": tree.branch_a.pk,
            "month": f"{month:%Y-%m}",
            "source": "bank",
            "file": upload(
                "三月流水.csv", [["张三丰", "", "30", month], ["李思", "", "30", month]]
            ),
        },
        follow=True,
    )
    assert response.status_code == 200
    statement = Statement.all_objects.get()
    assert statement.original_name == "三月流水.csv" and statement.source == "bank"
    assert response.redirect_chain[-1][0] == f"/dues/reconcile/{statement.pk}/"
    page = response.content.decode()
    assert "已导入2条记录：已匹配1条，待核对1条" in page
    assert 'data-testid="count-matched">1<' in page
    assert 'data-testid="count-attention">1<' in page
    assert 'data-testid="count-unpaid">4<' in page  # 李四 王五 赵六 钱七 paid nothing here
    assert "姓名同音" in page and "确认入账（1笔）" in page


def test_a_refused_file_lists_every_row_problem_and_writes_nothing(client, tree, personas, month):
    response = _as(client, personas, "secretary_a").post(
        "/dues/reconcile/upload/",
        {
            "org": tree.branch_a.pk,
            "month": f"{month:%Y-%m}",
            "source": "payroll",
            "file": upload("bad.csv", [["张三丰", "", "abc", month], ["李四", "", "30", ""]]),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "第2行 金额“abc”不是数字" in page and "第3行 缺少日期" in page
    assert Statement.all_objects.count() == 0


def test_upload_form_errors_stay_on_the_form(client, tree, personas, month):
    response = _as(client, personas, "secretary_a").post(
        "/dues/reconcile/upload/",
        {
            "org": tree.branch_a.pk,
            "month": "2999-01",
            "source": "payroll",
            "file": upload("a.csv", []),
        },
    )
    assert response.status_code == 400
    assert "对账月份不能晚于本月" in response.content.decode()
    assert Statement.all_objects.count() == 0


def test_resolve_with_htmx(client, tree, personas, statement):
    line = _lines(statement)[3]
    c = _as(client, personas, "secretary_a")
    fragment = c.get(f"/dues/reconcile/lines/{line.pk}/resolve/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body and 'data-testid="resolve-form"' in body
    searched = c.get(f"/dues/reconcile/lines/{line.pk}/resolve/?q=zhangsan", HTTP_HX_REQUEST="true")
    assert "张三丰" in searched.content.decode()
    # 张三丰's month is already matched by row 2: the error comes back in the fragment
    taken = c.post(
        f"/dues/reconcile/lines/{line.pk}/resolve/",
        {"member": tree.members_a[0].pk},
        HTTP_HX_REQUEST="true",
    )
    assert taken.status_code == 200 and "第2行匹配" in taken.content.decode()
    done = c.post(
        f"/dues/reconcile/lines/{line.pk}/resolve/",
        {"member": tree.members_a[2].pk},
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 204
    assert done["HX-Redirect"] == f"/dues/reconcile/{statement.pk}/#line-{line.pk}"
    line.refresh_from_db()
    assert line.status == LineStatus.MATCHED and line.member_id == tree.members_a[2].pk


def test_resolve_without_javascript(client, tree, personas, statement):
    line = _lines(statement)[3]
    c = _as(client, personas, "unit_admin")
    page = c.get(f"/dues/reconcile/lines/{line.pk}/resolve/")
    assert page.status_code == 200 and "<html" in page.content.decode()
    bad = c.post(f"/dues/reconcile/lines/{line.pk}/resolve/", {"member": "abc"})
    assert bad.status_code == 400 and "请从列表中选择党员" in bad.content.decode()
    outside = c.post(f"/dues/reconcile/lines/{line.pk}/resolve/", {"member": tree.members_c[0].pk})
    assert outside.status_code == 400  # unit A's admin does not keep unit B's members
    ok = c.post(f"/dues/reconcile/lines/{line.pk}/resolve/", {"member": tree.members_a[3].pk})
    assert ok.status_code == 302
    line.refresh_from_db()
    assert line.member_id == tree.members_a[3].pk


def test_ignore_confirm_and_discard_buttons(client, tree, personas, statement):
    c = _as(client, personas, "secretary_a")
    line = _lines(statement)[3]
    detail = f"/dues/reconcile/{statement.pk}/"
    no_reason = c.post(f"/dues/reconcile/lines/{line.pk}/ignore/", {"reason": ""}, follow=True)
    assert "请填写不入账原因" in no_reason.content.decode()
    c.post(f"/dues/reconcile/lines/{line.pk}/ignore/", {"reason": "他人误转"})
    line.refresh_from_db()
    assert line.status == LineStatus.IGNORED
    page = c.get(detail).content.decode()
    assert 'data-confirm="确认将1条已匹配记录（共30.00元）记入党费台账？' in page
    response = c.post(f"/dues/reconcile/{statement.pk}/confirm/", follow=True)
    assert "已入账1笔党费" in response.content.decode()
    assert DuesPayment.all_objects.get().statement_line_id == _lines(statement)[2].pk
    again = c.post(f"/dues/reconcile/{statement.pk}/confirm/", follow=True)
    assert "已入账，不能再修改" in again.content.decode()
    discard = c.post(f"/dues/reconcile/{statement.pk}/discard/", {"reason": "x"}, follow=True)
    assert "已入账，不能再修改" in discard.content.decode()
    assert 'data-testid="statement-confirm"' not in c.get(detail).content.decode()


def test_discard(client, tree, personas, statement):
    c = _as(client, personas, "unit_admin")
    c.post(f"/dues/reconcile/{statement.pk}/discard/", {"reason": "月份选错"})
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISCARDED
    assert "已作废" in c.get("/dues/reconcile/").content.decode()


def test_template_workbook(client, personas):
    response = _as(client, personas, "secretary_a").get("/dues/reconcile/template/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == ["姓名", "身份证后四位", "金额", "日期"]
    assert workbook.worksheets[0].max_row == 1  # headers only: nothing to import by mistake


def _statement_of(tree, month, count, name):
    rows = [[m.name, "", "30", month] for m in tree.members_a]
    rows += [[f"无名{i}", "", "30", month] for i in range(count)]
    return services.statement_import(
        actor=None, org=tree.organ_a, month=month, source="bank", uploaded_file=upload(name, rows)
    )


def test_detail_query_count_does_not_grow_with_the_lines(
    client, tree, personas, month, django_assert_max_num_queries
):
    for member in tree.members_a + tree.members_b:
        make_charge(member, month)
    small = _statement_of(tree, month, 2, "small.csv")
    large = _statement_of(tree, month, 40, "large.csv")
    c = _as(client, personas, "unit_admin")
    c.get(f"/dues/reconcile/{small.pk}/")  # warm the session and caches
    with django_assert_max_num_queries(20) as small_run:
        assert c.get(f"/dues/reconcile/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(20) as large_run:
        response = c.get(f"/dues/reconcile/{large.pk}/")
    # 40 strangers, and branch A's 5 members: matched already by the small statement
    assert response.content.decode().count('data-testid="line-attention"') == 45
    assert len(large_run.captured_queries) == len(small_run.captured_queries)


def test_list_query_count(client, tree, personas, month, django_assert_max_num_queries):
    for i in range(5):
        services.statement_import(
            actor=None,
            org=tree.branch_a,
            month=month,
            source="bank",
            uploaded_file=upload(f"{i}.csv", [[f"人{i}", "", "30", month]]),
        )
    c = _as(client, personas, "secretary_a")
    with django_assert_max_num_queries(20):
        page = c.get("/dues/reconcile/").content.decode()
    assert page.count('data-testid="statement-row"') == 5


def test_an_upload_over_the_limit_is_stopped_at_the_form(client, tree, personas, month, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.csv", csv_bytes([["张三丰", "", "30", month]] * 5000))
    response = _as(client, personas, "secretary_a").post(
        "/dues/reconcile/upload/",
        {"org": tree.branch_a.pk, "month": f"{month:%Y-%m}", "source": "bank", "file": big},
    )
    assert response.status_code == 400
    assert "上传上限" in response.content.decode()
    assert Statement.all_objects.count() == 0
