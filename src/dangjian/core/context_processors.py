from dangjian.core.access import grants_of, has_cap_anywhere
from dangjian.core.permissions import SEPARATED_ROLES, Cap, Role
from dangjian.core.workcalendar import may_manage_calendar


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    grants = grants_of(user)
    return {
        "nav": {
            "orgs": has_cap_anywhere(user, Cap.ORG_VIEW),
            "members": has_cap_anywhere(user, Cap.MEMBER_VIEW),
            "audit": has_cap_anywhere(user, Cap.AUDIT_VIEW),
            "accounts": has_cap_anywhere(user, Cap.ACCOUNT_MANAGE),
            # 考核评比: everyone in the tree except the three separated administrators
            "assessment": bool(grants) and not any(g.role in SEPARATED_ROLES for g in grants),
            "dues": has_cap_anywhere(user, Cap.DUES_MANAGE),
            # 我的党费: a member with a linked record, outside the three separated roles
            "my_dues": bool(getattr(user, "member_id", None))
            and not any(g.role in SEPARATED_ROLES for g in grants),
            "recruitment": has_cap_anywhere(user, Cap.RECRUIT_MANAGE)
            or has_cap_anywhere(user, Cap.RECRUIT_APPROVE),
            # 学习: managers of study, and every member with a linked record
            "study": has_cap_anywhere(user, Cap.STUDY_MANAGE)
            or (
                bool(getattr(user, "member_id", None))
                and not any(g.role in SEPARATED_ROLES for g in grants)
            ),
            # 责任落实: its managers (units and the 工委)
            "responsibility": has_cap_anywhere(user, Cap.RESP_MANAGE)
            or has_cap_anywhere(user, Cap.RESP_PUBLISH),
            # 共同缔造: its managers; everyone else in the tree reads what units made public
            "cocreation": bool(grants) and not any(g.role in SEPARATED_ROLES for g in grants),
            # 老干部服务: its managers; a member (a serving cadre) reaches his own pairings
            "veterans": has_cap_anywhere(user, Cap.VETERANS_MANAGE),
            "my_pairings": bool(getattr(user, "member_id", None))
            and not any(g.role in SEPARATED_ROLES for g in grants),
            "legal": has_cap_anywhere(user, Cap.LEGAL_MANAGE),
            "calendar": may_manage_calendar(user),
            "roles": sorted({Role(g.role).label for g in grants}),
        }
    }
