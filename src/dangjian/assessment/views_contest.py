"""Pages of the 书记赛党建 contest: the list, create and edit (weights, star lines), the units
taking part, the results page (ranking with each part, weights, total, stars, a bar chart,
publication status) with publish / take back, and the xlsx download."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.assessment import exporters_contest
from dangjian.assessment import selectors_contest as sel
from dangjian.assessment import services_contest as services
from dangjian.assessment.forms_contest import ContestForm, UnpublishForm
from dangjian.assessment.models import ContestStatus
from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.orgs.models import Org, OrgKind
from dangjian.orgs.selectors import access_org
from dangjian.rules import assessment as rules

PAGE_SIZE = 20
#: kinds that can take part in a contest (units' bodies and branches)
ENTRY_KINDS = (
    OrgKind.PARTY_GROUP,
    OrgKind.ORGAN_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
)
MAX_CANDIDATES = 1000


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


@require_GET
def contest_list(request):
    user = request.user
    if not (has_cap_anywhere(user, Cap.ASSESS_MANAGE) or sel.has_any_contest_access(user)):
        raise deny()
    year = _year(request.GET.get("year"))
    page = Paginator(sel.contest_list(user, year=year), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/contest/list.html",
        {
            "page": page,
            "year": year or "",
            "can_create": has_cap_anywhere(user, Cap.ASSESS_MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
def contest_create(request):
    if not has_cap_anywhere(request.user, Cap.ASSESS_MANAGE):
        raise deny()
    form = ContestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        owner = access_org(request.user, form.cleaned_data["owner"], need=Cap.ASSESS_MANAGE)
        contest = call_service(
            form,
            services.contest_create,
            actor=request.user,
            owner=owner,
            **form.service_kwargs(),
        )
        if contest is not None:
            messages.success(request, "赛事已创建，请选择参赛单位。")
            return redirect("contests:entries", pk=contest.pk)
    return render(request, "assessment/contest/form.html", {"form": form, "contest": None})


@require_http_methods(["GET", "POST"])
def contest_edit(request, pk):
    contest = sel.access_contest(request.user, pk, manage=True)
    form = ContestForm(request.POST or None, user=request.user, contest=contest)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.contest_update,
            actor=request.user,
            contest=contest,
            **form.service_kwargs(),
        )
        if done is not None:
            messages.success(request, "赛事设置已保存。")
            return redirect("contests:detail", pk=contest.pk)
    return render(request, "assessment/contest/form.html", {"form": form, "contest": contest})


def _candidates(contest) -> list[Org]:
    from dangjian.core.access import subtree_q

    return list(
        Org.objects.unscoped()
        .filter(subtree_q("path", contest.owner_path))
        .exclude(pk=contest.owner_id)
        .filter(kind__in=ENTRY_KINDS, dissolved_on__isnull=True)
        .order_by("path")[:MAX_CANDIDATES]
    )


@require_http_methods(["GET", "POST"])
def contest_entries(request, pk):
    contest = sel.access_contest(request.user, pk, manage=True)
    candidates = _candidates(contest)
    by_id = {o.pk: o for o in candidates}
    entries = sel._entries(contest)
    chosen = {e.org_id for e in entries}
    error = ""
    if request.method == "POST":
        ids = set()
        for raw in request.POST.getlist("orgs"):
            try:
                ids.add(int(raw))
            except (TypeError, ValueError):
                error = "请选择有效的参赛单位。"
        unknown = ids - set(by_id)
        if unknown and not error:
            error = "请选择本赛事组织单位的下级组织。"
        if not error:
            try:
                services.entries_set(
                    actor=request.user, contest=contest, orgs=[by_id[i] for i in sorted(ids)]
                )
            except AppError as exc:
                error = exc.message
            else:
                messages.success(request, f"参赛单位已保存（{len(ids)}个）。")
                return redirect("contests:detail", pk=contest.pk)
        chosen = ids
    depth0 = contest.owner.depth
    rows = [(o, o.pk in chosen, max(o.depth - depth0 - 1, 0)) for o in candidates]
    return render(
        request,
        "assessment/contest/entries.html",
        {
            "contest": contest,
            "rows": rows,
            "entries": entries,
            "error": error,
            "editable": contest.status == ContestStatus.DRAFT,
        },
        status=400 if error else 200,
    )


@require_POST
def entry_remove(request, pk, entry_id):
    contest = sel.access_contest(request.user, pk, manage=True)
    entry = sel.access_entry(contest, entry_id)
    services.entry_remove(actor=request.user, entry=entry)
    messages.success(request, f"已移出参赛单位：{entry.org.name}。")
    return redirect("contests:entries", pk=contest.pk)


#: the SVG chart: labels on the left, bars on a 100-point scale to the right
CHART_LABEL_WIDTH = 190
CHART_BAR_SPAN = Decimal(360)
CHART_ROW = 30


def _chart(standings) -> list[dict]:
    """Bars for the SVG chart, one per entry (presentation attributes only: the CSP forbids
    inline styles)."""
    bars = []
    for i, s in enumerate(standings):
        total = min(max(Decimal(s.total), Decimal(0)), Decimal(100))
        width = (total * CHART_BAR_SPAN / 100).quantize(Decimal("0.1"))
        y = 8 + i * CHART_ROW
        bars.append(
            {
                "y": y,
                "text_y": y + 15,
                "x": CHART_LABEL_WIDTH,
                "label_x": CHART_LABEL_WIDTH - 8,
                "width": format(width, "f"),
                "value_x": format(CHART_LABEL_WIDTH + width + 6, "f"),
                "label": s.org.name[:14],
                "total": s.total,
                "stars": s.stars,
            }
        )
    return bars


@require_GET
def contest_detail(request, pk):
    contest = sel.access_contest(request.user, pk)
    can_manage = sel.can_manage_contest(request.user, contest)
    standings = sel.contest_standings(contest)
    weights = sel.weights_of(contest)
    bars = _chart(standings)
    return render(
        request,
        "assessment/contest/detail.html",
        {
            "contest": contest,
            "standings": standings,
            "weights": [(rules.PART_LABELS[n], weights[n]) for n in sel.PARTS],
            "missing": sel.missing_summary(standings),
            "thresholds": sel.thresholds_of(contest),
            "can_manage": can_manage,
            "published": contest.status == ContestStatus.PUBLISHED,
            "bars": bars,
            "chart_height": 16 + CHART_ROW * len(bars),
            "chart_width": CHART_LABEL_WIDTH + int(CHART_BAR_SPAN) + 70,
            "reviews": sel.contest_reviews(contest) if can_manage else [],
            "observations": sel.contest_observations(contest) if can_manage else [],
            "unpublish_form": UnpublishForm(),
        },
    )


@require_POST
def contest_publish(request, pk):
    contest = sel.access_contest(request.user, pk, manage=True)
    standings = services.contest_publish(actor=request.user, contest=contest)
    messages.success(request, f"结果已公布：{len(standings)}个单位的排名已固定。")
    return redirect("contests:detail", pk=contest.pk)


@require_POST
def contest_unpublish(request, pk):
    contest = sel.access_contest(request.user, pk, manage=True)
    form = UnpublishForm(request.POST)
    reason = request.POST.get("reason", "") if form.is_valid() else ""
    services.contest_unpublish(actor=request.user, contest=contest, reason=reason)
    messages.success(request, "已撤回公布，排名改为按现有记录实时计算。")
    return redirect("contests:detail", pk=contest.pk)


@require_GET
def contest_export(request, pk):
    contest = sel.access_contest(request.user, pk)
    outcome = export_start(
        actor=request.user,
        identifier=exporters_contest.ContestRankingExporter.identifier,
        params={"contest": contest.pk},
        fmt="xlsx",
    )
    return outcome_response(outcome)
