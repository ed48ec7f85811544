from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.scoping import ScopedManager


class AuditEntryQuerySet(models.QuerySet):
    """No bulk edits or deletes either: the log is kept (网络安全法 第二十一条, at least
    settings.AUDIT_RETENTION_DAYS) and nothing in the product removes or rewrites it. A change
    made beside the product, in SQL, breaks the digest chain and `dangjian audit verify`
    names the entry."""

    def delete(self):
        raise RuntimeError("审计日志不可删除")

    def update(self, **kwargs):
        raise RuntimeError("审计日志不可修改")

    def _update(self, values):
        raise RuntimeError("审计日志不可修改")


class AuditEntry(models.Model):
    """One audited event: who did what to which object, when, from where, changing what.

    Written only by `dangjian.core.audit.audit`; never edited or deleted through the product.
    `org_path` places the entry in the tree so an auditor's view can be scoped like any list.
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    # tamper evidence: each entry's SM3 digest covers its content and the previous digest
    prev_hash = models.CharField("前一条摘要", max_length=64, blank=True, editable=False)
    entry_hash = models.CharField("本条摘要", max_length=64, blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # failed sign-ins per source address (login throttling counts them)
            models.Index(fields=["action", "ip", "at"], name="audit_action_ip_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("审计日志不可删除")


class AuditChainHead(models.Model):
    """The end of the audit chain: the digest of the last entry. Appending locks this one row,
    so entries join the chain one after another even when written concurrently, and deleting
    entries from the end of the log is detected (the head no longer matches)."""

    last_hash = models.CharField("最后一条摘要", max_length=64, blank=True)
    last_id = models.BigIntegerField("最后一条编号", null=True, blank=True)

    class Meta:
        verbose_name = "审计日志链尾"
        verbose_name_plural = "审计日志链尾"

    def __str__(self):
        return f"#{self.last_id} {self.last_hash[:12]}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "正在生成"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ExportJob(models.Model):
    """An export too large to hand over at once: rendered by a background task into a file
    under ``DATA_DIR/exports`` that only its owner may download (core/exporters.py).

    The parameters are kept as given; the exporter narrows them to what the owner may see
    again when it runs. ``org_path`` places the job in the tree like an audit entry."""

    SCOPE_PATH = "org_path"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.CASCADE,
        related_name="+",
    )
    identifier = models.CharField("导出类型", max_length=100)
    title = models.CharField("导出名称", max_length=200)
    params = models.JSONField("导出条件", default=dict, blank=True)
    fmt = models.CharField("格式", max_length=10)
    org_path = models.CharField("范围路径", max_length=255, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    file_name = models.CharField("存储文件", max_length=255, blank=True)
    download_name = models.CharField("下载文件名", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    error = models.CharField("错误信息", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    #: last sign of life of the task rendering the job (see exporters.jobs.recover_stale_jobs)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))


class CalendarDay(models.Model):
    """A day the statutory calendar gets wrong or does not know (R-GEN-04): a holiday, or a
    make-up working day (调休). The built-in calendar (chinesecalendar) covers the years the
    State Council has published; these rows override it and cover the years after."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=50, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {'工作日' if self.is_workday else '休息日'} {self.name}"
