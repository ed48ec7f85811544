"""ONE ballot per voter, even when the same voter's ballots arrive at the same moment from
several connections (two phones, a double tap): exactly one counts, the others are refused
with "您已投过票", and the counters hold exactly one ballot. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection
from tests.assessment import helpers_contest as h

from dangjian.assessment.models import BallotTally, ReviewVoter
from dangjian.assessment.services_review import ballot_cast
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry

THREADS = 6


def _with_busy_retry(fn, attempts=200):
    """The test database on SQLite is an in-memory database in shared-cache mode, where a
    second writer gets "database table is locked" at once instead of waiting (a file database,
    as in production, waits up to its busy timeout: settings' "timeout"). Waiting here is what
    the busy handler does there; each attempt is a whole transaction, rolled back on the
    error. PostgreSQL never raises it: the second UPDATE waits on the row lock."""
    for _ in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.005)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_one_ballot_per_voter_under_concurrent_submissions(tree, personas):
    admin = personas.committee_admin
    [voter] = h.voters(1)
    other = h.voters(1)[0]
    review = h.review(admin, tree.root, [tree.party_group_a, tree.party_group_b], [voter, other])
    reports = list(review.reports.order_by("order"))
    grades = {reports[0].pk: "good", reports[1].pk: "poor"}

    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def cast():
        try:
            start.wait(timeout=30)
            _with_busy_retry(lambda: ballot_cast(actor=voter, review=review, grades=grades))
            result = "ok"
        except AppError as exc:
            result = exc.message
        except BaseException as exc:  # reported below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=cast) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["ok"] + ["您已投过票。"] * (THREADS - 1), outcomes
    counts = {
        (t.report_id, t.grade): t.count for t in BallotTally.objects.unscoped().filter(count__gt=0)
    }
    assert counts == {(reports[0].pk, "good"): 1, (reports[1].pk, "poor"): 1}
    assert ReviewVoter.objects.unscoped().get(review=review, user=voter).has_voted is True
    assert ReviewVoter.objects.unscoped().get(review=review, user=other).has_voted is False
    assert AuditEntry.objects.filter(action="assessment.ballot.cast").count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_voters_at_once_lose_no_count(tree, personas):
    """Different voters casting at the same moment: every ballot counts (F() increments, no
    read-modify-write), each voter flips once."""
    admin = personas.committee_admin
    voters = h.voters(THREADS)
    review = h.review(admin, tree.root, [tree.party_group_a], voters)
    report = review.reports.get()
    start = threading.Barrier(THREADS)
    errors: list[str] = []

    def cast(voter, grade):
        try:
            start.wait(timeout=30)
            _with_busy_retry(
                lambda: ballot_cast(actor=voter, review=review, grades={report.pk: grade})
            )
        except BaseException as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    grades = ["good", "good", "fairly_good", "average", "poor", "good"][:THREADS]
    threads = [
        threading.Thread(target=cast, args=(v, g)) for v, g in zip(voters, grades, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    counts = dict(
        BallotTally.objects.unscoped().filter(report=report).values_list("grade", "count")
    )
    assert counts == {"good": 3, "fairly_good": 1, "average": 1, "poor": 1}
    assert ReviewVoter.objects.unscoped().filter(review=review, has_voted=True).count() == THREADS
