"""The demo's assessment (dangjian.demo.assessment): the issue's "done when" — the 工委 admin
replays the seed's observation meeting (route, judges' scores, ranking, report) and opens the
year's 书记赛党建 results — plus this year's work in progress."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client

from dangjian.accounts.models import User
from dangjian.assessment import scoring
from dangjian.assessment.models import (
    Assessment,
    AssessmentStatus,
    BallotTally,
    ContestStatus,
    ObservationMeeting,
    ObservationStatus,
    ReviewVoter,
    SecretaryContest,
)
from dangjian.assessment.selectors_contest import contest_standings

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.city]

TODAY = dt.date(2026, 11, 26)
SEED_TITLE = "全市2022年第三次市直机关党建现场观摩会"


CITY_DAY = TODAY  # one build for the module's tests (tests/demo/conftest.py)


@pytest.fixture
def demo(shared_city):
    return shared_city


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_2022_contest_replayed(demo):
    """One build for the three views of 2022 (a city build takes seconds): the seed meeting as
    the report tells it, the 工委 admin's replay, and the contest derived from the records."""
    _the_seed_meeting_as_the_report_tells_it()
    _the_committee_admin_replays_the_meeting_and_opens_the_results()
    _the_contest_is_derived_from_the_records()


def _the_seed_meeting_as_the_report_tells_it():
    meeting = ObservationMeeting.all_objects.get(title=SEED_TITLE)
    assert meeting.starts_at.date() == dt.date(2022, 11, 1)
    assert meeting.theme == "赛党建，创清廉，推进共同缔造"
    assert meeting.status == ObservationStatus.CLOSED
    stops = list(meeting.stops.order_by("order").select_related("org"))
    assert [s.place for s in stops] == [
        "市老年大学门口",
        "市老年大学门口",
        "市老年大学三楼书画创作室",
        "市老年大学四楼排练室",
    ]
    shown_by = [s.org.unit.short_name for s in stops]
    assert shown_by == ["市司法局", "市委老干部局", "市委老干部局", "市委老干部局"]
    assert sum(s.planned_minutes for s in stops) == 80  # "一个半小时的现场观摩", with walking
    speakers = list(
        meeting.speeches.order_by("order").values_list("org__unit__short_name", flat=True)
    )
    assert speakers == ["市委老干部局", "市司法局"]
    assert meeting.judges.count() == 5 and meeting.tasks.count() == 3
    # five judges: every stop's score drops the highest and the lowest sheet
    results = scoring.stop_results(meeting)
    for result in results:
        totals = sorted(result.judge_totals.values())
        assert len(totals) == 5
        assert result.score == (sum(totals[1:-1]) / 3).quantize(Decimal("0.01"))
    # the choir: one judge far below the others is flagged
    assert results[3].outliers and all(d < 0 for d in results[3].outliers.values())


def _the_committee_admin_replays_the_meeting_and_opens_the_results():
    client = _client("gwadmin")
    hub = client.get("/assessment/")
    assert hub.status_code == 200
    meeting = ObservationMeeting.all_objects.get(title=SEED_TITLE)
    page = client.get(f"/observation/{meeting.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    for needle in (
        "市老年大学三楼书画创作室",
        "市老年大学四楼排练室",
        "孙志远",
        "擦亮党建引领为老服务品牌",
    ):
        assert needle in text
    assert text.count('data-testid="route-stop"') == 4
    assert text.count('data-testid="rank-row"') == 2  # 市司法局 and 市委老干部局
    assert 'data-testid="outlier"' in text

    report = client.get(f"/observation/{meeting.pk}/report/")
    assert report.status_code == 200
    from docx import Document

    doc = Document(
        io.BytesIO(b"".join(report.streaming_content if report.streaming else [report.content]))
    )
    body = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        cell.text for table in doc.tables for row in table.rows for cell in row.cells
    )
    assert "市老年大学三楼书画创作室" in body and "孙志远" in body

    contest = SecretaryContest.all_objects.get(year=2022)
    assert contest.status == ContestStatus.PUBLISHED
    results = client.get(f"/contests/{contest.pk}/")
    assert results.status_code == 200
    assert results.content.decode().count('data-testid="ranking-row"') == 9


def _the_contest_is_derived_from_the_records():
    contest = SecretaryContest.all_objects.get(year=2022)
    standings = contest_standings(contest)
    assert [s.rank for s in standings] == sorted(s.rank for s in standings)
    assert all(not s.missing for s in standings)
    # the observation part of 市司法局 is its one stop's trimmed mean, on 100 points
    meeting = ObservationMeeting.all_objects.get(title=SEED_TITLE)
    sfj_stop = scoring.stop_results(meeting)[0]
    sfj = next(s for s in standings if s.org.unit.short_name == "市司法局")
    assert sfj.parts["observation"] == sfj_stop.score  # the sheet's maximum is 100
    # the review part: ballots counted, never linked to voters
    assert ReviewVoter.objects.unscoped().filter(has_voted=True).count() == 30
    tallies = BallotTally.objects.unscoped().filter(report__org=sfj.org)
    assert sum(t.count for t in tallies) == 30
    # every routine assessment was reviewed
    assert (
        not Assessment.objects.unscoped()
        .filter(scheme=contest.scheme)
        .exclude(status=AssessmentStatus.REVIEWED)
        .exists()
    )


def test_this_year_has_work_waiting(demo):
    this_year = Assessment.objects.unscoped().filter(scheme__year=TODAY.year)
    assert this_year.count() >= 40  # every unit's assessment, published
    live = ObservationMeeting.all_objects.get(status=ObservationStatus.LIVE)
    assert live.starts_at.date() == TODAY
    # the demo judge still has his sheets to fill; the other four have submitted
    client = _client("pingwei")
    page = client.get(f"/observation/{live.pk}/judge/")
    assert page.status_code == 200
    assert "/observation/" in client.get("/assessment/").content.decode()
    # the 司法局's admin has a self-assessment due in five days, with a reminder
    sfjadmin = User.objects.get(username="sfjadmin")
    assert sfjadmin.notifications.filter(kind="assessment_due").exists()
