import pytest

from dangjian.accounts import services
from dangjian.accounts.models import ApiToken, RoleGrant
from dangjian.core.access import grants_of
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry


def test_token_is_stored_as_digest_and_authenticates(client, personas, tree):
    token, plain = services.api_token_create(
        actor=personas.security_admin, user=personas.secretary_a, name="OA 系统"
    )
    assert plain not in token.digest and ApiToken.objects.filter(digest=token.digest).exists()
    response = client.get(f"/api/orgs/{tree.branch_a.pk}", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200 and response.json()["name"] == "第一党支部"
    assert client.get("/api/orgs", HTTP_AUTHORIZATION="Bearer dj_wrong").status_code == 401


def test_revoked_grant_no_longer_gives_access(client, personas, tree):
    grant = RoleGrant.objects.get(user=personas.secretary_a)
    services.role_revoke(actor=personas.security_admin, grant=grant)
    client.force_login(personas.secretary_a)
    assert client.get(f"/orgs/{tree.branch_a.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="accounts.grant.revoked").count() == 1


def test_grant_twice_is_refused(personas, tree):
    with pytest.raises(AppError):
        services.role_grant(
            actor=personas.security_admin,
            user=personas.secretary_a,
            org=tree.branch_a,
            role="branch_secretary",
        )
    services.role_grant(
        actor=personas.security_admin,
        user=personas.secretary_a,
        org=tree.branch_b,
        role="branch_organizer",
    )
    assert {g.role for g in grants_of(personas.secretary_a)} == {
        "branch_secretary",
        "branch_organizer",
    }


def test_user_create_validates_password(db):
    with pytest.raises(AppError) as exc:
        services.user_create(actor=None, username="newuser", password="short")
    assert exc.value.field == "password"
    user = services.user_create(actor=None, username="newuser", password="Strong2022x")
    assert user.check_password("Strong2022x")


def test_api_token_command_issues_a_working_token(client, personas, tree):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("api_token", "unit_admin", "组织部数据对接", stdout=out)
    plain = next(line for line in out.getvalue().splitlines() if line.startswith("dj_"))
    response = client.get("/api/orgs?kind=branch", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    assert {o["name"] for o in response.json()["items"]} == {"第一党支部", "第二党支部"}
    with pytest.raises(CommandError, match="不存在"):
        call_command("api_token", "nobody", "x")


@pytest.mark.parametrize("persona", ["committee_admin", "unit_admin", "auditor", "secretary_a"])
def test_only_the_security_admin_manages_accounts_and_grants(personas, tree, persona):
    from django.http import Http404

    actor = personas.by_name(persona)
    with pytest.raises(Http404):
        services.role_grant(actor=actor, user=personas.outsider, org=tree.branch_a, role="member")
    with pytest.raises(Http404):
        services.user_create(actor=actor, username="x1", password="Strong2022x")
    with pytest.raises(Http404):
        services.api_token_create(actor=actor, user=personas.outsider, name="t")
    assert not RoleGrant.objects.filter(user=personas.outsider).exists()
    # but anyone may issue a token for themselves
    services.api_token_create(actor=actor, user=actor, name="自用")
