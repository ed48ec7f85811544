"""/responsibility/: the hub (cards to each area with their counts) and the 工委's overview of
work points, tasks, responsibility lists and co-creation across the units, with its xlsx
export. Thin: parse, one selector, render. See docs/responsibility.md."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dangjian.cocreation import selectors_overview as cocreation_sel
from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.exporters import export_start
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.responsibility import exporters_overview
from dangjian.responsibility import selectors_overview as sel

# Links by path, not by route name: the areas' pages land in parallel with this hub.
DUTIES_URL = "/responsibility/duties/"
POINTS_URL = "/responsibility/points/"
TASKS_URL = "/responsibility/tasks/"
OVERDUE_URL = "/responsibility/overdue/"
COCREATION_URL = "/cocreation/"


@require_GET
def home(request):
    user = request.user
    if not sel.may_open(user):
        raise deny()
    today = timezone.localdate()
    counts = sel.hub_counts(user, today)
    manages = has_cap_anywhere(user, Cap.RESP_MANAGE)
    publishes = has_cap_anywhere(user, Cap.RESP_PUBLISH)
    cards = []
    if manages:
        cards.append(
            {
                "key": "duties",
                "url": DUTIES_URL,
                "icon": "bi-journal-check",
                "label": "责任清单",
                "hint": "主体责任、第一责任人、一岗双责清单及季度进展",
                "count": counts.unreported_items,
                # the last ended quarter (its report is expected once it ends), with its year
                "count_label": f"{counts.year}年第{counts.quarter}季度未报告进展的事项",
            }
        )
    if publishes:
        cards.append(
            {
                "key": "points",
                "url": POINTS_URL,
                "icon": "bi-list-ol",
                "label": "工作要点",
                "hint": "发布年度工作要点，分解任务到各单位",
            }
        )
    if manages or publishes:
        cards.append(
            {
                "key": "tasks",
                "url": TASKS_URL,
                "icon": "bi-clipboard-check",
                "label": "各单位任务" if publishes else "我单位任务",
                "hint": "任务进展报告、佐证材料，党建与业务同谋划",
                "count": counts.open_tasks,
                "count_label": "推进中的任务",
            }
        )
        cards.append(
            {
                "key": "overdue",
                "url": OVERDUE_URL,
                "icon": "bi-alarm",
                "label": "逾期任务",
                "hint": "超过完成时限仍未办结的任务，督办",
                "count": counts.overdue_tasks,
                "count_label": "逾期未办结",
                "danger": counts.overdue_tasks > 0,
            }
        )
        cards.append(
            {
                "key": "overview",
                "url": reverse("responsibility:overview"),
                "icon": "bi-bar-chart",
                "label": "总览",
                "hint": "工作要点完成情况、各单位责任落实与共同缔造成效",
            }
        )
    if cocreation_sel.may_see(user):
        cards.append(
            {
                "key": "cocreation",
                "url": COCREATION_URL,
                "icon": "bi-house-heart",
                "label": "共同缔造",
                "hint": "包联村（社区）、实事项目、专项行动、走访与群众问题",
            }
        )
    return render(
        request,
        "responsibility/home.html",
        {"cards": cards, "counts": counts, "year": today.year},
    )


@require_GET
def overview(request):
    user = request.user
    if not sel.may_open(user):
        raise deny()
    today = timezone.localdate()
    year, notice = sel.parse_year(request.GET.get("year"), today)
    units = sel.unit_orgs(user)
    within = sel.access_unit(units, request.GET.get("unit"))
    data = sel.overview(user, year, units=units, within=within, today=today)
    return render(
        request,
        "responsibility/overview.html",
        {
            "ov": data,
            "year": year,
            "years": sel.year_choices(today),
            "notice": notice,
            "within": within,
            "charts": data.charts(),
            "overdue_url": OVERDUE_URL,
            "cocreation_url": COCREATION_URL,
        },
    )


@require_POST
def overview_export(request):
    """The overview as xlsx: a bad year is a Chinese message (the exporter's `clean`), a unit
    that is not the user's a 404."""
    if not sel.may_open(request.user):
        raise deny()
    outcome = export_start(
        actor=request.user,
        identifier=exporters_overview.OverviewExporter.identifier,
        params={"year": request.POST.get("year", ""), "unit": request.POST.get("unit", "")},
        fmt="xlsx",
    )
    return outcome_response(outcome)
