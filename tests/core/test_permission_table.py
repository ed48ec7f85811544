"""One table: every page and API endpoint × every persona × own / sibling / parent scope.

Targets: "A" = branch A (secretary_a's and member_a's own branch), "B" = sibling branch B,
"P" = 甲局党组, the unit's top node (parent scope of both branches), "C" = branch C in another
unit. 404 for anyone outside scope: the product never confirms that an object exists.
"""

import pytest
from tests.conftest import PERSONA_NAMES

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")

ADMINS = {"committee_admin", "unit_admin"}
#: signed-in users with a grant in the tree outside the three separated roles
READERS = {"secretary_a", "member_a", "secretary_b", "judge"}
WITH_MEMBER = {"secretary_a", "member_a", "secretary_b"}  # accounts linked to a member record

# The expected status per persona for each target, as (A, B, P, C).
ALL_200 = (200, 200, 200, 200)
NONE = (404, 404, 404, 404)


def _row(committee_admin, unit_admin, secretary_a, member_a, secretary_b, other=NONE):
    return {
        "committee_admin": committee_admin,
        "unit_admin": unit_admin,
        "secretary_a": secretary_a,
        "member_a": member_a,
        "secretary_b": secretary_b,
        "auditor": other,
        "security_admin": other,
        "outsider": other,
        # a judge's grant on the root lets them see orgs (not members)
        "judge": None,
        # the system administrator keeps the whole org tree and sees no member (三员分立)
        "system_admin": None,
    }


VIEW = _row(
    ALL_200, (200, 200, 200, 404), (200, 404, 404, 404), (200, 404, 404, 404), (404, 200, 404, 404)
)
VIEW["judge"] = VIEW["system_admin"] = ALL_200
MANAGE = _row(ALL_200, (200, 200, 200, 404), NONE, NONE, NONE)
MANAGE["judge"], MANAGE["system_admin"] = NONE, ALL_200
# move and dissolve need org.manage on the parent: the unit admin cannot move the unit's top node
MANAGE_PARENT = _row(ALL_200, (200, 200, 404, 404), NONE, NONE, NONE)
MANAGE_PARENT["judge"], MANAGE_PARENT["system_admin"] = NONE, ALL_200
MEMBERS = _row(ALL_200, (200, 200, 200, 404), (200, 404, 404, 404), NONE, (404, 200, 404, 404))
MEMBERS["judge"] = MEMBERS["system_admin"] = NONE
# talks exist for branches only: the P column (甲局党组) is 404 for everyone
BRANCH_MEMBERS = {p: (row[0], row[1], 404, row[3]) for p, row in MEMBERS.items()}
# a member page has no "parent" member: its P column reads a member of sibling branch B
MEMBER_DETAIL = {p: (row[0], row[1], row[1], row[3]) for p, row in MEMBERS.items()}

# 党费: dues.manage (secretaries and 组织委员 of their branch, admins of their subtree); a member
# without it is sent to his own dues (我的党费) from the branch page
DUES = {**MEMBERS, "member_a": (302, 302, 302, 302)}
DUES_MEMBER = {**MEMBER_DETAIL, "member_a": NONE}
# 发展党员: recruit.manage; the candidate board of an org outside one's scope is not shown
RECRUIT = {**MEMBERS, "member_a": NONE}
# 学习培训: study.manage as dues.manage; a member without it is sent to his own pages
STUDY = {**MEMBERS, "member_a": (302, 302, 302, 302)}

# (name, method, url template, table). {id} is the target org, {member} a member of it.
PAGES = [
    ("org detail", "get", "/orgs/{id}/", VIEW),
    ("tree children", "get", "/orgs/tree/?parent={id}", VIEW),
    ("org edit", "get", "/orgs/{id}/edit/", MANAGE),
    ("org create child", "get", "/orgs/{id}/new/", MANAGE),
    ("term record", "get", "/orgs/{id}/term/", MANAGE),
    ("seat assign", "get", "/orgs/{id}/seats/new/", MANAGE),
    ("org move", "get", "/orgs/{id}/move/", MANAGE_PARENT),
    ("org dissolve", "get", "/orgs/{id}/dissolve/", MANAGE_PARENT),
    ("members of org", "get", "/members/?org={id}", MEMBERS),
    ("member detail", "get", "/members/{member}/", MEMBER_DETAIL),
    ("member edit", "get", "/members/{member}/edit/", MEMBER_DETAIL),
    ("member reveal id", "post", "/members/{member}/reveal/id_number/", MEMBER_DETAIL),
    ("member reveal phone", "post", "/members/{member}/reveal/phone/", MEMBER_DETAIL),
    ("api org detail", "get", "/api/orgs/{id}", VIEW),
    ("api members of org", "get", "/api/members?org={id}", MEMBERS),
    ("api member detail", "get", "/api/members/{member}", MEMBER_DETAIL),
    ("api member reveal", "get", "/api/members/{member}?reveal=true", MEMBER_DETAIL),
    ("meetings of org", "get", "/orglife/?org={id}", MEMBERS),
    ("meeting plan", "get", "/orglife/orgs/{id}/plan/", MEMBERS),
    ("api meetings of org", "get", "/api/orglife/meetings?org={id}", MEMBERS),
    ("compliance of org", "get", "/compliance/?org={id}", VIEW),
    ("talks of branch", "get", "/orglife/orgs/{id}/talks/", BRANCH_MEMBERS),
    ("talk coverage of branch", "get", "/orglife/orgs/{id}/talks/coverage/", BRANCH_MEMBERS),
    ("ledger of org", "get", "/orglife/docs/ledger/?org={id}", MEMBERS),
    ("dues month list of org", "get", "/dues/?org={id}", DUES),
    ("dues arrears of org", "get", "/dues/arrears/?org={id}", {**DUES, "member_a": NONE}),
    ("dues ledger of member", "get", "/dues/members/{member}/", DUES_MEMBER),
    ("api dues charges of org", "get", "/api/dues/charges?org={id}", {**DUES, "member_a": NONE}),
    ("recruitment board of org", "get", "/recruitment/?org={id}", RECRUIT),
    ("api candidates of org", "get", "/api/recruitment/candidates?org={id}", RECRUIT),
    ("study plans of org", "get", "/study/plans/?org={id}", STUDY),
    ("study sessions of org", "get", "/study/sessions/?org={id}", STUDY),
    ("credit hours of org", "get", "/study/hours/?org={id}", STUDY),
    ("study stats of org", "get", "/study/stats/?org={id}", STUDY),
    ("points ranking of org", "get", "/study/points/?org={id}", STUDY),
    ("credit hours of member", "get", "/study/hours/members/{member}/", DUES_MEMBER),
    ("api credit hours of org", "get", "/api/study/hours?org={id}", RECRUIT),
    ("api study sessions of org", "get", "/api/study/sessions?org={id}", RECRUIT),
    ("api points of org", "get", "/api/study/points?org={id}", RECRUIT),
]

TARGETS = ["A", "B", "P", "C"]


def _target(tree, key):
    org = {"A": tree.branch_a, "B": tree.branch_b, "P": tree.party_group_a, "C": tree.branch_c}[key]
    member = {
        "A": tree.members_a[2],
        "B": tree.members_b[1],
        "P": tree.members_b[2],
        "C": tree.members_c[0],
    }[key]
    return org, member


CASES = [
    pytest.param(name, method, url, persona, t, table[persona][i], id=f"{name}-{persona}-{t}")
    for name, method, url, table in PAGES
    for persona in PERSONA_NAMES
    for i, t in enumerate(TARGETS)
]


@pytest.mark.parametrize(("name", "method", "url", "persona", "target", "expected"), CASES)
def test_scoped_pages(client, tree, personas, name, method, url, persona, target, expected):
    org, member = _target(tree, target)
    client.force_login(personas.by_name(persona))
    response = getattr(client, method)(url.format(id=org.pk, member=member.pk))
    assert response.status_code == expected


# 三员分立: the security administrator's pages are his alone
SECURITY_ONLY = {p: (200 if p == "security_admin" else 404) for p in PERSONA_NAMES}

# Pages without a target: who may open them at all.
GLOBAL = [
    ("home", "/", {p: 200 for p in PERSONA_NAMES}),
    (
        "org list",
        "/orgs/",
        {
            p: (
                200
                if p in ADMINS | {"secretary_a", "member_a", "secretary_b", "judge", "system_admin"}
                else 404
            )
            for p in PERSONA_NAMES
        },
    ),
    (
        "tree roots",
        "/orgs/tree/",
        {
            p: (
                200
                if p in ADMINS | {"secretary_a", "member_a", "secretary_b", "judge", "system_admin"}
                else 404
            )
            for p in PERSONA_NAMES
        },
    ),
    # 责任落实: its managers (the 工委 and the unit admins); no one else, not even a reader
    *[
        (name, url, {p: (200 if p in ADMINS else 404) for p in PERSONA_NAMES})
        for name, url in [
            ("responsibility hub", "/responsibility/"),
            ("responsibility overview", "/responsibility/overview/"),
            ("duty lists", "/responsibility/duties/"),
            ("work points", "/responsibility/points/"),
            ("overdue tasks", "/responsibility/overdue/"),
            ("task matrix", "/responsibility/matrix/"),
            ("unit tasks", "/responsibility/tasks/"),
        ]
    ],
    # 共同缔造: managers get the hub; everyone else in the tree (not the separated roles) reads
    # the communities' public side, and the hub sends them there
    (
        "cocreation hub",
        "/cocreation/",
        {p: 200 if p in ADMINS else 302 if p in READERS else 404 for p in PERSONA_NAMES},
    ),
    (
        "communities",
        "/cocreation/communities/",
        {p: 200 if p in ADMINS | READERS else 404 for p in PERSONA_NAMES},
    ),
    # 老干部服务: its managers; a member (a possible serving cadre) is sent to his own pairings
    (
        "veterans hub",
        "/veterans/",
        {p: 200 if p in ADMINS else 302 if p in WITH_MEMBER else 404 for p in PERSONA_NAMES},
    ),
    (
        "my pairings",
        "/veterans/mine/",
        {p: 200 if p in WITH_MEMBER else 404 for p in PERSONA_NAMES},
    ),
    *[
        (name, url, {p: 200 if p in ADMINS else 404 for p in PERSONA_NAMES})
        for name, url in [
            ("retirees", "/veterans/retirees/"),
            ("retiree requests", "/veterans/requests/"),
            ("volunteer teams", "/veterans/teams/"),
            ("legal hub", "/legal/"),
            ("village lawyers", "/legal/villages/"),
            ("lenient lists kept", "/legal/lists/"),
        ]
    ],
    # the published 四张清单: anyone, with or without an account
    ("lenient lists public", "/public/lenient-lists/", {p: 200 for p in PERSONA_NAMES}),
    (
        "member list",
        "/members/",
        {p: (200 if p in ADMINS | {"secretary_a", "secretary_b"} else 404) for p in PERSONA_NAMES},
    ),
    (
        "member new",
        "/members/new/",
        {p: (200 if p in ADMINS | {"secretary_a", "secretary_b"} else 404) for p in PERSONA_NAMES},
    ),
    (
        "api member list",
        "/api/members",
        {p: (200 if p in ADMINS | {"secretary_a", "secretary_b"} else 404) for p in PERSONA_NAMES},
    ),
    ("audit log", "/audit/", {p: (200 if p == "auditor" else 404) for p in PERSONA_NAMES}),
    ("security accounts", "/security/", SECURITY_ONLY),
    (
        "meetings",
        "/orglife/",
        {p: (200 if p in ADMINS | {"secretary_a", "secretary_b"} else 404) for p in PERSONA_NAMES},
    ),
    (
        "sign-in page",
        "/orglife/sign-in/",
        # the accounts linked to a member record
        {
            p: (200 if p in {"secretary_a", "member_a", "secretary_b"} else 404)
            for p in PERSONA_NAMES
        },
    ),
    ("to-do list", "/todo/", {p: 200 for p in PERSONA_NAMES}),
    (
        "compliance",
        "/compliance/",
        {
            p: (200 if p not in {"auditor", "security_admin", "outsider"} else 404)
            for p in PERSONA_NAMES
        },
    ),
    ("security new account", "/security/users/new/", SECURITY_ONLY),
    ("security policy", "/security/policy/", SECURITY_ONLY),
    ("api org list", "/api/orgs", {p: 200 for p in PERSONA_NAMES}),
]


@pytest.mark.parametrize(
    ("name", "url", "persona", "expected"),
    [pytest.param(n, u, p, t[p], id=f"{n}-{p}") for n, u, t in GLOBAL for p in PERSONA_NAMES],
)
def test_global_pages(client, personas, name, url, persona, expected):
    client.force_login(personas.by_name(persona))
    assert client.get(url).status_code == expected


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        pytest.param(p, u, id=f"{u}-{p}")
        for p in PERSONA_NAMES
        for u in ["/security/users/{id}/", "/security/users/{id}/edit/"]
    ],
)
def test_account_pages_are_the_security_administrators(client, personas, persona, url):
    client.force_login(personas.by_name(persona))
    response = client.get(url.format(id=personas.member_a.pk))
    assert response.status_code == (200 if persona == "security_admin" else 404)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/orgs/",
        "/orgs/1/",
        "/members/",
        "/audit/",
        "/security/",
        "/security/policy/",
        "/veterans/",
        "/legal/",
    ],
)
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/api/orgs", "/api/orgs/1"])
def test_anonymous_api_gets_401(client, db, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["detail"] == "未登录或令牌无效"


# Writes through the API, with token auth (other systems) — the same table as the pages.
@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        pytest.param(p, t, MANAGE[p][i], id=f"{p}-{t}")
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_api_update_table(client, tree, personas, persona, target, expected):
    from dangjian.accounts.services import api_token_create

    org, _ = _target(tree, target)
    _, token = api_token_create(actor=None, user=personas.by_name(persona), name="t")
    response = client.patch(
        f"/api/orgs/{org.pk}",
        {"contact_phone": "0719-8888888"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        pytest.param(p, t, (201 if MANAGE[p][i] == 200 else 404), id=f"{p}-{t}")
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_api_create_table(client, tree, personas, persona, target, expected):
    from dangjian.accounts.services import api_token_create

    org, _ = _target(tree, target)
    kind = "group" if org.kind == "branch" else "branch"
    _, token = api_token_create(actor=None, user=personas.by_name(persona), name="t")
    response = client.post(
        "/api/orgs",
        {"parent_id": org.pk, "name": "新组织", "kind": kind},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == expected
