"""Transfer, leaving and follow-up write paths (R-EDU-06/08/12/13): each rule and refusal,
Chinese messages, nothing written on refusal, every change audited."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.members import transfers
from dangjian.members.models import Member, MemberChange, Transfer, TransferStatus
from dangjian.members.selectors import access_member, member_list
from dangjian.members.services import member_update
from dangjian.orgs.services import org_create, org_dissolve

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _start(actor, member, to_org, **kwargs):
    return transfers.transfer_start(
        actor=actor,
        member=member,
        on=kwargs.pop("on", TODAY),
        reason=kwargs.pop("reason", "工作调动"),
        to_org=to_org,
        **kwargs,
    )


def _outside(actor, member, **kwargs):
    return transfers.transfer_start(
        actor=actor,
        member=member,
        on=kwargs.pop("on", TODAY),
        reason=kwargs.pop("reason", "调往外省工作"),
        to_org_name=kwargs.pop("to_org_name", "某省某厅机关第三党支部"),
        letter_number=kwargs.pop("letter_number", "鄂组转字2024第015号"),
        **kwargs,
    )


def _writes():
    return (
        Transfer.all_objects.count(),
        MemberChange.all_objects.count(),
        AuditEntry.objects.count(),
    )


def _refused(fn, **kwargs) -> AppError:
    before = _writes()
    with pytest.raises(AppError) as exc:
        fn(**kwargs)
    assert _writes() == before, "a refusal must write nothing"
    return exc.value


# --- start ------------------------------------------------------------------------------------


def test_start_within_keeps_the_member_on_the_sending_roster(tree, personas):
    member = tree.members_a[2]
    t = _start(personas.unit_admin, member, tree.branch_b)
    assert t.status == TransferStatus.PENDING
    assert (t.from_org, t.from_path) == (tree.branch_a, tree.branch_a.path)
    assert (t.to_org, t.to_path, t.to_org_name) == (tree.branch_b, tree.branch_b.path, "第二党支部")
    member.refresh_from_db()
    # R-EDU-12: until accepted, the sending branch keeps the member and manages him
    assert member.branch == tree.branch_a and member.org_path == tree.branch_a.path
    assert access_member(personas.secretary_a, member.pk) == member
    assert member in member_list(personas.secretary_a)
    with pytest.raises(Http404):
        access_member(personas.secretary_b, member.pk)
    member_update(actor=personas.secretary_a, member=member, unit_post="科员")  # still managed
    entry = AuditEntry.objects.get(action="members.transfer.started")
    assert entry.org_path == tree.branch_a.path
    assert entry.changes["to_org"] == tree.branch_b.pk and entry.changes["rule"] == "R-EDU-12"


def test_start_needs_manage_on_the_members_branch(tree, personas):
    member = tree.members_a[2]
    for actor in (personas.secretary_b, personas.member_a, personas.judge, personas.outsider):
        before = _writes()
        with pytest.raises(Http404):
            _start(actor, member, tree.branch_b)
        assert _writes() == before


@pytest.mark.parametrize(
    ("target", "field", "text"),
    [
        ("self", "to_org", "不能是该党员现在的党支部"),
        ("organ", "to_org", "只能转入未撤销的党支部"),
        ("dissolved", "to_org", "只能转入未撤销的党支部"),
    ],
)
def test_start_within_needs_another_active_branch(tree, personas, target, field, text):
    if target == "dissolved":
        org = org_create(actor=None, parent=tree.organ_a, name="第三党支部", kind="branch")
        org_dissolve(actor=None, org=org, on=TODAY, reason="合并")
    else:
        org = {"self": tree.branch_a, "organ": tree.organ_a}[target]
    err = _refused(
        transfers.transfer_start,
        actor=personas.unit_admin,
        member=tree.members_a[2],
        on=TODAY,
        reason="工作调动",
        to_org=org,
    )
    assert err.field == field and text in err.message


def test_start_outside_needs_the_org_name_and_the_letter_number(tree, personas):
    err = _refused(
        transfers.transfer_start,
        actor=personas.secretary_a,
        member=tree.members_a[2],
        on=TODAY,
        reason="调往外省工作",
    )
    fields = {f for f, _ in err.errors}
    assert fields == {"to_org_name", "letter_number"}
    messages = " ".join(m for _, m in err.errors)
    assert "接收党组织名称：转出至系统外时必须填写" in messages
    assert "介绍信编号：转出至系统外时必须填写" in messages


@pytest.mark.parametrize(
    ("on", "reason", "field", "text"),
    [
        (TODAY + DAY, "工作调动", "on", "转出日期：不能晚于今天"),
        (dt.date(2000, 1, 1), "工作调动", "on", "不能早于加入党组织日期"),
        (None, "工作调动", "on", "转出日期：请填写日期"),
        (TODAY, "  ", "reason", "转接原因：请填写"),
        (TODAY, "长" * 201, "reason", "转接原因：不能超过200个字"),
    ],
)
def test_start_checks_date_and_reason(tree, personas, on, reason, field, text):
    err = _refused(
        transfers.transfer_start,
        actor=personas.secretary_a,
        member=tree.members_a[2],
        on=on,
        reason=reason,
        to_org=tree.branch_b,
    )
    assert any(f == field and text in m for f, m in err.errors), err.errors


def test_one_pending_transfer_per_member(tree, personas):
    member = tree.members_a[2]
    _start(personas.unit_admin, member, tree.branch_b)
    err = _refused(
        transfers.transfer_start,
        actor=personas.unit_admin,
        member=member,
        on=TODAY,
        reason="再次转出",
        to_org_name="外单位",
        letter_number="X1",
    )
    assert "已有一条待接收的组织关系转接" in err.message
    # the database refuses a second pending row too (a concurrent start ends in the refusal)
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.all_objects.create(
            member=member,
            kind="outside",
            from_org=tree.branch_a,
            from_path=tree.branch_a.path,
            to_org_name="外单位",
            letter_number="X2",
            reason="并发",
            started_on=TODAY,
        )


def test_a_member_who_left_cannot_be_transferred(tree, personas):
    member = tree.members_a[2]
    transfers.member_leave_roster(
        actor=personas.secretary_a, member=member, on=TODAY, reason="died", note=""
    )
    err = _refused(
        transfers.transfer_start,
        actor=personas.secretary_a,
        member=member,
        on=TODAY,
        reason="工作调动",
        to_org=tree.branch_b,
    )
    assert err.message == "该党员已减少，不能办理组织关系转接。"


# --- accept -----------------------------------------------------------------------------------


def test_receiving_side_accepts_and_the_member_moves(tree, personas):
    member = tree.members_a[2]
    t = _start(personas.secretary_a, member, tree.branch_b, on=TODAY - 3 * DAY)
    # the sending side cannot accept for the receiving side
    with pytest.raises(Http404):
        transfers.transfer_accept(actor=personas.secretary_a, transfer=t, on=TODAY)
    t = transfers.transfer_accept(actor=personas.secretary_b, transfer=t, on=TODAY)
    assert t.status == TransferStatus.ACCEPTED
    assert (t.decided_on, t.decided_by) == (TODAY, personas.secretary_b)
    member.refresh_from_db()
    assert member.branch == tree.branch_b and member.org_path == tree.branch_b.path
    assert access_member(personas.secretary_b, member.pk) == member
    assert member in member_list(personas.secretary_b)
    with pytest.raises(Http404):
        access_member(personas.secretary_a, member.pk)
    assert member not in member_list(personas.secretary_a)
    change = MemberChange.all_objects.get(member=member, item="branch")
    assert (change.old_value, change.new_value, change.effective_on) == (
        "第一党支部",
        "第二党支部",
        TODAY,
    )
    assert "工作调动" in change.reason and change.actor == personas.secretary_b
    entry = AuditEntry.objects.get(action="members.transfer.accepted")
    assert entry.org_path == tree.branch_b.path and entry.actor == personas.secretary_b


@pytest.mark.parametrize(
    ("on", "text"),
    [(TODAY + DAY, "接收日期：不能晚于今天"), (TODAY - 10 * DAY, "不能早于转出日期")],
)
def test_accept_checks_the_date(tree, personas, on, text):
    t = _start(personas.secretary_a, tree.members_a[2], tree.branch_b, on=TODAY - 2 * DAY)
    err = _refused(transfers.transfer_accept, actor=personas.secretary_b, transfer=t, on=on)
    assert err.field == "on" and text in err.message
    tree.members_a[2].refresh_from_db()
    assert tree.members_a[2].branch == tree.branch_a


def test_accept_into_a_dissolved_branch_is_refused(tree, personas):
    new = org_create(actor=None, parent=tree.organ_a, name="第三党支部", kind="branch")
    t = _start(personas.unit_admin, tree.members_a[2], new)
    org_dissolve(actor=None, org=new, on=TODAY, reason="合并")
    err = _refused(transfers.transfer_accept, actor=personas.unit_admin, transfer=t, on=TODAY)
    assert "接收党支部已撤销" in err.message


def test_accept_refuses_when_the_member_moved_meanwhile(tree, personas):
    from dangjian.members.services import move_to_branch

    member = tree.members_a[2]
    t = _start(personas.unit_admin, member, tree.branch_c)
    with transaction.atomic():
        move_to_branch(member, tree.branch_b, actor=None, on=TODAY, reason="调整")
    err = _refused(transfers.transfer_accept, actor=personas.committee_admin, transfer=t, on=TODAY)
    assert "此转接已失效" in err.message


def test_outside_transfer_ends_with_the_receipt(tree, personas):
    member = tree.members_a[2]
    t = _outside(personas.secretary_a, member, on=TODAY - 5 * DAY)
    assert t.kind == "outside" and t.to_org is None and t.to_path == ""
    member.refresh_from_db()
    assert member.is_active  # still ours until the receipt comes back (R-EDU-12)
    # only the sending side records the receipt
    with pytest.raises(Http404):
        transfers.transfer_accept(actor=personas.secretary_b, transfer=t, on=TODAY)
    t = transfers.transfer_accept(actor=personas.secretary_a, transfer=t, on=TODAY)
    assert t.status == TransferStatus.ACCEPTED
    member.refresh_from_db()
    assert (member.left_on, member.left_reason) == (TODAY, "transferred_out")
    assert member not in member_list(personas.secretary_a)
    left = MemberChange.all_objects.get(member=member, item="left")
    assert "某省某厅机关第三党支部" in left.reason and "鄂组转字2024第015号" in left.reason
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"members.transfer.accepted", "members.member.left"} <= actions


# --- return, cancel ---------------------------------------------------------------------------


def test_receiving_side_returns_with_a_reason(tree, personas):
    member = tree.members_a[2]
    t = _start(personas.secretary_a, member, tree.branch_b)
    err = _refused(transfers.transfer_return, actor=personas.secretary_b, transfer=t, reason=" ")
    assert err.field == "reason" and "不得无故拒绝接收组织关系（R-EDU-12）" in err.message
    with pytest.raises(Http404):  # the sending side does not return its own transfer
        transfers.transfer_return(actor=personas.secretary_a, transfer=t, reason="x")
    t = transfers.transfer_return(actor=personas.secretary_b, transfer=t, reason="本支部无此人员")
    assert (t.status, t.return_reason, t.decided_on) == (
        TransferStatus.RETURNED,
        "本支部无此人员",
        TODAY,
    )
    member.refresh_from_db()
    assert member.branch == tree.branch_a
    assert AuditEntry.objects.get(action="members.transfer.returned").changes["return_reason"] == (
        "本支部无此人员"
    )
    # decided: nothing more can happen to it, a new transfer can start
    err = _refused(transfers.transfer_accept, actor=personas.secretary_b, transfer=t, on=TODAY)
    assert err.message == "该转接已退回，不能再办理。"
    assert _start(personas.secretary_a, member, tree.branch_b).status == TransferStatus.PENDING


def test_sending_side_cancels_while_pending(tree, personas):
    t = _outside(personas.secretary_a, tree.members_a[2])
    with pytest.raises(Http404):
        transfers.transfer_cancel(actor=personas.secretary_b, transfer=t)
    t = transfers.transfer_cancel(actor=personas.secretary_a, transfer=t)
    assert t.status == TransferStatus.CANCELLED and t.decided_by == personas.secretary_a
    assert AuditEntry.objects.filter(action="members.transfer.cancelled").count() == 1
    err = _refused(transfers.transfer_cancel, actor=personas.secretary_a, transfer=t)
    assert err.message == "该转接已撤销，不能再办理。"


def test_a_decision_on_a_stale_copy_sees_the_current_status(tree, personas):
    t = _start(personas.unit_admin, tree.members_a[2], tree.branch_b)
    stale = Transfer.all_objects.get(pk=t.pk)
    transfers.transfer_cancel(actor=personas.unit_admin, transfer=t)
    err = _refused(transfers.transfer_accept, actor=personas.secretary_b, transfer=stale, on=TODAY)
    assert "已撤销" in err.message
    assert Member.all_objects.get(pk=t.member_id).branch == tree.branch_a


# --- leaving ----------------------------------------------------------------------------------


def test_leave_records_the_reason_and_keeps_the_history(tree, personas):
    member = tree.members_a[2]
    transfers.member_leave_roster(
        actor=personas.secretary_a, member=member, on=TODAY, reason="died", note="病故"
    )
    member.refresh_from_db()
    assert (member.left_on, member.left_reason) == (TODAY, "died")
    assert MemberChange.all_objects.filter(member=member, item="left").count() == 1


@pytest.mark.parametrize(
    ("reason", "note", "field", "text"),
    [
        ("transferred_out", "", "reason", "转出请通过“组织关系转接”办理"),
        ("", "", "reason", "减少原因：请选择"),
        ("nonsense", "", "reason", "减少原因：请选择"),
        ("removed_lapsed", "", "note", "R-EDU-08"),
        ("removed_lost", "", "reason", "须先因失去联系停止党籍"),
    ],
)
def test_leave_refusals(tree, personas, reason, note, field, text):
    err = _refused(
        transfers.member_leave_roster,
        actor=personas.secretary_a,
        member=tree.members_a[2],
        on=TODAY,
        reason=reason,
        note=note,
    )
    assert err.field == field and text in err.message
    assert Member.all_objects.get(pk=tree.members_a[2].pk).is_active


def test_leave_is_refused_while_a_transfer_is_pending(tree, personas):
    member = tree.members_a[2]
    _start(personas.secretary_a, member, tree.branch_b)
    err = _refused(
        transfers.member_leave_roster,
        actor=personas.secretary_a,
        member=member,
        on=TODAY,
        reason="died",
    )
    assert "请先撤销转接再办理减少" in err.message


def _suspend_for_lost_contact(member, since, suspended_on):
    member_update(
        actor=None,
        member=member,
        lost_contact=True,
        lost_contact_since=since,
        standing="suspended",
        standing_reason="失去联系6个月以上，经查找仍无法取得联系",
        suspension_ground="lost_contact",
        suspended_on=suspended_on,
    )


def test_removal_after_two_years_of_suspension_r_edu_06(tree, personas):
    member = tree.members_a[2]
    suspended_on = dt.date(TODAY.year - 3, 1, 10)
    _suspend_for_lost_contact(member, dt.date(TODAY.year - 4, 3, 1), suspended_on)
    two_years = dt.date(suspended_on.year + 2, 1, 10)
    # the day before two full years: refused, citing the date it becomes possible
    err = _refused(
        transfers.member_leave_roster,
        actor=personas.secretary_a,
        member=member,
        on=two_years - DAY,
        reason="removed_lost",
    )
    assert err.field == "on" and f"{two_years:%Y-%m-%d}满2年" in err.message
    # "停止党籍2年后": the anniversary itself is enough
    transfers.member_leave_roster(
        actor=personas.secretary_a, member=member, on=two_years, reason="removed_lost"
    )
    member.refresh_from_db()
    assert member.left_reason == "removed_lost" and member.left_on == two_years


def test_leave_needs_manage(tree, personas):
    with pytest.raises(Http404):
        transfers.member_leave_roster(
            actor=personas.secretary_b, member=tree.members_a[2], on=TODAY, reason="died"
        )


# --- follow-up of mobile members --------------------------------------------------------------


def _make_mobile(member, since):
    member_update(
        actor=None,
        member=member,
        mobile=True,
        mobile_destination="广东省深圳市",
        mobile_since=since,
    )


def test_follow_up_records_the_contact(tree, personas):
    member = tree.members_a[2]
    _make_mobile(member, TODAY - 200 * DAY)
    transfers.member_follow_up(
        actor=personas.secretary_a, member=member, on=TODAY - DAY, note="电话联系，参加当地学习"
    )
    member.refresh_from_db()
    assert member.mobile_last_contact_on == TODAY - DAY
    change = MemberChange.all_objects.get(member=member, item="contact")
    assert change.reason == "电话联系，参加当地学习"
    assert AuditEntry.objects.filter(action="members.member.contacted").count() == 1


def test_follow_up_refusals(tree, personas):
    member = tree.members_a[2]
    err = _refused(transfers.member_follow_up, actor=personas.secretary_a, member=member, on=TODAY)
    assert "不是流动党员" in err.message
    _make_mobile(member, TODAY - 20 * DAY)
    err = _refused(
        transfers.member_follow_up,
        actor=personas.secretary_a,
        member=member,
        on=TODAY - 30 * DAY,
    )
    assert err.field == "on" and "不能早于外出日期" in err.message
    transfers.member_follow_up(actor=personas.secretary_a, member=member, on=TODAY - DAY)
    err = _refused(
        transfers.member_follow_up,
        actor=personas.secretary_a,
        member=member,
        on=TODAY - 2 * DAY,
    )
    assert "早于已登记的最近联系日期" in err.message
    with pytest.raises(Http404):
        transfers.member_follow_up(actor=personas.secretary_b, member=member, on=TODAY)


# --- reads ------------------------------------------------------------------------------------


def test_lists_follow_the_sides(tree, personas):
    a2, a3 = tree.members_a[2], tree.members_a[3]
    into_b = _start(personas.unit_admin, a2, tree.branch_b)
    outside = _outside(personas.unit_admin, a3)
    into_c = _start(personas.committee_admin, tree.members_b[1], tree.branch_c)

    def ids(qs):
        return {t.pk for t in qs}

    assert ids(transfers.transfers_incoming(personas.secretary_b)) == {into_b.pk}
    assert ids(transfers.transfers_outgoing(personas.secretary_b)) == {into_c.pk}
    assert ids(transfers.transfers_incoming(personas.secretary_a)) == set()
    assert ids(transfers.transfers_outgoing(personas.secretary_a)) == {into_b.pk, outside.pk}
    assert ids(transfers.transfers_incoming(personas.unit_admin)) == {into_b.pk}
    assert ids(transfers.transfers_outgoing(personas.committee_admin)) == {
        into_b.pk,
        outside.pk,
        into_c.pk,
    }
    for p in (personas.member_a, personas.judge, personas.auditor, personas.outsider):
        assert not ids(transfers.transfers_incoming(p)) | ids(transfers.transfers_outgoing(p))
        assert transfers.transfer_counts(p) == {"incoming": 0, "outgoing": 0, "history": 0}
    transfers.transfer_return(actor=personas.secretary_b, transfer=into_b, reason="不符合条件")
    assert ids(transfers.transfers_history(personas.secretary_b)) == {into_b.pk}
    assert ids(transfers.transfers_history(personas.secretary_a)) == {into_b.pk}
    assert transfers.transfer_counts(personas.secretary_b) == {
        "incoming": 0,
        "outgoing": 1,
        "history": 1,
    }


def test_access_transfer_by_side_and_action(tree, personas):
    t = _start(personas.unit_admin, tree.members_a[2], tree.branch_b)
    assert transfers.access_transfer(personas.secretary_a, t.pk) == t
    assert transfers.access_transfer(personas.secretary_b, t.pk, action="accept") == t
    assert transfers.access_transfer(personas.secretary_a, t.pk, action="cancel") == t
    for user, action in [
        (personas.secretary_a, "accept"),
        (personas.secretary_b, "cancel"),
        (personas.member_a, "view"),
        (personas.judge, "view"),
        (personas.outsider, "view"),
        (personas.secretary_a, "delete"),
    ]:
        with pytest.raises(Http404):
            transfers.access_transfer(user, t.pk, action=action)
    for bad in ("abc", None, 10**9):
        with pytest.raises(Http404):
            transfers.access_transfer(personas.committee_admin, bad)


def test_member_page_context_timeline_and_flags(tree, personas, django_assert_max_num_queries):
    member = tree.members_a[2]
    _make_mobile(member, TODAY - 300 * DAY)
    t = _start(personas.secretary_a, member, tree.branch_b, reason="调入乙处")
    transfers.transfer_return(actor=personas.secretary_b, transfer=t, reason="编制未到")
    _start(personas.secretary_a, member, tree.branch_b, reason="再次调动")
    member.refresh_from_db()
    user = personas.secretary_a
    with django_assert_max_num_queries(3):
        ctx = transfers.member_page_context(user, member, TODAY)
    assert ctx["pending"] is not None and ctx["pending"].reason == "再次调动"
    assert ctx["pending_actions"] == {"cancel"}
    assert ctx["can_manage"] and not ctx["can_transfer"] and not ctx["can_leave"]
    assert ctx["can_follow_up"]
    kinds = [e.kind for e in ctx["history"]]
    assert kinds[-1] == "joined" and "converted" in kinds and kinds.count("transfer") == 2
    badges = {e.badge for e in ctx["history"] if e.kind == "transfer"}
    assert badges == {"转出中", "已退回"}
    mobile = next(e for e in ctx["history"] if e.title == "流动")
    assert (mobile.old, mobile.new) == ("否", "是")
    assert any(f.rule_id in {"R-EDU-12", "R-EDU-13"} for f in ctx["findings"])
    # the receiving side has no buttons on the sending side's member
    other = transfers.member_page_context(personas.committee_admin, member, TODAY)
    assert other["pending_actions"] == {"accept", "return", "cancel"}
