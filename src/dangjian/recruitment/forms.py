"""Forms of 发展党员. They parse; the services decide (dates in order, the people a step names,
the 支部大会 vote, R-DEV-25) and their refusals land at the field through `call_service`.

`StepForm` is built for one step of the step table (rules.recruitment_steps.STEPS): it carries
exactly the fields the step records, so a 公示 asks for its end date, the training for days
and hours, the approval for its result and the 支部大会 for its meeting and vote counts."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.members.models import Employment
from dangjian.rules.base import RULES
from dangjian.rules.codes import EDUCATION, ETHNICITIES, POSTS
from dangjian.rules.recruitment_steps import STAGE_LABELS, Actor, Step

#: the documents the platform generates, by kind (the `document` of the step table)
DOCUMENT_KINDS: dict[str, str] = {
    "publicity_notice": "发展对象公示",
    "assembly_list": "支部党员大会讨论名单",
    "conversion_summary": "预备党员转正情况汇总",
}

#: the steps taken by a body above the branch (RECRUIT_APPROVE strictly above it)
COMMITTEE_ACTORS = frozenset({Actor.COMMITTEE, Actor.PARTY_GROUP, Actor.DEPARTMENT})

#: steps whose `records` include "vote" but which also record a number of months (R-DEV-21)
MONTHS_STEPS = frozenset({"extension"})

#: steps that name members of the branch: contacts 1–2 (R-DEV-05), introducers 2 (R-DEV-09);
#: the talks may also name people from outside the branch in words
PEOPLE_TEXT_STEPS = frozenset({"talk", "approval_talk"})

RESULT_CHOICES = [("", "请选择"), ("yes", "通过（合格）"), ("no", "未通过")]


def _choices(objects, label=str, empty="—") -> list[tuple[str, str]]:
    return [("", empty), *[(str(o.pk), label(o)) for o in objects]]


def org_label(org) -> str:
    return ("　" * max(org.depth - 1, 0)) + org.name


def meeting_label(meeting) -> str:
    return f"{meeting.starts_at:%Y-%m-%d} {meeting.topic}"


class IdField(forms.TypedChoiceField):
    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(label=label, coerce=int, empty_value=None, **kwargs)


class CandidateForm(BootstrapMixin, forms.Form):
    """登记入党申请: the person and the day the written application was received."""

    branch = IdField("党支部")
    name = forms.CharField(label="姓名", max_length=50, required=False)
    sex = forms.ChoiceField(
        label="性别", choices=[("", "请选择"), ("1", "男"), ("2", "女")], required=False
    )
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput())
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITIES, initial="01", required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "—"), *EDUCATION], required=False)
    unit_post = forms.CharField(label="单位职务", max_length=50, required=False)
    application_on = forms.DateField(
        label="递交入党申请书日期",
        required=False,
        widget=DateInput(),
        help_text="年满18周岁方可申请入党（R-DEV-01）",
    )
    leaving_on = forms.DateField(
        label="预计调离日期",
        required=False,
        widget=DateInput(),
        help_text="三个月内将离开工作单位的，一般不办理接收（R-DEV-13）",
    )
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = _choices(branches, org_label, "请选择")
        self.fields["branch"].error_messages["invalid_choice"] = "请选择有效的党支部。"
        for name in ("birth_date", "application_on", "leaving_on"):
            self.fields[name].error_messages["invalid"] = "请填写有效的日期。"
        self.fields["sex"].error_messages["invalid_choice"] = "请选择性别。"


#: the member items the approval (step 17) asks for: the candidate's file does not hold them
#: and the 预备党员's record is created from them (R-INFO-01)
MEMBER_ITEMS = ("id_number", "phone", "address", "post", "employment", "education")
#: what a correction may change (services.step_correct): the meeting, the vote, the people
#: and the material stay as recorded
CORRECTABLE = ("on", "end_on", "days", "hours", "passed", "months", "people_text", "body", "note")


class StepForm(BootstrapMixin, forms.Form):
    """The fields one step records (its `records` in the step table), plus the date, a note
    and, for a 一般 rule the step departs from, the rule and the reason. `correcting` leaves
    out what a correction cannot change and asks for the reason."""

    on = forms.DateField(label="日期", required=False, widget=DateInput())

    def __init__(
        self,
        *args,
        step: Step,
        people=(),
        meetings=(),
        override_rules=(),
        correcting: bool = False,
        needs_education: bool = False,
        **kwargs,
    ):
        self.step = step
        self.correcting = correcting
        super().__init__(*args, **kwargs)
        fields = self.fields
        records = set(step.records)
        if correcting:
            records -= {"vote", "people", "document"}
        fields["on"].label = _date_label(step)
        if "end" in records:
            fields["end_on"] = forms.DateField(
                label="公示截止日期" if step.code == "prospect_publicity" else "结束日期",
                required=False,
                widget=DateInput(),
            )
        if "days" in records:
            fields["days"] = forms.IntegerField(
                label="培训天数", required=False, min_value=0, max_value=365
            )
        if "hours" in records:
            fields["hours"] = forms.DecimalField(
                label="培训学时",
                required=False,
                min_value=0,
                max_digits=6,
                decimal_places=1,
                help_text="一般不少于3天或24学时（R-DEV-11）",
            )
        if "result" in records:
            fields["passed"] = forms.ChoiceField(
                label="结论", choices=RESULT_CHOICES, required=False
            )
        if step.code in MONTHS_STEPS:
            fields["months"] = forms.IntegerField(
                label="延长月数",
                required=False,
                help_text="延长一次，不少于半年、最长不超过一年（R-DEV-21）",
            )
        if "vote" in records:
            fields["meeting"] = IdField("支部党员大会")
            fields["meeting"].choices = _choices(meetings, meeting_label, "请选择已召开的会议")
            fields["meeting"].error_messages["invalid_choice"] = "请选择本支部已召开的党员大会。"
            fields["meeting"].help_text = (
                "只列出已召开（未归档）的支部党员大会；会议尚未登记的，请先在组织生活中登记"
                "该次会议召开。"
            )
            for name, label in (("yes", "赞成"), ("no", "反对"), ("abstain", "弃权")):
                fields[name] = forms.IntegerField(
                    label=f"{label}票", required=False, min_value=0, max_value=100000
                )
        if "people" in records:
            fields["people"] = forms.TypedMultipleChoiceField(
                label=_people_label(step.code),
                coerce=int,
                required=False,
                choices=[(str(m.pk), m.name) for m in people],
                widget=forms.CheckboxSelectMultiple,
                help_text="限本支部正式党员（R-GEN-03）",
            )
            fields["people"].error_messages["invalid_choice"] = (
                "所选人员不是本支部正式党员，请刷新后重试。"
            )
            if step.code in PEOPLE_TEXT_STEPS:
                fields["people_text"] = forms.CharField(
                    label="其他谈话人", max_length=200, required=False
                )
        if step.actor in COMMITTEE_ACTORS:
            fields["body"] = forms.CharField(
                label="办理机构", max_length=100, required=False, help_text="如：某局机关党委"
            )
        if "document" in records:
            fields["document"] = forms.FileField(
                label="材料", required=False, help_text="可上传 Word、PDF 或照片"
            )
        if step.code == "approval" and not correcting:
            self._member_fields(needs_education)
        fields["note"] = forms.CharField(label="说明", max_length=500, required=False)
        if override_rules:
            fields["override_rule"] = forms.ChoiceField(
                label="特殊情况所涉规则",
                required=False,
                choices=[("", "无"), *[(r, _rule_label(r)) for r in override_rules]],
                help_text="仅“一般”性规定可说明特殊情况，硬性规定不能豁免",
            )
            fields["override_reason"] = forms.CharField(
                label="特殊情况说明", max_length=300, required=False
            )
        if correcting:
            fields["reason"] = forms.CharField(label="更正原因", max_length=200, required=False)
        # BootstrapMixin ran before the step's own fields existed
        for field in fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif "class" not in widget.attrs:
                widget.attrs["class"] = (
                    "form-select" if isinstance(widget, forms.Select) else "form-control"
                )
        for field in fields.values():
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "请填写有效的日期。"
            elif isinstance(field, (forms.IntegerField, forms.DecimalField)):
                field.error_messages["invalid"] = "请填写数字。"
                field.error_messages["min_value"] = "不能为负数。"

    def _member_fields(self, needs_education: bool) -> None:
        fields = self.fields
        help_text = "审批通过时据此建立预备党员档案"
        fields["id_number"] = forms.CharField(
            label="公民身份号码", max_length=18, required=False, help_text=help_text
        )
        fields["phone"] = forms.CharField(label="联系电话", max_length=60, required=False)
        fields["address"] = forms.CharField(label="家庭住址", max_length=200, required=False)
        fields["post"] = forms.ChoiceField(
            label="工作岗位", choices=[("", "请选择"), *POSTS], required=False
        )
        fields["employment"] = forms.ChoiceField(
            label="在职状态", choices=Employment.choices, initial="in_service", required=False
        )
        if needs_education:
            fields["education"] = forms.ChoiceField(
                label="学历", choices=[("", "请选择"), *EDUCATION], required=False
            )

    @property
    def member_items(self) -> list[str]:
        return [name for name in MEMBER_ITEMS if name in self.fields]

    def service_kwargs(self, *, people_by_id=None, meetings_by_id=None) -> dict:
        """The cleaned data as step_record's (or, correcting, step_correct's) keywords."""
        data = self.cleaned_data
        kwargs = {"on": data.get("on"), "note": data.get("note", "")}
        for name in ("end_on", "days", "hours", "months", "people_text", "body"):
            if name in self.fields:
                kwargs[name] = data.get(name)
        if "passed" in self.fields:
            kwargs["passed"] = {"yes": True, "no": False}.get(data.get("passed") or "")
        if "people" in self.fields:
            kwargs["people"] = [people_by_id[pk] for pk in data.get("people") or []]
        if self.member_items and kwargs.get("passed"):
            kwargs["member_fields"] = {name: data.get(name) or "" for name in self.member_items}
        if "meeting" in self.fields:
            kwargs["meeting"] = meetings_by_id.get(data.get("meeting"))
            counts = [data.get(n) for n in ("yes", "no", "abstain")]
            kwargs["vote_counts"] = None if all(c is None for c in counts) else counts
        if "override_rule" in self.fields:
            kwargs["override_rule"] = data.get("override_rule") or ""
            kwargs["override_reason"] = data.get("override_reason") or ""
        if "document" in self.fields:
            kwargs["document"] = data.get("document")
        return {
            k: ("" if v is None and k in ("people_text", "body") else v) for k, v in kwargs.items()
        }


def _date_label(step: Step) -> str:
    if step.code == "prospect_publicity":
        return "公示开始日期"
    if step.code == "training":
        return "培训开始日期"
    return "日期"


def _people_label(code: str) -> str:
    return {
        "contacts": "培养联系人（1至2名）",
        "introducers": "入党介绍人（2名）",
        "talk": "谈话人",
        "approval_talk": "谈话人",
    }.get(code, "相关党员")


def _rule_label(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return f"{rule_id} {rule.title}" if rule else rule_id


class ReasonForm(BootstrapMixin, forms.Form):
    """The reason of a correction, a deletion or a withdrawal (audited)."""

    reason = forms.CharField(label="原因", max_length=200, required=False)


class TemplateUploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label="文书", choices=[("", "请选择"), *DOCUMENT_KINDS.items()], required=False
    )
    org = IdField("适用组织", help_text="对该组织及其下级党组织生效；下级另有模板的，以下级为准")
    file = forms.FileField(label="Word 模板（.docx）", required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _choices(orgs, org_label, "请选择")
        self.fields["org"].error_messages["invalid_choice"] = "请选择有效的组织。"
        self.fields["kind"].error_messages["invalid_choice"] = "请选择文书种类。"


class BoardFilterForm(forms.Form):
    """The board's filters (GET): a bad value is ignored, never an error page."""

    stage = forms.ChoiceField(required=False, choices=[("", "全部阶段"), *STAGE_LABELS.items()])
    due = forms.BooleanField(required=False)
    errors = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=50)
