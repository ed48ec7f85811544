"""Defects found in the review of the veterans app, each with its test: records follow a
retiree moved to another unit, no request on a pairing after it ended, the state filter
agrees with the rule, refusals name their field, list pages keep a fixed query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.conftest import PASSWORD
from tests.veterans.vet_people_world import vet_people_world  # noqa: F401

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.services import api_token_create
from dangjian.core.errors import AppError
from dangjian.rules import veterans as rules
from dangjian.veterans import selectors_people as sel
from dangjian.veterans import services_activities_care as sc
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_people as s
from dangjian.veterans import services_requests as sr
from dangjian.veterans.models import Contact, Exemplar, MediationCase, Pairing, Request

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def other_admin(tree):
    u = User.objects.create_user(username="admin_b", password=PASSWORD, display_name="乙局管理员")
    RoleGrant.objects.create(user=u, org=tree.party_group_b, role="unit_admin")
    return u


def _req(world, **kw):
    values = {
        "actor": None,
        "retiree": world.retiree,
        "kind": "need",
        "content": "希望协助办理助听器补贴。",
        "office": world.office,
        "pairing": world.pairing,
    }
    values.update(kw)
    return sr.request_record(**values)


def test_moving_a_retiree_moves_his_pairings_contacts_requests_and_cases(
    client, world, tree, personas, other_admin
):
    sp.contact_record(
        actor=None, pairing=world.pairing, kind="call", contacted_on=world.today, living="良好"
    )
    req = _req(world)
    exemplar = sc.exemplar_create(
        actor=None, retiree=world.retiree, title="诗奶奶", named_on=world.today, story="写诗"
    )
    case = sc.mediation_case_record(
        actor=None, exemplar=exemplar, handled_on=world.today, matter="邻里纠纷", outcome="resolved"
    )
    s.retiree_update(actor=personas.committee_admin, retiree=world.retiree, org=tree.branch_c)
    new = tree.branch_c.path
    assert set(
        Pairing.all_objects.filter(retiree=world.retiree).values_list("org_path", flat=True)
    ) == {new}
    assert set(Contact.all_objects.values_list("org_path", flat=True)) == {new}
    assert Request.all_objects.get(pk=req.pk).org_path == new
    assert Exemplar.all_objects.get(pk=exemplar.pk).org_path == new
    assert MediationCase.all_objects.get(pk=case.pk).org_path == new
    # 甲局's admin no longer reaches them; 乙局's admin does
    _login(client, personas.unit_admin)
    assert client.get(reverse("veterans:request", args=[req.pk])).status_code == 404
    url = reverse("veterans:contact_new", args=[world.pairing.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("veterans:exemplar", args=[exemplar.pk])).status_code == 404
    _login(client, other_admin)
    assert client.get(reverse("veterans:request", args=[req.pk])).status_code == 200
    assert client.get(reverse("veterans:retiree", args=[world.retiree.pk])).status_code == 200
    # the paired cadre keeps his pairing wherever the retiree is
    _login(client, personas.member_a)
    assert client.get(url).status_code == 200


def test_no_request_on_a_pairing_after_it_ended(client, world, personas):
    ended = world.today - dt.timedelta(days=10)
    sp.pairing_end(actor=None, pairing=world.pairing, ended_on=ended)
    world.pairing.refresh_from_db()
    with pytest.raises(AppError) as exc:
        _req(world, raised_on=world.today)
    assert exc.value.field == "raised_on" and "结对结束" in exc.value.message
    assert Request.all_objects.count() == 0
    # before the end it is still on record (a late entry of what was raised then)
    assert _req(world, raised_on=ended).pk
    token = api_token_create(actor=None, user=personas.member_a, name="t")
    secret = token[1] if isinstance(token, tuple) else token
    r = client.post(
        "/api/veterans/requests",
        {
            "retiree_id": world.retiree.pk,
            "pairing_id": world.pairing.pk,
            "kind": "voice",
            "content": "结对结束后的诉求",
            "office_id": world.office.pk,
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert r.status_code == 400 and r.json()["field"] == "raised_on"
    assert Request.all_objects.count() == 1


def test_state_filter_agrees_with_the_rule_for_a_request_closed_without_answer(world, personas):
    """A closed request with no answer date (imported or legacy data) is late by the rule; the
    list's filter must say the same, not drop it from every state."""
    req = _req(world)
    Request.all_objects.filter(pk=req.pk).update(status="closed", closed_on=world.today)
    req.refresh_from_db()
    state = rules.request_state(req.status, req.due_on, req.answered_on, world.today, 5)
    assert state == rules.ANSWERED_LATE
    for name in rules.REQUEST_STATE_LABELS:
        found = list(sel.request_list(personas.unit_admin, state=name, today=world.today))
        assert (req in found) == (name == state), name
        assert all(x.state == name for x in sel.with_states(found, world.today)), name


def test_closing_twice_is_refused_at_the_field(world):
    req = _req(world)
    sr.request_answer(actor=None, request=req, answer="已安排")
    sr.request_close(actor=None, request=req)
    with pytest.raises(AppError) as exc:
        sr.request_close(actor=None, request=req)
    assert exc.value.field == "closed_on"


def test_request_and_overdue_pairing_lists_keep_their_query_count(
    client, world, personas, django_assert_max_num_queries
):
    old = world.today - dt.timedelta(days=200)
    for i in range(25):
        r = s.retiree_create(actor=None, org=world.retiree_branch, name=f"老同志{i}")
        p = sp.pairing_create(actor=None, retiree=r, cadre=world.cadre, started_on=old)
        sr.request_record(
            actor=None, retiree=r, pairing=p, kind="wish", content="愿望", office=world.office
        )
    _login(client, personas.unit_admin)
    for url, params in (
        ("veterans:pairings", {"overdue": "1"}),
        ("veterans:requests", {"state": "open"}),
        ("veterans:requests", {"overdue": "1"}),
    ):
        with django_assert_max_num_queries(16):
            assert client.get(reverse(url), params).status_code == 200
    _login(client, personas.member_a)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("veterans:mine"))
    assert r.status_code == 200 and len(r.context["pairings"]) == 26


def test_a_deceased_retiree_owes_nothing(client, world, personas):
    """Recording a death ends his live pairings that day (audited): the cadre's page no
    longer shows an overdue call, a contact after the death is refused."""
    from dangjian.core.audit import AuditEntry

    died = world.today - dt.timedelta(days=3)
    assert sel.my_pairings(personas.member_a, world.today)[0].overdue  # owed before
    s.retiree_update(actor=personas.unit_admin, retiree=world.retiree, died_on=died)
    world.pairing.refresh_from_db()
    assert world.pairing.ended_on == died
    assert AuditEntry.objects.filter(action="veterans.pairing.ended").count() == 1
    assert sel.my_pairings(personas.member_a, world.today) == []
    with pytest.raises(AppError) as exc:
        sp.contact_record(
            actor=personas.member_a,
            pairing=world.pairing,
            kind="call",
            contacted_on=world.today,
            living="—",
        )
    assert exc.value.field == "contacted_on"
    assert Contact.all_objects.count() == 0
    _login(client, personas.member_a)
    r = client.get(reverse("veterans:mine"))
    assert r.status_code == 200 and r.context["pairings"] == []


def test_a_request_to_an_office_of_the_committee_reminds_its_administrators(world, tree, personas):
    """An office of the 工委 itself has no unit administrator above it: the due-soon to-do
    goes to the committee's administrators instead of nobody."""
    from dangjian.notify.models import Notification
    from dangjian.veterans.reminders import remind_veterans

    office = sp.office_create(actor=None, org=tree.root, name="工委老干部处")
    raised = world.today - dt.timedelta(days=14)  # due tomorrow: due soon
    req = sr.request_record(
        actor=None,
        retiree=world.retiree,
        kind="need",
        content="希望解决就医交通问题",
        office=office,
        raised_on=raised,
    )
    remind_veterans(today=world.today)
    items = Notification.objects.filter(
        user=personas.committee_admin, kind="veterans_request", link__contains=str(req.pk)
    )
    assert items.count() == 1
    assert not Notification.objects.filter(user=personas.unit_admin, kind="veterans_request")


def test_a_deceased_retiree_cannot_join_a_group(world, personas):
    s.retiree_update(actor=None, retiree=world.retiree2, died_on=world.today)
    world.retiree2.refresh_from_db()
    with pytest.raises(AppError) as exc:
        s.interest_group_join(actor=personas.unit_admin, group=world.group, retiree=world.retiree2)
    assert exc.value.field == "retiree"
    assert not world.group.members.filter(pk=world.retiree2.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "veterans:retirees",
        "veterans:requests",
        "veterans:pairings",
        "veterans:mine",
        "veterans:home",
    ],
)
def test_a_post_to_a_read_only_page_is_405_not_500(client, world, personas, url):
    _login(client, personas.unit_admin)
    assert client.post(reverse(url)).status_code == 405
