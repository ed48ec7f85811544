"""Roles and the capabilities they grant. A role is granted on an org and covers its subtree.

This module is plain data: the one place that says which role may do what.
"""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    COMMITTEE_ADMIN = "committee_admin", "工委管理员"
    UNIT_ADMIN = "unit_admin", "单位党建管理员"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    BRANCH_ORGANIZER = "branch_organizer", "组织委员"
    MEMBER = "member", "党员"
    JUDGE = "judge", "评委"
    AUDITOR = "auditor", "审计员"
    SECURITY_ADMIN = "security_admin", "安全管理员"


class Cap(StrEnum):
    ORG_VIEW = "org.view"  # see the org, its seats, term, counts and warnings
    ORG_MANAGE = "org.manage"  # create, edit, move, dissolve orgs; seats and terms
    MEMBER_VIEW = "member.view"  # see the member list and member pages
    MEMBER_MANAGE = "member.manage"  # add and edit members, import, transfer
    MEMBER_REVEAL = "member.reveal"  # see ID number, phone and address in full (audited)
    AUDIT_VIEW = "audit.view"  # read the audit log
    ACCOUNT_MANAGE = "account.manage"  # accounts and role grants


ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.COMMITTEE_ADMIN: frozenset(
        {Cap.ORG_VIEW, Cap.ORG_MANAGE, Cap.MEMBER_VIEW, Cap.MEMBER_MANAGE, Cap.MEMBER_REVEAL}
    ),
    Role.UNIT_ADMIN: frozenset(
        {Cap.ORG_VIEW, Cap.ORG_MANAGE, Cap.MEMBER_VIEW, Cap.MEMBER_MANAGE, Cap.MEMBER_REVEAL}
    ),
    Role.BRANCH_SECRETARY: frozenset(
        {Cap.ORG_VIEW, Cap.MEMBER_VIEW, Cap.MEMBER_MANAGE, Cap.MEMBER_REVEAL}
    ),
    Role.BRANCH_ORGANIZER: frozenset(
        {Cap.ORG_VIEW, Cap.MEMBER_VIEW, Cap.MEMBER_MANAGE, Cap.MEMBER_REVEAL}
    ),
    Role.MEMBER: frozenset({Cap.ORG_VIEW}),
    Role.JUDGE: frozenset({Cap.ORG_VIEW}),
    # 三员分立: the auditor and the security administrator see no business data.
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
    Role.SECURITY_ADMIN: frozenset({Cap.ACCOUNT_MANAGE}),
}
