"""Exports of the 四张清单 (xlsx/csv; registered with the core exporter registry, audited like
every export), from the scoped selectors with the exporting user (legal.manage):

- `legal.lenient_items`: one list's items (parameter `list`, the list's id; a list the user
  does not keep is a 404);
- `legal.lenient_lists`: every published list the user keeps, one row per item, with the
  list's domain, kind, title, issuing department and dates."""

from __future__ import annotations

from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.legal import selectors_lists as sel
from dangjian.legal.models import LenientItem

MANAGE = Cap.LEGAL_MANAGE

ITEM_COLUMNS = [
    Column("seq", "序号", kind="number"),
    Column("conduct", "违法行为", width=36),
    Column("legal_basis", "法律依据", width=40),
    Column("conditions", "适用条件", width=40),
    Column("measure", "处理方式", width=30),
    Column("effective_from", "施行日期", kind="date"),
    Column("effective_to", "失效日期", kind="date"),
]


def _item_row(item) -> list:
    return [
        item.seq,
        item.conduct,
        item.legal_basis,
        item.conditions,
        item.measure,
        item.effective_from,
        item.effective_to,
    ]


@register
class LenientItemsExporter(Exporter):
    identifier = "legal.lenient_items"
    verbose_name = "四张清单事项"
    description = "一张清单的全部事项（列与导入模板相同，可改后再导入）"
    required_cap = MANAGE
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        if params.get("list") in (None, ""):
            raise AppError("请选择清单。", field="list")
        self.lenient_list = sel.access_list(self.user, params.get("list"))
        return {"list": self.lenient_list.pk}

    def title(self) -> str:
        return self.lenient_list.title

    def scope_path(self) -> str:
        return self.lenient_list.org_path

    def audit_object(self):
        return self.lenient_list

    def queryset(self):
        return (
            LenientItem.objects.visible_to(self.user, MANAGE)
            .filter(lenient_list=self.lenient_list)
            .order_by("seq", "id")
        )

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return ITEM_COLUMNS

    def rows(self):
        for item in self.queryset():
            yield _item_row(item)


@register
class LenientListsExporter(Exporter):
    identifier = "legal.lenient_lists"
    verbose_name = "已发布的四张清单"
    description = "已公开发布的各领域免罚、减罚、从轻、免强制清单的全部事项"
    required_cap = MANAGE
    formats = ("xlsx", "csv")

    def queryset(self):
        return (
            LenientItem.objects.visible_to(self.user, MANAGE)
            .filter(lenient_list__is_published=True)
            .select_related("lenient_list")
            .order_by("lenient_list__domain", "lenient_list__kind", "lenient_list_id", "seq")
        )

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return [
            Column("domain", "领域"),
            Column("kind", "清单类别"),
            Column("title", "清单名称", width=30),
            Column("issued_by", "制定部门", width=20),
            Column("list_from", "清单施行日期", kind="date"),
            Column("list_to", "清单失效日期", kind="date"),
            *ITEM_COLUMNS,
        ]

    def rows(self):
        for item in self.queryset():
            lst = item.lenient_list
            yield [
                lst.domain,
                lst.get_kind_display(),
                lst.title,
                lst.issued_by,
                lst.effective_from,
                lst.effective_to,
                *_item_row(item),
            ]
