"""Forms of the responsibility lists. They parse; the services decide (required fields, the
year, one list of a kind a year, deadlines within the year, progress 0–100, quarters already
started) and their refusals land at the field (`call_service`)."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.responsibility.models import DutyCategory, DutyKind
from dangjian.rules import duties as rules


def _choices(objects, label=str, empty="—") -> list[tuple[str, str]]:
    return [("", empty), *[(str(o.pk), label(o)) for o in objects]]


class IdField(forms.TypedChoiceField):
    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(label=label, coerce=int, empty_value=None, **kwargs)


def _unit_label(org) -> str:
    unit = org.unit
    short = (unit.short_name or unit.name) if unit else ""
    return f"{org.name}（{short}）" if short and short not in org.name else org.name


class DutyListForm(BootstrapMixin, forms.Form):
    org = IdField("单位")
    year = forms.IntegerField(label="年度", required=False)
    kind = forms.ChoiceField(
        label="清单类别", choices=[("", "请选择"), *DutyKind.choices], required=False
    )
    holder = IdField("责任人（党员）", help_text="从本单位党员中选择时姓名自动带出")
    holder_name = forms.CharField(
        label="责任主体",
        max_length=50,
        required=False,
        help_text="主体责任清单可留空（即本单位党组）；书记、班子成员清单填写姓名",
    )
    holder_post = forms.CharField(label="职务", max_length=100, required=False)
    remit = forms.CharField(
        label="分管领域",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="班子成员一岗双责清单填写其分管的业务领域",
    )

    def __init__(self, *args, orgs=(), people=(), header_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(orgs, _unit_label, "请选择")
        self.fields["holder"].choices = _choices(people, lambda m: m.name, "不关联党员")
        self.fields["year"].error_messages["invalid"] = "年度须为四位数字。"
        self.fields["org"].error_messages["invalid_choice"] = "请选择有效的单位。"
        self.fields["holder"].error_messages["invalid_choice"] = "请选择有效的责任人。"
        self.fields["kind"].error_messages["invalid_choice"] = "请选择清单类别。"
        if header_only:
            for name in ("org", "year", "kind"):
                del self.fields[name]


class DutyItemForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(
        label="类别", choices=DutyCategory.choices, initial=DutyCategory.POLITICAL, required=False
    )
    content = forms.CharField(
        label="责任内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label="工作措施", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner_name = forms.CharField(label="责任人", max_length=50, required=False)
    deadline = forms.DateField(label="完成时限", required=False, widget=DateInput())
    evidence_asked = forms.CharField(
        label="佐证材料", max_length=200, required=False, help_text="如：会议记录、工作方案、照片"
    )
    reason = forms.CharField(
        label="调整原因",
        max_length=200,
        required=False,
        help_text="清单确认发布后调整工作措施、责任人、完成时限或佐证材料须说明原因",
    )

    def __init__(self, *args, confirmed=False, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].error_messages["invalid"] = "请填写有效的完成时限。"
        self.fields["category"].error_messages["invalid_choice"] = "请选择类别。"
        if not (confirmed and editing):
            del self.fields["reason"]
        if confirmed and editing:
            # the wording of a confirmed list's items is fixed (shown, not editable)
            for name in ("category", "content"):
                self.fields[name].disabled = True


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service judges each by its content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [f for f in data if f]
        return [data] if data else []


class DutyReportForm(BootstrapMixin, forms.Form):
    quarter = forms.TypedChoiceField(
        label="季度",
        coerce=int,
        choices=[(q, rules.QUARTER_NAMES[q]) for q in rules.QUARTERS],
        required=False,
        empty_value=None,
    )
    progress = forms.IntegerField(
        label="完成进度（%）",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    text = forms.CharField(
        label="进展情况", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(label="佐证材料（照片或文档）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].error_messages["invalid_choice"] = "请选择季度（1至4）。"
        self.fields["progress"].error_messages["invalid"] = "完成进度应为0到100之间的整数。"
        self.fields["text"].error_messages["max_length"] = "进展情况不能超过5000字。"


class CopyForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="复制到年度", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].error_messages["invalid"] = "年度须为四位数字。"
