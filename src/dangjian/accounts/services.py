"""Account write paths: sign-in with lockout and two-factor codes, passwords (history,
expiry, resets), role grants, API tokens. All audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from base64 import b32encode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.models import ApiToken, PasswordHistory, RoleGrant, User
from dangjian.core.access import can, deny, forget_grants, has_cap_anywhere, roles_of
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.core.permissions import SEPARATED_ROLES, Cap, Role


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


SEPARATED_GRANT_REFUSED = (
    "系统管理员、安全管理员、审计员的授权和撤销由运维人员在服务器上用 "
    "dangjian create_admin / revoke_admin 办理（三员分立）。"
)
SEPARATED_ACCOUNT_REFUSED = (
    "系统管理员、安全管理员、审计员的账号（重置密码、重置双因素登录、解锁、停用、启用、修改）"
    "由运维人员在服务器上用 dangjian reset_admin / revoke_admin 办理，不在系统内操作（三员分立）。"
)


def holds_separated_role(user: User) -> bool:
    """Does the account hold an active system administrator, security administrator or
    auditor grant? Read from the database, not from the per-request grant cache."""
    return RoleGrant.objects.filter(
        user=user, role__in=SEPARATED_ROLES, revoked_at__isnull=True
    ).exists()


def refuse_separated_account(actor, user: User) -> None:
    """三员分立: the credentials and state of a separated account are changed only by the
    operator on the server (`actor=None`), never by an account through the product — or the
    security administrator could reset the auditor's password and sign in as him. (Its holder
    still changes his own password, and turns his own authenticator over, on his own pages.)"""
    if actor is not None and holds_separated_role(user):
        raise AppError(SEPARATED_ACCOUNT_REFUSED, field="user")


def login_check(request, username: str, password: str) -> User:
    """The password step of signing in, with lockout: LOGIN_MAX_FAILURES failures lock the
    account for LOGIN_LOCK_MINUTES. Raises AppError with a message that does not reveal
    whether the account exists (except that an existing account is locked). A success is
    recorded by `login_complete`, after the second factor when the user has one."""
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
    if user is not None:
        _refuse_if_locked(user, ip, now)
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        if user is not None:
            _record_failure(user, ip, now, "accounts.login.failed")
        else:
            audit(None, "accounts.login.failed", None, changes={"username": username[:150]}, ip=ip)
        raise AppError("用户名或密码错误。", code="bad_credentials")
    return authed


def _refuse_if_locked(user: User, ip, now) -> None:
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        audit(None, "accounts.login.refused_locked", user, ip=ip)
        raise AppError(f"该账号因连续登录失败已被锁定，请{minutes}分钟后再试。", code="locked")


def _record_failure(user: User, ip, now, action: str) -> bool:
    """One failed password or code: counts toward the lock. True when it locked the account."""
    with transaction.atomic():
        # the count in the database, locked: `user` was read before the slow hash, and a
        # simultaneous failure may have counted since
        fresh = (
            User.objects.select_for_update()
            .only("pk", "failed_logins", "locked_until")
            .get(pk=user.pk)
        )
        failures = fresh.failed_logins + 1
        locked = failures >= settings.LOGIN_MAX_FAILURES
        changes = {"failed_logins": 0 if locked else failures}
        if locked:
            changes["locked_until"] = now + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        User.objects.filter(pk=user.pk).update(**changes)
        for name, value in changes.items():
            setattr(user, name, value)
        if locked:
            audit(None, "accounts.user.locked", user, ip=ip)
        audit(None, action, user, ip=ip)
    return locked


@transaction.atomic
def login_complete(request, user: User, *, device=None) -> None:
    """Record a complete sign-in (password, and code when the user has a device): resets the
    failure count, remembers the address; `user.previous_login_ip` is shown after sign-in."""
    ip = client_ip(request)
    user.previous_login_ip = user.last_login_ip
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_ip = ip
    user.save(update_fields=["failed_logins", "locked_until", "last_login_ip"])
    audit(user, "accounts.login.succeeded", user, changes={"otp": device is not None}, ip=ip)


def _address_failures(ip: str, now) -> int:
    since = now - dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    return AuditEntry.objects.filter(
        action__in=["accounts.login.failed", "accounts.otp.failed"], ip=ip, at__gte=since
    ).count()


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@transaction.atomic
def user_create(*, actor, username: str, password: str, display_name: str = "", member=None):
    """A new account; its first password is set by an administrator, so the user must
    change it at the first sign-in."""
    _require_account_manage(actor)
    if User.objects.filter(username=username).exists():
        raise AppError("该用户名已被使用。", field="username")
    user = User(username=username, display_name=display_name, member=member)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AppError("；".join(exc.messages), field="password") from None
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save()
    audit(actor, "accounts.user.created", user, changes={"username": username})
    return user


# --- passwords: history, expiry, changes and resets (等保 身份鉴别) ---------------------------


def password_set(
    *,
    actor,
    user: User,
    new_password: str,
    must_change: bool = False,
    current_password: str | None = None,
    ip: str | None = None,
) -> User:
    """Set a user's password. By the user himself ("accounts.password.changed"): he must
    give his current password. By a security administrator or the system
    ("accounts.password.reset"): an administrator's reset always makes the user change it at
    the next sign-in. The new password passes AUTH_PASSWORD_VALIDATORS, which include the
    history rule (not one of the last PASSWORD_HISTORY_COUNT); the old hash joins the
    history.

    A wrong current password counts like a failed sign-in (the same counter and lock, audited
    "accounts.password.failed"): a session left open is no way round the lockout. It is
    recorded outside the transaction of the change, which it refuses; AppError code "locked"
    tells the page to sign the session out."""
    own = actor is not None and actor.pk == user.pk
    if own:
        _check_current_password(user, current_password, ip)
    else:
        _require_account_manage(actor)
        refuse_separated_account(actor, user)
        if actor is not None:
            must_change = True
    with transaction.atomic():
        return _password_write(actor, user, new_password, must_change, own, ip)


def _check_current_password(user: User, current_password: str | None, ip) -> None:
    now = timezone.now()
    user.refresh_from_db(fields=["password", "failed_logins", "locked_until"])
    _refuse_if_locked(user, ip, now)
    if current_password and check_password(current_password, user.password):
        return
    if _record_failure(user, ip, now, "accounts.password.failed"):
        raise AppError(
            f"当前密码连续输入错误，账号已被锁定，请{settings.LOGIN_LOCK_MINUTES}分钟后再登录。",
            field="current_password",
            code="locked",
        )
    raise AppError("当前密码不正确。", field="current_password")


def _password_write(actor, user: User, new_password: str, must_change: bool, own: bool, ip):
    if not new_password:
        raise AppError("请输入新密码。", field="new_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise AppError("；".join(exc.messages), field="new_password") from None
    _remember_password(user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = bool(must_change)
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit(
        actor,
        "accounts.password.changed" if own else "accounts.password.reset",
        user,
        changes={"must_change_password": user.must_change_password},
        ip=ip,
    )
    return user


_DB_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete the user's sessions, but the one with the key `keep` (the one making the
    change). Used when an account is disabled and when its second factor changes: a session
    opened before the change would otherwise go on without the code (the sign-in gate
    remembers per session whether the user had a device)."""
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in _DB_SESSION_ENGINES:
        return 0
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.session_key != keep and s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def _remember_password(user: User) -> None:
    """Keep the hash being replaced; with the current one it makes the last
    PASSWORD_HISTORY_COUNT passwords, so only COUNT - 1 old hashes are kept."""
    keep = max(settings.PASSWORD_HISTORY_COUNT - 1, 0)
    if keep and user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, encoded=user.password)
    stale = list(
        PasswordHistory.objects.filter(user=user)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[keep:]
    )
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()


def password_expires_at(user: User):
    """When the password expires, or None when passwords never expire (max age 0). A user
    whose change time is unknown counts from the day the account was made."""
    if settings.PASSWORD_MAX_AGE_DAYS <= 0:
        return None
    since = user.password_changed_at or user.date_joined
    return since + dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def password_change_reason(user: User, now=None) -> str:
    """Why the user must change his password before anything else ("" when he need not)."""
    if user.must_change_password:
        return "首次登录或密码已被重置，请先设置新密码。"
    expires = password_expires_at(user)
    if expires is not None and expires <= (now or timezone.now()):
        return f"您的密码已超过{settings.PASSWORD_MAX_AGE_DAYS}天未修改，请先设置新密码。"
    return ""


def password_days_left(user: User, now=None) -> int | None:
    """Whole days (rounded up) until the password expires; None when it never does."""
    expires = password_expires_at(user)
    if expires is None:
        return None
    return math.ceil((expires - (now or timezone.now())).total_seconds() / 86400)


# --- two-factor sign-in (TOTP) -----------------------------------------------------------


OTP_PENDING_SECONDS = 5 * 60  # between the password and the code at sign-in


def otp_required_for(user: User) -> bool:
    return bool(settings.OTP_REQUIRED) and bool(roles_of(user) & set(settings.OTP_REQUIRED_ROLES))


def otp_device_of(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any (one per user)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def otp_secret(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an authenticator app."""
    plain = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(plain[i : i + 4] for i in range(0, len(plain), 4))


@transaction.atomic
def otp_enrolment_start(*, actor: User, ip: str | None = None) -> TOTPDevice:
    """The unconfirmed device the actor is setting up (the same one until he confirms it)."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=actor, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="身份验证器", confirmed=False)
        audit(actor, "accounts.otp.enrolment_started", actor, ip=ip)
    return device


@transaction.atomic
def otp_enrol_confirm(
    *, actor: User, device: TOTPDevice, code: str, ip=None, keep_session: str | None = None
) -> TOTPDevice:
    """Confirm the device with a code from the authenticator; it replaces any older one. The
    user's other sessions end (all but `keep_session`): they were opened without a code."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=actor).first()
    if device is None or device.confirmed:
        raise AppError("该设置已失效，请刷新页面重新扫描二维码。", field="code")
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == device.digits):
        raise AppError(f"请输入身份验证器显示的{device.digits}位数字验证码。", field="code")
    if not device.verify_token(code):
        raise AppError("验证码不正确，请核对手机时间后重试。", field="code")
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    ended = end_sessions(actor, keep=keep_session)
    audit(actor, "accounts.otp.enrolled", actor, changes={"sessions_ended": ended}, ip=ip)
    return device


@transaction.atomic
def otp_remove(*, actor: User, ip: str | None = None) -> None:
    """The user turns two-factor sign-in off, unless his role requires it."""
    if otp_required_for(actor):
        raise AppError("您的角色要求启用两步验证，不能关闭。")
    deleted, _ = TOTPDevice.objects.filter(user=actor).delete()
    if not deleted:
        raise AppError("您尚未启用两步验证。")
    audit(actor, "accounts.otp.removed", actor, ip=ip)


@transaction.atomic
def otp_reset(*, actor, user: User, ip: str | None = None) -> None:
    """A security administrator removes a user's authenticator (a lost phone); the user sets
    up a new one at his next sign-in when his role requires it."""
    _require_account_manage(actor)
    if actor is not None and actor.pk == user.pk:
        raise AppError("不能重置自己的两步验证，请由另一位安全管理员操作。", field="user")
    refuse_separated_account(actor, user)
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    ended = end_sessions(user)
    audit(
        actor,
        "accounts.otp.reset",
        user,
        changes={"devices": deleted, "sessions_ended": ended},
        ip=ip,
    )


def otp_check(request, user: User, code: str) -> TOTPDevice:
    """The second step of signing in (or of verifying a session): the code from the user's
    device. A wrong code counts toward the same lock as a wrong password, and so does a code
    sent while the device still throttles after a wrong one (1, 2, 4… seconds)."""
    ip = client_ip(request)
    now = timezone.now()
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    _refuse_if_locked(user, ip, now)
    code = (code or "").strip().replace(" ", "")
    message = "验证码不正确。"
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise AppError("该账号未启用两步验证，请重新登录。", code="no_device")
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            message = "验证码尝试过于频繁，请稍等几秒再试。"
        elif code.isdigit() and len(code) == device.digits and device.verify_token(code):
            return device
    if _record_failure(user, ip, now, "accounts.otp.failed"):
        raise AppError(
            f"该账号因连续登录失败已被锁定，请{settings.LOGIN_LOCK_MINUTES}分钟后再试。",
            code="locked",
        )
    raise AppError(message, field="code", code="bad_code")


@transaction.atomic
def role_grant(*, actor, user: User, org, role: str) -> RoleGrant:
    """Grant `role` on `org`. The separated roles (三员分立) only by the operator on the server
    (`actor=None`: `dangjian create_admin`); no account holds one beside any other role."""
    # the account's row, locked: two simultaneous grants to an account with no grant yet
    # would both pass separation_conflict, which can lock only existing grants
    User.objects.select_for_update().filter(pk=user.pk).first()
    _require_account_manage(actor, org.path)
    if role not in Role.values:
        raise AppError("未知的角色。", field="role")
    if actor is not None and role in SEPARATED_ROLES:
        raise AppError(SEPARATED_GRANT_REFUSED, field="role")
    if actor is not None and actor.pk == user.pk:
        raise AppError("不能为自己授权。", field="user")
    existing = RoleGrant.objects.filter(user=user, org=org, role=role, revoked_at__isnull=True)
    if existing.exists():
        raise AppError("该用户在此组织已有此角色。", field="role")
    separation_problem = separation_conflict(user, role)
    if separation_problem:
        raise AppError(separation_problem, field="role")
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


def separation_conflict(user: User, role: str) -> str:
    """三员分立: why `user` may not also hold `role`, or "" when it may. An account holding
    the system administrator, security administrator or auditor role holds no other role."""
    held = set(
        RoleGrant.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True)
        .values_list("role", flat=True)
    )
    others = held - {role}
    if not others:
        return ""
    if role in SEPARATED_ROLES or others & SEPARATED_ROLES:
        label = Role(role).label
        have = "、".join(sorted(Role(r).label for r in others))
        return (
            f"三员分立：该账号已有“{have}”角色，不能再授予“{label}”。"
            "系统管理员、安全管理员、审计员须由不同账号担任，且不兼任其他角色。"
        )
    return ""


@transaction.atomic
def role_revoke(*, actor, grant: RoleGrant) -> None:
    """Revoke a grant; one of a separated role only by the operator (`dangjian revoke_admin`)."""
    _require_account_manage(actor, grant.org.path)
    if actor is not None and grant.role in SEPARATED_ROLES:
        raise AppError(SEPARATED_GRANT_REFUSED, field="role")
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
        refuse_separated_account(actor, user)
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
