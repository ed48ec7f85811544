"""Review findings on the accounts app (issue #4): the role_grant lock, guessing the current
password on the change page, the lockout counter read from the database, sessions opened
before a device was enrolled, and a tree too large for the grant form."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.accounts.test_two_factor import code_for
from tests.conftest import PASSWORD

from dangjian.accounts import selectors, services
from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.OTP_REQUIRED = False


# --- 3. role_grant locks the account's row first --------------------------------------------


def test_role_grant_locks_the_user_row_first(tree, personas):
    user = personas.outsider
    with CaptureQueriesContext(connection) as ctx:
        services.role_grant(
            actor=personas.security_admin, user=user, org=tree.branch_a, role="member"
        )
    sql = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
    ]
    first = sql[0]
    assert 'FROM "accounts_user"' in first and str(user.pk) in first
    if connection.features.has_select_for_update:  # PostgreSQL; SQLite has no row locks
        assert "FOR UPDATE" in first


# --- 4. guessing the current password on the change page -------------------------------------


def _change(client, current, new="Nx-pass01"):
    return client.post(
        "/account/password/",
        {"current_password": current, "new_password": new, "new_password_again": new},
    )


def test_wrong_current_passwords_count_and_lock_and_sign_out(client, personas):
    user = personas.member_a
    client.force_login(user)
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        response = _change(client, "wrong-Pass1")
        assert response.status_code == 200
        assert "当前密码不正确" in response.content.decode()
    user.refresh_from_db()
    assert user.failed_logins == settings.LOGIN_MAX_FAILURES - 1
    failed = AuditEntry.objects.filter(action="accounts.password.failed", object_id=str(user.pk))
    assert failed.count() == settings.LOGIN_MAX_FAILURES - 1
    response = _change(client, "wrong-Pass1")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    user.refresh_from_db()
    assert user.locked_until and user.locked_until > timezone.now()
    assert AuditEntry.objects.filter(action="accounts.user.locked", object_id=str(user.pk)).exists()
    assert client.get("/")["Location"].startswith("/login/")  # signed out
    # and the lock holds at the sign-in page, with the right password too
    page = client.post("/login/", {"username": "member_a", "password": PASSWORD})
    assert "已被锁定" in page.content.decode()
    assert user.check_password(PASSWORD)


def test_a_locked_account_cannot_go_on_guessing_in_another_session(client, personas):
    user = personas.member_a
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(
        locked_until=timezone.now() + timezone.timedelta(minutes=10)
    )
    response = _change(client, PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_right_current_password_still_changes_it(client, personas):
    user = personas.member_a
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(failed_logins=2)
    assert _change(client, PASSWORD)["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password("Nx-pass01")


# --- 5. the lockout counter is read from the database ------------------------------------------


def test_a_failure_counts_on_the_database_value_not_a_stale_object(personas):
    user = User.objects.get(pk=personas.member_a.pk)  # read before the others' failures
    assert user.failed_logins == 0
    User.objects.filter(pk=user.pk).update(failed_logins=settings.LOGIN_MAX_FAILURES - 1)
    locked = services._record_failure(user, None, timezone.now(), "accounts.login.failed")
    assert locked
    fresh = User.objects.get(pk=user.pk)
    assert fresh.locked_until and fresh.locked_until > timezone.now()
    assert fresh.failed_logins == 0


# --- 6. enrolling ends the other sessions -----------------------------------------------------


def test_enrolling_a_device_signs_out_the_other_sessions(personas):
    user = personas.member_a
    a, b = Client(), Client()
    assert a.post("/login/", {"username": "member_a", "password": PASSWORD}).status_code == 302
    assert a.get("/").status_code == 200  # signed in with the password only, no device
    b.force_login(user)
    b.get("/account/two-factor/")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = b.post("/account/two-factor/", {"code": code_for(device)})
    assert response.status_code == 302
    assert b.get("/").status_code == 200  # this session stays
    response = a.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_device_reset_signs_out_every_session_of_the_account(personas):
    user = personas.member_a
    a = Client()
    a.force_login(user)
    services.otp_enrol_confirm(
        actor=user,
        device=(d := services.otp_enrolment_start(actor=user)),
        code=code_for(d),
    )
    services.otp_reset(actor=personas.security_admin, user=user)
    assert a.get("/")["Location"].startswith("/login/")


# --- 7. too many orgs for the grant form ------------------------------------------------------


def test_too_many_orgs_is_a_chinese_message_not_a_500(client, personas, tree, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_ORG_CHOICES", 2)
    client.force_login(personas.security_admin)
    target = personas.outsider
    response = client.get(f"/security/users/{target.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "组织过多" in html
    response = client.post(
        f"/security/users/{target.pk}/grants/", {"org": tree.branch_a.pk, "role": "member"}
    )
    assert response.status_code == 400
    assert "组织过多" in response.content.decode()
