"""Assessment (考核评比): scoring schemes as data, self-assessment and review, the yearly
书记赛党建 contest, on-site observation meetings (现场观摩会) and 述职评议 with anonymous ballots.
See docs/assessment.md.

Every tree-owned row carries the path of the org it belongs to, so the scoped manager can
narrow it to a user's subtrees: a scheme, contest, observation meeting or review belongs to
the committee that runs it (`owner_path`); an assessment and a secretary's report belong to
the org assessed (`org_path`).

Ballots are anonymous by construction: a vote adds one to a counter (`BallotTally`) and marks
the voter as having voted (`ReviewVoter.has_voted`), in one transaction. No row, and no audit
entry, holds both a voter and a grade.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from dangjian.core.scoping import ScopedManager

ZERO = Decimal("0")


def points_field(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(label, max_digits=7, decimal_places=2, **kwargs)


class SchemeTarget(models.TextChoices):
    UNIT = "unit", "单位（党组/机关党委）"
    BRANCH = "branch", "党支部"
    STOP = "stop", "观摩点位（现场评分表）"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已结束"


class Method(models.TextChoices):
    MANUAL = "manual", "人工评分"
    DEDUCTION = "deduction", "按次扣分"
    AUTO = "auto", "系统自动计分"


class Scheme(models.Model):
    """考核评分细则: a tree of categories and indicators for one year, run by `owner`."""

    SCOPE_PATH = "owner_path"

    owner = models.ForeignKey(
        "orgs.Org", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    owner_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=100)
    target = models.CharField(
        "考核对象", max_length=16, choices=SchemeTarget.choices, default=SchemeTarget.UNIT
    )
    template_code = models.CharField("模板", max_length=40, blank=True)
    notes = models.TextField("说明", blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self", verbose_name="沿用自", null=True, blank=True, on_delete=models.SET_NULL
    )
    self_due = models.DateField("自评截止", null=True, blank=True)
    review_due = models.DateField("复核截止", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        default_manager_name = "all_objects"
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year", "name"], name="assessment_scheme_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.year}年{self.name}"


class Indicator(models.Model):
    """A category (`is_category`, a heading with children) or a scored indicator.

    - manual: the scorer gives points between 0 and `max_points`;
    - deduction: `deduction_per` points off per occurrence, never below 0 (capped at
      `max_points`, R-LOCAL-05/06/10);
    - auto: computed from records by the data source `auto_source` (assessment/sources.py);
      with `deduction_per` set, the source counts occurrences, otherwise it gives a ratio.
    A bonus indicator (`is_bonus`) adds on top of the base total (R-LOCAL-06's 加分 10)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name="方案", on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="所属类别",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    is_category = models.BooleanField("是类别", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)
    code = models.CharField("编号", max_length=20, blank=True)
    title = models.CharField("名称", max_length=200)
    max_points = points_field("分值")
    method = models.CharField("计分方式", max_length=16, choices=Method.choices, blank=True)
    deduction_per = points_field("每次扣分", null=True, blank=True)
    auto_source = models.CharField("数据来源", max_length=40, blank=True)
    guidance = models.TextField("评分细则", blank=True)
    evidence = models.TextField("佐证材料", blank=True)
    rule_ids = models.CharField("依据", max_length=120, blank=True)
    is_bonus = models.BooleanField("加分项", default=False)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "order", "id"]

    def __str__(self):
        return f"{self.code} {self.title}".strip()


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "自评中"
    SUBMITTED = "submitted", "已提交待复核"
    RETURNED = "returned", "退回修改"
    REVIEWED = "reviewed", "已复核"


class Assessment(models.Model):
    """One org's assessment under one scheme: its self-score and the reviewed final score."""

    SCOPE_PATH = "org_path"

    scheme = models.ForeignKey(
        Scheme, verbose_name="方案", on_delete=models.PROTECT, related_name="assessments"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="被考核组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    status = models.CharField(
        "状态", max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    self_total = points_field("自评总分", null=True, blank=True)
    final_total = points_field("复核总分", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField("复核意见", blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "考核"
        verbose_name_plural = "考核"
        default_manager_name = "all_objects"
        ordering = ["scheme", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="assessment_one_per_org")
        ]

    def __str__(self):
        return f"{self.scheme} · {self.org}"


class IndicatorScore(models.Model):
    SCOPE_PATH = "assessment__org_path"

    assessment = models.ForeignKey(
        Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="+"
    )
    self_occurrences = models.PositiveIntegerField("自查扣分次数", null=True, blank=True)
    self_points = points_field("自评得分", null=True, blank=True)
    self_note = models.TextField("自评说明", blank=True)
    auto_points = points_field("系统计分", null=True, blank=True)
    auto_detail = models.TextField("计分依据", blank=True)
    auto_at = models.DateTimeField("计分时间", null=True, blank=True)
    final_occurrences = models.PositiveIntegerField("核定扣分次数", null=True, blank=True)
    final_points = points_field("复核得分", null=True, blank=True)
    final_reason = models.TextField("调整理由", blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        default_manager_name = "all_objects"
        ordering = ["assessment", "indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="assessment_score_one_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.indicator_id}: {self.final_points or self.self_points}"


def evidence_upload_to(instance, filename):
    return f"assessment/{instance.score.assessment_id}/{filename}"


class EvidenceKind(models.TextChoices):
    FILE = "file", "上传文件"
    MEETING = "meeting", "会议记录"
    LINK = "link", "系统内链接"


class Evidence(models.Model):
    """佐证材料: an uploaded file, a meeting on record, or a link to another record."""

    SCOPE_PATH = "score__assessment__org_path"

    score = models.ForeignKey(
        IndicatorScore, verbose_name="指标得分", on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField("类型", max_length=16, choices=EvidenceKind.choices)
    title = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to=evidence_upload_to, max_length=255, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    meeting = models.ForeignKey(
        "orglife.Meeting",
        verbose_name="会议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.CharField("链接", max_length=300, blank=True)
    added_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        default_manager_name = "all_objects"
        ordering = ["score", "added_at", "id"]

    def __str__(self):
        return self.title


# ---------------------------------------------------------------- 书记赛党建


class ContestStatus(models.TextChoices):
    DRAFT = "draft", "进行中"
    PUBLISHED = "published", "已公布"


def default_star_thresholds() -> list:
    # R-LOCAL-07 (巴东县 创星): ≥95 five stars, ≥90 four, ≥85 three, ≥80 two
    return [["95", 5], ["90", 4], ["85", 3], ["80", 2]]


class SecretaryContest(models.Model):
    """书记赛党建: a yearly contest over a set of units. The total is a weighted sum of parts,
    each on a 100-point scale: the routine assessment (`scheme`), the observation meetings'
    stop scores and the 述职评议 result. Weights are percentages summing to 100."""

    SCOPE_PATH = "owner_path"

    owner = models.ForeignKey(
        "orgs.Org", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    owner_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=100)
    scheme = models.ForeignKey(
        Scheme,
        verbose_name="日常考核方案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contests",
    )
    routine_weight = models.DecimalField("日常考核权重(%)", max_digits=5, decimal_places=2)
    observation_weight = models.DecimalField("现场观摩权重(%)", max_digits=5, decimal_places=2)
    review_weight = models.DecimalField("述职评议权重(%)", max_digits=5, decimal_places=2)
    star_thresholds = models.JSONField("星级线", default=default_star_thresholds)
    status = models.CharField(
        "状态", max_length=16, choices=ContestStatus.choices, default=ContestStatus.DRAFT
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "书记赛党建"
        verbose_name_plural = "书记赛党建"
        default_manager_name = "all_objects"
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year", "name"], name="assessment_contest_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.year}年{self.name}"


class ContestEntry(models.Model):
    """A unit in the contest; the score columns are the snapshot frozen at publication."""

    SCOPE_PATH = "contest__owner_path"

    contest = models.ForeignKey(
        SecretaryContest, verbose_name="赛事", on_delete=models.CASCADE, related_name="entries"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="参赛单位", on_delete=models.PROTECT, related_name="+"
    )
    secretary_name = models.CharField("书记", max_length=50, blank=True)
    routine_score = points_field("日常考核", null=True, blank=True)
    observation_score = points_field("现场观摩", null=True, blank=True)
    review_score = points_field("述职评议", null=True, blank=True)
    total = points_field("综合得分", null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    stars = models.PositiveSmallIntegerField("星级", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "参赛单位"
        verbose_name_plural = "参赛单位"
        default_manager_name = "all_objects"
        ordering = ["contest", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "org"], name="assessment_entry_once")
        ]

    def __str__(self):
        return f"{self.contest_id}: {self.org_id}"


# ---------------------------------------------------------------- 现场观摩会


class ObservationStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    LIVE = "live", "进行中"
    CLOSED = "closed", "已结束"


class ObservationMeeting(models.Model):
    SCOPE_PATH = "owner_path"

    owner = models.ForeignKey(
        "orgs.Org", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    owner_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    contest = models.ForeignKey(
        SecretaryContest,
        verbose_name="所属赛事",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
    )
    sheet = models.ForeignKey(
        Scheme,
        verbose_name="现场评分表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observations",
    )
    title = models.CharField("会议名称", max_length=200)
    theme = models.CharField("主题", max_length=200, blank=True)
    purpose = models.TextField("主旨", blank=True)
    starts_at = models.DateTimeField("开始时间")
    place = models.CharField("集合地点", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ObservationStatus.choices, default=ObservationStatus.PLANNED
    )
    sign_in_code = models.CharField("签到码", max_length=8, unique=True)
    # configurable aggregation: trim highest and lowest at this many judges or more
    trim_min_judges = models.PositiveSmallIntegerField("去掉最高最低分的最少评委数", default=5)
    outlier_points = models.DecimalField(
        "偏离提示阈值（分）", max_digits=5, decimal_places=2, default=Decimal("10")
    )
    conclusions = models.TextField("会议明确的工作重点", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "现场观摩会"
        verbose_name_plural = "现场观摩会"
        default_manager_name = "all_objects"
        ordering = ["-starts_at", "id"]

    def __str__(self):
        return self.title


class ShowKind(models.TextChoices):
    BOARD = "board", "展板"
    ROOM = "room", "阵地/场所"
    ACTIVITY = "activity", "现场活动"
    ARCHIVE = "archive", "档案资料"


class Stop(models.Model):
    """A stop on the route: which unit shows what, where, for how long."""

    SCOPE_PATH = "meeting__owner_path"

    meeting = models.ForeignKey(
        ObservationMeeting, verbose_name="观摩会", on_delete=models.CASCADE, related_name="stops"
    )
    order = models.PositiveSmallIntegerField("顺序")
    org = models.ForeignKey(
        "orgs.Org", verbose_name="展示单位", on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField("地点", max_length=200)
    show_kind = models.CharField(
        "展示形式", max_length=16, choices=ShowKind.choices, default=ShowKind.BOARD
    )
    shows = models.TextField("展示内容", blank=True)
    planned_minutes = models.PositiveSmallIntegerField("计划时长（分钟）", default=15)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "观摩点位"
        verbose_name_plural = "观摩点位"
        default_manager_name = "all_objects"
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="assessment_stop_order")
        ]

    def __str__(self):
        return f"{self.order}. {self.place}"


class ObservationJudge(models.Model):
    SCOPE_PATH = "meeting__owner_path"

    meeting = models.ForeignKey(
        ObservationMeeting, verbose_name="观摩会", on_delete=models.CASCADE, related_name="judges"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name="评委账号", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("评委", max_length=50)
    affiliation = models.CharField("单位职务", max_length=100, blank=True)
    stops = models.ManyToManyField(Stop, verbose_name="负责评分的点位", related_name="judges")

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "评委"
        verbose_name_plural = "评委"
        default_manager_name = "all_objects"
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="assessment_judge_once")
        ]

    def __str__(self):
        return self.name


class Participant(models.Model):
    SCOPE_PATH = "meeting__owner_path"

    meeting = models.ForeignKey(
        ObservationMeeting,
        verbose_name="观摩会",
        on_delete=models.CASCADE,
        related_name="participants",
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=50)
    affiliation = models.CharField("单位职务", max_length=100, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        default_manager_name = "all_objects"
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="assessment_participant_once",
            )
        ]

    def __str__(self):
        return self.name


class ScoreSheet(models.Model):
    """One judge's score of one stop. Items are saved one by one as the judge taps them;
    `total` is their sum (or, without a sheet scheme, the one overall score)."""

    SCOPE_PATH = "stop__meeting__owner_path"

    stop = models.ForeignKey(
        Stop, verbose_name="点位", on_delete=models.CASCADE, related_name="sheets"
    )
    judge = models.ForeignKey(
        ObservationJudge, verbose_name="评委", on_delete=models.CASCADE, related_name="sheets"
    )
    total = points_field("得分", default=ZERO)
    comment = models.CharField("评语", max_length=500, blank=True)
    submitted_at = models.DateTimeField("确认提交时间", null=True, blank=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "评分表"
        verbose_name_plural = "评分表"
        default_manager_name = "all_objects"
        ordering = ["stop", "judge"]
        constraints = [
            models.UniqueConstraint(fields=["stop", "judge"], name="assessment_sheet_once")
        ]

    def __str__(self):
        return f"{self.judge_id}@{self.stop_id}: {self.total}"


class ScoreItem(models.Model):
    SCOPE_PATH = "sheet__stop__meeting__owner_path"

    sheet = models.ForeignKey(
        ScoreSheet, verbose_name="评分表", on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="评分项", on_delete=models.PROTECT, related_name="+"
    )
    points = points_field("得分")
    saved_at = models.DateTimeField("保存时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "评分项得分"
        verbose_name_plural = "评分项得分"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["sheet", "indicator"], name="assessment_item_once")
        ]

    def __str__(self):
        return f"{self.indicator_id}: {self.points}"


class ExchangeSpeech(models.Model):
    """经验交流: who spoke, for which unit, and the notes taken."""

    SCOPE_PATH = "meeting__owner_path"

    meeting = models.ForeignKey(
        ObservationMeeting, verbose_name="观摩会", on_delete=models.CASCADE, related_name="speeches"
    )
    order = models.PositiveSmallIntegerField("顺序")
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    speaker = models.CharField("发言人", max_length=50)
    title = models.CharField("发言题目", max_length=200, blank=True)
    notes = models.TextField("发言要点", blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "交流发言"
        verbose_name_plural = "交流发言"
        default_manager_name = "all_objects"
        ordering = ["meeting", "order", "id"]

    def __str__(self):
        return self.speaker


class TaskStatus(models.TextChoices):
    OPEN = "open", "推进中"
    DONE = "done", "已完成"


class ObservationTask(models.Model):
    """A task the meeting set for a unit, with a deadline, tracked to completion."""

    SCOPE_PATH = "meeting__owner_path"

    meeting = models.ForeignKey(
        ObservationMeeting, verbose_name="观摩会", on_delete=models.CASCADE, related_name="tasks"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("任务", max_length=200)
    detail = models.TextField("要求", blank=True)
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.TextField("完成情况", blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "观摩会任务"
        verbose_name_plural = "观摩会任务"
        default_manager_name = "all_objects"
        ordering = ["meeting", "due_on", "id"]

    def __str__(self):
        return self.title


# ---------------------------------------------------------------- 述职评议 (R-ORG-17)


class Grade(models.TextChoices):
    # R-ORG-17; grade names from the 述职评议考核办法 (C3: unconfirmed, rules.md open question 12)
    GOOD = "good", "好"
    FAIRLY_GOOD = "fairly_good", "较好"
    AVERAGE = "average", "一般"
    POOR = "poor", "差"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "准备中"
    OPEN = "open", "投票中"
    CLOSED = "closed", "已结束"


class SecretaryReview(models.Model):
    """书记抓党建述职评议: one sitting where secretaries report and voters grade each."""

    SCOPE_PATH = "owner_path"

    owner = models.ForeignKey(
        "orgs.Org", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    owner_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    contest = models.ForeignKey(
        SecretaryContest,
        verbose_name="所属赛事",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    held_on = models.DateField("评议日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    closes_at = models.DateTimeField("投票截止", null=True, blank=True)
    opened_at = models.DateTimeField("开始投票", null=True, blank=True)
    closed_at = models.DateTimeField("结束投票", null=True, blank=True)
    comments = models.TextField("评议总体意见", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "述职评议"
        verbose_name_plural = "述职评议"
        default_manager_name = "all_objects"
        ordering = ["-year", "id"]

    def __str__(self):
        return self.title


def report_upload_to(instance, filename):
    return f"reviews/{instance.review_id}/{filename}"


class SecretaryReport(models.Model):
    SCOPE_PATH = "org_path"

    review = models.ForeignKey(
        SecretaryReview, verbose_name="述职评议", on_delete=models.CASCADE, related_name="reports"
    )
    order = models.PositiveSmallIntegerField("述职顺序", default=0)
    org = models.ForeignKey(
        "orgs.Org", verbose_name="述职组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    secretary = models.ForeignKey(
        "members.Member",
        verbose_name="书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    secretary_name = models.CharField("书记姓名", max_length=50)
    report = models.TextField("述职报告", blank=True)
    file = models.FileField("报告文件", upload_to=report_upload_to, max_length=255, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    review_comment = models.TextField("评议意见", blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "书记述职"
        verbose_name_plural = "书记述职"
        default_manager_name = "all_objects"
        ordering = ["review", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "org"], name="assessment_report_once")
        ]

    def __str__(self):
        return f"{self.secretary_name}（{self.org}）"


class ReviewVoter(models.Model):
    """Who may vote, and whether he has. Never what he voted."""

    SCOPE_PATH = "review__owner_path"

    review = models.ForeignKey(
        SecretaryReview, verbose_name="述职评议", on_delete=models.CASCADE, related_name="voters"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name="投票人", on_delete=models.PROTECT, related_name="+"
    )
    has_voted = models.BooleanField("已投票", default=False)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "评议投票人"
        verbose_name_plural = "评议投票人"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="assessment_voter_once")
        ]

    def __str__(self):
        return f"{self.review_id}: {self.user_id}"


class BallotTally(models.Model):
    """The ballots for one report: a counter per grade. A cast ballot adds one to a counter;
    there is no row per ballot, so nothing can link a ballot to its voter."""

    SCOPE_PATH = "report__org_path"

    report = models.ForeignKey(
        SecretaryReport, verbose_name="书记述职", on_delete=models.CASCADE, related_name="tallies"
    )
    grade = models.CharField("等次", max_length=16, choices=Grade.choices)
    count = models.PositiveIntegerField("票数", default=0)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "评议票数"
        verbose_name_plural = "评议票数"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["report", "grade"], name="assessment_tally_once")
        ]

    def __str__(self):
        return f"{self.report_id} {self.grade}: {self.count}"


class Rectification(models.Model):
    """整改清单: an item the review asked a secretary to fix, tracked to completion."""

    SCOPE_PATH = "report__org_path"

    report = models.ForeignKey(
        SecretaryReport,
        verbose_name="书记述职",
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    problem = models.TextField("问题")
    measure = models.TextField("整改措施", blank=True)
    due_on = models.DateField("整改时限")
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.TextField("整改情况", blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        default_manager_name = "all_objects"
        ordering = ["report", "due_on", "id"]

    def __str__(self):
        return self.problem[:30]
