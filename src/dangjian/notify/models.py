"""Notifications (通知) and to-do items (待办) for one user each.

A row belongs to its user, not to the org tree: only its owner ever reads it, so it has no
ScopedManager; every selector filters on the user (`selectors.py`). `org`/`org_path` say what
it is about (and place its audit entries), `topic` names the matter ("orglife:theme_day:
2026-11-01", "meeting:42") so the compliance drill-down can show the warnings a period caused,
and `dedupe_key` makes a daily job idempotent: one row per user and key, never two.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    MEETING_NOTICE = "meeting_notice", "会议通知"
    ORGLIFE_DUE_SOON = "orglife_due_soon", "即将到期"
    ORGLIFE_MISSING = "orglife_missing", "应开未开"
    ASSESSMENT_DUE = "assessment_due", "考核自评截止"
    ASSESSMENT_REVIEW = "assessment_review", "考核复核"
    ASSESSMENT_TASK = "assessment_task", "观摩会任务"
    RECTIFICATION_DUE = "rectification_due", "述职评议整改"
    REVIEW_VOTE = "review_vote", "述职评议投票"
    DUES_ARREARS = "dues_arrears", "党费欠缴"
    DUES_REDUCTION = "dues_reduction", "党费减免审批"
    RECRUITMENT_DUE = "recruitment_due", "发展党员期限"
    RECRUITMENT_VIOLATION = "recruitment_violation", "发展党员违规"
    STUDY_HOURS = "study_hours", "学时提醒"
    TASK_DUE = "task_due", "任务到期提醒"
    TASK_SUPERVISION = "task_supervision", "督办"
    TASK_ESCALATION = "task_escalation", "督办升级"
    DUTY_REPORT = "duty_report", "责任清单进展报告"
    COCREATION_PROBLEM = "cocreation_problem", "群众问题办理"
    VETERANS_CONTACT = "veterans_contact", "结对联系提醒"
    VETERANS_REQUEST = "veterans_request", "老干部诉求办理"
    LEGAL_AID_DUE = "legal_aid_due", "法律援助时限"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=32, choices=NotificationKind.choices)
    # a to-do asks for an action and stays open until marked done; a notice only informs
    is_todo = models.BooleanField("待办", default=False)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)  # a path on this site
    rule_id = models.CharField("依据规则", max_length=32, blank=True)
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name="相关组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField("组织路径", max_length=255, blank=True)
    topic = models.CharField("事项", max_length=100, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒与待办"
        ordering = ["-created_at", "-id"]
        indexes = [
            # the bell: unread count of one user
            models.Index(fields=["user", "read_at"], name="notify_user_unread"),
            # the list: one user's items, newest first
            models.Index(fields=["user", "-created_at"], name="notify_user_created"),
            # the daily job's duplicate check and the compliance drill-down
            models.Index(fields=["topic", "org"], name="notify_topic_org"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notify_one_item_per_user_and_key",
            )
        ]

    def __str__(self):
        return f"{self.user_id} · {self.title}"

    @property
    def is_open(self) -> bool:
        """An open to-do (not yet done)."""
        return self.is_todo and self.done_at is None
