"""Permission table of the 党内统计 pages: both URLs × every persona × own / sibling / parent /
other-unit org (see tests/core/test_permission_table.py for the targets). Statistics need
member.view on the org: admins in their scope, secretaries on their own branch; a 党员, the
judge, the auditor, the security admin and an outsider get 404, never 403."""

import pytest
from tests.conftest import PERSONA_NAMES

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")

TARGETS = ["A", "B", "P", "C"]
ALL = (200, 200, 200, 200)
NONE = (404, 404, 404, 404)

# member.view, as the MEMBERS table of the core permission test
STATS = {
    "committee_admin": ALL,
    "unit_admin": (200, 200, 200, 404),
    "secretary_a": (200, 404, 404, 404),
    "member_a": NONE,
    "secretary_b": (404, 200, 404, 404),
    "judge": NONE,  # org.view only: counts on org pages, not these statistics
    "system_admin": NONE,  # 三员分立: the org tree and settings, no members
    "auditor": NONE,
    "security_admin": NONE,
    "outsider": NONE,
}

URLS = [
    ("statistics", "/members/statistics/?org={id}"),
    ("statistics xlsx", "/members/statistics/xlsx/?org={id}&cutoff=2024-12-31"),
]


def _org(tree, key):
    return {"A": tree.branch_a, "B": tree.branch_b, "P": tree.party_group_a, "C": tree.branch_c}[
        key
    ]


@pytest.mark.parametrize(
    ("url", "persona", "target", "expected"),
    [
        pytest.param(url, p, t, STATS[p][i], id=f"{name}-{p}-{t}")
        for name, url in URLS
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_statistics_table(client, tree, personas, url, persona, target, expected):
    client.force_login(personas.by_name(persona))
    response = client.get(url.format(id=_org(tree, target).pk))
    assert response.status_code == expected


# Without ?org= the page opens on the user's top member.view org; no such org → 404.
DEFAULT = {p: (200 if p in {"committee_admin", "unit_admin", "secretary_a", "secretary_b"} else 404)
           for p in PERSONA_NAMES}  # fmt: skip


@pytest.mark.parametrize(
    ("url", "persona", "expected"),
    [
        pytest.param(url, p, DEFAULT[p], id=f"{url}-{p}")
        for url in ["/members/statistics/", "/members/statistics/xlsx/"]
        for p in PERSONA_NAMES
    ],
)
def test_statistics_without_org(client, personas, url, persona, expected):
    client.force_login(personas.by_name(persona))
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("org", ["999999", "abc", "-1", "1.5", ""])
def test_unknown_or_garbage_org_is_404_or_default(client, personas, org):
    client.force_login(personas.committee_admin)
    response = client.get("/members/statistics/", {"org": org})
    assert response.status_code == (200 if org == "" else 404)


@pytest.mark.parametrize("url", ["/members/statistics/", "/members/statistics/xlsx/"])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/members/statistics/", "/members/statistics/xlsx/"])
def test_post_is_refused(client, personas, url):
    client.force_login(personas.committee_admin)
    assert client.post(url).status_code == 405
