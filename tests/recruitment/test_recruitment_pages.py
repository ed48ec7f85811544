"""The pages of 发展党员: the board (stages, deadlines, filters, approvals waiting, a bounded
number of queries), the candidate page (timeline, findings with rule id and citation,
deadlines, the step forms with exactly the step's fields), registering an application, and
bad input shown at the field with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.orglife.services_votes import voting_counts
from dangjian.recruitment.models import Candidate, StepEvent
from dangjian.rules.base import RULES
from tests.conftest import PASSWORD
from tests.recruitment.conftest import assembly, date_of

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def early_prospect(factory, name="钱违规"):
    """A 发展对象 made three months after the activist day: R-DEV-07 is broken (ERROR)."""
    return factory(
        upto="prospect",
        name=name,
        dates={"prospect": date_of("activist") + dt.timedelta(90)},
        skip=("assessment", "prospect_publicity"),
    )


def events(candidate) -> list[str]:
    return list(
        StepEvent.objects.unscoped().filter(candidate=candidate).values_list("step", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Board


def test_board_shows_candidates_by_stage_with_next_deadline(
    client, tree, personas, candidate_factory
):
    activist = candidate_factory(upto="contacts", name="李积极")
    applicant = candidate_factory(upto="application", name="王申请", start=dt.date(2024, 1, 5))
    candidate_factory(upto="application", name="赵乙局", branch=tree.branch_c)
    login(client, personas.secretary_a)
    response = client.get(reverse("recruitment:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "李积极" in html and "王申请" in html
    assert "赵乙局" not in html  # another unit's branch
    columns = {
        c.stage: [x.candidate.pk for x in c.cards] for c in response.context["board"].columns
    }
    assert columns["activist"] == [activist.pk]
    assert columns["applicant"] == [applicant.pk]
    # the activist's six-monthly assessment is overdue by now: shown red with the days
    card = next(x for x in response.context["board"].columns[1].cards)
    assert card.overdue and card.next_due_on is not None
    assert "已逾期" in html
    assert reverse("recruitment:new") in html


def test_board_filters_stage_search_due_and_errors(client, tree, personas, candidate_factory):
    candidate_factory(upto="contacts", name="李积极")
    candidate_factory(upto="application", name="王申请", start=dt.date(2024, 1, 5))
    late = early_prospect(candidate_factory)
    assert late.error_count > 0
    login(client, personas.secretary_a)
    url = reverse("recruitment:board")

    def names(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {x.candidate.name for c in response.context["columns"] for x in c["cards"]}

    assert names(stage="activist") == {"李积极"}
    assert names(q="申请") == {"王申请"}
    assert names(errors="1") == {"钱违规"}
    assert names(due="1") == {"李积极", "王申请"}  # overdue counts; 钱违规 has nothing open
    assert names(stage="nonsense") == {"李积极", "王申请", "钱违规"}  # a bad filter is ignored


def test_board_lists_steps_waiting_for_the_committee(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="acceptance", name="孙待批")
    login(client, personas.unit_admin)
    response = client.get(reverse("recruitment:board"))
    pending = response.context["pending"]
    assert [p.candidate.pk for p in pending] == [c.pk]
    assert "待上级党委" in response.content.decode()
    # the branch secretary does not approve: nothing waits for him
    client.logout()
    login(client, personas.secretary_a)
    assert client.get(reverse("recruitment:board")).context["pending"] == []


def test_board_queries_are_bounded(client, tree, personas, django_assert_max_num_queries):
    from dangjian.recruitment import services

    for i in range(30):
        services.candidate_create(
            actor=None,
            branch=tree.branch_a if i % 2 else tree.branch_b,
            name=f"申请人{i:02d}",
            sex="1",
            birth_date=dt.date(1995, 1, 1),
            application_on=dt.date(2024, 1, 1) + dt.timedelta(days=i),
        )
    login(client, personas.unit_admin)
    url = reverse("recruitment:board")
    client.get(url)  # warm the session and the caches
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["board"].total == 30


# ---------------------------------------------------------------------------------------------
# The candidate page


def test_candidate_page_shows_timeline_findings_with_citation_and_deadlines(
    client, tree, personas, candidate_factory
):
    c = early_prospect(candidate_factory)
    login(client, personas.secretary_a)
    response = client.get(reverse("recruitment:candidate", args=[c.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # the five phases and the 25 numbered steps plus the extra ones (公示, 党组研究, extension
    # and cancellation with the committee's approval of each)
    assert html.count('data-testid="step-') == 31
    assert "第7步 确定发展对象" in html
    # R-DEV-07 (less than a year as activist) is an error with its citation
    errors = response.context["errors"]
    dev07 = next(x for x in errors if x["rule_id"] == "R-DEV-07")
    assert dev07["citation"] == RULES["R-DEV-07"].citation
    assert 'data-rule="R-DEV-07"' in html and RULES["R-DEV-07"].citation in html
    # the branch secretary may record branch steps, not the committee's
    recordable = response.context["recordable"]
    assert "introducers" in recordable
    assert "pre_review" not in recordable
    assert "prospect" not in recordable  # recorded already, not repeatable


def test_candidate_page_lists_open_deadlines(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="contacts")
    login(client, personas.secretary_a)
    response = client.get(reverse("recruitment:candidate", args=[c.pk]))
    deadlines = response.context["deadlines"]
    assert any(d["deadline"].step == "assessment" and d["days_left"] < 0 for d in deadlines)
    assert 'data-testid="deadlines"' in response.content.decode()
    assert response.context["timeline"].phases[1].rows[3].state == "overdue"  # 第6步 考察


def test_committee_sees_approval_buttons_secretary_does_not(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="acceptance")
    login(client, personas.unit_admin)
    response = client.get(reverse("recruitment:candidate", args=[c.pk]))
    assert "approval" in response.context["recordable"]
    assert 'data-testid="record-approval"' in response.content.decode()
    client.logout()
    login(client, personas.secretary_a)
    response = client.get(reverse("recruitment:candidate", args=[c.pk]))
    assert "approval" not in response.context["recordable"]
    assert client.get(reverse("recruitment:step", args=[c.pk, "approval"])).status_code == 404


@pytest.mark.parametrize(
    ("step", "present", "absent"),
    [
        ("talk", ["on", "people", "people_text", "note"], ["end_on", "meeting", "passed"]),
        ("prospect_publicity", ["on", "end_on", "document"], ["people", "meeting", "passed"]),
        ("training", ["on", "end_on", "days", "hours", "body"], ["people", "passed"]),
        ("acceptance", ["on", "meeting", "yes", "no", "abstain"], ["people", "end_on", "passed"]),
        ("political_review", ["on", "passed", "document"], ["people", "meeting"]),
        ("extension", ["on", "months", "meeting", "yes"], ["people", "passed"]),
        ("approval", ["on", "passed", "id_number", "phone", "address", "post"], ["meeting"]),
    ],
)
def test_step_form_has_exactly_the_steps_fields(
    client, tree, personas, candidate_factory, step, present, absent
):
    c = candidate_factory(upto="application")
    user = personas.unit_admin if step in ("approval", "training") else personas.secretary_a
    login(client, user)
    response = client.get(
        reverse("recruitment:step", args=[c.pk, step]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fields = response.context["form"].fields
    assert all(name in fields for name in present), sorted(fields)
    assert not any(name in fields for name in absent), sorted(fields)
    assert "<html" not in response.content.decode()  # the htmx fragment


def test_people_pickers_offer_only_full_members_of_the_branch(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="activist")
    login(client, personas.secretary_a)
    response = client.get(reverse("recruitment:step", args=[c.pk, "contacts"]))
    offered = {int(v) for v, _ in response.context["form"].fields["people"].choices}
    full_a = {m.pk for m in tree.members_a if m.category == "full"}
    assert offered == full_a  # not the probationary 钱七, nobody of branch B


def test_recording_a_step_through_the_form(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="application")
    login(client, personas.secretary_a)
    on = date_of("talk")
    response = client.post(
        reverse("recruitment:step", args=[c.pk, "talk"]),
        {"on": on.isoformat(), "people": [tree.members_a[0].pk], "note": "谈话了解入党动机"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("recruitment:candidate", args=[c.pk])
    event = StepEvent.objects.unscoped().get(candidate=c, step="talk")
    assert event.on == on and list(event.people.all()) == [tree.members_a[0]]


def test_acceptance_vote_through_the_form(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="volunteer_form")
    on = date_of("acceptance")
    meeting = assembly(tree.branch_a, on)
    login(client, personas.secretary_a)
    url = reverse("recruitment:step", args=[c.pk, "acceptance"])
    form = client.get(url).context["form"]
    assert meeting.pk in [int(v) for v, _ in form.fields["meeting"].choices if v]
    _, present = voting_counts(meeting)
    response = client.post(
        url, {"on": on.isoformat(), "meeting": meeting.pk, "yes": present, "no": 0, "abstain": 0}
    )
    assert response.status_code == 302
    event = StepEvent.objects.unscoped().get(candidate=c, step="acceptance")
    assert event.vote is not None and event.vote.yes == present


# ---------------------------------------------------------------------------------------------
# Bad input: the message at the field, nothing written


def _audit_count() -> int:
    return AuditEntry.objects.count()


@pytest.mark.parametrize(
    ("step", "data", "field", "text"),
    [
        ("talk", {"on": "2099-01-01"}, "on", "不能晚于今天"),
        ("talk", {"on": "不是日期"}, "on", "有效的日期"),
        ("talk", {"on": "2022-02-01"}, "on", ""),  # before the application (R-DEV-25)
        ("prospect_publicity", {"on": "2023-05-01"}, "end_on", "截止"),
        ("political_review", {"on": "2023-06-01"}, "passed", "结论"),
        ("introducers", {"on": "2023-06-01"}, "people", "R-DEV-09"),
    ],
)
def test_bad_step_input_is_shown_at_the_field_and_nothing_is_written(
    client, tree, personas, candidate_factory, step, data, field, text
):
    upto = {"talk": "application", "prospect_publicity": "assessment"}.get(step, "prospect_filing")
    c = candidate_factory(upto=upto)
    before, audits = sorted(events(c)), _audit_count()
    login(client, personas.secretary_a)
    response = client.post(
        reverse("recruitment:step", args=[c.pk, step]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200  # htmx swaps only 2xx: the form comes back
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert text in " ".join(form.errors[field])
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert sorted(events(c)) == before and _audit_count() == audits


def test_training_without_days_or_hours_is_refused(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="political_review")
    before = sorted(events(c))
    login(client, personas.unit_admin)
    response = client.post(
        reverse("recruitment:step", args=[c.pk, "training"]), {"on": "2023-06-01"}
    )
    assert response.status_code == 400
    assert "R-DEV-11" in " ".join(response.context["form"].errors["days"])
    assert sorted(events(c)) == before


def test_a_vote_that_does_not_pass_is_refused_and_nothing_written(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="volunteer_form")
    on = date_of("acceptance")
    meeting = assembly(tree.branch_a, on)
    before = sorted(events(c))
    login(client, personas.secretary_a)
    response = client.post(
        reverse("recruitment:step", args=[c.pk, "acceptance"]),
        {"on": on.isoformat(), "meeting": meeting.pk, "yes": 1, "no": 3, "abstain": 0},
    )
    assert response.status_code == 400
    assert "R-DEV-15" in " ".join(response.context["form"].errors["yes"])
    assert sorted(events(c)) == before
    from dangjian.orglife.models import Vote

    assert not Vote.objects.unscoped().filter(meeting=meeting).exists()


def test_new_candidate_form_creates_and_refuses_a_minor(client, tree, personas):
    login(client, personas.secretary_a)
    url = reverse("recruitment:new")
    response = client.get(url)
    assert response.status_code == 200
    # only branch A is offered to its secretary
    assert [int(v) for v, _ in response.context["form"].fields["branch"].choices if v] == [
        tree.branch_a.pk
    ]
    data = {
        "branch": tree.branch_a.pk,
        "name": "周申请",
        "sex": "2",
        "birth_date": "2010-05-01",
        "application_on": "2024-03-01",
        "ethnicity": "01",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "R-DEV-01" in " ".join(response.context["form"].errors["application_on"])
    assert not Candidate.objects.unscoped().filter(name="周申请").exists()
    response = client.post(url, {**data, "birth_date": "2000-05-01"})
    created = Candidate.objects.unscoped().get(name="周申请")
    assert response.status_code == 302 and response["Location"] == reverse(
        "recruitment:candidate", args=[created.pk]
    )
    assert events(created) == ["application"]


def test_new_candidate_form_refuses_missing_name_and_a_foreign_branch(client, tree, personas):
    login(client, personas.secretary_a)
    url = reverse("recruitment:new")
    data = {"branch": tree.branch_b.pk, "name": "周申请", "sex": "1"}
    data |= {"birth_date": "2000-01-01", "application_on": "2024-03-01"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "branch" in response.context["form"].errors
    response = client.post(url, {**data, "branch": tree.branch_a.pk, "name": ""})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not Candidate.objects.unscoped().exists()


def test_correct_and_delete_a_step(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="talk")
    event = StepEvent.objects.unscoped().get(candidate=c, step="talk")
    login(client, personas.secretary_a)
    url = reverse("recruitment:correct", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["on"] == event.on
    new_on = event.on + dt.timedelta(days=2)
    # no reason: refused at the field
    response = client.post(url, {"on": new_on.isoformat(), "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    event.refresh_from_db()
    assert event.on != new_on
    response = client.post(url, {"on": new_on.isoformat(), "reason": "登记时日期填错"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.on == new_on
    response = client.post(
        reverse("recruitment:delete_step", args=[event.pk]), {"reason": "重复登记"}
    )
    assert response.status_code == 302
    assert events(c) == ["application"]


def test_withdraw_needs_a_reason(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="talk")
    login(client, personas.secretary_a)
    url = reverse("recruitment:withdraw", args=[c.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    c.refresh_from_db()
    assert c.status == "active"
    response = client.post(url, {"reason": "本人调离"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "withdrawn"


def test_pages_work_on_a_phone_sized_layout(client, tree, personas, candidate_factory):
    """The board stacks its stage columns on a phone (col-12) and the timeline is a list."""
    candidate_factory(upto="contacts")
    login(client, personas.secretary_a)
    html = client.get(reverse("recruitment:board")).content.decode()
    assert 'class="col-12 col-md-6 col-xl-3"' in html
    assert "style=" not in html and "<script>" not in html
    assert timezone.localdate()  # the page used the real today
