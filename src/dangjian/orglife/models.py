"""Organisational life (组织生活): meetings of every kind, who was expected and who came,
make-up study for absentees, resolutions tracked to completion, and corrections of archived
meetings. See docs/orglife.md.

Attendance keeps one row per member on the meeting's roster (应到). A planned meeting's rows
are `expected`; recording the meeting turns each into `present`, `leave` (with a reason) or
`absent`, so "应到" is always the number of rows and the roster never has to be re-derived.
"""

from __future__ import annotations

from django.db import models

from dangjian.core.scoping import ScopedManager
from dangjian.rules.orglife import KIND_LABELS, MeetingKind

KIND_CHOICES = [(kind.value, KIND_LABELS[kind]) for kind in MeetingKind]


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划召开"
    HELD = "held", "已召开"
    ARCHIVED = "archived", "已归档"


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", "应到（未登记）"
    PRESENT = "present", "实到"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class Meeting(models.Model):
    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="召开组织", on_delete=models.PROTECT, related_name="meetings"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField("会议类型", max_length=32, choices=KIND_CHOICES)
    topic = models.CharField("会议主题", max_length=200)
    agenda = models.TextField("会议议程", blank=True)
    place = models.CharField("会议地点", max_length=200, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    status = models.CharField(
        "状态", max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    convener = models.ForeignKey(
        "members.Member",
        verbose_name="召集人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chair = models.ForeignKey(
        "members.Member",
        verbose_name="主持人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # R-ORGLIFE-06: the secretary may delegate chairing to the deputy or a committee member
    chair_delegated_by = models.ForeignKey(
        "members.Member",
        verbose_name="委托主持人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorder = models.ForeignKey(
        "members.Member",
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes = models.TextField("会议记录", blank=True)
    sign_in_code = models.CharField("签到码", max_length=8, unique=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    held_at = models.DateTimeField("登记召开时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        default_manager_name = "all_objects"
        ordering = ["-starts_at", "-id"]
        indexes = [
            # the compliance query: meetings of one org and kind by date
            models.Index(fields=["org", "kind", "starts_at"], name="meeting_org_kind_start_idx"),
            models.Index(fields=["org_path", "starts_at"], name="meeting_path_start_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.topic}"


class Attendance(models.Model):
    SCOPE_PATH = "meeting__org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "出席情况",
        max_length=16,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.EXPECTED,
    )
    reason = models.CharField("请假/缺席原因", max_length=200, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    late_reason = models.CharField("迟到原因", max_length=200, blank=True)
    # a member put on the roster after planning (joined the branch late), with the reason
    added_reason = models.CharField("补充列入应到原因", max_length=200, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "出席情况"
        verbose_name_plural = "出席情况"
        default_manager_name = "all_objects"
        ordering = ["meeting", "member__name_pinyin", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_one_per_member")
        ]

    def __str__(self):
        return f"{self.meeting_id} {self.member_id} {self.status}"


class MakeUp(models.Model):
    """补学: make-up study assigned to a member absent from a meeting."""

    SCOPE_PATH = "meeting__org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="makeups"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField("布置时间", auto_now_add=True)
    assigned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField("完成期限")
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    note = models.TextField("补学情况", blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "补学"
        verbose_name_plural = "补学"
        default_manager_name = "all_objects"
        ordering = ["meeting", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="makeup_one_per_member")
        ]

    def __str__(self):
        return f"补学 {self.meeting_id} {self.member_id}"


class ResolutionStatus(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已办结"
    DROPPED = "dropped", "已撤销"


class Resolution(models.Model):
    """决议: a decision of the meeting, tracked to completion."""

    SCOPE_PATH = "meeting__org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="resolutions"
    )
    text = models.TextField("决议内容")
    owner = models.ForeignKey(
        "members.Member",
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField("完成期限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ResolutionStatus.choices, default=ResolutionStatus.OPEN
    )
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "决议"
        verbose_name_plural = "决议"
        default_manager_name = "all_objects"
        ordering = ["meeting", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="resolution_status_due_idx")]

    def __str__(self):
        return self.text[:50]


class ResolutionUpdate(models.Model):
    SCOPE_PATH = "resolution__meeting__org_path"

    resolution = models.ForeignKey(
        Resolution, verbose_name="决议", on_delete=models.CASCADE, related_name="updates"
    )
    note = models.TextField("进展情况")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "决议进展"
        verbose_name_plural = "决议进展"
        default_manager_name = "all_objects"
        ordering = ["resolution", "at", "id"]

    def __str__(self):
        return self.note[:50]


class MeetingCorrection(models.Model):
    """A change to an archived meeting: the old and new values and why."""

    SCOPE_PATH = "meeting__org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="corrections"
    )
    changes = models.JSONField("更正内容")  # {"field": [old, new]}
    reason = models.CharField("更正原因", max_length=500)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("更正时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "会议更正"
        verbose_name_plural = "会议更正"
        default_manager_name = "all_objects"
        ordering = ["meeting", "at", "id"]

    def __str__(self):
        return f"更正 {self.meeting_id}"


# --- votes, attachments, appraisal, heart talks (issue #5, second part) ------------------------


class VoteBody(models.TextChoices):
    ASSEMBLY = "member_assembly", "支部党员大会"
    COMMITTEE = "committee_meeting", "支部委员会"


class Vote(models.Model):
    """表决 at a 党员大会 or 支委会 (R-ORGLIFE-02/04, R-GEN-03). `entitled` and
    `present_voting` are computed from the roster when the vote is recorded and kept, so the
    result stays as it was decided."""

    SCOPE_PATH = "meeting__org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="votes"
    )
    motion = models.CharField("表决事项", max_length=500)
    body = models.CharField("表决机构", max_length=32, choices=VoteBody.choices)
    entitled = models.PositiveIntegerField("应到有表决权人数")
    present_voting = models.PositiveIntegerField("实到有表决权人数")
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")
    quorum_met = models.BooleanField("达到法定人数")
    passed = models.BooleanField("通过")
    findings = models.TextField("校验意见", blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "表决"
        verbose_name_plural = "表决"
        default_manager_name = "all_objects"
        ordering = ["meeting", "recorded_at", "id"]

    def __str__(self):
        return self.motion[:50]


def attachment_upload_to(instance, filename: str) -> str:
    """orglife/<meeting id>/<random>.<ext>: the extension is the sniffed type's, never the
    uploader's name (kept in `original_name` only)."""
    import secrets

    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"orglife/{instance.meeting_id}/{secrets.token_hex(16)}.{ext}"


class MeetingAttachment(models.Model):
    """A photo (jpeg/png/webp) or document (pdf, docx, xlsx) of a meeting, checked by content
    and stored through Django's storage API."""

    SCOPE_PATH = "meeting__org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        default_manager_name = "all_objects"
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def _grade_choices():
    from dangjian.rules.orglife import APPRAISAL_GRADES

    return list(APPRAISAL_GRADES)


class AppraisalGrade(models.Model):
    """民主评议: the grade of one full member at a member_appraisal meeting (R-ORGLIFE-10/11).
    Probationary members take part but are not rated."""

    SCOPE_PATH = "meeting__org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="appraisal_grades"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField("评议等次", max_length=32, choices=_grade_choices)
    note = models.CharField("备注", max_length=500, blank=True)
    graded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField("评定时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "民主评议等次"
        verbose_name_plural = "民主评议等次"
        default_manager_name = "all_objects"
        ordering = ["meeting", "member__name_pinyin", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="appraisal_one_per_member")
        ]

    def __str__(self):
        return f"{self.meeting_id} {self.member_id} {self.grade}"


class HeartTalk(models.Model):
    """谈心谈话 of a branch (R-ORGLIFE-12): who talked with whom, when, about what."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="党支部", on_delete=models.PROTECT, related_name="heart_talks"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    talked_on = models.DateField("谈话日期")
    initiator = models.ForeignKey(
        "members.Member", verbose_name="谈话人", on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "members.Member", verbose_name="谈话对象", on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField("谈话主题", max_length=200)
    note = models.TextField("谈话情况", blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"
        default_manager_name = "all_objects"
        ordering = ["-talked_on", "-id"]
        indexes = [models.Index(fields=["org", "talked_on"], name="hearttalk_org_day_idx")]

    def __str__(self):
        return f"{self.talked_on} {self.topic}"


class CopiedMinutes(models.Model):
    """A pair of near-duplicate minutes from different branches (issue #5 item 4): found by
    the similarity index when `meeting`'s minutes were recorded; `source` is the earlier text
    it resembles. Derived data: re-checking the minutes replaces the pairs."""

    SCOPE_PATH = "org_path"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="copied_pairs"
    )
    source = models.ForeignKey(
        Meeting, verbose_name="相似的会议", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    source_path = models.CharField("相似会议的组织路径", max_length=255, editable=False)
    similarity = models.FloatField("相似度")
    found_at = models.DateTimeField("发现时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "雷同会议记录"
        verbose_name_plural = "雷同会议记录"
        default_manager_name = "all_objects"
        ordering = ["-similarity", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "source"], name="copied_pair_once")
        ]

    def __str__(self):
        return f"{self.meeting_id} ~ {self.source_id} ({self.similarity:.2f})"
