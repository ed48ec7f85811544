"""Pages of 清廉机关: the overview (coverage per unit, risk points by level, sessions), the
risk-point register with its forms, warning-education sessions, a branch's commitments with
the bulk record, and "我的廉洁承诺" for a member on a phone. Thin: parse, access check, one
service or selector. See docs/integrity.md."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.views_export import outcome_response
from dangjian.integrity import forms as f
from dangjian.integrity import selectors as sel
from dangjian.integrity import services
from dangjian.integrity.models import EducationForm, RiskLevel
from dangjian.orgs.models import OrgKind
from dangjian.orgs.selectors import access_org

PAGE_SIZE = 20
EXPORTS = {"risks": "integrity.risk_register", "commitments": "integrity.commitments"}


def _year(request, default: int | None = None) -> int | None:
    return sel.parse_year(request.GET.get("year")) or default


def _first_error(form) -> AppError:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return AppError(f"{label}：{errors[0]}" if label else errors[0], field=name)
    return AppError("请求数据有误。")


def _valid(form) -> dict:
    if not form.is_valid():
        raise _first_error(form)
    return form.cleaned_data


# ---------------------------------------------------------------------------------------------
# Overview


@require_GET
def index(request):
    """清廉机关 overview of an org (default: the user's top-most) for a year."""
    if not has_cap_anywhere(request.user, sel.READ):
        if getattr(request.user, "member_id", None):
            return redirect("integrity:my")  # a member has only his own commitment page
        raise deny()
    org = sel.org_from(request.user, request.GET.get("org"))
    today = timezone.localdate()
    year = _year(request, today.year)
    overview = sel.coverage(request.user, year, org, today=today)
    sessions = list(sel.session_list(request.user, org=org, year=year)[:5])
    return render(
        request,
        "integrity/index.html",
        {
            "org": org,
            "year": year,
            "years": sel.year_choices(today),
            "overview": overview,
            "levels": RiskLevel.choices,
            "sessions": sessions,
            "can_manage": can(request.user, sel.MANAGE, org.path),
            "parent": org.parent
            if org.parent and can(request.user, sel.READ, org.parent.path)
            else None,
        },
    )


# ---------------------------------------------------------------------------------------------
# Risk points


@require_GET
def risk_list(request):
    if not has_cap_anywhere(request.user, sel.READ):
        raise deny()
    g = request.GET
    org = access_org(request.user, g["org"], need=sel.READ) if g.get("org") else None
    units = sel.units_for(request.user)
    unit_id = sel._int(g.get("unit"))
    unit_id = unit_id if unit_id in {u.pk for u in units} else None
    level = g.get("level", "")
    level = level if level in RiskLevel.values else ""
    status = g.get("status", "active")
    status = status if status in ("active", "retired", "") else "active"
    year = _year(request)
    q = g.get("q", "").strip()[:50]
    points = sel.risk_point_list(
        request.user, org=org, unit_id=unit_id, year=year, level=level, q=q, status=status
    )
    page = Paginator(points, PAGE_SIZE).get_page(g.get("page"))
    can_manage = has_cap_anywhere(request.user, sel.MANAGE)
    return render(
        request,
        "integrity/risk_list.html",
        {
            "page": page,
            "org": org,
            "units": units,
            "levels": RiskLevel.choices,
            "years": sel.year_choices(),
            "params": {
                "unit": unit_id or "",
                "level": level,
                "status": status,
                "year": year or "",
                "q": q,
            },
            "can_manage": can_manage,
            "can_manage_org": org is None or can(request.user, sel.MANAGE, org.path),
        },
    )


def _risk_form_page(request, *, base, point=None):
    orgs = sel.manageable_orgs(request.user, base)
    if point is not None and point.org_id not in {o.pk for o in orgs}:
        orgs.insert(0, point.org)
    people = sel.people_of(base)
    if point is not None and point.owner is not None and point.owner not in people:
        people.insert(0, point.owner)
    orgs_by_id = {o.pk: o for o in orgs}
    people_by_id = {m.pk: m for m in people}
    if point is None:
        initial = {"org": base.pk, "year": timezone.localdate().year}
    else:
        initial = {
            "org": point.org_id,
            "year": point.year,
            "post": point.post,
            "risk": point.risk,
            "level": point.level,
            "measures": point.measures,
            "owner": point.owner_id,
            "owner_name": "" if point.owner_id else point.owner_name,
        }
    form = f.RiskPointForm(request.POST or None, initial=initial, orgs=orgs, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "org": orgs_by_id.get(data["org"]),
            "year": data["year"],
            "post": data["post"],
            "risk": data["risk"],
            "level": data["level"],
            "measures": data["measures"],
            "owner": people_by_id.get(data["owner"]),
            "owner_name": data["owner_name"],
        }
        if point is None:
            done = call_service(form, services.risk_point_create, actor=request.user, **values)
        else:
            done = call_service(
                form, services.risk_point_update, actor=request.user, risk_point=point, **values
            )
        if done is not None:
            messages.success(request, "廉政风险点已保存。")
            return redirect(f"{reverse('integrity:risks')}?org={done.org_id}")
    return render(
        request,
        "integrity/risk_form.html",
        {"form": form, "org": base, "point": point},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def risk_create(request):
    g = request.GET
    if g.get("org"):
        base = access_org(request.user, g["org"], need=sel.MANAGE)
    else:
        base = sel.default_org(request.user, sel.MANAGE)
    return _risk_form_page(request, base=base)


@require_http_methods(["GET", "POST"])
def risk_edit(request, risk_id):
    point = sel.access_risk_point(request.user, risk_id, need=sel.MANAGE)
    if point.retired_on is not None:
        messages.error(request, "该风险点已停用，不能修改。")
        return redirect(f"{reverse('integrity:risks')}?org={point.org_id}&status=retired")
    return _risk_form_page(request, base=point.org, point=point)


@require_POST
def risk_retire(request, risk_id):
    point = sel.access_risk_point(request.user, risk_id, need=sel.MANAGE)
    data = _valid(f.RetireForm(request.POST))
    services.risk_point_retire(actor=request.user, risk_point=point, reason=data["reason"])
    messages.success(request, f"风险点“{point.post}”已停用，仍保留在台账中。")
    return redirect(f"{reverse('integrity:risks')}?org={point.org_id}")


# ---------------------------------------------------------------------------------------------
# Warning-education sessions


@require_GET
def session_list(request):
    if not has_cap_anywhere(request.user, sel.READ):
        raise deny()
    org = (
        access_org(request.user, request.GET["org"], need=sel.READ)
        if request.GET.get("org")
        else None
    )
    year = _year(request)
    sessions = sel.session_list(request.user, org=org, year=year)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrity/session_list.html",
        {
            "page": page,
            "org": org,
            "year": year or "",
            "years": sel.year_choices(),
            "can_manage": has_cap_anywhere(request.user, sel.MANAGE)
            and (org is None or can(request.user, sel.MANAGE, org.path)),
        },
    )


def _session_form_page(request, *, base, session=None):
    orgs = sel.manageable_orgs(request.user, base)
    if session is not None and session.org_id not in {o.pk for o in orgs}:
        orgs.insert(0, session.org)
    meetings = sel.meetings_for_sessions(
        request.user, base, include=session.meeting if session else None
    )
    orgs_by_id = {o.pk: o for o in orgs}
    meetings_by_id = {m.pk: m for m in meetings}
    if session is None:
        initial = {"org": base.pk}
    else:
        initial = {
            "org": session.org_id,
            "meeting": session.meeting_id,
            "held_on": session.held_on,
            "title": session.title,
            "form": session.form,
            "attendees": session.attendees,
            "note": session.note,
        }
    form = f.SessionForm(request.POST or None, initial=initial, orgs=orgs, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "org": orgs_by_id.get(data["org"]),
            "meeting": meetings_by_id.get(data["meeting"]),
            "held_on": data["held_on"],
            "title": data["title"],
            "form": data["form"],
            "attendees": data["attendees"],
            "note": data["note"],
        }
        if session is None:
            done = call_service(form, services.warning_session_create, actor=request.user, **values)
        else:
            done = call_service(
                form,
                services.warning_session_update,
                actor=request.user,
                session=session,
                **values,
            )
        if done is not None:
            messages.success(request, "警示教育已登记。")
            return redirect(f"{reverse('integrity:sessions')}?org={done.org_id}")
    return render(
        request,
        "integrity/session_form.html",
        {"form": form, "org": base, "session": session, "forms": EducationForm.choices},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def session_create(request):
    g = request.GET
    if g.get("org"):
        base = access_org(request.user, g["org"], need=sel.MANAGE)
    else:
        base = sel.default_org(request.user, sel.MANAGE)
    return _session_form_page(request, base=base)


@require_http_methods(["GET", "POST"])
def session_edit(request, session_id):
    session = sel.access_session(request.user, session_id, need=sel.MANAGE)
    return _session_form_page(request, base=session.org, session=session)


@require_POST
def session_delete(request, session_id):
    session = sel.access_session(request.user, session_id, need=sel.MANAGE)
    services.warning_session_delete(actor=request.user, session=session)
    messages.success(request, "警示教育记录已删除。")
    return redirect(f"{reverse('integrity:sessions')}?org={session.org_id}")


# ---------------------------------------------------------------------------------------------
# Commitments


@require_GET
def commitments_default(request):
    """The commitments of the user's own branch; above a branch, the overview's drill-down."""
    org = sel.default_org(request.user, sel.READ)
    year = _year(request)
    suffix = f"?year={year}" if year else ""
    if org.kind == OrgKind.BRANCH:
        return redirect(reverse("integrity:branch_commitments", args=[org.pk]) + suffix)
    return redirect(
        reverse("integrity:index") + f"?org={org.pk}" + (f"&year={year}" if year else "")
    )


def _branch(request, org_id, need=sel.READ):
    org = access_org(request.user, org_id, need=need)
    if org.kind != OrgKind.BRANCH:
        raise deny()  # commitments are kept per branch
    return org


def _branch_page(request, branch, year, form=None, status=200):
    today = timezone.localdate()
    rows = sel.branch_commitments(branch, year, today)
    candidates = [r.member for r in rows if r.on_roster and r.commitment is None]
    signed = sum(1 for r in rows if r.on_roster and r.commitment is not None)
    on_roster = sum(1 for r in rows if r.on_roster)
    can_manage = can(request.user, sel.MANAGE, branch.path)
    form = form or f.BulkCommitmentForm(initial={"signed_on": today}, candidates=candidates)
    return render(
        request,
        "integrity/branch_commitments.html",
        {
            "org": branch,
            "year": year,
            "years": sel.year_choices(today),
            "rows": rows,
            "signed": signed,
            "on_roster": on_roster,
            "rate": sel._rate(signed, on_roster),
            "candidates": candidates,
            "form": form,
            "selected": {str(x) for x in form["members"].value() or []},
            "can_manage": can_manage,
            "revoke_form": f.RevokeForm(),
        },
        status=status,
    )


@require_GET
def branch_commitments(request, org_id):
    branch = _branch(request, org_id)
    year = _year(request, timezone.localdate().year)
    return _branch_page(request, branch, year)


@require_POST
def commitment_record(request, org_id):
    """Record the signed commitments of several members of the branch at once."""
    branch = _branch(request, org_id, need=sel.MANAGE)
    year = sel.parse_year(request.POST.get("year")) or timezone.localdate().year
    rows = sel.branch_commitments(branch, year)
    candidates = [r.member for r in rows if r.on_roster and r.commitment is None]
    by_id = {m.pk: m for m in candidates}
    form = f.BulkCommitmentForm(request.POST, candidates=candidates)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.commitment_sign_bulk,
            actor=request.user,
            branch=branch,
            members=[by_id[pk] for pk in data["members"]],
            year=year,
            signed_on=data["signed_on"],
        )
        if done is not None:
            messages.success(request, f"已登记{len(done)}名党员{year}年度的廉洁承诺。")
            url = reverse("integrity:branch_commitments", args=[branch.pk])
            return redirect(f"{url}?year={year}")
    return _branch_page(request, branch, year, form=form, status=400)


@require_GET
def commitment_detail(request, commitment_id):
    commitment = sel.access_commitment(request.user, commitment_id)
    return render(
        request,
        "integrity/commitment_detail.html",
        {
            "commitment": commitment,
            "own": commitment.member_id == getattr(request.user, "member_id", None),
            "can_manage": can(request.user, sel.MANAGE, commitment.org_path),
        },
    )


@require_POST
def commitment_revoke(request, commitment_id):
    commitment = sel.access_commitment(request.user, commitment_id, need=sel.MANAGE)
    data = _valid(f.RevokeForm(request.POST))
    services.commitment_revoke(actor=request.user, commitment=commitment, reason=data["reason"])
    messages.success(request, f"已撤销{commitment.member.name}{commitment.year}年度的廉洁承诺。")
    url = reverse("integrity:branch_commitments", args=[commitment.org_id])
    return redirect(f"{url}?year={commitment.year}")


@require_http_methods(["GET", "POST"])
def my_commitment(request):
    """我的廉洁承诺: this year's commitment signed with one button; past years below."""
    member = sel.my_member(request.user)
    if member is None:
        raise deny()
    today = timezone.localdate()
    if request.method == "POST":
        try:
            services.commitment_sign(actor=request.user, year=today.year)
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"您已签订{today.year}年度廉洁承诺。")
        return redirect("integrity:my")
    mine = sel.my_commitments(request.user)
    current = next((c for c in mine if c.year == today.year), None)
    return render(
        request,
        "integrity/my.html",
        {
            "member": member,
            "year": today.year,
            "current": current,
            "past": [c for c in mine if c.year != today.year],
            "text": services.DEFAULT_TEXT,
        },
    )


# ---------------------------------------------------------------------------------------------
# Exports


@require_POST
def export(request, kind):
    identifier = EXPORTS.get(kind)
    if identifier is None:
        raise deny()
    params = {"org": request.POST.get("org", ""), "year": request.POST.get("year", "")}
    if not params["org"]:
        params["org"] = sel.default_org(request.user, sel.READ).pk
    outcome = export_start(actor=request.user, identifier=identifier, params=params, fmt="xlsx")
    return outcome_response(outcome)
