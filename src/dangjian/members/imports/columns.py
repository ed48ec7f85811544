"""The columns of the roster file and how each cell becomes a value of the member record.

The first 18 columns are the 16 items of the national 党员基本信息采集表 in its order (R-INFO-01;
items 15 and 16 take two columns each: 是否为失联党员 / 失去联系日期, 是否为流动党员 / 外出流向).
The last three are optional: a file may stop after column 18.

Each column names its converter from ``cells``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dangjian.core.masking import mask_address, mask_id_number, mask_phone
from dangjian.members.imports import cells
from dangjian.members.imports.cells import Converted
from dangjian.rules import codes
from dangjian.rules import members as member_rules

FORMAT_RULE = member_rules.R_INFO_01.id
CONSISTENCY_RULE = member_rules.R_INFO_03.id

SHEET_DATA = "党员信息"
SHEET_HELP = "填写说明"
SHEET_ETHNICITIES = "民族"
SHEET_EDUCATION = "学历"
SHEET_POSTS = "工作岗位"
SHEET_BRANCHES = "党支部"

#: a column with this header, and every column after it, is ignored: it is the explanation
#: column of our own report, so a corrected report can be uploaded again as it is
REPORT_HEADER = "问题说明"


@dataclass(frozen=True)
class Column:
    key: str  # the record key ("branch" is resolved separately)
    header: str
    convert: Callable[[object], Converted]
    required: str  # 是 / 否 / 条件必填, as the explanation sheet says
    fmt: str
    example: str
    rule: str
    rule_id: str = FORMAT_RULE
    optional_column: bool = False  # may be absent from the file (the last three)
    text_format: bool = False  # the template formats it as text so Excel keeps it as typed
    date_format: bool = False
    choices: tuple[str, ...] = ()  # drop-down values in the template
    list_sheet: str = ""  # drop-down from a code-table sheet

    @property
    def letter(self) -> str:
        return column_letter(COLUMNS.index(self) + 1)


COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "姓名",
        cells.name,
        "是",
        "文字，不超过50字",
        "张三丰",
        "只能由汉字、字母和间隔号“·”组成；字间空格自动去掉",
    ),
    Column(
        "sex",
        "性别",
        cells.choice(cells.SEX_OPTIONS, "“男”或“女”"),
        "是",
        "男 / 女",
        "男",
        "与公民身份号码第17位一致（奇数为男，偶数为女）；留空时按身份号码填写",
        CONSISTENCY_RULE,
        choices=("男", "女"),
    ),
    Column(
        "ethnicity",
        "民族",
        cells.code(codes.ETHNICITIES, SHEET_ETHNICITIES),
        "是",
        "民族名称或代码（见“民族”表）",
        "汉族",
        "按GB/T 3304代码表填写，写“汉族”“汉”或“01”均可",
        list_sheet=SHEET_ETHNICITIES,
    ),
    Column(
        "id_number",
        "公民身份号码",
        cells.id_number,
        "是",
        "18位，末位可为X；文本格式",
        "420302198003150011",
        "校验码正确，出生日期、性别与本行一致；同一文件及系统中不得重复",
        CONSISTENCY_RULE,
        text_format=True,
    ),
    Column(
        "birth_date",
        "出生日期",
        cells.date,
        "是",
        "日期，如1980-03-15",
        "1980-03-15",
        "与公民身份号码第7至14位一致；留空时按身份号码填写",
        CONSISTENCY_RULE,
        date_format=True,
    ),
    Column(
        "education",
        "学历",
        cells.code(codes.EDUCATION, SHEET_EDUCATION),
        "是",
        "学历名称或代码（见“学历”表）",
        "大学本科毕业",
        "按GB/T 4658学历代码表填写",
        list_sheet=SHEET_EDUCATION,
    ),
    Column(
        "category",
        "人员类别",
        cells.choice(cells.CATEGORY_OPTIONS, "“正式党员”或“预备党员”"),
        "是",
        "正式党员 / 预备党员",
        "正式党员",
        "预备党员不填转为正式党员日期，正式党员必填",
        CONSISTENCY_RULE,
        choices=("正式党员", "预备党员"),
    ),
    Column(
        "branch",
        "所在党支部",
        cells.text(100),
        "是",
        "党支部全称（见“党支部”表）",
        "第一党支部",
        "须为导入范围内未撤销的党支部，按全称匹配",
        list_sheet=SHEET_BRANCHES,
    ),
    Column(
        "joined_on",
        "加入党组织日期",
        cells.date,
        "是",
        "日期",
        "2005-07-01",
        "入党时应年满18周岁；不能晚于今天",
        CONSISTENCY_RULE,
        date_format=True,
    ),
    Column(
        "converted_on",
        "转为正式党员日期",
        cells.date,
        "条件必填",
        "日期",
        "2006-07-01",
        "正式党员必填，预备党员不填；不早于加入党组织日期满12个月（延长预备期的相应顺延）",
        CONSISTENCY_RULE,
        date_format=True,
    ),
    Column(
        "post",
        "工作岗位",
        cells.code(codes.POSTS, SHEET_POSTS),
        "是",
        "岗位名称或代码（见“工作岗位”表）",
        "公务员",
        "按工作岗位代码表填写",
        list_sheet=SHEET_POSTS,
    ),
    Column(
        "phone",
        "联系电话",
        cells.phone,
        "是",
        "11位手机号码或带区号的固定电话；文本格式",
        "13800138000",
        "多个号码用逗号分隔",
        text_format=True,
    ),
    Column(
        "address",
        "家庭住址",
        cells.text(200),
        "是",
        "文字，不超过200字",
        "湖北省十堰市茅箭区北京路1号",
        "",
    ),
    Column(
        "standing",
        "党籍状态",
        cells.choice(cells.STANDING_OPTIONS, "“正常”或“停止党籍”"),
        "是",
        "正常 / 停止党籍",
        "正常",
        "停止党籍的须填写停止党籍原因",
        CONSISTENCY_RULE,
        choices=("正常", "停止党籍"),
    ),
    Column(
        "lost_contact",
        "是否为失联党员",
        cells.flag,
        "否",
        "是 / 否，留空为否",
        "否",
        "填“是”时必须填写失去联系日期",
        CONSISTENCY_RULE,
        choices=("是", "否"),
    ),
    Column(
        "lost_contact_since",
        "失去联系日期",
        cells.month,
        "条件必填",
        "年月，如2020-05（也可填完整日期）",
        "",
        "失联党员必填，非失联党员不填；不早于加入党组织日期",
        CONSISTENCY_RULE,
        text_format=True,
    ),
    Column(
        "mobile",
        "是否为流动党员",
        cells.flag,
        "否",
        "是 / 否，留空为否",
        "否",
        "填“是”时必须填写外出流向",
        CONSISTENCY_RULE,
        choices=("是", "否"),
    ),
    Column(
        "mobile_destination",
        "外出流向",
        cells.text(100),
        "条件必填",
        "文字，不超过100字",
        "",
        "流动党员必填，非流动党员不填",
        CONSISTENCY_RULE,
    ),
    Column(
        "standing_reason",
        "停止党籍原因",
        cells.text(200),
        "条件必填",
        "文字，不超过200字",
        "",
        "党籍状态为停止党籍时必填（可选列）",
        CONSISTENCY_RULE,
        optional_column=True,
    ),
    Column(
        "employment",
        "在职状态",
        cells.choice(cells.EMPLOYMENT_OPTIONS, "“在职”或“离退休”"),
        "否",
        "在职 / 离退休",
        "在职",
        "留空时：工作岗位为离退休人员的记为离退休，其余为在职；更新已有党员时留空表示不变（可选列）",
        optional_column=True,
        choices=("在职", "离退休"),
    ),
    Column(
        "unit_post",
        "单位职务",
        cells.text(50),
        "否",
        "文字，不超过50字",
        "科员",
        "更新已有党员时留空表示不变（可选列）",
        optional_column=True,
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = tuple(c.header for c in COLUMNS)
REQUIRED_COUNT = sum(1 for c in COLUMNS if not c.optional_column)  # 18

#: items kept as they are when an existing member is updated and the cell is empty
KEEP_WHEN_EMPTY = ("employment", "unit_post")

#: how a value of these items is shown in an error report (never in clear)
MASKS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "address": mask_address,
}


def column_letter(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def shown_value(key: str, value: object) -> str:
    """A cell as it appears in a report: text, at most 50 characters, sensitive items masked."""
    result = cells.plain_text(value) or ""
    if key in MASKS and result:
        result = MASKS[key](result)
    return result[:50]
