"""assessment/scoring.py: full marks include the bonus (R-LOCAL-06 counts 90 + 加分 10 = 100),
a score on 100 points never passes 100, and a unit's observation score is the mean of its
stops' trimmed scores over the sheet's full marks."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from dangjian.assessment import scoring
from dangjian.assessment import services_observation as obs
from dangjian.assessment import services_schemes as schemes

pytestmark = pytest.mark.django_db


def test_full_marks_include_the_bonus(tree):
    scheme = schemes.scheme_from_template(
        actor=None, owner=tree.root, year=2026, template_code="standard_branch"
    )
    assert scoring.scheme_max(scheme) == D("100")
    assert scoring.scheme_max(None) == D("100")
    # a raw 85.5 of 100 stays 85.5 (R-LOCAL-07: three stars, not five); 111 caps at 100
    assert scoring.on_hundred(D("85.5"), scheme) == D("85.50")
    assert scoring.on_hundred(D("111"), scheme) == D("100")


def test_unit_observation_scores(tree, personas):
    from dangjian.accounts.models import User

    sheet = schemes.scheme_create(actor=None, owner=tree.root, year=2026, name="表", target="stop")
    item = schemes.indicator_add(
        actor=None, scheme=sheet, title="展示", max_points="50", method="manual"
    )
    schemes.scheme_publish(actor=None, scheme=sheet)
    meeting = obs.observation_create(
        actor=None, owner=tree.root, title="观摩会", starts_at=timezone.now(), sheet=sheet
    )
    stop_a1 = obs.stop_add(actor=None, meeting=meeting, org=tree.party_group_a, place="甲一")
    stop_a2 = obs.stop_add(actor=None, meeting=meeting, org=tree.party_group_a, place="甲二")
    stop_b = obs.stop_add(actor=None, meeting=meeting, org=tree.party_group_b, place="乙")
    judges = [personas.judge] + [
        User.objects.create_user(username=f"j{n}", password="Passw0rd2022x") for n in range(4)
    ]
    for n, user in enumerate(judges):
        obs.judge_add(actor=None, meeting=meeting, user=user, name=f"评委{n}")
    obs.observation_start(actor=None, meeting=meeting)
    # five judges at 甲一: 30, 40, 40, 40, 50 → trimmed mean 40 of 50 → 80 on 100
    for user, points in zip(judges, [30, 40, 40, 40, 50], strict=True):
        obs.score_item_save(actor=user, stop=stop_a1, indicator=item, points=points)
        obs.sheet_submit(actor=user, stop=stop_a1)
    # one judge at 甲二 (45 → 90) and at 乙 (unsubmitted: does not count)
    obs.score_item_save(actor=judges[0], stop=stop_a2, indicator=item, points=45)
    obs.sheet_submit(actor=judges[0], stop=stop_a2)
    obs.score_item_save(actor=judges[0], stop=stop_b, indicator=item, points=50)
    scores = scoring.unit_observation_scores([meeting])
    assert scores == {tree.party_group_a.pk: D("85.00")}
