"""Table-driven tests of dangjian.rules.members and dangjian.rules.codes (rules.md R-INFO-01/03,
R-DEV-21, R-EDU-05/06/08/12/13/14), boundaries included."""

import datetime as dt
import subprocess
import sys

import pytest
from stdnum.cn import ric

from dangjian.rules import RULES
from dangjian.rules.base import Level
from dangjian.rules.codes import (
    EDUCATION,
    ETHNICITIES,
    OCCUPATIONS,
    POSTS,
    code_for,
    is_college_or_above,
    label_for,
    occupation_of,
)
from dangjian.rules.members import (
    FIELD_LABELS,
    FIELD_ORDER,
    REMOVAL_GROUNDS,
    SUSPENSION_GROUNDS,
    abroad_findings,
    check,
    id_number_facts,
    lapse_findings,
    lost_contact_findings,
    mobile_contact_findings,
    normalize_id_number,
    transfer_due_findings,
)

D = dt.date
TODAY = D(2026, 1, 15)


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


ID_MALE = with_check_digit("42030319850315123")  # born 1985-03-15, 17th digit 3 (odd): male
ID_LEAP = with_check_digit("42030320040229002")  # born 2004-02-29, female
ID_X = with_check_digit("42030319900101010")  # ends in X, born 1990-01-01, female
ID_BAD_CHECK = ID_MALE[:-1] + ("2" if ID_MALE[-1] != "2" else "3")
ID_BAD_DATE = with_check_digit("42030319850230123")  # 30 February
ID_FUTURE = with_check_digit("42030320990101123")  # born in 2099

BASE = {
    "name": "张三",
    "sex": "male",
    "ethnicity": "01",
    "id_number": ID_MALE,
    "birth_date": D(1985, 3, 15),
    "education": "21",
    "category": "full",
    "joined_on": D(2010, 7, 1),
    "converted_on": D(2011, 7, 1),
    "post": "0110",
    "phone": "13812345678",
    "address": "湖北省十堰市张湾区车城路1号",
    "standing": "normal",
    "standing_reason": None,
    "lost_contact": False,
    "lost_contact_since": None,
    "mobile": False,
    "mobile_destination": None,
}

LEAP = {"id_number": ID_LEAP, "birth_date": D(2004, 2, 29), "sex": "female", "category": "full"}
PROBATIONARY = {"category": "probationary", "converted_on": None}


def test_rules_import_without_django():
    code = (
        "import dangjian.rules.members, dangjian.rules.codes, sys;"
        " assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_base_record_is_valid():
    assert ID_MALE == "420303198503151231"
    assert ID_X.endswith("X")
    assert check(BASE, TODAY) == []
    assert check({k: v for k, v in BASE.items() if v is not None}, TODAY) == []


def pairs(found):
    return sorted((f.rule_id, f.field) for f in found)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # --- R-INFO-01: required fields
        ({"name": None}, [("R-INFO-01", "name")]),
        ({"name": "  "}, [("R-INFO-01", "name")]),
        ({"sex": None}, [("R-INFO-01", "sex")]),
        ({"ethnicity": ""}, [("R-INFO-01", "ethnicity")]),
        ({"education": None}, [("R-INFO-01", "education")]),
        ({"category": None}, [("R-INFO-01", "category")]),
        ({"post": None}, [("R-INFO-01", "post")]),
        ({"phone": None}, [("R-INFO-01", "phone")]),
        ({"address": ""}, [("R-INFO-01", "address")]),
        ({"standing": None}, [("R-INFO-01", "standing")]),
        ({"joined_on": None}, [("R-INFO-01", "joined_on")]),
        # id_number / birth_date missing: the other one still stands alone
        ({"id_number": None}, [("R-INFO-01", "id_number")]),
        ({"birth_date": None}, [("R-INFO-01", "birth_date")]),
        # --- R-INFO-01: codes, not labels
        ({"ethnicity": "汉族"}, [("R-INFO-01", "ethnicity")]),
        ({"ethnicity": "99"}, [("R-INFO-01", "ethnicity")]),
        ({"education": "20"}, [("R-INFO-01", "education")]),
        ({"post": "9999"}, [("R-INFO-01", "post")]),
        ({"post": 110}, [("R-INFO-01", "post")]),
        ({"sex": "男"}, [("R-INFO-01", "sex")]),
        ({"category": "member"}, [("R-INFO-01", "category")]),
        ({"standing": "removed"}, [("R-INFO-01", "standing")]),
        # --- R-INFO-01: name
        ({"name": "买买提·艾力"}, []),
        ({"name": "John"}, []),
        ({"name": "张" * 50}, []),
        ({"name": "张" * 51}, [("R-INFO-01", "name")]),
        ({"name": "张 三"}, [("R-INFO-01", "name")]),
        ({"name": "张三1"}, [("R-INFO-01", "name")]),
        ({"name": "·张三"}, [("R-INFO-01", "name")]),
        # --- R-INFO-01: phone
        ({"phone": "0719-8123456"}, []),
        ({"phone": "07198123456"}, []),
        ({"phone": "13812345678，0719-8123456"}, []),
        ({"phone": "13812345678/0719-8123456"}, []),
        ({"phone": "13812345678 13912345678"}, []),
        ({"phone": "1381234567"}, [("R-INFO-01", "phone")]),  # 10 digits
        ({"phone": "8123456"}, [("R-INFO-01", "phone")]),  # landline without area code
        ({"phone": "13812345678,abc"}, [("R-INFO-01", "phone")]),
        # --- R-INFO-03: identity number
        ({"id_number": ID_MALE.lower()}, []),
        ({"id_number": " 4203 0319 8503 1512 31 "}, []),
        ({"id_number": "４２０３０３１９８５０３１５１２３１"}, []),  # full-width digits
        (
            {"id_number": ID_X.lower(), "birth_date": D(1990, 1, 1), "sex": "female"},
            [],
        ),
        ({"id_number": ID_MALE[:-1]}, [("R-INFO-03", "id_number")]),
        ({"id_number": ID_MALE + "1"}, [("R-INFO-03", "id_number")]),
        ({"id_number": ID_MALE[:5] + "A" + ID_MALE[6:]}, [("R-INFO-03", "id_number")]),
        ({"id_number": ID_BAD_CHECK}, [("R-INFO-03", "id_number")]),
        ({"id_number": ID_BAD_DATE}, [("R-INFO-03", "id_number")]),
        ({"id_number": ID_FUTURE}, [("R-INFO-03", "id_number")]),
        # agreement with birth date and sex
        ({"birth_date": D(1985, 3, 16)}, [("R-INFO-03", "birth_date")]),
        ({"sex": "female"}, [("R-INFO-03", "sex")]),
        ({"birth_date": D(2026, 1, 16)}, [("R-INFO-03", "birth_date")]),
        # --- R-INFO-03: 18th birthday (born 1985-03-15)
        ({"joined_on": D(2003, 3, 15), "converted_on": D(2004, 3, 15)}, []),
        (
            {"joined_on": D(2003, 3, 14), "converted_on": D(2004, 3, 14)},
            [("R-INFO-03", "joined_on")],
        ),
        # Feb 29 birthday: 18th birthday is 28 Feb 2022 (R-GEN-04), the day before is too early
        ({**LEAP, "joined_on": D(2022, 2, 28), "converted_on": D(2023, 2, 28)}, []),
        (
            {**LEAP, "joined_on": D(2022, 2, 27), "converted_on": D(2023, 2, 27)},
            [("R-INFO-03", "joined_on")],
        ),
        ({"joined_on": D(2026, 1, 16), **PROBATIONARY}, [("R-INFO-03", "joined_on")]),
        ({"joined_on": D(2026, 1, 15), **PROBATIONARY}, []),
        # --- R-INFO-03: category ⇔ conversion date
        (PROBATIONARY, []),
        ({"category": "probationary"}, [("R-INFO-03", "converted_on")]),
        ({"converted_on": None}, [("R-INFO-03", "converted_on")]),
        # conversion exactly 12 months after joining vs one day short
        (
            {"joined_on": D(2010, 7, 1), "converted_on": D(2011, 6, 30)},
            [("R-INFO-03", "converted_on")],
        ),
        ({"joined_on": D(2012, 2, 29), "converted_on": D(2013, 2, 28)}, []),
        (
            {"joined_on": D(2012, 2, 29), "converted_on": D(2013, 2, 27)},
            [("R-INFO-03", "converted_on")],
        ),
        (
            {"joined_on": D(2025, 1, 15), "converted_on": D(2026, 1, 16)},
            [("R-INFO-03", "converted_on")],
        ),
        # --- R-DEV-21: extension of probation, 6 to 12 months
        ({"probation_extension_months": 6, "converted_on": D(2012, 1, 1)}, []),
        (
            {"probation_extension_months": 6, "converted_on": D(2011, 12, 31)},
            [("R-INFO-03", "converted_on")],
        ),
        ({"probation_extension_months": 12, "converted_on": D(2012, 7, 1)}, []),
        ({"probation_extension_months": 0}, []),
        (
            {"probation_extension_months": 5, "converted_on": D(2012, 7, 1)},
            [("R-DEV-21", "probation_extension_months")],
        ),
        (
            {"probation_extension_months": 13, "converted_on": D(2012, 8, 1)},
            [("R-DEV-21", "probation_extension_months")],
        ),
        ({"probation_extension_months": "6"}, [("R-DEV-21", "probation_extension_months")]),
        ({"probation_extension_months": True}, [("R-DEV-21", "probation_extension_months")]),
        # --- R-INFO-03: lost contact ⇔ date
        ({"lost_contact": True, "lost_contact_since": D(2025, 6, 1)}, []),
        ({"lost_contact": True}, [("R-INFO-03", "lost_contact_since")]),
        ({"lost_contact_since": D(2025, 6, 1)}, [("R-INFO-03", "lost_contact_since")]),
        (
            {"lost_contact": True, "lost_contact_since": D(2026, 2, 1)},
            [("R-INFO-03", "lost_contact_since")],
        ),
        (
            {"lost_contact": True, "lost_contact_since": D(2010, 6, 1)},
            [("R-INFO-03", "lost_contact_since")],
        ),
        # --- R-INFO-03: mobile ⇔ destination
        ({"mobile": True, "mobile_destination": "广东省深圳市南山区"}, []),
        ({"mobile": True}, [("R-INFO-03", "mobile_destination")]),
        ({"mobile_destination": "广东省深圳市"}, [("R-INFO-03", "mobile_destination")]),
        # --- R-INFO-03: suspended ⇒ reason
        ({"standing": "suspended", "standing_reason": "lost_contact"}, []),
        ({"standing": "suspended"}, [("R-INFO-03", "standing_reason")]),
        # --- junk values: a finding, never an exception
        ({"birth_date": "1985-03-15"}, [("R-INFO-01", "birth_date")]),
        ({"joined_on": 20100701}, [("R-INFO-01", "joined_on")]),
        ({"id_number": 420303198503151231}, [("R-INFO-01", "id_number")]),
        ({"name": ["张三"]}, [("R-INFO-01", "name")]),
        ({"sex": 1}, [("R-INFO-01", "sex")]),
        ({"lost_contact": "是"}, [("R-INFO-01", "lost_contact")]),
        ({"mobile": 1}, [("R-INFO-01", "mobile")]),
        ({"phone": 13812345678}, [("R-INFO-01", "phone")]),
        ({"converted_on": "2011-07-01"}, [("R-INFO-01", "converted_on")]),
        ({"standing_reason": 3, "standing": "suspended"}, [("R-INFO-01", "standing_reason")]),
        ({"mobile_destination": object()}, [("R-INFO-01", "mobile_destination")]),
        # a datetime is taken as its date
        ({"birth_date": dt.datetime(1985, 3, 15, 8, 0)}, []),
    ],
)
def test_check(changes, expected):
    found = check({**BASE, **changes}, TODAY)
    assert pairs(found) == sorted(expected)
    for f in found:
        assert f.level == Level.ERROR
        assert f"（{f.rule_id}）" in f.message
        assert f.message.startswith(FIELD_LABELS[f.field] + "：")
        assert f.rule_id in RULES


def test_messages_name_the_problem():
    [f] = check({**BASE, "id_number": ID_BAD_CHECK}, TODAY)
    assert f.message == "公民身份号码：校验码不正确（R-INFO-03）"
    [f] = check({**BASE, "name": None}, TODAY)
    assert f.message == "姓名：必填（R-INFO-01）"
    [f] = check({**BASE, "id_number": ID_MALE[:-1]}, TODAY)
    assert "18位" in f.message
    [f] = check({**BASE, "id_number": ID_BAD_DATE}, TODAY)
    assert "出生日期" in f.message


def test_bad_checksum_and_bad_date_both_reported():
    number = "42030319850230123"
    wrong = next(d for d in "0123456789X" if d != ric.calc_check_digit(number + "0"))
    found = check({**BASE, "id_number": number + wrong}, TODAY)
    assert [f.message for f in found] == [
        "公民身份号码：校验码不正确（R-INFO-03）",
        "公民身份号码：第7至14位出生日期不是有效日期（R-INFO-03）",
    ]


@pytest.mark.parametrize("record", [{}, None, "junk", {"name": 1, "birth_date": object()}])
def test_check_never_raises(record):
    found = check(record, TODAY)
    assert {f.field for f in found} >= {"sex", "id_number", "standing"}


def test_empty_record_lists_every_required_field_in_form_order():
    found = check({}, TODAY)
    assert [f.field for f in found] == [
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
    ]
    assert all(f.rule_id == "R-INFO-01" for f in found)


# --- identity-number helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 42030319900101010x ", "42030319900101010X"),
        ("４２０３０３１９９００１０１０１０Ｘ", "42030319900101010X"),
        ("420303 19900101 010x", "42030319900101010X"),
        (None, ""),
    ],
)
def test_normalize_id_number(text, expected):
    assert normalize_id_number(text) == expected


@pytest.mark.parametrize(
    ("number", "facts"),
    [
        (ID_MALE, (D(1985, 3, 15), "male")),
        (ID_LEAP, (D(2004, 2, 29), "female")),
        (ID_X.lower(), (D(1990, 1, 1), "female")),
        (ID_BAD_CHECK, None),
        (ID_BAD_DATE, None),
        ("123", None),
        (None, None),
        (420303198503151231, None),
    ],
)
def test_id_number_facts(number, facts):
    assert id_number_facts(number) == facts


def test_field_order_follows_the_form():
    assert FIELD_ORDER[:10] == (
        "name",
        "sex",
        "ethnicity",
        "id_number",
        "birth_date",
        "education",
        "category",
        "branch",
        "joined_on",
        "converted_on",
    )
    assert set(BASE) <= set(FIELD_ORDER)
    assert FIELD_LABELS["id_number"] == "公民身份号码"


# --- code tables


def test_tables_are_well_formed():
    assert len(ETHNICITIES) == 58
    assert [c for c, _ in ETHNICITIES[:56]] == [f"{i:02d}" for i in range(1, 57)]
    assert ETHNICITIES[0] == ("01", "汉族") and ETHNICITIES[55] == ("56", "基诺族")
    for table, width in ((ETHNICITIES, 2), (EDUCATION, 2), (POSTS, 4), (OCCUPATIONS, 2)):
        codes = [c for c, _ in table]
        assert len(set(codes)) == len(codes)
        assert len({label for _, label in table}) == len(table)
        assert all(len(c) == width and c.isdigit() for c in codes)
    assert [label for _, label in OCCUPATIONS] == [
        "工人（工勤技能人员）",
        "农牧渔民",
        "企事业单位、社会组织专业技术人员",
        "企事业单位、社会组织管理人员",
        "党政机关工作人员",
        "学生",
        "其他职业人员",
        "离退休人员",
    ]
    # every post belongs to one of the eight groups
    assert {occupation_of(c) for c, _ in POSTS} == {c for c, _ in OCCUPATIONS}


@pytest.mark.parametrize(
    ("table", "text", "code"),
    [
        (ETHNICITIES, "汉族", "01"),
        (ETHNICITIES, "汉", "01"),
        (ETHNICITIES, " 蒙古 ", "02"),
        (ETHNICITIES, "土", "30"),
        (ETHNICITIES, "土家", "15"),
        (ETHNICITIES, "01", "01"),
        (ETHNICITIES, "1", "01"),
        (ETHNICITIES, 1, "01"),
        (ETHNICITIES, "０８", "08"),
        (ETHNICITIES, "外国血统中国籍人士", "98"),
        (ETHNICITIES, "火星族", None),
        (ETHNICITIES, "", None),
        (ETHNICITIES, None, None),
        (ETHNICITIES, True, None),
        (EDUCATION, "大学本科毕业", "21"),
        (EDUCATION, "21", "21"),
        (EDUCATION, "本科", None),
        (POSTS, "公务员", "0110"),
        (POSTS, "110", "0110"),
        (POSTS, 110.0, "0110"),
        (POSTS, 110.5, None),
        (POSTS, "离退休人员", "0810"),
        (OCCUPATIONS, "工人(工勤技能人员)", "04"),  # half-width brackets
    ],
)
def test_code_for(table, text, code):
    assert code_for(table, text) == code


def test_label_for():
    assert label_for(ETHNICITIES, "02") == "蒙古族"
    assert label_for(POSTS, "0110") == "公务员"
    assert label_for(POSTS, "9999") == "9999"
    assert label_for(POSTS, None) == ""


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("11", True),
        ("14", True),
        ("21", True),
        ("28", True),
        ("31", True),
        ("17", True),  # 研究生班毕业
        ("32", False),  # 结业: no 学历 conferred
        ("33", False),  # 肄业
        ("23", False),
        ("41", False),
        ("61", False),
        ("90", False),
        ("1", False),
        ("19x", False),
        (None, False),
        (21, False),
    ],
)
def test_is_college_or_above(code, expected):
    assert is_college_or_above(code) is expected


@pytest.mark.parametrize(
    ("post", "occupation"),
    [("0110", "01"), ("0120", "01"), ("0430", "04"), ("0810", "08"), ("9999", None), (None, None)],
)
def test_occupation_of(post, occupation):
    assert occupation_of(post) == occupation


# --- time limits


def one(found, rule_id, level):
    assert len(found) == 1, found
    [f] = found
    assert f.rule_id == rule_id
    assert f.level == level
    assert f"（{rule_id}）" in f.message
    return f


SINCE = D(2025, 1, 31)  # + 6 months = 2025-07-31; one month before = 2025-06-30


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (D(2025, 6, 29), None),
        (D(2025, 6, 30), Level.INFO),  # one month before
        (D(2025, 7, 30), Level.INFO),
        (D(2025, 7, 31), Level.WARNING),  # exactly 6 months: "6个月以上" includes it
        (D(2027, 1, 1), Level.WARNING),
    ],
)
def test_lost_contact_suspension(today, level):
    found = lost_contact_findings(SINCE, "normal", None, None, today)
    if level is None:
        assert found == []
    else:
        f = one(found, "R-EDU-06", level)
        assert f.data == {"due_on": D(2025, 7, 31)}


@pytest.mark.parametrize(
    ("today", "removal"),
    [
        (D(2027, 8, 14), False),
        (D(2027, 8, 15), True),  # exactly 2 years after suspension
    ],
)
def test_lost_contact_removal(today, removal):
    found = lost_contact_findings(SINCE, "suspended", D(2025, 8, 15), "lost_contact", today)
    if removal:
        f = one(found, "R-EDU-06", Level.WARNING)
        assert "自行脱党" in f.message and f.data["due_on"] == D(2027, 8, 15)
    else:
        assert found == []


def test_lost_contact_other_cases():
    # contact restored, or suspended on another ground: nothing
    assert lost_contact_findings(None, "normal", None, None, D(2030, 1, 1)) == []
    assert lost_contact_findings(SINCE, "suspended", D(2025, 8, 15), "abroad", D(2030, 1, 1)) == []
    # removal date unknown without the suspension date
    one(
        lost_contact_findings(SINCE, "suspended", None, "lost_contact", TODAY),
        "R-EDU-06",
        Level.INFO,
    )
    assert lost_contact_findings("2025-01-01", "normal", None, None, TODAY) == []


@pytest.mark.parametrize(
    ("since", "purpose", "standing", "today", "expected"),
    [
        (D(2020, 9, 1), "study", "normal", D(2025, 9, 1), False),  # exactly 5 years
        (D(2020, 9, 1), "study", "normal", D(2025, 9, 2), True),  # one day more ("超过")
        (D(2020, 2, 29), "study", "normal", D(2025, 2, 28), False),
        (D(2020, 2, 29), "study", "normal", D(2025, 3, 1), True),
        (D(2020, 9, 1), "study", "suspended", D(2030, 1, 1), False),
        (D(2025, 9, 1), "settle", "normal", D(2025, 9, 2), True),
        (None, "settle", "normal", D(2025, 9, 2), True),
        (D(2010, 1, 1), "other", "normal", D(2025, 9, 2), False),
    ],
)
def test_abroad_findings(since, purpose, standing, today, expected):
    found = abroad_findings(since, purpose, standing, today)
    if expected:
        one(found, "R-EDU-05", Level.WARNING)
    else:
        assert found == []


def test_abroad_due_on_is_the_day_after_five_years():
    [f] = abroad_findings(D(2020, 9, 1), "study", "normal", D(2026, 1, 1))
    assert f.data == {"due_on": D(2025, 9, 2)}


@pytest.mark.parametrize(
    ("counts", "grounds"),
    [
        ((5, 5, 5), []),
        ((6, 0, 0), ["life"]),
        ((0, 6, None), ["dues"]),
        ((None, None, 7), ["work"]),
        ((6, 6, 6), ["life", "dues", "work"]),
        (("6", True, 5.9), []),
    ],
)
def test_lapse_findings(counts, grounds):
    found = lapse_findings(*counts)
    assert [f.data["ground"] for f in found] == grounds
    for f in found:
        assert f.rule_id == "R-EDU-08" and f.level == Level.WARNING
        assert "（R-EDU-08）" in f.message


@pytest.mark.parametrize(
    ("last", "since", "today", "level", "due"),
    [
        (D(2025, 3, 10), D(2024, 1, 1), D(2025, 8, 9), None, D(2025, 9, 10)),
        (D(2025, 3, 10), D(2024, 1, 1), D(2025, 8, 11), Level.INFO, D(2025, 9, 10)),  # 30 days
        (D(2025, 3, 10), D(2024, 1, 1), D(2025, 9, 10), Level.INFO, D(2025, 9, 10)),  # due day
        (D(2025, 3, 10), D(2024, 1, 1), D(2025, 9, 11), Level.WARNING, D(2025, 9, 10)),
        (None, D(2025, 8, 31), D(2026, 2, 28), Level.INFO, D(2026, 2, 28)),  # from mobile_since
        (None, D(2025, 8, 31), D(2026, 3, 1), Level.WARNING, D(2026, 2, 28)),
        (D(2024, 1, 1), D(2025, 8, 31), D(2026, 3, 1), Level.WARNING, D(2026, 2, 28)),
        (None, None, D(2026, 3, 1), None, None),
    ],
)
def test_mobile_contact_findings(last, since, today, level, due):
    found = mobile_contact_findings(last, since, today)
    if level is None:
        assert found == []
    else:
        f = one(found, "R-EDU-13", level)
        assert f.data == {"due_on": due}


def test_mobile_contact_interval_and_abroad():
    assert mobile_contact_findings(D(2025, 1, 1), None, D(2025, 6, 1), interval_months=3)
    [f] = mobile_contact_findings(D(2025, 1, 1), None, D(2025, 8, 1), abroad=True)
    assert f.rule_id == "R-EDU-14"


@pytest.mark.parametrize(
    ("since", "today", "expected"),
    [
        (D(2025, 3, 31), D(2025, 9, 29), False),
        (D(2025, 3, 31), D(2025, 9, 30), True),  # 6 calendar months (31 Sep → 30 Sep)
        (None, D(2025, 9, 30), False),
    ],
)
def test_transfer_due_findings(since, today, expected):
    found = transfer_due_findings(since, today)
    if expected:
        f = one(found, "R-EDU-12", Level.INFO)
        assert "R-EDU-13" in f.message and f.data == {"due_on": D(2025, 9, 30)}
    else:
        assert found == []


def test_grounds_and_registered_rules():
    assert [c for c, _ in SUSPENSION_GROUNDS] == ["abroad", "lost_contact", "other"]
    assert [c for c, _ in REMOVAL_GROUNDS] == ["lapsed", "lost_contact_two_years", "other"]
    for rule_id in (
        "R-INFO-01",
        "R-INFO-03",
        "R-EDU-05",
        "R-EDU-06",
        "R-EDU-08",
        "R-EDU-12",
        "R-EDU-13",
        "R-EDU-14",
        "R-DEV-21",
    ):
        rule = RULES[rule_id]
        assert rule.source and rule.effective and rule.title
    assert RULES["R-EDU-06"].citation == "《中国共产党党员教育管理工作条例》第二十四条"
    assert RULES["R-DEV-21"].citation == "《中国共产党发展党员工作细则》第三十二条"
