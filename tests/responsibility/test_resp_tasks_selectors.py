"""Selectors of the work points and tasks: the SQL state filter agrees with the rule on every
boundary, the matrix and the plan roll tasks up by point, unit and month, the point list
shows drafts to their publisher only, and the people a notice goes to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.responsibility import selectors_tasks as sel
from dangjian.responsibility import services_tasks as services
from tests.responsibility.resp_tasks_support import make_point, own_task, task_of, today

pytestmark = pytest.mark.django_db


def test_the_state_filter_matches_the_rule_on_every_row(client, tree, personas):
    """state_q (SQL) and rules.task_state (Python) agree on tasks around each boundary."""
    now = today()
    for offset in (-2, -1, 0, 1, 7, 8, 30):
        due = now + dt.timedelta(days=offset)
        if due.year != now.year:
            continue
        task = own_task(tree, due=due, title=f"到期{offset}")
        if offset == 30:
            services.task_report(actor=None, task=task, progress=100, text="完成")
    late = own_task(tree, due=now, title="将逾期办结")
    services.task_close(actor=None, task=late, evaluation="", now=timezone.now())
    tasks = list(sel.tasks_for(personas.committee_admin))
    for state in sel.STATE_VALUES:
        in_sql = set(
            sel.tasks_for(personas.committee_admin)
            .filter(sel.state_q(state, now))
            .values_list("pk", flat=True)
        )
        in_python = {
            t.pk
            for t in sel.with_states(tasks, now)
            if t.state == state or (state == "closed" and t.state == "closed_late")
        }
        assert in_sql == in_python, state


def test_the_matrix_rolls_up_by_point_and_by_unit(tree, personas):
    year = today().year
    first, tasks = make_point(tree, due=dt.date(year, 12, 31), title="要点一")
    second, _ = make_point(tree, due=dt.date(year, 12, 31), units=[tree.party_group_b])
    services.task_report(
        actor=None, task=task_of(tasks, tree.party_group_a), progress=100, text="完成"
    )
    services.task_close(actor=None, task=task_of(tasks, tree.party_group_a), evaluation="good")
    grid = sel.matrix(personas.committee_admin, year)
    assert [c.org for c in grid.columns] == [tree.party_group_a, tree.party_group_b]
    assert [r.point for r in grid.rows] == [first, second]
    assert grid.rows[1].cells[0] is None and grid.rows[1].cells[1] is not None
    assert grid.rows[0].completion.closed_share == 50
    a, b = grid.columns
    assert (a.completion.total, a.completion.closed) == (1, 1)
    assert (b.completion.total, b.completion.closed) == (2, 0)
    assert grid.total.total == 3 and grid.total.closed == 1
    # the unit's own view has its own column only
    mine = sel.matrix(personas.unit_admin, year)
    assert [c.org for c in mine.columns] == [tree.party_group_a]


def test_drafts_are_listed_to_their_publisher_only(tree, personas):
    make_point(tree, title="已发布")
    make_point(tree, publish=False, title="草稿")
    assert {p.title for p in sel.point_list(personas.committee_admin)} == {"已发布", "草稿"}
    assert [p.title for p in sel.point_list(personas.unit_admin)] == ["已发布"]
    assert list(sel.point_list(personas.secretary_a)) == []


def test_the_plan_puts_party_and_business_tasks_side_by_side_by_month(tree, personas):
    year = today().year
    own_task(tree, kind="party", due=dt.date(year, 3, 20), title="党组中心组学习")
    own_task(tree, kind="business", due=dt.date(year, 3, 31), title="案卷评查")
    own_task(tree, kind="business", due=dt.date(year, 7, 1), title="半年总结")
    make_point(tree, due=dt.date(year, 3, 31), units=[tree.party_group_a], title="要点")
    make_point(tree, due=dt.date(year, 5, 31), units=[tree.party_group_b], title="乙局要点")
    months = sel.plan(personas.unit_admin, tree.party_group_a, year)
    assert [m.month for m in months] == [3, 7]
    march = months[0]
    assert [t.title for t in march.party] == ["党组中心组学习", "开展专题学习"]
    assert [t.title for t in march.business] == ["案卷评查"]
    assert [t.title for t in months[1].business] == ["半年总结"] and months[1].party == []


def test_unit_admins_are_the_grants_on_the_unit_itself(tree, personas):
    assert sel.unit_admins([tree.party_group_a.pk]) == {
        tree.party_group_a.pk: [(personas.unit_admin.pk, "")]
    }
    assert sel.unit_admins([tree.party_group_b.pk]) == {}
    assert sel.unit_of(tree.branch_a) == tree.party_group_a
    assert sel.unit_of(tree.root) is None
