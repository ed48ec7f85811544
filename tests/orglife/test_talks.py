"""谈心谈话: records per branch (future dates, strangers and self-talks refused, audited) and
the yearly coverage check (R-ORGLIFE-12) with its gaps named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone
from tests.orglife.helpers_extra import seat

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orglife import services_talks
from dangjian.orglife.models import HeartTalk

DAY = dt.date(2025, 3, 1)
TODAY = dt.date(2025, 6, 1)


def _talk(tree, a, b, actor=None, on=DAY, org=None, topic="思想交流"):
    return services_talks.talk_record(
        actor=actor,
        org=org or tree.branch_a,
        talked_on=on,
        initiator=a,
        partner=b,
        topic=topic,
        today=TODAY,
    )


@pytest.fixture
def committee(tree):
    a = tree.members_a
    seat(tree.branch_a, a[0], "secretary")
    seat(tree.branch_a, a[1], "organization")
    seat(tree.branch_a, a[2], "publicity")
    return a[:3]


def test_a_talk_is_recorded_and_audited(tree, personas):
    a = tree.members_a
    talk = _talk(tree, a[0], a[3], personas.secretary_a)
    assert talk.org_path == tree.branch_a.path and talk.talked_on == DAY
    entry = AuditEntry.objects.get(action="orglife.talk.recorded")
    assert entry.actor == personas.secretary_a and entry.changes["partner"] == a[3].pk


@pytest.mark.parametrize(
    ("case", "field"),
    [("future", "talked_on"), ("self", "partner"), ("stranger", "partner"), ("topic", "topic")],
)
def test_bad_talks_are_refused_and_nothing_is_written(tree, case, field):
    a = tree.members_a
    kwargs = {
        "future": {"a": a[0], "b": a[1], "on": TODAY + dt.timedelta(days=1)},
        "self": {"a": a[0], "b": a[0]},
        "stranger": {"a": a[0], "b": tree.members_b[0]},
        "topic": {"a": a[0], "b": a[1], "topic": "  "},
    }[case]
    with pytest.raises(AppError) as exc:
        _talk(tree, kwargs.pop("a"), kwargs.pop("b"), **kwargs)
    assert exc.value.field == field
    assert not HeartTalk.objects.unscoped().exists()
    assert not AuditEntry.objects.filter(action="orglife.talk.recorded").exists()


def test_talks_today_are_fine_and_only_managers_of_the_branch_write(tree, personas):
    a = tree.members_a
    _talk(tree, a[0], a[1], on=TODAY)
    with pytest.raises(Http404):
        _talk(tree, a[0], a[1], personas.secretary_b)
    with pytest.raises(Http404):
        _talk(tree, a[0], a[1], personas.member_a)
    with pytest.raises(AppError, match="党支部"):
        _talk(tree, a[0], a[1], org=tree.organ_a)
    assert HeartTalk.objects.unscoped().count() == 1


def test_coverage_names_the_gaps(tree, committee):
    a = tree.members_a
    _talk(tree, a[0], a[1])
    _talk(tree, a[2], a[0])  # either order counts
    _talk(tree, a[1], a[3])
    _talk(tree, a[3], a[4])  # between two ordinary members: not counted for a[4]
    _talk(tree, a[0], a[4], on=dt.date(2024, 12, 31))  # the year before
    result = services_talks.coverage(tree.branch_a, 2025, TODAY)
    assert result.talks == 4
    assert result.missing_pairs == [tuple(sorted((a[1], a[2]), key=lambda m: m.pk))]
    assert [m.name for m in result.missing_members] == [a[4].name]
    assert all("R-ORGLIFE-12" in f.message for f in result.findings)
    _talk(tree, a[1], a[2])
    _talk(tree, a[4], a[2])
    assert services_talks.coverage(tree.branch_a, 2025, TODAY).findings == []


def test_talk_pages(client, tree, personas, committee):
    a = tree.members_a
    today = timezone.localdate()
    url = f"/orglife/orgs/{tree.branch_a.pk}/talks/"
    client.force_login(personas.secretary_a)
    assert 'data-testid="talk-form"' in client.get(url).content.decode()
    data = {
        "talked_on": today.isoformat(),
        "initiator": a[0].pk,
        "partner": a[3].pk,
        "topic": "工作交流",
        "note": "谈了近期工作",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and HeartTalk.objects.unscoped().count() == 1
    page = client.get(url).content.decode()
    assert 'data-testid="talk"' in page and "工作交流" in page
    # a future date: the message at the field, nothing written
    future = {**data, "talked_on": (today + dt.timedelta(days=2)).isoformat()}
    response = client.post(url, future)
    assert response.status_code == 200 and "谈话日期不能晚于今天" in response.content.decode()
    assert HeartTalk.objects.unscoped().count() == 1
    coverage = client.get(f"/orglife/orgs/{tree.branch_a.pk}/talks/coverage/").content.decode()
    assert 'data-testid="talk-missing-pairs"' in coverage
    assert 'data-testid="talk-missing-members"' in coverage and a[4].name in coverage
    # scope: viewers read, others get 404; a non-branch org is 404
    client.force_login(personas.unit_admin)
    assert client.get(url).status_code == 200
    for persona in ("secretary_b", "member_a", "outsider"):
        client.force_login(personas.by_name(persona))
        assert client.get(url).status_code == 404
        assert client.get(f"{url}coverage/").status_code == 404
        assert client.post(url, data).status_code == 404
    client.force_login(personas.secretary_a)
    assert client.get(f"/orglife/orgs/{tree.organ_a.pk}/talks/").status_code == 404
    assert HeartTalk.objects.unscoped().count() == 1


# Persona × target (A own branch, B sibling branch, P 甲局党组 — not a branch, C another unit),
# as in tests/core/test_permission_table.py
_NONE = (404, 404, 404, 404)
TALK_TABLE = {
    "committee_admin": (200, 200, 404, 200),
    "unit_admin": (200, 200, 404, 404),
    "secretary_a": (200, 404, 404, 404),
    "member_a": _NONE,
    "secretary_b": (404, 200, 404, 404),
    "auditor": _NONE,
    "security_admin": _NONE,
    "outsider": _NONE,
    "judge": _NONE,
    "system_admin": _NONE,
}


@pytest.mark.parametrize("suffix", ["", "coverage/"])
@pytest.mark.parametrize("persona", sorted(TALK_TABLE))
def test_talk_pages_permission_table(client, tree, personas, persona, suffix):
    targets = [tree.branch_a, tree.branch_b, tree.party_group_a, tree.branch_c]
    client.force_login(personas.by_name(persona))
    got = tuple(client.get(f"/orglife/orgs/{org.pk}/talks/{suffix}").status_code for org in targets)
    assert got == TALK_TABLE[persona]
