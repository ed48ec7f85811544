"""The security administrator's pages (三员分立): accounts, grants, password resets, lockouts,
disabling, the security policy and the separation report. Only `account.manage` opens them."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts import selectors, services, services_security
from dangjian.accounts.models import RoleGrant, User
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # the second factor has its own tests; these drive the pages with force_login
    settings.OTP_REQUIRED = False


@pytest.fixture
def sec(client, personas):
    client.force_login(personas.security_admin)
    return client


def _actions(code):
    return list(AuditEntry.objects.filter(action=code))


# --- who may open the pages -------------------------------------------------------------------


def _pages(personas):
    target = personas.member_a
    grant = RoleGrant.objects.get(user=target)
    return [
        ("get", "/security/"),
        ("get", "/security/users/new/"),
        ("get", f"/security/users/{target.pk}/"),
        ("get", f"/security/users/{target.pk}/edit/"),
        ("get", "/security/policy/"),
        ("post", "/security/users/new/"),
        ("post", f"/security/users/{target.pk}/edit/"),
        ("post", f"/security/users/{target.pk}/grants/"),
        ("post", f"/security/users/{target.pk}/grants/{grant.pk}/revoke/"),
        ("post", f"/security/users/{target.pk}/password/"),
        ("post", f"/security/users/{target.pk}/unlock/"),
        ("post", f"/security/users/{target.pk}/disable/"),
        ("post", f"/security/users/{target.pk}/enable/"),
        ("post", f"/security/users/{target.pk}/otp-reset/"),
    ]


@pytest.mark.parametrize(
    "persona",
    [
        "auditor",
        "system_admin",
        "committee_admin",
        "unit_admin",
        "secretary_a",
        "member_a",
        "judge",
        "outsider",
    ],
)
def test_everyone_else_gets_404_on_every_security_page(client, personas, persona):
    client.force_login(personas.by_name(persona))
    before = AuditEntry.objects.count()
    for method, url in _pages(personas):
        response = getattr(client, method)(url, {"username": "x1", "role": "member"})
        assert response.status_code == 404, (method, url)
    assert AuditEntry.objects.count() == before  # nothing was done
    assert RoleGrant.objects.get(user=personas.member_a).revoked_at is None


def test_security_admin_opens_every_page(sec, personas):
    for method, url in _pages(personas):
        if method == "get":
            assert sec.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login(client, personas):
    response = client.get("/security/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_writes_are_post_only_and_need_csrf(personas):
    target = personas.member_a
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.security_admin)
    assert client.get(f"/security/users/{target.pk}/password/").status_code == 405
    assert client.post(f"/security/users/{target.pk}/password/").status_code == 403
    assert not _actions("accounts.password.reset")


def test_malformed_or_unknown_ids_are_404(sec, personas):
    grant = RoleGrant.objects.get(user=personas.secretary_a)
    assert sec.get("/security/users/999999/").status_code == 404
    # a grant of another account, through this account's URL
    url = f"/security/users/{personas.member_a.pk}/grants/{grant.pk}/revoke/"
    assert sec.post(url).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_a_subtree_security_admin_manages_only_accounts_inside_it(client, tree, personas):
    local = User.objects.create_user(username="local_sec", password="Passw0rd2022")
    RoleGrant.objects.create(user=local, org=tree.party_group_a, role="security_admin")
    client.force_login(local)
    assert client.get(f"/security/users/{personas.member_a.pk}/").status_code == 200
    assert client.get(f"/security/users/{personas.committee_admin.pk}/").status_code == 404
    html = client.get("/security/").content.decode()
    assert ">member_a</a>" in html and ">secretary_b</a>" in html
    assert ">committee_admin</a>" not in html and ">security_admin</a>" not in html
    # the grant form offers only the orgs of its subtree
    html = client.get(f"/security/users/{personas.member_a.pk}/").content.decode()
    assert "第一党支部" in html and "乙局党支部" not in html


# --- the account list ------------------------------------------------------------------------


def test_list_shows_roles_login_lock_2fa_and_password_age(sec, tree, personas):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    target = personas.member_a
    User.objects.filter(pk=target.pk).update(
        last_login=timezone.now(),
        last_login_ip="10.1.2.3",
        locked_until=timezone.now() + dt.timedelta(minutes=10),
        password_changed_at=timezone.now() - dt.timedelta(days=40),
    )
    TOTPDevice.objects.create(user=target, name="手机", confirmed=True)
    html = sec.get("/security/?q=member_a").content.decode()
    assert html.count('data-testid="account-row"') == 1
    assert "党员 · 第一党支部" in html
    assert "10.1.2.3" in html and "已绑定" in html and "40 天" in html
    assert "text-danger" in html  # locked until …


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("?q=secretary", {"secretary_a", "secretary_b"}, {"member_a"}),
        ("?role=auditor", {"auditor"}, {"member_a", "security_admin"}),
        ("?status=locked", {"member_a"}, {"secretary_a"}),
        ("?status=disabled", {"judge"}, {"member_a"}),
    ],
)
def test_list_filters(sec, personas, query, expected, absent):
    User.objects.filter(pk=personas.member_a.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=10)
    )
    User.objects.filter(pk=personas.judge.pk).update(is_active=False)
    html = sec.get("/security/" + query).content.decode()
    for name in expected:
        assert f">{name}</a>" in html
    for name in absent:
        assert f">{name}</a>" not in html


def test_list_query_count_does_not_grow_with_rows(sec, tree, personas):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert sec.get("/security/").status_code == 200
        return len(ctx)

    small = count()
    for i in range(15):
        u = User.objects.create_user(username=f"extra{i}", password="Passw0rd2022")
        RoleGrant.objects.create(user=u, org=tree.branch_b, role="member")
    assert count() == small


def test_bad_filter_values_are_ignored(sec, personas):
    response = sec.get("/security/?role=nonsense&status=bad&page=abc&q=" + "长" * 300)
    assert response.status_code == 200
    # a NUL is refused before the page runs (core.middleware.NullCharacterMiddleware)
    response = sec.get("/security/?status=%00")
    assert response.status_code == 400 and "无效字符" in response.content.decode()


# --- opening and editing accounts -------------------------------------------------------------


def test_create_account_shows_a_temporary_password_once(sec, personas):
    response = sec.post("/security/users/new/", {"username": "newbie", "display_name": "新人"})
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="newbie")
    assert user.display_name == "新人" and user.must_change_password
    assert user.check_password(password)
    assert len(password) >= 12
    validate_password(password, User(username="newbie", display_name="新人"))
    entry = _actions("accounts.user.created")[-1]
    assert entry.actor == personas.security_admin and password not in str(entry.changes)
    # the detail page never shows it again
    assert password not in sec.get(f"/security/users/{user.pk}/").content.decode()


def test_create_account_errors_are_at_the_field(sec, personas, tree):
    response = sec.post("/security/users/new/", {"username": "member_a"})
    assert "该用户名已被使用" in response.content.decode()
    assert 'data-testid="field-error-username"' in response.content.decode()
    response = sec.post("/security/users/new/", {"username": "有 空格"})
    assert 'data-testid="field-error-username"' in response.content.decode()
    assert not User.objects.filter(username="有 空格").exists()


def test_edit_account_is_audited(sec, personas, tree):
    target = personas.member_a
    response = sec.post(
        f"/security/users/{target.pk}/edit/",
        {"display_name": "改了名"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.display_name == "改了名"
    entry = _actions("accounts.user.updated")[-1]
    assert entry.actor == personas.security_admin
    assert entry.changes["display_name"] == ["member_a", "改了名"]


def test_the_security_admin_sees_no_business_data(sec, personas, tree):
    html = sec.get(f"/security/users/{personas.secretary_a.pk}/").content.decode()
    member = tree.members_a[0]
    assert member.name not in html  # the linked member by number only
    assert str(member.pk) in html
    # he cannot link an account (his own, or one he manages) to a member: the forms have no
    # such field, the service no such argument, and an id sent anyway is ignored
    target = tree.members_b[1]
    for account in [personas.security_admin, personas.outsider]:
        html = sec.get(f"/security/users/{account.pk}/edit/").content.decode()
        assert 'name="member_id"' not in html and "member.manage" in html
        sec.post(
            f"/security/users/{account.pk}/edit/",
            {"display_name": "改名", "member_id": str(target.pk)},
        )
        account.refresh_from_db()
        assert account.member_id is None
    assert 'name="member_id"' not in sec.get("/security/users/new/").content.decode()
    sec.post("/security/users/new/", {"username": "linked", "member_id": str(target.pk)})
    assert User.objects.get(username="linked").member_id is None
    with pytest.raises(TypeError):
        services_security.user_update(
            actor=personas.security_admin, user=personas.outsider, display_name="x", member=target
        )
    # an account holding a separated role sees no member on the home page, even when linked
    User.objects.filter(pk=personas.security_admin.pk).update(member=target)
    html = sec.get("/").content.decode()
    assert target.name not in html and "所在党支部" not in html


def test_an_ordinary_linked_account_still_sees_its_member_on_home(client, personas, tree):
    client.force_login(personas.secretary_a)
    html = client.get("/").content.decode()
    assert tree.members_a[0].name in html and "所在党支部" in html


# --- grants ------------------------------------------------------------------------------------


def test_grant_and_revoke_are_audited(sec, personas, tree):
    target = personas.outsider
    response = sec.post(
        f"/security/users/{target.pk}/grants/", {"org": tree.branch_b.pk, "role": "member"}
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=target, revoked_at__isnull=True)
    assert grant.role == "member" and grant.org == tree.branch_b
    assert grant.granted_by == personas.security_admin
    assert _actions("accounts.grant.created")[-1].actor == personas.security_admin
    html = sec.get(f"/security/users/{target.pk}/").content.decode()
    assert "第二党支部" in html and "security_admin" in html  # who granted it
    response = sec.post(f"/security/users/{target.pk}/grants/{grant.pk}/revoke/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert _actions("accounts.grant.revoked")[-1].actor == personas.security_admin
    # the revoked grant stays on the page, with its date
    html = sec.get(f"/security/users/{target.pk}/").content.decode()
    assert html.count('data-testid="grant-row"') == 1 and "撤销" in html


def test_a_second_separated_role_is_refused_at_the_role_field(sec, personas, tree):
    target = personas.auditor
    response = sec.post(
        f"/security/users/{target.pk}/grants/", {"org": tree.root.pk, "role": "system_admin"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="field-error-role"' in html and "三员分立" in html
    assert not RoleGrant.objects.filter(user=target, role="system_admin").exists()
    assert not _actions("accounts.grant.created")


def test_the_security_admin_cannot_grant_himself(sec, personas, tree):
    me = personas.security_admin
    response = sec.post(
        f"/security/users/{me.pk}/grants/", {"org": tree.branch_a.pk, "role": "member"}
    )
    assert response.status_code == 400
    assert "不能为自己授权" in response.content.decode()
    assert RoleGrant.objects.filter(user=me).count() == 1


def test_grant_form_refuses_an_unknown_org_or_role(sec, personas, tree):
    target = personas.outsider
    url = f"/security/users/{target.pk}/grants/"
    html = sec.post(url, {"org": "999999", "role": "member"}).content.decode()
    assert 'data-testid="field-error-org"' in html
    html = sec.post(url, {"org": tree.branch_a.pk, "role": "emperor"}).content.decode()
    assert 'data-testid="field-error-role"' in html
    assert not RoleGrant.objects.filter(user=target).exists()


# --- passwords, lockouts, disabling -------------------------------------------------------------


def test_reset_password_shows_it_once_and_forces_a_change(sec, personas):
    target = personas.member_a
    response = sec.post(f"/security/users/{target.pk}/password/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    target.refresh_from_db()
    assert target.check_password(password) and target.must_change_password
    assert len(password) >= 12
    validate_password(password, User(username=target.username))
    (entry,) = _actions("accounts.password.reset")  # one entry, written by password_set
    assert entry.actor == personas.security_admin and entry.object_id == str(target.pk)
    assert password not in str(AuditEntry.objects.values_list("changes", flat=True)[::1])


def test_temporary_passwords_meet_the_rules_and_differ():
    passwords = {services_security.temporary_password(User(username="abcdef")) for _ in range(50)}
    assert len(passwords) == 50
    for p in passwords:
        validate_password(p, User(username="abcdef"))
        assert len(p) >= 12


def test_unlock_is_audited(sec, personas):
    target = personas.member_a
    User.objects.filter(pk=target.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=10), failed_logins=3
    )
    assert sec.post(f"/security/users/{target.pk}/unlock/").status_code == 302
    target.refresh_from_db()
    assert target.locked_until is None and target.failed_logins == 0
    assert _actions("accounts.user.unlocked")[-1].actor == personas.security_admin


def test_disable_ends_sessions_and_enable_restores(sec, personas):
    target = personas.member_a
    other = Client()
    other.force_login(target)
    assert other.get("/").status_code == 200
    sessions_before = Session.objects.count()
    response = sec.post(f"/security/users/{target.pk}/disable/", {"reason": "调离本单位"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert Session.objects.count() == sessions_before - 1  # his, not the admin's
    assert other.get("/").status_code == 302  # signed out
    entry = _actions("accounts.user.disabled")[-1]
    assert entry.actor == personas.security_admin and entry.changes["reason"] == "调离本单位"
    assert sec.post(f"/security/users/{target.pk}/enable/").status_code == 302
    target.refresh_from_db()
    assert target.is_active
    assert _actions("accounts.user.enabled")[-1].actor == personas.security_admin


def test_disable_needs_a_reason(sec, personas):
    target = personas.member_a
    response = sec.post(f"/security/users/{target.pk}/disable/", {"reason": " "})
    assert response.status_code == 400
    assert 'data-testid="field-error-reason"' in response.content.decode()
    target.refresh_from_db()
    assert target.is_active


def test_the_security_admin_cannot_disable_himself(sec, personas):
    me = personas.security_admin
    response = sec.post(f"/security/users/{me.pk}/disable/", {"reason": "试试"})
    assert response.status_code == 400
    # 三员分立: his own account is the operator's, like the other administrators'
    assert "运维人员在服务器上" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active
    assert not _actions("accounts.user.disabled")


def test_otp_reset_is_audited(sec, personas):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    target = personas.member_a
    TOTPDevice.objects.create(user=target, name="手机", confirmed=True)
    html = sec.get(f"/security/users/{target.pk}/").content.decode()
    assert 'data-testid="otp-reset"' in html
    assert sec.post(f"/security/users/{target.pk}/otp-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    entry = _actions("accounts.otp.reset")[-1]
    assert entry.actor == personas.security_admin and entry.object_id == str(target.pk)


# --- policy and the separation report ---------------------------------------------------------


def test_policy_page_lists_the_effective_policy(sec, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 60
    html = sec.get("/security/policy/").content.decode()
    for text in [
        "8 位",
        "至少 3 类",
        "最近 5 个",
        "60 天",
        "连续失败 5 次，锁定 15 分钟",
        "30 分钟无操作",
        "不少于 180 天",
        "每分钟 300 次",
        "8.1.4.1 身份鉴别",
        "网络安全法",
        "安全管理员",
    ]:
        assert text in html, text
    assert 'data-testid="separation-ok"' in html


def test_separation_report_finds_legacy_violations_and_superusers(sec, personas, tree):
    assert selectors.separation_report() == []
    # legacy data written before role_grant refused it
    RoleGrant.objects.create(user=personas.auditor, org=tree.branch_a, role="member")
    double = User.objects.create_user(username="double", password="Passw0rd2022")
    RoleGrant.objects.create(user=double, org=tree.root, role="system_admin")
    RoleGrant.objects.create(user=double, org=tree.root, role="security_admin")
    User.objects.create_superuser(username="root", password="Passw0rd2022")
    # not findings: a revoked second role, an inactive superuser, a separated role on two orgs
    RoleGrant.objects.create(
        user=personas.security_admin, org=tree.branch_a, role="member", revoked_at=timezone.now()
    )
    User.objects.create_superuser(username="old_root", password="Passw0rd2022", is_active=False)
    RoleGrant.objects.create(user=personas.judge, org=tree.branch_a, role="judge")
    findings = selectors.separation_report()
    got = {(f.kind, f.user.username) for f in findings}
    assert got == {("separation", "auditor"), ("separation", "double"), ("superuser", "root")}
    by_user = {f.user.username: f for f in findings}
    assert by_user["double"].roles == sorted(["系统管理员", "安全管理员"])
    html = sec.get("/security/policy/").content.decode()
    assert html.count('data-testid="finding-separation"') == 2
    assert html.count('data-testid="finding-superuser"') == 1
    assert "double" in html and "root" in html


# --- 三员分立: the separated accounts are the operator's ----------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "system_admin"])
def test_the_security_admin_cannot_take_over_a_separated_account(sec, personas, tree, persona):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    target = personas.by_name(persona)
    TOTPDevice.objects.create(user=target, name="手机", confirmed=True)
    User.objects.filter(pk=target.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=10), failed_logins=3
    )
    html = sec.get(f"/security/users/{target.pk}/").content.decode()
    for testid in ["password-reset", "otp-reset", "unlock", "disable-form", "enable"]:
        assert f'data-testid="{testid}"' not in html, testid
    assert "dangjian reset_admin" in html
    before = AuditEntry.objects.count()
    password = target.password
    for url, data in [
        ("password/", {}),
        ("otp-reset/", {}),
        ("unlock/", {}),
        ("disable/", {"reason": "接管"}),
        ("enable/", {}),
        ("edit/", {"display_name": "改名"}),
    ]:
        response = sec.post(f"/security/users/{target.pk}/{url}", data)
        assert response.status_code in (200, 302, 400), url
        assert "password" not in (response.context or {}), url
    target.refresh_from_db()
    assert target.password == password and target.is_active
    assert target.locked_until and target.display_name == persona
    assert TOTPDevice.objects.filter(user=target).exists()
    assert AuditEntry.objects.count() == before
    for fn in [
        services_security.user_reset_password,
        services_security.user_otp_reset,
        services_security.user_unlock,
    ]:
        with pytest.raises(AppError, match="运维人员在服务器上"):
            fn(actor=personas.security_admin, user=target)
    with pytest.raises(AppError, match="运维人员在服务器上"):
        services.password_set(actor=personas.security_admin, user=target, new_password="Nx-pass01")
    with pytest.raises(AppError, match="运维人员在服务器上"):
        services.otp_reset(actor=personas.security_admin, user=target)
    # the grants of a separated role carry no revoke button either
    assert f'action="/security/users/{target.pk}/grants/' not in html


def test_the_grant_form_offers_no_separated_role(sec, personas, tree):
    target = personas.outsider
    html = sec.get(f"/security/users/{target.pk}/").content.decode()
    for role in ["auditor", "system_admin", "security_admin"]:
        assert f'value="{role}"' not in html, role
    assert 'value="member"' in html and "dangjian create_admin" in html
    # a new account, whose temporary password he has seen, cannot be made an auditor
    sec.post("/security/users/new/", {"username": "stooge"})
    stooge = User.objects.get(username="stooge")
    response = sec.post(
        f"/security/users/{stooge.pk}/grants/", {"org": tree.root.pk, "role": "auditor"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="field-error-role"' in html and "三员分立" in html
    assert not RoleGrant.objects.filter(user=stooge).exists()


def test_the_security_admin_still_manages_ordinary_accounts(sec, personas):
    target = personas.member_a
    html = sec.get(f"/security/users/{target.pk}/").content.decode()
    assert 'data-testid="password-reset"' in html and 'data-testid="disable-form"' in html
