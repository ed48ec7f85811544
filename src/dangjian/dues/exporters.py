"""Exports of 党费 (registered with the core exporter registry, audited like every export):

- `dues.month_list` (xlsx/csv): 党费收缴名单 of an org's subtree for a month — who owes how much
  and whether it is paid (no base: it would reveal the pay);
- `dues.arrears` (xlsx/csv): 欠缴党费名单 with the R-DUES-14 finding of each member;
- `dues.annual_totals` (xlsx/csv): the year's totals per unit and branch;
- `dues.publication` (xlsx/csv) and `dues.publication_notice` (Word): 党费收缴情况公示 of a
  branch for a year.

All start from the dues selectors with the exporting user (dues.manage on the org)."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod

from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.exporters import (
    Column,
    DocumentExporter,
    Exporter,
    add_paragraph,
    register,
    set_cell,
)
from dangjian.core.permissions import Cap
from dangjian.dues import selectors as sel
from dangjian.dues.forms import parse_month

MANAGE = Cap.DUES_MANAGE


def _org(user, params: dict):
    return sel.dues_org(user, params.get("org"), MANAGE)


def _year(params: dict) -> int:
    raw = params.get("year")
    if raw in (None, ""):
        return timezone.localdate().year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        raise AppError("年度无效。", field="year")
    return year


# Amounts are Decimal throughout; they become numbers only here, in the spreadsheet cell (the
# exporter base writes int/float as numeric cells and anything else as text), so that a sum in
# Excel works. Two-decimal amounts below a million yuan are exact enough as binary floats.


def _months(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers) + "月" if numbers else ""


class _DuesExporter(Exporter):
    """Common parts: the org the export is about, the audit position, the lazily built data."""

    required_cap = MANAGE
    formats = ("xlsx", "csv")

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path

    def count(self) -> int:
        return len(self.data())  # a LazyRows answers with one COUNT

    def data(self) -> list:
        if not hasattr(self, "_data"):
            self._data = self.build()
        return self._data

    @abstractmethod
    def build(self) -> list:
        """The rows of the export, built once per export."""


@register
class MonthListExporter(_DuesExporter):
    identifier = "dues.month_list"
    verbose_name = "党费收缴名单"
    description = "组织及下级党支部党员某月应缴、已缴和缴纳状态"

    def clean(self, params: dict) -> dict:
        self.org = _org(self.user, params)
        raw = params.get("month")
        month = parse_month(raw) if raw not in (None, "") else timezone.localdate().replace(day=1)
        if month is None:
            raise AppError("月份无效。", field="month")
        self.month: dt.date = month
        return {"org": self.org.pk, "month": f"{month:%Y-%m}"}

    def build(self) -> list:
        return sel.month_list(self.user, self.org, self.month).rows

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.month:%Y年%m月}"

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "month": f"{self.month:%Y-%m}"}

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("branch", "党支部", width=20),
            Column("name", "姓名"),
            Column("category", "缴费类别", width=16),
            Column("due", "应缴（元）", kind="number"),
            Column("paid", "已缴（元）", kind="number"),
            Column("outstanding", "未缴（元）", kind="number"),
            Column("status", "状态"),
            Column("paid_on", "缴清日期", kind="date"),
        ]

    def rows(self):
        for seq, r in enumerate(self.data(), 1):
            charged = r.charge is not None
            yield [
                seq,
                r.member.branch.name,
                r.member.name,
                r.category_label,
                float(r.due) if charged else None,
                float(r.paid) if charged else None,
                float(r.outstanding) if charged else None,
                r.status_label,
                r.charge.paid_on if charged else None,
            ]


@register
class ArrearsExporter(_DuesExporter):
    identifier = "dues.arrears"
    verbose_name = "欠缴党费名单"
    description = "已过月份仍未缴清党费的党员，连续未缴月数及提示（R-DUES-14）"

    def clean(self, params: dict) -> dict:
        self.org = _org(self.user, params)
        self.today = timezone.localdate()
        return {"org": self.org.pk}

    def build(self) -> list:
        return sel.arrears(self.user, self.org, self.today)

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}"

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "day": self.today.isoformat()}

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("branch", "党支部", width=20),
            Column("name", "姓名"),
            Column("consecutive", "连续未缴月数", kind="number"),
            Column("since", "连续未缴起始月", width=14),
            Column("months_owed", "欠缴月数", kind="number"),
            Column("bucket", "账龄"),
            Column("outstanding", "欠缴金额（元）", kind="number"),
            Column("oldest", "最早欠缴月", width=12),
            Column("rule", "规则"),
            Column("finding", "提示", width=60),
        ]

    def rows(self):
        for seq, r in enumerate(self.data(), 1):
            finding = r.findings[0] if r.findings else None
            yield [
                seq,
                r.member.branch.name,
                r.member.name,
                r.consecutive,
                f"{r.since:%Y-%m}" if r.since else "",
                r.months_owed,
                r.bucket_label,
                float(r.outstanding),
                f"{r.oldest:%Y-%m}",
                finding.rule_id if finding else "",
                finding.message if finding else "",
            ]


@register
class AnnualTotalsExporter(_DuesExporter):
    identifier = "dues.annual_totals"
    verbose_name = "党费年度汇总"
    description = "各单位、各党支部全年应缴、实缴、欠缴和自愿多交党费"

    def clean(self, params: dict) -> dict:
        self.org = _org(self.user, params)
        self.year = _year(params)
        return {"org": self.org.pk, "year": self.year}

    def build(self) -> list:
        return sel.annual_totals(self.user, self.org, self.year)

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.year}年"

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "year": self.year}

    def columns(self) -> list[Column]:
        return [
            Column("level", "层级"),
            Column("name", "单位 / 党支部", width=24),
            Column("members", "应缴人数", kind="number"),
            Column("due", "应缴（元）", kind="number"),
            Column("paid", "实缴（元）", kind="number"),
            Column("outstanding", "欠缴（元）", kind="number"),
            Column("voluntary", "自愿多交（元）", kind="number"),
            Column("to_centre", "其中上缴中央（元）", kind="number"),
        ]

    def rows(self):
        levels = {"unit": "单位", "branch": "党支部", "total": "合计"}
        for r in self.data():
            yield [
                levels.get(r.level, r.level),
                r.name,
                r.members,
                float(r.due),
                float(r.paid),
                float(r.outstanding),
                float(r.voluntary),
                float(r.to_centre),
            ]


class _PublicationMixin:
    def clean(self, params: dict) -> dict:
        self.org = _org(self.user, params)
        self.year = _year(params)
        return {"org": self.org.pk, "year": self.year}

    def publication(self):
        if not hasattr(self, "_pub"):
            self._pub = sel.publication(self.user, self.org, self.year)
        return self._pub

    def title(self) -> str:
        return f"{self.org.name}{self.year}年度党费收缴情况公示"

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "year": self.year}


@register
class PublicationExporter(_PublicationMixin, _DuesExporter):
    identifier = "dues.publication"
    verbose_name = "党费收缴情况公示"
    description = "党支部全年每名党员已缴月份、实缴金额和自愿多交党费（不含基数）"

    def build(self) -> list:
        return self.publication().rows

    def count(self) -> int:
        return len(self.data()) + 1  # the total row

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("name", "姓名"),
            Column("paid_months", "已缴月份", width=28),
            Column("exempt_months", "免交月份", width=16),
            Column("owed_months", "未缴月份", width=16),
            Column("paid", "实缴金额（元）", kind="number"),
            Column("voluntary", "自愿多交（元）", kind="number"),
        ]

    def rows(self):
        for seq, r in enumerate(self.data(), 1):
            yield [
                seq,
                r.name,
                _months(r.months_paid),
                _months(r.months_exempt),
                _months(r.months_owed),
                float(r.paid),
                float(r.voluntary),
            ]
        pub = self.publication()
        yield [None, f"合计（{pub.members}人）", "", "", "", float(pub.paid), float(pub.voluntary)]


@register
class PublicationNoticeExporter(_PublicationMixin, DocumentExporter):
    """The notice to post: title, the table of members, the totals, the Centre's share of
    voluntary dues (R-DUES-12), the branch and the date."""

    identifier = "dues.publication_notice"
    verbose_name = "党费收缴情况公示（Word）"
    description = "党支部全年党费收缴情况公示文稿（Word）"
    required_cap = MANAGE
    title_size = 18

    def scope_path(self) -> str:
        return self.org.path

    def audit_object(self):
        return self.org

    def count(self) -> int:
        return 1

    def items(self):
        yield self.publication()

    def render_item(self, document, pub) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.add_title(document, self.title())
        add_paragraph(
            document,
            f"根据《关于中国共产党党费收缴、使用和管理的规定》，现将本支部{pub.year}年度"
            f"党费收缴情况公示如下：",
        )
        header = ["序号", "姓名", "已缴月份", "未缴月份", "实缴金额（元）", "自愿多交（元）"]
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, header, strict=True):
            set_cell(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for seq, r in enumerate(pub.rows, 1):
            paid = _months(r.months_paid)
            if r.months_exempt:
                paid += f"（免交{_months(r.months_exempt)}）"
            values = [str(seq), r.name, paid, _months(r.months_owed) or "—", str(r.paid)]
            values.append(str(r.voluntary))
            for cell, value in zip(table.add_row().cells, values, strict=True):
                set_cell(cell, value)
        total = table.add_row().cells
        set_cell(total[0], "合计", bold=True)
        set_cell(total[1], f"{pub.members}人", bold=True)
        set_cell(total[4], str(pub.paid), bold=True)
        set_cell(total[5], str(pub.voluntary), bold=True)
        add_paragraph(document)
        add_paragraph(
            document,
            f"全年共收缴党费{pub.paid}元，自愿多交党费{pub.voluntary}元"
            + (
                f"，其中单笔1000元及以上的{pub.to_centre}元全部上缴中央（R-DUES-12）。"
                if pub.to_centre
                else "。"
            ),
        )
        add_paragraph(document, "公示期间如有疑问，请向党支部反映。")
        add_paragraph(document)
        add_paragraph(document, self.org.name, align=WD_ALIGN_PARAGRAPH.RIGHT)
        add_paragraph(
            document, f"{timezone.localdate():%Y年%m月%d日}", align=WD_ALIGN_PARAGRAPH.RIGHT
        )
