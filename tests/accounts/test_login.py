"""Login security: lockout after 5 failures for 15 minutes, idle timeout, password rules."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from tests.conftest import PASSWORD

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_succeeds_and_is_audited(client, personas):
    response = _login(client, "secretary_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    entry = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert entry.actor == personas.secretary_a and entry.ip == "127.0.0.1"


def test_wrong_password_is_a_chinese_message(client, personas):
    response = _login(client, "secretary_a", "wrong-1234")
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() == 1


def test_unknown_user_gets_the_same_message(client, personas):
    response = _login(client, "nobody", "wrong-1234")
    assert "用户名或密码错误" in response.content.decode()


def test_empty_fields(client, db):
    assert "请输入用户名和密码" in _login(client, "", "").content.decode()


def test_five_failures_lock_for_fifteen_minutes(client, personas):
    assert settings.LOGIN_MAX_FAILURES == 5 and settings.LOGIN_LOCK_MINUTES == 15
    for _ in range(4):
        _login(client, "secretary_a", "wrong-1234")
    user = User.objects.get(username="secretary_a")
    assert user.failed_logins == 4 and user.locked_until is None
    _login(client, "secretary_a", "wrong-1234")
    user.refresh_from_db()
    assert user.locked_until is not None
    lock = user.locked_until - timezone.now()
    assert dt.timedelta(minutes=14) < lock <= dt.timedelta(minutes=15)
    # even the right password is refused while locked
    response = _login(client, "secretary_a", PASSWORD)
    assert response.status_code == 200 and "已被锁定" in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.user.locked").count() == 1
    # after the lock expires the right password works again
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _login(client, "secretary_a", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, personas):
    for _ in range(3):
        _login(client, "secretary_a", "wrong-1234")
    _login(client, "secretary_a", PASSWORD)
    assert User.objects.get(username="secretary_a").failed_logins == 0


def test_sessions_idle_out_after_thirty_minutes(client, personas):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # the 30 minutes restart at every request
    _login(client, "secretary_a", PASSWORD)
    assert client.get("/").status_code == 200
    from django.contrib.sessions.models import Session

    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_logout_is_post_only_and_audited(client, personas):
    _login(client, "secretary_a", PASSWORD)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.logout.succeeded").count() == 1
    assert client.get("/").status_code == 302


def test_login_ignores_an_offsite_next(client, personas):
    response = client.post(
        "/login/?next=https://evil.example/",
        {"username": "secretary_a", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abc12345", True),  # 8 characters: upper, lower, digits
        ("abc1234!", True),  # lower, digits, symbol
        ("ABC-abc-", True),  # upper, lower, symbols
        ("Abc1234", False),  # 7 characters
        ("abc12345", False),  # two classes only
        ("abcdefgh", False),  # one class
        ("12345678", False),
        ("长城长城长城12", False),  # symbols (长城) and digits: two classes
        ("Someone2022", False),  # contains the user name
        ("xSOMEONEx1", False),  # in any case
    ],
)
def test_password_rules(password, ok, db):
    user = User(username="someone")
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_many_failures_from_one_address_refuse_that_address(client, personas, settings):
    """Guessing across accounts: LOGIN_MAX_FAILURES_PER_ADDRESS failures from one address
    within the lock period refuse further attempts from it, even with a right password;
    counted from the audit log, and another address is not affected."""
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    for name in ["secretary_a", "secretary_b", "unit_admin", "judge", "nobody", "auditor"]:
        assert "用户名或密码错误" in _login(client, name, "wrong-1234").content.decode()
    response = _login(client, "member_a", PASSWORD)
    assert response.status_code == 200 and "该地址登录失败次数过多" in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.login.refused_address").count() == 1
    other = client.post(
        "/login/", {"username": "member_a", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 302
    # the window passes: the address may try again
    # (in SQL: the product refuses to rewrite the audit log)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET at = %s WHERE action = %s",
            [
                timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1),
                "accounts.login.failed",
            ],
        )
    client.logout()
    assert _login(client, "member_a", PASSWORD).status_code == 302


def test_the_previous_sign_in_address_is_shown(client, personas):
    client.post("/login/", {"username": "member_a", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7")
    client.logout()
    response = client.post("/login/", {"username": "member_a", "password": PASSWORD}, follow=True)
    assert "来自 10.9.8.7" in response.content.decode()
