"""The roster pages: search, filters, masking, reveal, the member form."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import member_data

from dangjian.core import crypto
from dangjian.core.models import AuditEntry
from dangjian.members import services
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [m.name for m in response.context["page"]]


@pytest.fixture
def admin(client, personas):
    client.force_login(personas.unit_admin)
    return client


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("zsf", ["张三丰"]),
        ("ZSF", ["张三丰"]),
        ("zhangsan", ["张三丰"]),
        ("张", ["张三丰"]),
        ("l", ["李四"]),
        ("qq", ["钱七"]),
        ("nobody", []),
    ],
)
def test_search_by_name_pinyin_and_initials(admin, tree, q, expected):
    response = admin.get("/members/", {"q": q})
    assert response.status_code == 200
    assert _names(response) == expected


def test_search_by_id_tail_and_full_number(admin, tree):
    member = tree.members_a[2]
    number = crypto.decrypt(member.id_number_sealed)
    assert _names(admin.get("/members/", {"q": number[-4:]})) == [member.name]
    assert _names(admin.get("/members/", {"q": number})) == [member.name]
    assert _names(admin.get("/members/", {"q": number.lower()})) == [member.name]


def test_search_never_leaves_scope(client, tree, personas):
    client.force_login(personas.secretary_b)
    assert _names(client.get("/members/", {"q": "zsf"})) == []
    number = crypto.decrypt(tree.members_a[0].id_number_sealed)
    assert _names(client.get("/members/", {"q": number})) == []


def test_filters_and_sort(admin, tree):
    assert _names(admin.get("/members/", {"category": "probationary"})) == ["钱七"]
    assert _names(admin.get("/members/", {"sex": "female"})) == ["钱七"]
    names = _names(admin.get("/members/", {"sort": "-pinyin"}))
    assert (
        names
        == sorted(names, key=lambda n: Member.objects.unscoped().get(name=n).name_pinyin)[::-1]
    )
    services.member_leave(
        actor=None, member=tree.members_a[1], on=dt.date(2022, 1, 1), reason="died"
    )
    assert "李四" not in _names(admin.get("/members/"))
    assert _names(admin.get("/members/", {"status": "left"})) == ["李四"]
    # junk filter values fall back to defaults, never a 500
    assert admin.get("/members/", {"status": "x", "sort": "y", "category": "z"}).status_code == 200


def test_list_shows_masks_only(admin, tree):
    content = admin.get("/members/").content.decode()
    for m in tree.members_a:
        assert m.id_number_masked in content
        assert crypto.decrypt(m.id_number_sealed) not in content


def test_list_query_count_does_not_grow(admin, tree, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for i in range(n):
            services.member_create(
                actor=None,
                branch=tree.branch_a,
                name="测试" + "甲乙丙丁戊己庚辛壬癸"[i % 10] * 2,
                **member_data(),
            )

    add(5)
    with CaptureQueriesContext(connection) as few:
        admin.get("/members/", {"q": "cs"})
    add(30)
    with CaptureQueriesContext(connection) as more:
        response = admin.get("/members/", {"q": "cs"})
    assert len(more) == len(few) <= 11  # with the to-do bell's count
    assert len(response.context["page"]) == 30
    with django_assert_max_num_queries(10):
        admin.get("/members/", {"status": "attention", "page": 2})


def test_detail_masks_and_reveal_is_audited(client, tree, personas):
    member = tree.members_a[0]
    number = crypto.decrypt(member.id_number_sealed)
    client.force_login(personas.secretary_a)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert member.id_number_masked in page and number not in page
    assert 'data-testid="reveal-id_number"' in page
    response = client.post(f"/members/{member.pk}/reveal/id_number/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and number in response.content.decode()
    entry = AuditEntry.objects.get(action="members.member.revealed")
    assert entry.object_id == str(member.pk) and entry.actor == personas.secretary_a
    # GET never reveals; unknown items are 404
    assert client.get(f"/members/{member.pk}/reveal/id_number/").status_code == 405
    assert client.post(f"/members/{member.pk}/reveal/name/").status_code == 404


def test_create_through_the_form_with_errors_then_success(admin, tree):
    data = member_data()
    form = {
        "name": "新党员",
        "sex": data["sex"],
        "ethnicity": "01",
        "id_number": data["id_number"][:-1] + ("0" if data["id_number"][-1] != "0" else "1"),
        "birth_date": data["birth_date"].isoformat(),
        "education": "21",
        "category": "full",
        "branch": tree.branch_a.pk,
        "joined_on": data["joined_on"].isoformat(),
        "converted_on": "",
        "post": "0110",
        "employment": "in_service",
        "phone": "13800138000",
        "address": "湖北省十堰市茅箭区北京路2号",
        "standing": "normal",
        "lost_contact": "0",
        "mobile": "0",
    }
    response = admin.post("/members/new/", form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "R-INFO-03" in errors["id_number"][0]
    assert "R-INFO-03" in errors["converted_on"][0]  # full member without conversion date
    assert not Member.objects.unscoped().filter(name="新党员").exists()
    form["id_number"] = data["id_number"]
    form["converted_on"] = (data["joined_on"] + dt.timedelta(days=366)).isoformat()
    response = admin.post("/members/new/", form)
    assert response.status_code == 302
    member = Member.objects.unscoped().get(name="新党员")
    assert crypto.decrypt(member.id_number_sealed) == data["id_number"]


def test_create_on_a_branch_outside_scope_is_refused(client, tree, personas):
    client.force_login(personas.secretary_a)
    response = client.post("/members/new/", {"name": "越权", "branch": tree.branch_b.pk})
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not Member.objects.unscoped().filter(name="越权").exists()


def test_edit_form_keeps_sensitive_items_and_never_shows_them(admin, tree):
    member = tree.members_a[0]
    number = crypto.decrypt(member.id_number_sealed)
    page = admin.get(f"/members/{member.pk}/edit/").content.decode()
    assert number not in page and member.id_number_masked in page  # in the placeholder
    form = admin.get(f"/members/{member.pk}/edit/").context["form"]
    post = {k: v for k, v in form.initial.items() if v is not None}
    post = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in post.items()}
    post.update(unit_post="科长", reason="任职", effective_on="")
    response = admin.post(f"/members/{member.pk}/edit/", post)
    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert member.unit_post == "科长" and crypto.decrypt(member.id_number_sealed) == number


def test_attention_filter_lists_members_whose_follow_up_is_due(admin, tree):
    """R-EDU-06: lost ≥ 6 months (notice from one month before); R-EDU-13: mobile contact
    every 6 months (notice 30 days before). The list filter agrees with the member page."""
    from django.utils import timezone

    from dangjian.rules.base import add_months

    today = timezone.localdate()
    lost, recent_lost, mobile, fresh_mobile = tree.members_a[:4]
    services.member_update(
        actor=None,
        member=lost,
        lost_contact=True,
        lost_contact_since=add_months(today, -7).replace(day=1),
    )
    services.member_update(
        actor=None, member=recent_lost, lost_contact=True, lost_contact_since=today
    )
    services.member_update(
        actor=None,
        member=mobile,
        mobile=True,
        mobile_destination="广东省深圳市南山区",
        mobile_since=add_months(today, -8),
    )
    services.member_update(
        actor=None,
        member=fresh_mobile,
        mobile=True,
        mobile_destination="北京市海淀区",
        mobile_since=add_months(today, -1),
    )
    names = _names(admin.get("/members/", {"status": "attention"}))
    # 钱七 joined as a probationary member in 2023: her probation is over (R-DEV-21)
    assert sorted(names) == sorted([lost.name, mobile.name, "钱七"])
    page = admin.get(f"/members/{lost.pk}/").content.decode()
    assert "R-EDU-06" in page


def test_no_template_comment_leaks_onto_a_page(admin, tree):
    """Django's {# #} comments are single-line: a multi-line one is printed as text."""
    from pathlib import Path

    import dangjian

    root = Path(dangjian.__file__).parent
    for template in root.rglob("templates/**/*.html"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if "{#" in line:
                assert "#}" in line.split("{#", 1)[1], f"{template}:{number}"
    page = admin.get(f"/members/{tree.members_a[0].pk}/").content.decode()
    assert "{#" not in page


@pytest.mark.parametrize("persona", ["committee_admin", "unit_admin", "secretary_a"])
@pytest.mark.parametrize("q", ["", "zsf", "z", "张", "wu", "李四"])
def test_both_scope_forms_give_the_same_rows(tree, personas, persona, q):
    """The list may start from the path index or from the search / ordering index (chosen
    per request for speed); the rows must be the same either way."""
    from dangjian.members.selectors import member_list

    user = personas.by_name(persona)
    ranged = list(member_list(user, q=q, indexed_scope=True).values_list("pk", flat=True))
    liked = list(member_list(user, q=q, indexed_scope=False).values_list("pk", flat=True))
    assert ranged == liked


def test_a_list_beyond_the_count_cap_says_so_and_still_pages(admin, tree, monkeypatch):
    from dangjian.members import selectors

    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 3)
    response = admin.get("/members/")
    assert response.context["capped"] is True
    assert "超过 3 名" in response.content.decode()
    first = _names(response)
    assert first == sorted(first, key=lambda n: Member.objects.unscoped().get(name=n).name_pinyin)
    response = admin.get("/members/", {"q": "zsf"})
    assert response.context["capped"] is False and _names(response) == ["张三丰"]


@pytest.mark.parametrize("sort_cap", [2, 1000])
def test_deep_pages_are_the_same_whichever_index_serves_them(tree, personas, monkeypatch, sort_cap):
    from dangjian.members import selectors

    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 4)
    monkeypatch.setattr(selectors, "DEEP_PAGE_OFFSET", 0)
    monkeypatch.setattr(selectors, "SORT_CAP", sort_cap)
    user = personas.committee_admin
    expected = list(selectors.member_list(user).values_list("pk", flat=True))[2:4]
    page = selectors.roster_page(user, number=2, per_page=2).page
    assert [m.pk for m in page] == expected


@pytest.mark.parametrize(
    ("prefix", "inside", "outside"),
    [
        ("z", ["z", "zhang", "zzz"], ["y", "yzz"]),
        ("zs", ["zs", "zsf", "zsz"], ["zr", "zt", "z"]),
        ("zsz", ["zsz", "zszz"], ["zt", "zsy"]),
        ("a", ["a", "azz"], ["b"]),
    ],
)
def test_letter_prefix_ranges(prefix, inside, outside):
    """Pinyin prefixes are ranges of plain a–z strings (no punctuation in the bound, which
    locale collations ignore); checked here against Python's own string order."""
    from dangjian.members.selectors import prefix_q

    q = prefix_q("name_pinyin", prefix, letters=True)
    bounds = dict(q.children)
    low, high = bounds["name_pinyin__gte"], bounds.get("name_pinyin__lt")
    for word in inside:
        assert low <= word and (high is None or word < high), word
    for word in outside:
        assert not (low <= word and (high is None or word < high)), word
