"""Forms of the work points and tasks. They parse; the services decide (required fields, the
units below, the dates inside the year, the progress range, the files by their content) and
their refusals land at the field (`call_service`)."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.responsibility.models import Evaluation, TaskKind


def _org_label(org) -> str:
    unit = getattr(org, "unit", None)
    short = (unit.short_name or unit.name) if unit is not None else ""
    return f"{org.name}（{short}）" if short and short not in org.name else org.name


def _messages(form, **fields) -> None:
    for name, text in fields.items():
        form.fields[name].error_messages["invalid"] = text
        form.fields[name].error_messages["invalid_choice"] = text


class PointForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="年度", required=False)
    seq = forms.IntegerField(label="序号", required=False, help_text="留空按顺序自动编号")
    title = forms.CharField(label="要点", max_length=200, required=False)
    content = forms.CharField(
        label="主要内容",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["year"]
        else:
            _messages(self, year="年度须为四位数字。")
        _messages(self, seq="序号须为整数。")


class TaskFieldsMixin(forms.Form):
    title = forms.CharField(label="任务", max_length=200, required=False)
    starts_on = forms.DateField(label="开始日期", required=False, widget=DateInput())
    due_on = forms.DateField(label="完成时限", required=False, widget=DateInput())
    content = forms.CharField(
        label="任务要求",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_asked = forms.CharField(
        label="佐证材料要求",
        max_length=200,
        required=False,
        help_text="如：会议记录、照片、工作总结",
    )

    def _date_messages(self):
        _messages(self, starts_on="请填写有效的日期。", due_on="请填写有效的日期。")


class AssignForm(BootstrapMixin, TaskFieldsMixin):
    """Which units (checkboxes, or all of them) and the task they get."""

    all_units = forms.BooleanField(label="全部单位", required=False)
    units = forms.TypedMultipleChoiceField(
        label="责任单位", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = ["all_units", "units", "title", "starts_on", "due_on", "content"]

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(o.pk, _org_label(o)) for o in units]
        self.fields["units"].widget.attrs["class"] = "form-check-input"
        _messages(self, units="所选单位不是本级以下的单位，请刷新后重试。")
        self._date_messages()


class OwnTaskForm(BootstrapMixin, TaskFieldsMixin):
    org = forms.TypedChoiceField(label="单位", coerce=int, empty_value=None, required=False)
    year = forms.IntegerField(label="年度", required=False)
    kind = forms.ChoiceField(
        label="类别", choices=[("", "请选择"), *TaskKind.choices], required=False
    )

    field_order = ["org", "year", "kind", "title", "starts_on", "due_on", "content"]

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *[(o.pk, _org_label(o)) for o in units]]
        _messages(
            self,
            org="请选择有效的单位。",
            year="年度须为四位数字。",
            kind="请选择任务类别（党建任务或业务工作）。",
        )
        self._date_messages()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files, passed on as they are: the service judges each by its content."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [f for f in data if f]
        return [data] if data else []


class ReportForm(BootstrapMixin, forms.Form):
    progress = forms.IntegerField(
        label="完成进度（%）",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"}),
    )
    text = forms.CharField(
        label="进展情况",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    meeting = forms.TypedChoiceField(
        label="关联会议记录", coerce=int, empty_value=None, required=False
    )
    files = FilesField(
        label="照片或文档",
        required=False,
        help_text="可多选：照片（JPG、PNG、WebP）或文档（PDF、Word、Excel），每个不超过10MB",
        widget=MultipleFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx"}),
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [
            ("", "不关联"),
            *[
                (
                    m.pk,
                    f"{m.starts_at:%Y-%m-%d} {m.org.name} {m.get_kind_display()}《{m.topic}》",
                )
                for m in meetings
            ],
        ]
        _messages(
            self,
            progress="完成进度须为0至100的整数。",
            meeting="请选择本单位或下级组织的会议记录。",
        )


class SupervisionForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label="督办意见",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    respond_by = forms.DateField(label="限期反馈", required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _messages(self, respond_by="请填写有效的日期。")


class CloseForm(BootstrapMixin, forms.Form):
    evaluation = forms.ChoiceField(
        label="评价", choices=[("", "请选择"), *Evaluation.choices], required=False
    )
    note = forms.CharField(
        label="评价意见",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, own: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if own:
            self.fields["evaluation"].choices = [("", "不评价"), *Evaluation.choices]
            self.fields["note"].label = "办结说明"
        _messages(self, evaluation="请选择评价（优秀、良好、合格、不合格）。")
