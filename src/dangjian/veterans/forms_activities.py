"""Forms of the teams, studios, care sessions, exemplars and cases. They parse (numbers stay
text: the services say in Chinese what is wrong with them); the services decide, and their
refusals land at the field (`call_service`)."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.veterans.models import CareKind, MediationOutcome, Resource, StudioKind


def _text(label: str, max_length: int, *, required=False, rows: int | None = None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    field = forms.CharField(label=label, max_length=max_length, required=required, widget=widget)
    field.error_messages.update(
        {"required": f"请填写{label}。", "max_length": f"{label}不能超过{max_length}字。"}
    )
    return field


def _number(label: str, **kwargs) -> forms.CharField:
    field = _text(label, 20, **kwargs)
    field.widget.attrs.update({"inputmode": "decimal"})
    return field


def _date(label: str) -> forms.DateField:
    field = forms.DateField(label=label, widget=DateInput(), required=False)
    field.error_messages.update({"invalid": f"{label}无效，应为 YYYY-MM-DD。"})
    return field


def _choice(label: str, choices, *, empty="请选择") -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=[("", empty), *choices], required=False)
    field.error_messages.update({"invalid_choice": f"请选择有效的{label}。"})
    return field


def _id_choice(label: str, objects, labeller=str, *, empty="请选择") -> forms.TypedChoiceField:
    field = forms.TypedChoiceField(
        label=label,
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", empty), *[(str(o.pk), labeller(o)) for o in objects]],
    )
    field.error_messages.update({"invalid_choice": f"请选择有效的{label}。"})
    return field


class TeamForm(BootstrapMixin, forms.Form):
    name = _text("队名", 100)
    focus = _text("服务内容", 200)
    founded_on = _date("成立日期")

    def __init__(self, *args, orgs=(), retirees=(), with_org=True, **kwargs):
        super().__init__(*args, **kwargs)
        head = {"org": _id_choice("所属组织", orgs, lambda o: o.name)} if with_org else {}
        self.fields = {**head, **self.fields, "leader": _id_choice("队长", retirees, empty="暂无")}
        for name in ("org", "leader"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-select"


class MemberAddForm(BootstrapMixin, forms.Form):
    joined_on = _date("加入日期")

    def __init__(self, *args, retirees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"retiree": _id_choice("队员", retirees), **self.fields}
        self.fields["retiree"].widget.attrs["class"] = "form-select"


class DayForm(BootstrapMixin, forms.Form):
    """The one date of a disbanding or a leaving."""

    on = _date("日期")


class ActivityForm(BootstrapMixin, forms.Form):
    title = _text("活动名称", 200)
    held_on = _date("活动日期")
    place = _text("地点", 100)
    resource = _choice("资源类别", Resource.choices)
    hours = _number("人均服务时长（小时）")
    beneficiaries = _number("服务对象（人次）")
    summary = _text("活动情况", 5000, rows=3)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.TypedMultipleChoiceField(
            label="参与队员",
            coerce=int,
            required=False,
            choices=[(str(m.pk), m.name) for m in members],
            widget=forms.CheckboxSelectMultiple,
        )
        field.error_messages.update({"invalid_choice": "请选择本队队员。"})
        field.widget.attrs["class"] = "form-check-input"
        self.fields["participants"] = field


class StudioForm(BootstrapMixin, forms.Form):
    kind = _choice("类别", StudioKind.choices)
    name = _text("名称", 100)
    place = _text("地址", 200)
    opened_on = _date("授牌（成立）日期")
    note = _text("简介", 5000, rows=3)

    def __init__(self, *args, orgs=(), retirees=(), with_org=True, **kwargs):
        super().__init__(*args, **kwargs)
        head = {"org": _id_choice("所属组织", orgs, lambda o: o.name)} if with_org else {}
        self.fields = {
            **head,
            **self.fields,
            "leader": _id_choice("领衔老党员", retirees, empty="无"),
        }
        for name in ("org", "leader"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-select"


class StudioActivityForm(BootstrapMixin, forms.Form):
    title = _text("活动名称", 200)
    held_on = _date("活动日期")
    resource = _choice("资源类别", Resource.choices)
    attendance = _number("参加人次")
    summary = _text("活动情况", 5000, rows=3)


class CareForm(BootstrapMixin, forms.Form):
    kind = _choice("类别", CareKind.choices)
    title = _text("主题", 200)
    held_on = _date("日期")
    partner = _text("合作单位", 100)
    advisers = _text("顾问（志愿者）", 200)
    place = _text("地点", 100)
    served = _number("服务老干部（人次）")
    summary = _text("情况", 5000, rows=3)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"org": _id_choice("组织单位", orgs, lambda o: o.name), **self.fields}
        self.fields["org"].widget.attrs["class"] = "form-select"


class ExemplarForm(BootstrapMixin, forms.Form):
    title = _text("称号", 50)
    named_on = _date("评树日期")
    story = _text("事迹", 10000, rows=5)

    def __init__(self, *args, retirees=(), with_retiree=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_retiree:
            self.fields = {"retiree": _id_choice("离退休干部", retirees), **self.fields}
            self.fields["retiree"].widget.attrs["class"] = "form-select"


class CaseForm(BootstrapMixin, forms.Form):
    handled_on = _date("调解日期")
    place = _text("地点（村、社区）", 100)
    matter = _text("纠纷事项", 200)
    parties = _number("当事人数")
    outcome = _choice("结果", MediationOutcome.choices)
    summary = _text("经过", 5000, rows=3)
