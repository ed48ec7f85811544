"""The legal-services pages through the Django test client: status per persona (the separated
roles and plain members get 404, another unit's admin 404 on this unit's objects), coverage
figures, forms that refuse in Chinese at the field with nothing written, and query counts that
do not grow with the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.legal import services_lawyers as sl
from dangjian.legal.models import Lawyer, LegalAidCase, VillageLawyer, WorkSystemItem
from tests.conftest import PASSWORD
from tests.legal import legal_svc_world

pytestmark = pytest.mark.django_db
lw = legal_svc_world.lw

PAGES = [
    "legal:home",
    "legal:firms",
    "legal:lawyers",
    "legal:villages",
    "legal:advisers",
    "legal:cases",
    "legal:activities",
    "legal:system",
    "legal:firm_new",
    "legal:lawyer_new",
    "legal:case_new",
]


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_admin", 200),
        ("unit_admin", 200),
        ("secretary_a", 404),
        ("member_a", 404),
        ("judge", 404),
        ("auditor", 404),
        ("security_admin", 404),
        ("system_admin", 404),
        ("outsider", 404),
    ],
)
def test_pages_per_persona(client, lw, personas, persona, status):
    _login(client, personas.by_name(persona))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == status, name
    response = client.get(reverse("legal:case", args=[lw.case_applied.pk]))
    assert response.status_code == status


def test_anonymous_is_sent_to_login(client, lw):
    response = client.get(reverse("legal:home"))
    assert response.status_code in (302, 401)


def test_another_units_objects_are_404(client, lw, personas):
    _login(client, personas.unit_admin)
    assert client.get(reverse("legal:case", args=[lw.other_case.pk])).status_code == 404
    assert client.get(reverse("legal:firm_edit", args=[lw.other_firm.pk])).status_code == 404
    assert client.get(reverse("legal:lawyer_edit", args=[lw.other_lawyer.pk])).status_code == 404
    response = client.post(
        reverse("legal:case_action", args=[lw.other_case.pk, "accept"]), {"accepted_on": ""}
    )
    assert response.status_code == 404
    lw.other_case.refresh_from_db()
    assert lw.other_case.status == "applied"


def test_overview_of_the_unit(client, lw, personas):
    _login(client, personas.unit_admin)
    response = client.get(reverse("legal:home"))
    page = response.content.decode()
    t = response.context["data"].total
    assert (t.lawyers, t.party_lawyers, t.firms, t.firms_with_branch) == (3, 2, 2, 1)
    assert (t.villages.covered, t.villages.total) == (2, 3)
    assert t.villages.text == "66.7%"
    assert t.advisers["city"].text == "100.0%"
    assert t.advisers["county"].text == "0.0%"
    assert t.advisers["all"].covered == 2 and t.advisers["all"].total == 3
    assert t.cases == 4 and t.trained == 45 and t.participants == 165
    assert response.context["data"].cases_pending == 2  # overdue review + assignment due
    assert 'data-legal-chart="chart-coverage"' in page
    assert "<script>" not in page.replace('<script type="application/json"', "")


def test_overview_of_the_committee_has_a_row_per_unit(client, lw, personas):
    _login(client, personas.committee_admin)
    response = client.get(reverse("legal:home"))
    units = response.context["data"].units
    assert [u.name for u in units] == ["甲局", "乙局"]
    assert units[1].lawyers == 1 and units[1].cases == 1
    assert response.context["data"].total.lawyers == 4


def test_villages_page_highlights_the_uncovered(client, lw, personas):
    _login(client, personas.unit_admin)
    response = client.get(reverse("legal:villages"))
    page = response.content.decode()
    assert page.count('data-testid="uncovered"') == 1
    assert "凤凰村" in page and "周明" in page
    rows = list(response.context["page"].object_list)
    assert rows[0].name == "凤凰村"  # the uncovered first
    covered = next(r for r in rows if r.name == "龙泉村")
    assert covered.logs.count == 4 and covered.logs.entries == 2
    only = client.get(reverse("legal:villages"), {"covered": "0"})
    assert [c.name for c in only.context["page"].object_list] == ["凤凰村"]


def test_assigning_twice_shows_the_message_and_writes_nothing(client, lw, personas):
    _login(client, personas.unit_admin)
    response = client.post(
        reverse("legal:village_assign"),
        {"community": lw.villages[0].pk, "lawyer": lw.lawyer.pk, "started_on": ""},
    )
    assert response.status_code == 400
    assert "该律师已是该村（社区）的驻点律师" in response.content.decode()
    assert VillageLawyer.all_objects.filter(community=lw.villages[0]).count() == 1


def test_assign_and_log_through_the_pages(client, lw, personas):
    _login(client, personas.unit_admin)
    response = client.post(
        reverse("legal:village_assign"),
        {"community": lw.villages[1].pk, "lawyer": lw.lawyer3.pk, "started_on": ""},
    )
    assert response.status_code == 302
    a = VillageLawyer.all_objects.get(community=lw.villages[1])
    response = client.post(
        reverse("legal:assignment_log", args=[a.pk]),
        {"kind": "visit", "served_on": "2001-01-01", "count": "1"},
    )
    assert response.status_code == 400
    assert "不能早于该律师驻点的开始日期" in response.content.decode()
    assert a.logs.count() == 0


def test_bad_licence_number_on_the_form(client, lw, personas):
    _login(client, personas.unit_admin)
    before = Lawyer.all_objects.count()
    response = client.post(
        reverse("legal:lawyer_new"),
        {"firm": lw.firm.pk, "name": "新人", "licence_no": "12345", "is_active": "on"},
    )
    assert response.status_code == 400  # a refused form answers 400, like the other forms
    assert "执业证号应为17位数字" in response.content.decode()
    assert Lawyer.all_objects.count() == before


def test_lawyer_form_refuses_another_units_firm(client, lw, personas):
    _login(client, personas.unit_admin)
    response = client.post(
        reverse("legal:lawyer_new"),
        {"firm": lw.other_firm.pk, "name": "新人", "licence_no": "14203201510000077"},
    )
    assert "请选择有效的律师事务所" in response.content.decode()
    assert not Lawyer.all_objects.filter(licence_no="14203201510000077").exists()


def test_case_detail_moves(client, lw, personas):
    _login(client, personas.unit_admin)
    url = reverse("legal:case_action", args=[lw.case_assigned.pk, "close"])
    response = client.post(url, {"outcome": "", "closed_on": ""})
    assert response.status_code == 400
    assert "请选择结果" in response.content.decode()
    assert LegalAidCase.all_objects.get(pk=lw.case_assigned.pk).status == "assigned"
    response = client.post(url, {"outcome": "won", "closed_on": ""})
    assert response.status_code == 302
    assert LegalAidCase.all_objects.get(pk=lw.case_assigned.pk).status == "closed"
    bogus = client.post(reverse("legal:case_action", args=[lw.case_applied.pk, "delete"]))
    assert bogus.status_code == 404


def test_case_list_filters_by_time_limit(client, lw, personas):
    _login(client, personas.unit_admin)
    response = client.get(reverse("legal:cases"), {"state": "overdue"})
    assert [c.case_no for c in response.context["page"].object_list] == [lw.case_overdue.case_no]
    page = response.content.decode()
    assert "张秀英" not in page and "张某某" in page  # the applicant masked in lists
    junk = client.get(reverse("legal:cases"), {"state": "x", "status": "y", "page": "zz"})
    assert junk.status_code == 200


def test_system_page_says_the_items_come_from_the_bureau(client, lw, personas):
    _login(client, personas.unit_admin)
    page = client.get(reverse("legal:system")).content.decode()
    assert 'data-testid="system-empty"' in page
    assert "必须由市司法局" in page
    response = client.post(
        reverse("legal:system_new"), {"heading": "两个目标", "kind": "goal", "text": "甲"}
    )
    assert response.status_code == 302
    assert WorkSystemItem.all_objects.filter(org=lw.org).count() == 1
    page = client.get(reverse("legal:system")).content.decode()
    assert 'data-testid="system-item"' in page


def test_nul_in_a_form_is_refused(client, lw, personas):
    _login(client, personas.unit_admin)
    from dangjian.legal.models import LawFirm

    before = LawFirm.all_objects.count()
    response = client.post(reverse("legal:firm_new"), {"name": "a\x00b"})
    assert response.status_code in (200, 400)
    assert LawFirm.all_objects.count() == before


@pytest.mark.parametrize(
    "name",
    [
        "legal:villages",
        "legal:lawyers",
        "legal:cases",
        "legal:advisers",
        "legal:activities",
        "legal:firms",
        "legal:home",
    ],
)
def test_list_queries_do_not_grow_with_rows(
    client, lw, personas, name, django_assert_max_num_queries
):
    _login(client, personas.unit_admin)
    client.get(reverse(name))  # warm caches (sessions, grants)
    for i in range(8):
        lawyer = sl.lawyer_create(
            actor=None, firm=lw.firm2, name=f"律师{i}", licence_no=f"1420320151100{i:04d}"
        )
        from dangjian.cocreation import services as cs
        from dangjian.legal import services_aid as sa
        from dangjian.legal import services_villages as sv

        place = cs.community_create(
            actor=None, name=f"新村{i}", kind="village", district="房县", township="城关镇"
        )
        sv.village_lawyer_assign(actor=None, community=place, lawyer=lawyer)
        sa.aid_case_create(
            actor=None,
            org=lw.org,
            case_no=f"N{i}",
            applicant_name="某",
            applicant_category="other",
            matter="事项",
            applied_on=lw.today,
        )
        sa.activity_record(
            actor=None,
            org=lw.org,
            kind="pufa",
            title=f"活动{i}",
            held_on=lw.today,
            lawyers=[lawyer],
        )
    with django_assert_max_num_queries(25):
        assert client.get(reverse(name)).status_code == 200


def test_edit_forms_save(client, lw, personas):
    _login(client, personas.unit_admin)
    response = client.post(
        reverse("legal:lawyer_edit", args=[lw.lawyer3.pk]),
        {
            "firm": lw.firm.pk,
            "name": "郑磊",
            "licence_no": lw.lawyer3.licence_no,
            "is_party_member": "on",
            "is_active": "on",
            "phone": "13912345678",
        },
    )
    assert response.status_code == 302
    lawyer = Lawyer.all_objects.get(pk=lw.lawyer3.pk)
    assert lawyer.firm_id == lw.firm.pk and lawyer.is_party_member
    assert lawyer.phone_masked == "139****5678"
    response = client.post(
        reverse("legal:firm_edit", args=[lw.firm2.pk]),
        {"name": "武当律师事务所", "district": "丹江口市", "party_branch": lw.firm.party_branch_id},
    )
    assert response.status_code == 302
    lw.firm2.refresh_from_db()
    assert lw.firm2.district == "丹江口市" and lw.firm2.party_branch_id is not None


def test_the_committee_picks_the_unit(client, lw, personas, tree):
    _login(client, personas.committee_admin)
    page = client.get(reverse("legal:firm_new")).content.decode()
    assert 'name="unit"' in page
    response = client.post(reverse("legal:firm_new"), {"name": "新所"})
    assert "请选择单位" in response.content.decode()
    response = client.post(
        reverse("legal:firm_new"), {"unit": tree.party_group_b.pk, "name": "乙局新所"}
    )
    assert response.status_code == 302
    from dangjian.legal.models import LawFirm

    assert LawFirm.all_objects.get(name="乙局新所").org_id == tree.party_group_b.pk
