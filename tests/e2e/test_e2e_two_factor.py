"""Security issue, in a real browser: an administrator is made to set up two-factor sign-in,
reads the secret off the page as a phone would, and signs in with codes from then on; the
pages break no rule of the Content-Security-Policy."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect
from tests.e2e.conftest import submit_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def authenticator_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret typed in by hand."""
    plain = secret.replace(" ", "")
    totp = TOTP(b32decode(plain + "=" * (-len(plain) % 8)))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def test_an_administrator_enrols_and_signs_in_with_a_code(
    page: Page, live_server, tree, personas, settings
):
    settings.OTP_REQUIRED = True
    base = live_server.url
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    # The password is right, but the role requires two-factor sign-in: the set-up page.
    submit_login(page, base, "committee_admin")
    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next=%2F$"))
    expect(page.get_by_test_id("otp-reason")).to_contain_text("您的角色要求启用两步验证")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    # Other pages send him back here.
    page.goto(f"{base}/members/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next=%2Fmembers%2F$"))

    # "Scan": read the secret as typed into an authenticator, and type its code.
    secret = page.get_by_test_id("otp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7 ]{32,}", secret)
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="启用两步验证").click()
    expect(page.get_by_test_id("code-error")).to_contain_text("验证码不正确")
    page.get_by_label("验证码").fill(authenticator_code(secret))
    page.get_by_role("button", name="启用两步验证").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.locator("main")).to_contain_text("两步验证已启用")
    page.goto(f"{base}/")
    expect(page.get_by_test_id("whoami")).to_contain_text("committee_admin")

    # Signed out and in again: the password leads to the code page, the code to home.
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    submit_login(page, base, "committee_admin")
    expect(page).to_have_url(re.compile(r"/login/code/$"))
    page.get_by_label("验证码").fill(authenticator_code(secret, steps_ahead=1))
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/$"))
    expect(page.get_by_test_id("whoami")).to_contain_text("committee_admin")

    assert csp_violations == []
