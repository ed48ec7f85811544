from django import forms

from dangjian.core.forms import BootstrapMixin
from dangjian.core.permissions import SEPARATED_ROLES, Role

MEMBER_LINK_HELP = (
    "账号与党员的对应关系属于党员信息，由持有党员管理权限（member.manage）的人员办理，"
    "不在本页设置（三员分立：安全管理员不接触业务数据）。"
)

# 三员分立: the separated roles are granted by the operator on the server, never here
GRANTABLE_ROLES = [(value, label) for value, label in Role.choices if value not in SEPARATED_ROLES]


class UserCreateForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(
        label="姓名", max_length=50, required=False, help_text=MEMBER_LINK_HELP
    )


class UserEditForm(BootstrapMixin, forms.Form):
    display_name = forms.CharField(
        label="姓名", max_length=50, required=False, help_text=MEMBER_LINK_HELP
    )


class GrantForm(BootstrapMixin, forms.Form):
    org = forms.TypedChoiceField(label="组织", coerce=int)
    role = forms.ChoiceField(
        label="角色",
        choices=GRANTABLE_ROLES,
        error_messages={
            "invalid_choice": "请从列表中选择角色。系统管理员、安全管理员、审计员由运维人员在"
            "服务器上用 dangjian create_admin 授权（三员分立）。"
        },
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = list(orgs)


class DisableForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="停用原因", max_length=200)
