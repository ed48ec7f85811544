"""The home page's scope-wide figures are computed once per scope and kept a few minutes
(DANGJIAN_SCOPE_SUMMARY_SECONDS, core/scope_cache.py): the second visit runs fewer queries, the
page says when the figures were computed, and a scope never sees another scope's figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from tests.conftest import _member

from dangjian.members.models import Member

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return response, len(ctx)


def test_off_in_tests_by_default_computes_every_time(client, personas, tree):
    first, _ = _home(client, personas.committee_admin)
    _member(tree.branch_a, "新党员")
    second, _ = _home(client, personas.committee_admin)
    assert second.context["summary"]["total"] == first.context["summary"]["total"] + 1
    assert second.context["computed_at"] is None
    assert 'data-testid="computed-at"' not in second.content.decode()


@override_settings(SCOPE_SUMMARY_SECONDS=120)
def test_kept_per_scope_and_said_on_the_page(client, personas, tree):
    first, cold = _home(client, personas.committee_admin)
    total = first.context["summary"]["total"]
    _member(tree.branch_a, "新党员")
    second, warm = _home(client, personas.committee_admin)
    assert warm < cold  # the counts and findings came from the cache
    assert second.context["summary"]["total"] == total  # until the figures are renewed
    assert "以下统计于" in second.content.decode()
    assert "每 2 分钟更新" in second.content.decode()

    # another scope gets its own figures, never the committee's
    def members_under(org):
        return (
            Member.objects.unscoped()
            .filter(org_path__startswith=org.path, left_on__isnull=True)
            .count()
        )

    unit, _ = _home(client, personas.unit_admin)
    assert unit.context["summary"]["total"] == members_under(tree.party_group_a) < total + 1
    secretary, _ = _home(client, personas.secretary_b)
    assert secretary.context["summary"]["total"] == members_under(tree.branch_b)


@override_settings(SCOPE_SUMMARY_SECONDS=120)
def test_compliance_keeps_only_a_large_subtrees_figures(client, personas, monkeypatch):
    from dangjian.orglife import views_compliance

    client.force_login(personas.committee_admin)
    fresh = client.get("/compliance/")
    assert fresh.status_code == 200 and fresh.context["computed_at"] is None  # a small tree

    monkeypatch.setattr(views_compliance, "FRESH_ROWS", 0)  # every subtree counts as large
    client.get("/compliance/?year=2025")
    with CaptureQueriesContext(connection) as ctx:
        kept = client.get("/compliance/?year=2025")
    with CaptureQueriesContext(connection) as cold_ctx:
        other_year = client.get("/compliance/?year=2024")
    assert kept.context["computed_at"] is not None
    assert "以下统计于" in kept.content.decode()
    assert len(ctx) < len(cold_ctx)
    assert kept.context["year"] == 2025 and other_year.context["year"] == 2024
