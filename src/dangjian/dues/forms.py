"""Forms of the 党费 pages. They parse; the services decide (brackets, months owed, back-pay
limits, who approves) and their refusals land at the field (`call_service`)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.dues.models import DuesCategory, PaymentKind, PaymentMethod, ReductionKind

MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")
MAX_ITEMS = 20
#: an amount typed in a pay-item row: at most this many characters and whole digits
AMOUNT_TEXT_MAX = 30
MAX_WHOLE_DIGITS = 10


def parse_month(value) -> dt.date | None:
    """ "2026-03" (or "2026-03-15") → 2026-03-01; None when it is not a month."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = MONTH_RE.match(str(value or ""))
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2200 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


class MonthField(forms.Field):
    """A month as the 1st of the month (the models' convention)."""

    widget = MonthInput
    default_error_messages = {"invalid": "请填写有效的月份（如 2026-03）。"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


def _money(label: str, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(label=label, max_digits=12, decimal_places=2, **kwargs)
    field.error_messages.update(
        {
            "invalid": "请填写金额（元），如 3200.00。",
            "max_digits": "金额过大。",
            "max_decimal_places": "金额最多两位小数。",
            "max_whole_digits": "金额过大。",
            "required": f"请填写{label}。",
        }
    )
    field.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
    return field


def _choice(label: str, choices, *, required=True, empty="请选择") -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=[("", empty), *choices], required=required)
    field.error_messages.update(
        {"invalid_choice": f"请选择有效的{label}。", "required": f"请选择{label}。"}
    )
    return field


def _date(label: str, *, required=True) -> forms.DateField:
    field = forms.DateField(label=label, required=required, widget=DateInput())
    field.error_messages.update(
        {"invalid": f"请填写有效的{label}。", "required": f"请填写{label}。"}
    )
    return field


def parse_items(data) -> tuple[list[dict], list[str]]:
    """The repeatable rows of pay items (`item_name` / `item_amount`, same order) → the list
    the model keeps ([{"name", "amount"}], amounts as strings) and the errors found. Empty
    rows are skipped; reading stops at the first row beyond MAX_ITEMS, and an amount's size
    is checked before it is formatted (1e999999999 is a valid Decimal of a billion digits)."""
    names = data.getlist("item_name") if hasattr(data, "getlist") else []
    amounts = data.getlist("item_amount") if hasattr(data, "getlist") else []
    items, errors = [], []
    filled = 0
    for i, (name, amount) in enumerate(zip(names, amounts, strict=False), 1):
        name, amount = (name or "").strip(), (amount or "").strip()
        if not name and not amount:
            continue
        filled += 1
        if filled > MAX_ITEMS:
            errors.append(f"计算项目最多{MAX_ITEMS}项。")
            break
        if not name:
            errors.append(f"第{i}项：请填写项目名称。")
            continue
        if len(name) > 50:
            errors.append(f"第{i}项：项目名称过长。")
            continue
        try:
            value = Decimal(amount[:AMOUNT_TEXT_MAX])
        except (InvalidOperation, ValueError):
            errors.append(f"第{i}项“{name}”：请填写金额（元）。")
            continue
        if not value.is_finite() or len(amount) > AMOUNT_TEXT_MAX:
            errors.append(f"第{i}项“{name}”：请填写金额（元）。")
            continue
        if value and value.adjusted() >= MAX_WHOLE_DIGITS:
            errors.append(f"第{i}项“{name}”：金额过大，请核对是否多输了位数。")
            continue
        if value.as_tuple().exponent < -2:
            errors.append(f"第{i}项“{name}”：金额最多两位小数。")
            continue
        items.append({"name": name, "amount": f"{value:.2f}"})
    return items, errors


class BaseForm(BootstrapMixin, forms.Form):
    """A new base from a month on (R-DUES-11): the counted pay items and the income tax
    (R-DUES-02), or a base typed directly, or a fixed amount for the fixed categories
    (R-DUES-07). The items come as repeatable rows outside the form (`parse_items`)."""

    category = _choice("缴费类别", DuesCategory.choices)
    effective_month = MonthField(
        label="起用月份", help_text="从领取新标准工资的当月起（R-DUES-11）"
    )
    income_tax = _money("个人所得税", required=False, help_text="按计算项目计算基数时扣除")
    base = _money(
        "缴纳基数", required=False, help_text="不按项目计算时直接填写（税后，R-DUES-01/02）"
    )
    fixed_amount = _money(
        "定额（元/月）",
        required=False,
        help_text="农民党员 0.2–1 元；学生、下岗失业、领取抚恤救济或低保的党员 0.2 元（R-DUES-07）",
    )
    note = forms.CharField(label="说明", max_length=200, required=False)
    #: where the refusals about the pay items land (the rows themselves are `item_name` /
    #: `item_amount` pairs, read by `parse_items`)
    items = forms.CharField(label="计算项目", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_month"].error_messages["required"] = "请填写起用月份。"
        self.parsed_items: list[dict] = []

    def clean_items(self):
        self.parsed_items, errors = parse_items(self.data)
        if errors:
            raise forms.ValidationError(errors)
        return self.parsed_items


class PaymentForm(BootstrapMixin, forms.Form):
    """收款: an amount paid for one or more months (or voluntary extra dues, R-DUES-12)."""

    kind = _choice("类型", PaymentKind.choices, empty="按月缴纳")
    months = forms.CharField(
        label="缴纳月份",
        required=False,
        help_text="多个月份用逗号分隔，如 2026-01,2026-02；留空则从最早未缴的月份起冲抵",
    )
    amount = _money("金额")
    paid_on = _date("缴纳日期")
    method = _choice("方式", PaymentMethod.choices)
    paid_by = forms.TypedChoiceField(
        label="代缴党员",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="经支部同意由其他党员代缴时选择（R-DUES-13）",
    )
    consent_note = forms.CharField(label="支部同意说明", max_length=200, required=False)
    exception_reason = forms.CharField(
        label="超期补缴说明",
        max_length=200,
        required=False,
        help_text="补缴超过6个月时必须说明（R-DUES-13）",
    )
    receipt_no = forms.CharField(label="收据号", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, payers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False
        self.fields["paid_by"].choices = [("", "本人缴纳"), *[(str(m.pk), m.name) for m in payers]]
        self.fields["paid_by"].error_messages["invalid_choice"] = "请选择本支部的党员。"

    def clean_kind(self):
        return self.cleaned_data.get("kind") or PaymentKind.REGULAR

    def clean_months(self):
        raw = self.cleaned_data.get("months") or ""
        months = []
        for part in re.split(r"[,，\s]+", raw.strip()):
            if not part:
                continue
            month = parse_month(part)
            if month is None:
                raise forms.ValidationError(f"“{part}”不是有效的月份（如 2026-03）。")
            if month not in months:
                months.append(month)
        return sorted(months)


class VoidForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "请填写作废原因。"


class ReductionForm(BootstrapMixin, forms.Form):
    """减免申请 (R-DUES-08): the branch discussed it; the committee above approves."""

    kind = _choice("方式", ReductionKind.choices)
    monthly_amount = _money(
        "减免后月缴额", required=False, help_text="少交时填写每月应缴金额；免交为 0"
    )
    from_month = MonthField(label="起始月份")
    to_month = MonthField(label="截止月份", required=False, help_text="留空表示长期")
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    branch_discussed_on = _date("支部研究日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_month"].error_messages["required"] = "请填写起始月份。"
        self.fields["reason"].error_messages["required"] = "请填写减免原因。"


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审批结果", choices=[("approve", "批准"), ("reject", "不批准")]
    )
    note = forms.CharField(label="审批意见", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].error_messages.update(
            {"required": "请选择审批结果。", "invalid_choice": "请选择批准或不批准。"}
        )
