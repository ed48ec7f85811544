"""共同缔造 (cocreation): the pairing (包联) of units with villages and communities, the cadres
who serve there, the practical projects (实事) with their goal metrics, milestones, photos,
beneficiaries and residents' feedback, the campaigns (专项行动, e.g. 大清理/大清扫/大清洗), and
the visits (下基层察民情解民忧暖民心) with the problems found, each tracked to resolution.

A metric's achieved amount is the sum of its done milestones; a pairing's and a community's
figures are summed from the projects, never typed. What a community page shows to those
outside the pairing unit is what the unit marked public (`is_public`). See docs/cocreation.md."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from dangjian.core.scoping import ScopedManager


class CommunityKind(models.TextChoices):
    VILLAGE = "village", "村"
    COMMUNITY = "community", "社区"


class Community(models.Model):
    """A village or a community (not a Party org of the tree): shared by the units paired with
    it, so its page shows what every pairing did there."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=CommunityKind.choices)
    district = models.CharField("县（市、区）", max_length=50)
    township = models.CharField("乡镇（街道）", max_length=50)
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    population = models.PositiveIntegerField("人口", null=True, blank=True)
    note = models.TextField("简介", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "村（社区）"
        verbose_name_plural = "村（社区）"
        ordering = ["district", "township", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "township", "name"], name="cocreation_one_community"
            )
        ]

    def __str__(self):
        return f"{self.township}{self.name}"


class Pairing(models.Model):
    """包联: a unit (its top Party body, `org`) paired with a village or community."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="包联单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="pairings"
    )
    started_on = models.DateField("包联日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    is_pilot = models.BooleanField("共同缔造试点", default=False)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "包联关系"
        verbose_name_plural = "包联关系"
        default_manager_name = "all_objects"
        ordering = ["org_path", "community", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "community"],
                condition=Q(ended_on__isnull=True),
                name="cocreation_one_live_pairing",
            )
        ]

    def __str__(self):
        return f"{self.org} — {self.community}"


class PairingCadre(models.Model):
    """A cadre who serves in the paired place (包联干部, 驻村第一书记 …)."""

    pairing = models.ForeignKey(
        Pairing, verbose_name="包联关系", on_delete=models.CASCADE, related_name="cadres"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职责", max_length=100, blank=True)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "包联干部"
        verbose_name_plural = "包联干部"
        ordering = ["pairing", "ended_on", "id"]

    def __str__(self):
        return self.name


class ProjectCategory(models.TextChoices):
    ROADS = "roads", "道路交通"
    LIGHTING = "lighting", "亮化照明"
    INDUSTRY = "industry", "产业发展"
    ENVIRONMENT = "environment", "人居环境"
    SERVICES = "services", "公共服务"
    GOVERNANCE = "governance", "基层治理"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "谋划中"
    ONGOING = "ongoing", "实施中"
    DONE = "done", "已完成"
    SUSPENDED = "suspended", "暂停"


class Project(models.Model):
    """实事: a practical project of a pairing, with goal metrics (`ProjectMetric`), milestones,
    photos, beneficiaries and residents' feedback. Funds are in 万元."""

    SCOPE_PATH = "org_path"

    pairing = models.ForeignKey(
        Pairing, verbose_name="包联关系", on_delete=models.PROTECT, related_name="projects"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("项目名称", max_length=200)
    category = models.CharField("类别", max_length=16, choices=ProjectCategory.choices)
    goal = models.TextField("目标")
    status = models.CharField(
        "状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("计划完成", null=True, blank=True)
    finished_on = models.DateField("完成日期", null=True, blank=True)
    funds_planned = models.DecimalField(
        "计划资金（万元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    funds_raised = models.DecimalField(
        "协调到位资金（万元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    beneficiary_households = models.PositiveIntegerField("受益户数", null=True, blank=True)
    beneficiary_people = models.PositiveIntegerField("受益人数", null=True, blank=True)
    is_public = models.BooleanField("对外公开", default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "实事项目"
        verbose_name_plural = "实事项目"
        default_manager_name = "all_objects"
        ordering = ["pairing", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=models.F("starts_on")),
                name="cocreation_project_due_after_start",
            ),
            models.CheckConstraint(
                condition=Q(funds_planned__isnull=True) | Q(funds_planned__gte=0),
                name="cocreation_project_funds_planned_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(funds_raised__isnull=True) | Q(funds_raised__gte=0),
                name="cocreation_project_funds_raised_not_negative",
            ),
        ]

    def __str__(self):
        return self.title


class ProjectMetric(models.Model):
    """A goal metric of a project (households reached, km of road, lights installed …): the
    target, and what is achieved — the sum of the amounts of its done milestones."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="metrics"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    name = models.CharField("指标", max_length=50)
    unit = models.CharField("计量单位", max_length=20)
    target = models.DecimalField("目标值", max_digits=12, decimal_places=2)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "目标指标"
        verbose_name_plural = "目标指标"
        ordering = ["project", "sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__gt=0), name="cocreation_metric_target_positive"
            ),
            models.UniqueConstraint(fields=["project", "name"], name="cocreation_metric_unique"),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class Milestone(models.Model):
    """A step of a project, planned with a date and done on a date; when it reaches part of a
    metric it says which and how much (`amount` of `metric`)."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="milestones"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("节点", max_length=200)
    due_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)
    metric = models.ForeignKey(
        ProjectMetric,
        verbose_name="对应指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    amount = models.DecimalField("完成量", max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["project", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="cocreation_milestone_amount_not_negative",
            )
        ]

    def __str__(self):
        return self.title


class Campaign(models.Model):
    """专项行动 of a unit in one or more of its paired places (e.g. 大清理、大清扫、大清洗)."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("行动名称", max_length=200)
    content = models.TextField("内容", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    communities = models.ManyToManyField(
        Community, verbose_name="开展地点", related_name="campaigns", blank=True
    )
    cadres = models.PositiveIntegerField("参与干部（人次）", default=0)
    residents = models.PositiveIntegerField("参与群众（人次）", default=0)
    results = models.TextField("成效", blank=True)
    is_public = models.BooleanField("对外公开", default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "专项行动"
        verbose_name_plural = "专项行动"
        default_manager_name = "all_objects"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="cocreation_campaign_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title


class Visit(models.Model):
    """下基层察民情解民忧暖民心: a visit to a paired place, who went, how many households, what
    was heard; the problems found are `Problem` rows."""

    SCOPE_PATH = "org_path"

    pairing = models.ForeignKey(
        Pairing, verbose_name="包联关系", on_delete=models.PROTECT, related_name="visits"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    visited_on = models.DateField("走访日期")
    visitors = models.CharField("走访人员", max_length=500)
    households = models.PositiveIntegerField("走访户数", default=0)
    summary = models.TextField("走访情况")
    is_public = models.BooleanField("对外公开", default=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        default_manager_name = "all_objects"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.visited_on} 走访"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "待办理"
    IN_PROGRESS = "in_progress", "办理中"
    RESOLVED = "resolved", "已解决"
    EXPLAINED = "explained", "暂不能解决（已解释）"


class Problem(models.Model):
    """A problem found on a visit (群众急难愁盼), with who handles it, by when, and how it was
    resolved — or explained to the residents when it cannot be."""

    SCOPE_PATH = "org_path"

    visit = models.ForeignKey(
        Visit, verbose_name="走访记录", on_delete=models.CASCADE, related_name="problems"
    )
    pairing = models.ForeignKey(
        Pairing, verbose_name="包联关系", on_delete=models.PROTECT, related_name="problems"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    description = models.TextField("问题")
    raised_by = models.CharField("反映人", max_length=50, blank=True)
    owner_name = models.CharField("责任人", max_length=50)
    due_on = models.DateField("办理时限")
    status = models.CharField(
        "状态", max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    resolution = models.TextField("办理结果", blank=True)
    resolved_on = models.DateField("办结日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "群众问题"
        verbose_name_plural = "群众问题"
        default_manager_name = "all_objects"
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="cocreation_problem_due")]

    def __str__(self):
        return self.description[:30]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Feedback(models.Model):
    """A resident's feedback on a project. The resident's name is shown only inside the
    pairing unit and the 工委; `is_public` lets the content (never the name) be shown on the
    community page."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="feedback"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    resident_name = models.CharField("群众姓名", max_length=50, blank=True)
    received_on = models.DateField("反馈日期")
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices)
    content = models.TextField("反馈内容")
    reply = models.TextField("回复", blank=True)
    is_public = models.BooleanField("对外公开", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "群众反馈"
        verbose_name_plural = "群众反馈"
        ordering = ["project", "-received_on", "-id"]

    def __str__(self):
        return self.content[:30]


def _photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1][:8] if "." in filename else "bin"
    return f"cocreation/{uuid.uuid4().hex}.{ext}"


class Photo(models.Model):
    """A photo of a project, a campaign or a visit (exactly one), checked by content."""

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    file = models.FileField("照片", upload_to=_photo_path)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    caption = models.CharField("说明", max_length=200, blank=True)
    taken_on = models.DateField("拍摄日期", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, campaign__isnull=True, visit__isnull=True)
                | Q(project__isnull=True, campaign__isnull=False, visit__isnull=True)
                | Q(project__isnull=True, campaign__isnull=True, visit__isnull=False),
                name="cocreation_photo_of_one_record",
            )
        ]

    def __str__(self):
        return self.caption or self.original_name
