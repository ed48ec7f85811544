"""Auto indicators against known records: meetings held through the orglife services, terms,
and 清廉机关 records; the points follow rules.assessment (deduction capped at the maximum,
ratio in proportion) and the detail cites the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from tests.assessment.helpers_assess import AFTER, YEAR, hold, seats

from dangjian.assessment import sources
from dangjian.assessment.sources import SOURCES, SourceCache, compute
from dangjian.integrity.models import Commitment, RiskPoint, WarningSession
from dangjian.orgs.models import Term


def ind(max_points, per=None):
    return SimpleNamespace(
        max_points=Decimal(max_points), deduction_per=Decimal(per) if per else None
    )


def run(code, org, indicator, today=AFTER):
    return compute(code, org, YEAR, indicator, SourceCache(today))


def test_member_assemblies_count_missing_half_years(tree):
    hold(tree.branch_a, "member_assembly", dt.date(YEAR, 2, 10))  # H1 done
    hold(tree.branch_a, "member_assembly", dt.date(YEAR, 5, 10))  # H1 again
    result = run("member_assembly_missing", tree.branch_a, ind("4", "2"))
    assert result.occurrences == 1  # H2 has no assembly
    assert result.points == Decimal("2.00")
    assert "R-LOCAL-06" in result.detail and "R-ORGLIFE-01" in result.detail
    # over 甲局机关党委: branch A misses H2, branch B misses both → 3 occurrences, capped
    capped = run("member_assembly_missing", tree.organ_a, ind("4", "2"))
    assert capped.occurrences == 3
    assert capped.points == Decimal("0.00")  # 6 off a 4-point item: never below zero


def test_in_the_running_year_only_ended_half_years_count(tree):
    hold(tree.branch_a, "member_assembly", dt.date(YEAR, 3, 1))
    result = run("member_assembly_missing", tree.branch_a, ind("4", "2"), today=dt.date(YEAR, 9, 1))
    assert result.occurrences == 0
    assert result.points == Decimal("4.00")


def test_theme_days_score_in_proportion(tree):
    for month in range(1, 7):
        hold(tree.branch_a, "theme_day", dt.date(YEAR, month, 8))
    result = run("theme_day_compliance", tree.branch_a, ind("6"))
    assert result.points == Decimal("3.00")  # 6 of 12 months
    assert result.occurrences is None
    assert "6/12" in result.detail and "R-ORGLIFE-08" in result.detail
    # as a deduction: the 6 missed months at 0.5 each
    per_miss = run("theme_day_compliance", tree.branch_a, ind("6", "0.5"))
    assert (per_miss.points, per_miss.occurrences) == (Decimal("3.00"), 6)


def test_committee_meetings_per_quarter_only_for_branches_with_a_committee(tree):
    seats(tree.branch_a, tree.members_a[:3])
    hold(tree.branch_a, "committee_meeting", dt.date(YEAR, 2, 3))
    hold(tree.branch_a, "committee_meeting", dt.date(YEAR, 8, 3))
    result = run("committee_meeting_missing", tree.organ_a, ind("4", "2"))
    # branch A misses Q2 and Q4; branch B has no committee (no 支委会 owed)
    assert result.occurrences == 2
    assert result.points == Decimal("0.00")
    assert "应开支委会的组织1个" in result.detail


def test_life_meetings_and_the_three_meetings_one_lesson(tree):
    hold(tree.branch_a, "life_meeting", dt.date(YEAR, 12, 2))
    life = run("life_meeting_missing", tree.organ_a, ind("6", "6"))
    assert life.occurrences == 1  # branch B held none
    assert life.points == Decimal("0.00")
    life_a = run("life_meeting_missing", tree.branch_a, ind("6", "6"))
    assert (life_a.points, life_a.occurrences) == (Decimal("6.00"), 0)
    hold(tree.branch_a, "party_lesson", dt.date(YEAR, 1, 20))
    hold(tree.branch_a, "member_assembly", dt.date(YEAR, 4, 20))
    ratio = run("orglife_compliance", tree.branch_a, ind("8"))
    # branch A (no committee): 4 assembly quarters + 4 lesson quarters due, 2 done
    assert "应开展8次" in ratio.detail and "已开展2次" in ratio.detail
    assert ratio.points == Decimal("2.00")


def test_the_compliance_sources_read_one_grid_for_a_whole_scheme(tree, django_assert_num_queries):
    cache = SourceCache(AFTER)
    cache.prime(tree.root, YEAR)
    with django_assert_num_queries(0):
        for org in (tree.branch_a, tree.branch_b, tree.branch_c, tree.organ_a):
            compute("orglife_compliance", org, YEAR, ind("8"), cache)
            compute("member_assembly_missing", org, YEAR, ind("4", "2"), cache)


def test_term_overdue(tree):
    Term.all_objects.create(
        org=tree.branch_a, started_on=dt.date(2021, 3, 1), due_on=dt.date(2024, 3, 1)
    )
    Term.all_objects.create(
        org=tree.branch_c, started_on=dt.date(2023, 3, 1), due_on=dt.date(2026, 3, 1)
    )
    result = run("term_overdue", tree.root, ind("4", "4"))
    assert result.occurrences == 1
    assert result.points == Decimal("0.00")
    assert "第一党支部" in result.detail and "R-ORG-05" in result.detail
    assert "未登记任期信息" in result.detail  # branch B, the 机关党委 and 纪委 have none
    on_time = run("term_overdue", tree.branch_c, ind("4", "4"))
    assert (on_time.points, on_time.occurrences) == (Decimal("4.00"), 0)


def test_a_late_re_election_in_the_year_still_counts(tree):
    Term.all_objects.create(
        org=tree.branch_b,
        started_on=dt.date(2022, 1, 1),
        due_on=dt.date(2025, 1, 1),
        ended_on=dt.date(YEAR, 6, 1),
    )
    Term.all_objects.create(
        org=tree.branch_b, started_on=dt.date(YEAR, 6, 1), due_on=dt.date(2028, 6, 1)
    )
    assert run("term_overdue", tree.branch_b, ind("4", "4")).occurrences == 1


def test_integrity_sources(tree):
    branch = tree.branch_a
    for member in tree.members_a[:2]:
        Commitment.all_objects.create(
            member=member,
            org=branch,
            org_path=branch.path,
            year=YEAR,
            signed_on=dt.date(YEAR, 3, 1),
        )
    Commitment.all_objects.create(  # another year does not count
        member=tree.members_a[2],
        org=branch,
        org_path=branch.path,
        year=YEAR - 1,
        signed_on=dt.date(YEAR - 1, 3, 1),
    )
    commitments = run("integrity_commitments", branch, ind("4"))
    assert commitments.points == Decimal("1.60")  # 2 of 5 members
    assert "在册党员5人" in commitments.detail and "已签订廉洁承诺2人" in commitments.detail

    assert run("integrity_risk_points", branch, ind("3")).points == Decimal("0.00")
    for measures in ("双人复核", "定期轮岗", ""):
        RiskPoint.all_objects.create(
            org=branch,
            org_path=branch.path,
            year=YEAR,
            post="财务",
            risk="资金管理风险",
            level="high",
            measures=measures,
            owner_name="张三丰",
        )
    risks = run("integrity_risk_points", branch, ind("3"))
    assert risks.points == Decimal("2.00")  # 2 of 3 with measures and owner

    WarningSession.all_objects.create(
        org=branch, org_path=branch.path, held_on=dt.date(YEAR, 4, 1), title="警示教育", form="film"
    )
    sessions = run("integrity_warning_sessions", tree.party_group_a, ind("3"))
    assert sessions.points == Decimal("1.50")  # 1 of the 2 expected
    assert "开展警示教育1次" in sessions.detail


def test_dues_arrears_counts_unpaid_charges_of_ended_months(tree):
    """R-LOCAL-10: each month a member did not pay in full is one 人次, −0.1 each; the month
    still open does not count."""
    from dangjian.dues import services as dues
    from dangjian.dues.models import DuesCharge

    branch = tree.branch_a
    members = [m for m in tree.members_a if m.category == "full"][:2]
    for m in members:
        dues.base_set(
            actor=None,
            member=m,
            category="in_service",
            effective_month=dt.date(YEAR, 1, 1),
            base=Decimal("4000"),
        )
    for month in (1, 2, 3):
        dues.charges_generate(actor=None, org=branch, month=dt.date(YEAR, month, 1))
    first = DuesCharge.all_objects.get(member=members[0], month=dt.date(YEAR, 1, 1))
    dues.payment_record(
        actor=None,
        member=members[0],
        amount=first.amount,
        paid_on=dt.date(YEAR, 1, 10),
        method="cash",
        months=[first.month],
        today=dt.date(YEAR, 4, 1),
    )
    # on 15 March, January and February are over: 4 charges, 1 paid, 3 short
    result = run("dues_arrears", branch, ind("5", "0.1"), today=dt.date(YEAR, 3, 15))
    assert result.points == Decimal("4.70")
    assert result.occurrences == 3
    assert "应缴党费4人次，未按月足额交纳3人次" in result.detail
    # the unit above sees the same charges; branch B has none and keeps full marks
    unit = run("dues_arrears", tree.party_group_a, ind("5", "0.1"), today=dt.date(YEAR, 3, 15))
    assert unit.occurrences == 3
    assert run("dues_arrears", tree.branch_b, ind("5", "0.1")).points == Decimal("5")


@pytest.mark.parametrize("code", ["training_hours"])
def test_unavailable_sources_score_nothing_and_say_so(tree, code):
    assert not SOURCES[code].available
    assert "上线后可用" in SOURCES[code].label
    result = run(code, tree.branch_a, ind("5", "0.1"))
    assert result.points == Decimal("0")
    assert "尚不可用" in result.detail


def test_a_source_is_callable_as_org_year_indicator(tree):
    result = SOURCES["life_meeting_missing"](tree.branch_a, YEAR, ind("6", "6"))
    assert isinstance(result, sources.AutoResult)
    assert compute("no_such_source", tree.branch_a, YEAR, ind("6")).points == Decimal("0")
