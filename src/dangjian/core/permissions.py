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
    SYSTEM_ADMIN = "system_admin", "系统管理员"


class Cap(StrEnum):
    ORG_VIEW = "org.view"  # see the org, its seats, term, counts and warnings
    ORG_MANAGE = "org.manage"  # create, edit, move, dissolve orgs; seats and terms
    MEMBER_VIEW = "member.view"  # see the member list and member pages
    MEMBER_MANAGE = "member.manage"  # add and edit members, import, transfer
    MEMBER_REVEAL = "member.reveal"  # see ID number, phone and address in full (audited)
    AUDIT_VIEW = "audit.view"  # read the audit log
    ACCOUNT_MANAGE = "account.manage"  # accounts and role grants
    SETTINGS_MANAGE = "settings.manage"  # system settings (configurable rules, code tables)
    # run assessment in the subtree: schemes, contests, observation meetings, 述职评议, final
    # scores of the orgs below
    ASSESS_MANAGE = "assess.manage"
    # fill the self-assessment and the secretary's report of an org in the subtree
    ASSESS_SUBMIT = "assess.submit"
    # 清廉机关: risk points, warning-education sessions, commitments of the subtree
    INTEGRITY_MANAGE = "integrity.manage"
    # 党费: bases, charges, payments, reconciliation of the branches in the subtree
    DUES_MANAGE = "dues.manage"
    # approve reductions and exemptions (R-DUES-08: the Party committee one level up): held on
    # an org strictly above the member's branch
    DUES_APPROVE = "dues.approve"
    # 发展党员: candidates and the branch's steps in the subtree
    RECRUIT_MANAGE = "recruit.manage"
    # the higher committee's steps (filing, pre-review, talk, approval, conversion approval):
    # held on an org strictly above the candidate's branch (R-DEV-12/17/22, R-ORG-14)
    RECRUIT_APPROVE = "recruit.approve"
    # 学习培训: plans, sessions, trainings, exemptions, materials, question banks and tests,
    # study notes of the subtree
    STUDY_MANAGE = "study.manage"
    # 党员积分: the point scheme's versions (a city-wide setting: the 工委 only)
    POINTS_SCHEME = "points.scheme"
    # 责任落实: the units' responsibility lists and reports, the tasks of the units in the
    # subtree (the unit's own tasks, progress reports on any task of the unit)
    RESP_MANAGE = "resp.manage"
    # publish work points and assign their tasks to the units below, 督办, close and evaluate
    # tasks: held on an org strictly above the task's unit (the 工委)
    RESP_PUBLISH = "resp.publish"
    # 共同缔造: pairings, cadres, projects, campaigns, visits and problems of the subtree
    COCREATION_MANAGE = "cocreation.manage"
    # 老干部服务: retirees (health notes revealed with an audit entry), pairings, requests and
    # their answers, volunteer teams, studios, care sessions, exemplars of the subtree
    VETERANS_MANAGE = "veterans.manage"
    # 法律服务: firms, lawyers, village lawyers, advisers, legal aid, 四张清单, activities
    LEGAL_MANAGE = "legal.manage"


ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.COMMITTEE_ADMIN: frozenset(
        {
            Cap.ORG_VIEW,
            Cap.ORG_MANAGE,
            Cap.MEMBER_VIEW,
            Cap.MEMBER_MANAGE,
            Cap.MEMBER_REVEAL,
            Cap.ASSESS_MANAGE,
            Cap.ASSESS_SUBMIT,
            Cap.INTEGRITY_MANAGE,
            Cap.DUES_MANAGE,
            Cap.DUES_APPROVE,
            Cap.RECRUIT_MANAGE,
            Cap.RECRUIT_APPROVE,
            Cap.STUDY_MANAGE,
            Cap.POINTS_SCHEME,
            Cap.RESP_MANAGE,
            Cap.RESP_PUBLISH,
            Cap.COCREATION_MANAGE,
            Cap.VETERANS_MANAGE,
            Cap.LEGAL_MANAGE,
        }
    ),
    Role.UNIT_ADMIN: frozenset(
        {
            Cap.ORG_VIEW,
            Cap.ORG_MANAGE,
            Cap.MEMBER_VIEW,
            Cap.MEMBER_MANAGE,
            Cap.MEMBER_REVEAL,
            Cap.ASSESS_MANAGE,
            Cap.ASSESS_SUBMIT,
            Cap.INTEGRITY_MANAGE,
            Cap.DUES_MANAGE,
            Cap.DUES_APPROVE,
            Cap.RECRUIT_MANAGE,
            Cap.RECRUIT_APPROVE,
            Cap.STUDY_MANAGE,
            Cap.RESP_MANAGE,
            Cap.COCREATION_MANAGE,
            Cap.VETERANS_MANAGE,
            Cap.LEGAL_MANAGE,
        }
    ),
    Role.BRANCH_SECRETARY: frozenset(
        {
            Cap.ORG_VIEW,
            Cap.MEMBER_VIEW,
            Cap.MEMBER_MANAGE,
            Cap.MEMBER_REVEAL,
            Cap.ASSESS_SUBMIT,
            Cap.INTEGRITY_MANAGE,
            Cap.DUES_MANAGE,
            Cap.RECRUIT_MANAGE,
            Cap.STUDY_MANAGE,
        }
    ),
    # the 组织委员 usually keeps the dues and the recruitment files of the branch
    Role.BRANCH_ORGANIZER: frozenset(
        {
            Cap.ORG_VIEW,
            Cap.MEMBER_VIEW,
            Cap.MEMBER_MANAGE,
            Cap.MEMBER_REVEAL,
            Cap.DUES_MANAGE,
            Cap.RECRUIT_MANAGE,
            Cap.STUDY_MANAGE,
        }
    ),
    Role.MEMBER: frozenset({Cap.ORG_VIEW}),
    Role.JUDGE: frozenset({Cap.ORG_VIEW}),
    # 三员分立: the auditor and the security administrator see no business data.
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
    Role.SECURITY_ADMIN: frozenset({Cap.ACCOUNT_MANAGE}),
    # the system administrator keeps the org tree and the settings; no members, no audit log,
    # no grants
    Role.SYSTEM_ADMIN: frozenset({Cap.ORG_VIEW, Cap.ORG_MANAGE, Cap.SETTINGS_MANAGE}),
}

# 三员分立 (等保 level 3): the system administrator, the security administrator and the
# auditor are three different people. An account holding one of these roles holds no other
# role at all (on any org), so no account combines two of them, and neither the auditor nor
# the security administrator ever sees business data. accounts.services.role_grant enforces it.
SEPARATED_ROLES: frozenset[str] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})

# Roles that must sign in with a second factor (TOTP) unless settings say otherwise.
ADMIN_ROLES: frozenset[str] = frozenset({Role.COMMITTEE_ADMIN, Role.UNIT_ADMIN, *SEPARATED_ROLES})
