"""清廉机关 (integrity): integrity risk points per post and unit, warning-education sessions
and the commitments members sign each year. They feed assessment indicators through the data
sources in assessment/sources.py. See docs/integrity.md."""

from __future__ import annotations

from django.db import models

from dangjian.core.scoping import ScopedManager


class RiskLevel(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class RiskPoint(models.Model):
    """廉政风险点: the risk of a post (岗位) in a unit, its level, control measures and owner."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    post = models.CharField("岗位", max_length=100)
    risk = models.TextField("风险描述")
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    measures = models.TextField("防控措施")
    owner_name = models.CharField("责任人", max_length=50)
    owner = models.ForeignKey(
        "members.Member",
        verbose_name="责任人（党员）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_on = models.DateField("停用日期", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "廉政风险点"
        verbose_name_plural = "廉政风险点"
        default_manager_name = "all_objects"
        ordering = ["org_path", "-year", "post", "id"]

    def __str__(self):
        return f"{self.post}：{self.risk[:20]}"


class EducationForm(models.TextChoices):
    FILM = "film", "观看警示教育片"
    CASE = "case", "典型案例通报"
    BASE = "base", "参观警示教育基地"
    TRIAL = "trial", "旁听庭审"
    LECTURE = "lecture", "廉政党课"
    OTHER = "other", "其他"


class WarningSession(models.Model):
    """警示教育: a session with its form, attendance and, where it was held as a meeting of
    organisational life (e.g. a 主题党日 or a 党课), the link to that meeting."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    held_on = models.DateField("日期")
    title = models.CharField("主题", max_length=200)
    form = models.CharField("形式", max_length=16, choices=EducationForm.choices)
    meeting = models.ForeignKey(
        "orglife.Meeting",
        verbose_name="关联会议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendees = models.PositiveIntegerField("参加人次", default=0)
    note = models.TextField("情况说明", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "警示教育"
        verbose_name_plural = "警示教育"
        default_manager_name = "all_objects"
        ordering = ["-held_on", "id"]

    def __str__(self):
        return self.title


class Commitment(models.Model):
    """廉洁承诺: a member's signed commitment for a year (one per member and year)."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="所在支部", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    signed_on = models.DateField("签订日期")
    text = models.TextField("承诺内容", blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "廉洁承诺"
        verbose_name_plural = "廉洁承诺"
        default_manager_name = "all_objects"
        ordering = ["-year", "org_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="integrity_commitment_once")
        ]

    def __str__(self):
        return f"{self.member_id} {self.year}"
