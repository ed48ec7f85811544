"""Forms of the plan, session, hours and training pages. They parse; the services decide
(hours against the session's length, a plan line of the right org and year, a training's
span and proof) and their refusals land at the field (`core.forms.call_service`)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.study.models import ExemptionReason, StudyForm, StudyMode, TrainingKind

HOURS_HELP = "可保留一位小数，不超过本次学习的时长"
#: the years a session may be planned in, and the first a training may be entered for
YEAR_MIN, YEAR_MAX = 2000, 2200


def _choice(label: str, choices, *, required=True, empty="请选择") -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=[("", empty), *choices], required=required)
    field.error_messages.update(
        {"invalid_choice": f"请选择有效的{label}。", "required": f"请选择{label}。"}
    )
    return field


def _text(label: str, max_length: int, *, required=True, **kwargs) -> forms.CharField:
    field = forms.CharField(label=label, max_length=max_length, required=required, **kwargs)
    field.error_messages.update(
        {"required": f"请填写{label}。", "max_length": f"{label}不能超过{max_length}字。"}
    )
    return field


def _hours(label: str = "学时", help_text: str = "") -> forms.CharField:
    """Hours as typed: the service says what is wrong with them (rules.study)."""
    field = _text(label, 12, help_text=help_text)
    field.widget.attrs.update({"inputmode": "decimal"})
    return field


def _date(label: str, **kwargs) -> forms.DateField:
    field = forms.DateField(label=label, widget=DateInput(), **kwargs)
    field.error_messages.update(
        {"required": f"请填写{label}。", "invalid": f"{label}无效，应为 YYYY-MM-DD。"}
    )
    return field


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _time(label: str) -> forms.TimeField:
    field = forms.TimeField(label=label, widget=TimeInput(), input_formats=["%H:%M", "%H:%M:%S"])
    field.error_messages.update({"required": f"请填写{label}。", "invalid": f"{label}无效。"})
    return field


def org_choices(orgs) -> list[tuple[str, str]]:
    return [(str(o.pk), f"{'　' * max(o.depth - 1, 0)}{o.name}") for o in orgs]


def item_choices(items) -> list[tuple[str, str]]:
    return [
        ("", "（不对应计划条目）"),
        *[(str(i.pk), f"{i.plan.org.name}·{i.month}月·{i.topic}") for i in items],
    ]


class PlanForm(BootstrapMixin, forms.Form):
    org = _choice("组织", [])
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2200)
    title = _text("计划名称", 200)
    note = _text("说明", 5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *org_choices(orgs)]


class PlanEditForm(BootstrapMixin, forms.Form):
    title = _text("计划名称", 200)
    note = _text("说明", 5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlanItemForm(BootstrapMixin, forms.Form):
    month = forms.TypedChoiceField(
        label="月份", coerce=int, choices=[(m, f"{m}月") for m in range(1, 13)]
    )
    topic = _text("学习主题", 200)
    form = _choice("学习形式", StudyForm.choices)
    mode = _choice("线上/线下", StudyMode.choices, empty="请选择")
    hours = _hours("计划学时")
    note = _text("备注", 200, required=False)


class SessionForm(BootstrapMixin, forms.Form):
    """A new session: one day, a start and an end time (a study session never spans days)."""

    org = _choice("举办组织", [])
    topic = _text("学习主题", 200)
    form = _choice("学习形式", StudyForm.choices)
    mode = _choice("线上/线下", StudyMode.choices)
    day = _date("日期")
    start = _time("开始时间")
    end = _time("结束时间")
    hours = _hours("学时", HOURS_HELP)
    speaker = _text("主讲人", 100, required=False)
    place = _text("地点", 200, required=False)
    plan_item = forms.TypedChoiceField(
        label="计划条目", coerce=int, required=False, empty_value=None, choices=[]
    )
    agenda = _text("内容安排", 5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *org_choices(orgs)]
        self.fields["plan_item"].choices = item_choices(items)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            raise forms.ValidationError(f"日期无效，应在{YEAR_MIN}年至{YEAR_MAX}年之间。")
        return day

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            tz = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(day, start, tzinfo=tz)
            data["ends_at"] = dt.datetime.combine(day, end, tzinfo=tz)
        return data


class SessionEditForm(BootstrapMixin, forms.Form):
    """What study keeps of a session (the meeting itself is edited on the orglife pages)."""

    form = _choice("学习形式", StudyForm.choices)
    mode = _choice("线上/线下", StudyMode.choices)
    hours = _hours("学时", HOURS_HELP)
    speaker = _text("主讲人", 100, required=False)
    plan_item = forms.TypedChoiceField(
        label="计划条目", coerce=int, required=False, empty_value=None, choices=[]
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_item"].choices = item_choices(items)


class TrainingForm(BootstrapMixin, forms.Form):
    title = _text("培训名称", 200)
    provider = _text("举办单位", 200)
    kind = _choice("培训类型", TrainingKind.choices)
    started_on = _date("开始日期")
    ended_on = _date("结束日期")
    hours = _hours("学时", "结业证书或学时证明上的学时")
    is_concentrated = forms.BooleanField(
        label="集中培训", required=False, help_text="党校、轮训班等脱产集中培训（R-EDU-02）"
    )
    proof = forms.FileField(
        label="证明材料",
        required=False,
        help_text="结业证书、学时证明或截图：PDF、JPG、PNG、Word 或 Excel",
    )

    def _bounded(self, name: str, label: str, future: str) -> dt.date:
        day = self.cleaned_data[name]
        if day.year < YEAR_MIN:
            raise forms.ValidationError(f"{label}无效，应在{YEAR_MIN}年以后。")
        if day > timezone.localdate():
            raise forms.ValidationError(future)
        return day

    def clean_started_on(self):
        return self._bounded("started_on", "开始日期", "开始日期不能晚于今天。")

    def clean_ended_on(self):
        return self._bounded("ended_on", "结束日期", "培训尚未结束，结束后再登记。")


class DecisionForm(BootstrapMixin, forms.Form):
    """Approve or reject a submitted training, or (`revoke`) withdraw an approval."""

    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("approve", "认定"), ("reject", "不予认定"), ("revoke", "撤销认定")],
    )
    reason = _text("原因", 200, required=False)


class ExemptionForm(BootstrapMixin, forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2200)
    reason = _choice("免除原因", ExemptionReason.choices)
    note = _text("说明", 200, required=False)
