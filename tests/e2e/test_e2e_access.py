"""Foundation issue, in a real browser: who sees what (scenarios 1 and 2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login, submit_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_branch_secretary_sees_only_their_branch(page: Page, live_server, tree, personas):
    base = live_server.url
    login(page, base, "secretary_a")

    # Home counts cover branch A only: one org, its 5 members, 1 of them probationary.
    expect(page.get_by_test_id("stat-orgs")).to_have_text("1")
    expect(page.get_by_test_id("stat-members")).to_have_text("5")
    expect(page.get_by_test_id("stat-probationary")).to_have_text("1")

    # The lazily loaded tree holds the branch and nothing above or beside it.
    org_tree = page.locator("#org-tree")
    expect(org_tree.get_by_role("link", name="第一党支部")).to_be_visible()
    expect(org_tree.locator("li[data-org]")).to_have_count(1)
    expect(org_tree).not_to_contain_text("第二党支部")
    expect(org_tree).not_to_contain_text("测试工委")
    expect(org_tree).not_to_contain_text("甲局机关党委")

    # Their own branch opens; the sibling branch is "not found", not "forbidden".
    page.goto(f"{base}/orgs/{tree.branch_a.pk}/")
    expect(page.get_by_test_id("org-name")).to_contain_text("第一党支部")
    response = page.goto(f"{base}/orgs/{tree.branch_b.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("未找到")
    expect(page.locator("body")).not_to_contain_text("第二党支部")

    # The member list holds branch A's five members only.
    page.goto(f"{base}/members/")
    rows = page.get_by_test_id("member-row")
    expect(rows).to_have_count(5)
    for member in tree.members_a:
        expect(rows.filter(has_text=member.name)).to_have_count(1)
    for member in [*tree.members_b, *tree.members_c]:
        expect(page.locator("main")).not_to_contain_text(member.name)


def test_outsider_is_refused(page: Page, live_server, tree, personas):
    base = live_server.url

    # Anonymous: the org list sends the visitor to the sign-in page, keeping the target.
    page.goto(f"{base}/orgs/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/orgs/$"))
    expect(page.get_by_test_id("login-form")).to_be_visible()

    # A wrong password is answered in Chinese on the sign-in page.
    submit_login(page, base, "outsider", "WrongPassw0rd")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码错误。")

    # Signed in without any role grant: no tree, no tree button, orgs are "not found".
    login(page, base, "outsider")
    expect(page.locator("main")).to_contain_text("您的角色没有可查看的党组织数据")
    expect(page.locator("#org-tree")).to_have_count(0)
    expect(page.get_by_role("button", name="组织树")).to_have_count(0)
    expect(page.get_by_test_id("stat-orgs")).to_have_count(0)
    for path in ["/orgs/", f"/orgs/{tree.root.pk}/", f"/orgs/{tree.branch_a.pk}/"]:
        response = page.goto(base + path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("未找到")


def test_five_wrong_passwords_lock_the_account(page: Page, live_server, tree, personas):
    base = live_server.url
    for _ in range(5):
        submit_login(page, base, "secretary_b", "WrongPassw0rd")
        expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码错误。")

    # Now even the right password is refused, with the lock message.
    submit_login(page, base, "secretary_b")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_test_id("login-error")).to_contain_text("已被锁定")
    expect(page.get_by_test_id("whoami")).to_have_count(0)
