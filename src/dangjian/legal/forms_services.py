"""Forms of the 司法局's legal services. They parse; the services decide, and their refusals
land at the field (`call_service`). Choices of lawyers, firms and places come from the scoped
selectors, so an id outside the user's reach is refused at the field."""

from __future__ import annotations

from django import forms

from dangjian.cocreation.models import Community
from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.legal.models import (
    ActivityKind,
    AidOutcome,
    ApplicantCategory,
    GovLevel,
    LawFirm,
    Lawyer,
    ServiceKind,
)
from dangjian.legal.selectors_services import MANAGE


def _text(label, max_length, *, required=False, rows=None, **kwargs):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    field = forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, **kwargs
    )
    field.error_messages.update(
        {"required": f"请填写{label}。", "max_length": f"{label}不能超过{max_length}字。"}
    )
    return field


def _date(label, *, required=False, **kwargs):
    field = forms.DateField(label=label, widget=DateInput(), required=required, **kwargs)
    field.error_messages.update(
        {"required": f"请填写{label}。", "invalid": f"{label}无效，应为 YYYY-MM-DD。"}
    )
    return field


def _choice(label, choices, *, required=True, empty="请选择"):
    field = forms.ChoiceField(label=label, choices=[("", empty), *choices], required=required)
    field.error_messages.update(
        {"invalid_choice": f"请选择有效的{label}。", "required": f"请选择{label}。"}
    )
    return field


def _count(label, *, required=False):
    field = forms.IntegerField(label=label, required=required, min_value=0, max_value=10_000_000)
    field.error_messages.update(
        {
            "required": f"请填写{label}。",
            "invalid": f"{label}应为整数。",
            "min_value": f"{label}不能为负数。",
            "max_value": f"{label}过大。",
        }
    )
    return field


def _model(label, queryset, *, required=True, labeller=None, multiple=False):
    cls = forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField
    kwargs = {} if multiple else {"empty_label": "请选择"}
    field = cls(queryset=queryset, label=label, required=required, **kwargs)
    if labeller:
        field.label_from_instance = labeller
    field.error_messages.update(
        {
            "required": f"请选择{label}。",
            "invalid_choice": f"请选择有效的{label}。",
            "invalid_pk_value": f"请选择有效的{label}。",
        }
    )
    return field


def _lawyer_label(lawyer) -> str:
    return f"{lawyer.name}（{lawyer.firm.name}）"


def lawyers_of(user):
    return Lawyer.objects.visible_to(user, MANAGE).filter(is_active=True).select_related("firm")


class UnitMixin:
    """Adds a `unit` choice in front when the user manages legal services for several units."""

    def add_unit(self, units):
        self.units = list(units)
        if len(self.units) > 1:
            field = forms.TypedChoiceField(
                label="单位",
                coerce=int,
                choices=[("", "请选择"), *[(str(o.pk), o.name) for o in self.units]],
            )
            field.error_messages.update(
                {"required": "请选择单位。", "invalid_choice": "请选择有效的单位。"}
            )
            field.widget.attrs["class"] = "form-select"
            self.fields = {"unit": field, **self.fields}

    def unit(self):
        if len(self.units) == 1:
            return self.units[0]
        pk = self.cleaned_data.get("unit")
        return next((o for o in self.units if o.pk == pk), None)


class FirmForm(UnitMixin, BootstrapMixin, forms.Form):
    name = _text("律师事务所名称", 100, required=True)
    licence_no = _text("执业许可证号", 30)
    district = _text("所在县（市、区）", 50)

    def __init__(self, *args, units=(), branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["party_branch"] = _model(
                "律所党组织", branches, required=False, labeller=lambda o: o.name
            )
            self.fields["party_branch"].widget.attrs["class"] = "form-select"
        self.add_unit(units)


class LawyerForm(BootstrapMixin, forms.Form):
    name = _text("姓名", 50, required=True)
    gender = _choice("性别", [("M", "男"), ("F", "女")], required=False)
    licence_no = _text("执业证号", 17, required=True, help_text="17位数字")
    is_party_member = forms.BooleanField(label="中共党员", required=False)
    practising_since = _date("执业时间")
    phone = _text("联系电话", 20, help_text="加密保存，列表中只显示掩码；留空则不修改")
    is_active = forms.BooleanField(label="执业中", required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        firms = LawFirm.objects.visible_to(user, MANAGE).order_by("name")
        self.fields = {"firm": _model("律师事务所", firms), **self.fields}
        self.fields["firm"].widget.attrs["class"] = "form-select"
        self.fields["licence_no"].widget.attrs["inputmode"] = "numeric"


class AssignForm(BootstrapMixin, forms.Form):
    started_on = _date("开始日期", help_text="留空为今天")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        places = Community.objects.order_by("district", "township", "name")
        self.fields = {
            "community": _model(
                "村（社区）", places, labeller=lambda c: f"{c.district}{c.township}{c.name}"
            ),
            "lawyer": _model("律师", lawyers_of(user), labeller=_lawyer_label),
            **self.fields,
        }
        for name in ("community", "lawyer"):
            self.fields[name].widget.attrs["class"] = "form-select"


class EndForm(BootstrapMixin, forms.Form):
    ended_on = _date("结束日期", help_text="留空为今天")


class LogForm(BootstrapMixin, forms.Form):
    kind = _choice("服务类别", ServiceKind.choices)
    served_on = _date("服务日期", required=True)
    count = _count("件（人）次", required=True)
    summary = _text("服务内容", 2000, rows=2)


class PostForm(UnitMixin, BootstrapMixin, forms.Form):
    name = _text("党委政府名称", 100, required=True)
    level = _choice("层级", GovLevel.choices)
    district = _text("所在县（市、区）", 50)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_unit(units)


class AppointForm(BootstrapMixin, forms.Form):
    started_on = _date("聘任日期", help_text="留空为今天")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "lawyer": _model("律师", lawyers_of(user), labeller=_lawyer_label),
            **self.fields,
        }
        self.fields["lawyer"].widget.attrs["class"] = "form-select"


class CaseForm(UnitMixin, BootstrapMixin, forms.Form):
    case_no = _text("案号", 40, required=True)
    applicant_name = _text("申请人", 50, required=True)
    applicant_category = _choice("申请人类别", ApplicantCategory.choices)
    matter = _text("援助事项", 200, required=True)
    applied_on = _date("申请日期", required=True)
    note = _text("备注", 2000, rows=2)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_unit(units)


class AcceptForm(BootstrapMixin, forms.Form):
    accepted_on = _date("受理日期", help_text="留空为今天")


class RefuseForm(BootstrapMixin, forms.Form):
    reason = _text("不予援助理由", 2000, required=True, rows=2)
    decided_on = _date("决定日期", help_text="留空为今天")


class CaseAssignForm(BootstrapMixin, forms.Form):
    assigned_on = _date("指派日期", help_text="留空为今天")

    def __init__(self, *args, user=None, org_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        lawyers = lawyers_of(user)
        if org_path is not None:
            # only the case's own unit's lawyers may be assigned (the service checks it too)
            lawyers = lawyers.filter(org_path=org_path)
        self.fields = {
            "lawyer": _model("承办律师", lawyers, labeller=_lawyer_label),
            **self.fields,
        }
        self.fields["lawyer"].widget.attrs["class"] = "form-select"


class CloseForm(BootstrapMixin, forms.Form):
    outcome = _choice("结果", AidOutcome.choices)
    closed_on = _date("结案日期", help_text="留空为今天")


class ActivityForm(UnitMixin, BootstrapMixin, forms.Form):
    kind = _choice("活动类别", ActivityKind.choices)
    title = _text("主题", 200, required=True)
    held_on = _date("活动日期", required=True)
    place = _text("地点", 100)
    participants = _count("参加（受众）人次")
    summary = _text("情况", 5000, rows=3)

    def __init__(self, *args, units=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = _model(
            "参加律师", lawyers_of(user), required=False, labeller=_lawyer_label, multiple=True
        )
        field.widget.attrs["size"] = 6
        self.fields["lawyers"] = field
        self.fields["lawyers"].widget.attrs["class"] = "form-select"
        self.add_unit(units)


class ItemForm(UnitMixin, BootstrapMixin, forms.Form):
    heading = _text("板块", 100, required=True, help_text="如：党建+律师246工作体系中的某一部分")
    kind = _choice("类别", [("goal", "目标"), ("measure", "举措")])
    text = _text("内容", 2000, required=True, rows=3)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_unit(units)
