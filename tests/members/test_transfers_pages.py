"""The transfer pages in use: forms, Chinese messages at the field, bad input never a 500,
and query counts that do not grow with the rows shown."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.conftest import member_data

from dangjian.members import transfers
from dangjian.members.models import Member, Transfer
from dangjian.members.services import member_create, member_update
from dangjian.orgs.services import org_create

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas.unit_admin)
    return client


def _html(response):
    return response.content.decode()


def test_start_page_offers_visible_branches_grouped_by_unit(admin_client, tree):
    member = tree.members_a[2]
    html = _html(admin_client.get(f"/members/transfers/start/{member.pk}/"))
    assert '<optgroup label="甲局">' in html
    assert f'<option value="{tree.branch_b.pk}">第二党支部</option>' in html
    assert f'value="{tree.branch_a.pk}"' not in html  # not its own branch
    assert "乙局党支部" not in html  # not a branch the unit admin cannot see
    assert "转出至系统外" in html and "R-EDU-12" in html


def test_start_page_search_narrows_the_branches(admin_client, tree):
    org_create(actor=None, parent=tree.organ_a, name="离退休党支部", kind="branch")
    member = tree.members_a[2]
    html = _html(
        admin_client.get(f"/members/transfers/start/{member.pk}/?q=离退休", HTTP_HX_REQUEST="true")
    )
    assert "离退休党支部" in html and "第二党支部" not in html


def test_start_within_through_the_page(admin_client, tree):
    member = tree.members_a[2]
    response = admin_client.post(
        f"/members/transfers/start/{member.pk}/",
        {"kind": "within", "to_org": tree.branch_b.pk, "on": TODAY.isoformat(), "reason": "调动"},
    )
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/"
    t = Transfer.all_objects.get(member=member)
    assert (t.to_org, t.status, t.reason) == (tree.branch_b, "pending", "调动")
    # a second start is refused before the form is shown
    again = admin_client.get(f"/members/transfers/start/{member.pk}/")
    assert again.status_code == 400 and "已有一条待接收的组织关系转接" in _html(again)


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"kind": "within", "to_org": ""}, "to_org", "接收党支部：请选择。"),
        ({"kind": "within", "to_org": "abc"}, "to_org", "请从列表中选择"),
        ({"kind": "within", "to_org": "999999"}, "to_org", "请从列表中选择"),
        ({"kind": "outside"}, "to_org_name", "转出至系统外时必须填写"),
        ({"kind": "outside", "to_org_name": "外省"}, "letter_number", "转出至系统外时必须填写"),
        ({"kind": "within", "reason": ""}, "reason", ""),
        ({"kind": "within", "on": "2099-01-01"}, "on", "转出日期：不能晚于今天"),
        ({"kind": "within", "on": "not a date"}, "on", ""),
        ({"kind": "sideways"}, "kind", ""),
    ],
)
def test_start_form_errors_land_at_the_field(admin_client, tree, data, field, text):
    member = tree.members_a[2]
    post = {"kind": "within", "to_org": tree.branch_b.pk, "on": TODAY.isoformat(), "reason": "调动"}
    post.update(data)
    response = admin_client.post(f"/members/transfers/start/{member.pk}/", post)
    assert response.status_code == 200
    html = _html(response)
    if field == "kind":
        assert "is-invalid" in html or "invalid-feedback" in html
    else:
        assert f'data-testid="field-error-{field}"' in html
    assert text in html
    assert not Transfer.all_objects.filter(member=member).exists()


def test_start_refuses_a_branch_outside_the_users_view(client, tree, personas):
    """The unit admin of 甲局 cannot pick 乙局's branch by crafting the id."""
    client.force_login(personas.unit_admin)
    member = tree.members_a[2]
    response = client.post(
        f"/members/transfers/start/{member.pk}/",
        {"kind": "within", "to_org": tree.branch_c.pk, "on": TODAY.isoformat(), "reason": "调动"},
    )
    assert response.status_code == 200 and "请从列表中选择" in _html(response)
    assert not Transfer.all_objects.filter(member=member).exists()


def test_outside_transfer_through_the_pages(admin_client, tree):
    member = tree.members_a[2]
    admin_client.post(
        f"/members/transfers/start/{member.pk}/",
        {
            "kind": "outside",
            "to_org": "",
            "to_org_name": "某省某厅机关党支部",
            "letter_number": "鄂组转2024-15",
            "on": TODAY.isoformat(),
            "reason": "调往外省",
        },
    )
    t = Transfer.all_objects.get(member=member)
    assert (t.kind, t.to_org, t.letter_number) == ("outside", None, "鄂组转2024-15")
    html = _html(admin_client.get("/members/transfers/?tab=outgoing"))
    assert "登记回执" in html and "鄂组转2024-15" in html
    page = _html(admin_client.get(f"/members/transfers/{t.pk}/accept/"))
    assert "回执日期" in page and "某省某厅机关党支部" in page
    response = admin_client.post(f"/members/transfers/{t.pk}/accept/", {"on": TODAY.isoformat()})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_reason == "transferred_out"


def test_accept_and_return_forms(client, tree, personas):
    member = tree.members_a[2]
    t = transfers.transfer_start(
        actor=personas.secretary_a, member=member, on=TODAY, reason="调动", to_org=tree.branch_b
    )
    client.force_login(personas.secretary_b)
    page = _html(client.get(f"/members/transfers/{t.pk}/accept/"))
    assert member.name in page and "第一党支部" in page and member.id_number_masked in page
    bad = client.post(f"/members/transfers/{t.pk}/accept/", {"on": "2099-01-01"})
    assert bad.status_code == 200 and "接收日期：不能晚于今天" in _html(bad)
    empty = client.post(f"/members/transfers/{t.pk}/return/", {"reason": ""})
    assert empty.status_code == 200 and 'data-testid="field-error-reason"' in _html(empty)
    done = client.post(f"/members/transfers/{t.pk}/return/", {"reason": "人员信息有误"})
    assert done.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.return_reason) == ("returned", "人员信息有误")
    # decided: the pages say so instead of offering the form again
    again = client.get(f"/members/transfers/{t.pk}/accept/")
    assert again.status_code == 400 and "该转接已退回，不能再办理。" in _html(again)
    history = _html(client.get("/members/transfers/?tab=history"))
    assert "已退回" in history and "人员信息有误" in history


def test_cancel_a_decided_transfer_answers_with_a_message(client, tree, personas):
    t = transfers.transfer_start(
        actor=None, member=tree.members_a[2], on=TODAY, reason="调动", to_org=tree.branch_b
    )
    transfers.transfer_cancel(actor=None, transfer=t)
    client.force_login(personas.secretary_a)
    response = client.post(
        f"/members/transfers/{t.pk}/cancel/", HTTP_REFERER="http://testserver/members/"
    )
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "该转接已撤销，不能再办理。" in _html(follow)


def test_leave_page(client, tree, personas):
    member = tree.members_a[2]
    client.force_login(personas.secretary_a)
    page = _html(client.get(f"/members/transfers/leave/{member.pk}/"))
    assert "停止党籍" in page and "编辑页" in page and "R-EDU-08" in page and "R-EDU-06" in page
    assert 'value="transferred_out"' not in page
    refused = client.post(
        f"/members/transfers/leave/{member.pk}/",
        {"on": TODAY.isoformat(), "reason": "removed_lost", "note": ""},
    )
    assert refused.status_code == 200 and "须先因失去联系停止党籍" in _html(refused)
    assert Member.all_objects.get(pk=member.pk).is_active
    done = client.post(
        f"/members/transfers/leave/{member.pk}/",
        {"on": TODAY.isoformat(), "reason": "died", "note": "病故"},
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.left_reason == "died"
    gone = client.get(f"/members/transfers/leave/{member.pk}/")
    assert gone.status_code == 400 and "该党员已减少" in _html(gone)


def test_contact_page(client, tree, personas):
    member = tree.members_a[2]
    client.force_login(personas.secretary_a)
    refused = client.get(f"/members/transfers/contact/{member.pk}/")
    assert refused.status_code == 400 and "不是流动党员" in _html(refused)
    member_update(
        actor=None,
        member=member,
        mobile=True,
        mobile_destination="广东省深圳市",
        mobile_since=TODAY - 100 * DAY,
    )
    page = _html(client.get(f"/members/transfers/contact/{member.pk}/"))
    assert "广东省深圳市" in page and "R-EDU-13" in page
    done = client.post(
        f"/members/transfers/contact/{member.pk}/",
        {"on": (TODAY - DAY).isoformat(), "note": "视频联系"},
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.mobile_last_contact_on == TODAY - DAY


def test_partials_render_history_banner_and_buttons(tree, personas, rf):
    from django.template.loader import render_to_string

    member = tree.members_a[2]
    member_update(
        actor=personas.secretary_a,
        member=member,
        mobile=True,
        mobile_destination="深圳",
        mobile_since=TODAY - 400 * DAY,
        reason="外出务工",
        effective_on=TODAY - 400 * DAY,
    )
    transfers.transfer_start(
        actor=personas.secretary_a, member=member, on=TODAY, reason="调动", to_org=tree.branch_b
    )
    member.refresh_from_db()
    ctx = transfers.member_page_context(personas.secretary_a, member, TODAY)
    request = rf.get("/")
    request.user = personas.secretary_a
    actions = render_to_string("members/_actions.html", {"member": member, **ctx}, request)
    history = render_to_string("members/_history.html", {"member": member, **ctx}, request)
    assert "转出中" in actions and "第二党支部" in actions and "撤销转接" in actions
    assert 'data-testid="action-transfer"' not in actions  # one pending transfer at a time
    assert 'data-testid="action-contact"' in actions
    assert "R-EDU-13" in actions or "R-EDU-12" in actions
    assert "加入党组织" in history and "否 → 是" in history and "外出务工" in history
    assert "secretary_a" in history
    # someone who may only view sees no buttons
    viewer = transfers.member_page_context(personas.member_a, member, TODAY)
    assert not (viewer["can_transfer"] or viewer["can_leave"] or viewer["can_follow_up"])
    plain = render_to_string("members/_actions.html", {"member": member, **viewer}, request)
    assert 'data-testid="member-actions"' not in plain and "撤销转接" not in plain


# --- query counts -----------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


NAMES = {"within": "内", "outside": "外", "decided": "结"}


def _more_transfers(tree, n):
    """n pending transfers A → B, n to outside, and n decided ones."""
    for i in range(n):
        for kind in ("within", "outside", "decided"):
            m = member_create(
                actor=None,
                branch=tree.branch_a,
                name=f"党员{'甲乙丙丁戊己庚辛壬癸'[i]}{NAMES[kind]}",
                **member_data(born=1970 + i),
            )
            if kind == "outside":
                transfers.transfer_start(
                    actor=None,
                    member=m,
                    on=TODAY,
                    reason="调往外省",
                    to_org_name="外省",
                    letter_number=f"L{i}",
                )
                continue
            t = transfers.transfer_start(
                actor=None, member=m, on=TODAY, reason="调动", to_org=tree.branch_b
            )
            if kind == "decided":
                transfers.transfer_accept(actor=None, transfer=t, on=TODAY)


@pytest.mark.parametrize("tab", ["incoming", "outgoing", "history"])
@pytest.mark.parametrize("persona", ["unit_admin", "secretary_b"])
def test_transfer_list_query_count_is_constant(client, tree, personas, persona, tab):
    client.force_login(personas.by_name(persona))
    url = f"/members/transfers/?tab={tab}"
    _more_transfers(tree, 1)
    small = _queries(client, url)
    _more_transfers(tree, 8)
    assert _queries(client, url) == small
    assert small <= 10  # session, user, grants, badges, page count, page rows, session save


def test_transfer_list_badges_count_each_tab(client, tree, personas):
    _more_transfers(tree, 2)
    client.force_login(personas.secretary_b)
    html = _html(client.get("/members/transfers/"))
    assert 'data-testid="count-incoming">2<' in html
    assert 'data-testid="count-outgoing">0<' in html
    assert 'data-testid="count-history">2<' in html
    assert html.count('data-testid="transfer-row"') == 2


@pytest.mark.parametrize(
    "query", ["?tab=nonsense", "?page=abc", "?page=99999", "?tab=history&page=-1"]
)
def test_transfer_list_bad_query_strings(admin_client, tree, query):
    assert admin_client.get(f"/members/transfers/{query}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/members/transfers/99999/accept/",
        "/members/transfers/start/99999/",
        "/members/transfers/leave/99999/",
        "/members/transfers/contact/99999/",
    ],
)
def test_missing_objects_are_404(admin_client, tree, url):
    assert admin_client.get(url).status_code == 404
