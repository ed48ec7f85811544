import re

from django.core.exceptions import ValidationError


class LettersAndDigitsValidator:
    """Passwords must mix letters and digits (issue #2; 等保 level 3 tightens it in #4)."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_no_mix")

    def get_help_text(self):
        return "密码至少8位，必须同时包含字母和数字。"
