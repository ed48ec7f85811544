"""The shipped templates are data that load into schemes and add up (R-LOCAL-01/03/06/10), and
a scheme copies forward to the next year with its whole tree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.assessment import scheme_templates as st
from dangjian.assessment import services_schemes as ss
from dangjian.assessment.models import Indicator, Scheme
from dangjian.assessment.scoring import scheme_max
from dangjian.assessment.sources import SOURCES
from dangjian.core.models import AuditEntry


def test_standard_branch_has_the_r_local_06_categories():
    tree = st.TEMPLATES["standard_branch"]["tree"]
    top = [(n["title"], Decimal(n["max_points"]), bool(n.get("is_bonus"))) for n in tree]
    assert top == [
        ("班子建设", Decimal(20), False),
        ("基本制度", Decimal(20), False),
        ("基本工作", Decimal(30), False),
        ("基本保障", Decimal(20), False),
        ("加分项", Decimal(10), True),
    ]
    assert st.base_max("standard_branch") == Decimal(90)


@pytest.mark.parametrize("code", list(st.TEMPLATES))
def test_every_category_adds_up_and_every_source_exists(code):
    for node, _depth in st.walk(st.TEMPLATES[code]["tree"]):
        children = node.get("children")
        if children is not None:
            total = sum(Decimal(c["max_points"]) for c in children)
            assert total == Decimal(node["max_points"]), node["title"]
        elif node.get("method") == "auto":
            assert node["auto_source"] in SOURCES
        elif node.get("method") == "deduction":
            assert Decimal(node["deduction_per"]) > 0


def test_five_basics_and_six_modern_total_100():
    assert st.base_max("five_basics") == Decimal(100)
    assert st.base_max("six_modern") == Decimal(100)
    titles = [n["title"] for n in st.TEMPLATES["five_basics"]["tree"]]
    assert titles == ["基本组织", "基本队伍", "基本活动", "基本制度", "基本保障"]


def test_six_modern_says_its_headings_are_unverified():
    data = st.TEMPLATES["six_modern"]
    assert len(data["tree"]) == 6
    assert "确切表述目前未知" in data["notes"]
    assert "未经核实" in data["notes"]
    for heading in ("标准化", "规范化", "精细化", "信息化", "品牌化", "常态化"):
        assert heading in data["notes"]


def _sources_of(code):
    return {n.get("auto_source") for n, _ in st.walk(st.TEMPLATES[code]["tree"])}


@pytest.mark.parametrize("code", list(st.TEMPLATES))
def test_every_template_has_integrity_indicators(code):
    assert {
        "integrity_commitments",
        "integrity_risk_points",
        "integrity_warning_sessions",
    } <= _sources_of(code)


def test_standard_branch_samples_of_r_local_06_and_10():
    nodes = {n["title"]: n for n, _ in st.walk(st.TEMPLATES["standard_branch"]["tree"])}
    assert nodes["支部书记按时配备"]["deduction_per"] == "4"
    assert nodes["按期换届"]["auto_source"] == "term_overdue"
    assert nodes["支部党员大会"]["deduction_per"] == "2"
    assert nodes["组织生活会"]["auto_source"] == "life_meeting_missing"
    assert nodes["组织生活会"]["deduction_per"] == "6"
    assert nodes["组织生活按时录入平台"]["deduction_per"] == "0.1"
    assert "R-LOCAL-10" in nodes["组织生活按时录入平台"]["rule_ids"]


@pytest.mark.parametrize("code", list(st.TEMPLATES))
def test_a_template_loads_into_a_scheme(tree, code):
    scheme = ss.scheme_from_template(actor=None, owner=tree.root, year=2026, template_code=code)
    data = st.TEMPLATES[code]
    assert scheme.name == data["name"]
    assert scheme.target == data["target"]
    assert scheme.template_code == code
    expected = sum(1 for _ in st.walk(data["tree"]))
    assert Indicator.objects.filter(scheme=scheme).count() == expected
    # R-LOCAL-06: the full marks count the bonus categories too (90 + 加分 10 = 100)
    bonus = sum((Decimal(n["max_points"]) for n in data["tree"] if n.get("is_bonus")), Decimal("0"))
    assert scheme_max(scheme) == st.base_max(code) + bonus
    # children of a bonus category are bonus items too; codes number the tree
    for ind in Indicator.objects.filter(scheme=scheme, parent__is_bonus=True):
        assert ind.is_bonus
    first = Indicator.objects.get(scheme=scheme, parent=None, order=1)
    assert first.code == "1"
    assert Indicator.objects.get(scheme=scheme, parent=first, order=2).code == "1.2"


def test_copy_forward_keeps_the_tree_and_moves_the_deadlines(tree):
    scheme = ss.scheme_from_template(
        actor=None,
        owner=tree.root,
        year=2025,
        template_code="standard_branch",
        self_due=dt.date(2025, 12, 20),
        review_due=dt.date(2026, 1, 10),
    )
    copy = ss.scheme_copy_forward(actor=None, scheme=scheme, year=2026)
    assert (copy.year, copy.name, copy.copied_from_id) == (2026, scheme.name, scheme.pk)
    assert (copy.self_due, copy.review_due) == (dt.date(2026, 12, 20), dt.date(2027, 1, 10))
    assert copy.status == "draft"

    def shape(s):
        rows = Indicator.objects.filter(scheme=s).select_related("parent").order_by("code")
        return [
            (
                r.code,
                r.title,
                r.max_points,
                r.method,
                r.deduction_per,
                r.auto_source,
                r.is_bonus,
                r.parent.code if r.parent else None,
            )
            for r in rows
        ]

    assert shape(copy) == shape(scheme)
    assert not Indicator.objects.filter(scheme=copy, parent__scheme=scheme).exists()
    assert AuditEntry.objects.filter(action="assessment.scheme.copied").count() == 1


def test_copy_forward_refuses_the_same_year_and_a_taken_name(tree):
    from dangjian.core.errors import AppError

    scheme = ss.scheme_from_template(
        actor=None, owner=tree.root, year=2025, template_code="five_basics"
    )
    with pytest.raises(AppError) as same:
        ss.scheme_copy_forward(actor=None, scheme=scheme, year=2025)
    assert same.value.field == "year"
    ss.scheme_copy_forward(actor=None, scheme=scheme, year=2026)
    with pytest.raises(AppError) as taken:
        ss.scheme_copy_forward(actor=None, scheme=scheme, year=2026)
    assert taken.value.field == "name"
    assert Scheme.objects.unscoped().filter(year=2026).count() == 1
