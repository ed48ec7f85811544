"""Forms of 清廉机关. They parse; the services decide (required fields, years, the meeting
link, one commitment a year) and their refusals land at the field (`call_service`)."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.integrity.models import EducationForm, RiskLevel


def _choices(objects, label=str, empty="—") -> list[tuple[str, str]]:
    return [("", empty), *[(str(o.pk), label(o)) for o in objects]]


class IdField(forms.TypedChoiceField):
    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(label=label, coerce=int, empty_value=None, **kwargs)


def _org_label(org) -> str:
    return ("　" * max(org.depth - 1, 0)) + org.name


class RiskPointForm(BootstrapMixin, forms.Form):
    org = IdField("所属组织")
    year = forms.IntegerField(label="年度", required=False)
    post = forms.CharField(label="岗位", max_length=100, required=False)
    risk = forms.CharField(
        label="风险描述",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    level = forms.ChoiceField(
        label="风险等级", choices=[("", "请选择"), *RiskLevel.choices], required=False
    )
    measures = forms.CharField(
        label="防控措施",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = IdField("责任人（党员）", help_text="从名册选择时姓名自动带出")
    owner_name = forms.CharField(
        label="责任人", max_length=50, required=False, help_text="责任人不在名册中时直接填写姓名"
    )

    def __init__(self, *args, orgs=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(orgs, _org_label, "请选择")
        self.fields["owner"].choices = _choices(people, lambda m: m.name)
        self.fields["year"].error_messages["invalid"] = "年度须为四位数字。"
        self.fields["org"].error_messages["invalid_choice"] = "请选择有效的组织。"
        self.fields["owner"].error_messages["invalid_choice"] = "请选择有效的责任人。"
        self.fields["level"].error_messages["invalid_choice"] = "请选择风险等级（高、中、低）。"


class RetireForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="停用原因", max_length=200, required=False)


class SessionForm(BootstrapMixin, forms.Form):
    org = IdField("组织")
    meeting = IdField(
        "关联会议",
        help_text="以主题党日、党课等形式开展的，选择该次会议：日期、主题和参加人次自动带出",
    )
    held_on = forms.DateField(label="日期", required=False, widget=DateInput())
    title = forms.CharField(label="主题", max_length=200, required=False)
    form = forms.ChoiceField(
        label="形式", choices=[("", "请选择"), *EducationForm.choices], required=False
    )
    attendees = forms.IntegerField(
        label="参加人次", required=False, help_text="关联会议时留空，自动取会议实到人数"
    )
    note = forms.CharField(
        label="情况说明", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, orgs=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(orgs, _org_label, "请选择")
        self.fields["meeting"].choices = _choices(
            meetings,
            lambda m: (
                f"{m.starts_at:%Y-%m-%d} {m.org.name} {m.get_kind_display()}"
                f"《{m.topic}》（实到{m.present}人）"
            ),
            "不关联会议",
        )
        self.fields["held_on"].error_messages["invalid"] = "请填写有效的日期。"
        self.fields["attendees"].error_messages["invalid"] = "参加人次须为整数。"
        self.fields["org"].error_messages["invalid_choice"] = "请选择有效的组织。"
        self.fields["meeting"].error_messages["invalid_choice"] = "请选择有效的会议。"
        self.fields["form"].error_messages["invalid_choice"] = "请选择教育形式。"


class BulkCommitmentForm(BootstrapMixin, forms.Form):
    """Who of the branch signed (checkboxes, rendered by the template) and on which day."""

    signed_on = forms.DateField(label="签订日期", widget=DateInput())
    members = forms.TypedMultipleChoiceField(label="党员", coerce=int, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(m.pk), m.name) for m in candidates]
        self.fields["members"].error_messages["invalid_choice"] = (
            "所选党员不在本支部未签订名单中，请刷新后重试。"
        )
        self.fields["signed_on"].error_messages["invalid"] = "请填写有效的签订日期。"
        self.fields["signed_on"].error_messages["required"] = "请填写签订日期。"


class RevokeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "请填写撤销原因。"
