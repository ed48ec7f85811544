"""老干部服务 (veterans): the services a 老干部局 runs for retired cadres.

- `Retiree`: a retired cadre (离退休干部), linked to `Member` when a Party member, with his
  retiree branch and interest groups. The health note is sensitive: sealed at rest
  (core.crypto), shown only through an audited reveal.
- `Pairing` (结对联系): a serving cadre paired with a retiree; `Contact` logs each call or
  visit (thoughts, living situation). How often each is owed is a configurable rule
  (rules/veterans.py, settings VETERANS_CALL_MONTHS / VETERANS_VISIT_MONTHS).
- `Request` (呼声 / 意愿 / 需求): raised by the retiree (recorded by the paired cadre or the
  family), routed to an `Office`, answered within a configurable deadline, fed back to the
  retiree with his satisfaction recorded; overdue requests escalate.
- `VolunteerTeam` (银龄志愿服务队) with `TeamMembership` and `VolunteerActivity` (hours,
  beneficiaries); `Studio` (老党员工作室, and the 老党员之家) with `StudioActivity`;
  `CareSession` (健康顾问 and 智慧助老); `Exemplar` (典型: 普法爷爷, 金牌调解员) with the
  `MediationCase`s he helped with.
- Every activity carries the seed's resource category (`Resource`: 红色 / 银色 / 金色), so the
  counts by category are derived, never typed.

Scoped rows carry `org_path` (the managing unit's or the retiree branch's path): a 老干部局
admin sees the retirees of its subtree; the 工委 sees all. See docs/veterans.md."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from dangjian.core.scoping import ScopedManager


class Resource(models.TextChoices):
    """The seed's three categories of the retired cadres' activities."""

    RED = "red", "红色资源（赓续红色血脉）"
    SILVER = "silver", "银色资源（银龄志愿服务）"
    GOLD = "gold", "金色资源（典型引领、参与治理）"


class RetireeStatus(models.TextChoices):
    RETIRED = "retired", "退休"
    LIXIU = "lixiu", "离休"


class Retiree(models.Model):
    """A retired cadre. `org` is the body that serves him (the retiree branch when he has one,
    otherwise the 老干部局's or his former unit's Party body)."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="所在组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    member = models.OneToOneField(
        "members.Member",
        verbose_name="党员档案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retiree",
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")], blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    status = models.CharField(
        "离退休类别", max_length=10, choices=RetireeStatus.choices, default=RetireeStatus.RETIRED
    )
    former_unit = models.CharField("原工作单位", max_length=100, blank=True)
    former_post = models.CharField("原职务", max_length=100, blank=True)
    retired_on = models.DateField("离退休时间", null=True, blank=True)
    phone_sealed = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=60, blank=True)
    address_sealed = models.TextField("住址（密文）", blank=True, editable=False)
    address_masked = models.CharField("住址", max_length=20, blank=True)
    # sensitive: sealed; `has_health_note` lets a list say "有" without decrypting
    health_note_sealed = models.TextField("健康状况（密文）", blank=True, editable=False)
    has_health_note = models.BooleanField("已登记健康状况", default=False)
    living_alone = models.BooleanField("独居", default=False)
    died_on = models.DateField("去世日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "离退休干部"
        verbose_name_plural = "离退休干部"
        default_manager_name = "all_objects"
        ordering = ["org_path", "name", "id"]
        indexes = [models.Index(fields=["org_path", "name"], name="veterans_retiree_path_name")]

    def __str__(self):
        return self.name


class InterestGroup(models.Model):
    """兴趣小组 of a retiree branch (诗词, 书画, 花鼓船歌 …)."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属党支部", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    name = models.CharField("名称", max_length=50)
    note = models.TextField("简介", blank=True)
    members = models.ManyToManyField(
        Retiree, verbose_name="成员", blank=True, related_name="interest_groups"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "兴趣小组"
        verbose_name_plural = "兴趣小组"
        default_manager_name = "all_objects"
        ordering = ["org_path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="veterans_one_group_name")
        ]

    def __str__(self):
        return self.name


class Pairing(models.Model):
    """结对联系: a serving cadre (a member with an account, usually) paired with a retiree.
    Scoped by the retiree's path, so the 老干部局 sees every pairing of its retirees."""

    SCOPE_PATH = "org_path"

    retiree = models.ForeignKey(
        Retiree, verbose_name="离退休干部", on_delete=models.PROTECT, related_name="pairings"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    cadre = models.ForeignKey(
        "members.Member", verbose_name="结对干部", on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "结对联系"
        verbose_name_plural = "结对联系"
        default_manager_name = "all_objects"
        ordering = ["org_path", "retiree", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["retiree", "cadre"],
                condition=Q(ended_on__isnull=True),
                name="veterans_one_live_pairing",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="veterans_pairing_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.cadre} — {self.retiree}"


class ContactKind(models.TextChoices):
    CALL = "call", "电话联系"
    VISIT = "visit", "上门走访"


class Contact(models.Model):
    """A call or visit of a pairing: the thoughts and living situation heard."""

    SCOPE_PATH = "org_path"

    pairing = models.ForeignKey(
        Pairing, verbose_name="结对联系", on_delete=models.PROTECT, related_name="contacts"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField("方式", max_length=8, choices=ContactKind.choices)
    contacted_on = models.DateField("联系日期")
    thoughts = models.TextField("思想动态", blank=True)
    living = models.TextField("生活状况", blank=True)
    note = models.TextField("其他情况", blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        default_manager_name = "all_objects"
        ordering = ["-contacted_on", "-id"]
        indexes = [
            models.Index(fields=["pairing", "kind", "contacted_on"], name="veterans_contact_last")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.contacted_on}"


class Office(models.Model):
    """A responsible office of the managing unit (离休干部处, 退休干部处, 活动中心 …), to which
    requests are routed."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    name = models.CharField("名称", max_length=50)
    is_active = models.BooleanField("启用", default=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "责任处室"
        verbose_name_plural = "责任处室"
        default_manager_name = "all_objects"
        ordering = ["org_path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="veterans_one_office_name")
        ]

    def __str__(self):
        return self.name


class RequestKind(models.TextChoices):
    VOICE = "voice", "呼声"
    WISH = "wish", "意愿"
    NEED = "need", "需求"


class RequestSource(models.TextChoices):
    CADRE = "cadre", "结对干部代为登记"
    FAMILY = "family", "家属反映"
    SELF = "self", "本人反映"


class RequestStatus(models.TextChoices):
    OPEN = "open", "办理中"
    ANSWERED = "answered", "已答复"
    FED_BACK = "fed_back", "已反馈"
    CLOSED = "closed", "已办结"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIRLY = "fairly", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Request(models.Model):
    """A retiree's 呼声 / 意愿 / 需求: raised, routed to an office, answered by `due_on` (the
    configurable deadline, rules/veterans.py), fed back to the retiree, his satisfaction
    recorded, closed. Nothing is answered after it is closed."""

    SCOPE_PATH = "org_path"

    retiree = models.ForeignKey(
        Retiree, verbose_name="离退休干部", on_delete=models.PROTECT, related_name="requests"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    pairing = models.ForeignKey(
        Pairing,
        verbose_name="结对联系",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    kind = models.CharField("类别", max_length=8, choices=RequestKind.choices)
    source = models.CharField("来源", max_length=8, choices=RequestSource.choices)
    family_name = models.CharField("反映人（家属）", max_length=50, blank=True)
    content = models.TextField("内容")
    raised_on = models.DateField("提出日期")
    office = models.ForeignKey(
        Office, verbose_name="责任处室", on_delete=models.PROTECT, related_name="requests"
    )
    due_on = models.DateField("答复期限")
    status = models.CharField(
        "状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = models.TextField("答复内容", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fed_back_on = models.DateField("反馈日期", null=True, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=12, choices=Satisfaction.choices, blank=True
    )
    closed_on = models.DateField("办结日期", null=True, blank=True)
    escalated_at = models.DateTimeField("升级督办时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        default_manager_name = "all_objects"
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="veterans_request_due"),
            models.Index(fields=["org_path", "raised_on"], name="veterans_request_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("raised_on")), name="veterans_request_due_after_raised"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.content[:20]}"


class VolunteerTeam(models.Model):
    """银龄志愿服务队."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    name = models.CharField("队名", max_length=100)
    focus = models.CharField("服务内容", max_length=200, blank=True)
    founded_on = models.DateField("成立日期")
    leader = models.ForeignKey(
        Retiree,
        verbose_name="队长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    disbanded_on = models.DateField("撤销日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "银龄志愿服务队"
        verbose_name_plural = "银龄志愿服务队"
        default_manager_name = "all_objects"
        ordering = ["org_path", "founded_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="veterans_one_team_name")
        ]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(
        VolunteerTeam, verbose_name="服务队", on_delete=models.CASCADE, related_name="memberships"
    )
    retiree = models.ForeignKey(
        Retiree, verbose_name="队员", on_delete=models.PROTECT, related_name="team_memberships"
    )
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        verbose_name = "服务队队员"
        verbose_name_plural = "服务队队员"
        ordering = ["team", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "retiree"],
                condition=Q(left_on__isnull=True),
                name="veterans_one_live_membership",
            )
        ]

    def __str__(self):
        return f"{self.team} — {self.retiree}"


class VolunteerActivity(models.Model):
    """One activity of a team: who took part, the hours each gave, whom it served."""

    SCOPE_PATH = "org_path"

    team = models.ForeignKey(
        VolunteerTeam, verbose_name="服务队", on_delete=models.PROTECT, related_name="activities"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("活动名称", max_length=200)
    held_on = models.DateField("活动日期")
    place = models.CharField("地点", max_length=100, blank=True)
    resource = models.CharField(
        "资源类别", max_length=8, choices=Resource.choices, default=Resource.SILVER
    )
    hours = models.DecimalField("人均服务时长（小时）", max_digits=5, decimal_places=1)
    participants = models.ManyToManyField(
        Retiree, verbose_name="参与队员", blank=True, related_name="volunteer_activities"
    )
    beneficiaries = models.PositiveIntegerField("服务对象（人次）", default=0)
    summary = models.TextField("活动情况", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "志愿服务活动"
        verbose_name_plural = "志愿服务活动"
        default_manager_name = "all_objects"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="veterans_activity_hours_range"
            ),
        ]

    def __str__(self):
        return self.title


class StudioKind(models.TextChoices):
    STUDIO = "studio", "老党员工作室"
    HOME = "home", "老党员之家"


class Studio(models.Model):
    """老党员工作室 (named after an old member: “诗奶奶”李军, “剪报爷爷”程培长) or 老党员之家 (a
    place, e.g. 茅箭区五堰街道北街社区)."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField("类别", max_length=8, choices=StudioKind.choices)
    name = models.CharField("名称", max_length=100)
    leader = models.ForeignKey(
        Retiree,
        verbose_name="领衔老党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place = models.CharField("地址", max_length=200, blank=True)
    opened_on = models.DateField("授牌（成立）日期")
    note = models.TextField("简介", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "老党员工作室（之家）"
        verbose_name_plural = "老党员工作室（之家）"
        default_manager_name = "all_objects"
        ordering = ["org_path", "kind", "opened_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="veterans_one_studio_name")
        ]

    def __str__(self):
        return self.name


class StudioActivity(models.Model):
    SCOPE_PATH = "org_path"

    studio = models.ForeignKey(
        Studio, verbose_name="工作室", on_delete=models.PROTECT, related_name="activities"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("活动名称", max_length=200)
    held_on = models.DateField("活动日期")
    resource = models.CharField(
        "资源类别", max_length=8, choices=Resource.choices, default=Resource.RED
    )
    attendance = models.PositiveIntegerField("参加人次", default=0)
    summary = models.TextField("活动情况", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "工作室活动"
        verbose_name_plural = "工作室活动"
        default_manager_name = "all_objects"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class CareKind(models.TextChoices):
    HEALTH = "health", "健康顾问志愿服务"
    SMART = "smart", "智慧助老"


class CareSession(models.Model):
    """A session of health advice (with a hospital, e.g. 市太和医院) or of 智慧助老 (helping
    the old with smartphones and online services)."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField("类别", max_length=8, choices=CareKind.choices)
    title = models.CharField("主题", max_length=200)
    held_on = models.DateField("日期")
    partner = models.CharField("合作单位", max_length=100, blank=True)
    advisers = models.CharField("顾问（志愿者）", max_length=200, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    served = models.PositiveIntegerField("服务老干部（人次）", default=0)
    summary = models.TextField("情况", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "健康顾问与智慧助老"
        verbose_name_plural = "健康顾问与智慧助老"
        default_manager_name = "all_objects"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class Exemplar(models.Model):
    """典型: a retiree named as a model (普法爷爷, 金牌调解员 …) with his story."""

    SCOPE_PATH = "org_path"

    retiree = models.ForeignKey(
        Retiree, verbose_name="离退休干部", on_delete=models.PROTECT, related_name="exemplars"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    title = models.CharField("称号", max_length=50)
    named_on = models.DateField("评树日期")
    story = models.TextField("事迹")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "先进典型"
        verbose_name_plural = "先进典型"
        default_manager_name = "all_objects"
        ordering = ["org_path", "named_on", "id"]

    def __str__(self):
        return f"“{self.title}”{self.retiree}"


class MediationOutcome(models.TextChoices):
    RESOLVED = "resolved", "调解成功"
    PARTLY = "partly", "部分达成"
    FAILED = "failed", "未达成"
    ONGOING = "ongoing", "调解中"


class MediationCase(models.Model):
    """A dispute an exemplar helped mediate (金牌调解员)."""

    SCOPE_PATH = "org_path"

    exemplar = models.ForeignKey(
        Exemplar, verbose_name="典型", on_delete=models.PROTECT, related_name="cases"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    handled_on = models.DateField("调解日期")
    place = models.CharField("地点（村、社区）", max_length=100, blank=True)
    matter = models.CharField("纠纷事项", max_length=200)
    parties = models.PositiveSmallIntegerField("当事人数", default=2)
    outcome = models.CharField("结果", max_length=10, choices=MediationOutcome.choices)
    summary = models.TextField("经过", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "调解案例"
        verbose_name_plural = "调解案例"
        default_manager_name = "all_objects"
        ordering = ["-handled_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(parties__gte=2), name="veterans_case_two_parties")
        ]

    def __str__(self):
        return self.matter
