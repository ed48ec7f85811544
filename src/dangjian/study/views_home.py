"""/study/: the hub. What waits for the user as a member (open self-tests, readings due, his
hours and points this year) and, for managers, the way into each area."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.study import selectors_home


@require_GET
def home(request):
    user = request.user
    manages = has_cap_anywhere(user, Cap.STUDY_MANAGE)
    separated = any(g.role in SEPARATED_ROLES for g in _grants(user))
    member = user.member if getattr(user, "member_id", None) and not separated else None
    if not manages and member is None:
        raise deny()
    today = timezone.localdate()
    return render(
        request,
        "study/home.html",
        {
            "year": today.year,
            "manages": manages,
            "mine": selectors_home.member_summary(member, today) if member else None,
            "links": _links(has_cap_anywhere(user, Cap.POINTS_SCHEME)) if manages else [],
        },
    )


MANAGE_LINKS = [
    ("study:plans", "学习计划", "年度学习计划及完成情况"),
    ("study:sessions", "学习培训", "集中学习、宣讲、导学、报告会、培训班、专题党课"),
    ("study:hours", "学时统计", "谁未达到年度学时要求（R-EDU-01/02）"),
    ("study:stats", "场次与人次", "各单位学习场次、参学人次，可导出"),
    ("study:trainings", "培训审核", "党员登记的外部培训及证明"),
    ("study:library", "学习资料", "资料库、必学安排与学习进度"),
    ("study:banks", "题库", "试题录入与 Excel 导入"),
    ("study:quizzes", "知识自测", "发布自测，查看成绩与排名"),
    ("study:notes", "心得体会", "心得体会与疑似雷同"),
    ("study:points", "党员积分", "积分排名与明细"),
]


def _links(schemes: bool) -> list[tuple[str, str, str]]:
    links = [(reverse(name), label, hint) for name, label, hint in MANAGE_LINKS]
    label = "积分方案" if schemes else "积分方案（查看）"
    return [*links, (reverse("study:point_scheme"), label, "积分规则、每日和年度上限、版本")]


def _grants(user):
    from dangjian.core.access import grants_of

    return grants_of(user)
