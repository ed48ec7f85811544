"""Forms of the retirees, pairings, contacts, requests, interest groups and offices. Dates and
choices stay text: the services say in Chinese what is wrong, at the field."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.veterans.models import (
    ContactKind,
    RequestKind,
    RequestSource,
    RetireeStatus,
    Satisfaction,
)

TEXTAREA = {"rows": 3}
GENDERS = [("", "—"), ("M", "男"), ("F", "女")]


def _area(label, rows=3, required=False):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _date(label, required=False):
    return forms.CharField(label=label, required=required, widget=DateInput())


def _choices(rows, blank="请选择"):
    return [("", blank), *[(str(r.pk), str(r)) for r in rows]]


class RetireeForm(BootstrapMixin, forms.Form):
    org = forms.ChoiceField(label="所在组织")
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "—"), ("M", "男"), ("F", "女")]
    )
    birth_date = _date("出生日期")
    status = forms.ChoiceField(label="离退休类别", choices=RetireeStatus.choices)
    former_unit = forms.CharField(label="原工作单位", required=False, max_length=100)
    former_post = forms.CharField(label="原职务", required=False, max_length=100)
    retired_on = _date("离退休时间")
    phone = forms.CharField(label="联系电话", required=False, max_length=60)
    address = forms.CharField(label="住址", required=False, max_length=200)
    health_note = forms.CharField(
        label="健康状况", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    living_alone = forms.BooleanField(label="独居", required=False)
    died_on = _date("去世日期")
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, orgs=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(orgs)
        if editing:
            for key in ("phone", "address", "health_note"):
                self.fields[key].help_text = "已加密保存；留空则不修改。"
        else:
            del self.fields["died_on"]


class PairingForm(BootstrapMixin, forms.Form):
    cadre = forms.ChoiceField(label="结对干部（在职党员）")
    started_on = _date("结对日期", required=True)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [("", "请选择")] + [
            (str(m.pk), f"{m.name}（{m.branch.name}）") for m in cadres
        ]


class ContactForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label="联系方式", choices=ContactKind.choices, widget=forms.RadioSelect
    )
    contacted_on = _date("联系日期", required=True)
    thoughts = forms.CharField(
        label="思想动态", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    living = forms.CharField(
        label="生活状况", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    note = forms.CharField(
        label="其他情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequestForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="诉求类别", choices=RequestKind.choices)
    source = forms.ChoiceField(label="来源", choices=RequestSource.choices)
    family_name = forms.CharField(
        label="反映人（家属）姓名", required=False, max_length=50, help_text="家属反映时必填。"
    )
    content = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs=TEXTAREA))
    office = forms.ChoiceField(label="责任处室")
    raised_on = _date("提出日期", required=True)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = _choices(offices)


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs=TEXTAREA))
    answered_on = _date("答复日期", required=True)


class FeedbackForm(BootstrapMixin, forms.Form):
    satisfaction = forms.ChoiceField(
        label="老干部满意度", choices=[("", "请选择"), *Satisfaction.choices]
    )
    fed_back_on = _date("反馈日期", required=True)


class CloseForm(BootstrapMixin, forms.Form):
    closed_on = _date("办结日期", required=True)


class ReassignForm(BootstrapMixin, forms.Form):
    office = forms.ChoiceField(label="转办至")

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = _choices(offices)


class GroupForm(BootstrapMixin, forms.Form):
    org = forms.ChoiceField(label="所属党支部")
    name = forms.CharField(label="小组名称", max_length=50)
    note = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(orgs)


class JoinForm(BootstrapMixin, forms.Form):
    retiree = forms.ChoiceField(label="加入成员")

    def __init__(self, *args, retirees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retiree"].choices = _choices(retirees)


class OfficeForm(BootstrapMixin, forms.Form):
    org = forms.ChoiceField(label="所属单位")
    name = forms.CharField(label="处室名称", max_length=50)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(orgs)
