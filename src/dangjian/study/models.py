"""学习培训 (study): yearly plans, study sessions (an organisational-life meeting of kind
`study_session` or `party_lesson`, whose attendance and sign-in are the meeting's), external
trainings with proof, exemptions (R-EDU-03), the materials library with reading assignments
and progress, question banks and self-tests, study notes (心得体会) and the member points
ledger (党员积分). Credit hours are derived from these records (rules.study, R-EDU-01/02).
See docs/study.md."""

from __future__ import annotations

from django.db import models

from dangjian.core.scoping import ScopedManager


class StudyForm(models.TextChoices):
    CONCENTRATED = "concentrated", "集中学习"
    LECTURE = "lecture", "宣讲"
    GUIDED = "guided", "导学"
    REPORT = "report", "报告会"
    COURSE = "course", "培训班"
    PARTY_LESSON = "party_lesson", "专题党课"


class StudyMode(models.TextChoices):
    IN_PERSON = "in_person", "线下"
    ONLINE = "online", "线上"


def _user_fk(label: str = "登记人"):
    return models.ForeignKey(
        "accounts.User",
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class StudyPlan(models.Model):
    """年度学习计划 of one org for one year."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    note = models.TextField("说明", blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "年度学习计划"
        verbose_name_plural = "年度学习计划"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="study_plan_org_year_uniq")
        ]

    def __str__(self):
        return self.title


class PlanItem(models.Model):
    """One line of a plan: a topic in a month, its form, online or in person, planned hours."""

    SCOPE_PATH = "plan__org_path"

    plan = models.ForeignKey(
        StudyPlan, verbose_name="学习计划", on_delete=models.CASCADE, related_name="items"
    )
    month = models.PositiveSmallIntegerField("月份")
    topic = models.CharField("学习主题", max_length=200)
    form = models.CharField("学习形式", max_length=20, choices=StudyForm.choices)
    mode = models.CharField(
        "线上/线下", max_length=10, choices=StudyMode.choices, default=StudyMode.IN_PERSON
    )
    hours = models.DecimalField("计划学时", max_digits=5, decimal_places=1)
    note = models.CharField("备注", max_length=200, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "学习计划条目"
        verbose_name_plural = "学习计划条目"
        default_manager_name = "all_objects"
        ordering = ["month", "id"]

    def __str__(self):
        return self.topic


class StudySession(models.Model):
    """A study session: the meeting holds the org, time, place, roster, attendance, sign-in
    and minutes; this holds what only study has (form, mode, credited hours, speaker, the
    plan line it carries out)."""

    SCOPE_PATH = "org_path"

    meeting = models.OneToOneField(
        "orglife.Meeting",
        verbose_name="会议",
        on_delete=models.CASCADE,
        related_name="study_session",
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    plan_item = models.ForeignKey(
        PlanItem,
        verbose_name="计划条目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    form = models.CharField("学习形式", max_length=20, choices=StudyForm.choices)
    mode = models.CharField(
        "线上/线下", max_length=10, choices=StudyMode.choices, default=StudyMode.IN_PERSON
    )
    #: credited to every member present; never more than the meeting's length
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    speaker = models.CharField("主讲人", max_length=100, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "学习培训"
        verbose_name_plural = "学习培训"
        default_manager_name = "all_objects"

    def __str__(self):
        return f"{self.get_form_display()}：{self.meeting_id}"


class TrainingKind(models.TextChoices):
    PARTY_SCHOOL = "party_school", "党校培训"
    ONLINE = "online", "网络培训"
    ROTATION = "rotation", "轮训班"
    OTHER = "other", "其他培训"


class TrainingStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已认定"
    REJECTED = "rejected", "未认定"


def proof_upload_to(instance, filename):
    # the stored name is random; the original name is kept in `proof_name`
    import uuid

    return f"study/proofs/{uuid.uuid4().hex}"


class Training(models.Model):
    """An external training a member attended (党校, 网络培训 …), entered with its proof. A
    member's own entry waits for the branch to approve it; a manager's entry is approved."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("培训名称", max_length=200)
    provider = models.CharField("举办单位", max_length=200)
    kind = models.CharField("培训类型", max_length=20, choices=TrainingKind.choices)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    #: a concentrated training (集中培训): R-EDU-02 asks secretaries and committee members for one
    is_concentrated = models.BooleanField("集中培训", default=False)
    proof = models.FileField("证明材料", upload_to=proof_upload_to, max_length=255, blank=True)
    proof_name = models.CharField("证明材料文件名", max_length=255, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=TrainingStatus.choices, default=TrainingStatus.SUBMITTED
    )
    reject_reason = models.CharField("未认定原因", max_length=200, blank=True)
    submitted_by = _user_fk("提交人")
    decided_by = _user_fk("审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "参加培训"
        verbose_name_plural = "参加培训"
        default_manager_name = "all_objects"
        indexes = [models.Index(fields=["member", "started_on"], name="study_training_member_idx")]

    def __str__(self):
        return self.title


class ExemptionReason(models.TextChoices):
    OLD = "old", "年老"
    ILL = "ill", "体弱多病"
    DISABLED = "disabled", "行动不便（残疾）"


class StudyExemption(models.Model):
    """R-EDU-03: a member not held to the yearly hours (and left out of the denominators)."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    reason = models.CharField("原因", max_length=12, choices=ExemptionReason.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    granted_by = _user_fk()
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "学时免除"
        verbose_name_plural = "学时免除"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="study_exemption_uniq")
        ]

    def __str__(self):
        return f"{self.year}年学时免除：{self.member_id}"


# ---------------------------------------------------------------------------------------------
# Materials library


class Topic(models.Model):
    """A shelf of the library (二十大精神, 党章, 条例 …), shared by everyone."""

    name = models.CharField("专题", max_length=50, unique=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "学习专题"
        verbose_name_plural = "学习专题"
        ordering = ["sort", "id"]

    def __str__(self):
        return self.name


class MaterialKind(models.TextChoices):
    DOCUMENT = "document", "文档"
    VIDEO = "video", "视频"
    LINK = "link", "链接"


def material_upload_to(instance, filename):
    import uuid

    return f"study/materials/{uuid.uuid4().hex}"


class Material(models.Model):
    """A document, video or link in the library, owned by an org: the members of its subtree
    see it."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="发布组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    topic = models.ForeignKey(
        Topic, verbose_name="专题", on_delete=models.PROTECT, related_name="materials"
    )
    title = models.CharField("标题", max_length=200)
    description = models.TextField("简介", blank=True)
    kind = models.CharField("类型", max_length=10, choices=MaterialKind.choices)
    file = models.FileField("文件", upload_to=material_upload_to, max_length=255, blank=True)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    url = models.URLField("链接", max_length=500, blank=True)
    minutes = models.PositiveSmallIntegerField("预计学习时长（分钟）", default=10)
    is_active = models.BooleanField("在用", default=True)
    created_by = _user_fk("发布人")
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "学习资料"
        verbose_name_plural = "学习资料"
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class ReadingAssignment(models.Model):
    """必学: the members of `org`'s subtree must finish `material` by `due_on`."""

    SCOPE_PATH = "org_path"

    material = models.ForeignKey(
        Material, verbose_name="学习资料", on_delete=models.CASCADE, related_name="assignments"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="学习范围", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    due_on = models.DateField("完成期限")
    assigned_by = _user_fk("布置人")
    created_at = models.DateTimeField("布置时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "必学安排"
        verbose_name_plural = "必学安排"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["material", "org"], name="study_assignment_uniq")
        ]

    def __str__(self):
        return f"必学：{self.material_id}（{self.due_on}前）"


class ReadingProgress(models.Model):
    """A member opened a material and, later, marked it finished."""

    SCOPE_PATH = "org_path"

    material = models.ForeignKey(
        Material, verbose_name="学习资料", on_delete=models.CASCADE, related_name="progress"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    opened_at = models.DateTimeField("开始学习时间")
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "学习进度"
        verbose_name_plural = "学习进度"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["material", "member"], name="study_progress_uniq")
        ]

    def __str__(self):
        return f"学习进度：{self.material_id}/{self.member_id}"


# ---------------------------------------------------------------------------------------------
# Question banks and self-tests (自测)


class QuestionBank(models.Model):
    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("题库名称", max_length=200)
    description = models.TextField("说明", blank=True)
    created_by = _user_fk("创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "题库"
        verbose_name_plural = "题库"
        default_manager_name = "all_objects"

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    JUDGE = "judge", "判断题"


class Question(models.Model):
    """`options` is the list of option texts (判断题: ["正确", "错误"]); `answer` the sorted list
    of the right options' indexes."""

    SCOPE_PATH = "bank__org_path"

    bank = models.ForeignKey(
        QuestionBank, verbose_name="题库", on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField("题型", max_length=10, choices=QuestionKind.choices)
    text = models.TextField("题干")
    options = models.JSONField("选项", default=list)
    answer = models.JSONField("正确答案", default=list)
    explanation = models.TextField("解析", blank=True)
    rule_ref = models.CharField("依据规则", max_length=20, blank=True)
    is_active = models.BooleanField("在用", default=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        default_manager_name = "all_objects"
        ordering = ["id"]

    def __str__(self):
        return self.text[:30]


class Quiz(models.Model):
    """A self-test drawn from a bank: each member gets `question_count` questions at random,
    once, within `time_limit_minutes`, between `opens_at` and `closes_at`."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    bank = models.ForeignKey(
        QuestionBank, verbose_name="题库", on_delete=models.PROTECT, related_name="quizzes"
    )
    title = models.CharField("测试名称", max_length=200)
    question_count = models.PositiveSmallIntegerField("题目数")
    time_limit_minutes = models.PositiveSmallIntegerField("限时（分钟）")
    pass_score = models.PositiveSmallIntegerField("及格分", default=60)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    created_by = _user_fk("创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "自测"
        verbose_name_plural = "自测"
        default_manager_name = "all_objects"
        ordering = ["-opens_at", "-id"]

    def __str__(self):
        return self.title


class QuizAttempt(models.Model):
    """One member's only attempt: the questions drawn for him, his answers (question id →
    chosen indexes), and the score out of 100 once submitted."""

    SCOPE_PATH = "org_path"

    quiz = models.ForeignKey(
        Quiz, verbose_name="自测", on_delete=models.CASCADE, related_name="attempts"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    started_at = models.DateTimeField("开始时间")
    deadline_at = models.DateTimeField("交卷期限")
    submitted_at = models.DateTimeField("交卷时间", null=True, blank=True)
    question_ids = models.JSONField("抽到的题目", default=list)
    answers = models.JSONField("作答", default=dict, blank=True)
    correct_count = models.PositiveSmallIntegerField("答对题数", default=0)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("及格", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "自测记录"
        verbose_name_plural = "自测记录"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["quiz", "member"], name="study_attempt_uniq")
        ]

    def __str__(self):
        return f"自测记录：{self.quiz_id}/{self.member_id}"


# ---------------------------------------------------------------------------------------------
# Study notes (心得体会)


class StudyNote(models.Model):
    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("正文")
    session = models.ForeignKey(
        StudySession,
        verbose_name="学习培训",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    material = models.ForeignKey(
        Material,
        verbose_name="学习资料",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = _user_fk("提交人")

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "心得体会"
        verbose_name_plural = "心得体会"
        default_manager_name = "all_objects"
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return self.title


class CopiedNote(models.Model):
    """The similarity index found `note` close to an earlier text (`source_type`/`source_id`:
    another note, or minutes of a meeting)."""

    SCOPE_PATH = "org_path"

    note = models.ForeignKey(
        StudyNote, verbose_name="心得体会", on_delete=models.CASCADE, related_name="copies"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    source_type = models.CharField("相似来源类型", max_length=40)
    source_id = models.BigIntegerField("相似来源编号")
    source_path = models.CharField("相似来源组织路径", max_length=255, editable=False)
    similarity = models.FloatField("相似度")
    found_at = models.DateTimeField("发现时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "疑似雷同心得"
        verbose_name_plural = "疑似雷同心得"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["note", "source_type", "source_id"], name="study_copied_note_uniq"
            )
        ]

    def __str__(self):
        return f"疑似雷同：{self.note_id}≈{self.source_type}:{self.source_id}"


# ---------------------------------------------------------------------------------------------
# Member points (党员积分)


class PointScheme(models.Model):
    """A version of the points scheme: from `effective_from` on, until a later version. The
    rules are its `PointRule`s. With no version stored, rules.study.DEFAULT_POINT_SCHEME
    applies (R-LOCAL-08)."""

    name = models.CharField("方案名称", max_length=100)
    version = models.PositiveIntegerField("版本", unique=True)
    effective_from = models.DateField("生效日期")
    baseline = models.PositiveSmallIntegerField("年度合格分", default=70)
    note = models.TextField("说明", blank=True)
    created_by = _user_fk("创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "积分方案"
        verbose_name_plural = "积分方案"
        ordering = ["-effective_from", "-version"]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class PointRule(models.Model):
    """Points per action, with caps per day and per year (0 = no cap)."""

    scheme = models.ForeignKey(
        PointScheme, verbose_name="积分方案", on_delete=models.CASCADE, related_name="rules"
    )
    action = models.CharField("积分事项", max_length=30)
    points = models.DecimalField("每次分值", max_digits=5, decimal_places=1)
    daily_cap = models.DecimalField("每日上限", max_digits=6, decimal_places=1, default=0)
    yearly_cap = models.DecimalField("年度上限", max_digits=6, decimal_places=1, default=0)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "action"], name="study_point_rule_uniq")
        ]

    def __str__(self):
        return f"{self.action}：{self.points}"


class PointEntry(models.Model):
    """One line of a member's points ledger, derived from a record (never typed): rebuilt by
    services_points.points_refresh from the meetings, readings, tests, notes and trainings."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    action = models.CharField("积分事项", max_length=30)
    source_type = models.CharField("来源类型", max_length=40)
    source_id = models.BigIntegerField("来源编号")
    occurred_on = models.DateField("日期")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)
    #: what the rule gave before a cap cut it (shown as "已达上限")
    capped_from = models.DecimalField(
        "封顶前分值", max_digits=5, decimal_places=1, null=True, blank=True
    )
    scheme_version = models.PositiveIntegerField("方案版本", default=0)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "积分明细"
        verbose_name_plural = "积分明细"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "action", "source_type", "source_id"],
                name="study_point_entry_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["year", "org_path"], name="study_points_year_path_idx"),
            models.Index(fields=["member", "year"], name="study_points_member_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.action} {self.points}"
