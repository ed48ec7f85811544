"""Reads of accounts for the security administrator's pages (三员分立): accounts, their grants,
their second factors, and the findings of the separation report. No business data: an
account's member link is shown by its number only, and is not set here.

Accounts are not tree-owned, but an administrator whose `account.manage` covers a subtree only
manages the accounts whose every active grant lies in that subtree (an account with no grant
at all belongs to nobody yet and is managed by any security administrator)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.access import can, deny, has_cap_anywhere, scope_q
from dangjian.core.errors import AppError
from dangjian.core.permissions import SEPARATED_ROLES, Cap, Role
from dangjian.orgs.models import Org

# the grant form's organisation choices; a larger tree is refused with a message on the page
# rather than cut (a cut list would hide orgs without saying so)
MAX_ORG_CHOICES = 5000


def _out_of_scope_grants(actor):
    """Active grants on orgs outside the actor's account.manage subtrees."""
    return RoleGrant.objects.filter(revoked_at__isnull=True).exclude(
        scope_q(actor, Cap.ACCOUNT_MANAGE, "org__path")
    )


def user_in_scope(actor, user: User) -> bool:
    """May `actor` manage `user`? `actor=None` is the system itself."""
    if actor is None:
        return True
    if not has_cap_anywhere(actor, Cap.ACCOUNT_MANAGE):
        return False
    paths = RoleGrant.objects.filter(user=user, revoked_at__isnull=True).values_list(
        "org__path", flat=True
    )
    return all(can(actor, Cap.ACCOUNT_MANAGE, p) for p in paths)


def access_account(actor, user_id) -> User:
    """The account with this id if `actor` manages it; 404 otherwise (also for a bad id)."""
    if not has_cap_anywhere(actor, Cap.ACCOUNT_MANAGE):
        raise deny()
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise deny() from None
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user_in_scope(actor, user):
        raise deny()
    return user


def access_grant(user: User, grant_id) -> RoleGrant:
    """A grant of `user` (an account already obtained through access_account); 404 for
    another account's grant."""
    try:
        grant_id = int(grant_id)
    except (TypeError, ValueError):
        raise deny() from None
    grant = RoleGrant.objects.select_related("org", "user").filter(pk=grant_id, user=user).first()
    if grant is None:
        raise deny()
    return grant


def account_list(actor, *, q: str = "", role: str = "", locked: bool = False, disabled=None):
    """The accounts `actor` manages, filtered. `disabled`: None for all, True for disabled
    only, False for active only."""
    qs = User.objects.exclude(Exists(_out_of_scope_grants(actor).filter(user=OuterRef("pk"))))
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role:
        qs = qs.filter(
            Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role=role, revoked_at=None))
        )
    if locked:
        qs = qs.filter(locked_until__gt=timezone.now())
    if disabled is not None:
        qs = qs.filter(is_active=not disabled)
    return qs.order_by("username")


@dataclass
class AccountRow:
    user: User
    grants: list = field(default_factory=list)
    otp_enrolled: bool = False

    @property
    def separated(self) -> bool:
        """Holds a separated role: managed only by the operator on the server (三员分立)."""
        return any(g.role in SEPARATED_ROLES for g in self.grants)

    @property
    def locked(self) -> bool:
        return bool(self.user.locked_until and self.user.locked_until > timezone.now())

    @property
    def password_age_days(self) -> int | None:
        changed = self.user.password_changed_at
        return None if changed is None else (timezone.now() - changed).days


def account_rows(users: list[User]) -> list[AccountRow]:
    """Per-row extras for one page of accounts, in two queries whatever the page size."""
    ids = [u.pk for u in users]
    grants: dict[int, list] = {}
    for g in (
        RoleGrant.objects.filter(user_id__in=ids, revoked_at__isnull=True)
        .select_related("org")
        .order_by("org__path", "role")
    ):
        grants.setdefault(g.user_id, []).append(g)
    enrolled = set(
        TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    )
    return [AccountRow(u, grants.get(u.pk, []), u.pk in enrolled) for u in users]


def account_grants(user: User) -> list[RoleGrant]:
    """All grants of an account, active first, with who granted them."""
    return list(
        RoleGrant.objects.filter(user=user)
        .select_related("org", "granted_by")
        .order_by("revoked_at", "-granted_at")
    )


def otp_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def grant_org_choices(actor) -> list[tuple[int, str]]:
    """(id, indented name) of the active orgs on which `actor` may grant roles. Org names
    only: the security administrator sees the tree's names, never its members."""
    rows = list(
        Org.objects.visible_to(actor, Cap.ACCOUNT_MANAGE)
        .filter(dissolved_on__isnull=True)
        .order_by("path")
        .values_list("pk", "name", "depth")[: MAX_ORG_CHOICES + 1]
    )
    if len(rows) > MAX_ORG_CHOICES:
        raise AppError(
            f"可授权的组织过多（超过{MAX_ORG_CHOICES}个），无法在一个列表中选择。"
            "请由运维人员在服务器上授权，或联系开发人员为授权表单增加组织搜索。",
            field="org",
        )
    return [(pk, f"{'　' * depth}{name}") for pk, name, depth in rows]


# --- 三员分立 findings ------------------------------------------------------------------------


@dataclass
class SeparationFinding:
    kind: str  # "separation" | "superuser"
    user: User
    roles: list[str]
    message: str


def separation_report() -> list[SeparationFinding]:
    """Accounts that break 三员分立: one holding a separated role (system administrator,
    security administrator, auditor) together with any other active role (possible only in
    data written before role_grant refused it), and active Django superusers, which bypass
    the separation and must not be used in normal operation."""
    holders = RoleGrant.objects.filter(revoked_at__isnull=True, role__in=SEPARATED_ROLES).values(
        "user_id"
    )
    roles_by_user: dict[int, set[str]] = {}
    for user_id, role in (
        RoleGrant.objects.filter(revoked_at__isnull=True, user_id__in=holders)
        .values_list("user_id", "role")
        .distinct()
    ):
        roles_by_user.setdefault(user_id, set()).add(role)
    mixed = {uid: roles for uid, roles in roles_by_user.items() if len(roles) > 1}
    superusers = list(User.objects.filter(is_superuser=True, is_active=True).order_by("username"))
    users = {u.pk: u for u in User.objects.filter(pk__in=mixed).order_by("username")}
    findings = []
    for uid, user in users.items():
        labels = sorted(Role(r).label for r in mixed[uid])
        findings.append(
            SeparationFinding(
                "separation",
                user,
                labels,
                f"三员分立：账号同时持有“{'、'.join(labels)}”角色。"
                "系统管理员、安全管理员、审计员须由不同账号担任，且不兼任其他角色；请撤销多余的授权。",
            )
        )
    for user in superusers:
        findings.append(
            SeparationFinding(
                "superuser",
                user,
                sorted(Role(r).label for r in roles_by_user.get(user.pk, ())),
                "该账号是 Django 超级用户，可绕过三员分立和全部权限检查；"
                "日常运行不得使用，请停用该账号或取消其超级用户身份。",
            )
        )
    return findings


# --- the effective security policy ------------------------------------------------------------


@dataclass
class PolicyItem:
    topic: str
    name: str
    value: str
    basis: str


def _validator_option(suffix: str, option: str, default):
    for v in settings.AUTH_PASSWORD_VALIDATORS:
        if v["NAME"].endswith(suffix):
            return v.get("OPTIONS", {}).get(option, default)
    return None


def security_policy() -> list[PolicyItem]:
    """The policy in force, read from the settings, each item with the control it meets."""
    s = settings
    auth_a = "GB/T 22239-2019 8.1.4.1 身份鉴别 a)"
    auth_b = "GB/T 22239-2019 8.1.4.1 身份鉴别 b)"
    min_length = _validator_option("MinimumLengthValidator", "min_length", 8)
    classes = _validator_option("CharacterClassesValidator", "min_classes", 3)
    otp_roles = "、".join(Role(r).label for r in s.OTP_REQUIRED_ROLES if r in Role.values)
    max_age = s.PASSWORD_MAX_AGE_DAYS
    return [
        PolicyItem(
            "身份鉴别", "口令最小长度", f"{min_length} 位" if min_length else "未启用", auth_a
        ),
        PolicyItem(
            "身份鉴别",
            "口令复杂度",
            f"大写字母、小写字母、数字、符号中至少 {classes} 类" if classes else "未启用",
            auth_a,
        ),
        PolicyItem("身份鉴别", "口令不得包含用户名", "启用", auth_a),
        PolicyItem(
            "身份鉴别",
            "不得重复使用的历史口令",
            f"最近 {s.PASSWORD_HISTORY_COUNT} 个",
            auth_a,
        ),
        PolicyItem(
            "身份鉴别",
            "口令有效期（定期更换）",
            f"{max_age} 天，到期须修改" if max_age else "不过期",
            auth_a,
        ),
        PolicyItem("身份鉴别", "首次登录及重置后须修改口令", "启用（临时口令只显示一次）", auth_a),
        PolicyItem(
            "身份鉴别",
            "登录失败锁定（按账号）",
            f"连续失败 {s.LOGIN_MAX_FAILURES} 次，锁定 {s.LOGIN_LOCK_MINUTES} 分钟",
            auth_b,
        ),
        PolicyItem(
            "身份鉴别",
            "登录失败限制（按来源地址）",
            f"{s.LOGIN_LOCK_MINUTES} 分钟内失败 {s.LOGIN_MAX_FAILURES_PER_ADDRESS} 次，"
            f"该地址暂停登录 {s.LOGIN_LOCK_MINUTES} 分钟",
            auth_b,
        ),
        PolicyItem(
            "身份鉴别",
            "会话空闲超时",
            f"{s.SESSION_COOKIE_AGE // 60} 分钟无操作自动退出",
            auth_b,
        ),
        PolicyItem(
            "身份鉴别",
            "双因素登录（口令 + 动态口令 TOTP）",
            (f"必须：{otp_roles}；其他角色可选" if s.OTP_REQUIRED else "未强制（所有角色可选）"),
            "GB/T 22239-2019 8.1.4.1 身份鉴别 d)",
        ),
        PolicyItem(
            "访问控制",
            "三员分立",
            "系统管理员、安全管理员、审计员由不同账号担任，且不兼任其他角色；"
            "不使用 Django 超级用户",
            "GB/T 22239-2019 8.1.4.2 访问控制 d)、8.1.5 安全管理中心",
        ),
        PolicyItem(
            "访问控制",
            "多余、过期账号",
            "由安全管理员停用；停用即结束其全部会话",
            "GB/T 22239-2019 8.1.4.2 访问控制 c)",
        ),
        PolicyItem(
            "安全审计",
            "审计日志保存期",
            f"不少于 {s.AUDIT_RETENTION_DAYS} 天；产品内不可删除，摘要链防篡改",
            "《网络安全法》第二十一条；GB/T 22239-2019 8.1.4.3 安全审计 c)",
        ),
        PolicyItem(
            "入侵防范",
            "接口调用频率限制",
            f"每个调用方每分钟 {s.API_RATE_LIMIT_PER_MINUTE} 次，超出返回 429",
            "GB/T 22239-2019 8.1.4.4 入侵防范",
        ),
    ]
