"""Services of the retirees, pairings, contacts and requests: sealing, reveal audit, the
bad input of the issue (nothing written), who may do what."""

import datetime as dt

import pytest
from django.http import Http404
from tests.veterans.vet_people_world import vet_people_world  # noqa: F401

from dangjian.core import crypto
from dangjian.core.audit import AuditEntry
from dangjian.core.errors import AppError
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_people as s
from dangjian.veterans import services_requests as sr
from dangjian.veterans.models import Contact, Pairing, Request, Retiree

pytestmark = pytest.mark.django_db
D = dt.timedelta


def _request(w, actor=None, **kw):
    data = dict(
        retiree=w.retiree,
        kind="need",
        content="希望协助办理助听器补贴。",
        office=w.office,
        pairing=w.pairing,
    )
    data.update(kw)
    return sr.request_record(actor=actor, **data)


def test_retiree_sealed_and_masked(world):
    r = Retiree.all_objects.get(pk=world.retiree.pk)
    assert r.phone_masked == "139****5678"
    assert r.address_masked == "湖北省十堰市****"
    assert "13912345678" not in r.phone_sealed
    assert crypto.decrypt(r.phone_sealed) == "13912345678"
    assert r.has_health_note and crypto.decrypt(r.health_note_sealed) == "高血压，需定期复查"
    assert AuditEntry.objects.filter(action="veterans.retiree.created").count() == 3


def test_retiree_update_keeps_or_clears_sealed(world, personas):
    r = s.retiree_update(actor=personas.unit_admin, retiree=world.retiree, former_post="主席")
    assert r.former_post == "主席" and r.has_health_note
    r = s.retiree_update(actor=personas.unit_admin, retiree=r, health_note="")
    assert not r.has_health_note and r.health_note_sealed == ""
    entry = AuditEntry.objects.filter(action="veterans.retiree.updated").last()
    assert "高血压" not in str(entry.changes)


def test_retiree_reveal_is_audited_and_guarded(world, personas):
    value = s.retiree_reveal(actor=personas.unit_admin, retiree=world.retiree, item="health_note")
    assert value == "高血压，需定期复查"
    entry = AuditEntry.objects.get(action="veterans.retiree.revealed")
    assert entry.changes["field"] == "health_note" and "高血压" not in str(entry.changes)
    for who in ("member_a", "secretary_a", "auditor", "system_admin"):
        with pytest.raises(Http404):
            s.retiree_reveal(actor=personas.by_name(who), retiree=world.retiree, item="phone")
    with pytest.raises(AppError):
        s.retiree_reveal(actor=personas.unit_admin, retiree=world.retiree, item="name")


def test_retiree_create_refusals(world, personas):
    with pytest.raises(AppError) as e:
        s.retiree_create(actor=personas.unit_admin, org=world.retiree_branch, name=" ")
    assert e.value.field == "name"
    with pytest.raises(Http404):
        s.retiree_create(actor=personas.unit_admin, org=world.retiree_b.org, name="某")
    with pytest.raises(AppError) as e:
        s.retiree_create(
            actor=None,
            org=world.retiree_branch,
            name="王某",
            birth_date=world.today + D(days=1),
        )
    assert e.value.field == "birth_date" and "不能晚于今天" in e.value.message


def test_pairing_twice_is_refused(world, personas):
    before = Pairing.all_objects.count()
    with pytest.raises(AppError) as e:
        sp.pairing_create(
            actor=personas.unit_admin,
            retiree=world.retiree,
            cadre=world.cadre,
            started_on=world.today,
        )
    assert e.value.field == "cadre" and "不能重复结对" in e.value.message
    assert Pairing.all_objects.count() == before
    sp.pairing_end(actor=personas.unit_admin, pairing=world.pairing)
    again = sp.pairing_create(
        actor=personas.unit_admin, retiree=world.retiree, cadre=world.cadre, started_on=world.today
    )
    assert again.pk != world.pairing.pk


def test_pairing_cadre_of_another_unit_refused(world, personas, tree):
    with pytest.raises(AppError) as e:
        sp.pairing_create(
            actor=personas.unit_admin,
            retiree=world.retiree2,
            cadre=tree.members_c[0],
            started_on=world.today,
        )
    assert e.value.field == "cadre"


def test_contact_by_cadre_and_refusals(world, personas):
    c = sp.contact_record(
        actor=personas.member_a,
        pairing=world.pairing,
        kind="visit",
        contacted_on=world.today,
        thoughts="思想稳定",
        living="独居，生活能自理",
    )
    assert c.recorded_by == personas.member_a and c.org_path == world.pairing.org_path
    assert AuditEntry.objects.filter(action="veterans.contact.recorded").count() == 1
    n = Contact.all_objects.count()
    with pytest.raises(AppError) as e:
        sp.contact_record(
            actor=personas.member_a,
            pairing=world.pairing,
            kind="call",
            contacted_on=world.today + D(days=1),
            thoughts="x",
        )
    assert e.value.field == "contacted_on" and "不能晚于今天" in e.value.message
    with pytest.raises(AppError) as e:
        sp.contact_record(
            actor=personas.member_a,
            pairing=world.pairing,
            kind="call",
            contacted_on=world.pairing.started_on - D(days=1),
            thoughts="x",
        )
    assert "不能早于结对日期" in e.value.message
    with pytest.raises(AppError) as e:
        sp.contact_record(
            actor=personas.member_a,
            pairing=world.pairing,
            kind="letter",
            contacted_on=world.today,
            thoughts="x",
        )
    assert e.value.field == "kind"
    for who in ("secretary_a", "secretary_b", "judge", "auditor"):
        with pytest.raises(Http404):
            sp.contact_record(
                actor=personas.by_name(who),
                pairing=world.pairing,
                kind="call",
                contacted_on=world.today,
                thoughts="x",
            )
    assert Contact.all_objects.count() == n
    # a manager over the retiree may log it too
    sp.contact_record(
        actor=personas.unit_admin,
        pairing=world.pairing,
        kind="call",
        contacted_on=world.today,
        living="好",
    )


def test_request_flow_and_closed_answer_refused(world, personas, settings):
    settings.VETERANS_REQUEST_DAYS = 15
    req = _request(world, actor=personas.member_a, raised_on=world.today - D(days=3))
    assert req.due_on == world.today + D(days=12) and req.status == "open"
    req = sr.request_answer(actor=personas.unit_admin, request=req, answer="已联系民政部门。")
    assert req.status == "answered" and req.answered_by == personas.unit_admin
    entry = AuditEntry.objects.get(action="veterans.request.answered")
    assert entry.changes["state"] == "answered_in_time"
    req = sr.request_feedback(actor=personas.member_a, request=req, satisfaction="satisfied")
    assert req.status == "fed_back" and req.satisfaction == "satisfied"
    req = sr.request_close(actor=personas.unit_admin, request=req)
    assert req.status == "closed"
    with pytest.raises(AppError) as e:
        sr.request_answer(actor=personas.unit_admin, request=req, answer="再次答复")
    assert e.value.message == "该诉求已办结，不能再答复。"
    fresh = Request.all_objects.get(pk=req.pk)
    assert fresh.answer == "已联系民政部门。" and fresh.status == "closed"


def test_only_managers_answer(world, personas):
    req = _request(world, actor=personas.member_a)
    for who in ("member_a", "secretary_a", "auditor", "system_admin"):
        with pytest.raises(Http404):
            sr.request_answer(actor=personas.by_name(who), request=req, answer="好")
    assert Request.all_objects.get(pk=req.pk).status == "open"


def test_family_request_needs_family_name(world, personas):
    n = Request.all_objects.count()
    with pytest.raises(AppError) as e:
        _request(world, actor=personas.member_a, source="family", family_name="  ")
    assert e.value.field == "family_name" and "家属" in e.value.message
    assert Request.all_objects.count() == n
    req = _request(world, actor=personas.member_a, source="family", family_name="李小军")
    assert req.family_name == "李小军"


def test_request_refusals(world, personas):
    n = Request.all_objects.count()
    with pytest.raises(AppError) as e:
        _request(world, actor=personas.member_a, office=world.office_b)
    assert e.value.field == "office"
    with pytest.raises(AppError) as e:
        _request(world, actor=personas.member_a, raised_on=world.today + D(days=2))
    assert e.value.field == "raised_on"
    with pytest.raises(Http404):
        _request(world, actor=personas.secretary_b)
    with pytest.raises(Http404):  # without the pairing: managers only
        _request(world, actor=personas.member_a, pairing=None)
    assert Request.all_objects.count() == n
    req = _request(world, actor=personas.member_a)
    with pytest.raises(AppError):
        sr.request_feedback(actor=personas.member_a, request=req, satisfaction="satisfied")
    with pytest.raises(AppError):
        sr.request_close(actor=personas.unit_admin, request=req)


def test_reassign(world, personas):
    req = _request(world, actor=personas.member_a)
    req = sr.request_reassign(actor=personas.unit_admin, request=req, office=world.office2)
    assert req.office == world.office2
    with pytest.raises(AppError):
        sr.request_reassign(actor=personas.unit_admin, request=req, office=world.office_b)
    assert AuditEntry.objects.filter(action="veterans.request.reassigned").count() == 1


def test_groups_and_offices(world, personas):
    with pytest.raises(AppError) as e:
        s.interest_group_create(actor=personas.unit_admin, org=world.retiree_branch, name="诗词")
    assert e.value.field == "name"
    g = s.interest_group_create(actor=personas.unit_admin, org=world.retiree_branch, name="书画")
    s.interest_group_join(actor=personas.unit_admin, group=g, retiree=world.retiree2)
    with pytest.raises(AppError):
        s.interest_group_join(actor=personas.unit_admin, group=g, retiree=world.retiree2)
    with pytest.raises(AppError):
        s.interest_group_join(actor=personas.unit_admin, group=g, retiree=world.retiree_b)
    s.interest_group_leave(actor=personas.unit_admin, group=g, retiree=world.retiree2)
    assert not g.members.exists()
    g = s.interest_group_update(actor=personas.unit_admin, group=g, name="书画摄影")
    assert g.name == "书画摄影"
    with pytest.raises(AppError):
        sp.office_create(actor=personas.unit_admin, org=world.office.org, name="离休干部处")
    o = sp.office_update(actor=personas.unit_admin, office=world.office2, is_active=False)
    assert not o.is_active
    with pytest.raises(AppError):
        _request(world, actor=personas.member_a, office=o)


def test_nul_and_oversized_text_refused(world, personas):
    n = Request.all_objects.count()
    with pytest.raises(AppError) as e:
        _request(world, actor=personas.member_a, content="a\x00b")
    assert e.value.field == "content"
    with pytest.raises(AppError) as e:
        _request(world, actor=personas.member_a, content="长" * 2001)
    assert "不能超过2000个字" in e.value.message
    assert Request.all_objects.count() == n
    with pytest.raises(AppError) as e:
        s.retiree_create(actor=None, org=world.retiree_branch, name="王\x00老")
    assert e.value.field == "name"


def test_member_linked_once(world, tree):
    m = tree.members_b[1]
    s.retiree_create(actor=None, org=world.retiree_branch, name=m.name, member=m)
    with pytest.raises(AppError) as e:
        s.retiree_create(actor=None, org=world.retiree_branch, name=m.name, member=m)
    assert e.value.field == "member" and "已登记" in e.value.message
