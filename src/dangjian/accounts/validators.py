import re

from django.core.exceptions import ValidationError

CLASSES = (
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"\d"), "数字"),
    (re.compile(r"[^A-Za-z0-9]"), "符号"),
)


class CharacterClassesValidator:
    """等保 level 3 password complexity: at least three of upper-case letters, lower-case
    letters, digits and symbols (issue #4; issue #2 asked only for letters and digits)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for pattern, _ in CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_classes"
            )

    def get_help_text(self):
        return "密码至少8位，须包含大写字母、小写字母、数字、符号中的至少三类，且不能含用户名。"


class NotUsernameValidator:
    """A password must not contain the account's user name (in any case)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_has_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


class NotRecentlyUsedValidator:
    """A new password may not be one of the last PASSWORD_HISTORY_COUNT passwords, the
    current one included (等保 身份鉴别). Compares against the stored hashes only; the
    history itself is kept by `accounts.services.password_set`."""

    def __init__(self, count: int | None = None):
        self._count = count

    @property
    def count(self) -> int:
        from django.conf import settings

        return self._count if self._count is not None else settings.PASSWORD_HISTORY_COUNT

    def validate(self, password, user=None):
        if user is None or self.count <= 0:
            return
        if self._matches(password, user):
            raise ValidationError(
                f"新密码不能与最近{self.count}次使用过的密码相同。", code="password_reused"
            )

    def _matches(self, password, user) -> bool:
        from django.contrib.auth.hashers import check_password

        if user.password and user.has_usable_password() and check_password(password, user.password):
            return True
        if user.pk is None or self.count <= 1:
            return False
        from dangjian.accounts.models import PasswordHistory

        previous = (
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-pk")
            .values_list("encoded", flat=True)[: self.count - 1]
        )
        return any(check_password(password, encoded) for encoded in previous)

    def get_help_text(self):
        return f"新密码不能与最近{self.count}次使用过的密码相同。"
