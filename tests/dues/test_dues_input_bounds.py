"""Bad input after the review: huge amounts (1e30, 40 digits, 1E+50, 1e999999999) are refused
with a message before anything quantizes or formats them — through the base page, the preview,
the service and a statement file — and a bad month on a write is refused, never silently
replaced by this month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.dues import services
from dangjian.dues.forms import MAX_ITEMS, parse_items
from dangjian.dues.models import ChargeRun, DuesBase, Statement
from dangjian.dues.statement_files import read_statement
from dangjian.rules import dues as rules

HUGE = ["1e30", "1" * 40, "1E+50", "1e999999999"]


class _Data(dict):
    def getlist(self, key):
        return self.get(key, [])


@pytest.mark.parametrize("amount", HUGE)
def test_base_page_refuses_a_huge_item_amount(client, tree, personas, amount):
    member = tree.members_a[2]
    client.force_login(personas.secretary_a)
    response = client.post(
        f"/dues/members/{member.pk}/base/",
        {
            "category": "in_service",
            "effective_month": "2024-01",
            "item_name": ["职务工资"],
            "item_amount": [amount],
        },
    )
    assert response.status_code == 400
    assert "金额" in response.content.decode()
    assert not DuesBase.all_objects.exists()


@pytest.mark.parametrize("amount", HUGE)
def test_preview_refuses_a_huge_item_amount(client, personas, amount):
    client.force_login(personas.secretary_a)
    response = client.get(
        "/dues/base/preview/",
        {"category": "in_service", "item_name": "职务工资", "item_amount": amount},
    )
    assert response.status_code == 200 and "金额" in response.content.decode()


@pytest.mark.parametrize("amount", HUGE)
def test_service_refuses_a_huge_item_amount(tree, amount):
    with pytest.raises(AppError) as exc:
        services.base_set(
            actor=None,
            member=tree.members_a[2],
            category="in_service",
            effective_month="2024-01",
            items=[{"name": "职务工资", "amount": amount}],
        )
    assert exc.value.field == "items" and "过大" in exc.value.message
    assert not DuesBase.all_objects.exists()


def test_to_decimal_bounds_the_magnitude():
    with pytest.raises(rules.DuesInputError, match="过大"):
        rules.to_decimal("1e999999999", "amount")
    assert rules.to_decimal("999999999999.99", "amount") > 0
    assert rules.to_decimal("0", "amount") == 0


def test_parse_items_stops_at_max_items():
    many = MAX_ITEMS * 1000
    data = _Data(item_name=["项目"] * many, item_amount=["1.00"] * many)
    items, errors = parse_items(data)
    assert len(items) == MAX_ITEMS and errors == [f"计算项目最多{MAX_ITEMS}项。"]


def test_parse_items_does_not_format_a_billion_digits():
    items, errors = parse_items(_Data(item_name=["工资"], item_amount=["1e999999999"]))
    assert items == [] and "过大" in errors[0]


@pytest.mark.parametrize("amount", HUGE)
def test_statement_file_refuses_a_huge_amount(amount):
    today = timezone.localdate()
    data = f"姓名,金额,日期\n张三,{amount},{today.isoformat()}\n".encode()
    with pytest.raises(AppError) as exc:
        read_statement(SimpleUploadedFile("s.csv", data), today=today)
    assert "过大" in exc.value.message and "第2行" in exc.value.message


def test_statement_upload_page_refuses_a_huge_amount(client, tree, personas):
    today = timezone.localdate()
    client.force_login(personas.secretary_a)
    data = f"姓名,金额,日期\n张三丰,1E+50,{today.isoformat()}\n".encode()
    response = client.post(
        "/dues/reconcile/upload/",
        {
            "org": tree.branch_a.pk,
            "month": f"{today:%Y-%m}",
            "source": "bank",
            "file": SimpleUploadedFile("s.csv", data),
        },
    )
    assert response.status_code in (200, 400)
    assert "过大" in response.content.decode()
    assert not Statement.all_objects.exists()


# --- a bad month on a write -----------------------------------------------------------------


@pytest.mark.parametrize("month", ["2024-13", "abc", "2024-00"])
def test_generate_refuses_a_bad_month(client, tree, personas, month):
    client.force_login(personas.secretary_a)
    response = client.post(
        "/dues/generate/", {"org": tree.branch_a.pk, "month": month}, HTTP_HX_REQUEST="true"
    )
    # htmx swaps only 2xx answers: the refusal comes back as a fragment into the run slot
    assert response.status_code == 200
    assert "月份无效，应为 YYYY-MM。" in response.content.decode()
    assert not ChargeRun.all_objects.exists()


def test_export_refuses_a_bad_month(client, tree, personas):
    client.force_login(personas.secretary_a)
    response = client.post(
        "/dues/export/month/",
        {"org": tree.branch_a.pk, "month": "2024-13"},
        HTTP_REFERER="/dues/",
        follow=True,
    )
    assert "月份无效" in response.content.decode()
    assert not AuditEntry.objects.filter(action="dues.month_list.exported").exists()


def test_a_bad_month_on_a_read_falls_back_and_says_so(client, tree, personas):
    client.force_login(personas.secretary_a)
    response = client.get(f"/dues/?org={tree.branch_a.pk}&month=2024-13")
    assert response.status_code == 200
    html = response.content.decode()
    assert "无效" in html and "已显示本月" in html
    assert f"{timezone.localdate():%Y年}" in html


def test_a_good_month_on_a_write_still_works(client, tree, personas):
    client.force_login(personas.secretary_a)
    client.post("/dues/generate/", {"org": tree.branch_a.pk, "month": "2024-02"})
    assert ChargeRun.all_objects.get().month == dt.date(2024, 2, 1)
