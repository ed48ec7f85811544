from django.contrib.auth.models import AbstractUser
from django.db import models

from dangjian.core.permissions import Role


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name="对应党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    last_login_ip = models.GenericIPAddressField("上次登录地址", null=True, blank=True)
    # password policy (#4): a new or reset password must be changed at the next sign-in, and
    # every password expires after settings.PASSWORD_MAX_AGE_DAYS
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role granted on an org; it covers the org's whole subtree. Revoked grants are kept."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    granted_by = models.ForeignKey(
        User,
        verbose_name="授权人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        indexes = [models.Index(fields=["user", "revoked_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_grant_per_user_org_role",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} @ {self.org_id}"


class ApiToken(models.Model):
    """A token for other systems calling the API. Only a SHA-256 digest is stored."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    digest = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class PasswordHistory(models.Model):
    """The hashes of a user's previous passwords: a new password may not repeat one of the
    last settings.PASSWORD_HISTORY_COUNT (等保 身份鉴别). Only hashes are kept."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history"
    )
    encoded = models.CharField("密码摘要", max_length=256)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"
