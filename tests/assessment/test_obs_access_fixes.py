"""Regressions of the review of issue #6 for the observation meeting (现场观摩会):

- a meeting feeds only a contest its planner manages (not a superior's), and the choices
  list only those (item 1, item 10);
- only a PUBLISHED score sheet can be used; drafts are neither accepted nor listed, and a
  superior's draft's name never shows (item 3, item 10);
- opening the QR sign-in URL (GET) writes nothing: the participant confirms with a POST
  (item 6);
- judges and participants: never a 三员分立 account, and only accounts of the meeting's
  organisation (item 8), in the services and at the field on the page.
"""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from tests.assessment.helpers_obs import (
    START,
    make_contest,
    make_meeting,
    make_sheet,
    make_users,
)

from dangjian.accounts.models import User
from dangjian.assessment import selectors_observation as sel
from dangjian.assessment import services_observation as obs
from dangjian.assessment.models import (
    ObservationJudge,
    ObservationMeeting,
    Participant,
)
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SEPARATED = ["auditor", "security_admin", "system_admin"]


def _url(name, meeting, **extra):
    from django.urls import reverse

    return reverse(f"observation:{name}", kwargs={"pk": meeting.pk} | extra)


def _unit_meeting(tree, **kwargs):
    """甲局's meeting with two stops at its branches, no judges."""
    return make_meeting(
        tree,
        owner=tree.party_group_a,
        stops=[
            (tree.branch_a, "第一党支部展板", "board", 15),
            (tree.branch_b, "第二党支部活动室", "room", 20),
        ],
        **kwargs,
    )


# ---------------------------------------------------------------------------------- 1: contest


def test_unit_admin_cannot_feed_the_committees_contest(tree, personas):
    above = make_contest(tree.root, name="工委书记赛")
    with pytest.raises(Http404):
        obs.observation_create(
            actor=personas.unit_admin,
            owner=tree.party_group_a,
            title="甲局观摩",
            starts_at=START,
            contest=above,
        )
    assert ObservationMeeting.objects.unscoped().count() == 0
    meeting = obs.observation_create(
        actor=personas.unit_admin, owner=tree.party_group_a, title="甲局观摩", starts_at=START
    )
    with pytest.raises(Http404):
        obs.observation_update(actor=personas.unit_admin, meeting=meeting, contest=above)
    meeting.refresh_from_db()
    assert meeting.contest_id is None
    # his own unit's contest is fine
    own = make_contest(tree.party_group_a, name="甲局书记赛")
    obs.observation_update(actor=personas.unit_admin, meeting=meeting, contest=own)
    meeting.refresh_from_db()
    assert meeting.contest_id == own.pk


def test_contest_linked_by_the_committee_stays_when_the_unit_edits(tree, personas):
    above = make_contest(tree.root, name="工委书记赛")
    meeting = obs.observation_create(
        actor=personas.committee_admin,
        owner=tree.party_group_a,
        title="甲局观摩",
        starts_at=START,
        contest=above,
    )
    # the unit admin edits his meeting without touching the contest: allowed
    obs.observation_update(
        actor=personas.unit_admin, meeting=meeting, title="甲局观摩（改）", contest=above
    )
    meeting.refresh_from_db()
    assert meeting.title == "甲局观摩（改）" and meeting.contest_id == above.pk
    # the year still has to match
    with pytest.raises(AppError, match="赛事年度") as exc:
        obs.observation_update(
            actor=personas.unit_admin,
            meeting=meeting,
            starts_at=START.replace(year=2023),
        )
    assert exc.value.field == "contest"


def test_contest_must_be_on_the_owners_line(tree, personas):
    sibling = make_contest(tree.party_group_b, name="乙局书记赛")
    with pytest.raises(AppError, match="上下级") as exc:
        obs.observation_create(
            actor=personas.committee_admin,
            owner=tree.party_group_a,
            title="甲局观摩",
            starts_at=START,
            contest=sibling,
        )
    assert exc.value.field == "contest"


def test_contest_choices_are_the_contests_the_user_manages(tree, personas):
    above = make_contest(tree.root, name="工委书记赛")
    above_draft = make_contest(tree.root, name="工委草稿赛", year=2023)
    own = make_contest(tree.party_group_a, name="甲局书记赛")
    sibling = make_contest(tree.party_group_b, name="乙局书记赛")
    unit = personas.unit_admin
    assert sel.contest_choices(unit, sel.owner_choices(unit)) == [own]
    assert sel.contest_choices(unit, [tree.party_group_a]) == [own]
    admin = personas.committee_admin
    # editing 甲局's meeting: the contests on its line, not 乙局's
    choices = sel.contest_choices(admin, [tree.party_group_a])
    assert set(choices) == {above, above_draft, own} and sibling not in choices


def test_create_page_lists_no_superior_contest_or_draft(client, tree, personas):
    make_contest(tree.root, name="工委书记赛")
    make_contest(tree.party_group_a, name="甲局书记赛")
    make_sheet(tree.root, name="工委草稿评分表", status="draft")
    make_sheet(tree.root, name="工委正式评分表")
    make_sheet(tree.party_group_a, name="甲局草稿评分表", status="draft")
    client.force_login(personas.unit_admin)
    body = client.get("/observation/new/").content.decode()
    assert "甲局书记赛" in body and "工委正式评分表" in body
    for hidden in ("工委书记赛", "工委草稿评分表", "甲局草稿评分表"):
        assert hidden not in body, hidden


def test_create_page_refuses_a_superior_contest_id(client, tree, personas):
    above = make_contest(tree.root, name="工委书记赛")
    client.force_login(personas.unit_admin)
    response = client.post(
        "/observation/new/",
        {
            "owner": tree.party_group_a.pk,
            "title": "甲局观摩",
            "starts_at": "2022-11-01T09:00",
            "contest": above.pk,
            "trim_min_judges": "5",
            "outlier_points": "10",
        },
    )
    assert response.status_code == 200
    assert ObservationMeeting.objects.unscoped().count() == 0


# ---------------------------------------------------------------------------------- 3: sheets


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_only_a_published_sheet_is_accepted(tree, personas, status):
    sheet = make_sheet(tree.root, status=status)
    with pytest.raises(AppError, match="尚未发布") as exc:
        obs.observation_create(
            actor=personas.committee_admin,
            owner=tree.root,
            title="观摩会",
            starts_at=START,
            sheet=sheet,
        )
    assert exc.value.field == "sheet"
    assert ObservationMeeting.objects.unscoped().count() == 0
    meeting = obs.observation_create(
        actor=personas.committee_admin, owner=tree.root, title="观摩会", starts_at=START
    )
    with pytest.raises(AppError, match="尚未发布"):
        obs.observation_update(actor=personas.committee_admin, meeting=meeting, sheet=sheet)
    meeting.refresh_from_db()
    assert meeting.sheet_id is None
    assert not AuditEntry.objects.filter(action="assessment.observation.updated").exists()


def test_sheet_choices_published_only(tree, personas):
    published = make_sheet(tree.root, name="工委评分表")
    make_sheet(tree.root, name="工委草稿", status="draft")
    own_draft = make_sheet(tree.party_group_a, name="甲局草稿", status="draft")
    own = make_sheet(tree.party_group_a, name="甲局评分表")
    sibling = make_sheet(tree.party_group_b, name="乙局评分表")
    unit = personas.unit_admin
    assert set(sel.sheet_choices(unit, [tree.party_group_a])) == {published, own}
    admin = personas.committee_admin
    choices = set(sel.sheet_choices(admin, [tree.root]))
    assert choices == {published, own, sibling} and own_draft not in choices


# ---------------------------------------------------------------------------------- 6: sign-in


def test_opening_the_sign_in_url_writes_nothing(client, tree, personas):
    meeting = make_meeting(tree, judges=make_users("j", 1), live=True)
    obs.participants_add(actor=None, meeting=meeting, users=[personas.member_a])
    url = f"/observation/sign-in/{meeting.sign_in_code}/"
    client.force_login(personas.member_a)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert meeting.title in body and "确认签到" in body and 'method="post"' in body
    assert "csrfmiddlewaretoken" in body and "签到成功" not in body
    row = Participant.objects.unscoped().get(meeting=meeting, user=personas.member_a)
    assert row.signed_in_at is None
    assert not AuditEntry.objects.filter(action="assessment.participant.signed_in").exists()
    # the button signs in
    response = client.post(url)
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    row.refresh_from_db()
    assert row.signed_in_at is not None
    assert AuditEntry.objects.filter(action="assessment.participant.signed_in").count() == 1
    # opened again: already signed in, no button
    body = client.get(url).content.decode()
    assert "您已于" in body and "确认签到" not in body


def test_sign_in_post_needs_the_csrf_token(tree, personas):
    meeting = make_meeting(tree, judges=make_users("j", 1), live=True)
    obs.participants_add(actor=None, meeting=meeting, users=[personas.member_a])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.member_a)
    response = strict.post(f"/observation/sign-in/{meeting.sign_in_code}/")
    assert response.status_code == 403
    row = Participant.objects.unscoped().get(meeting=meeting, user=personas.member_a)
    assert row.signed_in_at is None


def test_sign_in_page_says_nothing_to_someone_not_on_the_list(client, tree, personas):
    meeting = make_meeting(tree, judges=make_users("j", 1), live=True)
    client.force_login(personas.secretary_b)
    for method in (client.get, client.post):
        response = method(f"/observation/sign-in/{meeting.sign_in_code}/")
        body = response.content.decode()
        assert response.status_code == 400
        assert "不在本次观摩会的参会人员名单中" in body and meeting.title not in body
    response = client.get("/observation/sign-in/ZZZZZZ/")
    assert response.status_code == 400 and "签到码无效" in response.content.decode()


# ---------------------------------------------------------------------------------- 8: people


@pytest.mark.parametrize("persona", SEPARATED)
@pytest.mark.parametrize("actor", [None, "committee_admin"])
def test_separated_roles_are_never_judges_or_participants(tree, personas, persona, actor):
    meeting = make_meeting(tree)  # the committee's: every grant lies in its subtree
    user = personas.by_name(persona)
    actor = personas.by_name(actor) if actor else None
    with pytest.raises(AppError, match="三员分立") as exc:
        obs.judge_add(actor=actor, meeting=meeting, user=user)
    assert exc.value.field == "user"
    with pytest.raises(AppError, match="三员分立") as exc:
        obs.participants_add(
            actor=actor, meeting=meeting, users=[personas.member_a, user], names=["王老师"]
        )
    assert exc.value.field == "users"
    assert not ObservationJudge.objects.unscoped().filter(meeting=meeting).exists()
    assert not Participant.objects.unscoped().filter(meeting=meeting).exists()


@pytest.mark.parametrize(
    "who",
    ["outsider", "judge", "committee_admin", "branch_c_member", "plain"],
)
def test_accounts_outside_the_organisation_are_refused(tree, personas, who):
    """甲局's meeting: an account with no grant in 甲局's subtree and no member record in it is
    refused, whether it has no grant at all, a grant above (the committee's judge, the
    committee admin) or a member record in 乙局."""
    meeting = _unit_meeting(tree)
    user = {
        "branch_c_member": lambda: User.objects.create_user(
            username="c1", password="Passw0rd2022", member=tree.members_c[0]
        ),
        "plain": lambda: make_users("p", 1)[0],
    }.get(who, lambda: personas.by_name(who))()
    with pytest.raises(AppError, match="该账号不属于本组织") as exc:
        obs.judge_add(actor=personas.unit_admin, meeting=meeting, user=user)
    assert exc.value.field == "user"
    with pytest.raises(AppError, match="不属于本组织") as exc:
        obs.participants_add(actor=personas.unit_admin, meeting=meeting, users=[user])
    assert exc.value.field == "users"
    assert not ObservationJudge.objects.unscoped().filter(meeting=meeting).exists()
    assert not Participant.objects.unscoped().filter(meeting=meeting).exists()
    assert not AuditEntry.objects.filter(
        action__in=["assessment.judge.added", "assessment.participant.added"]
    ).exists()


def test_accounts_of_the_organisation_are_accepted(tree, personas):
    """A grant in the subtree (secretary_a, the unit admin himself) or a member record in it
    (a member's account without a grant) makes the account one of the organisation's."""
    meeting = _unit_meeting(tree)
    member_only = User.objects.create_user(
        username="a3", password="Passw0rd2022", display_name="王五", member=tree.members_a[2]
    )
    for user in (personas.secretary_a, personas.unit_admin, member_only):
        obs.judge_add(actor=personas.unit_admin, meeting=meeting, user=user)
    created = obs.participants_add(
        actor=personas.unit_admin,
        meeting=meeting,
        users=[personas.member_a, personas.secretary_b, member_only],
    )
    assert len(created) == 3
    assert ObservationJudge.objects.unscoped().filter(meeting=meeting).count() == 3


def test_a_left_members_record_does_not_count(tree, personas):
    import datetime as dt

    meeting = _unit_meeting(tree)
    member = tree.members_a[3]
    type(member).all_objects.filter(pk=member.pk).update(left_on=dt.date(2022, 1, 1))
    user = User.objects.create_user(username="gone", password="Passw0rd2022", member=member)
    with pytest.raises(AppError, match="不属于本组织"):
        obs.judge_add(actor=personas.unit_admin, meeting=meeting, user=user)


def test_participants_refusal_names_the_outsiders(tree, personas):
    meeting = _unit_meeting(tree)
    with pytest.raises(AppError, match=r"以下账号不属于本组织.*outsider") as exc:
        obs.participants_add(
            actor=personas.unit_admin,
            meeting=meeting,
            users=[personas.member_a, personas.outsider],
            names=["王老师"],
        )
    assert "member_a" not in exc.value.message
    assert not Participant.objects.unscoped().filter(meeting=meeting).exists()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("auditor", "三员分立"),
        ("security_admin", "三员分立"),
        ("outsider", "该账号不属于本组织"),
        ("nobody", "没有该账号"),
    ],
)
def test_judge_form_shows_the_refusal_at_the_field(client, tree, personas, username, message):
    meeting = _unit_meeting(tree)
    client.force_login(personas.unit_admin)
    response = client.post(_url("judge_add", meeting), {"username": username})
    body = response.content.decode()
    assert response.status_code == 200
    form = body.split('data-testid="judge-form"', 1)[1].split("</form>", 1)[0]
    field = form.split('name="username"', 1)[1].split("</div>", 1)[0]
    assert message in field and "invalid-feedback" in field and "is-invalid" in field
    assert '<details class="mb-3" open>' in body  # the form is shown opened
    assert not ObservationJudge.objects.unscoped().filter(meeting=meeting).exists()


@pytest.mark.parametrize(
    ("usernames", "message"),
    [
        ("member_a\nauditor", "三员分立"),
        ("member_a\noutsider", "以下账号不属于本组织，不能参会：outsider"),
        ("ghost", "没有这些账号：ghost"),
    ],
)
def test_participants_form_shows_the_refusal_at_the_field(
    client, tree, personas, usernames, message
):
    meeting = _unit_meeting(tree)
    client.force_login(personas.unit_admin)
    response = client.post(
        _url("participants_add", meeting), {"usernames": usernames, "names": "王老师"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    form = body.split('data-testid="participants-form"', 1)[1].split("</form>", 1)[0]
    field = form.split('name="usernames"', 1)[1].split('name="names"', 1)[0]
    assert message in field and "invalid-feedback" in field
    assert not Participant.objects.unscoped().filter(meeting=meeting).exists()


def test_judge_form_accepts_an_account_of_the_organisation(client, tree, personas):
    meeting = _unit_meeting(tree)
    client.force_login(personas.unit_admin)
    response = client.post(_url("judge_add", meeting), {"username": "secretary_a"})
    assert response.status_code == 302
    assert response["Location"] == _url("detail", meeting) + "#judges"
    judge = ObservationJudge.objects.unscoped().get(meeting=meeting)
    assert judge.user == personas.secretary_a
