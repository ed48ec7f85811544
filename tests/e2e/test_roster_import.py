"""Issue #3 item 4 in a real browser: the unit admin imports a roster with some bad rows,
reads the report on the page, fixes the file, imports it and finds a member by his pinyin
initials."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login
from tests.members.test_import_support import roster_row, write_xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_unit_admin_imports_a_roster_fixes_the_report_and_finds_a_member(
    page: Page, live_server, tree, personas, tmp_path
):
    base = live_server.url
    login(page, base, "unit_admin")
    good = [roster_row("欧阳修"), roster_row("李清照", "第二党支部", sex="female", born=1992)]
    bad_id = roster_row("苏轼", **{"公民身份号码": "420302198505200012"})  # wrong check digit
    bad_branch = roster_row("辛弃疾", "第九党支部")
    first = write_xlsx(tmp_path / "名册.xlsx", [good[0], bad_id, good[1], bad_branch])

    # upload: the page goes to the job, which the validation has already judged
    page.goto(f"{base}/members/import/")
    expect(page.get_by_label("导入范围", exact=True).last).to_have_value(str(tree.party_group_a.pk))
    page.get_by_label("党员信息文件（.xlsx）").set_input_files(str(first))
    page.get_by_test_id("import-submit").click()
    expect(page).to_have_url(re.compile(r"/members/import/\d+/$"))
    expect(page.get_by_test_id("import-status")).to_have_text("校验未通过")
    expect(page.get_by_test_id("import-message")).to_contain_text("发现2处问题，未导入任何数据")

    # the report on the page: row, column, problem and rule of each bad cell
    rows = page.get_by_test_id("error-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(0)).to_contain_text("公民身份号码")
    expect(rows.nth(0)).to_contain_text("校验码不正确")
    expect(rows.nth(0)).to_contain_text("R-INFO-03")
    expect(rows.nth(1)).to_contain_text("所在党支部")
    expect(rows.nth(1)).to_contain_text("“第九党支部”不是“甲局党组”范围内未撤销的党支部")
    with page.expect_download() as download:
        page.get_by_test_id("report-download").click()
    assert download.value.suggested_filename == "名册（问题标注）.xlsx"

    # fix the two rows as the report says and upload again
    fixed_id = roster_row("苏轼")
    fixed = write_xlsx(
        tmp_path / "名册-改.xlsx", [good[0], fixed_id, good[1], roster_row("辛弃疾", "第一党支部")]
    )
    page.get_by_test_id("upload-again").click()
    page.get_by_label("党员信息文件（.xlsx）").set_input_files(str(fixed))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-status")).to_have_text("校验通过，待导入")
    expect(page.get_by_test_id("count-new")).to_have_text("4")

    # confirm (the button asks first) and the roster is written
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已导入")
    expect(page.get_by_test_id("count-created")).to_have_text("4")

    # the scope's member list, searched by pinyin initials
    page.get_by_test_id("to-member-list").click()
    expect(page).to_have_url(re.compile(rf"/members/\?org={tree.party_group_a.pk}$"))
    search = page.get_by_label("搜索党员")
    search.fill("oyx")
    search.press("Enter")
    rows = page.get_by_test_id("member-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("欧阳修")
