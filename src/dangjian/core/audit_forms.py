"""The auditor's search form over the audit log (its page and its export share it)."""

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput

#: common action prefixes, for the select (any prefix may be typed in the API)
ACTION_CHOICES = [
    ("", "全部操作"),
    ("accounts.login", "登录"),
    ("accounts.logout", "退出"),
    ("accounts.user", "账号（新建、锁定、停用）"),
    ("accounts.grant", "角色授权与撤销"),
    ("accounts.password", "密码修改与重置"),
    ("accounts.otp", "两步验证"),
    ("accounts.token", "接口令牌"),
    ("orgs.", "组织"),
    ("members.member", "党员信息"),
    ("members.import", "名册导入"),
    ("members.transfer", "组织关系转接"),
    ("members.roster.exported", "名册导出"),
    ("core.audit", "审计日志查阅与导出"),
    ("core.export", "导出文件下载"),
    ("api.", "接口（含频率限制）"),
]


class PrefixChoiceField(forms.ChoiceField):
    """A select of the common prefixes that also takes any other action-code prefix typed in
    the address (e.g. ?action=orgs.org.updated)."""

    def valid_value(self, value):
        return len(value) <= 100 and all(c.isalnum() or c in "._" for c in value)


class AuditFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="操作人或对象", required=False, max_length=100)
    action = PrefixChoiceField(label="操作", required=False, choices=ACTION_CHOICES)
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput())
    ip = forms.GenericIPAddressField(label="来源地址", required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data

    def filters(self) -> dict:
        """The selector's keyword arguments (valid fields only)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": (data.get("q") or "").strip(),
            "action": data.get("action") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "ip": data.get("ip") or "",
        }
