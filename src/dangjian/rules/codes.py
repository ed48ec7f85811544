"""Code tables of the member record (R-INFO-01) as plain data, and lookups for imports.

Every table is a tuple of ``(code, label)`` pairs — usable as Django ``choices`` as is. Each
table says which standard it follows and how sure we are of it (confidence as in
``shared/domain/rules.md``: C1 text read, C2 secondary source, C3 memory, open = our own).

``POSTS`` is **our own** table: the official 工作岗位 code table of the 全国党员管理信息系统 is
not available to us. It must be replaced by the deployment's table.
"""

from __future__ import annotations

import unicodedata
from functools import cache

Table = tuple[tuple[str, str], ...]

# 民族 — GB/T 3304-1991《中国各民族名称的罗马字母拼写法和代码》, numeric codes.
# Confidence C2 for 01–56: the order and codes agree across many public reproductions used in
# code (the standard's text was not read). C3 for 97/98 (from memory; reproductions differ).
ETHNICITIES: Table = (
    ("01", "汉族"),
    ("02", "蒙古族"),
    ("03", "回族"),
    ("04", "藏族"),
    ("05", "维吾尔族"),
    ("06", "苗族"),
    ("07", "彝族"),
    ("08", "壮族"),
    ("09", "布依族"),
    ("10", "朝鲜族"),
    ("11", "满族"),
    ("12", "侗族"),
    ("13", "瑶族"),
    ("14", "白族"),
    ("15", "土家族"),
    ("16", "哈尼族"),
    ("17", "哈萨克族"),
    ("18", "傣族"),
    ("19", "黎族"),
    ("20", "傈僳族"),
    ("21", "佤族"),
    ("22", "畲族"),
    ("23", "高山族"),
    ("24", "拉祜族"),
    ("25", "水族"),
    ("26", "东乡族"),
    ("27", "纳西族"),
    ("28", "景颇族"),
    ("29", "柯尔克孜族"),
    ("30", "土族"),
    ("31", "达斡尔族"),
    ("32", "仫佬族"),
    ("33", "羌族"),
    ("34", "布朗族"),
    ("35", "撒拉族"),
    ("36", "毛南族"),
    ("37", "仡佬族"),
    ("38", "锡伯族"),
    ("39", "阿昌族"),
    ("40", "普米族"),
    ("41", "塔吉克族"),
    ("42", "怒族"),
    ("43", "乌孜别克族"),
    ("44", "俄罗斯族"),
    ("45", "鄂温克族"),
    ("46", "德昂族"),
    ("47", "保安族"),
    ("48", "裕固族"),
    ("49", "京族"),
    ("50", "塔塔尔族"),
    ("51", "独龙族"),
    ("52", "鄂伦春族"),
    ("53", "赫哲族"),
    ("54", "门巴族"),
    ("55", "珞巴族"),
    ("56", "基诺族"),
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
)

HAN = "01"  # 少数民族 (R-STAT-02) = any ethnicity code other than 汉族

# 学历 — GB/T 4658-2006《学历代码》, leaf codes only (the level headings 10, 20, 30, … are left
# out). Confidence C3 (from memory), cross-checked against several public reproductions in
# code, which agree on every code below; the standard's text was not read.
EDUCATION: Table = (
    ("11", "博士研究生毕业"),
    ("12", "博士研究生结业"),
    ("13", "博士研究生肄业"),
    ("14", "硕士研究生毕业"),
    ("15", "硕士研究生结业"),
    ("16", "硕士研究生肄业"),
    ("17", "研究生班毕业"),
    ("18", "研究生班结业"),
    ("19", "研究生班肄业"),
    ("21", "大学本科毕业"),
    ("22", "大学本科结业"),
    ("23", "大学本科肄业"),
    ("28", "大学普通班毕业"),
    ("31", "大学专科毕业"),
    ("32", "大学专科结业"),
    ("33", "大学专科肄业"),
    ("41", "中等专科毕业"),
    ("42", "中等专科结业"),
    ("43", "中等专科肄业"),
    ("44", "职业高中毕业"),
    ("45", "职业高中结业"),
    ("46", "职业高中肄业"),
    ("47", "技工学校毕业"),
    ("48", "技工学校结业"),
    ("49", "技工学校肄业"),
    ("61", "普通高中毕业"),
    ("62", "普通高中结业"),
    ("63", "普通高中肄业"),
    ("71", "初中毕业"),
    ("73", "初中肄业"),
    ("81", "小学毕业"),
    ("83", "小学肄业"),
    ("90", "其他"),
)


def is_college_or_above(code: object) -> bool:
    """大专及以上 (R-STAT-02/06): a completed (毕业) education of the 研究生 (1x), 大学本科 (2x)
    or 大学专科 (3x) level. 结业 and 肄业 do not confer that 学历, so they do not count."""
    return (
        isinstance(code, str)
        and len(code) == 2
        and code[0] in "123"
        and label_for(EDUCATION, code).endswith("毕业")
    )


# 职业 — the eight occupation groups of the 党内统计公报 (R-STAT-05, C2), in the bulletin's order.
# The codes are the two-digit group prefixes of POSTS below (our own numbering, confidence open).
OCCUPATIONS: Table = (
    ("04", "工人（工勤技能人员）"),
    ("05", "农牧渔民"),
    ("03", "企事业单位、社会组织专业技术人员"),
    ("02", "企事业单位、社会组织管理人员"),
    ("01", "党政机关工作人员"),
    ("06", "学生"),
    ("07", "其他职业人员"),
    ("08", "离退休人员"),
)

# 工作岗位 (R-INFO-01 item 11, a 4-digit code on the form). Confidence OPEN: the official
# table of the 全国党员管理信息系统 is not available to us, so this is OUR OWN table, to be
# replaced by the deployment's. The first two digits are the R-STAT-05 occupation group
# (see OCCUPATIONS), so occupation_of() keeps working for any table built the same way.
POSTS: Table = (
    ("0110", "公务员"),
    ("0120", "参照公务员法管理人员"),
    ("0190", "其他党政机关工作人员"),
    ("0210", "企业管理人员"),
    ("0220", "事业单位管理人员"),
    ("0230", "社会组织管理人员"),
    ("0310", "企业专业技术人员"),
    ("0320", "事业单位专业技术人员"),
    ("0330", "社会组织专业技术人员"),
    ("0410", "机关工勤技能人员"),
    ("0420", "事业单位工勤技能人员"),
    ("0430", "企业工人"),
    ("0490", "其他工人"),
    ("0510", "农民"),
    ("0520", "牧民"),
    ("0530", "渔民"),
    ("0610", "研究生"),
    ("0620", "大学本科、专科学生"),
    ("0630", "中等职业学校、高中学生"),
    ("0710", "个体工商户"),
    ("0720", "自由职业人员"),
    ("0730", "无固定职业人员"),
    ("0790", "其他职业人员"),
    ("0810", "离退休人员"),
)


def occupation_of(post_code: object) -> str | None:
    """The R-STAT-05 occupation group code (an OCCUPATIONS code) of a POSTS code, or None for
    an unknown or empty post."""
    if not is_code(POSTS, post_code):
        return None
    group = post_code[:2]  # type: ignore[index]
    return group if is_code(OCCUPATIONS, group) else None


def _norm(text: str) -> str:
    """NFKC (full-width digits/brackets → ASCII) and no whitespace anywhere."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@cache
def _index(table: Table) -> tuple[dict[str, str], dict[str, str], int]:
    codes = {code: code for code, _ in table}
    labels: dict[str, str] = {}
    for code, label in table:
        labels.setdefault(_norm(label), code)
    for code, label in table:
        # 民族 may be written without the trailing 族: "汉" → 01, "蒙古" → 02.
        if label.endswith("族") and len(label) > 1:
            labels.setdefault(_norm(label[:-1]), code)
    width = max((len(code) for code in codes), default=0)
    return codes, labels, width


def is_code(table: Table, code: object) -> bool:
    """True when ``code`` is exactly one of the table's codes (no conversion)."""
    return isinstance(code, str) and code in _index(table)[0]


def code_for(table: Table, text: object) -> str | None:
    """The code for a cell of an import: a code or a label, whitespace and full-width forms
    ignored. Codes that lost their leading zeros ("1", 1, 110.0) are padded to the table's
    width. For ETHNICITIES the name without the trailing 族 is accepted ("汉" → "01").
    Returns None when nothing matches."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, float):
        if not text.is_integer():
            return None
        text = int(text)
    if isinstance(text, int):
        text = str(text)
    if not isinstance(text, str):
        return None
    key = _norm(text)
    if not key:
        return None
    codes, labels, width = _index(table)
    if key in codes:
        return key
    if key.isascii() and key.isdigit() and len(key) < width:
        padded = key.zfill(width)
        if padded in codes:
            return padded
    return labels.get(key)


def label_for(table: Table, code: object) -> str:
    """The label of a code; "" for an empty code; the code itself when the table lacks it
    (so an unknown code stays visible rather than disappearing)."""
    if code is None or code == "":
        return ""
    for c, label in table:
        if c == code:
            return label
    return str(code)
