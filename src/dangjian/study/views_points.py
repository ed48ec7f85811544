"""Pages of study notes (心得体会) and member points (党员积分). Thin: parse, access check,
one selector or service.

- `notes`: managers list the notes of their subtree (org, year, "只看疑似雷同"); a member
  his own; `note_new` the phone-first form; `note` one note, and for its managers the
  suspected copies side by side; `note_withdraw`;
- `points` the ranking of an org for a year (chart of the top 10, xlsx export);
  `my_points` a member's own ledger on a phone; `member_points` one member's, for his
  managers; `point_scheme` the versions and, for points.scheme, the form of a new one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.study import (
    exporters_points,
    services_notes,
    services_points,
)
from dangjian.study import selectors_points as sel
from dangjian.study.forms_points import NoteForm, SchemeForm
from dangjian.study.selectors_sessions import own_member

MANAGE = Cap.STUDY_MANAGE
PAGE_SIZE = 50
YEARS_BACK = 10


def year_param(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        year = timezone.localdate().year
    return year


def _years():
    this = timezone.localdate().year
    return range(this, this - YEARS_BACK, -1)


def _writer(user):
    """The member who may write a note: his own account (never a separated administrator's),
    while he is on the roster."""
    member = own_member(user)
    return member if member is not None and member.left_on is None else None


def _nav(user) -> dict:
    return {
        "manage": has_cap_anywhere(user, MANAGE),
        "member": own_member(user) is not None,
        "writer": _writer(user) is not None,
        "scheme": has_cap_anywhere(user, MANAGE) or services_points.can_edit_scheme(user),
    }


# ---------------------------------------------------------------------------------------------
# Notes


@require_GET
def notes(request):
    user = request.user
    manager = has_cap_anywhere(user, MANAGE)
    mine = not manager or request.GET.get("mine") == "1"
    if mine and own_member(user) is None:
        raise deny()
    # ?session= (the session page's link): that session's notes, of every year, across what
    # the user manages unless an org is chosen; a malformed value is ignored
    session = sel.note_session(user, request.GET.get("session"))
    org_value = request.GET.get("org")
    by_org = manager and not mine and (session is None or org_value not in (None, ""))
    org = sel.points_org(user, org_value) if by_org else None
    year = year_param(request) if session is None or request.GET.get("year") else None
    copied = request.GET.get("copied") == "1" and not mine
    qs = sel.notes_for(user, org=org, year=year, copied_only=copied, mine=mine, session=session)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "study/points/notes.html",
        {
            "page": page,
            "org": org,
            "orgs": sel.manage_orgs(user, org) if org else [],
            "year": year,
            "years": _years(),
            "copied": copied,
            "mine": mine,
            "manager": manager,
            "session": session,
            "nav_points": _nav(user),
        },
    )


@require_http_methods(["GET", "POST"])
def note_new(request):
    member = _writer(request.user)
    if member is None:
        raise deny()
    choices = {
        "sessions": sel.attended_sessions(member),
        "materials": sel.visible_materials(member),
    }
    if request.method == "POST":
        form = NoteForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            note = call_service(
                form,
                services_notes.note_submit,
                actor=request.user,
                title=data["title"],
                text=data["text"],
                session=data["session"],
                material=data["material"],
            )
            if note is not None:
                messages.success(request, "心得体会已提交。")
                return redirect("study:note", note_id=note.pk)
    else:
        initial = {}
        for key in ("session", "material"):
            if request.GET.get(key, "").isdigit():
                initial[key] = int(request.GET[key])
        form = NoteForm(initial=initial, **choices)
    return render(
        request,
        "study/points/note_form.html",
        {"form": form, "member": member, "nav_points": _nav(request.user)},
    )


@require_GET
def note(request, note_id):
    found = sel.access_note(request.user, note_id)
    manager = can(request.user, MANAGE, found.org_path)
    today = timezone.localdate()
    own = getattr(own_member(request.user), "pk", None) == found.member_id
    return render(
        request,
        "study/points/note.html",
        {
            "note": found,
            "manager": manager,
            "copies": sel.note_copies(request.user, found) if manager else [],
            "can_withdraw": manager
            or (own and timezone.localtime(found.submitted_at).date() == today),
            "nav_points": _nav(request.user),
        },
    )


@require_POST
def note_withdraw(request, note_id):
    found = sel.access_note(request.user, note_id)
    try:
        services_notes.note_withdraw(actor=request.user, note=found)
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("study:note", note_id=found.pk)
    messages.success(request, f"已撤回心得体会“{found.title}”。")
    return redirect("study:notes")


# ---------------------------------------------------------------------------------------------
# Points


def _met_param(request) -> bool | None:
    return {"1": True, "0": False}.get(request.GET.get("met", ""))


@require_GET
def points(request):
    """积分排名: the members of an org's subtree for a year, best first."""
    user = request.user
    if not has_cap_anywhere(user, MANAGE):
        if own_member(user) is not None:
            return redirect("study:my_points")
        raise deny()
    org = sel.points_org(user, request.GET.get("org"))
    year = year_param(request)
    met = _met_param(request)
    ranking = sel.ranking(user, org, year, met=met)
    page = Paginator(ranking.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "study/points/ranking.html",
        {
            "org": org,
            "orgs": sel.manage_orgs(user, org),
            "year": year,
            "years": _years(),
            "met": met,
            "ranking": ranking,
            "page": page,
            "chart": sel.top(ranking.all_rows),
            "nav_points": _nav(user),
        },
    )


@require_POST
def points_export(request):
    user = request.user
    if not has_cap_anywhere(user, MANAGE):
        raise deny()
    org = sel.points_org(user, request.POST.get("org"))
    params = {"org": org.pk, "year": year_param(request), "met": request.POST.get("met", "")}
    outcome = export_start(
        actor=user, identifier=exporters_points.IDENTIFIER, params=params, fmt="xlsx"
    )
    return outcome_response(outcome)


@require_GET
def my_points(request):
    """我的积分 on a phone: total against the baseline, the entries by date."""
    year = year_param(request)
    mine = sel.my_points(request.user, year)
    if mine is None:
        raise deny()
    return render(
        request,
        "study/points/my_points.html",
        {
            "mine": mine,
            "own": True,
            "active_tab": "my_points",
            "year": year,
            "years": _years(),
            "rules": sel.scheme_rows(mine.scheme),
            "nav_points": _nav(request.user),
        },
    )


@require_GET
def member_points(request, member_id):
    """One member's ledger, for the managers of his org (and himself)."""
    member = sel.access_member_points(request.user, member_id)
    year = year_param(request)
    mine = sel.member_points(member, year)
    own = getattr(own_member(request.user), "pk", None) == member.pk
    return render(
        request,
        "study/points/my_points.html",
        {
            "mine": mine,
            "own": own,
            "active_tab": "my_points" if own else "points",
            "year": year,
            "years": _years(),
            "rules": sel.scheme_rows(mine.scheme),
            "nav_points": _nav(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def point_scheme(request):
    """积分方案: the stored versions with their rules (study.manage reads), the default while
    none is stored, and the form of a new version (points.scheme on the root)."""
    user = request.user
    editor = services_points.can_edit_scheme(user)
    if not (editor or has_cap_anywhere(user, MANAGE)):
        raise deny()
    versions = sel.scheme_versions()
    data = sel.schemes_data(versions)
    current = sel.scheme_in_force(data, timezone.localdate().year)
    form = None
    if editor:
        if request.method == "POST":
            form = SchemeForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                saved = call_service(
                    form,
                    services_points.point_scheme_save,
                    actor=user,
                    name=d["name"],
                    effective_from=d["effective_from"],
                    baseline=d["baseline"],
                    rules=form.rule_rows(),
                    note=d["note"],
                )
                if saved is not None:
                    messages.success(
                        request,
                        f"已保存积分方案第{saved.version}版，"
                        f"{saved.effective_from:%Y年%m月%d日}起的积分正在重新计算。",
                    )
                    return redirect("study:point_scheme")
        else:
            form = SchemeForm(initial=SchemeForm.initial_from(current))
    elif request.method == "POST":
        raise deny()
    return render(
        request,
        "study/points/scheme.html",
        {
            "versions": [(v, sel.scheme_rows(d)) for v, d in zip(versions, data, strict=True)],
            "default_rows": sel.scheme_rows(sel.rules.DEFAULT_POINT_SCHEME),
            "default": sel.rules.DEFAULT_POINT_SCHEME,
            "current": current,
            "form": form,
            "nav_points": _nav(user),
        },
    )
