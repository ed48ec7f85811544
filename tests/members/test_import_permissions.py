"""Who may use the import pages: every import URL × every persona × own / sibling / parent /
other-unit scope (the pattern of tests/core/test_permission_table.py). Importing needs
member.manage on the scope org; outsiders get 404, never 403."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.conftest import PERSONA_NAMES
from tests.members.test_import_support import roster_row, write_xlsx

from dangjian.members.imports import import_start, import_validate
from dangjian.members.models import ImportStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_tree")]

ALL_200 = (200, 200, 200, 200)
NONE = (404, 404, 404, 404)
# (A, B, P, C) per persona: member.manage, held by both admins and each branch's secretary
MANAGE_MEMBERS = {
    "committee_admin": ALL_200,
    "unit_admin": (200, 200, 200, 404),
    "secretary_a": (200, 404, 404, 404),
    "member_a": NONE,
    "secretary_b": (404, 200, 404, 404),
    "auditor": NONE,
    "security_admin": NONE,
    "outsider": NONE,
    "judge": NONE,  # org.view only: never names or files
    "system_admin": NONE,  # 三员分立: the org tree and settings, no members
}
MANAGERS = {"committee_admin", "unit_admin", "secretary_a", "secretary_b"}
TARGETS = ["A", "B", "P", "C"]

# (name, url template); {id} is the target org, {job} an import job scoped to it
PAGES = [
    ("upload page for org", "/members/import/?org={id}"),
    ("template for org", "/members/import/template/?org={id}"),
    ("job page", "/members/import/{job}/"),
    ("job progress", "/members/import/{job}/progress/"),
    ("job report", "/members/import/{job}/report/"),
]


def _org(tree, key):
    return {"A": tree.branch_a, "B": tree.branch_b, "P": tree.party_group_a, "C": tree.branch_c}[
        key
    ]


def _job(tree, tmp_path, org, *, valid: bool):
    """A real job scoped to `org`: one row, valid (ready) or with a bad 民族 (invalid)."""
    branch = {"party_group": "第一党支部"}.get(org.kind, org.name)
    row = roster_row("欧阳修", branch, **({} if valid else {"民族": "火星族"}))
    path = write_xlsx(tmp_path / "r.xlsx", [row])
    job = import_start(
        actor=None, org=org, uploaded_file=SimpleUploadedFile("r.xlsx", path.read_bytes())
    )
    job = import_validate(job_id=job.pk)  # the test's transaction holds on_commit back
    assert job.status == (ImportStatus.READY if valid else ImportStatus.INVALID), job.errors
    return job


@pytest.mark.parametrize(
    ("name", "url", "persona", "target", "expected"),
    [
        pytest.param(n, u, p, t, MANAGE_MEMBERS[p][i], id=f"{n}-{p}-{t}")
        for n, u in PAGES
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_import_pages(client, tree, personas, tmp_path, name, url, persona, target, expected):
    org = _org(tree, target)
    job_id = _job(tree, tmp_path, org, valid=False).pk if "{job}" in url else 0
    client.force_login(personas.by_name(persona))
    response = client.get(url.format(id=org.pk, job=job_id))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        pytest.param(p, t, 302 if MANAGE_MEMBERS[p][i] == 200 else 404, id=f"{p}-{t}")
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_confirm(client, tree, personas, tmp_path, persona, target, expected):
    job = _job(tree, tmp_path, _org(tree, target), valid=True)
    client.force_login(personas.by_name(persona))
    response = client.post(f"/members/import/{job.pk}/confirm/", {"update_existing": "on"})
    assert response.status_code == expected
    job.refresh_from_db()
    assert job.status == (ImportStatus.IMPORTING if expected == 302 else ImportStatus.READY)


@pytest.mark.parametrize(
    ("url", "persona"),
    [
        pytest.param(u, p, id=f"{u}-{p}")
        for u in ("/members/import/", "/members/import/template/")
        for p in PERSONA_NAMES
    ],
)
def test_pages_without_a_target(client, personas, url, persona):
    client.force_login(personas.by_name(persona))
    assert client.get(url).status_code == (200 if persona in MANAGERS else 404)


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        pytest.param(p, t, 302 if MANAGE_MEMBERS[p][i] == 200 else 200, id=f"{p}-{t}")
        for p in ("unit_admin", "secretary_a", "secretary_b")
        for i, t in enumerate(TARGETS)
    ],
)
def test_upload_into_an_org_outside_scope_is_refused(
    client, tree, personas, tmp_path, persona, target, expected
):
    """A forged scope in the POST: the form only offers the user's own orgs."""
    client.force_login(personas.by_name(persona))
    path = write_xlsx(tmp_path / "r.xlsx", [roster_row("欧阳修")])
    response = client.post(
        "/members/import/",
        {"org": _org(tree, target).pk, "file": SimpleUploadedFile("r.xlsx", path.read_bytes())},
    )
    assert response.status_code == expected
    if expected == 200:
        assert "org" in response.context["form"].errors


@pytest.mark.parametrize(
    "url",
    [
        "/members/import/",
        "/members/import/template/",
        "/members/import/1/",
        "/members/import/1/report/",
    ],
)
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_user_who_lost_the_grant_cannot_write(
    client, tree, personas, tmp_path, django_capture_on_commit_callbacks
):
    """The write runs later (a worker): it checks the confirming user's grant again."""
    from dangjian.accounts.models import RoleGrant
    from dangjian.members.imports import import_confirm, import_write

    job = _job(tree, tmp_path, tree.branch_a, valid=True)
    import_confirm(actor=personas.secretary_a, job=job)
    RoleGrant.objects.filter(user=personas.secretary_a).delete()
    job = import_write(job_id=job.pk, actor_id=personas.secretary_a.pk)
    assert job.status == ImportStatus.FAILED and "已无权管理" in job.message
