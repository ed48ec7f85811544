"""The demo city (dangjian.demo.city) and the `dangjian demo` command."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.models import AuditEntry
from dangjian.demo.city import (
    DEMO_PASSWORD,
    GOV_OFFICE_RETIREE_BRANCH,
    ROOT_NAME,
    SECRETARY_BRANCH,
    SIBLING_BRANCH,
    build_city,
)
from dangjian.members.models import Member
from dangjian.members.pinyin import pinyin_keys
from dangjian.members.services import record_of, validate_record
from dangjian.orgs.models import CommitteeSeat, Org, Term, Unit
from dangjian.orgs.selectors import findings_for
from dangjian.recruitment.models import Candidate
from dangjian.rules.base import add_years

pytestmark = pytest.mark.django_db(transaction=False)

TODAY = dt.date(2022, 11, 1)  # the day of the observation meeting
# the module's tests read one small city of that day (tests/demo/conftest.py); the full-scale
# build and the `demo` command need an empty database: test_city_full.py
CITY_DAY = TODAY

ACCOUNTS = {
    # username: (role, name of the org the role is granted on, or None: checked below)
    "gwadmin": ("committee_admin", ROOT_NAME),
    "sfjadmin": ("unit_admin", "中共十堰市司法局党组"),
    "lgbadmin": ("unit_admin", "中共十堰市委老干部局党组"),
    "zbsj": ("branch_secretary", SECRETARY_BRANCH),
    "dangyuan": ("member", SECRETARY_BRANCH),
    "zbsj2": ("branch_secretary", SIBLING_BRANCH),
    "pingwei": ("judge", ROOT_NAME),
    "shenji": ("auditor", ROOT_NAME),
    "anquan": ("security_admin", ROOT_NAME),
    "xitong": ("system_admin", ROOT_NAME),
}


def _flush():
    """Empty the database inside the test's transaction. PostgreSQL refuses to TRUNCATE a
    table with deferred foreign-key checks pending, so run those checks first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _snapshot():
    return (
        list(Org.all_objects.order_by("id").values_list("name", "path", "kind")),
        list(Member.all_objects.order_by("id").values_list("name", "birth_date", "branch_id")),
        list(Term.all_objects.order_by("id").values_list("org_id", "started_on", "due_on")),
        list(CommitteeSeat.all_objects.order_by("id").values_list("org_id", "member_id", "role")),
    )


def _findings(today):
    orgs = list(Org.objects.unscoped().all())
    by_rule = Counter()
    for status in findings_for(orgs, today).values():
        for f in status.findings:
            by_rule[(f.rule_id, f.data.get("status") or f.level)] += 1
    return by_rule


def _check_tree_and_people(today):
    """Invariants that hold at any scale."""
    orgs = {o.pk: o for o in Org.objects.unscoped().all()}
    for org in orgs.values():
        parent_path = orgs[org.parent_id].path if org.parent_id else "/"
        assert org.path == f"{parent_path}{org.pk}/", org.name
        assert org.depth == org.path.count("/") - 2
    roots = [o for o in orgs.values() if o.parent_id is None]
    assert [o.name for o in roots] == [ROOT_NAME] and roots[0].unit_id is None
    # Every unit has exactly one 党组 as its top node, directly under the root.
    tops = Counter(o.unit_id for o in orgs.values() if o.kind == "party_group")
    assert set(tops) == set(Unit.objects.values_list("id", flat=True))
    assert set(tops.values()) == {1}
    assert all(
        orgs[o.parent_id].kind == "working_committee"
        for o in orgs.values()
        if o.kind == "party_group"
    )

    members = list(Member.objects.unscoped().select_related("branch"))
    for m in members:
        assert m.branch.kind == "branch"
        assert m.joined_on >= add_years(m.birth_date, 18), m.name
        assert (m.name_pinyin, m.name_initials) == pinyin_keys(m.name)
        if m.category == "full":
            assert m.converted_on == add_years(m.joined_on, 1) <= today
        else:
            assert m.converted_on is None and (today - m.joined_on).days >= 0
            # the recruitment demo keeps one probation overdue on purpose (R-DEV-21)
            if not Candidate.all_objects.filter(member=m).exists():
                assert (today - m.joined_on).days <= 365
        if m.branch.is_retiree_branch:
            assert m.employment == "retired" and m.birth_date.year <= 1962
        else:
            assert m.employment == "in_service" and 1962 <= m.birth_date.year <= 2000
    assert not {m.name for m in members} & {"李至昌", "何儒芳", "李新祥", "雷东升", "程培长"}
    # Every demo record passes the national form's checks (R-INFO-03) and is scoped right.
    for m in members:
        assert m.org_path == m.branch.path
        assert validate_record(record_of(m), today) == [], m.name
    assert len({m.id_digest for m in members}) == len(members)
    assert any(m.is_mobile for m in members) and any(m.is_lost_contact for m in members)

    by_id = {m.pk: m for m in members}
    seats = list(CommitteeSeat.objects.unscoped().select_related("org"))
    for seat in seats:
        assert by_id[seat.member_id].branch.path.startswith(seat.org.path)
    current = Counter((s.org_id, s.role) for s in seats if s.ended_on is None)
    assert all(n == 1 for (_, role), n in current.items() if role == "secretary")
    branches = [o for o in orgs.values() if o.kind == "branch"]
    assert all((b.pk, "secretary") in current for b in branches)

    for term in Term.objects.unscoped().select_related("org"):
        assert term.org.kind in {
            "organ_committee",
            "discipline_committee",
            "general_branch",
            "branch",
        }
        years = 5 if term.org.kind in {"organ_committee", "discipline_committee"} else 3
        assert term.due_on == add_years(term.started_on, years)
    assert (
        Term.objects.unscoped().filter(ended_on__isnull=True).values("org").distinct().count()
        == Term.objects.unscoped().filter(ended_on__isnull=True).count()
    )

    retiree = Org.objects.unscoped().get(name=GOV_OFFICE_RETIREE_BRANCH)
    assert retiree.is_retiree_branch and retiree.unit.short_name == "市政府办"
    assert Member.objects.unscoped().filter(branch=retiree, employment="retired").count() >= 15
    assert (
        Org.objects.unscoped()
        .filter(unit__short_name="市委老干部局", is_retiree_branch=True)
        .count()
        >= 3
    )
    for name in ["十堰市司法局", "中共十堰市委老干部局", "十堰市人民政府办公室", "十堰市老年大学"]:
        assert Unit.objects.filter(name=name).exists()

    for username, (role, org_name) in ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert user.display_name and user.check_password(DEMO_PASSWORD)
        grant = RoleGrant.objects.get(user=user, revoked_at__isnull=True)
        assert (grant.role, grant.org.name) == (role, org_name)
    zbsj, dangyuan, zbsj2 = (User.objects.get(username=u) for u in ["zbsj", "dangyuan", "zbsj2"])
    branch = Org.objects.unscoped().get(name=SECRETARY_BRANCH)
    sibling = Org.objects.unscoped().get(name=SIBLING_BRANCH)
    assert sibling.parent_id == branch.parent_id
    assert (
        CommitteeSeat.objects.unscoped()
        .filter(org=branch, member=zbsj.member, role="secretary", ended_on__isnull=True)
        .exists()
    )
    assert dangyuan.member.branch_id == branch.pk and dangyuan.member_id != zbsj.member_id
    assert zbsj2.member.branch_id == sibling.pk
    assert AuditEntry.objects.filter(action="demo.city.built").count() == 1


@pytest.mark.city
def test_small_scale_keeps_the_seed_and_the_accounts(shared_city):
    result = shared_city
    assert result.branches < 150
    _check_tree_and_people(TODAY)

    # Another day gives the same city (only the dates move with it).
    later = dt.date(2026, 3, 15)
    _flush()
    other = build_city(later, scale=0.1)
    _check_tree_and_people(later)
    same = [
        "units",
        "orgs",
        "branches",
        "members",
        "probationary",
        "terms",
        "terms_overdue",
        "terms_due_soon",
        "closed_terms",
    ]
    assert {k: other.counts()[k] for k in same} == {k: result.counts()[k] for k in same}


def test_build_refuses_a_non_empty_tree_and_later_inserts_do_not_collide(shared_city):
    from dangjian.orgs.services import org_create

    with pytest.raises(RuntimeError):
        build_city(TODAY, scale=0.1)
    # Explicit ids were used: the next id the database hands out must be free (PostgreSQL).
    parent = Org.objects.unscoped().get(name="中共十堰市司法局机关委员会")
    org = org_create(actor=None, parent=parent, name="新设党支部", kind="branch")
    assert org.path == f"{parent.path}{org.pk}/"
    user = User.objects.create_user(username="later", password="Later2022x")
    RoleGrant.objects.create(user=user, org=org, role="branch_secretary")


@pytest.mark.city
def test_demo_has_transfers_to_accept_and_to_finish(shared_city):
    from dangjian.members.models import Transfer

    target = Org.objects.unscoped().get(name=SECRETARY_BRANCH)
    incoming = Transfer.objects.unscoped().filter(to_org=target, status="pending")
    assert incoming.count() == 2
    for t in incoming.select_related("member"):
        assert t.member.branch.unit_id != target.unit_id and t.from_path == t.member.org_path
    assert Transfer.objects.unscoped().filter(kind="outside", status="pending").count() == 1


@pytest.mark.city
def test_organisational_life_has_a_year_of_2022_gaps_and_copies(shared_city):
    """The demo's 组织生活: 2022 and this year to date, most periods done, some missing (the
    compliance page has something to show), and a few minutes copied across units."""
    from dangjian.orglife.compliance import compliance_grid
    from dangjian.orglife.models import Attendance, Meeting

    result = shared_city
    assert result.meetings == Meeting.objects.unscoped().count() > 500
    assert result.copied_minutes >= 3
    assert Meeting.objects.unscoped().filter(starts_at__year=2022).exists()
    assert Meeting.objects.unscoped().filter(starts_at__year=TODAY.year).exists()
    # nothing is held in the future
    assert not Meeting.objects.unscoped().filter(starts_at__date__gt=TODAY).exists()
    # the demo branches carry attendance, with a roster of their members
    branch = Org.objects.unscoped().get(name=SECRETARY_BRANCH)
    # (the 支部党员大会 the recruitment demo held for its votes have the roster of their day)
    held = Meeting.objects.unscoped().filter(org=branch).exclude(topic__startswith="讨论").first()
    assert Attendance.objects.unscoped().filter(meeting=held).count() == (
        Member.objects.unscoped()
        .filter(branch=branch, left_on__isnull=True, joined_on__lte=held.starts_at.date())
        .count()
    )
    root = Org.objects.unscoped().get(parent__isnull=True)
    totals = compliance_grid(root, 2022, TODAY).totals()
    assert totals["done"] > 5 * totals["missing"] > 0  # mostly on time, with real gaps
    # copied minutes: the detector found pairs across units (the demo planted them)
    from dangjian.orglife.models import CopiedMinutes

    pairs = list(CopiedMinutes.objects.unscoped().select_related("meeting__org", "source__org"))
    assert len(pairs) == result.copied_minutes >= 3
    assert all(p.meeting.org.unit_id != p.source.org.unit_id for p in pairs)
    assert all(p.similarity >= 0.6 for p in pairs)
