"""法律服务 (legal): what a 司法局 runs through lawyers, with their Party building.

- `LawFirm` and `Lawyer` (律师行业党建: the firm's Party branch, the lawyer's membership).
- `VillageLawyer` (一村(社区)一律师): each village and community (`cocreation.Community`, the
  same places the units are paired with: recorded once) with its assigned lawyer, at most one
  live assignment per place; `ServiceLog` records what the lawyer did there. Coverage is derived.
- `AdviserPost` (a government at 市 / 县 / 乡 level) and `LegalAdviser` (法律顾问) on it;
  coverage is derived, target 100%.
- `LegalAidCase` (法律援助): applicant category, matter, lawyer, status, outcome, time limits
  (configurable, settings LEGAL_AID_*).
- `LenientList` (四张清单): per domain and kind (免于处罚 / 减轻处罚 / 从轻处罚 / 免于行政强制),
  with `LenientItem`s (the conduct, the legal basis, the conditions, effective dates).
  Published items are public (`/public/lenient-lists/`), nothing else of this app is.
- `WorkSystemItem`: the "党建+律师246工作体系", whose content the seed does not give: goals and
  measures entered by the 司法局, never invented here.
- `LegalActivity`: 普法 and 好律师 activities with their participants.

Scoped rows carry `org_path` (the 司法局's body). See docs/legal.md."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from dangjian.core.scoping import ScopedManager


class LawFirm(models.Model):
    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="主管单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    name = models.CharField("律师事务所", max_length=100)
    licence_no = models.CharField("执业许可证号", max_length=30, blank=True)
    district = models.CharField("所在县（市、区）", max_length=50, blank=True)
    party_branch = models.ForeignKey(
        "orgs.Org",
        verbose_name="党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="律所党支部（或联合党支部）在组织树中的节点",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "律师事务所"
        verbose_name_plural = "律师事务所"
        default_manager_name = "all_objects"
        ordering = ["org_path", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="legal_one_firm")]

    def __str__(self):
        return self.name


class Lawyer(models.Model):
    SCOPE_PATH = "org_path"

    firm = models.ForeignKey(
        LawFirm, verbose_name="律师事务所", on_delete=models.PROTECT, related_name="lawyers"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")], blank=True)
    licence_no = models.CharField("执业证号", max_length=17, unique=True)
    is_party_member = models.BooleanField("中共党员", default=False)
    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员档案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    practising_since = models.DateField("执业时间", null=True, blank=True)
    phone_sealed = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=60, blank=True)
    is_active = models.BooleanField("执业中", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "律师"
        verbose_name_plural = "律师"
        default_manager_name = "all_objects"
        ordering = ["org_path", "name", "id"]

    def __str__(self):
        return self.name


class VillageLawyer(models.Model):
    """一村(社区)一律师: a lawyer assigned to a village or community."""

    SCOPE_PATH = "org_path"

    community = models.ForeignKey(
        "cocreation.Community",
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="lawyers",
    )
    lawyer = models.ForeignKey(
        Lawyer, verbose_name="律师", on_delete=models.PROTECT, related_name="villages"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "村（社区）法律顾问"
        verbose_name_plural = "村（社区）法律顾问"
        default_manager_name = "all_objects"
        ordering = ["community", "-started_on", "id"]
        constraints = [
            # one live lawyer per place: assigning another ends the first (or is refused)
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(ended_on__isnull=True),
                name="legal_one_live_village_lawyer",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="legal_village_lawyer_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.community} — {self.lawyer}"


class ServiceKind(models.TextChoices):
    VISIT = "visit", "驻点服务"
    CONSULTATION = "consultation", "法律咨询"
    DOCUMENT = "document", "审查文件（合同）"
    MEDIATION = "mediation", "参与调解"
    LECTURE = "lecture", "法治讲座"


class ServiceLog(models.Model):
    SCOPE_PATH = "org_path"

    assignment = models.ForeignKey(
        VillageLawyer, verbose_name="村（社区）律师", on_delete=models.PROTECT, related_name="logs"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField("服务类别", max_length=14, choices=ServiceKind.choices)
    served_on = models.DateField("服务日期")
    count = models.PositiveIntegerField("件（人）次", default=1)
    summary = models.TextField("服务内容", blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        default_manager_name = "all_objects"
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="legal_log_count_positive")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.served_on}"


class GovLevel(models.TextChoices):
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"


class AdviserPost(models.Model):
    """A government (党委政府) that should have a legal adviser: 市, 县 (市、区) or 乡
    (镇、街道)."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="主管单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    name = models.CharField("党委政府", max_length=100)
    level = models.CharField("层级", max_length=10, choices=GovLevel.choices)
    district = models.CharField("所在县（市、区）", max_length=50, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "法律顾问服务对象"
        verbose_name_plural = "法律顾问服务对象"
        default_manager_name = "all_objects"
        ordering = ["org_path", "level", "district", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="legal_one_post")]

    def __str__(self):
        return self.name


class LegalAdviser(models.Model):
    SCOPE_PATH = "org_path"

    post = models.ForeignKey(
        AdviserPost, verbose_name="党委政府", on_delete=models.PROTECT, related_name="advisers"
    )
    lawyer = models.ForeignKey(
        Lawyer, verbose_name="律师", on_delete=models.PROTECT, related_name="adviser_posts"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    started_on = models.DateField("聘任日期")
    ended_on = models.DateField("解聘日期", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "法律顾问"
        verbose_name_plural = "法律顾问"
        default_manager_name = "all_objects"
        ordering = ["post", "-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "lawyer"],
                condition=Q(ended_on__isnull=True),
                name="legal_one_live_adviser",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="legal_adviser_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.post} — {self.lawyer}"


class ApplicantCategory(models.TextChoices):
    ELDERLY = "elderly", "老年人"
    MINOR = "minor", "未成年人"
    DISABLED = "disabled", "残疾人"
    MIGRANT = "migrant", "农民工"
    WOMAN = "woman", "妇女"
    MILITARY = "military", "军人军属"
    LOW_INCOME = "low_income", "低保（特困）人员"
    OTHER = "other", "其他经济困难人员"


class AidStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    ACCEPTED = "accepted", "已受理"
    ASSIGNED = "assigned", "已指派"
    CLOSED = "closed", "已结案"
    REFUSED = "refused", "不予援助"


class AidOutcome(models.TextChoices):
    WON = "won", "胜诉（支持）"
    SETTLED = "settled", "调解（和解）"
    PARTLY = "partly", "部分支持"
    LOST = "lost", "败诉（驳回）"
    ENDED = "ended", "终止援助"


class LegalAidCase(models.Model):
    """法律援助 case. The applicant's name is kept masked in lists; time limits (review and
    assignment, in days) are settings, shown with the case."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="法律援助机构所属单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    case_no = models.CharField("案号", max_length=40)
    applicant_name = models.CharField("申请人", max_length=50)
    applicant_category = models.CharField(
        "申请人类别", max_length=12, choices=ApplicantCategory.choices
    )
    matter = models.CharField("援助事项", max_length=200)
    applied_on = models.DateField("申请日期")
    accepted_on = models.DateField("受理（审查决定）日期", null=True, blank=True)
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name="承办律师",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid_cases",
    )
    assigned_on = models.DateField("指派日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=AidStatus.choices, default=AidStatus.APPLIED
    )
    outcome = models.CharField("结果", max_length=10, choices=AidOutcome.choices, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    refusal_reason = models.TextField("不予援助理由", blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "法律援助案件"
        verbose_name_plural = "法律援助案件"
        default_manager_name = "all_objects"
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "case_no"], name="legal_one_case_no"),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("applied_on")),
                name="legal_aid_accepted_after_applied",
            ),
        ]

    def __str__(self):
        return self.case_no


class LenientKind(models.TextChoices):
    NO_PENALTY = "no_penalty", "免于处罚"
    REDUCED_PENALTY = "reduced_penalty", "减轻处罚"
    LIGHTER_PENALTY = "lighter_penalty", "从轻处罚"
    NO_COERCION = "no_coercion", "免于行政强制"


class LenientList(models.Model):
    """One of the 四张清单 of one domain (市场监管, 生态环境 …), published by the 司法局."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="发布单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    domain = models.CharField("领域", max_length=50)
    kind = models.CharField("清单类别", max_length=16, choices=LenientKind.choices)
    title = models.CharField("清单名称", max_length=200)
    issued_by = models.CharField("制定部门", max_length=100, blank=True)
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    is_published = models.BooleanField("已公开发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "四张清单"
        verbose_name_plural = "四张清单"
        default_manager_name = "all_objects"
        ordering = ["domain", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "domain", "kind"], name="legal_one_list"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="legal_list_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class LenientItem(models.Model):
    """One item of a list: the conduct, its legal basis (required), the conditions and
    circumstances under which the measure applies."""

    SCOPE_PATH = "org_path"

    lenient_list = models.ForeignKey(
        LenientList, verbose_name="清单", on_delete=models.CASCADE, related_name="items"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    seq = models.PositiveIntegerField("序号")
    conduct = models.CharField("违法行为", max_length=300)
    legal_basis = models.TextField("法律依据")
    conditions = models.TextField("适用条件（情形）")
    measure = models.TextField("处理方式", blank=True)
    effective_from = models.DateField("施行日期", null=True, blank=True)
    effective_to = models.DateField("失效日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        default_manager_name = "all_objects"
        ordering = ["lenient_list", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lenient_list", "seq"], name="legal_one_item_seq"),
            models.CheckConstraint(condition=~Q(legal_basis=""), name="legal_item_has_basis"),
        ]

    def __str__(self):
        return self.conduct


class WorkSystemItem(models.Model):
    """An item of the "党建+律师246工作体系": a goal or a measure under a heading. The seed
    names the system without its content, so the items come from the 司法局."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    heading = models.CharField("板块", max_length=100)
    kind = models.CharField("类别", max_length=8, choices=[("goal", "目标"), ("measure", "举措")])
    text = models.TextField("内容")
    position = models.PositiveIntegerField("顺序", default=0)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "246工作体系条目"
        verbose_name_plural = "246工作体系条目"
        default_manager_name = "all_objects"
        ordering = ["org_path", "position", "id"]

    def __str__(self):
        return self.text[:30]


class ActivityKind(models.TextChoices):
    PUFA = "pufa", "普法宣传"
    GOOD_LAWYER = "good_lawyer", "“做党和人民满意的好律师”活动"
    TRAINING = "training", "律师培训"


class LegalActivity(models.Model):
    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField("类别", max_length=12, choices=ActivityKind.choices)
    title = models.CharField("主题", max_length=200)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=100, blank=True)
    lawyers = models.ManyToManyField(
        Lawyer, verbose_name="参加律师", blank=True, related_name="activities"
    )
    participants = models.PositiveIntegerField("参加（受众）人次", default=0)
    summary = models.TextField("情况", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "普法与好律师活动"
        verbose_name_plural = "普法与好律师活动"
        default_manager_name = "all_objects"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title
