"""The security administrator's write paths (三员分立): open, edit, disable and enable
accounts, unlock them, reset their passwords. Grants are `services.role_grant` /
`services.role_revoke`. Every function needs `account.manage` over the account (see
`selectors.user_in_scope`) and writes one audit entry in its transaction.

An account holding a separated role (system administrator, security administrator, auditor)
is not managed here by anyone: the operator resets it on the server (`dangjian reset_admin`,
`separated_account_reset` below, with `actor=None`). The member an account stands for is
not set here either: that link is business data, for whoever holds member.manage."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts import selectors, services
from dangjian.accounts.models import User
from dangjian.core.access import deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError

# Temporary passwords: no look-alike characters (0/O, 1/l/I), since they are read off the
# screen and typed in; one of each class guarantees the complexity rule.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "@#%+=?!-"
TEMPORARY_PASSWORD_LENGTH = 14


def _require_manage_user(actor, user: User) -> None:
    services._require_account_manage(actor)
    if not selectors.user_in_scope(actor, user):
        raise deny()
    services.refuse_separated_account(actor, user)


def temporary_password(user: User | None = None) -> str:
    """A random password that meets the password validators (all four character classes,
    TEMPORARY_PASSWORD_LENGTH characters)."""
    rng = secrets.SystemRandom()
    for _ in range(20):
        chars = [secrets.choice(c) for c in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)]
        pool = _UPPER + _LOWER + _DIGITS + _SYMBOLS
        chars += [secrets.choice(pool) for _ in range(TEMPORARY_PASSWORD_LENGTH - len(chars))]
        rng.shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user)
        except ValidationError:
            continue  # e.g. it happened to contain the user name
        return password
    raise RuntimeError("could not generate a temporary password that meets the validators")


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise AppError("请填写用户名。", field="username")
    if len(username) > 150:
        raise AppError("用户名不能超过150个字符。", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise AppError(
            "用户名只能包含字母、数字和 @ . + - _ 这些字符。", field="username"
        ) from None
    return username


def _clean_display_name(display_name: str) -> str:
    display_name = (display_name or "").strip()
    if len(display_name) > 50:
        raise AppError("姓名不能超过50个字符。", field="display_name")
    return display_name


@transaction.atomic
def user_create_with_temporary_password(
    *, actor, username: str, display_name: str = ""
) -> tuple[User, str]:
    """Open an account with a random temporary password, returned to be shown once; the
    holder must change it at the first sign-in (`services.user_create` sees to that)."""
    services._require_account_manage(actor)
    username = _clean_username(username)
    display_name = _clean_display_name(display_name)
    password = temporary_password(User(username=username, display_name=display_name))
    user = services.user_create(
        actor=actor,
        username=username,
        password=password,
        display_name=display_name,
    )
    return user, password


@transaction.atomic
def user_update(*, actor, user: User, display_name: str, ip: str | None = None) -> User:
    """The account's display name. Not its member link: the security administrator sees no
    business data, and a link would show him the member's record on his home page."""
    _require_manage_user(actor, user)
    fields = ["display_name"]
    before = snapshot(user, fields)
    user.display_name = _clean_display_name(display_name)
    changes = diff(before, snapshot(user, fields))
    if changes:
        user.save(update_fields=fields)
        audit(actor, "accounts.user.updated", user, changes=changes, ip=ip)
    return user


@transaction.atomic
def user_set_active(
    *, actor, user: User, active: bool, reason: str = "", ip: str | None = None
) -> User:
    """Disable (停用) or enable (启用) an account. Disabling ends all its sessions; nobody
    disables their own account."""
    _require_manage_user(actor, user)
    reason = (reason or "").strip()
    if not active and actor is not None and actor.pk == user.pk:
        raise AppError("不能停用自己的账号。", field="active")
    if user.is_active == active:
        raise AppError("该账号已启用。" if active else "该账号已停用。", field="active")
    if not active and not reason:
        raise AppError("请填写停用原因。", field="reason")
    if len(reason) > 200:
        raise AppError("原因不能超过200个字符。", field="reason")
    user.is_active = active
    user.save(update_fields=["is_active"])
    changes = {"is_active": [not active, active], "reason": reason}
    if not active:
        changes["sessions_ended"] = services.end_sessions(user)
    audit(
        actor,
        "accounts.user.enabled" if active else "accounts.user.disabled",
        user,
        changes=changes,
        ip=ip,
    )
    return user


@transaction.atomic
def user_unlock(*, actor, user: User, ip: str | None = None) -> User:
    """Lift a lockout after failed sign-ins (the per-address limit lapses by itself)."""
    _require_manage_user(actor, user)
    before = snapshot(user, ["locked_until", "failed_logins"])
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit(
        actor,
        "accounts.user.unlocked",
        user,
        changes=diff(before, snapshot(user, list(before))),
        ip=ip,
    )
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User, ip: str | None = None) -> str:
    """Give the account a random temporary password, returned to be shown once to the
    administrator; the holder must change it at the next sign-in. Written by the password
    policy's own path (`services.password_set`: history, change time, the audit entry
    "accounts.password.reset"). The lockout is not lifted (that is `user_unlock`)."""
    _require_manage_user(actor, user)
    password = temporary_password(user)
    services.password_set(actor=actor, user=user, new_password=password, must_change=True, ip=ip)
    return password


def user_otp_reset(*, actor, user: User, ip: str | None = None) -> None:
    """Remove the account's second factor so that its holder enrols again (a lost phone).
    Written by `services.otp_reset` (audited "accounts.otp.reset")."""
    _require_manage_user(actor, user)
    services.otp_reset(actor=actor, user=user, ip=ip)


@transaction.atomic
def separated_account_reset(*, user: User, ip: str | None = None) -> str:
    """The operator's reset of an account holding a separated role (`dangjian reset_admin`,
    `actor=None`): a temporary password, returned to be printed once and changed at the next
    sign-in; its authenticators removed (enrolled again at that sign-in); the lockout lifted;
    its sessions ended. Each step writes its own audit entry."""
    password = temporary_password(user)
    services.password_set(actor=None, user=user, new_password=password, must_change=True, ip=ip)
    services.otp_reset(actor=None, user=user, ip=ip)
    user_unlock(actor=None, user=user, ip=ip)
    services.end_sessions(user)
    return password
