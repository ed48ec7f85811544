"""Forms of the 书记赛党建 contest and of 述职评议. Choices (owners, schemes, contests, orgs)
come from the user's own scope; the services check everything again."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from dangjian.assessment.models import (
    ContestStatus,
    Grade,
    Scheme,
    SchemeStatus,
    SchemeTarget,
    SecretaryContest,
)
from dangjian.assessment.services_contest import star_thresholds_text
from dangjian.core.access import paths_for, scope_q
from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org, OrgKind

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: bodies that run a contest or a review
OWNER_KINDS = (
    OrgKind.WORKING_COMMITTEE,
    OrgKind.PARTY_GROUP,
    OrgKind.ORGAN_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
)
MAX_CHOICES = 500
YEAR_ERRORS = {"invalid": "请填写年度。", "min_value": "年度有误。", "max_value": "年度有误。"}
DATE_ERRORS = {"invalid": "请填写有效的日期。"}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def owner_choices(user) -> list[tuple[int, str]]:
    """Bodies in the user's assess.manage subtrees that can run a contest or a review."""
    orgs = (
        Org.objects.visible_to(user, Cap.ASSESS_MANAGE)
        .filter(kind__in=OWNER_KINDS, dissolved_on__isnull=True)
        .order_by("path")[:MAX_CHOICES]
    )
    return [(o.pk, o.name) for o in orgs]


def scheme_queryset(user):
    """Routine schemes the user may build on: those he manages (drafts included) and the
    issued ones of the bodies above his grants (a unit's contest on the 工委's scheme). A
    superior's draft is not listed: not even its name leaves the superior before it is issued.
    Stop sheets are not routine schemes."""
    above = sorted({pre for p in paths_for(user, Cap.ASSESS_MANAGE) for pre in _prefixes(p)})
    issued_above = Q(owner_path__in=above) & ~Q(status=SchemeStatus.DRAFT)
    return (
        Scheme.objects.unscoped()
        .filter(scope_q(user, Cap.ASSESS_MANAGE, "owner_path") | issued_above)
        .exclude(target=SchemeTarget.STOP)
        .order_by("-year", "name", "id")
    )


def _weight(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={
            "invalid": "请填写数字。",
            "required": "请填写权重。",
            "min_value": "权重不能为负数。",
            "max_value": "权重不能超过100。",
            "max_decimal_places": "最多保留两位小数。",
            "max_digits": "数字过长。",
        },
    )


class ContestForm(BootstrapMixin, forms.Form):
    owner = forms.TypedChoiceField(label="组织单位", coerce=int)
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "请填写年度。",
            "min_value": "年度有误。",
            "max_value": "年度有误。",
        },
    )
    name = forms.CharField(label="赛事名称", max_length=100)
    scheme = forms.TypedChoiceField(
        label="日常考核方案",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="日常考核得分取该方案下各单位的复核总分，折算为百分制。",
    )
    routine_weight = _weight("日常考核权重（%）")
    observation_weight = _weight("现场观摩权重（%）")
    review_weight = _weight("述职评议权重（%）")
    star_thresholds = forms.CharField(
        label="星级线",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "每行“分数线 星数”，从高到低，如“95 5”（R-LOCAL-07：95分以上五星…80分以下不定星）。"
        ),
    )

    def __init__(self, *args, user=None, contest: SecretaryContest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contest = contest
        schemes = list(scheme_queryset(user)[:MAX_CHOICES])
        self.schemes = {s.pk: s for s in schemes}
        self.fields["scheme"].choices = [("", "（不计日常考核）")] + [
            (s.pk, str(s)) for s in schemes
        ]
        if contest is not None:
            del self.fields["owner"]
            if not self.is_bound:
                self.initial.update(
                    year=contest.year,
                    name=contest.name,
                    scheme=contest.scheme_id,
                    routine_weight=contest.routine_weight,
                    observation_weight=contest.observation_weight,
                    review_weight=contest.review_weight,
                    star_thresholds=star_thresholds_text(contest.star_thresholds),
                )
        else:
            self.owners = dict(owner_choices(user))
            self.fields["owner"].choices = list(self.owners.items())
            if not self.is_bound:
                self.initial.setdefault("routine_weight", 50)
                self.initial.setdefault("observation_weight", 30)
                self.initial.setdefault("review_weight", 20)
                self.initial.setdefault("star_thresholds", "95 5\n90 4\n85 3\n80 2")
        self.fields["scheme"].error_messages["invalid_choice"] = "请选择有效的考核方案。"
        if "owner" in self.fields:
            self.fields["owner"].error_messages["invalid_choice"] = "请选择组织单位。"

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "year": data["year"],
            "name": data["name"],
            "scheme": self.schemes.get(data.get("scheme")),
            "routine_weight": data["routine_weight"],
            "observation_weight": data["observation_weight"],
            "review_weight": data["review_weight"],
            "star_thresholds": data.get("star_thresholds") or "",
        }


class UnpublishForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=500)


# ---------------------------------------------------------------------------------------------
# 述职评议


def contest_choices(user) -> list[tuple[int, str]]:
    contests = (
        SecretaryContest.objects.visible_to(user, Cap.ASSESS_MANAGE)
        .filter(status=ContestStatus.DRAFT)
        .order_by("-year", "name")[:MAX_CHOICES]
    )
    return [(c.pk, str(c)) for c in contests]


class ReviewForm(BootstrapMixin, forms.Form):
    owner = forms.TypedChoiceField(label="组织单位", coerce=int)
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "请填写年度。",
            "min_value": "年度有误。",
            "max_value": "年度有误。",
        },
    )
    title = forms.CharField(label="名称", max_length=200)
    held_on = forms.DateField(
        label="评议日期",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "请填写有效的日期。"},
    )
    closes_at = forms.DateTimeField(
        label="投票截止",
        required=False,
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "请填写有效的时间。"},
        help_text="到时自动停止接受投票；不填则由管理员结束投票。",
    )
    contest = forms.TypedChoiceField(
        label="所属书记赛党建",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="关联后，各书记的“好+较好”率计入该赛事的述职评议得分。",
    )

    def __init__(self, *args, user=None, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        if review is not None:
            for name in ("owner", "year", "contest"):
                del self.fields[name]
            if not self.is_bound:
                self.initial.update(
                    title=review.title, held_on=review.held_on, closes_at=review.closes_at
                )
            return
        self.fields["owner"].choices = owner_choices(user)
        self.fields["owner"].error_messages["invalid_choice"] = "请选择组织单位。"
        contests = contest_choices(user)
        self.contests = {pk for pk, _ in contests}
        self.fields["contest"].choices = [("", "（不关联）"), *contests]
        self.fields["contest"].error_messages["invalid_choice"] = "请选择有效的赛事。"


class ReportAddForm(BootstrapMixin, forms.Form):
    org = forms.TypedChoiceField(label="述职组织", coerce=int)
    secretary_name = forms.CharField(
        label="书记姓名", max_length=50, required=False, help_text="不填则取该组织现任书记。"
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择"), *[(o.pk, o.name) for o in orgs]]
        self.fields["org"].error_messages["invalid_choice"] = "请选择述职组织。"


class ReportSubmitForm(BootstrapMixin, forms.Form):
    report = forms.CharField(
        label="述职报告",
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    file = forms.FileField(
        label="报告文件（PDF或Word）",
        required=False,
        error_messages={"invalid": "请选择文件。", "empty": "文件是空的。"},
    )


class CommentForm(BootstrapMixin, forms.Form):
    review_comment = forms.CharField(
        label="评议意见", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentsForm(BootstrapMixin, forms.Form):
    comments = forms.CharField(
        label="评议总体意见",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class VotersForm(BootstrapMixin, forms.Form):
    orgs = forms.TypedMultipleChoiceField(
        label="从以下组织的党员账号中确定投票人",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    usernames = forms.CharField(
        label="另加账号（每行一个用户名）",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orgs"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["orgs"].widget.attrs["class"] = "form-check-input"
        self.fields["orgs"].error_messages["invalid_choice"] = "请选择有效的组织。"


class BallotForm(forms.Form):
    """One required radio group per report: 好 / 较好 / 一般 / 差."""

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = list(reports)
        for report in self.reports:
            self.fields[f"grade_{report.pk}"] = forms.ChoiceField(
                label=f"{report.secretary_name}（{report.org.name}）",
                choices=Grade.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "请评定等次。",
                    "invalid_choice": "等次只能是好、较好、一般或差。",
                },
            )

    def grades(self) -> dict[int, str]:
        return {r.pk: self.cleaned_data[f"grade_{r.pk}"] for r in self.reports}

    def rows(self):
        return [(r, self[f"grade_{r.pk}"]) for r in self.reports]


class RectificationForm(BootstrapMixin, forms.Form):
    report = forms.TypedChoiceField(label="述职书记", coerce=int)
    problem = forms.CharField(
        label="问题", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    measure = forms.CharField(
        label="整改措施", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(
        label="整改时限", widget=DateInput(), error_messages={"invalid": "请填写有效的日期。"}
    )

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [("", "请选择")] + [
            (r.pk, f"{r.secretary_name}（{r.org.name}）") for r in reports
        ]
        self.fields["report"].error_messages["invalid_choice"] = "请选择述职书记。"


class RectificationDoneForm(BootstrapMixin, forms.Form):
    done_note = forms.CharField(
        label="整改情况", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    done_on = forms.DateField(
        label="完成日期",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "请填写有效的日期。"},
    )
