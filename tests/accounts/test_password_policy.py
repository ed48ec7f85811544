"""Password policy (issue #4, 等保 身份鉴别): not one of the last 5, a change at the first
sign-in and after a reset, expiry after PASSWORD_MAX_AGE_DAYS, and the gate that holds the
user on the change page until he has changed it."""

import datetime as dt
import importlib
import itertools

import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from tests.conftest import PASSWORD

from dangjian.accounts import services
from dangjian.accounts.models import PasswordHistory, User
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry

NEW = ["Nx-pass01", "Nx-pass02", "Nx-pass03", "Nx-pass04", "Nx-pass05", "Nx-pass06"]


def _change(user, old, new):
    return services.password_set(
        actor=user, user=user, current_password=old, new_password=new, must_change=False
    )


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


# --- history ------------------------------------------------------------------------------


def test_the_fifth_last_password_is_refused_and_the_sixth_last_allowed(personas):
    user = personas.member_a
    sequence = [PASSWORD, *NEW[:5]]  # PASSWORD, then five changes: current is NEW[4]
    for old, new in itertools.pairwise(sequence):
        _change(user, old, new)
    # the last five: NEW[4] (current), NEW[3], NEW[2], NEW[1], NEW[0]; PASSWORD is 6th-last
    for reused in [NEW[4], NEW[3], NEW[0]]:
        with pytest.raises(AppError) as refused:
            _change(user, NEW[4], reused)
        assert refused.value.field == "new_password"
        assert "最近5次" in refused.value.message
    _change(user, NEW[4], PASSWORD)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # only the hashes needed are kept: the current one plus four old ones make five
    assert PasswordHistory.objects.filter(user=user).count() == 4
    assert all(
        h.startswith("md5$") for h in PasswordHistory.objects.values_list("encoded", flat=True)
    )


def test_the_validator_knows_the_current_password(personas):
    with pytest.raises(ValidationError) as refused:
        validate_password(PASSWORD, personas.member_a)
    assert refused.value.messages == ["新密码不能与最近5次使用过的密码相同。"]
    validate_password("Another-2024", personas.member_a)


def test_history_length_follows_the_setting(personas, settings):
    settings.PASSWORD_HISTORY_COUNT = 2
    user = personas.member_a
    _change(user, PASSWORD, NEW[0])
    _change(user, NEW[0], NEW[1])
    with pytest.raises(AppError):
        _change(user, NEW[1], NEW[0])  # 2nd-last
    _change(user, NEW[1], PASSWORD)  # 3rd-last
    assert PasswordHistory.objects.filter(user=user).count() == 1


# --- changes and resets ---------------------------------------------------------------------


def test_own_change_needs_the_current_password_and_is_audited(personas):
    user = personas.member_a
    with pytest.raises(AppError) as refused:
        _change(user, "Wrong-pass1", NEW[0])
    assert refused.value.field == "current_password"
    assert not AuditEntry.objects.filter(
        action__in=["accounts.password.changed", "accounts.password.reset"]
    ).exists()
    # the wrong current password counts like a failed sign-in
    assert AuditEntry.objects.filter(action="accounts.password.failed").exists()
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    _change(user, PASSWORD, NEW[0])
    user.refresh_from_db()
    assert user.check_password(NEW[0]) and not user.must_change_password
    assert timezone.now() - user.password_changed_at < dt.timedelta(minutes=1)
    entry = AuditEntry.objects.get(action="accounts.password.changed")
    assert entry.actor == user and entry.object_id == str(user.pk)
    assert entry.changes == {"must_change_password": False}


def test_a_weak_new_password_names_the_field(personas):
    with pytest.raises(AppError) as refused:
        _change(personas.member_a, PASSWORD, "short")
    assert refused.value.field == "new_password" and "三类" in refused.value.message


def test_security_admin_reset_forces_a_change_at_next_sign_in(personas):
    user = personas.member_a
    services.password_set(
        actor=personas.security_admin, user=user, new_password="Reset-2024x", must_change=False
    )
    user.refresh_from_db()
    assert user.must_change_password and user.check_password("Reset-2024x")
    entry = AuditEntry.objects.get(action="accounts.password.reset")
    assert entry.actor == personas.security_admin and entry.changes["must_change_password"]


@pytest.mark.parametrize("actor", ["secretary_a", "committee_admin", "auditor", "member_a"])
def test_only_the_security_admin_resets_another_users_password(personas, actor):
    with pytest.raises(Http404):
        services.password_set(
            actor=personas.by_name(actor),
            user=personas.secretary_b,
            new_password="Reset-2024x",
            must_change=True,
        )
    assert not AuditEntry.objects.filter(action="accounts.password.reset").exists()


def test_new_accounts_must_change_their_first_password(db):
    user = services.user_create(actor=None, username="newcomer", password="Start-2024x")
    assert user.must_change_password
    assert timezone.now() - user.password_changed_at < dt.timedelta(minutes=1)


def test_the_upgrade_starts_everyones_password_age(personas):
    User.objects.update(password_changed_at=None)
    migration = importlib.import_module("dangjian.accounts.migrations.0004_password_changed_now")
    migration.start_password_age(apps, None)
    assert not User.objects.filter(password_changed_at__isnull=True).exists()


# --- the gate -------------------------------------------------------------------------------


def test_first_sign_in_is_held_on_the_change_page(client, personas):
    User.objects.filter(pk=personas.member_a.pk).update(must_change_password=True)
    response = _login(client, "member_a")
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/account/password/?next=%2F"
    for path in ["/members/", "/orgs/", "/account/two-factor/"]:
        assert client.get(path)["Location"].startswith("/account/password/"), path
    assert client.post("/account/two-factor/remove/")["Location"] == "/account/password/"
    page = client.get("/account/password/?next=/members/")
    content = page.content.decode()
    assert page.status_code == 200 and "首次登录或密码已被重置" in content
    assert 'id="org-tree"' not in content  # no menus that lead nowhere
    # static files and logging out stay open
    assert client.get("/static/core/app.js").status_code == 200
    response = client.post(
        "/account/password/",
        {
            "current_password": PASSWORD,
            "new_password": NEW[0],
            "new_password_again": NEW[0],
            "next": "/members/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert client.get("/").status_code == 200  # the session survived the change
    assert AuditEntry.objects.filter(action="accounts.password.changed").count() == 1


def test_the_change_page_shows_mistakes_beside_the_fields(client, personas):
    client.force_login(personas.member_a)
    mismatch = client.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": NEW[0], "new_password_again": NEW[1]},
    )
    assert mismatch.status_code == 200 and "两次输入的新密码不一致" in mismatch.content.decode()
    reused = client.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": PASSWORD, "new_password_again": PASSWORD},
    )
    assert "最近5次" in reused.content.decode()
    wrong = client.post(
        "/account/password/",
        {"current_password": "nope", "new_password": NEW[0], "new_password_again": NEW[0]},
    )
    assert "当前密码不正确" in wrong.content.decode()
    empty = client.post("/account/password/", {})
    assert empty.status_code == 200
    personas.member_a.refresh_from_db()
    assert personas.member_a.check_password(PASSWORD)


def test_every_user_reaches_the_change_page(client, personas):
    client.force_login(personas.judge)
    response = client.get("/account/password/")
    assert response.status_code == 200 and "修改密码" in response.content.decode()
    assert "首次登录" not in response.content.decode()


def test_an_expired_password_is_held_on_the_change_page(client, personas, settings):
    assert settings.PASSWORD_MAX_AGE_DAYS == 90
    User.objects.filter(pk=personas.member_a.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=90, minutes=1)
    )
    _login(client, "member_a")
    assert client.get("/members/")["Location"].startswith("/account/password/")
    assert "已超过90天未修改" in client.get("/account/password/").content.decode()
    # no expiry when the age limit is off
    settings.PASSWORD_MAX_AGE_DAYS = 0
    assert client.get("/").status_code == 200


def test_a_password_close_to_expiry_is_warned_about(client, personas):
    User.objects.filter(pk=personas.member_a.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=85, hours=1)
    )
    response = _login(client, "member_a")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "您的密码将于5天后过期" in page.content.decode()


def test_a_fresh_password_is_not_warned_about(client, personas):
    _login(client, "member_a")
    assert "过期" not in client.get("/").content.decode()


def test_the_api_refuses_a_held_session_but_not_a_token(client, personas, tree):
    user = personas.committee_admin
    _token, plain = services.api_token_create(actor=None, user=user, name="对接系统")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    response = client.get("/api/orgs")
    assert response.status_code == 403 and response.json() == {"detail": "请先修改密码。"}
    client.logout()
    response = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200 and response.json()


def test_htmx_fragments_are_refused_without_a_redirect(client, personas):
    User.objects.filter(pk=personas.committee_admin.pk).update(must_change_password=True)
    client.force_login(personas.committee_admin)
    response = client.get("/orgs/tree/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and "HX-Redirect" not in response
    assert response.content.decode() == "请先修改密码。"


def test_logout_stays_open_while_held(client, personas):
    User.objects.filter(pk=personas.member_a.pk).update(must_change_password=True)
    _login(client, "member_a")
    assert client.post("/logout/")["Location"] == "/login/"
    assert AuditEntry.objects.filter(action="accounts.logout.succeeded").count() == 1
