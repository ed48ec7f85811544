"""发展党员 (recruitment): a candidate and the dated steps of the 25-step flow he has walked.
The stage, the findings and the next deadline are derived from the steps by
dangjian.rules.recruitment (R-DEV-01..26); the pages never store them. See docs/recruitment.md."""

from __future__ import annotations

from django.db import models

from dangjian.core.scoping import ScopedManager
from dangjian.rules.recruitment_steps import STAGE_LABELS, STEPS, Stage


class CandidateStatus(models.TextChoices):
    ACTIVE = "active", "培养中"
    CONVERTED = "converted", "已转正"
    WITHDRAWN = "withdrawn", "已终止"  # the person withdrew, moved away or was not pursued
    CANCELLED = "cancelled", "已取消预备党员资格"


STAGE_CHOICES = [(s.value, STAGE_LABELS[s]) for s in Stage]
STEP_CHOICES = [(s.code, s.label) for s in STEPS]


class Candidate(models.Model):
    """A person on the way into the Party, from the application to conversion. At approval
    (step 17) a Member is created, category 预备党员, joined on the acceptance day (R-DEV-20,
    R-DUES-09); at conversion approval (step 24) it becomes 正式党员."""

    SCOPE_PATH = "org_path"

    name = models.CharField("姓名", max_length=50, db_index=True)
    sex = models.CharField("性别", max_length=10, choices=[("1", "男"), ("2", "女")])
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=2, default="01")
    education = models.CharField("学历", max_length=2, blank=True)
    unit_post = models.CharField("单位职务", max_length=50, blank=True)
    branch = models.ForeignKey(
        "orgs.Org", verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    stage = models.CharField(
        "阶段", max_length=16, choices=STAGE_CHOICES, default=Stage.APPLICANT, db_index=True
    )
    status = models.CharField(
        "状态", max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.ACTIVE
    )
    status_reason = models.CharField("终止原因", max_length=200, blank=True)
    #: 1–2 cultivation contacts (R-DEV-05) and 2 introducers (R-DEV-09), full members
    contacts = models.ManyToManyField(
        "members.Member", verbose_name="培养联系人", blank=True, related_name="+"
    )
    introducers = models.ManyToManyField(
        "members.Member", verbose_name="入党介绍人", blank=True, related_name="+"
    )
    #: R-DEV-13: leaving the workplace within three months is generally not processed
    leaving_on = models.DateField("预计调离日期", null=True, blank=True)
    member = models.OneToOneField(
        "members.Member",
        verbose_name="党员档案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
    )
    #: derived, kept for the board's sort and filter (services.candidate_refresh)
    next_due_on = models.DateField("下一期限", null=True, blank=True, db_index=True)
    next_due_label = models.CharField("下一期限事项", max_length=100, blank=True)
    error_count = models.PositiveSmallIntegerField("违规项", default=0)
    warning_count = models.PositiveSmallIntegerField("提醒项", default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "发展对象档案"
        verbose_name_plural = "发展对象档案"
        default_manager_name = "all_objects"
        ordering = ["org_path", "name", "id"]
        indexes = [models.Index(fields=["org_path", "status", "stage"], name="cand_path_stage")]

    def __str__(self):
        return self.name


class StepEvent(models.Model):
    """One dated step of a candidate (a step code of rules.recruitment_steps.STEPS). A step is
    recorded once unless it is repeatable (the six-monthly assessments); a correction replaces
    it through services, with the reason audited."""

    SCOPE_PATH = "candidate__org_path"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    step = models.CharField("步骤", max_length=32, choices=STEP_CHOICES)
    on = models.DateField("日期")
    end_on = models.DateField("截止日期", null=True, blank=True)
    days = models.PositiveSmallIntegerField("天数", null=True, blank=True)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1, null=True, blank=True)
    #: political review / pre-review / approval: passed or not
    passed = models.BooleanField("结论", null=True, blank=True)
    #: extension: months (6–12, R-DEV-21)
    months = models.PositiveSmallIntegerField("月数", null=True, blank=True)
    people = models.ManyToManyField(
        "members.Member", verbose_name="相关党员", blank=True, related_name="+"
    )
    people_text = models.CharField("相关人员", max_length=200, blank=True)
    vote = models.ForeignKey(
        "orglife.Vote",
        verbose_name="表决",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    meeting = models.ForeignKey(
        "orglife.Meeting",
        verbose_name="会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: who acted, in words (e.g. "市司法局机关党委"), where it is not the branch
    body = models.CharField("办理机构", max_length=100, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    #: a 一般 rule the step departs from, and why (rules.md: soft rules may be overridden)
    override_reason = models.CharField("特殊情况说明", max_length=300, blank=True)
    document = models.FileField("材料", upload_to="recruitment/%Y/", blank=True)
    document_name = models.CharField("材料文件名", max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"
        default_manager_name = "all_objects"
        ordering = ["candidate", "on", "id"]
        indexes = [models.Index(fields=["candidate", "step"], name="step_candidate_step")]

    def __str__(self):
        return f"{self.candidate_id} {self.step} {self.on}"


class DocumentTemplate(models.Model):
    """A replacement Word template for one of the generated documents (publicity notice,
    assembly list, conversion summary). Without one the built-in template is used."""

    SCOPE_PATH = "org_path"

    kind = models.CharField("文书", max_length=32)
    org = models.ForeignKey(
        "orgs.Org", verbose_name="适用组织", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    file = models.FileField("模板文件", upload_to="recruitment/templates/")
    original_name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["org", "kind"], name="recruit_template_one_per_kind")
        ]

    def __str__(self):
        return f"{self.kind} {self.original_name}"
