"""发展党员 pages, review fixes: the correction form under htmx (HX-Redirect on success, the form
with its errors as 200), oversize uploads refused at the field with nothing recorded, the
board's filters applied before the cap per stage (exact "另有 N 人未显示"), the org picker
keeping the chosen org beyond its cap, 更正 only on the steps the user may correct, and the
Word documents readable only by those who may read the candidate."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.permissions import ROLE_CAPS, Cap, Role
from dangjian.recruitment import documents, services
from dangjian.recruitment import selectors_lists as sel_lists
from dangjian.recruitment import views as recruitment_views
from dangjian.recruitment.models import DocumentTemplate, StepEvent
from tests.conftest import PASSWORD
from tests.recruitment.conftest import date_of

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def event_of(candidate, step: str) -> StepEvent:
    return StepEvent.objects.unscoped().get(candidate=candidate, step=step)


# ---------------------------------------------------------------------------------------------
# 1. The correction form under htmx


def test_correction_under_htmx_redirects_with_hx_redirect(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="talk")
    event = event_of(c, "talk")
    new_on = event.on + dt.timedelta(days=2)
    login(client, personas.secretary_a)
    response = client.post(
        reverse("recruitment:correct", args=[event.pk]),
        {"on": new_on.isoformat(), "reason": "登记时日期填错"},
        headers=HTMX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("recruitment:candidate", args=[c.pk])
    event.refresh_from_db()
    assert event.on == new_on


def test_correction_error_under_htmx_is_the_form_with_the_message_at_the_field(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="talk")
    event = event_of(c, "talk")
    old_on = event.on
    login(client, personas.secretary_a)
    response = client.post(
        reverse("recruitment:correct", args=[event.pk]),
        {"on": (old_on + dt.timedelta(days=2)).isoformat(), "reason": ""},
        headers=HTMX,
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    page = response.content.decode()
    assert "<html" not in page  # the form fragment, swapped in place of the form
    assert 'data-testid="step-form"' in page
    error = re.search(r'data-testid="error-reason">([^<]+)<', page)
    assert error is not None and error.group(1).strip()
    assert f'hx-post="{reverse("recruitment:correct", args=[event.pk])}"' in page
    assert "data-close-slot" not in page  # 取消 stays a link on the correction page
    event.refresh_from_db()
    assert event.on == old_on


# ---------------------------------------------------------------------------------------------
# 2. Oversize uploads


def _big(name="材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * 20000, content_type="application/pdf")


@pytest.mark.parametrize("htmx", [False, True])
def test_oversize_step_material_is_refused_and_nothing_recorded(
    client, tree, personas, candidate_factory, settings, htmx
):
    settings.UPLOAD_MAX_BYTES = 1000
    c = candidate_factory(upto="contacts")
    login(client, personas.secretary_a)
    response = client.post(
        reverse("recruitment:step", args=[c.pk, "assessment"]),
        {"on": date_of("assessment").isoformat(), "document": _big(), "note": "考察良好"},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == (200 if htmx else 400)
    page = response.content.decode()
    error = re.search(r'data-testid="error-document">([^<]+)<', page)
    assert error is not None and "上传上限" in error.group(1)
    assert "已登记" not in page
    assert not StepEvent.objects.unscoped().filter(candidate=c, step="assessment").exists()


def test_oversize_template_is_refused_at_the_file(client, tree, personas, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    login(client, personas.unit_admin)
    response = client.post(
        reverse("recruitment:templates"),
        {"kind": "publicity_notice", "org": tree.organ_a.pk, "file": _big("模板.docx")},
    )
    assert response.status_code == 400
    assert "上传上限" in response.context["form"].errors["file"][0]
    assert 'data-testid="error-file"' in response.content.decode()
    assert not DocumentTemplate.objects.unscoped().exists()


# ---------------------------------------------------------------------------------------------
# 5. The board's filters before the cap per stage


def _applicants(tree, n: int, name="申请人", start=dt.date(2024, 1, 1)):
    """n applicants of branch A from `start`, the later ones with later deadlines."""
    return [
        services.candidate_create(
            actor=None,
            branch=tree.branch_a,
            name=f"{name}{i:02d}",
            sex="1",
            birth_date=dt.date(1995, 1, 1),
            application_on=start + dt.timedelta(days=i),
        )
        for i in range(n)
    ]


def test_board_filters_before_the_cap_and_counts_the_rest(
    client, tree, personas, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(sel_lists, "BOARD_PER_STAGE", 2)
    _applicants(tree, 5)
    last = _applicants(tree, 1, name="王特别", start=dt.date(2024, 3, 1))[0]  # sorted last
    login(client, personas.secretary_a)
    url = reverse("recruitment:board")

    response = client.get(url)
    column = response.context["board"].columns[0]
    assert column.stage == "applicant" and (len(column.cards), column.total) == (2, 6)
    assert column.more == 4
    assert "另有 4 人未显示" in response.content.decode()

    # the name sorted beyond the cap is found (the filter runs before the cap)
    response = client.get(url, {"q": "特别"})
    column = response.context["board"].columns[0]
    assert [x.candidate.pk for x in column.cards] == [last.pk]
    assert (column.total, column.all_total, column.more) == (1, 6, 0)
    page = response.content.decode()
    assert "未显示" not in page
    assert 'data-testid="count-applicant">1 / 6<' in page

    # more matches than the cap: the note counts the matching ones not shown
    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "申请人", "due": "1"})
    column = response.context["board"].columns[0]
    assert (len(column.cards), column.total) == (2, 5)
    assert "另有 3 人未显示" in response.content.decode()
    assert response.context["board"].total == 6  # the summary is the scope's


def test_board_errors_filter_runs_in_sql(tree, personas, candidate_factory, monkeypatch):
    monkeypatch.setattr(sel_lists, "BOARD_PER_STAGE", 1)
    _applicants(tree, 3)
    today = timezone.localdate()
    board = sel_lists.board(personas.secretary_a, None, today, errors=True)
    assert all(not col.cards and col.total == 0 for col in board.columns)
    assert board.filtered and board.total == 3


# ---------------------------------------------------------------------------------------------
# 8. The org picker keeps the chosen org


def test_board_org_picker_keeps_an_org_beyond_the_cap(client, tree, personas, monkeypatch):
    monkeypatch.setattr(recruitment_views, "ORG_CHOICES_LIMIT", 1)
    login(client, personas.unit_admin)
    first = [pk for pk, _ in recruitment_views._filter_orgs(personas.unit_admin)]
    assert first == [tree.party_group_a.pk]  # the cap leaves the branch out
    response = client.get(reverse("recruitment:board"), {"org": tree.branch_a.pk})
    assert response.status_code == 200
    assert [pk for pk, _ in response.context["orgs"]] == [tree.party_group_a.pk, tree.branch_a.pk]
    select = re.search(r'<select[^>]*id="f-org".*?</select>', response.content.decode(), re.S)
    assert re.findall(r'<option value="(\d+)" selected>', select.group(0)) == [
        str(tree.branch_a.pk)
    ]


# ---------------------------------------------------------------------------------------------
# 9. 更正 only where the user may correct


def test_correct_link_only_on_steps_the_user_may_correct(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="pre_review")
    talk, pre_review = event_of(c, "talk"), event_of(c, "pre_review")
    login(client, personas.secretary_a)
    response = client.get(reverse("recruitment:candidate", args=[c.pk]))
    page = response.content.decode()
    assert talk.pk in response.context["correctable"]
    assert pre_review.pk not in response.context["correctable"]
    assert f'data-testid="correct-{talk.pk}"' in page
    assert f'data-testid="correct-{pre_review.pk}"' not in page  # the committee's step
    assert client.get(reverse("recruitment:correct", args=[pre_review.pk])).status_code == 404
    client.logout()
    login(client, personas.unit_admin)
    page = client.get(reverse("recruitment:candidate", args=[c.pk])).content.decode()
    assert f'data-testid="correct-{pre_review.pk}"' in page
    assert f'data-testid="correct-{talk.pk}"' in page


# ---------------------------------------------------------------------------------------------
# 10. Documents: the candidate's readers only


def test_document_needs_approval_strictly_above_the_branch(
    tree, personas, candidate_factory, monkeypatch
):
    """A role holding recruit.approve but not recruit.manage, granted on the branch itself,
    does not read the branch's candidates (R-DEV-12: approval is the committee's above)."""
    monkeypatch.setitem(ROLE_CAPS, Role.JUDGE, frozenset({Cap.ORG_VIEW, Cap.RECRUIT_APPROVE}))
    c = candidate_factory(upto="prospect_publicity")
    on_branch = User.objects.create_user(username="approver_on_branch", password=PASSWORD)
    RoleGrant.objects.create(user=on_branch, org=tree.branch_a, role=Role.JUDGE)
    with pytest.raises(Http404):
        documents.document_render(actor=on_branch, candidate=c, kind="publicity_notice")
    above = User.objects.create_user(username="approver_above", password=PASSWORD)
    RoleGrant.objects.create(user=above, org=tree.organ_a, role=Role.JUDGE)
    data, _ = documents.document_render(actor=above, candidate=c, kind="publicity_notice")
    assert data[:2] == b"PK"
    data, _ = documents.document_render(
        actor=personas.secretary_a, candidate=c, kind="publicity_notice"
    )
    assert data[:2] == b"PK"
