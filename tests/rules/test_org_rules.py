"""Table-driven tests of dangjian.rules.orgs, boundaries included (rules.md R-ORG-*)."""

import datetime as dt
import subprocess
import sys

import pytest

from dangjian.rules import RULES
from dangjian.rules.base import add_months
from dangjian.rules.orgs import OrgFacts, structure_findings, term_due_on, term_findings, term_years


def test_rules_import_without_django():
    code = "import dangjian.rules.orgs, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("kind", "years"),
    [
        ("organ_committee", 5),  # R-ORG-01
        ("discipline_committee", 5),
        ("general_branch", 3),  # R-ORG-02
        ("branch", 3),  # R-ORG-03
        ("working_committee", None),
        ("party_group", None),
        ("group", None),
    ],
)
def test_term_years(kind, years):
    assert term_years(kind) == years


@pytest.mark.parametrize(
    ("kind", "start", "due"),
    [
        ("branch", dt.date(2022, 11, 1), dt.date(2025, 11, 1)),
        ("organ_committee", dt.date(2022, 11, 1), dt.date(2027, 11, 1)),
        ("branch", dt.date(2020, 2, 29), dt.date(2023, 2, 28)),  # R-GEN-04: no 29 Feb → last day
        ("group", dt.date(2022, 1, 1), None),
    ],
)
def test_term_due_on(kind, start, due):
    assert term_due_on(kind, start) == due


DUE = dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 12, 29), None),  # one day before the six-month window
        (dt.date(2025, 12, 30), "due_soon"),  # exactly six months before: warning opens
        (
            dt.date(2026, 6, 30),
            "due_soon",
        ),  # the due day itself is not yet overdue (届满 includes it)
        (dt.date(2026, 7, 1), "overdue"),  # the day after
    ],
)
def test_term_findings_boundaries(today, expected):
    found = term_findings("branch", DUE, today)
    if expected is None:
        assert found == []
    else:
        assert [f.data["status"] for f in found] == [expected]
        assert found[0].rule_id == "R-ORG-23"
        assert found[0].level == ("error" if expected == "overdue" else "warning")


def test_term_findings_none_for_kinds_without_terms():
    assert term_findings("party_group", DUE, dt.date(2030, 1, 1)) == []
    [unknown] = term_findings("branch", None, dt.date(2030, 1, 1))
    assert unknown.rule_id == "R-ORG-05"


def ids(found):
    return sorted(f.rule_id for f in found)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # R-ORG-03: fewer than 3 full members cannot form a branch; 3 is enough ("3人以上")
        (OrgFacts("branch", members=2, full_members=2, committee_seats=1), ["R-ORG-03"]),
        (OrgFacts("branch", members=5, full_members=2, committee_seats=1), ["R-ORG-03"]),
        (OrgFacts("branch", members=3, full_members=3, committee_seats=1), []),
        # R-ORG-20: 50 members is fine ("一般不超过50"), 51 warns
        (OrgFacts("branch", members=50, full_members=50, committee_seats=5), []),
        (OrgFacts("branch", members=51, full_members=51, committee_seats=5), ["R-ORG-20"]),
        # R-ORG-03: 7 full members need a committee ("7人以上" includes 7); 6 do not
        (OrgFacts("branch", members=8, full_members=6, committee_seats=1), []),
        (OrgFacts("branch", members=7, full_members=7, committee_seats=2), ["R-ORG-03"]),
        (OrgFacts("branch", members=7, full_members=7, committee_seats=3), []),
        # R-ORG-07: a 机关党委 needs a 机关纪委
        (OrgFacts("organ_committee", has_discipline_committee=False), ["R-ORG-07"]),
        (OrgFacts("organ_committee", has_discipline_committee=True), []),
        # structure rules only concern branches and organ committees
        (OrgFacts("general_branch", members=200, full_members=1), []),
        (OrgFacts("group", members=1, full_members=0), []),
    ],
)
def test_structure_findings(facts, expected):
    assert ids(structure_findings(facts)) == expected


def test_every_finding_names_a_registered_rule_with_citation():
    found = structure_findings(OrgFacts("branch", members=60, full_members=2))
    found += term_findings("branch", DUE, dt.date(2027, 1, 1))
    assert found
    for f in found:
        rule = RULES[f.rule_id]
        assert rule.source and rule.effective
        assert f.rule.citation.startswith("《")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2022, 1, 31), 1, dt.date(2022, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2022, 11, 1), -6, dt.date(2022, 5, 1)),
        (dt.date(2022, 12, 15), 1, dt.date(2023, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
