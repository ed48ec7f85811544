"""Ballot anonymity is a property of the schema (issue #6: "no table or log row links voter and
ballot"): no model of the whole project holds both a person and a 述职评议 grade; the counters
carry no user; the audit entry of a cast holds no grade; the API has no endpoint that reads a
voter's choice."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from tests.assessment import helpers_contest as h

from dangjian.accounts.models import User
from dangjian.assessment.models import (
    BallotTally,
    Grade,
    ReviewVoter,
    SecretaryReport,
)
from dangjian.assessment.services_review import ballot_cast
from dangjian.core.models import AuditEntry

GRADE_VALUES = set(Grade.values)
#: models whose choices share a value with the grades but hold no ballot: the reason is named.
#: A task's evaluation (优秀/良好/合格/不合格, value "good" for 良好) is the 工委's open verdict
#: on a unit's task, recorded with who closed it on purpose; it is no 述职评议 vote.
NOT_BALLOTS = {"responsibility.Task": "evaluation"}
GRADE_WORDS = [*Grade.values, *Grade.labels]


def _person_fields(model) -> list[str]:
    """Relations that name a person: a user account (a voter is one) or a voter row."""
    out = []
    for field in model._meta.get_fields():
        if not (field.is_relation and (field.many_to_one or field.one_to_one)):
            continue
        if not field.concrete:
            continue
        target = field.related_model
        if target is None:
            continue
        label = target._meta.label
        if label in (settings.AUTH_USER_MODEL, ReviewVoter._meta.label):
            out.append(field.name)
    return out


def _ballot_fields(model) -> list[str]:
    """Fields that could hold a 述职评议 choice: choices that overlap 好/较好/一般/差, or a
    relation to the report being graded or to its counters."""
    out = []
    for field in model._meta.concrete_fields:
        values = {str(v) for v, _label in (field.choices or [])}
        if values & GRADE_VALUES or (
            field.is_relation and field.related_model in (SecretaryReport, BallotTally)
        ):
            out.append(field.name)
    return out


def test_no_model_links_a_person_and_a_ballot_grade():
    offenders = {}
    checked = 0
    for model in apps.get_models(include_auto_created=True):
        people, ballots = _person_fields(model), _ballot_fields(model)
        checked += 1
        if NOT_BALLOTS.get(model._meta.label) in ballots:
            ballots.remove(NOT_BALLOTS[model._meta.label])
        if people and ballots:
            offenders[model._meta.label] = (people, ballots)
    assert checked > 30  # the whole project, not one app
    assert offenders == {}


def test_the_check_would_catch_a_per_voter_ballot_table():
    """The inspection above is able to fail: a `Ballot(voter, report, grade)` table is
    caught."""

    class Ballot(models.Model):
        voter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        report = models.ForeignKey(SecretaryReport, on_delete=models.CASCADE, related_name="+")
        grade = models.CharField(max_length=16, choices=Grade.choices)

        class Meta:
            app_label = "assessment"
            managed = False

        def __str__(self):
            return self.grade

    try:
        assert _person_fields(Ballot) == ["voter"]
        assert set(_ballot_fields(Ballot)) == {"report", "grade"}
    finally:
        apps.all_models["assessment"].pop("ballot", None)
        apps.clear_cache()


def test_counters_and_voters_tables_hold_no_link():
    tally_fields = {f.name for f in BallotTally._meta.concrete_fields}
    assert tally_fields == {"id", "report", "grade", "count"}
    assert _person_fields(BallotTally) == []
    voter_fields = {f.name for f in ReviewVoter._meta.concrete_fields}
    assert voter_fields == {"id", "review", "user", "has_voted"}
    assert _ballot_fields(ReviewVoter) == []


@pytest.mark.django_db
def test_a_cast_is_audited_without_its_grades(tree, personas):
    voters = h.voters(2)
    review = h.review(personas.committee_admin, tree.root, [tree.branch_a, tree.branch_b], voters)
    a, b = review.reports.order_by("order")
    first = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    ballot_cast(actor=voters[0], review=review, grades={a.pk: "fairly_good", b.pk: "poor"})
    new = list(AuditEntry.objects.filter(pk__gt=first))
    assert [e.action for e in new] == ["assessment.ballot.cast"]
    entry = new[0]
    assert entry.actor_id == voters[0].pk and entry.object_id == str(review.pk)
    assert entry.object_type == "assessment.secretaryreview"
    assert entry.changes == {}
    text = json.dumps([entry.changes, entry.object_repr, entry.action], ensure_ascii=False).replace(
        review.title, ""
    )
    for word in GRADE_WORDS:
        assert word not in text
    # the counters moved, and they say nothing about who
    counts = {
        (t.report_id, t.grade): t.count
        for t in BallotTally.objects.unscoped().filter(report__review=review, count__gt=0)
    }
    assert counts == {(a.pk, "fairly_good"): 1, (b.pk, "poor"): 1}


def test_the_review_api_has_no_endpoint_reading_choices():
    """The review router offers exactly: my open reviews, one review, cast a ballot. The
    results schema holds counts per report, nothing per voter. (Read from the router itself,
    so the check does not depend on the other routers' schemas.)"""
    from dangjian.assessment import api_review

    routes = {
        (path, method)
        for path, view in api_review.router.path_operations.items()
        for op in view.operations
        for method in op.methods
    }
    assert routes == {
        ("", "GET"),
        ("/{int:review_id}", "GET"),
        ("/{int:review_id}/ballot", "POST"),
    }
    result = api_review.ResultOut.model_json_schema()["properties"]
    assert set(result) == {
        "report_id",
        "good",
        "fairly_good",
        "average",
        "poor",
        "ballots",
        "rate",
    }
    detail = set(api_review.ReviewDetailOut.model_json_schema()["properties"])
    assert {"voters", "voted", "results"} <= detail
    assert not {"user", "voter", "voter_id", "user_id", "ballots_of"} & detail
