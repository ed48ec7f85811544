"""The first accounts of an installation: `create_admin` (audited, temporary password, must
change it) and Django's `createsuperuser`, refused (三员分立: no superuser in operation)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dangjian.accounts.management.commands.create_admin import temporary_password
from dangjian.accounts.models import RoleGrant, User
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_create_admin_makes_the_security_administrator(tree):
    out = io.StringIO()
    call_command(
        "create_admin", "anquan", "--role", "security_admin", "--name", "郑国强", stdout=out
    )
    user = User.objects.get(username="anquan")
    assert not user.is_superuser and user.must_change_password
    grant = RoleGrant.objects.get(user=user)
    assert (grant.role, grant.org) == ("security_admin", tree.root)
    password = re.search(r"临时密码.*?：(\S+)", out.getvalue()).group(1)
    assert user.check_password(password)
    assert AuditEntry.objects.filter(
        action="accounts.user.created", object_id=str(user.pk)
    ).exists()
    assert AuditEntry.objects.filter(action="accounts.grant.created").exists()


def test_create_admin_keeps_the_three_administrators_apart(tree):
    call_command("create_admin", "shenji", "--role", "auditor", stdout=io.StringIO())
    with pytest.raises(CommandError, match="该用户名已被使用"):
        call_command("create_admin", "shenji", "--role", "system_admin", stdout=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_admin", "x", "--role", "auditor", "--org", "999999")


def test_the_three_administrators_are_three_accounts(tree):
    call_command("create_admin", "shenji", "--role", "auditor", stdout=io.StringIO())
    call_command("create_admin", "xitong", "--role", "system_admin", stdout=io.StringIO())
    roles = dict(RoleGrant.objects.values_list("user__username", "role"))
    assert roles == {"shenji": "auditor", "xitong": "system_admin"}
    # a second separated role on an account that already has one
    with pytest.raises(CommandError, match="三员分立"):
        call_command(
            "create_admin", "shenji", "--role", "system_admin", "--existing", stdout=io.StringIO()
        )
    assert list(
        RoleGrant.objects.filter(user__username="shenji").values_list("role", flat=True)
    ) == ["auditor"]
    # the same role on another org is fine, and keeps the account's password
    shenji = User.objects.get(username="shenji")
    out = io.StringIO()
    call_command(
        "create_admin",
        "shenji",
        "--role",
        "auditor",
        "--existing",
        "--org",
        str(tree.party_group_a.pk),
        stdout=out,
    )
    assert RoleGrant.objects.filter(user=shenji, revoked_at=None).count() == 2
    assert User.objects.get(pk=shenji.pk).password == shenji.password
    assert "临时密码" not in out.getvalue()


def test_an_existing_ordinary_account_made_administrator_gets_new_credentials(tree, personas):
    # whoever knew its password before (the security administrator who opened it) does not now
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = personas.outsider
    TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    out = io.StringIO()
    call_command("create_admin", "outsider", "--role", "auditor", "--existing", stdout=out)
    user.refresh_from_db()
    password = re.search(r"临时密码.*?：(\S+)", out.getvalue()).group(1)
    assert user.check_password(password) and user.must_change_password
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert RoleGrant.objects.get(user=user).role == "auditor"


def test_reset_admin_gives_a_new_temporary_password_and_clears_the_second_factor(tree, personas):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = personas.auditor
    TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    User.objects.filter(pk=user.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=10), failed_logins=4
    )
    out = io.StringIO()
    call_command("reset_admin", "auditor", stdout=out)
    password = re.search(r"临时密码.*?：(\S+)", out.getvalue()).group(1)
    user.refresh_from_db()
    assert user.check_password(password) and user.must_change_password
    assert user.locked_until is None and user.failed_logins == 0
    assert not TOTPDevice.objects.filter(user=user).exists()
    for action in ["accounts.password.reset", "accounts.otp.reset", "accounts.user.unlocked"]:
        entry = AuditEntry.objects.get(action=action, object_id=str(user.pk))
        assert entry.actor is None, action
        assert password not in str(entry.changes)
    with pytest.raises(CommandError, match="不存在"):
        call_command("reset_admin", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError, match="安全管理员在系统内"):
        call_command("reset_admin", "member_a", stdout=io.StringIO())


def test_reset_admin_can_enable_a_disabled_administrator(tree, personas):
    user = personas.system_admin
    User.objects.filter(pk=user.pk).update(is_active=False)
    out = io.StringIO()
    call_command("reset_admin", "system_admin", stdout=out)
    assert "--enable" in out.getvalue()
    user.refresh_from_db()
    assert not user.is_active
    call_command("reset_admin", "system_admin", "--enable", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.is_active
    entry = AuditEntry.objects.get(action="accounts.user.enabled", object_id=str(user.pk))
    assert entry.actor is None


def test_revoke_admin_revokes_the_role_and_is_audited(tree, personas):
    user = personas.system_admin
    out = io.StringIO()
    call_command("revoke_admin", "system_admin", "--role", "system_admin", stdout=out)
    assert "已撤销" in out.getvalue()
    assert not RoleGrant.objects.filter(user=user, revoked_at=None).exists()
    entry = AuditEntry.objects.get(action="accounts.grant.revoked")
    assert entry.actor is None and entry.changes["role"] == "system_admin"
    with pytest.raises(CommandError, match="没有有效的"):
        call_command("revoke_admin", "system_admin", "--role", "system_admin")
    with pytest.raises(CommandError):
        call_command("revoke_admin", "member_a", "--role", "member")  # not a separated role


def test_createsuperuser_is_refused(db):
    with pytest.raises(CommandError, match="三员分立"):
        call_command("createsuperuser", "--noinput", "--username", "root")
    assert not User.objects.filter(is_superuser=True).exists()


def test_temporary_passwords_meet_the_policy():
    from django.contrib.auth.password_validation import validate_password

    for _ in range(50):
        password = temporary_password()
        validate_password(password, User(username="someone"))
        assert len(password) == 14
