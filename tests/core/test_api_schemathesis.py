"""schemathesis against the app's own OpenAPI schema (issue #4 item 6): every operation of
/api/openapi.json, a bounded and repeatable number of generated requests each, sent in-process
to the WSGI app as a unit administrator (甲局) calling with an API token. Each response must
not be a server error, must use a status code the schema declares, and must match the
schema declared for that code.

Budget: MAX_EXAMPLES generated cases per operation, derandomized (the same cases on every
run, so a failure in CI is reproducible locally), no deadline (the first requests warm up).
The cases mix valid requests (schemathesis' positive mode), requests whose path ids are
ones the fixture created, inside and outside the caller's scope (so the 200 paths and their
response schemas are exercised, not only 404s), and invalid requests (negative mode).
Writes are included; what they create stays inside the test's database transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SCHEMA_URL = "/api/openapi.json"


def _labels() -> list[str]:
    """The operations, read at collection time from the same NinjaAPI that serves the schema
    (the test itself loads the schema over HTTP, and checks that the two agree)."""
    from dangjian.api import api

    document = api.get_openapi_schema(path_prefix="/api/")
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


LABELS = _labels()


@pytest.fixture
def caller(personas):
    """The unit administrator of 甲局, calling as another system does: a bearer token, no
    session, no CSRF token."""
    from dangjian.accounts.services import api_token_create

    _, plain = api_token_create(actor=None, user=personas.unit_admin, name="schemathesis")
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def known_ids(tree, personas) -> dict[str, list[int]]:
    """Ids of real rows for path parameters: in the caller's scope and outside it."""
    from dangjian.members.models import ImportJob

    job = ImportJob.objects.create(
        org=tree.branch_a,
        org_path=tree.branch_a.path,
        created_by=personas.unit_admin,
        original_name="名单.xlsx",
        stored_name="0" * 32 + ".xlsx",
        size=1,
    )
    import datetime as dt

    from django.utils import timezone

    from dangjian.orglife.models import Meeting

    starts = timezone.now() - dt.timedelta(days=3)
    meetings = [
        Meeting.objects.create(
            org=org,
            org_path=org.path,
            kind="theme_day",
            topic="主题党日",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            sign_in_code=code,
        )
        for org, code in [(tree.branch_a, "ST0001"), (tree.branch_c, "ST0002")]
    ]
    orgs = [tree.party_group_a, tree.organ_a, tree.branch_a, tree.branch_b, tree.branch_c]
    members = [*tree.members_a, *tree.members_b, *tree.members_c]
    ids = {
        "org_id": [o.pk for o in orgs],
        "member_id": [m.pk for m in members],
        "job_id": [job.pk],
        "meeting_id": [m.pk for m in meetings],
    }
    ids.update(_assessment_ids(tree, personas, starts))
    ids.update(_lifecycle_ids(tree))
    ids.update(_study_ids(tree, starts))
    ids.update(_duty_ids(tree))
    ids.update(_cocreation_ids(tree))
    ids.update(_task_ids(tree))
    ids.update(_veterans_ids(tree))
    ids.update(_legal_ids(tree))
    return ids


def _veterans_ids(tree) -> dict[str, list[int]]:
    """A retiree of 甲局 with a request, a team and its activity, a studio, a care session, an
    exemplar and a mediation case."""
    from dangjian.veterans import services_activities as va
    from dangjian.veterans import services_activities_care as vc
    from dangjian.veterans import services_pairings as vp
    from dangjian.veterans import services_people as vpe
    from dangjian.veterans import services_requests as vr

    org = tree.party_group_a
    start = timezone.localdate() - dt.timedelta(days=30)
    retiree = vpe.retiree_create(actor=None, org=org, name="老周")
    office = vp.office_create(actor=None, org=org, name="离休干部处")
    request = vr.request_record(
        actor=None,
        retiree=retiree,
        kind="need",
        content="想学用手机挂号",
        office=office,
        source="self",
    )
    team = va.team_create(actor=None, org=org, name="银龄先锋队", founded_on=start)
    va.team_member_add(actor=None, team=team, retiree=retiree, joined_on=start)
    activity = va.volunteer_activity_record(
        actor=None,
        team=team,
        title="社区义诊",
        held_on=start + dt.timedelta(days=1),
        hours=Decimal("2"),
        participants=[retiree],
    )
    studio = vc.studio_create(
        actor=None, org=org, kind="studio", name="剪报工作室", opened_on=start
    )
    session = vc.care_session_record(
        actor=None, org=org, kind="smart", title="手机课堂", held_on=start
    )
    exemplar = vc.exemplar_create(
        actor=None, retiree=retiree, title="金牌调解员", named_on=start, story="调解邻里纠纷"
    )
    case = vc.mediation_case_record(
        actor=None, exemplar=exemplar, handled_on=start, matter="宅基地纠纷", outcome="resolved"
    )
    return {
        "retiree_id": [retiree.pk],
        "request_id": [request.pk],
        "team_id": [team.pk],
        "activity_id": [activity.pk],
        "studio_id": [studio.pk],
        "session_id": [session.pk],
        "exemplar_id": [exemplar.pk],
        "case_id": [case.pk],
    }


def _legal_ids(tree) -> dict[str, list[int]]:
    """A 四张清单 list of 甲局 with an item, and a legal aid case."""
    from dangjian.legal import services_aid as aid
    from dangjian.legal import services_lists as lists

    org = tree.party_group_a
    start = timezone.localdate() - dt.timedelta(days=30)
    kept = lists.list_create(
        actor=None, org=org, domain="市场监管", kind="no_penalty", effective_from=start
    )
    item = lists.item_create(
        actor=None,
        lenient_list=kept,
        conduct="首次轻微违法",
        legal_basis="行政处罚法第三十三条",
        conditions="及时改正，没有造成危害后果",
    )
    case = aid.aid_case_create(
        actor=None,
        org=org,
        case_no="援2026001",
        applicant_name="王某",
        applicant_category="elderly",
        matter="追索赡养费",
        applied_on=start,
    )
    return {
        "list_id": [kept.pk],
        "item_id": [item.pk],
        "case_id_aid": [case.pk],
        "action": ["accept", "refuse", "assign", "close"],
    }


def _task_ids(tree) -> dict[str, list[int]]:
    """A published work point with a task for each unit."""
    from tests.responsibility.resp_tasks_support import make_point

    _point, tasks = make_point(tree)
    return {"task_id": [t.pk for t in tasks]}


def _cocreation_ids(tree) -> dict[str, list[int]]:
    """One community paired with both units, a project with a metric and a milestone each."""
    from dangjian.cocreation import services as co

    start = timezone.localdate() - dt.timedelta(days=30)
    place = co.community_create(
        actor=None, name="龙泉村", kind="village", district="郧阳区", township="谭家湾镇"
    )
    ids: dict[str, list[int]] = {"pairing_id": [], "project_id": [], "milestone_id": []}
    for org in (tree.party_group_a, tree.party_group_b):
        pairing = co.pairing_create(actor=None, org=org, community=place, started_on=start)
        project = co.project_create(
            actor=None,
            pairing=pairing,
            title="户户通",
            category="roads",
            goal="硬化道路",
            starts_on=start,
        )
        metric = co.metric_add(actor=None, project=project, name="硬化道路", unit="公里", target=12)
        milestone = co.milestone_add(
            actor=None, project=project, title="一组道路硬化", due_on=start, metric=metric, amount=3
        )
        ids["pairing_id"].append(pairing.pk)
        ids["project_id"].append(project.pk)
        ids["milestone_id"].append(milestone.pk)
    return ids


def _duty_ids(tree) -> dict[str, list[int]]:
    """A confirmed responsibility list with one item in each unit (甲局's, the caller's, and
    乙局's)."""
    from tests.responsibility.resp_duties_support import confirmed_list

    lists, items = [], []
    for org in (tree.party_group_a, tree.party_group_b):
        duty_list, made = confirmed_list(org, year=2026, items=1)
        lists.append(duty_list.pk)
        items.append(made[0].pk)
    return {"duty_list_id": lists, "duty_item_id": items}


def _study_ids(tree, starts) -> dict[str, list[int]]:
    """Study rows in branch A (the caller's) and branch C (乙局's): a plan with a line, a
    session, a training, a link material, a bank with questions, an open quiz with an
    attempt, a note."""
    import datetime as dt
    from types import SimpleNamespace

    from dangjian.study import services_library, services_notes, services_quiz
    from dangjian.study import services_sessions as sessions
    from dangjian.study.models import Topic

    ids: dict[str, list[int]] = {
        k: []
        for k in (
            "plan_id",
            "item_id",
            "session_id",
            "training_id",
            "material_id",
            "bank_id",
            "quiz_id",
            "attempt_id",
            "note_id",
        )
    }
    topic, _ = Topic.objects.get_or_create(
        name="党章党规"
    )  # a flush may have removed the seeded ones
    text = "学习党章，重温入党誓词，联系本职工作谈体会，" * 4
    for branch, member in ((tree.branch_a, tree.members_a[1]), (tree.branch_c, tree.members_c[0])):
        plan = sessions.plan_save(actor=None, org=branch, year=starts.year, title="学习计划")
        item = sessions.plan_item_add(
            actor=None,
            plan=plan,
            month=1,
            topic="党章",
            form="concentrated",
            mode="in_person",
            hours="2",
        )
        session = sessions.session_create(
            actor=None,
            org=branch,
            form="concentrated",
            mode="in_person",
            topic="集中学习",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            hours="2",
        )
        training = sessions.training_submit(
            actor=None,
            member=member,
            title="党校轮训",
            provider="市委党校",
            kind="party_school",
            started_on=starts.date() - dt.timedelta(days=10),
            ended_on=starts.date() - dt.timedelta(days=9),
            hours="8",
        )
        material = services_library.material_create(
            actor=None,
            org=branch,
            topic=topic,
            title="学习资料",
            description="",
            kind="link",
            url="https://example.invalid/a",
        )
        bank = services_quiz.bank_create(actor=None, org=branch, title="题库")
        for n in range(3):
            services_quiz.question_add(
                actor=None, bank=bank, kind="judge", text=f"判断题{n}", options=[], answer=[0]
            )
        quiz = services_quiz.quiz_create(
            actor=None,
            org=branch,
            bank=bank,
            title="自测",
            question_count=2,
            time_limit_minutes=30,
            pass_score=60,
            opens_at=starts,
            closes_at=starts + dt.timedelta(days=30),
        )
        attempt = services_quiz.quiz_start(actor=None, quiz=quiz, member=member)
        actor = SimpleNamespace(  # the member himself, an account without grants
            pk=None,
            member_id=member.pk,
            member=member,
            is_active=True,
            is_authenticated=True,
            _dangjian_grants=[],
        )
        note = services_notes.note_submit(actor=actor, title="心得", text=text)
        for key, row in zip(
            ids, (plan, item, session, training, material, bank, quiz, attempt, note), strict=True
        ):
            ids[key].append(row.pk)
    return ids


def _lifecycle_ids(tree) -> dict[str, list[int]]:
    """Dues (a base, a month's charges, a payment, a run, a statement) and recruitment
    (a candidate) in branch A (the caller's) and branch C (乙局's)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.dues import services as dues
    from dangjian.dues.services_reconcile import statement_import
    from dangjian.recruitment.services import candidate_create

    month = dt.date(2026, 1, 1)
    payments, runs, statements, candidates = [], [], [], []
    for branch, member in ((tree.branch_a, tree.members_a[1]), (tree.branch_c, tree.members_c[0])):
        dues.base_set(
            actor=None, member=member, category="in_service", effective_month=month, base="4000"
        )
        runs.append(dues.charges_generate(actor=None, org=branch, month=month).pk)
        payment = dues.payment_record(
            actor=None,
            member=member,
            amount=Decimal("40.00"),
            paid_on=dt.date(2026, 1, 10),
            method="cash",
            months=[month],
        )
        payments.append(payment.pk)
        csv = f"姓名,金额,日期\n{member.name},40.00,2026-01-12\n".encode()
        upload = SimpleUploadedFile("流水.csv", csv, content_type="text/csv")
        statement = statement_import(
            actor=None, org=branch, month=month, source="bank", uploaded_file=upload
        )
        statements.append(statement.pk)
        candidate = candidate_create(
            actor=None,
            branch=branch,
            name="陈小明",
            sex="1",
            birth_date=dt.date(1996, 5, 4),
            application_on=dt.date(2026, 3, 1),
        )
        candidates.append(candidate.pk)
    return {
        "payment_id": payments,
        "run_id": runs,
        "statement_id": statements,
        "candidate_id": candidates,
    }


def _assessment_ids(tree, personas, starts) -> dict[str, list[int]]:
    """A published scheme of the 工委 (甲局 and 乙局 assessed), a live observation meeting of
    甲局 with one stop, a contest and a review: ids inside and outside the caller's scope."""
    from dangjian.assessment import services_contest as contests
    from dangjian.assessment import services_observation as obs
    from dangjian.assessment import services_review as reviews
    from dangjian.assessment import services_schemes as schemes
    from dangjian.assessment.models import Assessment

    scheme = schemes.scheme_from_template(
        actor=None, owner=tree.root, year=2026, template_code="five_basics"
    )
    schemes.scheme_publish(actor=None, scheme=scheme)
    sheet = schemes.scheme_create(
        actor=None, owner=tree.root, year=2026, name="评分表", target="stop"
    )
    item = schemes.indicator_add(
        actor=None, scheme=sheet, title="阵地展示", max_points="100", method="manual"
    )
    schemes.scheme_publish(actor=None, scheme=sheet)
    meetings = []
    for owner in (tree.party_group_a, tree.party_group_b):
        meeting = obs.observation_create(
            actor=None, owner=owner, title="观摩会", starts_at=starts, sheet=sheet
        )
        stop = obs.stop_add(actor=None, meeting=meeting, org=owner, place="门口")
        obs.judge_add(actor=None, meeting=meeting, user=personas.unit_admin, name="评委")
        obs.observation_start(actor=None, meeting=meeting)
        meetings.append((meeting, stop))
    contest = contests.contest_create(actor=None, owner=tree.root, year=2026, name="书记赛党建")
    review = reviews.review_create(actor=None, owner=tree.root, year=2026, title="述职评议")
    indicators = list(scheme.indicators.values_list("pk", flat=True)[:3])
    return {
        "scheme_id": [scheme.pk, sheet.pk],
        "assessment_id": list(
            Assessment.objects.unscoped().filter(scheme=scheme).values_list("pk", flat=True)
        ),
        "indicator_id": [*indicators, item.pk],
        "meeting_id_observation": [m.pk for m, _ in meetings],
        "stop_id": [s.pk for _, s in meetings],
        "contest_id": [contest.pk],
        "review_id": [review.pk],
    }


def test_every_operation_is_covered(client):
    served = client.get(SCHEMA_URL).json()
    labels = [
        f"{method.upper()} {path}" for path, item in served["paths"].items() for method in item
    ]
    assert sorted(labels) == sorted(LABELS)
    assert len(LABELS) >= 9


def _strategy(operation, known_ids):
    names = re.findall(r"{(\w+)}", operation.path)
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    negative = operation.as_strategy(GenerationMode.NEGATIVE)
    if not names:
        return st.one_of(positive, positive, negative)

    def ids_for(name):
        # an observation meeting's id is a meeting_id too, of another table
        if name == "meeting_id" and "/observations/" in operation.path:
            return known_ids["meeting_id_observation"]
        # a legal aid case's id is a case_id too, of another table than mediation cases'
        if name == "case_id" and "/legal/" in operation.path:
            return known_ids["case_id_aid"]
        return known_ids[name]

    known = st.fixed_dictionaries({n: st.sampled_from(ids_for(n)) for n in names}).flatmap(
        lambda ids: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids)
    )
    return st.one_of(known, known, positive, negative)


@pytest.fixture
def keep_connection():
    """The WSGI handler sends request_started/finished, whose close_old_connections would
    close the test's database connection in the middle of its transaction (on PostgreSQL a
    connection outside autocommit counts as unusable). Django's test client disconnects it
    the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("label", LABELS)
@override_settings(API_RATE_LIMIT_PER_MINUTE=1_000_000)  # a fuzzer is a burst by design
def test_operation_conforms(label, caller, known_ids, keep_connection):
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app)
    method, path = label.split(" ", 1)
    operation = schema[path][method]

    # The examples run inside one pytest test, so they share its function-scoped fixtures:
    # the `db` transaction, the token and the tree. Hypothesis warns about that because
    # state then carries from one example to the next; here that is intended (a row one
    # example creates may be read or changed by the next, as on a live server), and the
    # whole run is rolled back with the test. Hence the health check is suppressed.
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )
    @given(case=_strategy(operation, known_ids))
    def check(case):
        response = case.call(app=app, headers=caller)
        case.validate_response(response, checks=CHECKS)

    check()


def test_token_writes_need_no_csrf_but_session_writes_do(caller, personas, tree):
    """Found by this module: with the session checked first, every write with a token was
    refused with 403 "CSRF check Failed". CSRF protects what a session cookie authorises;
    a token call carries no cookie and needs no CSRF token."""
    from django.test import Client

    payload = {"parent_id": tree.organ_a.pk, "name": "第三党支部", "kind": "branch"}
    token_client = Client(enforce_csrf_checks=True)
    response = token_client.post(
        "/api/orgs",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=caller["Authorization"],
    )
    assert response.status_code == 201, response.content
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.unit_admin)
    response = browser.post("/api/orgs", payload, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"] and "请刷新页面" in response.json()["detail"]


def test_schema_names_are_unique():
    """django-ninja files response and request schemas under their class name: two routers
    with different classes of the same name overwrite each other in /api/openapi.json, and
    the documented shape of one operation becomes the other's. Identical twins (the shared
    error bodies) are harmless."""
    from ninja import Schema

    from dangjian import api  # noqa: F401 - imports every router

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen: dict[str, dict] = {}
    clashes = []
    for cls in subclasses(Schema):
        if not cls.__module__.startswith("dangjian."):
            continue
        shape = cls.model_json_schema()
        if cls.__name__ in seen and seen[cls.__name__] != shape:
            clashes.append(cls.__name__)
        seen.setdefault(cls.__name__, shape)
    assert clashes == []
