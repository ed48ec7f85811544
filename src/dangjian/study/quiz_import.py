"""The question file (试题导入): an .xlsx with the columns 题型 | 题干 | 选项A … 选项F | 答案 |
解析 | 依据规则, one question a row; and what makes a question valid, shared by the form, the
API and the import (`check_question`).

The file is judged as the roster import judges its file (members/imports/files.py): by its
content, never its name; an archive that unpacks to far more than it weighs is refused, as are
formulas. Then openpyxl reads it (read-only). Every bad row is reported (row, column, problem)
in one `QuestionImportError`; the caller writes nothing then."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass

from django.conf import settings

from dangjian.core.errors import AppError

KINDS = ("single", "multiple", "judge")
KIND_WORDS = {
    "单选": "single",
    "单选题": "single",
    "单项选择": "single",
    "单项选择题": "single",
    "single": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "多项选择": "multiple",
    "多项选择题": "multiple",
    "multiple": "multiple",
    "判断": "judge",
    "判断题": "judge",
    "judge": "judge",
}
JUDGE_OPTIONS = ["正确", "错误"]
JUDGE_WORDS = {
    "正确": 0,
    "对": 0,
    "是": 0,
    "√": 0,
    "T": 0,
    "TRUE": 0,
    "A": 0,
    "错误": 1,
    "错": 1,
    "否": 1,
    "×": 1,
    "X": 1,
    "F": 1,
    "FALSE": 1,
    "B": 1,
}
OPTION_LETTERS = "ABCDEF"
OPTION_COLUMNS = [f"选项{c}" for c in OPTION_LETTERS]
COLUMNS = ["题型", "题干", *OPTION_COLUMNS, "答案", "解析", "依据规则"]
REQUIRED_COLUMNS = ["题型", "题干", "选项A", "选项B", "答案"]
#: field of a question → the column that holds it
FIELD_COLUMNS = {
    "kind": "题型",
    "text": "题干",
    "options": "选项",
    "answer": "答案",
    "explanation": "解析",
    "rule_ref": "依据规则",
}
TEXT_MAX = 2000
OPTION_MAX = 500
EXPLANATION_MAX = 2000
RULE_REF_MAX = 20
#: more questions than this in one file is not a bank anyone wrote by hand
MAX_ROWS = 2000
#: how many bad rows the refusal's message names (the page and the API list them all)
SHOWN = 3

_SEPARATORS = re.compile(r"[\s,，、;；/]+")
NUL = "\x00"  # PostgreSQL refuses it in text


# ---------------------------------------------------------------------------------------------
# A question


def parse_answer(kind: str, value, option_count: int) -> list[int]:
    """ "A" / "ACD" / "A,C" → option indexes; 判断题: 正确/错误 (对/错, √/×). ValueError with a
    Chinese message when it cannot be read."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError("请填写答案。")
    if kind == "judge":
        index = JUDGE_WORDS.get(text.upper())
        if index is None:
            raise ValueError("判断题的答案应为“正确”或“错误”（也可写“对”“错”）。")
        return [index]
    letters = _SEPARATORS.sub("", text).upper()
    if not letters or any(ch not in OPTION_LETTERS for ch in letters):
        raise ValueError("答案应为选项字母，如 A 或 ACD。")
    indexes = sorted({OPTION_LETTERS.index(ch) for ch in letters})
    missing = [OPTION_LETTERS[i] for i in indexes if i >= option_count]
    if missing:
        raise ValueError(f"答案中的选项{'、'.join(missing)}没有填写内容。")
    return indexes


def answer_text(kind: str, answer) -> str:
    """The answer as it is written in the file and the form ("ACD", "正确")."""
    if kind == "judge":
        return JUDGE_OPTIONS[answer[0]] if answer and answer[0] in (0, 1) else ""
    return "".join(OPTION_LETTERS[i] for i in sorted(answer) if 0 <= i < len(OPTION_LETTERS))


def _text(value) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def check_question(
    kind, text, options, answer, explanation="", rule_ref=""
) -> tuple[dict, list[tuple[str, str]]]:
    """The question made clean ({kind, text, options, answer, explanation, rule_ref}) and every
    problem as (field, Chinese message). 单选: at least 2 options, exactly 1 answer; 多选: at
    least 2 options, at least 2 answers; 判断: the options are 正确/错误, 1 answer. Answers are
    option indexes."""
    errors: list[tuple[str, str]] = []
    kind = _text(kind)
    kind = KIND_WORDS.get(kind, kind)
    if kind not in KINDS:
        errors.append(("kind", "题型应为单选题、多选题或判断题。"))
    text = _text(text)
    if not text:
        errors.append(("text", "请填写题干。"))
    elif NUL in text:
        errors.append(("text", "题干中含有空字符，无法保存，请删除后重新填写。"))
    elif len(text) > TEXT_MAX:
        errors.append(("text", f"题干不能超过{TEXT_MAX}字。"))
    if kind == "judge":
        options = list(JUDGE_OPTIONS)
    else:
        given = [_text(o) for o in (options or [])]
        while given and not given[-1]:
            given.pop()
        options = given
        if any(not o for o in options):
            errors.append(("options", "选项应从A起连续填写，中间不能空缺。"))
        elif len(options) < 2:
            errors.append(("options", "选择题至少应有两个选项。"))
        elif len(options) > len(OPTION_LETTERS):
            errors.append(("options", f"选项不能超过{len(OPTION_LETTERS)}个。"))
        elif any(NUL in o for o in options):
            errors.append(("options", "选项中含有空字符，无法保存，请删除后重新填写。"))
        elif any(len(o) > OPTION_MAX for o in options):
            errors.append(("options", f"每个选项不能超过{OPTION_MAX}字。"))
        elif len(set(options)) != len(options):
            errors.append(("options", "选项内容不能重复。"))
    try:
        chosen = sorted({int(i) for i in (answer or [])})
    except (TypeError, ValueError):
        chosen = None
    if chosen is None or any(i < 0 or i >= max(len(options), 1) for i in chosen):
        errors.append(("answer", "答案应为已填写的选项。"))
    elif not chosen:
        errors.append(("answer", "请填写答案。"))
    elif kind in ("single", "judge") and len(chosen) != 1:
        errors.append(("answer", "单选题和判断题只能有一个正确答案。"))
    elif kind == "multiple" and len(chosen) < 2:
        errors.append(("answer", "多选题至少应有两个正确答案；只有一个请改为单选题。"))
    explanation = _text(explanation)
    if NUL in explanation:
        errors.append(("explanation", "解析中含有空字符，无法保存，请删除后重新填写。"))
    elif len(explanation) > EXPLANATION_MAX:
        errors.append(("explanation", f"解析不能超过{EXPLANATION_MAX}字。"))
    rule_ref = _text(rule_ref)
    if NUL in rule_ref:
        errors.append(("rule_ref", "依据规则中含有空字符，无法保存，请删除后重新填写。"))
    elif len(rule_ref) > RULE_REF_MAX:
        errors.append(("rule_ref", f"依据规则不能超过{RULE_REF_MAX}个字符（如 R-EDU-01）。"))
    clean = {
        "kind": kind,
        "text": text,
        "options": options,
        "answer": chosen or [],
        "explanation": explanation,
        "rule_ref": rule_ref,
    }
    return clean, errors


# ---------------------------------------------------------------------------------------------
# The file


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number as Excel shows it
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行“{self.column}”：{self.message}"


class QuestionImportError(AppError):
    """Bad rows in a question file: `rows` holds every one; the message names the first few."""

    def __init__(self, rows: list[RowProblem]):
        self.rows = rows
        lines = {p.row for p in rows}
        shown = "；".join(str(p) for p in rows[:SHOWN])
        more = f"等，共{len(lines)}行有误" if len(rows) > SHOWN else ""
        message = f"试题文件有误，未导入任何试题：{shown}{more}。请改正后重新上传。"
        super().__init__(
            message, field="file", errors=[("file", str(p)) for p in rows[:200]] or None
        )
        self.message = message


@dataclass(frozen=True)
class QuestionRow:
    row: int
    kind: str
    text: str
    options: list[str]
    answer: list[int]
    explanation: str
    rule_ref: str


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "正确" if value else "错误"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _headers(row) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, value in enumerate(row or ()):
        name = re.sub(r"\s+", "", _cell(value)).upper()
        name = name.replace("（", "(").split("(")[0]
        for column in COLUMNS:
            if name == column.upper() and column not in found:
                found[column] = i
    return found


def parse_rows(rows) -> list[QuestionRow]:
    """Questions from the sheet's rows (the header first). Raises QuestionImportError listing
    every bad row, AppError when the sheet is not a question sheet at all."""
    rows = iter(rows)
    try:
        header = next(rows)
    except StopIteration:
        raise AppError("文件中没有内容。请使用试题导入模板填写。", field="file") from None
    columns = _headers(header)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise AppError(
            f"第1行应为列名，缺少“{'”“'.join(missing)}”。请使用试题导入模板填写。",
            field="file",
        )

    def get(values, column):
        i = columns.get(column)
        return _cell(values[i]) if i is not None and i < len(values) else ""

    questions: list[QuestionRow] = []
    problems: list[RowProblem] = []
    for number, values in enumerate(rows, start=2):
        values = tuple(values or ())
        if not any(_cell(v) for v in values):
            continue
        if len(questions) + len({p.row for p in problems}) >= MAX_ROWS:
            raise AppError(f"一个文件最多导入{MAX_ROWS}道试题，请分成几个文件导入。", field="file")
        kind = KIND_WORDS.get(get(values, "题型"), get(values, "题型"))
        options = [get(values, c) for c in OPTION_COLUMNS]
        row_problems: list[RowProblem] = []
        answer: list[int] = []
        if kind in KINDS:
            count = len(JUDGE_OPTIONS) if kind == "judge" else _filled(options)
            try:
                answer = parse_answer(kind, get(values, "答案"), count)
            except ValueError as exc:
                row_problems.append(RowProblem(number, "答案", str(exc)))
        clean, errors = check_question(
            kind, get(values, "题干"), options, answer, get(values, "解析"), get(values, "依据规则")
        )
        for field_name, message in errors:
            if field_name == "answer" and (row_problems or kind not in KINDS):
                continue  # already told, or unknowable without the kind
            column = FIELD_COLUMNS[field_name]
            if field_name == "options":
                column = "选项A—F"
            row_problems.append(RowProblem(number, column, message))
        if row_problems:
            problems.extend(row_problems)
            continue
        questions.append(QuestionRow(number, **clean))
    if problems:
        raise QuestionImportError(problems)
    if not questions:
        raise AppError("文件中没有试题：请从第2行起每行填写一道题。", field="file")
    return questions


def _filled(options: list[str]) -> int:
    """How many options are given, up to the last filled one."""
    count = len(options)
    while count and not options[count - 1]:
        count -= 1
    return count


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def read_questions(uploaded_file) -> list[QuestionRow]:
    """The questions of an uploaded .xlsx. AppError at `file` for a file that is not a
    workbook (by content), too large, a zip bomb, with formulas, or not in the template's
    shape; QuestionImportError for bad rows."""
    from dangjian.members.imports import files

    if uploaded_file is None:
        raise AppError("请选择要导入的试题文件（.xlsx）。", field="file")
    size = getattr(uploaded_file, "size", None) or 0
    limit = max_bytes()
    if size > limit:
        raise AppError(
            f"文件大小为{size / 1048576:.1f} MB，超过了{limit / 1048576:.1f} MB的上限。",
            field="file",
        )
    data = bytearray()
    for chunk in uploaded_file.chunks():
        data += chunk
        if len(data) > limit:
            raise AppError(f"文件超过了{limit / 1048576:.1f} MB的上限。", field="file")
    if not data:
        raise AppError("文件是空的（0字节），请检查后重新上传。", field="file")
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="questions-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        facts = files.inspect(path)  # by content; zip bomb; counts rows
        if facts.rows - 1 > MAX_ROWS:
            raise AppError(f"一个文件最多导入{MAX_ROWS}道试题，请分成几个文件导入。", field="file")
        if facts.has_formula:
            raise AppError("文件中含有公式。请将公式单元格“粘贴为数值”后再上传。", field="file")
        rows = _sheet_rows(path, facts.sheet_name, files.NOT_XLSX)
    finally:
        os.unlink(path)
    return parse_rows(rows)


def _sheet_rows(path: str, sheet_name: str, damaged: str) -> list[tuple]:
    """Every row of the sheet, read now: openpyxl reads a read-only sheet lazily, so a damaged
    cell (a number that is not one, a shared string that does not exist, XML cut short or
    holding a character XML forbids) raises only while the rows are walked. Any such error is
    the file's fault: AppError(`damaged`) at `file`, never a 500. Empty rows are kept as ()
    (the row numbers of the report count them); more filled rows than MAX_ROWS is refused."""
    from openpyxl import load_workbook

    rows: list[tuple] = []
    filled = 0
    book = None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        for values in book[sheet_name].iter_rows(values_only=True):
            values = tuple(values or ())
            if any(_cell(v) for v in values):
                filled += 1
                if filled > MAX_ROWS + 1:  # the header, then the questions
                    raise AppError(
                        f"一个文件最多导入{MAX_ROWS}道试题，请分成几个文件导入。", field="file"
                    )
                rows.append(values)
            else:
                rows.append(())
    except AppError:
        raise
    except Exception:  # openpyxl and its XML parser raise many kinds on a damaged part
        raise AppError(damaged, field="file") from None
    finally:
        if book is not None:
            book.close()
    return rows


def template_bytes() -> bytes:
    """The import template: the header, three worked examples and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "试题"
    sheet.append(COLUMNS)
    examples = [
        (
            "单选题",
            "党员每年参加集中学习培训一般不少于多少学时？",
            "16学时",
            "24学时",
            "32学时",
            "48学时",
            "",
            "",
            "C",
            "《中国共产党党员教育管理工作条例》规定党员每年集中学习培训一般不少于32学时。",
            "R-EDU-01",
        ),
        (
            "多选题",
            "下列属于“三会一课”的有：",
            "支部党员大会",
            "支部委员会会议",
            "党小组会",
            "党课",
            "座谈会",
            "",
            "ABCD",
            "“三会一课”指支部党员大会、支部委员会会议、党小组会和党课。",
            "",
        ),
        (
            "判断题",
            "年老体弱、行动不便的党员，不硬性要求参加学习活动，不计入学时考核。",
            "",
            "",
            "",
            "",
            "",
            "",
            "正确",
            "由党组织送学上门。",
            "R-EDU-03",
        ),
    ]
    for row in examples:
        sheet.append(list(row))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
    widths = [8, 40, 16, 16, 16, 16, 16, 16, 8, 40, 12]
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    for line in (
        "每行一道题，第1行列名不要改动；示例行可删除。",
        "题型：单选题、多选题或判断题。",
        "选项：选择题从选项A起连续填写，至少两个、至多六个；判断题不填选项。",
        "答案：单选题填一个字母（如 C），多选题填两个以上字母（如 ABD），判断题填“正确”或“错误”。",
        "解析、依据规则可不填；依据规则填规则编号，如 R-EDU-01。",
        "请不要使用公式和合并单元格；一个文件最多2000道题。有错误的文件不会导入任何一道题。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
