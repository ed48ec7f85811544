"""责任落实 (responsibility): the 主体责任 lists of each unit (R-ORG-12) with their quarterly
progress reports, and the 工委's yearly work points (工作要点) decomposed into tasks for the
units, with progress reports, 督办 notices that escalate, and closing evaluations.

Progress, completion, overdue and escalation are derived from the reports and the dates,
never typed twice. See docs/responsibility.md."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from dangjian.core.scoping import ScopedManager


class DutyKind(models.TextChoices):
    MAIN = "main", "党组主体责任"
    FIRST = "first", "书记第一责任人"
    DUAL = "dual", "班子成员一岗双责"


class DutyCategory(models.TextChoices):
    POLITICAL = "political", "政治建设"
    IDEOLOGICAL = "ideological", "思想建设"
    ORGANIZATIONAL = "organizational", "组织建设"
    CONDUCT = "conduct", "作风建设"
    DISCIPLINE = "discipline", "纪律建设"
    INSTITUTIONAL = "institutional", "制度建设"
    BUSINESS = "business", "党建与业务融合"


class DutyList(models.Model):
    """One responsibility list of a unit for a year (R-ORG-12): the 党组's (主体责任, one a
    year), the secretary's (第一责任人, one a year) or a leadership member's (一岗双责, one per
    holder a year). `org` is the unit's top Party body (its 党组)."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="单位党组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("清单类别", max_length=8, choices=DutyKind.choices)
    holder_name = models.CharField("责任主体", max_length=50)
    holder = models.ForeignKey(
        "members.Member",
        verbose_name="责任人（党员）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    holder_post = models.CharField("职务", max_length=100, blank=True)
    remit = models.CharField("分管领域", max_length=500, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "责任清单"
        verbose_name_plural = "责任清单"
        default_manager_name = "all_objects"
        ordering = ["org_path", "-year", "kind", "id"]
        indexes = [models.Index(fields=["year", "org_path"], name="resp_list_year_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "kind"],
                condition=~Q(kind="dual"),
                name="resp_one_main_or_first_list_a_year",
            ),
            models.UniqueConstraint(
                fields=["org", "year", "holder_name"],
                condition=Q(kind="dual"),
                name="resp_one_dual_list_per_holder_a_year",
            ),
        ]

    def __str__(self):
        return f"{self.year}年{self.get_kind_display()}清单（{self.holder_name}）"


class DutyItem(models.Model):
    """One duty of a list: what, the measures, who, by when, what evidence shows it.
    `progress` (0–100) is the latest report's, kept by the report service."""

    duty_list = models.ForeignKey(
        DutyList, verbose_name="责任清单", on_delete=models.CASCADE, related_name="items"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    seq = models.PositiveSmallIntegerField("序号", default=1)
    category = models.CharField(
        "类别", max_length=16, choices=DutyCategory.choices, default=DutyCategory.POLITICAL
    )
    content = models.TextField("责任内容")
    measures = models.TextField("工作措施", blank=True)
    owner_name = models.CharField("责任人", max_length=50)
    deadline = models.DateField("完成时限", null=True, blank=True)
    evidence_asked = models.CharField("佐证材料", max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    done_on = models.DateField("完成日期", null=True, blank=True)
    # when the item was added: reports are owed only for quarters ending after it (an item
    # added in November owes no report for the first three quarters)
    created_at = models.DateTimeField("添加时间", default=timezone.now)

    class Meta:
        verbose_name = "责任事项"
        verbose_name_plural = "责任事项"
        ordering = ["duty_list", "seq", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="resp_item_progress_at_most_100"
            )
        ]

    def __str__(self):
        return self.content[:30]


class DutyReport(models.Model):
    """A quarterly progress report on one duty (one per item and quarter; a later report of
    the same quarter replaces the text through the service, audited)."""

    item = models.ForeignKey(
        DutyItem, verbose_name="责任事项", on_delete=models.CASCADE, related_name="reports"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    quarter = models.PositiveSmallIntegerField("季度")
    progress = models.PositiveSmallIntegerField("完成进度（%）")
    text = models.TextField("进展情况")
    reported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField("报告时间")

    class Meta:
        verbose_name = "责任落实进展"
        verbose_name_plural = "责任落实进展"
        ordering = ["item", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["item", "quarter"], name="resp_one_report_a_quarter"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="resp_report_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="resp_report_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return f"第{self.quarter}季度 {self.progress}%"


class WorkPoint(models.Model):
    """工作要点: one point of the year's work the 工委 (or any org above the units) publishes.
    Until `published_at` the units do not see it or its tasks."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="发布组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("要点", max_length=200)
    content = models.TextField("主要内容", blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "工作要点"
        verbose_name_plural = "工作要点"
        default_manager_name = "all_objects"
        ordering = ["-year", "seq", "id"]
        indexes = [models.Index(fields=["year", "org_path"], name="resp_point_year_path")]

    def __str__(self):
        return self.title


class TaskKind(models.TextChoices):
    PARTY = "party", "党建任务"
    BUSINESS = "business", "业务工作"


class TaskStatus(models.TextChoices):
    OPEN = "open", "推进中"
    CLOSED = "closed", "已办结"


class Evaluation(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class Task(models.Model):
    """A task of a unit: from a work point (党建, `point` set) or the unit's own (党建 or 业务,
    `point` empty), so the unit's yearly plan shows both side by side. `org` is the unit's top
    Party body. `progress` is the latest report's; overdue is derived (open past `due_on`)."""

    SCOPE_PATH = "org_path"

    point = models.ForeignKey(
        WorkPoint,
        verbose_name="工作要点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类别", max_length=8, choices=TaskKind.choices, default=TaskKind.PARTY)
    title = models.CharField("任务", max_length=200)
    content = models.TextField("任务要求", blank=True)
    evidence_asked = models.CharField("佐证材料要求", max_length=200, blank=True)
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    progress = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    last_reported_at = models.DateTimeField("最近报告", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evaluation = models.CharField("评价", max_length=10, choices=Evaluation.choices, blank=True)
    evaluation_note = models.CharField("评价意见", max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        default_manager_name = "all_objects"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["year", "org_path"], name="resp_task_year_path"),
            models.Index(fields=["status", "due_on"], name="resp_task_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "org"],
                condition=Q(point__isnull=False),
                name="resp_one_task_per_point_and_unit",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="resp_task_due_after_start"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="resp_task_progress_at_most_100"
            ),
        ]

    def __str__(self):
        return self.title


class TaskReport(models.Model):
    """A unit's progress report on a task: text, a percentage, optionally a link to a record
    (a meeting of organisational life) and files (`ReportFile`)."""

    task = models.ForeignKey(
        Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reports"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    progress = models.PositiveSmallIntegerField("完成进度（%）")
    text = models.TextField("进展情况")
    meeting = models.ForeignKey(
        "orglife.Meeting",
        verbose_name="关联会议记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField("报告时间")

    class Meta:
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"
        ordering = ["task", "-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="resp_task_report_progress_at_most_100"
            )
        ]

    def __str__(self):
        return f"{self.progress}%：{self.text[:20]}"


def _report_file_path(instance, filename):
    import uuid

    ext = filename.rsplit(".", 1)[-1][:8] if "." in filename else "bin"
    return f"responsibility/{uuid.uuid4().hex}.{ext}"


class ReportFile(models.Model):
    """Evidence (a photo or a document) of a task report or a duty report; its type is judged
    by content (orglife.services_attachments.read_document)."""

    task_report = models.ForeignKey(
        TaskReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    duty_report = models.ForeignKey(
        DutyReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    file = models.FileField("文件", upload_to=_report_file_path)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task_report__isnull=False, duty_report__isnull=True)
                | Q(task_report__isnull=True, duty_report__isnull=False),
                name="resp_file_of_one_report",
            )
        ]

    def __str__(self):
        return self.original_name


class Supervision(models.Model):
    """督办: a notice on an overdue (or lagging) task, a to-do for the unit's administrators.
    If the task has no new report and is not closed `escalate_after_days` after it was sent,
    the daily job escalates it to the unit's secretary (`escalated_at`). It is resolved by the
    task's next report or its closing."""

    task = models.ForeignKey(
        Task, verbose_name="任务", on_delete=models.CASCADE, related_name="supervisions"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    note = models.CharField("督办意见", max_length=500)
    respond_by = models.DateField("限期反馈")
    escalate_after_days = models.PositiveSmallIntegerField("升级天数")
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField("督办时间")
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["resolved_at", "escalated_at"], name="resp_supervision_open")
        ]

    def __str__(self):
        return self.note[:30]
