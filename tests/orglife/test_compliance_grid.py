"""Compliance (合规) of a subtree: the grid agrees with rules.orglife.evaluate for every org
and kind, applies only the kinds an org owes, runs in a fixed number of queries; the page
and its drill-down are scoped like every org page."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from dangjian.orglife import compliance
from dangjian.orglife.models import Meeting
from dangjian.orgs import services as org_services
from dangjian.rules import orglife as rules

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 8, 5)
YEAR = 2026
_codes = iter(range(100000, 999999))


def _meeting(org, kind, day, status="held"):
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    return Meeting.objects.create(
        org=org,
        org_path=org.path,
        kind=kind,
        topic=f"{rules.KIND_LABELS[kind]}",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=status,
        sign_in_code=str(next(_codes)),
    )


def test_the_grid_says_what_evaluate_says_for_every_org_and_kind(tree):
    rng = random.Random(7)
    branches = [tree.branch_a, tree.branch_b, tree.branch_c]
    held: dict[tuple[int, str], list[dt.date]] = {}
    for org in branches:
        for kind in compliance.BRANCH_KINDS:
            days = [
                dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
                for _ in range(rng.randrange(0, 6))
            ]
            for day in days:
                _meeting(org, kind, day)
            held[(org.pk, kind)] = days
    # planned meetings and other years do not count
    _meeting(tree.branch_a, "theme_day", dt.date(YEAR, 2, 3), status="planned")
    _meeting(tree.branch_a, "theme_day", dt.date(YEAR - 1, 2, 3))
    grid = compliance.compliance_grid(tree.root, YEAR, TODAY)
    rows = {r.org_id: r for r in grid.rows}
    for org in branches:
        for kind, statuses in rows[org.pk].cells.items():
            expected = rules.evaluate(kind, held[(org.pk, kind)], YEAR, TODAY)
            assert statuses == [p.status for p in expected], (org.name, kind)


def test_a_branch_without_a_committee_owes_no_committee_meeting(tree):
    grid = compliance.compliance_grid(tree.root, YEAR, TODAY)
    row = next(r for r in grid.rows if r.org_id == tree.branch_c.pk)
    assert "committee_meeting" not in row.cells  # the small branch has no committee
    assert set(row.cells) == set(compliance.BRANCH_KINDS) - {"committee_meeting"}
    assert compliance.applicable_kinds("branch", 3) == compliance.BRANCH_KINDS
    assert compliance.applicable_kinds("group", 0) == ("group_meeting",)
    assert compliance.applicable_kinds("organ_committee", 9) == ()


def test_a_group_owes_its_monthly_meeting(tree):
    group = org_services.org_create(
        actor=None, parent=tree.branch_a, name="第一党小组", kind="group"
    )
    _meeting(group, "group_meeting", dt.date(YEAR, 7, 9))
    grid = compliance.compliance_grid(tree.branch_a, YEAR, TODAY)
    row = next(r for r in grid.rows if r.org_id == group.pk)
    assert row.cells["group_meeting"][6] == "done" and row.cells["group_meeting"][5] == "missing"
    assert row.cells["group_meeting"][7] == "not_due"


def test_overrides_change_the_period(tree, settings):
    settings.ORGLIFE_FREQUENCY_OVERRIDES = {"party_lesson": "year"}
    grid = compliance.compliance_grid(tree.root, YEAR, TODAY)
    assert len(grid.periods["party_lesson"]) == 1


def test_queries_do_not_grow_with_meetings(tree, django_assert_max_num_queries):
    for i in range(30):
        _meeting(tree.branch_b, "theme_day", dt.date(YEAR, 1 + i % 7, 1 + i % 28))
    with django_assert_max_num_queries(4):
        compliance.compliance_grid(tree.root, YEAR, TODAY)


# --- the page -----------------------------------------------------------------------------


def test_the_committee_admin_sees_units_and_drills_down(client, tree, personas):
    _meeting(tree.branch_a, "theme_day", dt.date(YEAR, 1, 10))
    client.force_login(personas.committee_admin)
    page = client.get("/compliance/", {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲局党组" in html and "乙局党组" in html and "compliance-heatmap" in html
    unit = client.get("/compliance/", {"org": tree.party_group_a.pk, "year": YEAR})
    assert "第一党支部" in unit.content.decode()
    cell = client.get(
        "/compliance/cell/", {"org": tree.branch_a.pk, "kind": "theme_day", "year": YEAR}
    )
    html = cell.content.decode()
    assert cell.status_code == 200 and "R-ORGLIFE-08" in html
    assert html.count('data-testid="compliance-period"') == 12
    assert html.count('data-status="done"') >= 1


def test_the_drill_down_shows_meetings_only_to_those_who_see_members(client, tree, personas):
    _meeting(tree.branch_a, "theme_day", dt.date(YEAR, 1, 10))
    url = f"/compliance/cell/?org={tree.branch_a.pk}&kind=theme_day&year={YEAR}"
    client.force_login(personas.secretary_a)
    assert "主题党日" in client.get(url).content.decode().split("compliance-period", 1)[1]
    for persona in ["system_admin", "judge", "member_a"]:
        client.force_login(personas.by_name(persona))
        page = client.get(url)
        periods = page.content.decode().split("compliance-period", 1)[1]
        assert page.status_code == 200 and "主题党日" not in periods, persona
        assert 'data-status="done"' in page.content.decode()  # the status itself is shown


def test_meetings_follow_their_branch_when_it_moves(client, tree, personas):
    from dangjian.orglife.models import Meeting as M
    from dangjian.orgs.services import org_move

    meeting = _meeting(tree.branch_a, "theme_day", dt.date(YEAR, 1, 10))
    org_move(actor=None, org=tree.branch_a, new_parent=tree.party_group_b)
    tree.branch_a.refresh_from_db()
    assert M.objects.unscoped().get(pk=meeting.pk).org_path == tree.branch_a.path
    client.force_login(personas.unit_admin)  # 甲局: the branch has left
    assert client.get(f"/orglife/meetings/{meeting.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_admin", 200),
        ("unit_admin", 200),
        ("secretary_a", 200),
        ("member_a", 200),
        ("secretary_b", 404),
        ("auditor", 404),
        ("security_admin", 404),
        ("outsider", 404),
        ("system_admin", 200),  # the period statuses only (see above)
        ("judge", 200),
    ],
)
def test_the_drill_down_is_scoped(client, tree, personas, persona, status):
    client.force_login(personas.by_name(persona))
    response = client.get(
        "/compliance/cell/", {"org": tree.branch_a.pk, "kind": "theme_day", "year": YEAR}
    )
    assert response.status_code == status


def test_bad_parameters_are_explained_or_404(client, tree, personas):
    client.force_login(personas.committee_admin)
    page = client.get("/compliance/", {"year": "二〇二六"})
    assert page.status_code == 200 and "年份" in page.content.decode()
    assert client.get("/compliance/", {"org": "x"}).status_code == 404
    assert (
        client.get("/compliance/cell/", {"org": tree.branch_a.pk, "kind": "dance"}).status_code
        == 404
    )
    # an org that owes no such kind
    assert (
        client.get(
            "/compliance/cell/", {"org": tree.branch_c.pk, "kind": "committee_meeting"}
        ).status_code
        == 404
    )
