"""Forms of 共同缔造. They parse (numbers stay text: the services say in Chinese what is wrong
with them); the services decide, and their refusals land at the field (`call_service`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from dangjian.cocreation.models import (
    CommunityKind,
    ProblemStatus,
    ProjectCategory,
    ProjectStatus,
    Satisfaction,
)
from dangjian.cocreation.services_common import LIMITS
from dangjian.core.forms import BootstrapMixin, DateInput

#: the empty problem rows of the visit form
PROBLEM_ROWS = 5


def _text(label: str, max_length: int, *, required=False, rows: int | None = None, **kwargs):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    field = forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, **kwargs
    )
    field.error_messages.update(
        {"required": f"请填写{label}。", "max_length": f"{label}不能超过{max_length}字。"}
    )
    return field


def _number(label: str, **kwargs) -> forms.CharField:
    field = _text(label, 20, **kwargs)
    field.widget.attrs.update({"inputmode": "decimal"})
    return field


def _date(label: str, *, required=False, **kwargs) -> forms.DateField:
    field = forms.DateField(label=label, widget=DateInput(), required=required, **kwargs)
    field.error_messages.update(
        {"required": f"请填写{label}。", "invalid": f"{label}无效，应为 YYYY-MM-DD。"}
    )
    return field


def _choice(label: str, choices, *, empty="请选择", required=False) -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=[("", empty), *choices], required=required)
    field.error_messages.update(
        {"invalid_choice": f"请选择有效的{label}。", "required": f"请选择{label}。"}
    )
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


class LookupField(forms.Field):
    """An id picked from a <select> that lists only a page of the possibilities (a search
    narrows them): any id that `lookup` finds — listed or not — is accepted and cleans to the
    object; a blank value cleans to None; anything else is refused at the field in Chinese."""

    def __init__(self, *, label: str, lookup, options=(), labeller=str, empty="请选择", **kwargs):
        super().__init__(label=label, required=False, widget=forms.Select, **kwargs)
        self.lookup = lookup
        self.widget.choices = [("", empty), *[(str(o.pk), labeller(o)) for o in options]]
        self.error_messages["invalid_choice"] = f"请选择有效的{label}。"

    def clean(self, value):
        if value in (None, ""):
            return None
        found = self.lookup(value) if isinstance(value, str) and len(value) <= 20 else None
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


def _place_label(c) -> str:
    return f"{c.district}{c}"


def _flag(label: str, **kwargs) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, **kwargs)


class CommunityForm(BootstrapMixin, forms.Form):
    name = _text("名称", LIMITS["name"])
    kind = _choice("类别", CommunityKind.choices)
    district = _text("县（市、区）", LIMITS["district"])
    township = _text("乡镇（街道）", LIMITS["township"])
    households = _number("户数")
    population = _number("人口")
    note = _text("简介", LIMITS["community_note"], rows=3)


class PairingForm(BootstrapMixin, forms.Form):
    started_on = _date("包联日期")
    is_pilot = _flag("共同缔造试点")
    note = _text("说明", LIMITS["note"], rows=3)

    def __init__(self, *args, orgs=(), communities=(), find_community=lambda pk: None, **kwargs):
        """`communities`: the places listed (a page; see `selectors.community_choices`);
        `find_community(id)`: any registered place, listed or not."""
        super().__init__(*args, **kwargs)
        self.fields = {
            "org": _id_choice("包联单位", orgs, lambda o: o.name),
            "community": place_field(communities, find_community),
            **self.fields,
        }
        for name in ("org", "community"):
            self.fields[name].widget.attrs["class"] = "form-select"


def place_field(communities, find_community) -> LookupField:
    return LookupField(
        label="村（社区）",
        lookup=find_community,
        options=communities,
        labeller=_place_label,
        help_text="可在上方输入名称查找；列表最多显示500个。",
    )


class PairingEditForm(BootstrapMixin, forms.Form):
    started_on = _date("包联日期")
    is_pilot = _flag("共同缔造试点")
    note = _text("说明", LIMITS["note"], rows=3)


class EndForm(BootstrapMixin, forms.Form):
    ended_on = _date("结束日期")


class CadreEndForm(BootstrapMixin, forms.Form):
    """A cadre leaves: a blank date means today; an unreadable one is refused."""

    ended_on = _date("离任日期")


class CadreForm(BootstrapMixin, forms.Form):
    name = _text("姓名", LIMITS["cadre_name"], help_text="选择党员时可不填，姓名自动带出")
    post = _text("职责", LIMITS["post"], help_text="如：驻村第一书记、包联干部")
    started_on = _date("开始日期")

    def __init__(self, *args, members=(), find_member=lambda pk: None, **kwargs):
        """`members`: the members listed (a page; see `selectors.members_for_cadres`);
        `find_member(id)`: any member of the unit who may serve, listed or not."""
        super().__init__(*args, **kwargs)
        self.fields["member"] = member_field(members, find_member)
        self.fields["member"].widget.attrs["class"] = "form-select"


def member_field(members, find_member) -> LookupField:
    return LookupField(
        label="本单位党员",
        lookup=find_member,
        options=members,
        labeller=lambda m: m.name,
        empty="不关联",
        help_text="可在上方输入姓名或拼音查找；列表最多显示500人。",
    )


class ProjectForm(BootstrapMixin, forms.Form):
    title = _text("项目名称", LIMITS["title"])
    category = _choice("类别", ProjectCategory.choices)
    goal = _text("目标", LIMITS["goal"], rows=3)
    status = _choice("状态", ProjectStatus.choices)
    starts_on = _date("开始日期")
    due_on = _date("计划完成日期")
    finished_on = _date("完成日期", help_text="状态为“已完成”时填写，默认今天")
    funds_planned = _number("计划资金（万元）")
    funds_raised = _number("协调到位资金（万元）")
    beneficiary_households = _number("受益户数")
    beneficiary_people = _number("受益人数")
    is_public = _flag("对外公开", help_text="公开的项目在村（社区）页面对其他单位可见")


class MetricForm(BootstrapMixin, forms.Form):
    name = _text("指标名称", LIMITS["metric_name"], help_text="如：硬化道路、通达户数、路灯")
    unit = _text("计量单位", LIMITS["unit"], help_text="如：公里、户、盏")
    target = _number("目标值")


class MilestoneForm(BootstrapMixin, forms.Form):
    title = _text("节点名称", LIMITS["title"])
    due_on = _date("计划日期")
    amount = _number("完成量", help_text="本节点完成的指标数量")
    done_on = _date("完成日期", help_text="已完成的节点填写")
    note = _text("说明", LIMITS["milestone_note"])

    def __init__(self, *args, metrics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"] = _id_choice("对应指标", metrics, str, empty="不对应指标")
        self.fields["metric"].widget.attrs["class"] = "form-select"


class MilestoneDoneForm(BootstrapMixin, forms.Form):
    done_on = _date("完成日期")
    amount = _number("完成量")


class PhotoForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="照片",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = _text("说明", LIMITS["caption"])
    taken_on = _date("拍摄日期")


class FeedbackForm(BootstrapMixin, forms.Form):
    received_on = _date("反馈日期")
    satisfaction = _choice("满意度", Satisfaction.choices)
    resident_name = _text("群众姓名", LIMITS["resident_name"], help_text="仅本单位和工委可见")
    content = _text("反馈内容", LIMITS["content"], rows=3)
    reply = _text("回复", LIMITS["reply"], rows=2)
    is_public = _flag("内容对外公开", help_text="公开时只显示内容，从不显示姓名")


class ReplyForm(BootstrapMixin, forms.Form):
    reply = _text("回复", LIMITS["reply"], rows=2)
    is_public = _flag("内容对外公开")


class CampaignForm(BootstrapMixin, forms.Form):
    title = _text("行动名称", LIMITS["title"])
    starts_on = _date("开始日期")
    ends_on = _date("结束日期")
    content = _text("内容", LIMITS["content"], rows=3)
    cadres = _number("参与干部（人次）")
    residents = _number("参与群众（人次）")
    results = _text("成效", LIMITS["results"], rows=3)
    is_public = _flag("对外公开")

    def __init__(self, *args, orgs=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        if orgs:
            self.fields["org"] = _id_choice("组织单位", orgs, lambda o: o.name)
            self.fields["org"].widget.attrs["class"] = "form-select"
        field = forms.TypedMultipleChoiceField(
            label="开展地点",
            coerce=int,
            required=False,
            choices=[(str(c.pk), f"{c.township}{c.name}") for c in communities],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        )
        field.error_messages["invalid_choice"] = "只能选择本单位包联的村（社区）。"
        self.fields["communities"] = field


class VisitForm(BootstrapMixin, forms.Form):
    visited_on = _date("走访日期")
    visitors = _text("走访人员", LIMITS["visitors"])
    households = _number("走访户数")
    summary = _text("走访情况", LIMITS["summary"], rows=4)
    is_public = _flag("对外公开", help_text="公开的走访在村（社区）页面可见，不显示反映人")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, PROBLEM_ROWS + 1):
            self.fields[f"p{i}_description"] = _text("问题", LIMITS["description"])
            self.fields[f"p{i}_raised_by"] = _text("反映人", LIMITS["raised_by"])
            self.fields[f"p{i}_owner_name"] = _text("责任人", LIMITS["owner_name"])
            self.fields[f"p{i}_due_on"] = _date("办理时限")
            for name in ("description", "raised_by", "owner_name", "due_on"):
                self.fields[f"p{i}_{name}"].widget.attrs["class"] = "form-control form-control-sm"

    def problem_rows(self):
        return [
            [self[f"p{i}_{name}"] for name in ("description", "raised_by", "owner_name", "due_on")]
            for i in range(1, PROBLEM_ROWS + 1)
        ]

    def problems(self) -> list[dict]:
        """The filled problem rows as the service takes them (a row with any value counts)."""
        data = self.cleaned_data
        out = []
        for i in range(1, PROBLEM_ROWS + 1):
            row = {
                "description": data.get(f"p{i}_description", ""),
                "raised_by": data.get(f"p{i}_raised_by", ""),
                "owner_name": data.get(f"p{i}_owner_name", ""),
                "due_on": data.get(f"p{i}_due_on"),
            }
            if any(row.values()):
                out.append(row)
        return out


class ProblemForm(BootstrapMixin, forms.Form):
    description = _text("问题", LIMITS["description"], rows=2)
    raised_by = _text("反映人", LIMITS["raised_by"])
    owner_name = _text("责任人", LIMITS["owner_name"])
    due_on = _date("办理时限")


class ProblemUpdateForm(BootstrapMixin, forms.Form):
    status = _choice("办理状态", ProblemStatus.choices)
    resolution = _text("办理结果", LIMITS["resolution"], rows=2)
    resolved_on = _date("办结日期", help_text="已解决或已解释时填写，默认今天")


class ExportForm(forms.Form):
    org = forms.CharField(required=False, max_length=20)
    status = forms.CharField(required=False, max_length=20)
