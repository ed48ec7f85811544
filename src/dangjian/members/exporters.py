"""Member exports: the roster (党员名册, XLSX/CSV) and the national collection form
(党员基本信息采集表, Word, one page per member), R-INFO-01.

Both start from `members.selectors.member_list` with the exporting user, so they hold exactly
the roster the user's list page shows with the same filters. Sensitive items (公民身份号码,
联系电话, 家庭住址) are exported masked; in full only when the user asks for it *and* holds
`member.reveal` on that member's branch (checked per member). Every export writes one audit
entry saying how many members were exported and which items were revealed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django import forms
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from dangjian.core import crypto
from dangjian.core.access import can
from dangjian.core.errors import AppError
from dangjian.core.exporters import (
    Column,
    DocumentExporter,
    Exporter,
    add_paragraph,
    register,
    set_cell,
)
from dangjian.core.forms import BootstrapMixin
from dangjian.core.masking import mask_id_number
from dangjian.core.permissions import Cap
from dangjian.members import selectors
from dangjian.members.models import Category, Member, Sex
from dangjian.members.selectors import roster_filters as clean_filters
from dangjian.rules import codes
from dangjian.rules.members import FIELD_LABELS, FIELD_ORDER, normalize_id_number

SENSITIVE = ("id_number", "phone", "address")

#: every column the roster offers, national items first (R-INFO-01 order), then ours
COLUMNS: dict[str, Column] = {
    key: Column(
        key,
        FIELD_LABELS[key],
        kind=(
            "code"
            if key in {"id_number", "phone"}
            else "date"
            if key.endswith(("_on", "_date", "_since"))
            else "text"
        ),
        width={"address": 30, "branch": 22, "mobile_destination": 20}.get(key),
    )
    for key in FIELD_ORDER
}
COLUMNS.update(
    {
        "unit": Column("unit", "所在单位", width=18),
        "employment": Column("employment", "在职状态"),
        "unit_post": Column("unit_post", "单位职务", width=16),
        "left_on": Column("left_on", "减少日期", kind="date"),
        "left_reason": Column("left_reason", "减少原因", width=16),
    }
)
#: the preset "全国党员信息采集表顺序": the 16 items of R-INFO-01 in the form's order, with
#: the three items that complete items 14–16 (停止党籍原因, 失去联系日期, 外出流向)
NATIONAL = tuple(FIELD_ORDER)
DEFAULT_COLUMNS = ("name", "sex", "birth_date", "category", "branch", "joined_on", "post", "phone")
PRESETS = (("custom", "自选列"), ("national", "全国党员信息采集表顺序（R-INFO-01）"))

#: the list page's filters, kept in the query string
FILTER_KEYS = ("q", "category", "status", "org", "sex", "education", "sort")


def seal_query(filters: dict) -> dict:
    """Filters as stored with a job: a search for a whole ID number is sealed, so the number
    never sits in clear in the job's parameters."""
    q = filters.get("q") or ""
    if selectors.ID_FULL.match(normalize_id_number(q)):
        return {**filters, "q": "", "q_sealed": crypto.encrypt(q)}
    return filters


def query_filters(params: dict) -> dict:
    """The list filters of stored parameters, the sealed search opened again."""
    filters = {k: v for k, v in params.items() if k in FILTER_KEYS and k != "org"}
    if params.get("q_sealed"):
        filters["q"] = crypto.decrypt(params["q_sealed"])
    return filters


def audit_filters(params: dict) -> dict:
    """The filters for the audit log: a searched ID number appears masked."""
    out = {k: v for k, v in params.items() if k in FILTER_KEYS and v}
    if params.get("q_sealed"):
        out["q"] = mask_id_number(crypto.decrypt(params["q_sealed"]))
    return out


STATUS_LABELS = {
    "active": "在册",
    "mobile": "流动党员",
    "lost": "失联党员",
    "suspended": "停止党籍",
    "retired": "离退休",
    "attention": "待跟进（失联、流动党员联系）",
    "left": "已减少",
    "all": "全部（含已减少）",
}


def describe_filters(filters: dict, org) -> list[str]:
    """The filters in words, for the export page ("第一党支部", "预备党员", …)."""
    out = [org.name] if org else []
    if filters.get("q"):
        out.append(f"搜索“{filters['q']}”")
    if filters.get("category"):
        out.append(Category(filters["category"]).label)
    out.append(STATUS_LABELS.get(filters.get("status") or "active", ""))
    if filters.get("sex"):
        out.append(Sex(filters["sex"]).label)
    if filters.get("education"):
        out.append(_label(codes.EDUCATION, filters["education"]))
    return [text for text in out if text]


def _label(table, code: str) -> str:
    return codes.label_for(table, code)


def member_value(member: Member, key: str):
    """One item of a member as exported (codes as their labels); sensitive items masked."""
    match key:
        case "sex":
            return member.get_sex_display()
        case "ethnicity":
            return _label(codes.ETHNICITIES, member.ethnicity)
        case "education":
            return _label(codes.EDUCATION, member.education)
        case "post":
            return _label(codes.POSTS, member.post)
        case "category" | "standing" | "employment" | "left_reason":
            return getattr(member, f"get_{key}_display")()
        case "branch":
            return member.branch.name
        case "unit":
            unit = member.branch.unit
            return unit.name if unit else ""
        case "lost_contact" | "mobile":
            return getattr(member, f"is_{key}")
        case "id_number" | "phone" | "address":
            return getattr(member, f"{key}_masked")
    return getattr(member, key)


class RevealMixin:
    """Opens sealed items for the members the user may reveal (member.reveal on the
    member's branch, checked once per branch path) and counts what was opened."""

    def setup_reveal(self) -> None:
        self.revealed: Counter = Counter()
        self.revealed_members = 0
        self._may_reveal: dict[str, bool] = {}

    def may_reveal(self, member: Member) -> bool:
        if not self.params.get("reveal"):
            return False
        path = member.org_path
        if path not in self._may_reveal:
            self._may_reveal[path] = can(self.user, Cap.MEMBER_REVEAL, path)
        return self._may_reveal[path]

    def values_of(self, member: Member, keys) -> dict:
        out = {key: member_value(member, key) for key in keys}
        wanted = [k for k in SENSITIVE if k in out]
        if wanted and self.may_reveal(member):
            opened = False
            for key in wanted:
                sealed = getattr(member, f"{key}_sealed")
                if not sealed:
                    continue
                try:
                    out[key] = crypto.decrypt(sealed)
                except crypto.DecryptionError:
                    out[key] = f"{out[key]}（无法解密）"
                    continue
                self.revealed[key] += 1
                opened = True
            self.revealed_members += opened
        return out

    def reveal_changes(self) -> dict:
        return {
            "revealed": sorted(self.revealed),
            "revealed_labels": [FIELD_LABELS[k] for k in SENSITIVE if k in self.revealed],
            "revealed_count": self.revealed_members,
        }


class RosterExportForm(BootstrapMixin, forms.Form):
    """What the user chooses on the export page (the filters come from the query string)."""

    preset = forms.ChoiceField(
        label="列", choices=PRESETS, initial="custom", widget=forms.RadioSelect
    )
    columns = forms.MultipleChoiceField(
        label="自选列",
        required=False,
        choices=[(key, column.label) for key, column in COLUMNS.items()],
        initial=list(DEFAULT_COLUMNS),
        widget=forms.CheckboxSelectMultiple,
    )
    fmt = forms.ChoiceField(label="格式", initial="xlsx")
    reveal = forms.BooleanField(
        label="导出完整的公民身份号码、联系电话、家庭住址（记入审计日志）", required=False
    )

    def __init__(self, *args, may_reveal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fmt"].choices = [
            ("xlsx", "Excel 工作簿（.xlsx）"),
            ("csv", "CSV 文本（.csv，UTF-8，Excel 可直接打开）"),
            ("docx", "党员基本信息采集表（Word，每人一页）"),
        ]
        if not may_reveal:
            del self.fields["reveal"]

    def clean(self):
        data = super().clean()
        wants_table = data.get("fmt") != "docx"  # the Word form always has all 16 items
        if wants_table and data.get("preset") == "custom" and not data.get("columns"):
            self.add_error("columns", "请至少选择一列，或选择“全国党员信息采集表顺序”。")
        return data

    def export_params(self, filters: dict) -> tuple[str, dict, str]:
        """(exporter identifier, parameters, format) for `export_start`."""
        data = self.cleaned_data
        params = {
            **filters,
            "preset": data["preset"],
            "columns": data.get("columns") or [],
            "reveal": bool(data.get("reveal")),
        }
        if data["fmt"] == "docx":
            return MemberFormExporter.identifier, params, "docx"
        return RosterExporter.identifier, params, data["fmt"]


@register
class RosterExporter(RevealMixin, Exporter):
    """党员名册: the visible roster with the list page's filters and the chosen columns."""

    identifier = "members.roster"
    verbose_name = "党员名册"
    description = "当前可见党员的名册，可自选列或按全国党员信息采集表顺序导出"
    required_cap = Cap.MEMBER_VIEW
    audit_action = "members.roster.exported"

    def clean(self, params: dict) -> dict:
        filters, self.org = clean_filters(self.user, params)
        preset = params.get("preset") or "custom"
        if preset not in dict(PRESETS):
            raise AppError("请选择导出的列。", field="preset")
        if preset == "national":
            keys = list(NATIONAL)
        else:
            chosen = params.get("columns") or DEFAULT_COLUMNS
            if isinstance(chosen, str):
                chosen = [chosen]
            keys = list(dict.fromkeys(str(k) for k in chosen))
            unknown = [k for k in keys if k not in COLUMNS]
            if unknown:
                raise AppError(f"没有这一列：{unknown[0]}。", field="columns")
        self.setup_reveal()
        return {
            **seal_query(filters),
            "preset": preset,
            "columns": keys,
            "reveal": bool(params.get("reveal")),
        }

    def queryset(self):
        return selectors.member_list(self.user, org=self.org, **query_filters(self.params))

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}" if self.org else self.verbose_name

    def columns(self) -> list[Column]:
        return [COLUMNS[k] for k in self.params["columns"]]

    def count(self) -> int:
        return self.queryset().count()

    def rows(self):
        keys = self.params["columns"]
        for member in self.queryset().iterator(chunk_size=2000):
            values = self.values_of(member, keys)
            yield [values[k] for k in keys]

    def audit_changes(self) -> dict:
        return {
            "filters": audit_filters(self.params),
            "columns": self.params["columns"],
            **self.reveal_changes(),
        }


#: the paper form's rows, in item order: two items side by side, or one across the row
FORM_LAYOUT = (
    ("name", "sex"),
    ("ethnicity", "id_number"),
    ("birth_date", "education"),
    ("category", "branch"),
    ("joined_on", "converted_on"),
    ("post", "phone"),
    ("address",),
    ("standing", "standing_reason"),
    ("lost_contact", "lost_contact_since"),
    ("mobile", "mobile_destination"),
)
#: the items that complete items 14–16 and carry no number of their own
COMPLEMENTS = ("standing_reason", "lost_contact_since", "mobile_destination")
ITEM_NUMBER = {key: n for n, key in enumerate((k for k in FIELD_ORDER if k not in COMPLEMENTS), 1)}
SIGNATURES = ("党员本人签字", "信息采集人签字", "党支部书记签字")


@register
class MemberFormExporter(RevealMixin, DocumentExporter):
    """党员基本信息采集表 (R-INFO-01): the national 16-item form, one page per member, filled
    from the record, with the signature lines of the paper form."""

    identifier = "members.member_form"
    verbose_name = "党员基本信息采集表"
    description = "全国党员信息采集用的基本信息采集表（Word），每名党员一页"
    required_cap = Cap.MEMBER_VIEW
    audit_action = "members.member_form.exported"

    def clean(self, params: dict) -> dict:
        self.setup_reveal()
        self.member = None
        self.org = None
        reveal = bool(params.get("reveal"))
        if params.get("member"):
            self.member = selectors.access_member(self.user, params["member"])
            return {"member": self.member.pk, "reveal": reveal}
        filters, self.org = clean_filters(self.user, params)
        return {**seal_query(filters), "reveal": reveal}

    def queryset(self):
        return selectors.member_list(self.user, org=self.org, **query_filters(self.params))

    def items(self):
        if self.member is not None:
            yield self.member
        else:
            yield from self.queryset().iterator(chunk_size=500)

    def count(self) -> int:
        return 1 if self.member is not None else self.queryset().count()

    def title(self) -> str:
        if self.member is not None:
            return f"{self.verbose_name}-{self.member.name}"
        return f"{self.verbose_name}-{self.org.name}" if self.org else self.verbose_name

    def audit_object(self):
        return self.member

    def scope_path(self) -> str:
        return self.member.org_path if self.member is not None else super().scope_path()

    def audit_changes(self) -> dict:
        out = self.reveal_changes()
        if self.member is None:
            out["filters"] = audit_filters(self.params)
        return out

    def render_item(self, document, member: Member) -> None:
        values = self.values_of(member, FIELD_ORDER)
        shown = {k: _form_text(v) for k, v in values.items()}
        self.add_title(document, self.verbose_name)
        add_paragraph(
            document,
            f"填报单位：{member.branch.name}        填表日期：    年   月   日",
            size=10.5,
        )
        table = document.add_table(rows=0, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = (Mm(36), Mm(46), Mm(36), Mm(46))
        centre = WD_ALIGN_PARAGRAPH.CENTER
        for pair in FORM_LAYOUT:
            row = table.add_row()
            row.height = Mm(11)
            cells = row.cells
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
            set_cell(cells[0], _form_label(pair[0]), bold=True, align=centre)
            if len(pair) == 1:
                set_cell(cells[1].merge(cells[3]), shown[pair[0]])
                continue
            set_cell(cells[1], shown[pair[0]])
            set_cell(cells[2], _form_label(pair[1]), bold=True, align=centre)
            set_cell(cells[3], shown[pair[1]])
        blank = "\u3000" * 12  # room to sign
        for label in SIGNATURES:
            row = table.add_row()
            row.height = Mm(16)
            set_cell(row.cells[0].merge(row.cells[3]), f"{label}：{blank}年    月    日")
        row = table.add_row()
        row.height = Mm(30)
        set_cell(
            row.cells[0].merge(row.cells[3]),
            f"基层党委（盖章）：\n\n{blank}{blank}年    月    日",
        )


def _form_label(key: str) -> str:
    number = ITEM_NUMBER.get(key)
    return f"{number}. {FIELD_LABELS[key]}" if number else FIELD_LABELS[key]


def _form_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return f"{value:%Y年%m月%d日}"
    return str(value)
