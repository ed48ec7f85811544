"""Forms of votes, attachments, 民主评议 and 谈心谈话; the services check everything again."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.orglife.forms import PersonField, person_choices
from dangjian.rules.orglife import APPRAISAL_GRADES


class VoteForm(BootstrapMixin, forms.Form):
    motion = forms.CharField(label="表决事项", max_length=500)
    yes = forms.IntegerField(label="赞成", min_value=0, initial=0)
    no = forms.IntegerField(label="反对", min_value=0, initial=0)
    abstain = forms.IntegerField(label="弃权", min_value=0, initial=0)


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="附件（照片jpg/png/webp，文档pdf/docx/xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,.docx,.xlsx"}),
    )


GRADE_CHOICES = [("", "未评定"), *APPRAISAL_GRADES]


class AppraisalForm(BootstrapMixin, forms.Form):
    """One grade and note per rated (full) member of the roster."""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for m in self.members:
            self.fields[f"grade_{m.pk}"] = forms.ChoiceField(
                label=m.name,
                choices=GRADE_CHOICES,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"note_{m.pk}"] = forms.CharField(
                label=f"{m.name}备注",
                max_length=500,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self):
        return [(m, self[f"grade_{m.pk}"], self[f"note_{m.pk}"]) for m in self.members]

    def grades(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            m.pk: (data.get(f"grade_{m.pk}") or "", data.get(f"note_{m.pk}") or "")
            for m in self.members
        }


class TalkForm(BootstrapMixin, forms.Form):
    talked_on = forms.DateField(label="谈话日期", widget=DateInput())
    initiator = PersonField("谈话人")
    partner = PersonField("谈话对象")
    topic = forms.CharField(label="谈话主题", max_length=200)
    note = forms.CharField(
        label="谈话情况", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = person_choices(members)
        self.fields["initiator"].choices = choices
        self.fields["partner"].choices = choices
        self.fields["initiator"].required = True
        self.fields["partner"].required = True
