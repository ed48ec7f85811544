"""A valid synthetic roster workbook for the import benchmark, and the floor it is measured
against: reading the file alone, and writing the same number of members with one bulk insert.

The ID numbers use a region code (429004) the generator never gives, so a roster imported into
a generated database never collides with its members."""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook
from stdnum.cn import ric

from dangjian.bench.bulk import BulkWriter
from dangjian.core import crypto
from dangjian.members.imports.columns import HEADERS
from dangjian.members.models import Member

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志军文辉海燕小东春林云飞鹏宇浩然晨阳子涵欣怡思远嘉"  # noqa: E501
EDUCATION = ["大学本科毕业", "硕士研究生毕业", "大学专科毕业", "21", "14", "普通高中毕业"]
POSTS = ["公务员", "0110", "参照公务员法管理人员", "事业单位管理人员", "离退休人员"]
REGION = "429004"


def people(count: int, branches: int) -> list[dict]:
    """Distinct valid people: ID numbers unique by (birth day, sequence)."""
    rng = random.Random(20240701)
    out = []
    for i in range(count):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i // 400) * 7 + rng.randrange(7))
        sex = "male" if i % 2 else "female"
        seq = (i % 400) * 2 + (1 if sex == "male" else 0)
        body = f"{REGION}{birth:%Y%m%d}{seq:03d}"
        joined = dt.date(birth.year + 20 + rng.randrange(15), rng.randrange(1, 13), 1)
        probationary = rng.random() < 0.05 and joined.year >= 2000
        out.append(
            {
                "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                "sex": sex,
                "id": body + ric.calc_check_digit(body + "0"),
                "birth": birth,
                "joined": joined,
                "probationary": probationary,
                "branch": f"第{i % branches + 1}党支部",
                "education": rng.choice(EDUCATION),
                "post": rng.choice(POSTS),
            }
        )
    return out


def write_roster(path: Path, persons: list[dict], phone_base: int = 13000000000) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员信息")
    sheet.append(list(HEADERS))
    for i, p in enumerate(persons):
        converted = None if p["probationary"] else p["joined"].replace(year=p["joined"].year + 1)
        sheet.append(
            [
                p["name"],
                "男" if p["sex"] == "male" else "女",
                "汉族",
                p["id"],
                p["birth"],
                p["education"],
                "预备党员" if p["probationary"] else "正式党员",
                p["branch"],
                p["joined"],
                converted,
                p["post"],
                str(phone_base + i),
                f"湖北省十堰市茅箭区人民北路{i % 500 + 1}号",
                "正常",
                "否",
                None,
                "否",
                None,
                None,
                "离退休" if p["post"] == "离退休人员" else "在职",
                "科员",
            ]
        )
    workbook.save(path)


def read_all(path: Path) -> list[list]:
    """The floor's first half: every row of the file read, nothing checked."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_index(0).to_python()[1:]


class _Undo(Exception):
    pass


def bulk_insert_floor(rows: list[list]) -> float:
    """The floor's second half: as many members written by one bulk insert (undone after),
    with the sealed and keyed columns they need prepared beforehand."""
    from dangjian.orgs.models import Org, OrgKind

    branch = Org.objects.unscoped().filter(kind=OrgKind.BRANCH).order_by("id").first()
    sealed = crypto.encrypt("429004199001011234")
    start_id = (
        Member.objects.unscoped().order_by("-id").values_list("id", flat=True).first() or 0
    ) + 1
    prepared = [
        (
            start_id + i,
            str(r[0]),
            "x",
            "x",
            "male",
            sealed,
            "",
            str(r[3])[-4:],
            crypto.digest(str(r[3])),
            dt.date(1980, 1, 1),
            "full",
            dt.date(2005, 7, 1),
            branch.pk,
            branch.path,
        )
        for i, r in enumerate(rows)
    ]
    writer = BulkWriter(
        Member,
        [
            "id",
            "name",
            "name_pinyin",
            "name_initials",
            "sex",
            "id_number_sealed",
            "id_number_masked",
            "id_tail",
            "id_digest",
            "birth_date",
            "category",
            "joined_on",
            "branch_id",
            "org_path",
        ],
        now=timezone.now(),
    )
    seconds = 0.0
    try:
        with transaction.atomic():
            t = time.perf_counter()
            writer.write(prepared)
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - t
            raise _Undo
    except _Undo:
        pass
    return seconds
