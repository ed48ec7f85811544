"""The member form: the national form's items in their order (R-INFO-01), then the rest."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.members.models import (
    AbroadPurpose,
    Category,
    Employment,
    Sex,
    Standing,
    SuspensionGround,
)
from dangjian.rules import codes

YES_NO = [("0", "否"), ("1", "是")]


def _choices(table) -> list[tuple[str, str]]:
    return [("", "请选择"), *[(code, f"{code} {label}") for code, label in table]]


class MemberForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=[("", "请选择"), *Sex.choices])
    ethnicity = forms.ChoiceField(label="民族", choices=_choices(codes.ETHNICITIES), initial="01")
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    birth_date = forms.DateField(label="出生日期", widget=DateInput())
    education = forms.ChoiceField(label="学历", choices=_choices(codes.EDUCATION))
    category = forms.ChoiceField(label="人员类别", choices=[("", "请选择"), *Category.choices])
    branch = forms.TypedChoiceField(label="所在党支部", coerce=int)
    joined_on = forms.DateField(label="加入党组织日期", widget=DateInput())
    converted_on = forms.DateField(label="转为正式党员日期", widget=DateInput(), required=False)
    probation_extension_months = forms.IntegerField(
        label="延长预备期（月）",
        required=False,
        min_value=0,
        max_value=12,
        help_text="延长预备期的填6至12个月（R-DEV-21）；未延长留空。",
    )
    post = forms.ChoiceField(label="工作岗位", choices=_choices(codes.POSTS))
    unit_post = forms.CharField(label="单位职务", max_length=50, required=False)
    employment = forms.ChoiceField(label="在职状态", choices=Employment.choices)
    phone = forms.CharField(
        label="联系电话", max_length=60, help_text="手机或“区号-号码”，多个用逗号分隔"
    )
    address = forms.CharField(label="家庭住址", max_length=200, help_text="具体到门牌号")
    standing = forms.ChoiceField(label="党籍状态", choices=Standing.choices, initial="normal")
    suspension_ground = forms.ChoiceField(
        label="停止党籍情形",
        choices=[("", "—"), *SuspensionGround.choices],
        required=False,
    )
    standing_reason = forms.CharField(label="停止党籍原因", max_length=200, required=False)
    suspended_on = forms.DateField(label="停止党籍日期", widget=DateInput(), required=False)
    lost_contact = forms.TypedChoiceField(
        label="是否为失联党员", choices=YES_NO, coerce=lambda v: v == "1", initial="0"
    )
    lost_contact_since = forms.DateField(label="失去联系日期", widget=DateInput(), required=False)
    mobile = forms.TypedChoiceField(
        label="是否为流动党员", choices=YES_NO, coerce=lambda v: v == "1", initial="0"
    )
    mobile_destination = forms.CharField(
        label="外出流向", max_length=100, required=False, help_text="省、市、县"
    )
    mobile_since = forms.DateField(label="外出日期", widget=DateInput(), required=False)
    abroad_purpose = forms.ChoiceField(
        label="出国（境）事由",
        choices=[("", "—（未出国境）"), *AbroadPurpose.choices],
        required=False,
        help_text="因私定居或学习研究超过5年的，一般应停止党籍（R-EDU-05）",
    )
    abroad_since = forms.DateField(label="出国（境）日期", widget=DateInput(), required=False)

    #: the sensitive items; on edit they are empty and "empty" means "keep"
    SENSITIVE = ("id_number", "phone", "address")

    def __init__(self, *args, branches=(), member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "请选择"), *[(b.pk, b.label) for b in branches]]
        self.member = member
        if member is not None:
            masked = {
                "id_number": member.id_number_masked,
                "phone": member.phone_masked,
                "address": member.address_masked,
            }
            for key in self.SENSITIVE:
                field = self.fields[key]
                field.required = False
                field.widget.attrs["placeholder"] = f"不修改请留空（当前 {masked[key]}）"
            # the branch changes through a transfer (组织关系转接), never by editing
            del self.fields["branch"]
            self.fields["reason"] = forms.CharField(
                label="变更原因",
                max_length=200,
                required=False,
                help_text="人员类别、党籍状态、在职、失联、流动等变更会记入党员信息变更记录。",
            )
            self.fields["effective_on"] = forms.DateField(
                label="生效日期", widget=DateInput(), required=False, initial=timezone.localdate
            )
            for name in ("reason", "effective_on"):
                self.fields[name].widget.attrs["class"] = "form-control"

    def record(self) -> dict:
        """The cleaned data as a record for the services (branch and edit-only fields apart)."""
        data = dict(self.cleaned_data)
        for key in ("branch", "reason", "effective_on"):
            data.pop(key, None)
        return data


def initial_from(member) -> dict:
    """Form values for editing: everything but the sensitive items (kept unless retyped)."""
    return {
        "name": member.name,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date,
        "education": member.education,
        "category": member.category,
        "joined_on": member.joined_on,
        "converted_on": member.converted_on,
        "probation_extension_months": member.probation_extension_months or None,
        "post": member.post,
        "unit_post": member.unit_post,
        "employment": member.employment,
        "standing": member.standing,
        "suspension_ground": member.suspension_ground,
        "standing_reason": member.standing_reason,
        "suspended_on": member.suspended_on,
        "lost_contact": "1" if member.is_lost_contact else "0",
        "lost_contact_since": member.lost_contact_since,
        "mobile": "1" if member.is_mobile else "0",
        "mobile_destination": member.mobile_destination,
        "mobile_since": member.mobile_since,
        "abroad_purpose": member.abroad_purpose,
        "abroad_since": member.abroad_since,
    }
