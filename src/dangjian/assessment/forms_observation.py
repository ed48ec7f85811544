"""Forms of the observation meeting pages. Choices (owners, sheets, units, stops) come from
the selectors; the services check everything again."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from dangjian.assessment.models import ShowKind
from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.rules.assessment import TRIM_MIN_JUDGES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _choices(rows, label=str, empty: str | None = None) -> list[tuple[str, str]]:
    out = [("", empty)] if empty is not None else []
    return out + [(str(r.pk), label(r)) for r in rows]


class IdChoiceField(forms.TypedChoiceField):
    def __init__(self, label: str, *, required: bool = True, **kwargs):
        super().__init__(label=label, coerce=int, required=required, empty_value=None, **kwargs)


def first_error_message(form) -> tuple[str | None, str]:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return (name if name in form.fields else None), (
            f"{label}：{errors[0]}" if label else errors[0]
        )
    return None, "请求数据有误。"


class ObservationForm(BootstrapMixin, forms.Form):
    owner = IdChoiceField("组织单位")
    title = forms.CharField(label="会议名称", max_length=200)
    theme = forms.CharField(label="主题", max_length=200, required=False)
    purpose = forms.CharField(
        label="主旨", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_at = forms.DateTimeField(
        label="开始时间",
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label="集合地点", max_length=200, required=False)
    sheet = IdChoiceField(
        "现场评分表",
        required=False,
        help_text="不选则每位评委对每个点位给一个总分（0—100分）",
    )
    contest = IdChoiceField("所属赛事（书记赛党建）", required=False)
    trim_min_judges = forms.IntegerField(
        label="去掉最高分、最低分的最少评委数",
        min_value=0,
        max_value=100,
        initial=TRIM_MIN_JUDGES,
        help_text="评委达到此人数时去掉一个最高分、一个最低分后取平均；0为不去掉（R-LOCAL-09）",
    )
    outlier_points = forms.DecimalField(
        label="偏离提示阈值（分）",
        min_value=Decimal("0.01"),
        max_value=Decimal("999.99"),
        decimal_places=2,
        initial=Decimal("10"),
        help_text="某评委的总分与其他评委的中位数相差超过此分值时提示",
    )

    def __init__(self, *args, owners=(), sheets=(), contests=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = _choices(owners)
        self.fields["sheet"].choices = _choices(sheets, empty="（不用评分表，打总分）")
        self.fields["contest"].choices = _choices(contests, empty="（不属于赛事）")


class StopForm(BootstrapMixin, forms.Form):
    org = IdChoiceField("展示单位")
    place = forms.CharField(label="地点", max_length=200)
    show_kind = forms.ChoiceField(label="展示形式", choices=ShowKind.choices)
    shows = forms.CharField(
        label="展示内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    planned_minutes = forms.IntegerField(
        label="计划时长（分钟）", min_value=1, max_value=600, initial=15
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(units, empty="请选择")


class JudgeForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label="评委账号（用户名）", max_length=150)
    name = forms.CharField(
        label="评委姓名", max_length=50, required=False, help_text="不填则用账号的姓名"
    )
    affiliation = forms.CharField(label="单位职务", max_length=100, required=False)
    stops = forms.TypedMultipleChoiceField(
        label="负责评分的点位",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则负责全部点位",
    )

    def __init__(self, *args, stops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stops"].choices = _choices(stops, lambda s: f"{s.order}. {s.place}")
        self.fields["stops"].widget.attrs["class"] = "form-check-input"


class AssignForm(BootstrapMixin, forms.Form):
    stops = forms.TypedMultipleChoiceField(
        label="负责评分的点位", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, stops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stops"].choices = _choices(stops, lambda s: f"{s.order}. {s.place}")
        self.fields["stops"].widget.attrs["class"] = "form-check-input"


class ParticipantsForm(BootstrapMixin, forms.Form):
    usernames = forms.CharField(
        label="系统账号（用户名，每行一个）",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="有账号的参会人员可扫码签到",
    )
    names = forms.CharField(
        label="其他参会人员（每行一人：姓名 单位职务）",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def usernames_list(self) -> list[str]:
        text = self.cleaned_data.get("usernames", "")
        return [u for u in (x.strip() for x in re.split(r"[\s,，、]+", text)) if u]

    def names_list(self) -> list[tuple[str, str]]:
        out = []
        for line in self.cleaned_data.get("names", "").splitlines():
            line = line.strip()
            if not line:
                continue
            parts = re.split(r"[\s,，、]+", line, maxsplit=1)
            out.append((parts[0], parts[1] if len(parts) > 1 else ""))
        return out


class SpeechForm(BootstrapMixin, forms.Form):
    speaker = forms.CharField(label="发言人", max_length=50)
    org = IdChoiceField("单位", required=False)
    title = forms.CharField(label="发言题目", max_length=200, required=False)
    notes = forms.CharField(
        label="发言要点", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(units, empty="—")


class ConclusionsForm(BootstrapMixin, forms.Form):
    conclusions = forms.CharField(
        label="会议明确的工作重点",
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TaskForm(BootstrapMixin, forms.Form):
    org = IdChoiceField("责任单位")
    title = forms.CharField(label="任务", max_length=200)
    detail = forms.CharField(
        label="要求", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label="完成时限", widget=DateInput())

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(units, empty="请选择")


class TaskDoneForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label="完成情况", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    done_on = forms.DateField(label="完成日期", widget=DateInput(), required=False)
