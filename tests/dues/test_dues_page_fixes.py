"""党费 pages, review fixes: a refused 生成应缴 is shown to htmx (200 into #run-slot, nothing
written), the base preview never sends the CSRF token in its query string, an oversize
statement upload keeps the org, month and source typed, and the org picker keeps the page's
org selected when it is not among the first ORG_CHOICES_MAX."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.dues import services
from dangjian.dues import views as dues_views
from dangjian.dues.models import ChargeRun, Statement
from dangjian.dues.views import MONTH_INVALID

pytestmark = pytest.mark.django_db

FEB = dt.date(2024, 2, 1)


def _login(client, personas, name="secretary_a"):
    client.force_login(personas.by_name(name))
    return client


# ---------------------------------------------------------------------------------------------
# 4. 生成应缴 refused under htmx


def test_generate_refused_under_htmx_is_shown_in_the_run_slot(client, tree, personas, dues_bases):
    services.charge_run_start(actor=None, org=tree.branch_a, month=FEB)  # queued, not run
    assert ChargeRun.all_objects.count() == 1
    response = _login(client, personas).post(
        "/dues/generate/", {"org": tree.branch_a.pk, "month": "2024-02"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    page = response.content.decode()
    assert 'data-testid="run-refused"' in page
    assert "正在生成中" in page
    assert ChargeRun.all_objects.count() == 1  # nothing written


@pytest.mark.parametrize(
    ("month", "message"),
    [("2099-01", "最多只能提前生成下个月的应缴。"), ("2024-13", MONTH_INVALID)],
)
def test_generate_bad_month_under_htmx_is_shown(client, tree, personas, dues_bases, month, message):
    response = _login(client, personas).post(
        "/dues/generate/", {"org": tree.branch_a.pk, "month": month}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert message in html_lib.unescape(response.content.decode())
    assert ChargeRun.all_objects.count() == 0


def test_generate_refused_without_htmx_still_goes_back_with_the_message(
    client, tree, personas, dues_bases
):
    response = _login(client, personas).post(
        "/dues/generate/", {"org": tree.branch_a.pk, "month": "2099-01"}
    )
    assert response.status_code == 302
    assert ChargeRun.all_objects.count() == 0


# ---------------------------------------------------------------------------------------------
# 6. The base preview's request carries no CSRF token


def test_base_preview_includes_only_its_fields_never_the_csrf_token(client, tree, personas):
    member = tree.members_a[1]
    page = _login(client, personas).get(f"/dues/members/{member.pk}/").content.decode()
    slot = re.search(r'<div[^>]*data-testid="base-preview-slot"[^>]*>', page)
    assert slot is not None
    include = html_lib.unescape(re.search(r'hx-include="([^"]*)"', slot.group(0)).group(1))
    assert "csrfmiddlewaretoken" not in include
    selectors = [s.strip() for s in include.split(",")]
    names = []
    for selector in selectors:
        found = re.fullmatch(r"#base-form \[name=(\w+)\]", selector)
        assert found, f"{selector!r} would include more than one named field"
        names.append(found.group(1))
    assert set(names) == set(dues_views.PREVIEW_FIELDS)
    form = re.search(r'<form[^>]*id="base-form".*?</form>', page, re.S).group(0)
    for name in names:  # each names an input of the base form
        assert f'name="{name}"' in form
    # what the browser then sends is enough for the preview
    query = "category=in_service&item_name=职务工资&item_amount=5200&income_tax=200&base="
    shown = client.get(f"/dues/base/preview/?{query}").content.decode()
    assert 'data-testid="preview-amount">50.00<' in shown


# ---------------------------------------------------------------------------------------------
# 7. An oversize statement keeps what was typed


def test_oversize_statement_upload_keeps_org_month_and_source(client, tree, personas, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.csv", ("姓名,金额\n" + "张三丰,30\n" * 5000).encode("gbk"))
    response = _login(client, personas, "unit_admin").post(
        "/dues/reconcile/upload/",
        {"org": tree.branch_a.pk, "month": "2024-03", "source": "bank", "file": big},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form["org"].value() == str(tree.branch_a.pk)
    assert form["month"].value() == "2024-03"
    assert form["source"].value() == "bank"
    assert set(form.errors) == {"file"} and "上传上限" in form.errors["file"][0]
    page = response.content.decode()
    assert 'value="2024-03"' in page
    assert re.search(r'<option value="bank"[^>]*selected', page)
    assert Statement.all_objects.count() == 0


# ---------------------------------------------------------------------------------------------
# 8. The org picker keeps the page's org


@pytest.mark.parametrize(
    "page", ["/dues/", "/dues/arrears/", "/dues/annual/", "/dues/publication/"]
)
def test_org_picker_keeps_an_org_beyond_the_cap(client, tree, personas, monkeypatch, page):
    monkeypatch.setattr(dues_views, "ORG_CHOICES_MAX", 1)
    _login(client, personas, "unit_admin")
    first = [o.pk for o in dues_views.manage_orgs(personas.unit_admin)]
    assert tree.branch_a.pk not in first  # the cap leaves the branch out
    response = client.get(f"{page}?org={tree.branch_a.pk}")
    assert response.status_code == 200
    picked = [o.pk for o in response.context["orgs"]]
    assert tree.branch_a.pk in picked and first[0] in picked
    select = re.search(r'<select id="f-org".*?</select>', response.content.decode(), re.S)
    selected = re.findall(r'<option value="(\d+)" selected>', select.group(0))
    assert selected == [str(tree.branch_a.pk)]


def test_org_picker_does_not_repeat_an_org_already_listed(client, tree, personas):
    _login(client, personas, "unit_admin")
    response = client.get(f"/dues/?org={tree.branch_a.pk}")
    picked = [o.pk for o in response.context["orgs"]]
    assert picked.count(tree.branch_a.pk) == 1
