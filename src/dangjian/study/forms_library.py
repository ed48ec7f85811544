"""Forms of the library and self-test pages. They parse; the services decide (file types, who
may assign to which org, what makes a question valid, the test's bounds) and their refusals
land at the field (core.forms.call_service)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.study.models import MaterialKind, QuestionKind, Topic
from dangjian.study.quiz_import import OPTION_LETTERS, parse_answer


def _choice(label: str, choices, *, required=True, empty="请选择") -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=[("", empty), *choices], required=required)
    field.error_messages.update(
        {"invalid_choice": f"请选择有效的{label}。", "required": f"请选择{label}。"}
    )
    return field


def _required(field: forms.Field, label: str) -> forms.Field:
    field.error_messages["required"] = f"请填写{label}。"
    return field


def org_choices(orgs) -> list[tuple[str, str]]:
    return [(str(o.pk), ("　" * max(o.depth - 1, 0)) + o.name) for o in orgs]


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MaterialForm(BootstrapMixin, forms.Form):
    org = _choice("发布组织", [])
    topic = _choice("专题", [])
    title = _required(forms.CharField(label="标题", max_length=200), "标题")
    description = forms.CharField(
        label="简介", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = _choice("类型", MaterialKind.choices)
    file = forms.FileField(
        label="文件",
        required=False,
        help_text="文档：PDF、Word、Excel、PowerPoint 或 JPG/PNG 图片；视频：MP4。",
    )
    url = forms.CharField(
        label="链接", required=False, max_length=500, help_text="链接类资料必填，以 https:// 开头"
    )
    minutes = forms.IntegerField(
        label="预计学习时长（分钟）", min_value=1, max_value=600, initial=10
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *org_choices(orgs)]
        self.fields["topic"].choices = [
            ("", "请选择"),
            *[(str(t.pk), t.name) for t in Topic.objects.all()],
        ]
        self.fields["minutes"].error_messages.update(
            {
                "invalid": "请填写整数分钟数。",
                "min_value": "预计学习时长应在1到600分钟之间。",
                "max_value": "预计学习时长应在1到600分钟之间。",
            }
        )


class AssignForm(BootstrapMixin, forms.Form):
    org = _choice("学习范围", [])
    due_on = forms.DateField(label="完成期限", widget=DateInput())

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *org_choices(orgs)]
        self.fields["due_on"].error_messages.update(
            {"required": "请填写完成期限。", "invalid": "请填写有效的日期。"}
        )


class BankForm(BootstrapMixin, forms.Form):
    org = _choice("所属组织", [])
    title = _required(forms.CharField(label="题库名称", max_length=200), "题库名称")
    description = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *org_choices(orgs)]


class QuestionForm(BootstrapMixin, forms.Form):
    kind = _choice("题型", QuestionKind.choices)
    text = _required(
        forms.CharField(label="题干", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})),
        "题干",
    )
    option_a = forms.CharField(label="选项A", required=False, max_length=500)
    option_b = forms.CharField(label="选项B", required=False, max_length=500)
    option_c = forms.CharField(label="选项C", required=False, max_length=500)
    option_d = forms.CharField(label="选项D", required=False, max_length=500)
    option_e = forms.CharField(label="选项E", required=False, max_length=500)
    option_f = forms.CharField(label="选项F", required=False, max_length=500)
    answer = _required(
        forms.CharField(
            label="答案",
            max_length=20,
            help_text="单选填一个字母（如 C），多选填两个以上字母（如 ABD），"
            "判断题填“正确”或“错误”。",
        ),
        "答案",
    )
    explanation = forms.CharField(
        label="解析", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    rule_ref = forms.CharField(
        label="依据规则", required=False, max_length=20, help_text="规则编号，如 R-EDU-01"
    )

    OPTION_FIELDS = [f"option_{c.lower()}" for c in OPTION_LETTERS]

    def clean(self):
        data = super().clean()
        options = [data.get(name, "") or "" for name in self.OPTION_FIELDS]
        data["options"] = options
        kind = data.get("kind")
        if kind and data.get("answer"):
            count = len(options)
            while count and not options[count - 1].strip():
                count -= 1
            try:
                data["answer_indexes"] = parse_answer(
                    kind, data["answer"], 2 if kind == "judge" else count
                )
            except ValueError as exc:
                self.add_error("answer", str(exc))
        return data


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label="试题文件（.xlsx）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = "请选择要导入的试题文件（.xlsx）。"


class QuizForm(BootstrapMixin, forms.Form):
    org = _choice("发布组织", [])
    bank = _choice("题库", [])
    title = _required(forms.CharField(label="测试名称", max_length=200), "测试名称")
    question_count = forms.IntegerField(label="每人抽题数", min_value=1, max_value=100, initial=10)
    time_limit_minutes = forms.IntegerField(
        label="限时（分钟）", min_value=1, max_value=180, initial=15
    )
    pass_score = forms.IntegerField(label="及格分", min_value=1, max_value=100, initial=60)
    opens_at = forms.DateTimeField(
        label="开始时间",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    closes_at = forms.DateTimeField(
        label="截止时间",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, orgs=(), banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *org_choices(orgs)]
        self.fields["bank"].choices = [
            ("", "请选择"),
            *[(str(b.pk), f"{b.title}（{b.org.name}，{b.active_count}题）") for b in banks],
        ]
        ranges = {
            "question_count": "每人抽题数应在1到100之间。",
            "time_limit_minutes": "限时应在1到180分钟之间。",
            "pass_score": "及格分应在1到100之间。",
        }
        for name, message in ranges.items():
            self.fields[name].error_messages.update(
                {"invalid": "请填写整数。", "min_value": message, "max_value": message}
            )
        for name in ("opens_at", "closes_at"):
            self.fields[name].error_messages.update(
                {"invalid": "请填写有效的日期和时间。", "required": "请填写日期和时间。"}
            )

    @staticmethod
    def default_initial() -> dict:
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"opens_at": now, "closes_at": now + dt.timedelta(days=14)}


def answers_from_post(post, question_ids) -> dict[int, list[int]]:
    """The answer sheet of the test page: field q<id> holds the chosen option indexes (radio:
    one, checkboxes: several). What cannot be read is left out (scored as unanswered)."""
    answers: dict[int, list[int]] = {}
    for qid in question_ids:
        chosen = []
        for value in post.getlist(f"q{qid}"):
            try:
                chosen.append(int(value))
            except (TypeError, ValueError):
                continue
        if chosen:
            answers[qid] = chosen
    return answers
