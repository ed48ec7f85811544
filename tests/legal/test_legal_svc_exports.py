"""Exports of legal services: xlsx of the list's rows, the uncovered places marked, the phone
only masked, applicants masked; 404 for a reader without legal.manage; audited."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core.models import AuditEntry
from tests.conftest import PASSWORD
from tests.legal import legal_svc_world

pytestmark = pytest.mark.django_db
lw = legal_svc_world.lw


def _rows(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def admin(client, personas):
    client.login(username=personas.unit_admin.username, password=PASSWORD)
    return client


def test_villages_export_marks_the_uncovered(admin, lw):
    response = admin.post(reverse("legal:services_export", args=["villages"]), {})
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][0] == "序号"
    by_name = {r[3]: r for r in rows[1:] if r[3]}
    assert by_name["凤凰村"][5] == "未覆盖"
    assert by_name["龙泉村"][5] == "已覆盖" and by_name["龙泉村"][6] == "周明"
    assert by_name["龙泉村"][10] == 4
    assert AuditEntry.objects.filter(action="legal.villages.exported").exists()


def test_lawyers_export_holds_only_the_mask(admin, lw):
    rows = _rows(admin.post(reverse("legal:services_export", args=["lawyers"]), {}))
    flat = str(rows)
    assert "138****1234" in flat and "13800001234" not in flat
    assert "钱坤" not in flat  # another unit's lawyer


@pytest.mark.parametrize("kind", ["advisers", "cases", "activities"])
def test_other_exports(admin, lw, kind):
    response = admin.post(
        reverse("legal:services_export", args=[kind]), {"state": "overdue", "level": "county"}
    )
    assert response.status_code == 200
    flat = str(_rows(response))
    if kind == "cases":
        assert lw.case_overdue.case_no in flat and "张秀英" not in flat
        assert lw.case_applied.case_no not in flat
    if kind == "advisers":
        assert "郧阳区人民政府" in flat and "未覆盖" in flat and "十堰市人民政府" not in flat


def test_export_is_404_for_a_member(client, lw, personas):
    client.login(username=personas.member_a.username, password=PASSWORD)
    response = client.post(reverse("legal:services_export", args=["villages"]), {})
    assert response.status_code == 404
    assert client.post(reverse("legal:services_export", args=["bogus"]), {}).status_code == 404


def test_exports_keep_the_lists_other_filters(admin, lw):
    """The firm, active, district and year filters of the pages reach the files."""
    from dangjian.legal import services_lawyers as sl

    retired = sl.lawyer_create(
        actor=None, firm=lw.firm2, name="停业者", licence_no="14203201510000055"
    )
    sl.lawyer_update(actor=None, lawyer=retired, is_active=False)
    url = reverse("legal:services_export", args=["lawyers"])
    flat = str(_rows(admin.post(url, {"firm": str(lw.firm.pk), "active": "1"})))
    assert "周明" in flat and "郑磊" not in flat and "停业者" not in flat
    flat = str(_rows(admin.post(url, {"firm": str(lw.firm2.pk), "active": "all"})))
    assert "郑磊" in flat and "停业者" in flat and "周明" not in flat
    villages = _rows(
        admin.post(reverse("legal:services_export", args=["villages"]), {"district": "茅箭区"})
    )
    assert villages[1:] == [] or all(r[1] in (None, "茅箭区") for r in villages[1:])
    flat = str(
        _rows(
            admin.post(reverse("legal:services_export", args=["villages"]), {"district": "郧阳区"})
        )
    )
    assert "龙泉村" in flat
    year = lw.activity.held_on.year
    flat = str(
        _rows(admin.post(reverse("legal:services_export", args=["activities"]), {"year": year - 1}))
    )
    assert "民法典进村入户" not in flat
    flat = str(
        _rows(admin.post(reverse("legal:services_export", args=["activities"]), {"year": year}))
    )
    assert "民法典进村入户" in flat
