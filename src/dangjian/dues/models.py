"""党费 (dues): each member's base with the month it takes effect, the monthly charges derived
from it, payments against the charges, reductions and exemptions approved above the branch,
voluntary extra dues, and the reconciliation of payroll and bank statements. The amounts come
from dangjian.rules.dues (R-DUES-01..17). See docs/dues.md."""

from __future__ import annotations

from django.db import models

from dangjian.core.scoping import ScopedManager


class DuesCategory(models.TextChoices):
    """The categories of R-DUES-01..07 (rules.dues.CATEGORIES holds their rates)."""

    IN_SERVICE = "in_service", "在职党员"
    ANNUAL_SALARY = "annual_salary", "实行年薪制人员"
    SELF_EMPLOYED = "self_employed", "无固定工资收入人员"
    RETIRED = "retired", "离退休党员"
    FARMER = "farmer", "农民党员"
    STUDENT = "student", "学生党员"
    UNEMPLOYED = "unemployed", "下岗失业党员"
    LOW_INCOME = "low_income", "领取抚恤救济或最低生活保障的党员"


class DuesBase(models.Model):
    """缴纳基数: a member's base from `effective_month` on (R-DUES-11), with how it was
    derived: the counted pay items minus personal income tax (R-DUES-02). For the categories
    with a fixed amount (R-DUES-07) `base` is empty and `fixed_amount` holds what the branch
    set (a farmer's 0.2–1 yuan)."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_bases"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    category = models.CharField("缴费类别", max_length=20, choices=DuesCategory.choices)
    effective_month = models.DateField("起用月份")  # always the 1st of the month
    #: [{"name": "职务工资", "amount": "3200.00"}, …]: the counted items (R-DUES-01/02)
    items = models.JSONField("计算项目", default=list, blank=True)
    income_tax = models.DecimalField("个人所得税", max_digits=12, decimal_places=2, default=0)
    base = models.DecimalField("缴纳基数", max_digits=12, decimal_places=2, null=True, blank=True)
    fixed_amount = models.DecimalField(
        "定额（元/月）", max_digits=8, decimal_places=2, null=True, blank=True
    )
    monthly_amount = models.DecimalField("月应缴额", max_digits=10, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党费缴纳基数"
        verbose_name_plural = "党费缴纳基数"
        default_manager_name = "all_objects"
        ordering = ["member", "-effective_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "effective_month"], name="dues_base_one_per_month"
            )
        ]

    def __str__(self):
        return f"{self.member_id} {self.effective_month:%Y-%m} {self.monthly_amount}"


class ReductionKind(models.TextChoices):
    REDUCE = "reduce", "少交"
    EXEMPT = "exempt", "免交"


class ReductionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class Reduction(models.Model):
    """减免 (R-DUES-08): the branch discusses it, the Party committee one level up approves.
    Applies to the months from `from_month` to `to_month` (open-ended when empty)."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField("方式", max_length=10, choices=ReductionKind.choices)
    monthly_amount = models.DecimalField("减免后月缴额", max_digits=10, decimal_places=2, default=0)
    from_month = models.DateField("起始月份")
    to_month = models.DateField("截止月份", null=True, blank=True)
    reason = models.CharField("原因", max_length=500)
    branch_discussed_on = models.DateField("支部研究日期")
    status = models.CharField(
        "状态", max_length=10, choices=ReductionStatus.choices, default=ReductionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)
    #: a pending request withdrawn by the branch, or an approved one ended early by the
    #: committee (its `to_month` then holds the last month it covers)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("撤回或终止时间", null=True, blank=True)
    close_note = models.CharField("撤回或终止原因", max_length=500, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党费减免"
        verbose_name_plural = "党费减免"
        default_manager_name = "all_objects"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.member_id} {self.get_kind_display()} {self.from_month:%Y-%m}"


class ChargeStatus(models.TextChoices):
    DUE = "due", "未缴"
    PARTIAL = "partial", "部分缴纳"
    PAID = "paid", "已缴"
    EXEMPT = "exempt", "免交"


class DuesCharge(models.Model):
    """应缴: what a member owes for one month, derived from the base in force that month and any
    approved reduction. `standard_amount` is the rule's amount; `amount` what is owed after a
    reduction. Charges are generated, never typed (services.charges_generate)."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_charges"
    )
    branch = models.ForeignKey(
        "orgs.Org", verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    month = models.DateField("月份")  # the 1st of the month
    category = models.CharField("缴费类别", max_length=20, choices=DuesCategory.choices)
    base = models.DecimalField("缴纳基数", max_digits=12, decimal_places=2, null=True, blank=True)
    standard_amount = models.DecimalField("标准应缴", max_digits=10, decimal_places=2)
    amount = models.DecimalField("应缴", max_digits=10, decimal_places=2)
    reduction = models.ForeignKey(
        Reduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_amount = models.DecimalField("已缴", max_digits=10, decimal_places=2, default=0)
    status = models.CharField(
        "状态", max_length=10, choices=ChargeStatus.choices, default=ChargeStatus.DUE
    )
    paid_on = models.DateField("缴清日期", null=True, blank=True)
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党费应缴"
        verbose_name_plural = "党费应缴"
        default_manager_name = "all_objects"
        ordering = ["org_path", "month", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_charge_one_per_month")
        ]
        indexes = [
            models.Index(fields=["org_path", "month"], name="dues_charge_path_month"),
            models.Index(fields=["member", "status", "month"], name="dues_charge_member_status"),
            models.Index(fields=["month", "status"], name="dues_charge_month_status"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.month:%Y-%m} {self.amount}"

    @property
    def outstanding(self):
        return max(self.amount - self.paid_amount, 0)


class PaymentKind(models.TextChoices):
    REGULAR = "regular", "按月缴纳"
    VOLUNTARY = "voluntary", "自愿多交"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "现金"
    TRANSFER = "transfer", "银行转账"
    PAYROLL = "payroll", "工资代扣（本人授权）"
    ONLINE = "online", "线上缴纳"


class DuesPayment(models.Model):
    """实缴: money a member paid (or another member paid for him with the branch's consent,
    R-DUES-13). A regular payment is allocated to charges; a voluntary one (R-DUES-12) is not,
    and a single voluntary payment of 1000 yuan or more is marked for the Centre."""

    SCOPE_PATH = "org_path"

    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        on_delete=models.CASCADE,
        related_name="dues_payments",
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    kind = models.CharField(
        "类型", max_length=10, choices=PaymentKind.choices, default=PaymentKind.REGULAR
    )
    method = models.CharField("方式", max_length=10, choices=PaymentMethod.choices)
    paid_on = models.DateField("缴纳日期")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    #: paid by another member on his behalf, with the branch's consent (R-DUES-13)
    paid_by = models.ForeignKey(
        "members.Member",
        verbose_name="代缴党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_note = models.CharField("支部同意说明", max_length=200, blank=True)
    #: months paid later than the month they were due (补缴)
    back_paid_months = models.PositiveSmallIntegerField("补缴月数", default=0)
    #: why a back-payment covers more than six months (R-DUES-13 "一般")
    exception_reason = models.CharField("超期补缴说明", max_length=200, blank=True)
    to_centre = models.BooleanField("全部上缴中央", default=False)
    statement_line = models.ForeignKey(
        "dues.StatementLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    receipt_no = models.CharField("收据号", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    #: 作废: a voided payment is kept (struck through on the member's page) and counts in no
    #: total, report or ledger sum; its allocations stay to show what it had settled
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党费缴纳"
        verbose_name_plural = "党费缴纳"
        default_manager_name = "all_objects"
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["org_path", "paid_on"], name="dues_payment_path_day")]

    def __str__(self):
        return f"{self.member_id} {self.paid_on} {self.amount}"


class PaymentAllocation(models.Model):
    """How much of a payment settles which month's charge."""

    payment = models.ForeignKey(DuesPayment, on_delete=models.CASCADE, related_name="allocations")
    charge = models.ForeignKey(DuesCharge, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "缴费明细"
        verbose_name_plural = "缴费明细"
        ordering = ["charge__month"]

    def __str__(self):
        return f"{self.payment_id}→{self.charge_id} {self.amount}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ChargeRun(models.Model):
    """One generation of a month's charges for an org's subtree, with its progress."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    month = models.DateField("月份")
    status = models.CharField(
        "状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    total = models.PositiveIntegerField("党员数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    created_count = models.PositiveIntegerField("新生成", default=0)
    skipped_count = models.PositiveIntegerField("已有或无需缴纳", default=0)
    no_base_count = models.PositiveIntegerField("缺缴纳基数", default=0)
    error = models.CharField("错误信息", max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "应缴生成"
        verbose_name_plural = "应缴生成"
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.org_id} {self.month:%Y-%m} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class StatementSource(models.TextChoices):
    PAYROLL = "payroll", "工资代扣清单"
    BANK = "bank", "银行流水"


class StatementStatus(models.TextChoices):
    MATCHED = "matched", "待确认"
    CONFIRMED = "confirmed", "已入账"
    DISCARDED = "discarded", "已作废"


class Statement(models.Model):
    """An imported payroll or bank statement (xlsx/csv) for an org and a month, matched line by
    line to that month's charges, then confirmed as payments."""

    SCOPE_PATH = "org_path"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True, editable=False)
    month = models.DateField("对账月份")
    source = models.CharField("来源", max_length=10, choices=StatementSource.choices)
    original_name = models.CharField("文件名", max_length=255)
    file_digest = models.CharField("文件摘要", max_length=64, db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=StatementStatus.choices, default=StatementStatus.MATCHED
    )
    total_rows = models.PositiveIntegerField("行数", default=0)
    matched_count = models.PositiveIntegerField("已匹配", default=0)
    unmatched_count = models.PositiveIntegerField("未匹配", default=0)
    total_amount = models.DecimalField("合计金额", max_digits=14, decimal_places=2, default=0)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("入账时间", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "对账单"
        verbose_name_plural = "对账单"
        default_manager_name = "all_objects"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.original_name} {self.month:%Y-%m}"


class LineStatus(models.TextChoices):
    MATCHED = "matched", "已匹配"
    AMBIGUOUS = "ambiguous", "多个可能"
    AMOUNT_MISMATCH = "amount_mismatch", "金额不符"
    DUPLICATE = "duplicate", "重复"
    DATE_MISMATCH = "date_mismatch", "日期不符"
    UNMATCHED = "unmatched", "未匹配"
    IGNORED = "ignored", "不入账"


class StatementLine(models.Model):
    """One row of a statement: who (name and/or the tail of the ID number), how much, when; the
    member and charge it matched, and why when it did not."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    row_no = models.PositiveIntegerField("行号")
    name = models.CharField("姓名", max_length=50, blank=True)
    id_tail = models.CharField("身份证后几位", max_length=8, blank=True)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    paid_on = models.DateField("日期")
    status = models.CharField("匹配结果", max_length=16, choices=LineStatus.choices)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    charge = models.ForeignKey(
        DuesCharge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "对账明细"
        verbose_name_plural = "对账明细"
        ordering = ["statement", "row_no"]

    def __str__(self):
        return f"{self.statement_id}#{self.row_no} {self.name} {self.amount}"
