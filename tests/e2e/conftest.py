"""Real-browser fixtures: Debian's Chromium under pytest-playwright, Django's live server.

Playwright cannot download its own browser here, so the launch points at /usr/bin/chromium.
Every test that uses `live_server` needs the transactional database so the server thread
sees the rows the fixtures create.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's default is 30 s; a page of this app answers in well under a second, so a
# shorter budget makes a broken test fail fast instead of eating the e2e time limit.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    return page


def submit_login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill and submit the real sign-in form; waits for the answer page to load."""
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def login(page: Page, base_url: str, username: str) -> None:
    """Sign in through the form and check that the home page came back."""
    submit_login(page, base_url, username)
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/$"))
    expect(page.get_by_test_id("whoami")).to_contain_text(username)
