"""Foundation issue, in a real browser: the org tree, org pages, the home chart, a phone
viewport and form errors, all as the working committee's administrator (scenarios 3 to 6)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/e2e-org.png"


def test_vendor_assets_load(page: Page, live_server, tree, personas):
    """htmx, Bootstrap and ECharts are served from /static/vendor/ (no CDN): every other
    scenario here depends on them, so a missing file is reported by name."""
    missing = []
    page.on("response", lambda r: r.status >= 400 and "/static/" in r.url and missing.append(r.url))
    login(page, live_server.url, "committee_admin")
    loaded = page.evaluate(
        "() => ({htmx: typeof htmx, bootstrap: typeof bootstrap, echarts: typeof echarts})"
    )
    assert missing == [], f"static files not found: {missing}"
    assert loaded == {"htmx": "object", "bootstrap": "object", "echarts": "object"}


def test_tree_expands_lazily_and_org_page_shows_findings(page: Page, live_server, tree, personas):
    base = live_server.url
    login(page, base, "committee_admin")
    org_tree = page.locator("#org-tree")

    # Only the root is loaded at first; its children arrive when the caret is clicked.
    root_toggle = page.get_by_test_id(f"tree-toggle-{tree.root.pk}")
    expect(root_toggle).to_have_attribute("aria-expanded", "false")
    expect(org_tree.get_by_role("link", name="甲局党组")).to_have_count(0)
    root_toggle.click()
    expect(root_toggle).to_have_attribute("aria-expanded", "true")
    expect(org_tree.get_by_role("link", name="甲局党组")).to_be_visible()
    expect(org_tree.get_by_role("link", name="乙局党组")).to_be_visible()
    expect(org_tree.get_by_role("link", name="乙局党支部")).to_have_count(0)

    # A loaded node folds and unfolds on the client.
    root_toggle.click()
    expect(root_toggle).to_have_attribute("aria-expanded", "false")
    expect(org_tree.get_by_role("link", name="甲局党组")).to_be_hidden()
    root_toggle.click()
    expect(org_tree.get_by_role("link", name="甲局党组")).to_be_visible()

    # Expand the unit 乙局, open its branch: 2 full members and no term → two findings.
    page.get_by_test_id(f"tree-toggle-{tree.party_group_b.pk}").click()
    org_tree.get_by_role("link", name="乙局党支部").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{tree.branch_c.pk}/$"))
    expect(page.get_by_test_id("org-name")).to_contain_text("乙局党支部")
    findings = page.get_by_test_id("finding")
    expect(findings.filter(has_text="R-ORG-03")).to_have_count(1)
    expect(findings.filter(has_text="R-ORG-05")).to_have_count(1)
    expect(findings.filter(has_text="R-ORG-03")).to_contain_text("依据")
    expect(page.get_by_test_id("count-total")).to_have_text("2")

    # Branch A (4 full members) has the missing-term finding but not the size one.
    page.goto(f"{base}/orgs/{tree.branch_a.pk}/")
    expect(findings.filter(has_text="R-ORG-05")).to_have_count(1)
    expect(findings.filter(has_text="R-ORG-03")).to_have_count(0)

    # An org page opens the tree down to that org and marks it as the current one.
    page.goto(f"{base}/orgs/{tree.organ_a.pk}/")
    current = org_tree.locator("a[aria-current=page]")
    expect(current).to_have_text("甲局机关党委")
    expect(current).to_be_visible()
    expect(org_tree.get_by_role("link", name="乙局党组")).to_be_visible()
    expect(org_tree.get_by_role("link", name="第二党支部")).to_have_count(0)
    page.get_by_test_id(f"tree-toggle-{tree.organ_a.pk}").click()
    expect(org_tree.get_by_role("link", name="第二党支部")).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_tree_search_finds_org_by_part_of_name(page: Page, live_server, tree, personas):
    base = live_server.url
    login(page, base, "committee_admin")
    org_tree = page.locator("#org-tree")
    expect(page.get_by_test_id(f"tree-toggle-{tree.root.pk}")).to_be_visible()

    page.get_by_test_id("tree-search").fill("二党")
    expect(org_tree.get_by_role("link", name="第二党支部")).to_be_visible()
    expect(org_tree.get_by_role("link")).to_have_count(1)
    expect(org_tree).to_contain_text("甲局机关党委")  # the parent, under the result

    page.get_by_test_id("tree-search").fill("不存在的组织")
    expect(org_tree).to_contain_text("没有找到“不存在的组织”")

    page.get_by_test_id("tree-search").fill("乙局")
    expect(org_tree.get_by_role("link")).to_have_count(2)
    org_tree.get_by_role("link", name="乙局党支部").click()
    expect(page.get_by_test_id("org-name")).to_contain_text("乙局党支部")


def test_home_chart_renders(page: Page, live_server, tree, personas):
    login(page, live_server.url, "committee_admin")
    expect(page.get_by_test_id("stat-orgs")).to_have_text("8")
    expect(page.get_by_test_id("stat-members")).to_have_text("10")
    expect(page.locator('[data-kind="bar"] canvas')).to_be_visible()
    expect(page.locator('[data-kind="pie"] canvas')).to_be_visible()
    expect(page.locator('[data-kind="bar"]')).to_have_attribute("data-rendered", "1")


def test_phone_viewport(page: Page, live_server, tree, personas):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "committee_admin")

    # On the org page the tree is an offcanvas behind the 组织树 button.
    page.goto(f"{base}/orgs/{tree.organ_a.pk}/")
    expect(page.get_by_test_id("org-name")).to_be_visible()
    sidebar = page.locator("#sidebar")
    expect(sidebar).to_be_hidden()
    page.get_by_role("button", name="组织树").click()
    expect(sidebar).to_be_visible()
    expect(sidebar).to_have_class(re.compile(r"\bshow\b"))
    expect(sidebar.get_by_role("link", name="测试工委")).to_be_visible()
    sidebar.get_by_role("button", name="关闭").click()
    expect(sidebar).to_be_hidden()
    assert _no_horizontal_scroll(page), "org page scrolls sideways on a phone"

    # The org list fits the screen's width.
    page.goto(f"{base}/orgs/")
    expect(page.get_by_test_id("org-row")).to_have_count(8)
    assert _no_horizontal_scroll(page), "org list scrolls sideways on a phone"


def _no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_org_form_shows_field_error_and_creates_nothing(page: Page, live_server, tree, personas):
    from dangjian.orgs.models import Org

    base = live_server.url
    before = Org.objects.unscoped().count()
    login(page, base, "committee_admin")
    page.goto(f"{base}/orgs/{tree.organ_a.pk}/")
    page.get_by_role("link", name="新建下级").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("在“甲局机关党委”下新建组织")

    page.get_by_label("组织名称").fill("")
    page.get_by_role("button", name="确定").click()
    error = page.get_by_test_id("field-error-name")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile(r"[\u4e00-\u9fff]"))  # a Chinese message
    expect(page).to_have_url(re.compile(rf"/orgs/{tree.organ_a.pk}/new/$"))
    assert Org.objects.unscoped().count() == before
