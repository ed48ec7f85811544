"""Two-factor sign-in with TOTP (issue #4, 等保 身份鉴别): enrolment, the code step at sign-in,
wrong codes on the same lock as wrong passwords, the roles that must use it. Codes are
computed from the device's key, as an authenticator app does."""

import time
from base64 import b32decode

import pytest
from django.http import Http404
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import PASSWORD

from dangjian.accounts import services
from dangjian.accounts.models import User
from dangjian.accounts.views import PENDING_KEY
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry


def code_for(device, steps_ahead: int = 0) -> str:
    """The code an authenticator shows now (or `steps_ahead` periods later). Each code is
    accepted once; the device accepts one period either side, so a test uses step 0 for the
    first code and step 1 for the next."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> TOTPDevice:
    """Set up and confirm a device the way the enrolment page does."""
    device = services.otp_enrolment_start(actor=user)
    return services.otp_enrol_confirm(actor=user, device=device, code=code_for(device))


def actions() -> list[str]:
    entries = AuditEntry.objects.filter(action__startswith="accounts.").order_by("pk")
    return list(entries.values_list("action", flat=True))


def _login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED = True
    return settings


# --- enrolment ------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(client, personas):
    user = personas.member_a
    client.force_login(user)
    page = client.get("/account/two-factor/")
    content = page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert '<svg width="' in content and 'class="otp-qr"' in content
    secret = page.context["secret"]
    plain = secret.replace(" ", "")
    assert b32decode(plain + "=" * (-len(plain) % 8)) == device.bin_key
    assert secret in content
    # no inline script or style: the page works under the Content-Security-Policy
    assert "style=" not in content and "<script>" not in content and " on" + "click" not in content
    # coming back shows the same unconfirmed device, not a new one
    assert client.get("/account/two-factor/").context["secret"] == secret
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post("/account/two-factor/", {"code": "000000"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    not_digits = client.post("/account/two-factor/", {"code": "abcdef"})
    assert not_digits.status_code == 200 and "6位数字" in not_digits.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post("/account/two-factor/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    # the session counts as verified at once: no code page
    assert client.get("/").status_code == 200
    assert "两步验证已启用" in client.get("/account/two-factor/").content.decode()
    assert actions() == ["accounts.otp.enrolment_started", "accounts.otp.enrolled"]
    assert AuditEntry.objects.get(action="accounts.otp.enrolled").actor == user


def test_a_user_whose_role_allows_it_may_remove_his_device(client, personas):
    user = personas.member_a
    device = enrol(user)
    client.force_login(user)
    client.post("/login/code/", {"code": code_for(device, 1)})
    response = client.post("/account/two-factor/remove/")
    assert response["Location"] == "/account/two-factor/"
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="accounts.otp.removed", actor=user).count() == 1
    assert client.get("/").status_code == 200


def test_a_required_role_may_not_remove_its_device(client, personas, otp_required):
    user = personas.committee_admin
    enrol(user)
    with pytest.raises(AppError) as refused:
        services.otp_remove(actor=user)
    assert "不能关闭" in refused.value.message
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not AuditEntry.objects.filter(action="accounts.otp.removed").exists()


def test_security_admin_resets_a_users_device(personas):
    user = personas.committee_admin
    enrol(user)
    services.otp_reset(actor=personas.security_admin, user=user)
    assert not TOTPDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="accounts.otp.reset")
    assert entry.actor == personas.security_admin and entry.object_id == str(user.pk)


@pytest.mark.parametrize("actor", ["committee_admin", "auditor", "secretary_a"])
def test_only_the_security_admin_resets_devices(personas, actor):
    enrol(personas.member_a)
    with pytest.raises(Http404):
        services.otp_reset(actor=personas.by_name(actor), user=personas.member_a)
    assert TOTPDevice.objects.filter(user=personas.member_a).exists()


def test_a_security_admin_does_not_reset_his_own_device(personas):
    enrol(personas.security_admin)
    with pytest.raises(AppError):
        services.otp_reset(actor=personas.security_admin, user=personas.security_admin)


# --- signing in with a code -----------------------------------------------------------------


def test_sign_in_with_a_device_asks_for_the_code(client, personas):
    user = personas.secretary_a
    device = enrol(user)
    before = AuditEntry.objects.count()
    response = _login(client, "secretary_a")
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    # the password alone signs nobody in
    assert client.get("/")["Location"].startswith("/login/")
    assert not AuditEntry.objects.filter(action="accounts.login.succeeded").exists()
    page = client.get("/login/code/")
    assert page.status_code == 200 and "6位验证码" in page.content.decode()
    response = client.post("/login/code/", {"code": code_for(device, 1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert PENDING_KEY not in client.session
    entry = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert entry.actor == user and entry.changes == {"otp": True}
    assert AuditEntry.objects.count() == before + 1


def test_a_code_cannot_be_used_twice(client, personas):
    """Replay: a code seen once (shoulder-surfed, logged) opens no second session."""
    device = enrol(personas.secretary_a)
    code = code_for(device, 1)
    _login(client, "secretary_a")
    assert client.post("/login/code/", {"code": code})["Location"] == "/"
    client.logout()
    other = client.__class__()
    _login(other, "secretary_a")
    response = other.post("/login/code/", {"code": code})
    assert response.status_code == 200  # the code page again, with a message
    assert other.get("/")["Location"].startswith("/login/")


def test_the_session_key_changes_at_each_step(client, personas):
    """Session fixation: the key a visitor had before signing in is not the signed-in one."""
    device = enrol(personas.secretary_a)
    client.get("/login/")
    _login(client, "secretary_a")
    pending = client.session.session_key
    client.post("/login/code/", {"code": code_for(device, 1)})
    assert client.session.session_key != pending
    assert client.get("/").status_code == 200


def test_sign_in_keeps_the_next_page_through_the_code_step(client, personas):
    device = enrol(personas.secretary_a)
    client.post(
        "/login/?next=/members/",
        {"username": "secretary_a", "password": PASSWORD, "next": "/members/"},
    )
    response = client.post("/login/code/", {"code": code_for(device, 1)})
    assert response["Location"] == "/members/"


def test_wrong_codes_count_toward_the_lock(client, personas, settings):
    user = personas.secretary_a
    device = enrol(user)
    _login(client, "secretary_a")
    for attempt in range(settings.LOGIN_MAX_FAILURES - 1):
        response = client.post("/login/code/", {"code": "000000"})
        assert response.status_code == 200, attempt
        content = response.content.decode()
        assert "验证码不正确" in content or "过于频繁" in content
    user.refresh_from_db()
    assert user.failed_logins == settings.LOGIN_MAX_FAILURES - 1 and user.locked_until is None
    response = client.post("/login/code/", {"code": "000000"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    user.refresh_from_db()
    assert user.locked_until is not None
    assert "已被锁定" in client.get("/login/").content.decode()
    # the pending sign-in is gone, and the password is refused while locked
    assert client.get("/login/code/")["Location"] == "/login/"
    assert "已被锁定" in _login(client, "secretary_a").content.decode()
    assert AuditEntry.objects.filter(action="accounts.otp.failed", actor=None).count() == 5
    assert AuditEntry.objects.filter(action="accounts.user.locked").count() == 1
    failed = AuditEntry.objects.filter(action="accounts.otp.failed").first()
    assert failed.object_id == str(user.pk) and failed.ip == "127.0.0.1"
    # even the right code is refused while locked
    with pytest.raises(AppError) as refused:
        services.otp_check(None, user, code_for(device, 1))
    assert refused.value.code == "locked"


def test_wrong_passwords_and_wrong_codes_share_one_counter(client, personas, settings):
    enrol(personas.secretary_a)
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _login(client, "secretary_a", "Wrong-pass1")
    _login(client, "secretary_a")
    response = client.post("/login/code/", {"code": "000000"})
    assert response["Location"] == "/login/"
    assert User.objects.get(pk=personas.secretary_a.pk).locked_until is not None


def test_the_pending_sign_in_expires_after_five_minutes(client, personas):
    device = enrol(personas.secretary_a)
    _login(client, "secretary_a")
    session = client.session
    pending = session[PENDING_KEY]
    pending["at"] -= services.OTP_PENDING_SECONDS + 1
    session[PENDING_KEY] = pending
    session.save()
    response = client.post("/login/code/", {"code": code_for(device, 1)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "验证已超时" in client.get("/login/").content.decode()
    assert client.get("/")["Location"].startswith("/login/")
    assert not AuditEntry.objects.filter(action="accounts.login.succeeded").exists()


def test_the_code_page_without_a_pending_sign_in_goes_back_to_login(client, db):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.post("/login/code/", {"code": "123456"})["Location"] == "/login/"


def test_a_session_opened_without_the_code_is_sent_to_the_code_page(client, personas):
    user = personas.member_a
    device = enrol(user)
    client.force_login(user)
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"] == "/login/code/?next=%2Fmembers%2F"
    assert client.get("/api/orgs").json() == {"detail": "请先完成两步验证。"}
    # even the password page waits for the code
    assert client.get("/account/password/")["Location"].startswith("/login/code/")
    response = client.post("/login/code/", {"code": code_for(device, 1), "next": "/members/"})
    assert response["Location"] == "/members/"
    assert client.get("/").status_code == 200


def test_a_session_locked_by_wrong_codes_is_signed_out(client, personas, settings):
    user = personas.member_a
    enrol(user)
    client.force_login(user)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post("/login/code/", {"code": "000000"})
    assert response["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


def test_users_without_a_device_sign_in_with_the_password(client, personas, otp_required):
    response = _login(client, "member_a")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


# --- roles that must use it -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["committee_admin", "unit_admin", "auditor", "security_admin"])
def test_administrative_roles_are_held_until_they_enrol(client, personas, otp_required, persona):
    user = personas.by_name(persona)
    _login(client, persona)
    response = client.get("/")
    assert response["Location"] == "/account/two-factor/?next=%2F"
    assert client.get("/api/orgs").json() == {"detail": "请先启用两步验证。"}
    page = client.get("/account/two-factor/?next=/")
    assert "您的角色要求启用两步验证" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/two-factor/", {"code": code_for(device), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    # the next sign-in asks for the code
    client.post("/logout/")
    assert _login(client, persona)["Location"] == "/login/code/"
    client.post("/login/code/", {"code": code_for(device, 1)})
    assert client.get("/").status_code == 200


def test_the_requirement_can_be_turned_off(client, personas, settings):
    settings.OTP_REQUIRED = False
    _login(client, "committee_admin")
    assert client.get("/").status_code == 200


def test_a_password_change_comes_before_enrolment(client, personas, otp_required):
    User.objects.filter(pk=personas.committee_admin.pk).update(must_change_password=True)
    _login(client, "committee_admin")
    assert client.get("/")["Location"].startswith("/account/password/")
    client.post(
        "/account/password/",
        {
            "current_password": PASSWORD,
            "new_password": "Fresh-pass1",
            "new_password_again": "Fresh-pass1",
        },
    )
    assert client.get("/")["Location"].startswith("/account/two-factor/")


def test_after_a_reset_the_user_is_sent_to_set_up_a_new_device(client, personas, otp_required):
    user = personas.committee_admin
    device = enrol(user)
    _login(client, "committee_admin")
    client.post("/login/code/", {"code": code_for(device, 1)})
    assert client.get("/").status_code == 200
    services.otp_reset(actor=personas.security_admin, user=user)
    # the reset ends his sessions; signed in again, he is sent to set up a new device
    assert client.get("/")["Location"].startswith("/login/")
    _login(client, "committee_admin")
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/two-factor/")
    assert "您的角色要求启用两步验证" in response.content.decode()
