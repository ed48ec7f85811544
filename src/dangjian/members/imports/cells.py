"""Cell conversion for the roster import: the raw value python-calamine gives (str, float,
int, bool, date, datetime; "" for an empty cell) becomes ``(value, problem)``: the record's
value (None when empty) and a Chinese problem text, or None when the cell is acceptable as
such. The R-INFO-03 rules are applied afterwards to the whole record (``members.services``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from dangjian.rules import codes
from dangjian.rules import members as member_rules

Converted = tuple[object, str | None]


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def plain_text(value: object) -> str | None:
    """A cell as text: numbers without a trailing ".0", dates as 2001-07-01."""
    if _empty(value):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def text(max_length: int) -> Callable[[object], Converted]:
    def convert(value: object) -> Converted:
        result = plain_text(value)
        if result is not None and len(result) > max_length:
            return None, f"长度不能超过{max_length}个字，现为{len(result)}个字"
        return result, None

    return convert


def name(value: object) -> Converted:
    # rosters often pad two-character names for alignment ("王  五"): spaces are never part
    # of a name under R-INFO-01, so they are dropped
    result = plain_text(value)
    return ("".join(result.split()) if result else None), None


def id_number(value: object) -> Converted:
    if _empty(value):
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None, ("被Excel存成了数字，末几位可能已经丢失；请把该列设为“文本”格式后重新填写")
    return member_rules.normalize_id_number(plain_text(value)), None


def phone(value: object) -> Converted:
    result = plain_text(value)
    if result is not None and len(result) > 60:
        return None, "长度不能超过60个字符"
    return result, None


_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_TEXT = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?")
_MONTH_DIGITS = re.compile(r"(\d{4})(\d{2})")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serial numbers below this (1927-05-18) are more likely a year or a typo than a date
_SERIAL_MIN = 10_000
_SERIAL_MAX = 2_958_465  # 9999-12-31

DATE_HINT = "应为日期，如2001-07-01、2001.07.01、2001/7/1或20010701"
MONTH_HINT = "应为年月或日期，如2001-07、200107或2001-07-01"


def _make_date(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _date_of(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            number = int(value)
            digits = _DATE_DIGITS.fullmatch(str(number))
            if digits:
                return _make_date(*digits.groups())
            if _SERIAL_MIN <= number <= _SERIAL_MAX:
                return _EXCEL_EPOCH + dt.timedelta(days=number)
        return None
    if isinstance(value, str):
        cell = unicodedata.normalize("NFKC", value).strip()
        match = _DATE_TEXT.fullmatch(cell) or _DATE_DIGITS.fullmatch(cell)
        if match:
            return _make_date(*match.groups())
    return None


def date(value: object) -> Converted:
    if _empty(value):
        return None, None
    result = _date_of(value)
    if result is None:
        return None, f"“{plain_text(value)}”不是有效日期，{DATE_HINT}"
    return result, None


def month(value: object) -> Converted:
    """失去联系日期: the form asks for a year and month; a full date is accepted too. A
    year-month is stored as the first day of the month."""
    if _empty(value):
        return None, None
    if isinstance(value, float) and not value.is_integer():
        # Excel turns the text 2001.07 into the number 2001.07, and 2001.10 into 2001.1:
        # one decimal "1" could be January or October, so it is refused rather than guessed
        year, _, decimals = repr(value).partition(".")
        if decimals == "1":
            return None, f"“{value}”无法判断是1月还是10月，请写成2001-01或2001-10"
        result = _make_date(year, decimals, 1) if len(decimals) <= 2 else None
        if result is None:
            return None, f"“{value}”不是有效年月，{MONTH_HINT}"
        return result, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = _MONTH_DIGITS.fullmatch(str(int(value)))
        if digits:
            result = _make_date(*digits.groups(), 1)
            if result is not None:
                return result, None
    if isinstance(value, str):
        cell = unicodedata.normalize("NFKC", value).strip()
        match = _MONTH_TEXT.fullmatch(cell) or _MONTH_DIGITS.fullmatch(cell)
        if match:
            result = _make_date(*match.groups(), 1)
            if result is not None:
                return result, None
    result = _date_of(value)
    if result is None:
        return None, f"“{plain_text(value)}”不是有效年月，{MONTH_HINT}"
    return result, None


def _key(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).lower()


def choice(options: dict[str, str], shown: str) -> Callable[[object], Converted]:
    """A fixed choice written as its Chinese label (or an accepted synonym)."""
    index = {_key(k): v for k, v in options.items()}

    def convert(value: object) -> Converted:
        if _empty(value):
            return None, None
        result = index.get(_key(plain_text(value)))
        if result is None:
            return None, f"“{plain_text(value)}”无效，应填写{shown}"
        return result, None

    return convert


def flag(value: object) -> Converted:
    """是/否; an empty cell means 否 (the form's default)."""
    if _empty(value):
        return False, None
    if isinstance(value, bool):
        return value, None
    result = YES_NO.get(_key(plain_text(value)))
    if result is None:
        return None, f"“{plain_text(value)}”无效，应填写“是”或“否”"
    return result, None


YES_NO = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}


def code(table: codes.Table, sheet: str) -> Callable[[object], Converted]:
    def convert(value: object) -> Converted:
        if _empty(value):
            return None, None
        result = codes.code_for(table, value)
        if result is None:
            return None, f"“{plain_text(value)}”不是代码表中的代码或名称（见“{sheet}”表）"
        return result, None

    return convert


SEX_OPTIONS = {"男": "male", "女": "female", "男性": "male", "女性": "female"}
CATEGORY_OPTIONS = {
    "正式党员": "full",
    "预备党员": "probationary",
    "正式": "full",
    "预备": "probationary",
}
STANDING_OPTIONS = {"正常": "normal", "停止党籍": "suspended"}
EMPLOYMENT_OPTIONS = {
    "在职": "in_service",
    "离退休": "retired",
    "离休": "retired",
    "退休": "retired",
}
