"""Regressions of the issue #6 review, scheme side: deleting a scheme or an indicator that an
observation meeting or a contest still uses is refused in Chinese with nothing written (no
ProtectedError 500); non-ASCII digits in the review form's keys never 500; nobody reviews his
own org through a second grant or his own submission ("不能复核本组织的考核")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import Http404
from django.utils import timezone
from tests.assessment.helpers_assess import published, score_of, small_scheme

from dangjian.accounts.models import RoleGrant
from dangjian.assessment import selectors_schemes as sel
from dangjian.assessment import services_assess as sa
from dangjian.assessment import services_schemes as ss
from dangjian.assessment.models import (
    Assessment,
    Indicator,
    ObservationJudge,
    ObservationMeeting,
    Scheme,
    ScoreItem,
    ScoreSheet,
    SecretaryContest,
    Stop,
)
from dangjian.core.access import forget_grants
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry

SCHEME_IN_USE = "该方案已被观摩会或赛事使用，不能删除。"
INDICATOR_IN_USE = "该评分项已被使用，不能删除。"
SELF_REVIEW = "不能复核本组织的考核。"


def _meeting(tree, sheet: Scheme | None) -> ObservationMeeting:
    return ObservationMeeting.all_objects.create(
        owner=tree.root,
        owner_path=tree.root.path,
        sheet=sheet,
        title="观摩会",
        starts_at=timezone.now() + dt.timedelta(days=1),
        sign_in_code="T6X1Y2Z3",
    )


def _scored(tree, personas, sheet: Scheme) -> Indicator:
    """A judge's ScoreItem on the sheet's first scored indicator (which it returns)."""
    meeting = _meeting(tree, sheet)
    stop = Stop.all_objects.create(meeting=meeting, order=1, org=tree.branch_a, place="一楼")
    judge = ObservationJudge.all_objects.create(meeting=meeting, user=personas.judge, name="评委")
    score_sheet = ScoreSheet.all_objects.create(stop=stop, judge=judge)
    indicator = Indicator.objects.filter(scheme=sheet, is_category=False).order_by("id").first()
    ScoreItem.all_objects.create(sheet=score_sheet, indicator=indicator, points=Decimal("5"))
    return indicator


def _submit(assessment, actor=None) -> Assessment:
    for title, kwargs in (
        ("人工项", {"points": "18"}),
        ("扣分项", {"occurrences": 1}),
        ("表彰", {"points": "5"}),
    ):
        sa.score_self_set(actor=None, score=score_of(assessment, title), **kwargs)
    sa.assessment_submit(actor=actor, assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def _refused(fn, **kwargs) -> AppError:
    with pytest.raises(AppError) as info:
        fn(**kwargs)
    return info.value


# --------------------------------------------------------------------------- item 3 (schemes)


def test_scheme_used_by_an_observation_meeting_is_not_deleted(tree, personas):
    sheet = small_scheme(tree.root, target="stop", name="评分表")
    _meeting(tree, sheet)
    before = AuditEntry.objects.count()
    error = _refused(ss.scheme_remove, actor=personas.committee_admin, scheme=sheet)
    assert error.message == SCHEME_IN_USE
    assert Scheme.all_objects.filter(pk=sheet.pk).exists()
    assert Indicator.objects.filter(scheme=sheet).count() == 7
    assert AuditEntry.objects.count() == before


def test_scheme_used_by_a_contest_is_not_deleted(tree, personas):
    scheme = small_scheme(tree.root, name="日常考核")
    SecretaryContest.all_objects.create(
        owner=tree.root,
        owner_path=tree.root.path,
        year=2025,
        name="书记赛",
        scheme=scheme,
        routine_weight=Decimal("40"),
        observation_weight=Decimal("30"),
        review_weight=Decimal("30"),
    )
    before = AuditEntry.objects.count()
    error = _refused(ss.scheme_remove, actor=personas.committee_admin, scheme=scheme)
    assert error.message == SCHEME_IN_USE
    assert Scheme.all_objects.filter(pk=scheme.pk).exists()
    assert AuditEntry.objects.count() == before


def test_scheme_holding_judges_scores_is_not_deleted(tree, personas):
    """The meeting was moved to another sheet, but its judges' items still hold indicators."""
    sheet = small_scheme(tree.root, target="stop", name="评分表")
    _scored(tree, personas, sheet)
    ObservationMeeting.all_objects.update(sheet=None)
    error = _refused(ss.scheme_remove, actor=personas.committee_admin, scheme=sheet)
    assert error.message == SCHEME_IN_USE
    assert Scheme.all_objects.filter(pk=sheet.pk).exists()


def test_scored_indicator_is_not_deleted(tree, personas):
    sheet = small_scheme(tree.root, target="stop", name="评分表")
    indicator = _scored(tree, personas, sheet)
    before = AuditEntry.objects.count()
    for node in (indicator, indicator.parent):  # the item itself, and its category
        error = _refused(ss.indicator_remove, actor=personas.committee_admin, indicator=node)
        assert error.message == INDICATOR_IN_USE
    assert Indicator.objects.filter(scheme=sheet).count() == 7
    assert AuditEntry.objects.count() == before
    # an indicator nobody scored still goes
    other = Indicator.objects.get(scheme=sheet, title="表彰")
    ss.indicator_remove(actor=personas.committee_admin, indicator=other)
    assert Indicator.objects.filter(scheme=sheet).count() == 6


def test_remove_pages_show_the_refusal(client, tree, personas):
    sheet = small_scheme(tree.root, target="stop", name="评分表")
    indicator = _scored(tree, personas, sheet)
    client.force_login(personas.committee_admin)
    detail = f"/assessment/schemes/{sheet.pk}/"
    response = client.post(f"/assessment/schemes/{sheet.pk}/indicators/{indicator.pk}/remove/")
    assert (response.status_code, response.url) == (302, detail)
    assert INDICATOR_IN_USE in client.get(detail).content.decode()
    response = client.post(f"/assessment/schemes/{sheet.pk}/remove/")
    assert (response.status_code, response.url) == (302, detail)
    assert SCHEME_IN_USE in client.get(detail).content.decode()
    assert Indicator.objects.filter(pk=indicator.pk).exists()


# --------------------------------------------------------------------------- item 5


@pytest.mark.parametrize("ident", ["²", "١٢", "³4", "9" * 5000])
def test_review_form_keys_with_odd_digits_never_500(client, tree, personas, ident):
    _scheme, a = published(tree)
    _submit(a)
    client.force_login(personas.committee_admin)
    data = {f"final_{ident}": "1", f"occ_{ident}": "1", f"reason_{ident}": "x", "note": "好"}
    response = client.post(
        f"/assessment/a/{a.pk}/review/",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302  # the odd keys are ignored, the review goes through
    a.refresh_from_db()
    assert a.status == "reviewed"
    manual = score_of(a, "人工项")
    assert (manual.final_points, manual.self_points) == (Decimal("18.00"), Decimal("18.00"))


# --------------------------------------------------------------------------- item 9


@pytest.fixture
def two_hats(tree, personas):
    """unit_admin of 甲局党组 who is also the secretary of 第一党支部; a 甲局 scheme over its
    branches, both A and B submitted."""
    RoleGrant.objects.create(user=personas.unit_admin, org=tree.branch_a, role="branch_secretary")
    forget_grants(personas.unit_admin)
    scheme = small_scheme(tree.party_group_a, name="甲局方案")
    ss.scheme_publish(actor=None, scheme=scheme)
    rows = {a.org_id: a for a in Assessment.objects.unscoped().filter(scheme=scheme)}
    a, b = rows[tree.branch_a.pk], rows[tree.branch_b.pk]
    return _submit(a), _submit(b)


def test_second_grant_inside_the_org_blocks_review(tree, personas, two_hats):
    a, b = two_hats
    user = personas.unit_admin
    assert not sel.can_review(user, a)
    assert sel.review_refusal(user, a) == SELF_REVIEW
    assert sel.can_review(user, b)
    assert sel.can_review(personas.committee_admin, a)
    assert [x.pk for x in sel.to_review(user)] == [b.pk]
    before = AuditEntry.objects.count()
    error = _refused(sa.assessment_review, actor=user, assessment=a, finals={})
    assert error.message == SELF_REVIEW
    error = _refused(sa.assessment_return, actor=user, assessment=a, reason="补材料")
    assert error.message == SELF_REVIEW
    a.refresh_from_db()
    assert (a.status, AuditEntry.objects.count()) == ("submitted", before)
    sa.assessment_review(actor=user, assessment=b, finals={})
    # an outsider still gets a 404, not the reason
    with pytest.raises(Http404):
        sa.assessment_review(actor=personas.secretary_b, assessment=a, finals={})


def test_own_submission_blocks_review(tree, personas):
    """The 工委 admin fills in a branch's self-assessment: he may not review it; another
    reviewer (the 甲局 admin, for a 甲局 scheme) may."""
    scheme = small_scheme(tree.party_group_a, name="甲局方案")
    ss.scheme_publish(actor=None, scheme=scheme)
    a = Assessment.objects.unscoped().get(scheme=scheme, org=tree.branch_a)
    _submit(a, actor=personas.committee_admin)
    assert a.submitted_by_id == personas.committee_admin.pk
    assert sel.review_refusal(personas.committee_admin, a) == SELF_REVIEW
    error = _refused(sa.assessment_review, actor=personas.committee_admin, assessment=a)
    assert error.message == SELF_REVIEW
    assert sel.can_review(personas.unit_admin, a)


def test_review_pages_say_why(client, tree, personas, two_hats):
    a, b = two_hats
    client.force_login(personas.unit_admin)
    page = client.get(f"/assessment/a/{a.pk}/").content.decode()
    assert SELF_REVIEW in page and 'data-testid="go-review"' not in page
    for method, url in (
        ("get", f"/assessment/a/{a.pk}/review/"),
        ("post", f"/assessment/a/{a.pk}/review/"),
        ("post", f"/assessment/a/{a.pk}/return/"),
    ):
        response = getattr(client, method)(url, {"reason": "补材料"} if method == "post" else {})
        assert (response.status_code, response.url) == (302, f"/assessment/a/{a.pk}/"), url
    a.refresh_from_db()
    assert a.status == "submitted"
    assert client.get(f"/assessment/a/{b.pk}/review/").status_code == 200
    assert 'data-testid="go-review"' in client.get(f"/assessment/a/{b.pk}/").content.decode()
    # the self side without a reviewing grant still gets 404s
    client.force_login(personas.secretary_a)
    assert client.get(f"/assessment/a/{a.pk}/review/").status_code == 404
    assert SELF_REVIEW not in client.get(f"/assessment/a/{a.pk}/").content.decode()
