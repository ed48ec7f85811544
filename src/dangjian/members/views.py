"""Roster pages: the list (search, filters, sort), a member's page, the member form, and
revealing a sensitive item. Import, export, transfers and statistics have their own modules."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.members import selectors, services
from dangjian.members.forms import MemberForm, initial_from
from dangjian.members.models import Category, Sex
from dangjian.orgs.models import Org, OrgKind
from dangjian.orgs.selectors import access_org
from dangjian.rules import codes
from dangjian.rules import members as member_rules

PAGE_SIZE = 30

STATUS_CHOICES = [
    ("active", "在册"),
    ("mobile", "流动党员"),
    ("lost", "失联党员"),
    ("suspended", "停止党籍"),
    ("retired", "离退休"),
    ("attention", "待跟进（失联、流动党员联系）"),
    ("left", "已减少"),
    ("all", "全部"),
]
SORT_CHOICES = [
    ("pinyin", "按姓名拼音"),
    ("-pinyin", "按姓名拼音倒序"),
    ("joined", "按入党日期"),
    ("-joined", "按入党日期倒序"),
    ("birth", "按出生日期"),
    ("-birth", "按出生日期倒序"),
]


@require_GET
def member_list(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    filters, org = selectors.roster_filters(request.user, request.GET)
    params = {k: v for k, v in filters.items() if k != "org"}
    roster = selectors.roster_page(
        request.user, number=request.GET.get("page"), per_page=PAGE_SIZE, org=org, **params
    )
    page = roster.page
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/list.html",
        {
            "page": page,
            "capped": roster.capped,
            "cap": selectors.LIST_COUNT_CAP,
            "org": org,
            "params": params,
            "query": query.urlencode(),
            "categories": Category.choices,
            "sexes": Sex.choices,
            "statuses": STATUS_CHOICES,
            "sorts": SORT_CHOICES,
            "educations": codes.EDUCATION,
            "can_manage": has_cap_anywhere(request.user, Cap.MEMBER_MANAGE),
        },
    )


def _record_rows(member) -> list[tuple[str, str, str]]:
    """(key, label, shown value) in the national form's order; sensitive items masked."""
    values = {
        "name": member.name,
        "sex": member.get_sex_display(),
        "ethnicity": codes.label_for(codes.ETHNICITIES, member.ethnicity) or member.ethnicity,
        "id_number": member.id_number_masked,
        "birth_date": f"{member.birth_date:%Y-%m-%d}",
        "education": codes.label_for(codes.EDUCATION, member.education) or member.education,
        "category": member.get_category_display(),
        "branch": member.branch.name,
        "joined_on": f"{member.joined_on:%Y-%m-%d}",
        "converted_on": f"{member.converted_on:%Y-%m-%d}" if member.converted_on else "",
        "post": codes.label_for(codes.POSTS, member.post) or member.post,
        "phone": member.phone_masked,
        "address": member.address_masked,
        "standing": member.get_standing_display(),
        "standing_reason": member.standing_reason,
        "lost_contact": "是" if member.is_lost_contact else "否",
        "lost_contact_since": (
            f"{member.lost_contact_since:%Y-%m}" if member.lost_contact_since else ""
        ),
        "mobile": "是" if member.is_mobile else "否",
        "mobile_destination": member.mobile_destination,
    }
    rows = []
    for key in member_rules.FIELD_ORDER:
        if key == "standing_reason" and member.standing != "suspended":
            continue
        rows.append((key, member_rules.FIELD_LABELS[key], values.get(key, "")))
    return rows


@require_GET
def member_detail(request, member_id):
    member = selectors.access_member(request.user, member_id)
    from dangjian.members.transfers import member_page_context

    today = timezone.localdate()
    context = {
        "member": member,
        "rows": _record_rows(member),
        "sensitive": services.SENSITIVE,
        "can_reveal": can(request.user, Cap.MEMBER_REVEAL, member.org_path),
        "can_manage": member.is_active and can(request.user, Cap.MEMBER_MANAGE, member.org_path),
        **member_page_context(request.user, member, today),
    }
    return render(request, "members/detail.html", context)


BRANCH_CHOICES_MAX = 500


def _branches(user, preselect=None) -> list[Org]:
    """Active branches the user may put members on, labelled with their unit: the first
    BRANCH_CHOICES_MAX by tree order, plus the one the page was opened for (a branch page's
    登记党员 link), so a province-wide admin is never handed thousands of options."""
    branches = list(
        Org.objects.visible_to(user, Cap.MEMBER_MANAGE)
        .filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)
        .select_related("unit")
        .order_by("path")[:BRANCH_CHOICES_MAX]
    )
    if preselect and all(str(b.pk) != str(preselect) for b in branches):
        try:
            extra = access_org(user, preselect, need=Cap.MEMBER_MANAGE)
        except Http404:
            extra = None  # not theirs: the form then says the choice is invalid
        if extra is not None and extra.kind == OrgKind.BRANCH and extra.is_active:
            branches.insert(0, extra)
    for b in branches:
        unit = b.unit.short_name or b.unit.name if b.unit else ""
        b.label = f"{unit} · {b.name}" if unit else b.name
    return branches


@require_http_methods(["GET", "POST"])
def member_new(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_MANAGE):
        raise deny()
    branches = _branches(request.user, request.GET.get("branch") or request.POST.get("branch"))
    initial = {}
    if request.GET.get("branch"):
        initial["branch"] = request.GET["branch"]
    form = MemberForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():
        branch = next((b for b in branches if b.pk == form.cleaned_data["branch"]), None)
        if branch is None:
            raise deny()
        member = call_service(
            form, services.member_create, actor=request.user, branch=branch, **form.record()
        )
        if member is not None:
            messages.success(request, f"已登记党员{member.name}。")
            return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"form": form, "member": None})


@require_http_methods(["GET", "POST"])
def member_edit(request, member_id):
    member = selectors.access_member(request.user, member_id, need=Cap.MEMBER_MANAGE)
    if not member.is_active:
        raise deny()
    form = MemberForm(request.POST or None, member=member, initial=initial_from(member))
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.member_update,
            actor=request.user,
            member=member,
            reason=form.cleaned_data.get("reason", ""),
            effective_on=form.cleaned_data.get("effective_on"),
            **form.record(),
        )
        if done is not None:
            messages.success(request, "党员信息已保存。")
            return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"form": form, "member": member})


@require_POST
def member_reveal(request, member_id, item):
    """Show one sensitive item in full (POST: it writes the audit log)."""
    member = selectors.access_member(request.user, member_id)
    if item not in services.SENSITIVE:
        raise deny()
    value = services.member_reveal(
        actor=request.user, member=member, item=item, ip=request.META.get("REMOTE_ADDR")
    )
    if request.htmx:
        return HttpResponse(
            format_html('<span class="font-monospace" data-testid="revealed">{}</span>', value)
        )
    # never via messages: they may travel in a cookie
    return render(
        request,
        "members/revealed.html",
        {"member": member, "label": services.SENSITIVE_LABELS[item], "value": value},
    )
