"""雷同会议记录: recording minutes that copy another branch's finds the pair; a shared study
text alone does not; the pair page marks the shared passages; only those who may see both
meetings see the pair."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from dangjian.orglife import copies, services
from dangjian.orglife.models import Attendance, CopiedMinutes
from dangjian.similarity.synthetic import copy_of, minutes

pytestmark = pytest.mark.django_db


def _held(org, secretary_user, text, days_ago):
    starts = timezone.now() - dt.timedelta(days=days_ago)
    meeting = services.meeting_plan(
        actor=None,
        org=org,
        kind="theme_day",
        topic="主题党日",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    roster = Attendance.objects.unscoped().filter(meeting=meeting)
    services.meeting_record(
        actor=None,
        meeting=meeting,
        attendance={a.member_id: ("present", "") for a in roster},
        minutes=text,
    )
    return meeting


def test_copied_minutes_are_found_when_recorded(tree, personas):
    rng = random.Random(5)
    original = minutes(rng, org="第二党支部")
    first = _held(tree.branch_b, None, original, 10)
    _held(tree.branch_c, None, minutes(rng, org="乙局党支部"), 9)  # unrelated
    copy = _held(tree.branch_a, None, copy_of(rng, original, edits=3), 2)
    pair = CopiedMinutes.objects.unscoped().get()
    assert (pair.meeting, pair.source) == (copy, first) and pair.similarity >= 0.6
    # correcting the minutes to something else drops the pair
    copy.refresh_from_db()
    services.meeting_archive(actor=None, meeting=copy)
    services.meeting_correct(
        actor=None, meeting=copy, reason="原记录有误", minutes=minutes(rng, org="第一党支部")
    )
    assert not CopiedMinutes.objects.unscoped().exists()


def test_the_pair_page_marks_shared_passages_and_is_scoped(client, tree, personas):
    rng = random.Random(6)
    original = minutes(rng, org="第二党支部")
    _held(tree.branch_b, None, original, 10)
    _held(tree.branch_a, None, copy_of(rng, original, edits=2), 2)
    pair = CopiedMinutes.objects.unscoped().get()
    client.force_login(personas.unit_admin)  # sees both branches
    listing = client.get("/orglife/copies/").content.decode()
    assert 'data-testid="copy-pair"' in listing
    page = client.get(f"/orglife/copies/{pair.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count("<mark>") >= 2
    for persona in ["secretary_a", "secretary_b", "member_a", "auditor", "outsider"]:
        client.force_login(personas.by_name(persona))
        assert client.get(f"/orglife/copies/{pair.pk}/").status_code == 404, persona
    client.force_login(personas.secretary_a)  # sees only one side: the pair is not listed
    assert 'data-testid="copy-pair"' not in client.get("/orglife/copies/").content.decode()


def test_the_sweep_finds_the_same_pairs_in_bulk(tree):
    rng = random.Random(8)
    original = minutes(rng, org="第二党支部")
    a = _held(tree.branch_b, None, original, 10)
    b = _held(tree.branch_a, None, copy_of(rng, original, edits=3), 3)
    CopiedMinutes.objects.unscoped().all().delete()
    made = copies.sweep([a, b])
    assert made == 1
    pair = CopiedMinutes.objects.unscoped().get()
    assert (pair.meeting_id, pair.source_id) == (b.pk, a.pk)
