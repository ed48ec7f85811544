"""Validation of a whole roster file: every cell converted, every row checked against the
R-INFO-03 rules, duplicates found inside the file and against the database.

`check_file` reads only; it never writes. The validation task calls it once with progress
reports; the write task calls it again right before writing, so the write always rests on
the database as it is then (a branch dissolved or a member registered in between is caught).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from python_calamine import CalamineError

from dangjian.core.access import can, subtree_q
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members import services as member_services
from dangjian.members.imports import files
from dangjian.members.imports.cells import plain_text
from dangjian.members.imports.columns import (
    BY_KEY,
    COLUMNS,
    CONSISTENCY_RULE,
    FORMAT_RULE,
    HEADERS,
    KEEP_WHEN_EMPTY,
    REPORT_HEADER,
    REQUIRED_COUNT,
    SHEET_BRANCHES,
    SHEET_DATA,
    column_letter,
    shown_value,
)
from dangjian.members.models import Member, Transfer, TransferStatus
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import members as member_rules

#: job.errors keeps this many entries (the page and the report show them); error_count has all
MAX_STORED_ERRORS = 2000
PROGRESS_EVERY = 500
_RULE_SUFFIX = re.compile(r"（(R-[A-Z]+-\d+)）\s*$")
_DB_BATCH = 500


@dataclass
class Row:
    """One valid row, ready to be written."""

    number: int  # the Excel row number
    record: dict  # the member record (services' keys; no "branch")
    branch_id: int
    digest: str
    member_id: int | None = None  # an existing member in the user's scope


@dataclass
class Outcome:
    message: str = ""  # a problem of the whole file; when set, nothing else was looked at
    rows: list[Row] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # the first MAX_STORED_ERRORS
    error_count: int = 0
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.message and not self.error_count

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if r.member_id is None)

    @property
    def existing_count(self) -> int:
        return sum(1 for r in self.rows if r.member_id is not None)

    def add(self, entry: dict) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(entry)


def _norm_name(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _norm_header(value: object) -> str:
    text = plain_text(value) or ""
    return "".join(text.split()).strip("*＊")


def _clip(text: str, limit: int = 30) -> str:
    """A header quoted back in a message: a cell may hold 32,767 characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def check_headers(header_row: list) -> tuple[int, str]:
    """(number of template columns present, problem or ""). The 18 form columns must all be
    there, in order; the three optional ones may follow (in order, possibly not all); a
    column headed 问题说明 and everything after it is ignored (our own report's column)."""
    found = [_norm_header(v) for v in header_row]
    if REPORT_HEADER in found:
        found = found[: found.index(REPORT_HEADER)]
    while found and not found[-1]:
        found.pop()
    if not found:
        return 0, f"“{SHEET_DATA}”表第1行应为表头（{HEADERS[0]}、{HEADERS[1]}……），现为空行。"
    width = 0
    for index, expected in enumerate(HEADERS):
        got = found[index] if index < len(found) else ""
        if index >= REQUIRED_COUNT and index >= len(found):
            break
        if got != expected:
            return 0, (
                f"表头不符：第{column_letter(index + 1)}列应为“{expected}”，"
                f"实为“{_clip(got) or '（空）'}”。"
                "请使用导入模板，不要增加、删除或调换列。"
            )
        width = index + 1
    if len(found) > width:
        extra = found[width]
        return 0, (
            f"表头不符：第{column_letter(width + 1)}列“{_clip(extra) or '（空）'}”不是模板中的列。"
            "请使用导入模板，不要增加、删除或调换列。"
        )
    return width, ""


class _Checker:
    def __init__(self, job, *, actor, today: dt.date, progress: Callable[[int], None] | None):
        self.job = job
        self.actor = actor
        self.today = today
        self.progress = progress
        self.outcome = Outcome()
        self.by_name: dict[str, list[Org]] = defaultdict(list)
        for branch in (
            Org.objects.unscoped()
            .filter(subtree_q("path", job.org_path), kind=OrgKind.BRANCH, dissolved_on__isnull=True)
            .only("id", "name", "path")
        ):
            self.by_name[_norm_name(branch.name)].append(branch)
        self.default_branch = job.org if job.org.kind == OrgKind.BRANCH else None

    def error(self, number: int, key: str | None, raw: object, problem: str, rule_id: str):
        column = BY_KEY.get(key) if key else None
        index = COLUMNS.index(column) if column is not None else None
        self.outcome.add(
            {
                "row": number,
                "column": column_letter(index + 1)
                if index is not None and index < self.width
                else "",
                "header": column.header if column else member_rules.FIELD_LABELS.get(key or "", ""),
                "value": shown_value(key or "", raw),
                "problem": problem,
                "rule_id": rule_id,
            }
        )

    def run(self, path) -> Outcome:
        try:
            facts = files.inspect(path)
            if facts.has_formula:
                raise AppError(
                    f"“{facts.sheet_name}”表中含有公式。请选中全表，复制后“选择性粘贴—数值”，"
                    "或用导入模板重新填写后上传。"
                )
            if facts.has_merged:
                raise AppError(
                    f"“{facts.sheet_name}”表中含有合并单元格。请取消合并，让每位党员的每项信息"
                    "各占一个单元格后重新上传。"
                )
            files.check_rows(facts)
            try:
                table = files.read_rows(path, facts.sheet_name)
            except (CalamineError, ValueError):
                raise AppError(
                    "文件内容无法读取（可能已损坏），请在Excel或WPS中打开并另存后重新上传。"
                ) from None
            self.width, problem = check_headers(table[0] if table else [])
            if problem:
                raise AppError(problem)
            data = [
                (number, cells)
                for number, cells in enumerate(table[1:], start=2)
                if any(
                    not (c is None or (isinstance(c, str) and not c.strip()))
                    for c in cells[: self.width]
                )
            ]
            del table
            if not data:
                raise AppError(f"“{facts.sheet_name}”表中没有数据：请从第2行起每行填写一名党员。")
            self.outcome.total_rows = len(data)
            files.check_rows(
                files.SheetFacts(facts.sheet_name, facts.part, len(data) + 1, False, False)
            )
        except AppError as exc:
            self.outcome.message = exc.message
            return self.outcome
        self._rows(data)
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        self.outcome.errors.sort(key=lambda e: (e["row"], order.get(e["header"], len(order))))
        return self.outcome

    def _rows(self, data: list) -> None:
        columns = COLUMNS[: self.width]
        pending: list[tuple[int, dict, dict, Org]] = []  # rows that passed the row checks
        seen: dict[str, list[int]] = defaultdict(list)
        raw_ids: dict[int, object] = {}
        for done, (number, cells) in enumerate(data, start=1):
            if self.progress and done % PROGRESS_EVERY == 0:
                self.progress(done)
            record, raw, branch = self._row(number, cells, columns)
            if record.get("id_number"):
                # duplicates are looked for among all rows, so fixing one problem does not
                # reveal the next on the following upload
                seen[record["id_number"]].append(number)
                raw_ids[number] = raw.get("id_number")
            if branch is not None:
                pending.append((number, record, raw, branch))
        duplicated = set()
        for id_number, numbers in seen.items():
            if len(numbers) > 1:
                for number in numbers:
                    others = "、".join(str(n) for n in numbers if n != number)
                    self.error(
                        number,
                        "id_number",
                        raw_ids[number],
                        f"与第{others}行的公民身份号码重复",
                        CONSISTENCY_RULE,
                    )
                duplicated.add(id_number)
        pending = [p for p in pending if p[1]["id_number"] not in duplicated]
        self._against_database(pending)
        if self.progress:
            self.progress(len(data))

    def _row(self, number: int, cells: list, columns) -> tuple[dict, dict, Org | None]:
        """(record, raw cells, branch); the branch is None when the row has a problem."""
        record: dict = {}
        raw: dict = {}
        bad: set[str] = set()
        for index, column in enumerate(columns):
            value = cells[index] if index < len(cells) else None
            raw[column.key] = value
            converted, problem = column.convert(value)
            if problem:
                bad.add(column.key)
                self.error(number, column.key, value, problem, FORMAT_RULE)
            elif converted is not None or column.key not in KEEP_WHEN_EMPTY:
                record[column.key] = converted
        branch_name = record.pop("branch", None)
        branch = self._branch(number, branch_name, raw.get("branch"), "branch" in bad)
        facts = member_rules.id_number_facts(record.get("id_number"))
        if facts is not None:
            # 出生日期 and 性别 may be left empty: the ID number says them (ledgers are derived)
            if record.get("birth_date") is None and "birth_date" not in bad:
                record["birth_date"] = facts[0]
            if record.get("sex") is None and "sex" not in bad:
                record["sex"] = facts[1]
        for key, message in member_services.validate_record(record, self.today):
            if key in bad:
                continue  # already reported: the cell could not be read
            match = _RULE_SUFFIX.search(message)
            rule_id = match.group(1) if match else FORMAT_RULE
            problem = message[: match.start()] if match else message
            label = (
                BY_KEY[key].header if key in BY_KEY else member_rules.FIELD_LABELS.get(key or "")
            )
            if label and problem.startswith(f"{label}："):
                problem = problem[len(label) + 1 :]
            bad.add(key or "")
            self.error(number, key, raw.get(key), problem.rstrip("。"), rule_id)
        return record, raw, (None if bad else branch)

    def _branch(self, number: int, name: str | None, raw: object, unreadable: bool) -> Org | None:
        if unreadable:
            return None
        if not name:
            if self.default_branch is not None:
                return self.default_branch
            self.error(number, "branch", raw, "必填", FORMAT_RULE)
            return None
        found = self.by_name.get(_norm_name(name), [])
        if len(found) == 1:
            return found[0]
        if not found:
            problem = (
                f"“{name}”不是“{self.job.org.name}”范围内未撤销的党支部，"
                f"请按“{SHEET_BRANCHES}”表填写全称"
            )
        else:
            problem = (
                f"“{self.job.org.name}”范围内有{len(found)}个名为“{name}”的党支部，无法确定是哪一个"
            )
        self.error(number, "branch", raw, problem, FORMAT_RULE)
        return None

    def _against_database(self, pending: list[tuple[int, dict, dict, Org]]) -> None:
        digests = {}
        for number, record, _, _ in pending:
            digests[number] = member_services.id_digest_of(record["id_number"])
        found: dict[str, tuple[int, str, int, str]] = {}
        values = list(set(digests.values()))
        for start in range(0, len(values), _DB_BATCH):
            # members who left the roster do not block: someone may join again (R-EDU-07)
            for digest, pk, org_path, branch_id, branch_name in (
                Member.objects.unscoped()
                .filter(id_digest__in=values[start : start + _DB_BATCH], left_on__isnull=True)
                .values_list("id_digest", "pk", "org_path", "branch_id", "branch__name")
            ):
                found[digest] = (pk, org_path, branch_id, branch_name)
        pending_transfers = set(
            Transfer.objects.unscoped()
            .filter(status=TransferStatus.PENDING, member_id__in=[m[0] for m in found.values()])
            .values_list("member_id", flat=True)
        )
        for number, record, raw, branch in pending:
            digest = digests[number]
            member = found.get(digest)
            if member is None:
                self.outcome.rows.append(Row(number, record, branch.pk, digest))
                continue
            pk, org_path, branch_id, branch_name = member
            if self.actor is not None and not can(self.actor, Cap.MEMBER_MANAGE, org_path):
                # outside the user's scope: say that the person exists, not who or where
                problem = "该党员已在系统其他党组织登记，不能重复导入；如需转入，请办理组织关系转接"
            elif pk in pending_transfers:
                problem = "该党员有待接收的组织关系转接，办结前不能通过导入修改"
            elif branch_id != branch.pk:
                # a change of branch is a transfer (R-EDU-12), never a side effect of an import
                problem = (
                    f"该党员现在“{branch_name}”，与所填党支部不一致；"
                    "调整所在党支部请办理组织关系转接（R-EDU-12）"
                )
            else:
                self.outcome.rows.append(Row(number, record, branch.pk, digest, pk))
                continue
            self.error(number, "id_number", raw.get("id_number"), problem, CONSISTENCY_RULE)


def check_file(job, *, actor, today: dt.date, progress: Callable[[int], None] | None = None):
    """Validate the job's stored file; returns an Outcome (nothing is written)."""
    try:
        with files.opened(job.stored_name) as path:
            return _Checker(job, actor=actor, today=today, progress=progress).run(path)
    except FileNotFoundError:
        return Outcome(message="上传的文件已不存在，请重新上传。")
