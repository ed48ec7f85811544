"""党内统计 pages (R-STAT-01..06): the statistics of an org subtree at a cut-off date, as a
page with tables and charts, and as an xlsx download. Thin: parse, access_org, one selector.

The download is one workbook with a sheet per section, written with openpyxl directly: the
core `Exporter` renders one table per file, and these figures are aggregates, not rows."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from dangjian.core.access import can
from dangjian.core.audit import audit
from dangjian.core.exporters import safe_filename
from dangjian.core.permissions import Cap
from dangjian.members import statistics
from dangjian.orgs.selectors import access_org
from dangjian.rules import RULES
from dangjian.rules import stats as stat_rules
from dangjian.rules.stats import cutoff_problem

# the Party was founded on 1 July 1921: no roster can have a cut-off before it
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_params(request) -> tuple[object, dt.date, str, list[str]]:
    """(org, cutoff, age_mode, messages). A bad org is a 404 (access_org); a bad date or age
    mode falls back to today / the default with a Chinese message, never an error page."""
    get = request.GET
    if get.get("org"):
        org = access_org(request.user, get["org"], need=Cap.MEMBER_VIEW)
    else:
        org = statistics.default_statistics_org(request.user)
    today = timezone.localdate()
    messages: list[str] = []
    cutoff, problem = parse_cutoff(get.get("cutoff", ""), today)
    if problem:
        messages.append(problem)
    age_mode = get.get("age_mode", "").strip()
    modes = dict(stat_rules.AGE_MODES)
    if age_mode not in modes:
        if age_mode:
            messages.append(f"年龄计算方式无效，已{modes[stat_rules.DEFAULT_AGE_MODE]}。")
        age_mode = stat_rules.DEFAULT_AGE_MODE
    return org, cutoff, age_mode, messages


def parse_cutoff(raw: str, today: dt.date) -> tuple[dt.date, str | None]:
    """The cut-off from the query string ("2024-12-31"; "/" or "." also accepted), or today
    with the reason why the given value was not used."""
    raw = (raw or "").strip()
    if not raw:
        return today, None
    text = raw.replace("/", "-").replace(".", "-")
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return today, f"统计截止日“{raw[:20]}”不是有效日期（格式如2024-12-31），已按今天统计。"
    problem = cutoff_problem(day, today)
    if problem:
        return today, f"{problem}，已按今天统计。"
    return day, None


def _query(org, cutoff, age_mode) -> str:
    return urlencode({"org": org.pk, "cutoff": cutoff.isoformat(), "age_mode": age_mode})


@require_GET
def member_statistics(request):
    org, cutoff, age_mode, messages = parse_params(request)
    stats = statistics.member_statistics(request.user, org, cutoff, age_mode)
    parent = org.parent
    if parent is not None and not can(request.user, Cap.MEMBER_VIEW, parent.path):
        parent = None  # drilling up is offered only within the user's member.view scope
    return render(
        request,
        "members/statistics.html",
        {
            "org": org,
            "parent": parent,
            "stats": stats,
            "sections": {s.key: s for s in statistics.statistics_sections(stats)},
            "chart": statistics.chart_data(stats),
            "notices": messages,
            "age_modes": stat_rules.AGE_MODES,
            "age_mode": age_mode,
            "cutoff": cutoff,
            "query": _query(org, cutoff, age_mode),
            "keep": urlencode({"cutoff": cutoff.isoformat(), "age_mode": age_mode}),
            "rules": [RULES[r.id] for r in stat_rules.STAT_RULES],
        },
    )


@require_GET
def member_statistics_xlsx(request):
    org, cutoff, age_mode, _ = parse_params(request)
    stats = statistics.member_statistics(request.user, org, cutoff, age_mode)
    content = statistics.statistics_xlsx(stats)
    # every download is audited (等保 安全审计), aggregates included
    audit(
        request.user,
        "members.statistics.exported",
        org,
        org_path=org.path,
        changes={
            "cutoff": cutoff.isoformat(),
            "age_mode": age_mode,
            "format": "xlsx",
            "members": stats["totals"]["members"],
        },
        ip=request.META.get("REMOTE_ADDR"),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, safe_filename(f"党内统计-{org.name}-{cutoff:%Y%m%d}") + ".xlsx"
    )
    return response
