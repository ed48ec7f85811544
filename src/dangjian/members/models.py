"""The member record: the 16 items of the national collection form (R-INFO-01), the changes
to it over time, and organisational-relation transfers.

Sensitive items (ID number, phone, home address) are sealed at rest (core.crypto) and stored
with a mask beside them; code that needs the clear value goes through
`members.services.member_reveal`, which checks the capability and writes the audit log.
"""

from django.db import models
from django.db.models import Q

from dangjian.core.scoping import ScopedManager


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Category(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


class Employment(models.TextChoices):
    IN_SERVICE = "in_service", "在职"
    RETIRED = "retired", "离退休"


class Standing(models.TextChoices):
    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "停止党籍"


class SuspensionGround(models.TextChoices):
    """停止党籍 keeps membership and can be restored (R-EDU-07); not the same as 除名."""

    ABROAD = "abroad", "出国（境）定居或逾期未归（R-EDU-05）"
    LOST_CONTACT = "lost_contact", "失去联系满6个月（R-EDU-06）"
    OTHER = "other", "其他"


class AbroadPurpose(models.TextChoices):
    """Why a member is abroad: settling privately or studying > 5 years leads to 停止党籍
    (R-EDU-05); other stays do not."""

    SETTLE = "settle", "因私出国（境）定居"
    STUDY = "study", "出国（境）学习研究"
    OTHER = "other", "其他（工作、探亲、旅游等）"


class Source(models.TextChoices):
    """How the member came onto this roster (R-INFO-04)."""

    RECRUITED = "recruited", "新发展"
    TRANSFERRED_IN = "transferred_in", "转入"
    OTHER = "other", "其他原因增加"


class LeftReason(models.TextChoices):
    """Why a member left this roster. 自行脱党除名 (R-EDU-08, R-EDU-06) is a removal, unlike
    停止党籍, which is a standing."""

    TRANSFERRED_OUT = "transferred_out", "转出"
    REMOVED_LAPSED = "removed_lapsed", "自行脱党除名（R-EDU-08）"
    REMOVED_LOST = "removed_lost", "停止党籍满2年仍无法联系，按自行脱党除名（R-EDU-06）"
    REMOVED = "removed", "除名"
    #: a 预备党员 whose status the 支部大会 cancelled and the committee above approved (R-DEV-21)
    PROBATION_CANCELLED = "probation_cancelled", "取消预备党员资格"
    EXPELLED = "expelled", "开除党籍"
    WITHDREW = "withdrew", "退党"
    DIED = "died", "去世"


class Member(models.Model):
    SCOPE_PATH = "org_path"

    # R-INFO-01, in the order of the national form
    name = models.CharField("姓名", max_length=50, db_index=True)
    sex = models.CharField("性别", max_length=10, choices=Sex.choices)
    ethnicity = models.CharField("民族", max_length=2, default="01")
    id_number_sealed = models.TextField("公民身份号码（密文）", blank=True, editable=False)
    id_number_masked = models.CharField("公民身份号码", max_length=18, blank=True)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=2, blank=True)
    category = models.CharField("人员类别", max_length=20, choices=Category.choices)
    branch = models.ForeignKey(
        "orgs.Org", verbose_name="所在党支部", on_delete=models.PROTECT, related_name="members"
    )
    joined_on = models.DateField("加入党组织日期")
    converted_on = models.DateField("转为正式党员日期", null=True, blank=True)
    post = models.CharField("工作岗位", max_length=4, blank=True)
    phone_sealed = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=60, blank=True)
    address_sealed = models.TextField("家庭住址（密文）", blank=True, editable=False)
    address_masked = models.CharField("家庭住址", max_length=20, blank=True)
    standing = models.CharField(
        "党籍状态", max_length=20, choices=Standing.choices, default=Standing.NORMAL
    )
    is_lost_contact = models.BooleanField("是否为失联党员", default=False)
    lost_contact_since = models.DateField("失去联系日期", null=True, blank=True)
    is_mobile = models.BooleanField("是否为流动党员", default=False)
    mobile_destination = models.CharField("外出流向", max_length=100, blank=True)

    # beyond the form
    standing_reason = models.CharField("停止党籍原因", max_length=200, blank=True)
    suspension_ground = models.CharField(
        "停止党籍情形", max_length=20, choices=SuspensionGround.choices, blank=True
    )
    suspended_on = models.DateField("停止党籍日期", null=True, blank=True)
    probation_extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    employment = models.CharField(
        "在职状态", max_length=20, choices=Employment.choices, default=Employment.IN_SERVICE
    )
    unit_post = models.CharField("单位职务", max_length=50, blank=True)
    mobile_since = models.DateField("外出日期", null=True, blank=True)
    abroad_since = models.DateField("出国（境）日期", null=True, blank=True)
    abroad_purpose = models.CharField(
        "出国（境）事由", max_length=10, choices=AbroadPurpose.choices, blank=True
    )
    mobile_last_contact_on = models.DateField("最近联系日期", null=True, blank=True)
    source = models.CharField(
        "增加方式", max_length=20, choices=Source.choices, default=Source.RECRUITED
    )
    left_on = models.DateField("减少日期", null=True, blank=True)
    left_reason = models.CharField(
        "减少原因", max_length=20, choices=LeftReason.choices, blank=True
    )

    # keys kept by the services
    org_path = models.CharField(
        "所在组织路径", max_length=255, db_index=True, default="", editable=False
    )
    # single-column indexes: on PostgreSQL Django adds the pattern-ops twin for prefix LIKE
    name_pinyin = models.CharField(
        "姓名全拼", max_length=200, blank=True, db_index=True, editable=False
    )
    name_initials = models.CharField(
        "姓名首字母", max_length=50, blank=True, db_index=True, editable=False
    )
    id_tail = models.CharField(
        "身份号码末四位", max_length=4, blank=True, db_index=True, editable=False
    )
    id_digest = models.CharField(
        "身份号码摘要", max_length=64, blank=True, db_index=True, editable=False
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        default_manager_name = "all_objects"
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(fields=["branch", "category"]),
            # the list's filters over a large subtree (bench/run_search.py: 1,000,000 rows)
            models.Index(fields=["category", "org_path"], name="member_category_path_idx"),
            models.Index(fields=["standing", "org_path"], name="member_standing_path_idx"),
            models.Index(fields=["is_mobile", "org_path"], name="member_mobile_path_idx"),
            models.Index(fields=["is_lost_contact", "org_path"], name="member_lost_path_idx"),
        ]
        constraints = [
            # one active record per person; someone who left may be registered again (R-EDU-07)
            models.UniqueConstraint(
                fields=["id_digest"],
                condition=~Q(id_digest="") & Q(left_on__isnull=True),
                name="member_active_id_digest_uniq",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class MemberChange(models.Model):
    """One effective-dated change of a tracked item (category, branch, standing, employment,
    lost contact, mobile, leaving): who changed what, when it took effect, and why."""

    SCOPE_PATH = "member__org_path"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="changes"
    )
    item = models.CharField("事项", max_length=30)
    old_value = models.CharField("原值", max_length=200, blank=True)
    new_value = models.CharField("新值", max_length=200, blank=True)
    effective_on = models.DateField("生效日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=50, blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党员信息变更"
        verbose_name_plural = "党员信息变更"
        default_manager_name = "all_objects"
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["member", "effective_on"])]

    def __str__(self):
        return f"{self.member_id} {self.item}: {self.old_value} → {self.new_value}"


class TransferKind(models.TextChoices):
    WITHIN = "within", "系统内转接"
    OUTSIDE = "outside", "转出至系统外"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"
    CANCELLED = "cancelled", "已撤销"


class Transfer(models.Model):
    """组织关系转接. Until the receiving side accepts, the member stays on the sending
    branch's roster and under its management (R-EDU-12)."""

    SCOPE_PATH = "from_path"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    kind = models.CharField("转接类型", max_length=10, choices=TransferKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    from_org = models.ForeignKey(
        "orgs.Org", verbose_name="转出党组织", on_delete=models.PROTECT, related_name="+"
    )
    from_path = models.CharField("转出组织路径", max_length=255, db_index=True)
    to_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="接收党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_path = models.CharField("接收组织路径", max_length=255, blank=True, db_index=True)
    to_org_name = models.CharField("接收党组织名称", max_length=200, blank=True)
    letter_number = models.CharField("介绍信编号", max_length=50, blank=True)
    reason = models.CharField("转接原因", max_length=200)
    started_on = models.DateField("转出日期")
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField("办理日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        default_manager_name = "all_objects"
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="transfer_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.get_kind_display()} {self.get_status_display()}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    VALIDATING = "validating", "正在校验"
    INVALID = "invalid", "校验未通过"
    READY = "ready", "校验通过，待导入"
    IMPORTING = "importing", "正在导入"
    DONE = "done", "已导入"
    FAILED = "failed", "导入失败"


class ImportJob(models.Model):
    """One roster file: validated as a whole, then written all-or-nothing."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="导入范围", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("导入范围路径", max_length=255, db_index=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField("文件名", max_length=255)
    stored_name = models.CharField("存储文件", max_length=255)
    size = models.PositiveIntegerField("文件大小", default=0)
    status = models.CharField(
        "状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    update_existing = models.BooleanField("更新已有党员", default=False)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    new_count = models.PositiveIntegerField("新增", default=0)
    existing_count = models.PositiveIntegerField("库中已有", default=0)
    created_count = models.PositiveIntegerField("已新增", default=0)
    updated_count = models.PositiveIntegerField("已更新", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    #: last sign of life of the task working on the job; a running job whose heartbeat is
    #: older than JOB_STALE_MINUTES was left by a stopped worker (imports.recover_stale_jobs)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党员导入"
        verbose_name_plural = "党员导入"
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
