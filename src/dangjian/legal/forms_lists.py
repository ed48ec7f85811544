"""Forms of the 四张清单. They parse; the services decide (a blank legal basis, dates in the
wrong order, a number used twice), and their refusals land at the field (`call_service`)."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.legal.models import LenientKind
from dangjian.legal.services_lists import LIMITS


def _text(label: str, max_length: int, *, rows: int | None = None, **kwargs):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    field = forms.CharField(
        label=label, max_length=max_length, required=False, widget=widget, strip=False, **kwargs
    )
    field.error_messages.update({"max_length": f"{label}不能超过{max_length}字。"})
    return field


def _date(label: str, *, required=False) -> forms.DateField:
    field = forms.DateField(label=label, widget=DateInput(), required=required)
    field.error_messages.update(
        {"required": f"请填写{label}。", "invalid": f"{label}无效，应为 YYYY-MM-DD。"}
    )
    return field


class LenientListForm(BootstrapMixin, forms.Form):
    org = forms.TypedChoiceField(label="发布单位", coerce=int, empty_value=None, required=False)
    domain = _text("领域", LIMITS["domain"], help_text="如：市场监管、生态环境、交通运输")
    kind = forms.ChoiceField(
        label="清单类别", choices=[("", "请选择"), *LenientKind.choices], required=False
    )
    title = _text("清单名称", LIMITS["title"], help_text="不填则为“<领域>领域<类别>清单”")
    issued_by = _text("制定部门", LIMITS["issued_by"])
    effective_from = _date("施行日期", required=True)
    effective_to = _date("失效日期")

    def __init__(self, *args, orgs=(), with_org=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["invalid_choice"] = "请选择有效的清单类别。"
        if with_org:
            self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
            self.fields["org"].error_messages["invalid_choice"] = "请选择有效的发布单位。"
        else:
            del self.fields["org"]


class LenientItemForm(BootstrapMixin, forms.Form):
    seq = forms.IntegerField(label="序号", required=False, min_value=1, max_value=99_999)
    conduct = _text("违法行为", LIMITS["conduct"], rows=2)
    legal_basis = _text("法律依据", LIMITS["legal_basis"], rows=3)
    conditions = _text("适用条件（情形）", LIMITS["conditions"], rows=3)
    measure = _text("处理方式", LIMITS["measure"], rows=2)
    effective_from = _date("施行日期")
    effective_to = _date("失效日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        seq = self.fields["seq"]
        seq.help_text = "不填则排在最后"
        seq.error_messages.update(
            {
                "invalid": "序号应为正整数。",
                "min_value": "序号应为正整数。",
                "max_value": "序号不能超过99999。",
            }
        )


class LenientImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="清单文件（.xlsx）",
        required=False,
        help_text="第1行为表头：序号、违法行为、法律依据、适用条件、处理方式；第2行起每行一项。",
    )
    file.widget.attrs["accept"] = ".xlsx"
