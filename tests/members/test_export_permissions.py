"""Permission table of the export pages: every URL × every persona × own / sibling / parent /
other-unit target (targets as in tests/core/test_permission_table.py). Exports need
member.view: admins in their scope, secretaries on their own branch; a 党员, the judge, the
auditor, the security admin and an outsider get 404, never 403. An export job is its owner's
alone: everyone else gets 404 for its page, its progress and its file."""

import pytest
from tests.conftest import PERSONA_NAMES

from dangjian.core.exporters import export_start

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")

TARGETS = ["A", "B", "P", "C"]
ALL = (200, 200, 200, 200)
NONE = (404, 404, 404, 404)

# member.view on the target org (the MEMBERS table of the core permission test)
MEMBERS = {
    "committee_admin": ALL,
    "unit_admin": (200, 200, 200, 404),
    "secretary_a": (200, 404, 404, 404),
    "member_a": NONE,
    "secretary_b": (404, 200, 404, 404),
    "judge": NONE,  # org.view only: counts, not names
    "system_admin": NONE,  # 三员分立: the org tree and settings, no members
    "auditor": NONE,
    "security_admin": NONE,
    "outsider": NONE,
}
# a member has no "parent" member: the P column reads a member of sibling branch B
MEMBER_DETAIL = {p: (row[0], row[1], row[1], row[3]) for p, row in MEMBERS.items()}

ROW = {"preset": "custom", "columns": ["name", "id_number"], "fmt": "csv"}

# (name, method, url template, data, table); {id} is the target org, {member} a member of it
PAGES = [
    ("export form", "get", "/members/export/?org={id}", None, MEMBERS),
    ("export roster", "post", "/members/export/?org={id}", ROW, MEMBERS),
    ("export forms docx", "post", "/members/export/?org={id}", {"fmt": "docx"}, MEMBERS),
    ("member form docx", "get", "/members/export/{member}/form.docx", None, MEMBER_DETAIL),
    ("member form revealed", "get", "/members/export/{member}/form.docx?reveal=1", None,
     MEMBER_DETAIL),
]  # fmt: skip


def _target(tree, key):
    org = {"A": tree.branch_a, "B": tree.branch_b, "P": tree.party_group_a, "C": tree.branch_c}[key]
    member = {
        "A": tree.members_a[2],
        "B": tree.members_b[1],
        "P": tree.members_b[2],
        "C": tree.members_c[0],
    }[key]
    return org, member


@pytest.mark.parametrize(
    ("method", "url", "data", "persona", "target", "expected"),
    [
        pytest.param(method, url, data, p, t, table[p][i], id=f"{name}-{p}-{t}")
        for name, method, url, data, table in PAGES
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_export_table(client, tree, personas, method, url, data, persona, target, expected):
    org, member = _target(tree, target)
    client.force_login(personas.by_name(persona))
    url = url.format(id=org.pk, member=member.pk)
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected


# Pages without a target: who may open them at all.
EXPORTERS = {"committee_admin", "unit_admin", "secretary_a", "secretary_b"}
GLOBAL = [
    ("export form", "/members/export/", set()),
    # the auditor exports the audit log: a large export is a job on this page
    ("my exports", "/exports/", {"auditor"}),
]


@pytest.mark.parametrize(
    ("url", "persona", "expected"),
    [
        pytest.param(url, p, 200 if p in EXPORTERS | extra else 404, id=f"{name}-{p}")
        for name, url, extra in GLOBAL
        for p in PERSONA_NAMES
    ],
)
def test_global_export_pages(client, personas, url, persona, expected):
    client.force_login(personas.by_name(persona))
    assert client.get(url).status_code == expected


@pytest.mark.parametrize(
    "suffix", ["", "progress/", "download/"], ids=["job", "progress", "download"]
)
@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_an_export_job_is_its_owners_alone(
    client, tree, personas, settings, django_capture_on_commit_callbacks, persona, suffix
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(
            actor=personas.secretary_a, identifier="members.roster", params={}, fmt="xlsx"
        ).job
    client.force_login(personas.by_name(persona))
    expected = 200 if persona == "secretary_a" else 404
    assert client.get(f"/exports/{job.pk}/{suffix}").status_code == expected


@pytest.mark.parametrize(
    "url", ["/members/export/", "/members/export/1/form.docx", "/exports/", "/exports/1/"]
)
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "url",
    [
        "/members/export/?org=abc",
        "/members/export/?org=999999",
        "/members/export/999999/form.docx",
        "/exports/999999/",
        "/exports/999999/download/",
    ],
)
def test_missing_objects_are_404(client, personas, url):
    client.force_login(personas.committee_admin)
    assert client.get(url).status_code == 404
