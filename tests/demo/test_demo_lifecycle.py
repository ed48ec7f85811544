"""The demo's dues and recruitment (dangjian.demo.dues, dangjian.demo.recruitment): the issue's
"done when" — the branch secretary sees who owes what this month, reconciles the bank file the
demo wrote, and sees the candidates whose next step is due with the rule behind each warning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.demo.city import SECRETARY_BRANCH, build_city
from dangjian.dues.models import (
    ChargeStatus,
    DuesBase,
    DuesCharge,
    DuesPayment,
    LineStatus,
    Reduction,
    ReductionStatus,
    Statement,
    StatementStatus,
)
from dangjian.members.models import Category
from dangjian.orgs.models import Org
from dangjian.recruitment.models import Candidate, CandidateStatus
from dangjian.recruitment.selectors import candidate_findings
from dangjian.rules.base import Level

pytestmark = pytest.mark.django_db(transaction=False)

TODAY = dt.date(2026, 11, 26)
MONTH = dt.date(2026, 11, 1)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_secretary_reconciles_and_sees_what_is_due():
    """One city build (seconds) for the whole story."""
    result = build_city(TODAY, scale=0.1)
    branch = Org.all_objects.get(name=SECRETARY_BRANCH)
    _a_year_of_dues_derived_from_the_records(result, branch)
    _the_secretary_sees_who_owes_what_and_reconciles(result, branch)
    _the_secretary_sees_the_candidates_due_with_their_rules(branch)


def _a_year_of_dues_derived_from_the_records(result, branch):
    assert result.dues_charges == DuesCharge.all_objects.count() > 0
    # every current member owes from a base; each charge is the rule's amount for its base
    months = list(DuesCharge.all_objects.dates("month", "month"))
    assert len(months) == 12 and months[-1] == MONTH
    assert not DuesCharge.all_objects.filter(amount__lt=0).exists()
    assert DuesBase.all_objects.filter(note__contains="R-DUES-11").exists()  # a pay rise
    assert result.dues_arrears_alerted >= 1 and result.dues_arrears_warned >= 1
    # the stories of the secretary's branch went through the services
    assert DuesPayment.all_objects.filter(to_centre=True, org_path=branch.path).exists()
    assert DuesPayment.all_objects.filter(paid_by__isnull=False, org_path=branch.path).exists()
    assert DuesPayment.all_objects.filter(back_paid_months=3, org_path=branch.path).exists()
    assert Reduction.all_objects.filter(status=ReductionStatus.APPROVED).exists()
    assert Reduction.all_objects.filter(status=ReductionStatus.PENDING).exists()


def _the_secretary_sees_who_owes_what_and_reconciles(result, branch):
    client = _client("zbsj")
    page = client.get(reverse("dues:index"), {"org": branch.pk, "month": "2026-11"})
    assert page.status_code == 200
    unpaid = list(
        DuesCharge.all_objects.filter(
            branch=branch, month=MONTH, status=ChargeStatus.DUE, amount__gt=0
        )
        .select_related("member")
        .order_by("member__name")
    )
    assert len(unpaid) >= 3
    html = page.content.decode()
    for charge in unpaid[:3]:
        assert charge.member.name in html
    # the 6-month arrears alert is on the arrears page with its rule
    arrears = client.get(reverse("dues:arrears"), {"org": branch.pk}).content.decode()
    assert "R-DUES-14" in arrears

    path = Path(result.statement_file)
    assert path.is_file()
    with path.open("rb") as handle:
        response = client.post(
            reverse("reconcile:upload"),
            {"org": branch.pk, "month": "2026-11", "source": "bank", "file": handle},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    statement = Statement.all_objects.get(org=branch, month=MONTH)
    lines = {line.row_no: line for line in statement.lines.all()}
    statuses = [line.status for line in lines.values()]
    assert statuses.count(LineStatus.MATCHED) == len(unpaid) - 2  # see demo/dues.py
    assert LineStatus.DUPLICATE in statuses
    assert LineStatus.AMOUNT_MISMATCH in statuses
    assert statuses.count(LineStatus.UNMATCHED) == 2  # the typo'd name and the stranger
    typo = next(
        line
        for line in lines.values()
        if line.status == LineStatus.UNMATCHED and line.name != "王不详"
    )
    assert unpaid[1].member.name in typo.note  # suggested, never matched on its own
    detail = client.get(reverse("reconcile:detail", args=[statement.pk]))
    assert detail.status_code == 200 and "王不详" in detail.content.decode()

    confirmed = client.post(reverse("reconcile:confirm", args=[statement.pk]))
    assert confirmed.status_code in (200, 302)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CONFIRMED
    paid_now = DuesCharge.all_objects.filter(
        pk__in=[c.pk for c in unpaid], status=ChargeStatus.PAID
    ).count()
    assert paid_now == len(unpaid) - 2
    assert (
        DuesPayment.all_objects.filter(statement_line__statement=statement).count()
        == len(unpaid) - 2
    )


def _the_secretary_sees_the_candidates_due_with_their_rules(branch):
    client = _client("zbsj")
    board = client.get(reverse("recruitment:board"), {"org": branch.pk})
    assert board.status_code == 200
    html = board.content.decode()
    mine = list(Candidate.all_objects.filter(branch=branch))
    assert len(mine) == 12
    assert {c.stage for c in mine} >= {"applicant", "activist", "prospect", "probationary"}
    assert any(c.status == CandidateStatus.CONVERTED for c in mine)
    soon = [c for c in mine if c.next_due_on and c.next_due_on <= TODAY + dt.timedelta(days=14)]
    assert soon
    for c in soon:
        assert c.name in html
    # each warning carries its rule, on the candidate's page too
    seen = set()
    for c in mine:
        findings = [f for f in candidate_findings(c, TODAY) if f.level != Level.INFO]
        if not findings:
            continue
        page = client.get(reverse("recruitment:candidate", args=[c.pk])).content.decode()
        for f in findings:
            assert f.rule_id in page
            seen.add(f.rule_id)
    assert {"R-DEV-03", "R-DEV-07", "R-DEV-17", "R-DEV-21"} <= seen
    # the approvals created the probationary members, joined on the acceptance day
    accepted = [c for c in mine if c.member_id]
    assert accepted
    for c in accepted:
        acceptance = c.events.get(step="acceptance").on
        assert c.member.joined_on == acceptance
        if c.status == CandidateStatus.CONVERTED:
            assert c.member.category == Category.FULL
