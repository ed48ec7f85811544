"""三员分立 in the one write path for grants: no account holds two of the system
administrator, security administrator and auditor roles, nor one of them beside any other
role; nobody grants himself; every grant and revocation is audited."""

from __future__ import annotations

import itertools

import pytest

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.services import role_grant, role_revoke
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.core.permissions import ADMIN_ROLES, SEPARATED_ROLES, Role

pytestmark = pytest.mark.django_db

OTHERS = [r for r in Role.values if r not in SEPARATED_ROLES]


def _granter(role, personas):
    """Who grants `role`: the operator (None) for a separated role, else the security admin."""
    return None if role in SEPARATED_ROLES else personas.security_admin


def _fresh(name="someone"):
    return User.objects.create_user(username=name, password="Abcdefg1!")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        *itertools.permutations(sorted(SEPARATED_ROLES), 2),
        *[(s, o) for s in sorted(SEPARATED_ROLES) for o in OTHERS],
        *[(o, s) for s in sorted(SEPARATED_ROLES) for o in OTHERS],
    ],
)
def test_a_separated_role_stands_alone(tree, personas, first, second):
    # separated roles are granted by the operator on the server (actor None); a business role
    # may come from the security administrator, and is refused beside a separated one too
    user = _fresh()
    role_grant(actor=_granter(first, personas), user=user, org=tree.root, role=first)
    with pytest.raises(AppError, match="三员分立") as refused:
        role_grant(actor=_granter(second, personas), user=user, org=tree.branch_a, role=second)
    assert refused.value.field == "role"
    assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == [first]


def test_the_same_separated_role_on_another_org_is_fine(tree, personas):
    user = _fresh()
    role_grant(actor=None, user=user, org=tree.party_group_a, role="auditor")
    role_grant(actor=None, user=user, org=tree.party_group_b, role="auditor")
    assert RoleGrant.objects.filter(user=user, revoked_at__isnull=True).count() == 2


def test_business_roles_combine_freely(tree, personas):
    user = _fresh()
    role_grant(actor=personas.security_admin, user=user, org=tree.branch_a, role="member")
    role_grant(actor=personas.security_admin, user=user, org=tree.branch_a, role="branch_secretary")


def test_after_a_revocation_the_other_role_may_be_granted(tree, personas):
    user = _fresh()
    grant = role_grant(actor=None, user=user, org=tree.root, role="auditor")
    role_revoke(actor=None, grant=grant)
    role_grant(actor=None, user=user, org=tree.root, role="system_admin")
    actions = list(
        AuditEntry.objects.filter(action__startswith="accounts.grant.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "accounts.grant.created",
        "accounts.grant.created",
        "accounts.grant.revoked",
    ]


def test_nobody_grants_himself(tree, personas):
    with pytest.raises(AppError, match="不能为自己授权"):
        role_grant(
            actor=personas.security_admin,
            user=personas.security_admin,
            org=tree.branch_a,
            role="member",
        )


# --- the separated roles are the operator's, on the server ------------------------------------


@pytest.mark.parametrize("role", sorted(SEPARATED_ROLES))
def test_nobody_in_the_product_grants_a_separated_role(tree, personas, role):
    user = _fresh()
    with pytest.raises(AppError, match="运维人员在服务器上") as refused:
        role_grant(actor=personas.security_admin, user=user, org=tree.root, role=role)
    assert refused.value.field == "role"
    assert not RoleGrant.objects.filter(user=user).exists()
    assert not AuditEntry.objects.filter(action="accounts.grant.created").exists()


@pytest.mark.parametrize("persona", ["auditor", "system_admin"])
def test_nobody_in_the_product_revokes_a_separated_role(personas, persona):
    grant = RoleGrant.objects.get(user=personas.by_name(persona))
    with pytest.raises(AppError, match="revoke_admin"):
        role_revoke(actor=personas.security_admin, grant=grant)
    grant.refresh_from_db()
    assert grant.revoked_at is None
    role_revoke(actor=None, grant=grant)  # the operator may
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_the_administrative_roles_include_the_three():
    assert SEPARATED_ROLES <= ADMIN_ROLES
    assert {"system_admin", "security_admin", "auditor"} == set(SEPARATED_ROLES)
