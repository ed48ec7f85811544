from django import forms
from django.conf import settings

from dangjian.core.forms import BootstrapMixin


class PasswordChangeForm(BootstrapMixin, forms.Form):
    current_password = forms.CharField(
        label="当前密码",
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="新密码",
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="再次输入新密码",
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = (
            "至少8位，须包含大写字母、小写字母、数字、符号中的至少三类，不能含用户名，"
            f"且不能与最近{settings.PASSWORD_HISTORY_COUNT}次使用过的密码相同。"
        )

    def clean(self):
        data = super().clean()
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "两次输入的新密码不一致。")
        return data


class CodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError("验证码应为6位数字。")
        return code
