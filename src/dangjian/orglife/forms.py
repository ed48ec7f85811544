"""Forms of organisational life. Choices of people come from the meeting's roster (or the
branch's members when planning); the services check membership again."""

from __future__ import annotations

from django import forms

from dangjian.core.errors import AppError
from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.orglife.models import KIND_CHOICES, AttendanceStatus, ResolutionStatus
from dangjian.rules.orglife import MeetingKind

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
RECORD_CHOICES = [
    ("", "请选择"),
    (AttendanceStatus.PRESENT, "实到"),
    (AttendanceStatus.LEAVE, "请假"),
    (AttendanceStatus.ABSENT, "缺席"),
]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=DateTimeInput(), input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
    )


def person_choices(members) -> list[tuple[str, str]]:
    return [("", "—"), *[(str(m.pk), m.name) for m in members]]


class PersonField(forms.TypedChoiceField):
    def __init__(self, label: str, **kwargs):
        super().__init__(label=label, coerce=int, required=False, empty_value=None, **kwargs)


def people_from(cleaned: dict, members_by_id: dict, fields) -> dict:
    return {f: members_by_id.get(cleaned.get(f)) for f in fields}


def first_error(form) -> AppError:
    """A form's first error as an AppError (for the small POST forms on the detail page,
    which answer with a message and a redirect)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return AppError(f"{label}：{errors[0]}" if label else errors[0], field=field)
    return AppError("请求数据有误。")


#: what orglife's own planning offers: a 学习培训 is planned from the study pages (its hours
#: and form are part of planning it), never here
PLAN_KIND_CHOICES = [(k, label) for k, label in KIND_CHOICES if k != MeetingKind.STUDY_SESSION]


class MeetingPlanForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=[("", "请选择"), *PLAN_KIND_CHOICES])
    topic = forms.CharField(label="会议主题", max_length=200)
    starts_at = _datetime("开始时间")
    ends_at = _datetime("结束时间")
    place = forms.CharField(label="会议地点", max_length=200, required=False)
    agenda = forms.CharField(
        label="会议议程", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    convener = PersonField("召集人")
    chair = PersonField("主持人")
    chair_delegated_by = PersonField(
        "委托主持人", help_text="书记不能到会、委托他人主持时，填书记（R-ORGLIFE-06）"
    )
    recorder = PersonField("记录人")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("convener", "chair", "chair_delegated_by", "recorder"):
            self.fields[name].choices = person_choices(members)


class RecordForm(BootstrapMixin, forms.Form):
    """One status select and one reason input per roster row, then one optional late
    addition, the minutes, chair and recorder."""

    minutes = forms.CharField(
        label="会议记录", max_length=50000, widget=forms.Textarea(attrs={"rows": 10})
    )
    chair = PersonField("主持人")
    chair_delegated_by = PersonField("委托主持人")
    recorder = PersonField("记录人")
    add_member = PersonField("补充应到人员", help_text="会后登记时新加入本支部的党员")
    add_status = forms.ChoiceField(label="补充人员出席情况", choices=RECORD_CHOICES, required=False)
    add_reason = forms.CharField(
        label="补充原因", max_length=200, required=False, help_text="请假的，同时写明请假原因"
    )

    def __init__(self, *args, rows=(), candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        roster = [r.member for r in self.rows]
        for name in ("chair", "chair_delegated_by", "recorder"):
            self.fields[name].choices = person_choices(roster)
        self.fields["add_member"].choices = person_choices(candidates)
        for row in self.rows:
            self.fields[f"status_{row.member_id}"] = forms.ChoiceField(
                label=row.member.name,
                choices=RECORD_CHOICES,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"reason_{row.member_id}"] = forms.CharField(
                label=f"{row.member.name}的原因",
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def row_fields(self):
        """(row, status field, reason field) for the template."""
        return [
            (r, self[f"status_{r.member_id}"], self[f"reason_{r.member_id}"]) for r in self.rows
        ]

    def attendance(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        out = {
            r.member_id: (
                data.get(f"status_{r.member_id}") or "",
                data.get(f"reason_{r.member_id}"),
            )
            for r in self.rows
        }
        if data.get("add_member"):
            out[data["add_member"]] = (data.get("add_status") or "", data.get("add_reason") or "")
        return out

    def added(self) -> dict[int, str]:
        data = self.cleaned_data
        if not data.get("add_member"):
            return {}
        return {data["add_member"]: data.get("add_reason") or ""}


class CorrectionForm(BootstrapMixin, forms.Form):
    topic = forms.CharField(label="会议主题", max_length=200)
    starts_at = _datetime("开始时间")
    ends_at = _datetime("结束时间")
    place = forms.CharField(label="会议地点", max_length=200, required=False)
    agenda = forms.CharField(
        label="会议议程", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(
        label="会议记录", max_length=50000, widget=forms.Textarea(attrs={"rows": 8})
    )
    chair = PersonField("主持人")
    recorder = PersonField("记录人")
    reason = forms.CharField(
        label="更正原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chair", "recorder"):
            self.fields[name].choices = person_choices(members)


class MakeUpForm(BootstrapMixin, forms.Form):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    due_on = forms.DateField(label="完成期限", widget=DateInput())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(m.pk), m.name) for m in members]


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label="情况说明", max_length=2000)


class ResolutionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label="决议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = PersonField("责任人")
    due_on = forms.DateField(label="完成期限", widget=DateInput(), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = person_choices(members)


class ResolutionCloseForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label="结果",
        choices=[(ResolutionStatus.DONE, "已办结"), (ResolutionStatus.DROPPED, "撤销")],
    )
    note = forms.CharField(label="说明", max_length=2000, required=False)


class SignInForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label="签到码",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )
    late_reason = forms.CharField(
        label="迟到原因", max_length=200, required=False, help_text="会议开始15分钟后签到的须填写"
    )
