"""Member rules: the member record (R-INFO-01/03), probation (R-DEV-21) and the time limits
of member management (R-EDU-05/06/08/12/13/14).

Sources: 中组部《关于做好全国党员信息采集工作的通知》(2017) and its 党员基本信息采集表,
《中国共产党党员教育管理工作条例》(2019) 第二十四、二十五、三十一、三十二、三十四条,
《中国共产党发展党员工作细则》(2014) 第三十二条.

Two different things must not be confused (see docs/rules/members.md):

- **停止党籍** (suspension, R-EDU-05/06): the person stays a Party member on the rolls, his
  membership is dormant; it can be restored when he qualifies again (R-EDU-07).
- **自行脱党除名** (removal, R-EDU-06 after 2 years, R-EDU-08): the person is struck off the
  rolls; in principle not restored, he may only apply again as a new member.

Everything here is a pure function over plain values; nothing reads the clock (``today`` is
passed in) and nothing imports Django.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from dangjian.rules.base import Confidence, Finding, Level, add_months, add_years, rule
from dangjian.rules.codes import EDUCATION, ETHNICITIES, POSTS, Table, is_code

EDU_REGS = "中国共产党党员教育管理工作条例"
EDU_REGS_2019 = dt.date(2019, 5, 6)
DEV_RULES = "中国共产党发展党员工作细则"
INFO_NOTICE = "关于做好全国党员信息采集工作的通知"

R_INFO_01 = rule(
    "R-INFO-01",
    "党员基本信息采集表16项信息应当齐全，学历、工作岗位等按代码表填写",
    source=INFO_NOTICE,
    article="附件《党员基本信息采集表》",
    effective=dt.date(2017, 1, 1),
    confidence=Confidence.C2,
    note="中共中央组织部2017年印发；文件标题与日期据二手资料，未核对原文（生效日期取2017年初）",
)
R_INFO_03 = rule(
    "R-INFO-03",
    "党员信息校验：身份证号校验码及与出生日期、性别一致；入党满18周岁；预备期与转正日期；"
    "失联、流动、停止党籍信息前后一致",
    source="党员基本信息采集表（据相关党内法规推导的校验规则）",
    article="",
    effective=dt.date(2017, 1, 1),
    confidence=Confidence.C2,
    note="推导规则：GB 11643公民身份号码、党章第一条（年满十八岁）、细则第三十二条（预备期）",
)
R_EDU_05 = rule(
    "R-EDU-05",
    "因私出国（境）定居、出国（境）学习研究超过5年仍未回国的党员，一般应当停止党籍",
    source=EDU_REGS,
    article="第二十四条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_EDU_06 = rule(
    "R-EDU-06",
    "与党组织失去联系6个月以上、经查找仍无法取得联系的党员，停止党籍；停止党籍2年后仍无法"
    "取得联系的，按自行脱党予以除名",
    source=EDU_REGS,
    article="第二十四条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_EDU_08 = rule(
    "R-EDU-08",
    "无正当理由，连续6个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作的，"
    "按自行脱党予以除名",
    source=EDU_REGS,
    article="第三十一条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_EDU_12 = rule(
    "R-EDU-12",
    "外出学习、工作、生活6个月以上且地点相对固定的，应当转移组织关系",
    source=EDU_REGS,
    article="第二十五条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_EDU_13 = rule(
    "R-EDU-13",
    "外出6个月以上未转移组织关系的流动党员，流出地党组织应当与其保持经常联系",
    source=EDU_REGS,
    article="第三十二条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_EDU_14 = rule(
    "R-EDU-14",
    "出国（境）学习研究的党员，组织关系由原单位保留，党组织至少每6个月与其联系一次；"
    "毕业生组织关系在高校保留一般不超过2年",
    source=EDU_REGS,
    article="第三十四条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_DEV_21 = rule(
    "R-DEV-21",
    "预备期满，需要继续考察的可以延长预备期一次，时间最少6个月、最长不超过1年",
    source=DEV_RULES,
    article="第三十二条",
    effective=dt.date(2014, 6, 10),
    confidence=Confidence.C2,
)

# ---------------------------------------------------------------------------------------------
# Thresholds (R-GEN-01: 以上/届满 include the number, 超过 excludes it)

ADULT_AGE = 18  # 党章第一条 "年满十八岁": the 18th birthday itself is allowed
PROBATION_MONTHS = 12  # 预备期为一年 (R-DEV-20), counted from 加入党组织日期
EXTENSION_MIN_MONTHS = 6  # R-DEV-21 "最少6个月"
EXTENSION_MAX_MONTHS = 12  # R-DEV-21 "最长不超过1年"
NAME_MAX_LENGTH = 50  # our limit for 姓名 (the form gives none)
LOST_CONTACT_SUSPEND_MONTHS = 6  # R-EDU-06 "6个月以上": exactly 6 months counts
LOST_CONTACT_REMOVE_YEARS = 2  # R-EDU-06 "停止党籍2年后": exactly 2 years counts
ABROAD_STUDY_YEARS = 5  # R-EDU-05 "超过5年": exactly 5 years does not count
LAPSE_MONTHS = 6  # R-EDU-08 "连续6个月": 6 counts
TRANSFER_AWAY_MONTHS = 6  # R-EDU-12 "6个月以上": 6 counts
MOBILE_CONTACT_MONTHS = 6  # R-EDU-14 "至少每6个月联系一次", applied to all mobile members
MOBILE_CONTACT_NOTICE_DAYS = 30  # reminder window before a contact is due (product choice)
NOTICE_MONTHS = 1  # lost-contact reminder window before the 6 months are reached (product choice)

# ---------------------------------------------------------------------------------------------
# The member record of R-INFO-01, in the order of the 党员基本信息采集表.

FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "id_number": "公民身份号码",
    "birth_date": "出生日期",
    "education": "学历",
    "category": "人员类别",
    "branch": "所在党支部",
    "joined_on": "加入党组织日期",
    "converted_on": "转为正式党员日期",
    "post": "工作岗位",
    "phone": "联系电话",
    "address": "家庭住址",
    "standing": "党籍状态",
    "standing_reason": "停止党籍原因",
    "lost_contact": "是否为失联党员",
    "lost_contact_since": "失去联系日期",
    "mobile": "是否为流动党员",
    "mobile_destination": "外出流向",
    "probation_extension_months": "延长预备期（月）",
}
# The keys in R-INFO-01 order. "branch" (所在党支部) is item 8 of the form; check() does not
# look at it (the caller resolves the branch). "standing_reason" is not on the form: it
# completes item 14. "probation_extension_months" is not a form item.
FIELD_ORDER: tuple[str, ...] = tuple(k for k in FIELD_LABELS if k != "probation_extension_months")

REQUIRED = (
    "name",
    "sex",
    "ethnicity",
    "id_number",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "post",
    "phone",
    "address",
    "standing",
)

SEXES = (("male", "男"), ("female", "女"))
CATEGORIES = (("probationary", "预备党员"), ("full", "正式党员"))
STANDINGS = (("normal", "正常"), ("suspended", "停止党籍"))

# ---------------------------------------------------------------------------------------------
# Standing grounds. 停止党籍 (suspension) keeps the person a member, membership dormant and
# restorable (R-EDU-07); 除名 (removal) strikes him off the rolls. They are separate lists.

GROUND_ABROAD = "abroad"
GROUND_LOST_CONTACT = "lost_contact"
GROUND_LAPSED = "lapsed"
GROUND_LOST_CONTACT_TWO_YEARS = "lost_contact_two_years"
GROUND_OTHER = "other"

# Grounds for 停止党籍 (suspension — membership kept, can be restored, R-EDU-07).
SUSPENSION_GROUNDS: tuple[tuple[str, str], ...] = (
    (GROUND_ABROAD, "因私出国（境）定居或出国（境）学习研究超过5年仍未回国"),
    (GROUND_LOST_CONTACT, "与党组织失去联系6个月以上，经查找仍无法取得联系"),
    (GROUND_OTHER, "其他原因"),
)
SUSPENSION_GROUND_RULES = {GROUND_ABROAD: R_EDU_05.id, GROUND_LOST_CONTACT: R_EDU_06.id}

# Grounds for 除名 (removal — struck off the rolls; not restored, may apply again).
REMOVAL_GROUNDS: tuple[tuple[str, str], ...] = (
    (GROUND_LAPSED, "自行脱党：连续6个月不参加党的组织生活、不交纳党费或不做党所分配的工作"),
    (GROUND_LOST_CONTACT_TWO_YEARS, "自行脱党：因失联停止党籍2年后仍无法取得联系"),
    (GROUND_OTHER, "其他原因"),
)
REMOVAL_GROUND_RULES = {GROUND_LAPSED: R_EDU_08.id, GROUND_LOST_CONTACT_TWO_YEARS: R_EDU_06.id}

PURPOSE_SETTLE = "settle"
PURPOSE_STUDY = "study"
PURPOSE_OTHER = "other"
ABROAD_PURPOSES: tuple[tuple[str, str], ...] = (
    (PURPOSE_SETTLE, "因私出国（境）定居"),
    (PURPOSE_STUDY, "出国（境）学习研究"),
    (PURPOSE_OTHER, "其他（工作、探亲、旅游等）"),
)

# ---------------------------------------------------------------------------------------------
# Identity numbers (GB 11643)


def normalize_id_number(text: object) -> str:
    """Spaces removed anywhere, full-width digits and Ｘ to ASCII, x upper-cased.
    None gives ""; other values are converted with str() first."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    return "".join(value.split()).upper()


def _id_problems(
    number: str, today: dt.date | None
) -> tuple[list[str], tuple[dt.date, str] | None]:
    """Problems of a normalized 18-character number, and (birth date, sex) when there are none."""
    if len(number) != 18:
        return [f"应为18位，现为{len(number)}位"], None
    body, last = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or last not in "0123456789X":
        return ["前17位应为数字，末位应为数字或X"], None
    problems = []
    if ric.calc_check_digit(number) != last:
        problems.append("校验码不正确")
    try:
        birth: dt.date | None = ric.get_birth_date(number)
    except (ValidationError, ValueError):
        birth = None
    if birth is None or birth.year < 1900 or (today is not None and birth > today):
        problems.append("第7至14位出生日期不是有效日期")
    if problems or birth is None:
        return problems, None
    return [], (birth, "male" if int(number[16]) % 2 else "female")


def id_number_facts(id_number: object) -> tuple[dt.date, str] | None:
    """(birth date, "male"/"female") from a valid identity number — for prefilling a form —
    or None when the number is not valid. The 17th digit is odd for men."""
    if not isinstance(id_number, str):
        return None
    return _id_problems(normalize_id_number(id_number), None)[1]


# ---------------------------------------------------------------------------------------------
# The record check


_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_NAME_RE = re.compile(f"[{_HAN}A-Za-z]+(?:·[{_HAN}A-Za-z]+)*")
_PHONE_SPLIT_RE = re.compile(r"[,，/\s]+")
_PHONE_RE = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}|\(0\d{2,3}\)\d{7,8}")

_EMPTY = object()
_JUNK = object()


class _Checker:
    def __init__(self, record: Mapping, today: dt.date):
        self.record = record
        self.today = today
        self.found: list[Finding] = []

    def add(self, key: str, text: str, rule_id: str = R_INFO_01.id) -> None:
        label = FIELD_LABELS.get(key, key)
        self.found.append(Finding(rule_id, Level.ERROR, f"{label}：{text}（{rule_id}）", key))

    def raw(self, key: str) -> object:
        value = self.record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return _EMPTY
        return value

    def missing(self, key: str) -> bool:
        if self.raw(key) is _EMPTY:
            if key in REQUIRED:
                self.add(key, "必填")
            return True
        return False

    def text(self, key: str) -> str | None:
        if self.missing(key):
            return None
        value = self.raw(key)
        if not isinstance(value, str):
            self.add(key, "格式不正确，应为文字")
            return None
        return value

    def date(self, key: str) -> dt.date | None:
        if self.missing(key):
            return None
        value = self.raw(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            self.add(key, "不是有效日期")
            return None
        return value

    def choice(self, key: str, choices: tuple[tuple[str, str], ...]) -> str | None:
        if self.missing(key):
            return None
        value = self.raw(key)
        if not isinstance(value, str) or value not in dict(choices):
            allowed = "或".join(f"“{code}”（{label}）" for code, label in choices)
            self.add(key, f"取值{_show(value)}无效，应为{allowed}")
            return None
        return value

    def code(self, key: str, table: Table) -> None:
        if self.missing(key):
            return
        value = self.raw(key)
        if not is_code(table, value):
            self.add(key, f"{_show(value)}不是代码表中的代码")

    def flag(self, key: str) -> bool | None:
        value = self.record.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(key, f"取值{_show(value)}无效，应为是或否")
            return None
        return value

    def not_future(self, key: str, day: dt.date | None) -> bool:
        if day is not None and day > self.today:
            self.add(key, f"{_d(day)}晚于今天", R_INFO_03.id)
            return False
        return True


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return f"“{text[:30]}”"


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check(record: dict, today: dt.date) -> list[Finding]:
    """Validate one member record (R-INFO-01 completeness and codes, R-INFO-03 consistency,
    R-DEV-21 extension). ``record`` is a plain dict with the keys of FIELD_ORDER (absent or
    None when empty; dates as ``datetime.date``) and optionally
    ``probation_extension_months``. Returns ERROR findings whose ``field`` is the dict key
    and whose message names the form's label and the rule; an empty list means valid.
    Never raises on bad values: a wrong type is a finding."""
    c = _Checker(record if isinstance(record, Mapping) else {}, today)

    name = c.text("name")
    if name is not None:
        if len(name) > NAME_MAX_LENGTH:
            c.add("name", f"长度不能超过{NAME_MAX_LENGTH}个字符")
        elif not _NAME_RE.fullmatch(name):
            c.add("name", "只能由汉字、字母和间隔号“·”组成")
    sex = c.choice("sex", SEXES)
    c.code("ethnicity", ETHNICITIES)

    facts = None
    id_text = c.text("id_number")
    if id_text is not None:
        problems, facts = _id_problems(normalize_id_number(id_text), today)
        for problem in problems:
            c.add("id_number", problem, R_INFO_03.id)

    birth = c.date("birth_date")
    future_birth = birth is not None and not c.not_future("birth_date", birth)
    if birth is not None and not future_birth and facts is not None and facts[0] != birth:
        c.add("birth_date", f"与公民身份号码中的{_d(facts[0])}不一致", R_INFO_03.id)
    if sex is not None and facts is not None and facts[1] != sex:
        c.add("sex", "与公民身份号码第17位不一致（奇数为男，偶数为女）", R_INFO_03.id)
    if birth is None or birth > today:
        birth = facts[0] if facts else None

    c.code("education", EDUCATION)
    category = c.choice("category", CATEGORIES)

    joined = c.date("joined_on")
    if joined is not None and not c.not_future("joined_on", joined):
        joined = None  # a future date is reported once, not again against the other dates
    if joined is not None and birth is not None:
        adult_on = add_years(birth, ADULT_AGE)
        if joined < adult_on:
            c.add("joined_on", f"入党时未满{ADULT_AGE}周岁（应不早于{_d(adult_on)}）", R_INFO_03.id)

    extension = 0
    raw_extension = c.record.get("probation_extension_months")
    if raw_extension not in (None, 0, ""):
        if isinstance(raw_extension, bool) or not isinstance(raw_extension, int):
            c.add("probation_extension_months", "应为整数月数", R_DEV_21.id)
        else:
            if not EXTENSION_MIN_MONTHS <= raw_extension <= EXTENSION_MAX_MONTHS:
                c.add(
                    "probation_extension_months",
                    f"延长预备期应为{EXTENSION_MIN_MONTHS}至{EXTENSION_MAX_MONTHS}个月，"
                    f"现为{raw_extension}个月",
                    R_DEV_21.id,
                )
            extension = max(raw_extension, 0)

    converted = c.date("converted_on")
    if category == "probationary" and c.raw("converted_on") is not _EMPTY:
        c.add("converted_on", "预备党员不应填写转为正式党员日期", R_INFO_03.id)
    elif category == "full" and c.raw("converted_on") is _EMPTY:
        c.add("converted_on", "正式党员必填", R_INFO_03.id)
    elif converted is not None and c.not_future("converted_on", converted) and joined is not None:
        earliest = add_months(joined, PROBATION_MONTHS + extension)
        if converted < earliest:
            span = f"预备期{PROBATION_MONTHS}个月" + (f"、延长{extension}个月" if extension else "")
            c.add("converted_on", f"早于预备期满日期{_d(earliest)}（{span}）", R_INFO_03.id)

    c.code("post", POSTS)

    phone = c.text("phone")
    if phone is not None:
        parts = [p for p in _PHONE_SPLIT_RE.split(phone.strip()) if p]
        bad = [p for p in parts if not _PHONE_RE.fullmatch(p)]
        if bad or not parts:
            # never quote the number: messages travel to import reports and logs
            where = f"第{parts.index(bad[0]) + 1}个号码" if bad and len(parts) > 1 else "号码"
            c.add("phone", f"{where}不是11位手机号码或带区号的固定电话")

    c.text("address")

    standing = c.choice("standing", STANDINGS)
    reason = c.text("standing_reason")
    if standing == "suspended" and reason is None and c.raw("standing_reason") is _EMPTY:
        c.add("standing_reason", "停止党籍的必须填写原因", R_INFO_03.id)

    lost = c.flag("lost_contact")
    since = c.date("lost_contact_since")
    if lost is True and c.raw("lost_contact_since") is _EMPTY:
        c.add("lost_contact_since", "失联党员必填", R_INFO_03.id)
    elif lost is False and c.raw("lost_contact_since") is not _EMPTY:
        c.add("lost_contact_since", "非失联党员不应填写", R_INFO_03.id)
    elif (
        lost
        and since is not None
        and c.not_future("lost_contact_since", since)
        and joined is not None
        and since < joined
    ):
        c.add("lost_contact_since", f"早于加入党组织日期{_d(joined)}", R_INFO_03.id)

    mobile = c.flag("mobile")
    destination = c.text("mobile_destination")
    if mobile is True and c.raw("mobile_destination") is _EMPTY:
        c.add("mobile_destination", "流动党员必填外出流向", R_INFO_03.id)
    elif mobile is False and destination is not None:
        c.add("mobile_destination", "非流动党员不应填写", R_INFO_03.id)

    return c.found


# ---------------------------------------------------------------------------------------------
# Time limits. Each returns WARNING/INFO findings; ``data["due_on"]`` is a datetime.date.


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def lost_contact_findings(
    lost_contact_since: dt.date | None,
    standing: str,
    suspended_on: dt.date | None,
    suspension_ground: str | None,
    today: dt.date,
) -> list[Finding]:
    """R-EDU-06 for a member out of contact since ``lost_contact_since`` (pass None once
    contact is restored: nothing is due then).

    - standing "normal": 6 months of lost contact ("6个月以上", so the day 6 calendar months
      later counts) → WARNING: after searching, suspend membership (停止党籍); INFO from one
      month before.
    - standing "suspended" on ground "lost_contact": 2 years after ``suspended_on`` → WARNING:
      remove as 自行脱党 (除名 — no longer a member, unlike 停止党籍).
    """
    since = _date(lost_contact_since)
    if since is None:
        return []
    if standing == "normal":
        due = add_months(since, LOST_CONTACT_SUSPEND_MONTHS)
        if today >= due:
            return [
                Finding(
                    R_EDU_06.id,
                    Level.WARNING,
                    f"自{_d(since)}失去联系，已于{_d(due)}满{LOST_CONTACT_SUSPEND_MONTHS}个月；"
                    f"经查找仍无法取得联系的，应当停止党籍（{R_EDU_06.id}）",
                    "lost_contact_since",
                    {"due_on": due},
                )
            ]
        if today >= add_months(due, -NOTICE_MONTHS):
            return [
                Finding(
                    R_EDU_06.id,
                    Level.INFO,
                    f"失去联系将于{_d(due)}满{LOST_CONTACT_SUSPEND_MONTHS}个月，请抓紧查找；"
                    f"届时仍无法取得联系的，应当停止党籍（{R_EDU_06.id}）",
                    "lost_contact_since",
                    {"due_on": due},
                )
            ]
        return []
    if standing == "suspended" and suspension_ground == GROUND_LOST_CONTACT:
        suspended = _date(suspended_on)
        if suspended is None:
            return [
                Finding(
                    R_EDU_06.id,
                    Level.INFO,
                    f"因失联停止党籍，但未登记停止党籍日期，无法判断是否已满"
                    f"{LOST_CONTACT_REMOVE_YEARS}年（{R_EDU_06.id}）",
                    "standing",
                )
            ]
        due = add_years(suspended, LOST_CONTACT_REMOVE_YEARS)
        if today >= due:
            return [
                Finding(
                    R_EDU_06.id,
                    Level.WARNING,
                    f"因失联于{_d(suspended)}停止党籍，已于{_d(due)}满{LOST_CONTACT_REMOVE_YEARS}年；"
                    f"仍无法取得联系的，应当按自行脱党予以除名（{R_EDU_06.id}）",
                    "standing",
                    {"due_on": due},
                )
            ]
    return []


def abroad_findings(
    abroad_since: dt.date | None, purpose: str, standing: str, today: dt.date
) -> list[Finding]:
    """R-EDU-05 for a member abroad in normal standing: settled abroad for private reasons
    (``purpose`` "settle") → WARNING at once; studying/researching abroad ("study") for more
    than 5 years ("超过5年": exactly 5 years is not yet more) → WARNING from the day after the
    fifth anniversary. Both say membership should generally be suspended (停止党籍)."""
    if standing != "normal":
        return []
    since = _date(abroad_since)
    if purpose == PURPOSE_SETTLE:
        return [
            Finding(
                R_EDU_05.id,
                Level.WARNING,
                f"因私出国（境）定居，一般应当停止党籍（{R_EDU_05.id}）",
                "standing",
                {"due_on": since} if since else {},
            )
        ]
    if purpose == PURPOSE_STUDY and since is not None:
        limit = add_years(since, ABROAD_STUDY_YEARS)
        if today > limit:
            due = limit + dt.timedelta(days=1)
            return [
                Finding(
                    R_EDU_05.id,
                    Level.WARNING,
                    f"自{_d(since)}出国（境）学习研究，已超过{ABROAD_STUDY_YEARS}年仍未回国，"
                    f"一般应当停止党籍（{R_EDU_05.id}）",
                    "standing",
                    {"due_on": due},
                )
            ]
    return []


_LAPSE_GROUNDS = (
    ("life", "不参加党的组织生活"),
    ("dues", "不交纳党费"),
    ("work", "不做党所分配的工作"),
)


def lapse_findings(
    months_without_life: int | None,
    months_without_dues: int | None,
    months_without_work: int | None,
) -> list[Finding]:
    """R-EDU-08: each count of consecutive months (from the attendance, dues and task
    modules) that reaches 6 gives a WARNING: without good reason this is 自行脱党 and the
    member is removed (除名 — not 停止党籍). One finding per ground reached,
    ``data={"ground": "life"|"dues"|"work", "months": n}``."""
    found = []
    counts = (months_without_life, months_without_dues, months_without_work)
    for (ground, text), months in zip(_LAPSE_GROUNDS, counts, strict=True):
        if isinstance(months, bool) or not isinstance(months, int) or months < LAPSE_MONTHS:
            continue
        found.append(
            Finding(
                R_EDU_08.id,
                Level.WARNING,
                f"已连续{months}个月{text}；无正当理由连续{LAPSE_MONTHS}个月{text}的，"
                f"按自行脱党予以除名（{R_EDU_08.id}）",
                None,
                {"ground": ground, "months": months},
            )
        )
    return found


def mobile_contact_findings(
    last_contact_on: dt.date | None,
    mobile_since: dt.date | None,
    today: dt.date,
    interval_months: int = MOBILE_CONTACT_MONTHS,
    *,
    abroad: bool = False,
) -> list[Finding]:
    """Contact with a mobile member is due ``interval_months`` after the last recorded contact
    (or after he left, ``mobile_since``, when none is recorded, whichever is later). INFO when
    due within 30 days (the due day included), WARNING from the day after. Cites R-EDU-13, or
    R-EDU-14 with ``abroad=True`` (members studying abroad)."""
    dates = [d for d in (_date(last_contact_on), _date(mobile_since)) if d is not None]
    if not dates:
        return []
    base = max(dates)
    due = add_months(base, interval_months)
    rule_id = R_EDU_14.id if abroad else R_EDU_13.id
    if today > due:
        return [
            Finding(
                rule_id,
                Level.WARNING,
                f"最迟应于{_d(due)}联系流动党员（至少每{interval_months}个月一次），"
                f"已逾期{(today - due).days}天（{rule_id}）",
                "mobile",
                {"due_on": due},
            )
        ]
    if (due - today).days <= MOBILE_CONTACT_NOTICE_DAYS:
        return [
            Finding(
                rule_id,
                Level.INFO,
                f"最迟应于{_d(due)}联系流动党员（至少每{interval_months}个月一次，"
                f"还有{(due - today).days}天）（{rule_id}）",
                "mobile",
                {"due_on": due},
            )
        ]
    return []


def transfer_due_findings(away_since: dt.date | None, today: dt.date) -> list[Finding]:
    """R-EDU-12: away for study, work or life 6 months or more ("6个月以上": the day 6
    calendar months later counts) → INFO: the organisational relation should be transferred;
    if it is not, the member is managed as a mobile member (R-EDU-13)."""
    since = _date(away_since)
    if since is None:
        return []
    due = add_months(since, TRANSFER_AWAY_MONTHS)
    if today < due:
        return []
    return [
        Finding(
            R_EDU_12.id,
            Level.INFO,
            f"自{_d(since)}外出已满{TRANSFER_AWAY_MONTHS}个月，地点相对固定的应当转移组织关系"
            f"（{R_EDU_12.id}）；未转移的，按流动党员管理（{R_EDU_13.id}）",
            "mobile",
            {"due_on": due},
        )
    ]


def probation_due_on(joined_on: dt.date, extension_months: int = 0) -> dt.date:
    """The day probation ends: one year from 加入党组织日期, plus an extension (R-DEV-21)."""
    return add_months(joined_on, PROBATION_MONTHS + (extension_months or 0))


def probation_findings(
    category: str, joined_on: dt.date | None, extension_months: int, today: dt.date
) -> list[Finding]:
    """R-DEV-21: at the end of probation the branch must promptly discuss conversion (convert,
    extend once by 6–12 months, or cancel). INFO from one month before the end, WARNING once
    it has passed without a decision recorded."""
    joined = _date(joined_on)
    if category != "probationary" or joined is None:
        return []
    due = probation_due_on(joined, extension_months)
    if today > due:
        return [
            Finding(
                R_DEV_21.id,
                Level.WARNING,
                f"预备期已于{_d(due)}届满，支部大会应当及时讨论其能否转为正式党员"
                f"（转正、延长预备期或取消预备党员资格）（{R_DEV_21.id}）",
                "category",
                {"due_on": due},
            )
        ]
    if today >= add_months(due, -NOTICE_MONTHS):
        return [
            Finding(
                R_DEV_21.id,
                Level.INFO,
                f"预备期将于{_d(due)}届满，请提前准备转正讨论（{R_DEV_21.id}）",
                "category",
                {"due_on": due},
            )
        ]
    return []
