"""The compliance page (合规): a subtree's orgs × meeting kinds for a year, as a heat map and a
table, and the drill-down to one org and kind (its periods and the meetings behind them).
Thin: parse, access_org, one computation (orglife/compliance.py)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dangjian.core.access import can, deny, paths_for
from dangjian.core.permissions import Cap
from dangjian.core.scope_cache import kept
from dangjian.orglife import compliance
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import access_org
from dangjian.rules import RULES
from dangjian.rules import orglife as rules

FIRST_YEAR = 2000
#: a subtree with more branches and groups than this keeps its figures a few minutes
#: (core.scope_cache.kept); a smaller one is computed on every visit
FRESH_ROWS = 500


def _year(request, today) -> tuple[int, str]:
    raw = (request.GET.get("year") or "").strip()
    if not raw:
        return today.year, ""
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= today.year + 1:
        return int(raw), ""
    return today.year, f"年份“{raw[:10]}”无效，已显示{today.year}年。"


def _default_org(user) -> Org:
    paths = paths_for(user, Cap.ORG_VIEW)
    if not paths:
        raise deny()
    return access_org(user, paths[0].strip("/").split("/")[-1])


def _child_path(path: str, level_path: str) -> str:
    """The path of the child of `level` that holds `path` (itself, for a child)."""
    rest = path[len(level_path) :]
    return level_path + rest.split("/", 1)[0] + "/"


def _groups(root: Org, grid: compliance.Grid):
    """Rows of the heat map: the root's children that hold branches (a unit, a 机关党委…),
    each summing its branches; a level with a single such child is skipped (a unit's 党组
    with one 机关党委 shows the branches); a root without such children shows its branches.
    Rows are bucketed by the child holding them in one pass (a province: 1,500 units over
    100,000 rows)."""
    level = root
    while True:
        children = list(
            Org.objects.unscoped()
            .filter(parent=level, dissolved_on__isnull=True)
            .exclude(kind__in=[compliance.OrgKind.GROUP, compliance.OrgKind.BRANCH])
            .order_by("path")
            .values_list("pk", "name", "path")
        )
        child_paths = {c[2] for c in children}
        below: dict[str, list] = defaultdict(list)
        direct = []
        for r in grid.rows:
            if not r.path.startswith(level.path):
                continue
            key = _child_path(r.path, level.path) if r.path != level.path else None
            if key in child_paths:
                below[key].append(r)
            elif r.cells:
                direct.append(r)
        holders = [c for c in children if below.get(c[2])]
        if len(holders) == 1 and not direct:
            level = Org.objects.unscoped().get(pk=holders[0][0])
            continue
        break
    groups = [{"id": r.org_id, "name": r.name, "rows": [r], "leaf": True} for r in direct]
    for pk, name, path in holders:
        rows = [r for r in below[path] if r.cells]
        groups.append({"id": pk, "name": name, "rows": rows, "leaf": False})
    return groups


def _figures(org: Org, year: int, today) -> dict:
    """The heat map's and the table's figures for `org`'s subtree in `year`."""
    grid = compliance.compliance_grid(org, year, today)
    groups = _groups(org, grid)
    kinds = list(compliance.KIND_ORDER)
    table = []
    for group in groups:
        cells = []
        for kind in kinds:
            owed = [r for r in group["rows"] if kind in r.cells]
            if not owed:
                cells.append(None)
                continue
            statuses = [s for r in owed for s in r.cells[kind]]
            cells.append(
                {
                    "kind": kind,
                    "missing": statuses.count(rules.MISSING),
                    "due_soon": statuses.count(rules.DUE_SOON),
                    "done": statuses.count(rules.DONE),
                    "orgs": len(owed),
                    # a single org: its periods, in order
                    "periods": list(zip(grid.periods[kind], owed[0].cells[kind], strict=True))
                    if group["leaf"]
                    else [],
                }
            )
        # the rows' count, not the rows: the figures are kept, and small
        table.append(
            {
                "id": group["id"],
                "name": group["name"],
                "leaf": group["leaf"],
                "row_count": len(group["rows"]),
                "cells": cells,
            }
        )
    chart = {
        "kinds": [rules.KIND_LABELS[k] for k in kinds],
        "kind_codes": kinds,
        "rows": [g["name"] for g in table],
        "row_ids": [g["id"] for g in table],
        "leaf": [g["leaf"] for g in table],
        "year": year,
        "values": [
            [x, y, c["missing"]]
            for y, g in enumerate(table)
            for x, c in enumerate(g["cells"])
            if c is not None
        ],
    }
    return {
        "table": table,
        "totals": grid.totals(),
        "chart": chart,
        "branch_count": sum(1 for r in grid.rows if r.cells),
    }


@require_GET
def compliance_page(request):
    user = request.user
    org = access_org(user, request.GET["org"]) if request.GET.get("org") else _default_org(user)
    today = timezone.localdate()
    year, notice = _year(request, today)
    figures, computed_at = kept(
        f"compliance:{org.pk}:{year}",
        lambda: _figures(org, year, today),
        keep=lambda f: f["branch_count"] > FRESH_ROWS,
    )
    parent = org.parent
    if parent is not None and not can(user, Cap.ORG_VIEW, parent.path):
        parent = None  # drilling up stays inside the user's scope
    return render(
        request,
        "orglife/compliance.html",
        {
            "org": org,
            "parent": parent,
            "year": year,
            "years": list(range(today.year, max(FIRST_YEAR, today.year - 6) - 1, -1)),
            "notice": notice,
            "kinds": [(k, rules.KIND_LABELS[k]) for k in compliance.KIND_ORDER],
            **figures,
            "computed_at": computed_at,
            "refresh_minutes": max(1, settings.SCOPE_SUMMARY_SECONDS // 60),
            "statuses": rules.COMPLIANCE_STATUSES,
        },
    )


@require_GET
def compliance_cell(request):
    """One org and kind in a year: each period's status and the meetings held in it."""
    org = access_org(request.user, request.GET.get("org"))
    kind = request.GET.get("kind", "")
    if kind not in rules.KIND_LABELS:
        raise deny()
    today = timezone.localdate()
    year, notice = _year(request, today)
    grid = compliance.compliance_grid(org, year, today)
    row = next((r for r in grid.rows if r.org_id == org.pk), None)
    if row is None or kind not in row.cells:
        raise deny()
    from dangjian.notify.selectors import reminders_for_cell
    from dangjian.orglife.models import Meeting

    # the statuses are org-level facts (org.view); the meetings behind them and who was
    # reminded are the branch's business (member.view): a judge, a plain member or the
    # system administrator sees the periods only
    detail = can(request.user, Cap.MEMBER_VIEW, org.path)
    meetings = (
        list(
            Meeting.objects.unscoped()
            .filter(org=org, kind=kind, starts_at__year=year)
            .order_by("starts_at")
        )
        if detail
        else []
    )
    sent = reminders_for_cell(org, kind, year) if detail else {}  # 事前提醒 sent
    periods = []
    for period, status in zip(grid.periods[kind], row.cells[kind], strict=True):
        inside = [
            m
            for m in meetings
            if period.start <= timezone.localtime(m.starts_at).date() <= period.end
        ]
        periods.append(
            {
                "period": period,
                "status": status,
                "meetings": inside,
                "sent": sent.get(period.start, []),
            }
        )
    frequency = rules.frequency_of(kind, compliance.overrides())
    return render(
        request,
        "orglife/compliance_cell.html",
        {
            "org": org,
            "kind": kind,
            "kind_label": rules.KIND_LABELS[kind],
            "year": year,
            "notice": notice,
            "periods": periods,
            "frequency": frequency,
            "rule": RULES.get(frequency.rule_id),
            "status_labels": dict(rules.COMPLIANCE_STATUSES),
        },
    )
