"""The demo's two showcase units (dangjian.demo.veterans_*, dangjian.demo.legal*): the issue's
"done when" — the 老干部局's admin sees its overview (53 teams, the studios and the 老党员之家,
requests answered in time), the 司法局's admin sees village-lawyer and legal-adviser coverage,
and the public 四张清单 page works without an account — plus the builders' figures against the
records. The city is test_demo_today's, shared with the other stories there."""

from __future__ import annotations

import re

from django.db.models import F
from django.test import Client

from dangjian.accounts.models import User
from dangjian.cocreation.models import Community
from dangjian.legal.models import AdviserPost, LegalAidCase, LenientItem, LenientList, VillageLawyer
from dangjian.veterans.models import (
    Pairing,
    Request,
    RequestStatus,
    Retiree,
    Studio,
    StudioKind,
    VolunteerTeam,
)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _testid(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert found, testid
    return found.group(1).strip()


def test_the_showcase_units_and_the_public_lists(shared_city):
    result = shared_city
    _the_figures_match_the_records(result)
    _the_lgb_admin_sees_its_overview()
    _the_sfj_admin_sees_the_coverage(result)
    _anyone_searches_the_lenient_lists()


def _the_figures_match_the_records(result):
    assert result.veterans_retirees == Retiree.all_objects.count()
    assert result.veterans_pairings == Pairing.all_objects.count() > 0
    assert result.veterans_requests == Request.all_objects.count()
    assert result.veterans_teams == VolunteerTeam.all_objects.count() == 53  # the seed's 53
    assert result.veterans_studios == Studio.all_objects.count() >= 3
    home = Studio.all_objects.get(kind=StudioKind.HOME)
    assert "北街社区" in home.place or "北街社区" in home.name
    names = set(Studio.all_objects.values_list("leader__name", flat=True))
    assert {"李军", "程培长"} <= names
    # requests in every state
    assert set(Request.all_objects.values_list("status", flat=True)) == set(RequestStatus.values)
    # every place the platform holds, covered but a few
    assert result.legal_villages_total == Community.objects.count()
    live = VillageLawyer.all_objects.filter(ended_on__isnull=True)
    assert result.legal_villages_covered == live.values("community").distinct().count()
    assert 0 < result.legal_villages_total - result.legal_villages_covered <= 5
    assert result.legal_adviser_posts == AdviserPost.all_objects.count()
    assert result.legal_advisers_covered < result.legal_adviser_posts
    assert result.legal_aid_cases == LegalAidCase.all_objects.count()
    lists = LenientList.all_objects.filter(is_published=True)
    assert lists.values("domain").distinct().count() == 7  # the seed's 7 domains
    assert result.lenient_items == LenientItem.all_objects.count() > 0


def _the_lgb_admin_sees_its_overview():
    html = _client("lgbadmin").get("/veterans/").content.decode()
    assert _testid(html, "total-teams") == "53"
    assert int(_testid(html, "total-studios")) >= 2
    assert _testid(html, "total-homes") == "1"
    in_time = Request.all_objects.filter(answered_on__isnull=False).filter(
        answered_on__lte=F("due_on")
    )
    assert int(_testid(html, "total-in-time")) == in_time.count() > 0


def _the_sfj_admin_sees_the_coverage(result):
    client = _client("sfjadmin")
    html = client.get("/legal/").content.decode()
    covered, total = result.legal_villages_covered, result.legal_villages_total
    assert f"{covered}/{total}" in html
    assert _testid(html, "village-coverage").endswith("%")
    assert _testid(html, "adviser-coverage").endswith("%")
    # the uncovered places are listed
    uncovered = client.get("/legal/villages/", {"covered": "0"}).content.decode()
    missing = Community.objects.exclude(
        pk__in=VillageLawyer.all_objects.filter(ended_on__isnull=True).values("community")
    )
    for place in missing:
        assert place.name in uncovered


def _anyone_searches_the_lenient_lists():
    anonymous = Client()
    page = anonymous.get("/public/lenient-lists/")
    assert page.status_code == 200
    item = LenientItem.all_objects.select_related("lenient_list").first()
    found = anonymous.get(
        "/public/lenient-lists/",
        {"q": item.conduct[:6], "domain": item.lenient_list.domain},
    ).content.decode()
    assert item.conduct in found
    api = anonymous.get("/api/public/lenient-items", {"domain": item.lenient_list.domain})
    assert api.status_code == 200
