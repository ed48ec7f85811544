"""The benchmark suite at the tiny scale (issue #11): the generator makes valid, deterministic
data through its bulk paths, and every measurement of `make bench` runs against it and writes
its results, leaving the database as it found it. Timings are written, never asserted."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.db import transaction
from stdnum.cn import ric

from dangjian.accounts.models import User
from dangjian.bench import generate as gen
from dangjian.bench.suite import GOALS, MEASUREMENTS, run_suite
from dangjian.core import crypto
from dangjian.dues.models import DuesBase, DuesCharge
from dangjian.members.models import ImportJob, Member
from dangjian.orglife.compliance import compliance_grid
from dangjian.orglife.models import Attendance, CopiedMinutes, Meeting
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole, Unit
from dangjian.similarity.models import TextFingerprint

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def build(members: int = 400):
    return gen.generate(scale="tiny", members=members, today=TODAY, processes=0)


class Undo(Exception):
    pass


def snapshot() -> dict:
    return {
        "members": list(
            Member.objects.unscoped()
            .order_by("id")
            .values_list("id", "name", "id_digest", "branch_id", "joined_on")
        ),
        "orgs": list(Org.objects.unscoped().order_by("id").values_list("id", "name", "path")),
        "meetings": list(
            Meeting.objects.unscoped().order_by("id").values_list("id", "org_id", "kind", "minutes")
        ),
        "attendance": Counter(Attendance.objects.unscoped().values_list("status", flat=True)),
        "fingerprints": TextFingerprint.all_objects.count(),
    }


def test_generated_tiny_city_is_valid():
    result = build()
    assert result.members == Member.objects.unscoped().count() == 400
    assert result.seconds["total"] > 0

    # members: valid ID numbers, sealed, with the keys the roster searches by
    for m in Member.objects.unscoped().all():
        number = crypto.decrypt(m.id_number_sealed)
        assert ric.is_valid(number), number
        assert m.id_digest == crypto.digest(number)
        assert m.id_tail == number[-4:]
        assert m.name_initials and m.name_pinyin.startswith(m.name_initials[0])
        assert m.org_path == m.branch.path

    # the tree: a 工委, units under it, branches of 5–60 members with a secretary
    root = Org.objects.unscoped().get(parent__isnull=True)
    assert root.kind == OrgKind.WORKING_COMMITTEE
    assert Unit.objects.count() == result.units
    branches = list(Org.objects.unscoped().filter(kind=OrgKind.BRANCH).order_by("id"))
    sizes = Counter(Member.objects.unscoped().values_list("branch_id", flat=True))
    assert all(5 <= sizes[b.pk] <= 60 for b in branches[:-1])
    secretaries = set(
        CommitteeSeat.objects.unscoped()
        .filter(role=SeatRole.SECRETARY)
        .values_list("org_id", flat=True)
    )
    assert secretaries == {b.pk for b in branches}
    for org in Org.objects.unscoped().exclude(parent=None):
        assert org.path == f"{org.parent.path}{org.pk}/"

    # organisational life: attendance only of the meeting org's members, minutes indexed
    assert result.meetings == Meeting.objects.unscoped().count()
    assert result.attendance == Attendance.objects.unscoped().count()
    pairs = Attendance.objects.unscoped().values_list("meeting__org_path", "member__org_path")
    assert all(meeting_path.startswith(branch_path) for meeting_path, branch_path in pairs)
    assert TextFingerprint.all_objects.count() == result.minutes_indexed > 0
    grid = compliance_grid(root, TODAY.year, TODAY)
    totals = grid.totals()
    assert totals["done"] > 10 * totals["missing"] > 0  # mostly kept, a few periods missed

    # dues bases and the accounts the load test signs in with
    assert DuesBase.objects.unscoped().count() == 400
    admin = User.objects.get(username="gwadmin")
    assert check_password(gen.PASSWORD, admin.password)
    assert User.objects.get(username="zbsj").member_id is not None


def test_generation_is_deterministic():
    try:
        with transaction.atomic():
            build(120)
            first = snapshot()
            raise Undo
    except Undo:
        pass
    assert not Member.objects.unscoped().exists()
    build(120)
    assert snapshot() == first


def test_suite_runs_every_measurement_and_leaves_the_data(tmp_path):
    build()
    before = {
        model.__name__: manager().count()
        for model, manager in (
            (Member, Member.objects.unscoped),
            (Meeting, Meeting.objects.unscoped),
            (DuesCharge, DuesCharge.objects.unscoped),
            (CopiedMinutes, CopiedMinutes.all_objects.all),
            (Unit, Unit.objects.all),
            (ImportJob, ImportJob.objects.unscoped),
        )
    }
    report = run_suite(scale="tiny", runs=1, results_dir=tmp_path, log=lambda _m: None)
    after = {
        "Member": Member.objects.unscoped().count(),
        "Meeting": Meeting.objects.unscoped().count(),
        "DuesCharge": DuesCharge.objects.unscoped().count(),
        "CopiedMinutes": CopiedMinutes.all_objects.count(),
        "Unit": Unit.objects.count(),
        "ImportJob": ImportJob.objects.unscoped().count(),
    }
    assert after == before

    names = {m["name"] for m in report["measurements"]}
    assert names == set(GOALS) - {n for n in GOALS if n.startswith("load_")}
    assert set(MEASUREMENTS) == {"compliance", "search", "pages", "import", "copies", "dues"}

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert {e["name"] for e in summary} == names
    for entry in summary:
        assert set(entry) == {"name", "scale", "database", "value", "unit", "goal", "meets"}
        assert entry["scale"] == "tiny"
        assert isinstance(entry["meets"], bool)
        assert entry["value"] >= 0
    own = json.loads((tmp_path / f"suite-tiny-{report['database']}.json").read_text())
    assert own["machine"]["cores"] >= 1
    assert own["data"]["members"] == 400
    # the pages' query counts do not grow with the data (asserted here, timed in make bench)
    details = own["details"]
    assert details["member_search_initials_p95"]["queries_max"] <= 12
    assert details["org_page_large_unit"]["queries"] <= 25
    assert details["home_committee"]["queries"] <= 25
    assert details["copy_detection_p95"]["indexed_minutes"] == TextFingerprint.all_objects.count()
    assert (tmp_path / "summary.md").read_text().startswith("# Benchmark summary")
