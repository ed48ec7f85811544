"""Helpers and fixtures of the library and self-test tests (no tests here: the other
test_study_library*/test_study_quiz* modules import from this one).

- `pdf()`, `mp4()`, `upload(name, data)`: small files of each kind;
- `xlsx(rows)`: an in-memory workbook (header first) as an upload;
- `add_questions(bank, singles=…, multiples=…, judges=…)`: questions through `question_add`;
- fixture `library`: in the shared tree, a material of the 工委 (root), one of branch A and one
  of branch B; a bank of 甲局机关党委 with 6 single, 2 multiple and 2 judge questions; a quiz
  of 甲局党组 (unit A) drawing 5 of them, open now (yesterday to tomorrow, 15 minutes).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def pdf(name: str = "学习资料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def mp4(name: str = "视频.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MP4, content_type="video/mp4")


def upload(name: str, data: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "试题"
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx(rows, name: str = "试题.xlsx") -> SimpleUploadedFile:
    return upload(name, xlsx_bytes(rows))


HEADER = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "答案",
    "解析",
    "依据规则",
]


def add_questions(bank, *, singles: int = 6, multiples: int = 2, judges: int = 2) -> list:
    from dangjian.study.services_quiz import question_add

    made = []
    for i in range(singles):
        made.append(
            question_add(
                actor=None,
                bank=bank,
                kind="single",
                text=f"单选题{i + 1}：支部党员大会一般多久召开一次？",
                options=["每月", "每季度", "每半年", "每年"],
                answer=[1],
                explanation="支部党员大会一般每季度召开一次。",
                rule_ref="R-ORGLIFE-01",
            )
        )
    for i in range(multiples):
        made.append(
            question_add(
                actor=None,
                bank=bank,
                kind="multiple",
                text=f"多选题{i + 1}：下列属于“三会一课”的有",
                options=["支部党员大会", "支部委员会会议", "党小组会", "座谈会"],
                answer=[0, 1, 2],
                explanation="座谈会不属于“三会一课”。",
            )
        )
    for i in range(judges):
        made.append(
            question_add(
                actor=None,
                bank=bank,
                kind="judge",
                text=f"判断题{i + 1}：党员每年集中学习培训一般不少于32学时。",
                options=[],
                answer=[0],
                rule_ref="R-EDU-01",
            )
        )
    return made


@dataclass
class Library:
    topic: object
    root_material: object
    a_material: object
    b_material: object
    bank: object
    questions: list
    quiz: object


def now() -> dt.datetime:
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def library(tree, media):
    from dangjian.study.models import Topic
    from dangjian.study.services_library import material_create
    from dangjian.study.services_quiz import bank_create, quiz_create

    # the migration seeds the topics, but a transactional test's flush removes them
    topic, _ = Topic.objects.get_or_create(name="二十大精神", defaults={"sort": 1})

    def material(org, title):
        return material_create(
            actor=None,
            org=org,
            topic=topic,
            title=title,
            description="本项目自拟的学习提纲。",
            kind="document",
            file=pdf(),
        )

    bank = bank_create(actor=None, org=tree.organ_a, title="组织生活知识题库")
    questions = add_questions(bank)
    moment = now()
    quiz = quiz_create(
        actor=None,
        org=tree.party_group_a,
        bank=bank,
        title="组织生活知识自测",
        question_count=5,
        time_limit_minutes=15,
        pass_score=60,
        opens_at=moment - dt.timedelta(days=1),
        closes_at=moment + dt.timedelta(days=1),
    )
    return Library(
        topic,
        material(tree.root, "工委学习提纲"),
        material(tree.branch_a, "第一党支部学习提纲"),
        material(tree.branch_b, "第二党支部学习提纲"),
        bank,
        questions,
        quiz,
    )


def right_answers(attempt) -> dict[int, list[int]]:
    from dangjian.study.models import Question

    return {q.pk: list(q.answer) for q in Question.all_objects.filter(pk__in=attempt.question_ids)}
