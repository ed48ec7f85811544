"""Party dues (党费) as rules: the categories, the rate tables, the monthly amount, the base
from pay items, month arithmetic for charges, back-payment and arrears checks
(R-DUES-01..17). Pure: no Django. Explained in docs/rules/dues.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dangjian.rules.base import Confidence, Finding, Level, rule

# ---------------------------------------------------------------------------------------------
# The rules (ids, citations and confidence as in shared/domain/rules.md §4)

DUES_REGS = "关于中国共产党党费收缴、使用和管理的规定"
DUES_REGS_NO = "中组发〔2008〕3号"
DUES_REGS_2008 = dt.date(2008, 2, 1)
DUES_QA = "中组部组织局关于对党费收缴工作中几个具体问题的问答"


C1 = Confidence.C1
# (n, title, article, confidence, source or None = DUES_REGS, note or None = the document number)
_RULES = (
    (1, "有工资收入的党员，每月以工资总额中相对固定的、经常性的工资收入为计算基数，"
        "按规定比例交纳党费（税后）", "第一条", C1, None, None),
    (2, "“税后”指计入基数的工资项目之和减去个人所得税；单位缴纳的住房公积金及住房、通讯、"
        "交通、医疗等补贴不计入基数", "", Confidence.C2, DUES_QA,
        "2008年问答，据转载件；是否另扣个人缴纳的社会保险和住房公积金见 rules.md 未决问题6"),
    (3, "在职党员按月基数交纳：3000元以下（含）0.5%；3000元以上至5000元（含）1%；"
        "5000元以上至10000元（含）1.5%；10000元以上2%（全额适用同一比例，非累进）",
        "第二条", C1, None, None),
    (4, "实行年薪制人员以当月实际领取的薪酬为基数，按在职党员比例交纳", "第三条", C1, None, None),
    (5, "无固定工资收入的党员以上一季度月平均纯收入为基数，按在职党员比例交纳", "第四条", C1,
        None, None),
    (6, "离退休党员以实际领取的离退休费为基数：5000元以下（含）0.5%；5000元以上1%", "第五条",
        C1, None, None),
    (7, "农民党员每月交纳0.2元至1元；学生党员、下岗失业党员、依靠抚恤或救济生活的党员、"
        "领取当地最低生活保障金的党员每月交纳0.2元", "第六条", C1, None, None),
    (8, "确有困难的党员，经党支部研究并报上一级党委批准，可以少交或免交党费", "第七条", C1,
        None, None),
    (9, "预备党员从支部大会通过其为预备党员之日起交纳党费", "第八条", C1, None, None),
    (10, "党员向正式组织关系所在的党支部交纳党费；持《流动党员活动证》的可向流入地党组织交纳",
        "第九条", C1, None, None),
    (11, "党员工资收入发生变化后，从按新工资标准领取工资的当月起按新基数交纳党费", "第十条", C1,
        None, None),
    (12, "党员自愿多交党费不限；一次自愿多交1000元以上（含）的，全部上缴中央", "第十一条", C1,
        None, None),
    (13, "党员应按月交纳党费；特殊情况经党支部同意，可按季度交纳、委托他人代交或补交；"
        "补交时间一般不超过6个月", "第十二条", C1, None, None),
    (14, "对不按时交纳党费的党员应批评教育、限期改正；没有正当理由连续6个月不交纳党费的，"
        "按自行脱党处理", "第十三条", C1, None,
        f"{DUES_REGS_NO}；另见《中国共产党党员教育管理工作条例》第三十一条（六）"),
    (15, "党组织不得代党员交纳党费，不得从工资中扣缴党费，不得在规定之外收取“特殊党费”",
        "第十四条", C1, None, None),
    (16, "省级党委和中央直属机关工委等每年将实际收缴党费总额的5%于次年4月底前上缴中央组织部",
        "第十五条", C1, None, None),
    (17, "党费金额的取整：规定未作要求，默认按四舍五入保留到分（0.01元）", "", Confidence.OPEN,
        None, "2008年规定无取整规则；取整单位可由 DANGJIAN_DUES_ROUNDING 配置"
        "（0.01、0.1 或 1 元）"),
)  # fmt: skip
for _n, _title, _article, _conf, _source, _note in _RULES:
    rule(
        f"R-DUES-{_n:02d}",
        _title,
        source=_source or DUES_REGS,
        article=_article,
        effective=DUES_REGS_2008,
        confidence=_conf,
        note=_note or DUES_REGS_NO,
    )

# ---------------------------------------------------------------------------------------------
# Categories and tables

CATEGORIES: dict[str, str] = {
    "in_service": "在职党员",
    "annual_salary": "实行年薪制人员",
    "self_employed": "无固定工资收入人员",
    "retired": "离退休党员",
    "farmer": "农民党员",
    "student": "学生党员",
    "unemployed": "下岗失业党员",
    "low_income": "领取抚恤救济或最低生活保障的党员",
}
FIXED_CATEGORIES = frozenset({"farmer", "student", "unemployed", "low_income"})
PERCENT_CATEGORIES = frozenset(CATEGORIES) - FIXED_CATEGORIES

# (upper bound inclusive, rate); None = no upper bound. One rate applies to the whole base.
IN_SERVICE_TABLE: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIRED_TABLE: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)
TABLES: dict[str, tuple[tuple[Decimal | None, Decimal], ...]] = {
    "in_service": IN_SERVICE_TABLE,
    "annual_salary": IN_SERVICE_TABLE,
    "self_employed": IN_SERVICE_TABLE,
    "retired": RETIRED_TABLE,
}
TABLE_RULE: dict[str, str] = {
    "in_service": "R-DUES-03",
    "annual_salary": "R-DUES-04",
    "self_employed": "R-DUES-05",
    "retired": "R-DUES-06",
}

FIXED_AMOUNT = Decimal("0.20")  # R-DUES-07
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
MAX_BASE = Decimal("1000000")  # a month; above this the base is surely a typing error
ROUNDING_UNITS = ("0.01", "0.1", "1")
CENT = Decimal("0.01")
#: no amount or base the ledger keeps has more whole digits than this (a typing error, or an
#: attack: 1e999999999 is a valid Decimal that no quantize or format survives)
MAX_DIGITS_BEFORE_POINT = 12

BACK_PAY_MAX_MONTHS = 6  # R-DUES-13
CENTRE_THRESHOLD = Decimal("1000")  # R-DUES-12
ARREARS_WARN_MONTHS = 3  # issue 7: warning before the R-DUES-14 limit
ARREARS_ALERT_MONTHS = 6  # R-DUES-14


class DuesInputError(ValueError):
    """Bad input to a dues rule; ``field`` names the input at fault, the message is Chinese."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def to_decimal(value, field: str, label: str = "金额") -> Decimal:
    """Decimal from a Decimal, int or numeric string; floats are refused (money is Decimal)."""
    if isinstance(value, (bool, float)):
        raise DuesInputError(f"{label}须为精确的十进制数。", field=field)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise DuesInputError(f"{label}“{value}”不是有效的数字。", field=field) from None
    else:
        raise DuesInputError(f"{label}不是有效的数字。", field=field)
    if not d.is_finite():
        raise DuesInputError(f"{label}不是有效的数字。", field=field)
    if d and d.adjusted() > MAX_DIGITS_BEFORE_POINT - 1:
        # bounded before anyone quantizes or formats it: 1E+50 would overflow the context
        raise DuesInputError(f"{label}过大，请核对是否多输了位数。", field=field)
    return d


def rounding_unit(rounding: Decimal | str) -> Decimal:
    unit = to_decimal(rounding, "rounding", "取整单位")
    if unit <= 0:
        raise DuesInputError("取整单位须大于0（R-DUES-17）。", field="rounding")
    return unit


def round_amount(amount: Decimal, rounding: Decimal | str = "0.01") -> Decimal:
    """Round half-up to the unit (R-DUES-17), shown with two decimals (15 → 15.00)."""
    unit = rounding_unit(rounding)
    rounded = (amount / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit
    return rounded.quantize(CENT, rounding=ROUND_HALF_UP) if unit >= CENT else rounded


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise DuesInputError(f"未知的党费类别“{category}”。", field="category")
    return category


def check_base(base) -> Decimal:
    """A monthly base: present, numeric, not negative, not absurd (R-DUES-01..06)."""
    if base is None or base == "":
        raise DuesInputError("请填写缴纳基数（R-DUES-01）。", field="base")
    d = to_decimal(base, "base", "缴纳基数")
    if d < 0:
        raise DuesInputError("缴纳基数不能为负数（R-DUES-01）。", field="base")
    if d > MAX_BASE:
        raise DuesInputError(
            f"缴纳基数超出合理范围（每月不超过{MAX_BASE:,.0f}元），请核对是否多输了位数。",
            field="base",
        )
    return d


def check_farmer_amount(fixed_amount) -> Decimal:
    d = FIXED_AMOUNT if fixed_amount is None else to_decimal(fixed_amount, "fixed_amount")
    if not FARMER_MIN <= d <= FARMER_MAX:
        raise DuesInputError("农民党员每月交纳0.2元至1元（R-DUES-07）。", field="fixed_amount")
    if d != d.quantize(CENT):
        raise DuesInputError("党费金额最小单位为分（0.01元）。", field="fixed_amount")
    return d.quantize(CENT)


def rate_for(category: str, base) -> Decimal | None:
    """The single rate applying to the whole base (R-DUES-03/06), None for fixed categories.
    Bracket upper bounds are inclusive: 3000.00 is 0.5 %, 3000.01 is 1 %."""
    check_category(category)
    if category in FIXED_CATEGORIES:
        return None
    b = check_base(base)
    for upper, rate in TABLES[category]:
        if upper is None or b <= upper:
            return rate
    raise AssertionError("unreachable: every table ends with an open bracket")


def rule_for(category: str) -> str:
    """The rule id behind a category's amount."""
    check_category(category)
    return TABLE_RULE.get(category, "R-DUES-07")


def monthly_dues(
    category: str,
    base: Decimal | None,
    *,
    rounding: Decimal | str = "0.01",
    fixed_amount: Decimal | None = None,
) -> Decimal:
    """The dues owed for one month, in yuan.

    Percentage categories (R-DUES-03..06): rate × base, rounded half-up to ``rounding``
    (R-DUES-17). Fixed categories (R-DUES-07): 0.20 a month, a farmer's amount chosen in
    [0.20, 1.00] (``fixed_amount``); fixed amounts are not rounded (they are exact amounts,
    and rounding 0.20 to a whole yuan would erase them). ``base`` is ignored for them."""
    check_category(category)
    unit = rounding_unit(rounding)
    if category == "farmer":
        return check_farmer_amount(fixed_amount)
    if category in FIXED_CATEGORIES:
        return FIXED_AMOUNT
    b = check_base(base)
    rate = rate_for(category, b)
    return round_amount(b * rate, unit)


def bracket_edges(category: str) -> list[Decimal]:
    """The inclusive upper bounds of a category's brackets (the cliffs of docs/rules/dues.md)."""
    check_category(category)
    return [upper for upper, _ in TABLES.get(category, ()) if upper is not None]


def base_from_items(items: Iterable[Decimal | str], income_tax: Decimal | str) -> Decimal:
    """The base as R-DUES-02 defines 税后: the counted pay items summed, minus personal income
    tax. Only income tax is deducted (open question 6 of rules.md: local rules that also deduct
    social insurance are not followed)."""
    total = Decimal(0)
    for i, item in enumerate(items, start=1):
        d = to_decimal(item, "items", f"第{i}项工资")
        if d < 0:
            raise DuesInputError(f"第{i}项工资不能为负数（R-DUES-02）。", field="items")
        total += d
    tax = to_decimal(income_tax, "income_tax", "个人所得税")
    if tax < 0:
        raise DuesInputError("个人所得税不能为负数（R-DUES-02）。", field="income_tax")
    if tax > total:
        raise DuesInputError(
            "个人所得税不能大于计入基数的工资项目之和（R-DUES-02）。", field="income_tax"
        )
    return total - tax


def to_centre(amount) -> bool:
    """A single voluntary payment of 1000 yuan or more goes entirely to the Centre (R-DUES-12)."""
    return to_decimal(amount, "amount") >= CENTRE_THRESHOLD


# ---------------------------------------------------------------------------------------------
# Months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole calendar months from the month of ``a`` to the month of ``b`` (negative if b is
    earlier): 2024-01-31 → 2024-02-01 is 1."""
    return (b.year - a.year) * 12 + (b.month - a.month)


def add_month_starts(month: dt.date, n: int) -> dt.date:
    index = month.month - 1 + n
    return dt.date(month.year + index // 12, index % 12 + 1, 1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """The 1st of every month from ``first``'s month to ``last``'s, inclusive ([] if reversed)."""
    start = month_start(first)
    return [add_month_starts(start, i) for i in range(months_between(start, last) + 1)]


def first_month_owed(joined_on: dt.date) -> dt.date:
    """R-DUES-09: a probationary member pays from the day the 支部大会 accepted them, so the
    month of that day is owed in full (the rules know no part-month dues)."""
    return month_start(joined_on)


def last_month_owed(left_on: dt.date | None) -> dt.date | None:
    """The last month a member taken off the roster on ``left_on`` owes: the month before the
    one he left in (the rules know no part-month dues, and a member is charged only for months
    he was on the roster to their end). None while he is on the roster."""
    if left_on is None:
        return None
    return add_month_starts(month_start(left_on), -1)


def owes_month(joined_on: dt.date, left_on: dt.date | None, month: dt.date) -> bool:
    """Whether ``month`` lies in the member's dues span: from the month he joined (R-DUES-09)
    to the month before he left the roster (``last_month_owed``). Standing is the caller's."""
    month = month_start(month)
    last = last_month_owed(left_on)
    return first_month_owed(joined_on) <= month and (last is None or month <= last)


def base_for_month(bases: Iterable[tuple[dt.date, Decimal]], month: dt.date):
    """R-DUES-11: of (effective month, base) pairs, the base in force in ``month`` (the latest
    effective on or before it), or None."""
    target = month_start(month)
    best = None
    for effective, base in bases:
        eff = month_start(effective)
        if eff <= target and (best is None or eff >= best[0]):
            best = (eff, base)
    return None if best is None else best[1]


# ---------------------------------------------------------------------------------------------
# Findings


def back_pay_finding(months_late: int, exception_reason: str) -> Finding | None:
    """R-DUES-13: back-payment generally covers at most 6 months. More than that needs a recorded
    exception (the branch's reason): without one it is an error, with one a note."""
    if months_late <= BACK_PAY_MAX_MONTHS:
        return None
    reason = (exception_reason or "").strip()
    data = {"months": months_late, "limit": BACK_PAY_MAX_MONTHS}
    if not reason:
        return Finding(
            "R-DUES-13",
            Level.ERROR,
            f"补交党费已超过{BACK_PAY_MAX_MONTHS}个月（{months_late}个月），"
            "须经党支部同意并记录特殊情况说明（R-DUES-13）。",
            field="exception_reason",
            data=data,
        )
    return Finding(
        "R-DUES-13",
        Level.INFO,
        f"补交{months_late}个月党费，超过一般{BACK_PAY_MAX_MONTHS}个月的期限，"
        f"已记录特殊情况：{reason}（R-DUES-13）。",
        data=data | {"reason": reason},
    )


def arrears_findings(
    consecutive_unpaid: int,
    since: dt.date,
    *,
    warn: int = ARREARS_WARN_MONTHS,
    alert: int = ARREARS_ALERT_MONTHS,
) -> list[Finding]:
    """R-DUES-14 on a run of consecutive unpaid months starting ``since``: at most one finding,
    the most severe: a WARNING from ``warn`` months, an ERROR from ``alert`` months."""
    if not 0 < warn <= alert:
        raise ValueError("arrears thresholds must satisfy 0 < warn <= alert")
    n = consecutive_unpaid
    data = {"months": n, "since": since}
    head = f"自{since:%Y年%m月}起已连续{n}个月未交纳党费"
    if n >= alert:
        return [
            Finding(
                "R-DUES-14",
                Level.ERROR,
                f"{head}。没有正当理由连续{ARREARS_ALERT_MONTHS}个月不交纳党费的，"
                "按自行脱党处理；党支部须查明原因并按规定处置（R-DUES-14）。",
                data=data,
            )
        ]
    if n >= warn:
        return [
            Finding(
                "R-DUES-14",
                Level.WARNING,
                f"{head}，请批评教育并限期交纳；连续{ARREARS_ALERT_MONTHS}个月不交纳的"
                "按自行脱党处理（R-DUES-14）。",
                data=data,
            )
        ]
    return []


def consecutive_unpaid(
    months_unpaid: Iterable[dt.date], through: dt.date
) -> tuple[int, dt.date | None]:
    """The run of consecutive unpaid months ending at ``through``'s month, and its first month.

    ``months_unpaid`` are the months whose charge is due and unpaid (any day in a month stands
    for the month; months after ``through`` are ignored). If ``through``'s month is not in it
    (paid, exempt, or not yet due because the member still has the month to pay), the run is
    the one ending at the month before: a current month not yet paid neither starts nor breaks
    a run. (0, None) when neither month is unpaid."""
    unpaid = {month_start(m) for m in months_unpaid}
    end = month_start(through)
    if end not in unpaid:
        end = add_month_starts(end, -1)
        if end not in unpaid:
            return 0, None
    first = end
    while add_month_starts(first, -1) in unpaid:
        first = add_month_starts(first, -1)
    return months_between(first, end) + 1, first
