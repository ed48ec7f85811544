"""Account write paths: sign-in with lockout, role grants, API tokens. All audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import ApiToken, RoleGrant, User
from dangjian.core.access import can, deny, forget_grants, has_cap_anywhere
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.core.permissions import Cap, Role


def _require_account_manage(actor, path: str | None = None) -> None:
    """Accounts and grants are the security administrator's (三员分立). `actor=None` is the
    system itself (the demo, management commands run by the operator)."""
    if actor is None:
        return
    allowed = (
        can(actor, Cap.ACCOUNT_MANAGE, path)
        if path
        else has_cap_anywhere(actor, Cap.ACCOUNT_MANAGE)
    )
    if not allowed:
        raise deny()


def login_check(request, username: str, password: str) -> User:
    """Authenticate with lockout: LOGIN_MAX_FAILURES failures lock the account for
    LOGIN_LOCK_MINUTES. Raises AppError with a message that does not reveal whether the
    account exists (except that an existing account is locked)."""
    ip = client_ip(request)
    now = timezone.now()
    if ip and _address_failures(ip, now) >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
        # guessing across many accounts from one address: counted from the audit log
        audit(
            None,
            "accounts.login.refused_address",
            None,
            changes={"username": username[:150]},
            ip=ip,
        )
        raise AppError(
            f"该地址登录失败次数过多，请{settings.LOGIN_LOCK_MINUTES}分钟后再试。", code="locked"
        )
    user = User.objects.filter(username=username).first()
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        audit(None, "accounts.login.refused_locked", user, ip=ip)
        raise AppError(f"该账号因连续登录失败已被锁定，请{minutes}分钟后再试。", code="locked")
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        if user is not None:
            with transaction.atomic():
                user.failed_logins += 1
                fields = ["failed_logins"]
                if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
                    user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
                    user.failed_logins = 0
                    fields.append("locked_until")
                    audit(None, "accounts.user.locked", user, ip=ip)
                user.save(update_fields=fields)
                audit(None, "accounts.login.failed", user, ip=ip)
        else:
            audit(None, "accounts.login.failed", None, changes={"username": username[:150]}, ip=ip)
        raise AppError("用户名或密码错误。", code="bad_credentials")
    with transaction.atomic():
        authed.previous_login_ip = authed.last_login_ip  # shown after sign-in
        authed.failed_logins = 0
        authed.locked_until = None
        authed.last_login_ip = ip
        authed.save(update_fields=["failed_logins", "locked_until", "last_login_ip"])
        audit(authed, "accounts.login.succeeded", authed, ip=ip)
    return authed


def _address_failures(ip: str, now) -> int:
    since = now - dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    return AuditEntry.objects.filter(action="accounts.login.failed", ip=ip, at__gte=since).count()


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@transaction.atomic
def user_create(*, actor, username: str, password: str, display_name: str = "", member=None):
    _require_account_manage(actor)
    if User.objects.filter(username=username).exists():
        raise AppError("该用户名已被使用。", field="username")
    user = User(username=username, display_name=display_name, member=member)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AppError("；".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit(actor, "accounts.user.created", user, changes={"username": username})
    return user


@transaction.atomic
def role_grant(*, actor, user: User, org, role: str) -> RoleGrant:
    _require_account_manage(actor, org.path)
    if role not in Role.values:
        raise AppError("未知的角色。", field="role")
    existing = RoleGrant.objects.filter(user=user, org=org, role=role, revoked_at__isnull=True)
    if existing.exists():
        raise AppError("该用户在此组织已有此角色。", field="role")
    grant = RoleGrant.objects.create(user=user, org=org, role=role, granted_by=actor)
    forget_grants(user)
    audit(
        actor,
        "accounts.grant.created",
        grant,
        org_path=org.path,
        changes={"user": user.username, "role": role, "org": org.pk},
    )
    return grant


@transaction.atomic
def role_revoke(*, actor, grant: RoleGrant) -> None:
    _require_account_manage(actor, grant.org.path)
    if grant.revoked_at is not None:
        raise AppError("该授权已撤销。")
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    forget_grants(grant.user)
    audit(
        actor,
        "accounts.grant.revoked",
        grant,
        org_path=grant.org.path,
        changes={"user": grant.user.username, "role": grant.role},
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the plain token, which is shown once and never stored."""
    if actor is not None and actor.pk != user.pk:
        _require_account_manage(actor)
    if not name.strip():
        raise AppError("请填写令牌用途。", field="name")
    plain = "dj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=plain[3:11], digest=token_digest(plain)
    )
    audit(actor, "accounts.token.created", token, changes={"user": user.username})
    return token, plain


def api_token_user(plain: str) -> User | None:
    """The active user a token belongs to, or None. Updates last use at most once a minute."""
    if not plain or not plain.startswith("dj_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(plain), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
