"""Issue #3 "done when", the rest of it in a real browser: the unit admin downloads the
template, searches the roster, exports it in the national field order, reveals one ID number
(audited) and transfers a member to another branch, which then accepts him."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login

from dangjian.core import crypto
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_unit_admin_exports_reveals_and_transfers(
    page: Page, live_server, tree, personas, tmp_path
):
    base = live_server.url
    login(page, base, "unit_admin")

    # the import template: the national form's columns, in order
    page.goto(f"{base}/members/import/")
    with page.expect_download() as download:
        page.get_by_test_id("template-download").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    headers = [c.value for c in next(load_workbook(template)["党员信息"].iter_rows(max_row=1))]
    assert headers[:4] == ["姓名", "性别", "民族", "公民身份号码"]

    # search by initials from the list
    page.goto(f"{base}/members/")
    page.get_by_label("搜索党员").fill("zsf")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("member-row")).to_have_count(1)
    expect(page.get_by_test_id("member-row")).to_contain_text("张三丰")
    masked = tree.members_a[0].id_number_masked
    expect(page.get_by_test_id("member-row")).to_contain_text(masked)

    # export the visible roster in the national order (masked by default)
    page.goto(f"{base}/members/")
    page.get_by_test_id("member-export").click()
    page.get_by_test_id("preset-national").check()
    with page.expect_download() as download:
        page.get_by_test_id("export-submit").click()
    exported = tmp_path / "roster.xlsx"
    download.value.save_as(exported)
    rows = list(load_workbook(exported).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "性别", "民族", "公民身份号码")
    names = {r[0] for r in rows[1:]}
    assert {m.name for m in tree.members_a + tree.members_b} <= names
    assert not names & {m.name for m in tree.members_c}  # another unit's members
    assert all("*" in (r[3] or "") for r in rows[1:])

    # reveal one ID number on the member page: shown in place and written to the log
    member = tree.members_a[2]
    page.goto(f"{base}/members/{member.pk}/")
    expect(page.get_by_test_id("member-record")).to_contain_text(member.id_number_masked)
    page.get_by_test_id("reveal-id_number").click()
    clear = crypto.decrypt(member.id_number_sealed)
    expect(page.get_by_test_id("revealed")).to_have_text(clear)
    assert AuditEntry.objects.filter(
        action="members.member.revealed", object_id=str(member.pk)
    ).exists()

    # transfer him to the sibling branch; he stays on branch A until branch B accepts
    page.get_by_test_id("action-transfer").click()
    page.get_by_label("接收党支部").select_option(str(tree.branch_b.pk))
    page.get_by_label("转接原因").fill("工作调整")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("pending-transfer")).to_be_visible()
    member.refresh_from_db()
    assert member.branch_id == tree.branch_a.pk

    page.goto(f"{base}/members/transfers/")
    expect(page.get_by_test_id("count-incoming")).to_have_text("1")
    page.get_by_test_id("accept").click()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("pending-transfer")).to_have_count(0)
    member = Member.objects.unscoped().get(pk=member.pk)
    assert member.branch_id == tree.branch_b.pk and member.org_path == tree.branch_b.path
    page.goto(f"{base}/members/{member.pk}/")
    expect(page.get_by_test_id("member-record")).to_contain_text("第二党支部")
