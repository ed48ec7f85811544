"""/legal/lists/…: the 四张清单 kept by the 司法局 (legal.manage): the lists by domain and kind
with their item counts, a list's items (add, edit, move, delete), publication, the xlsx import
and the exports. Thin: parse, access check, one selector or service. The public search is
views_public.py. See docs/legal-lenient-lists.md."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.views_export import outcome_response
from dangjian.legal import exporters_lists  # noqa: F401  (registers the exports)
from dangjian.legal import selectors_lists as sel
from dangjian.legal import services_lists as services
from dangjian.legal.forms_lists import LenientImportForm, LenientItemForm, LenientListForm
from dangjian.legal.models import LenientKind
from dangjian.legal.services_lists_import import items_import

PAGE_SIZE = 30
LIST_VALUES = ("domain", "kind", "title", "issued_by", "effective_from", "effective_to")
ITEM_VALUES = (
    "seq",
    "conduct",
    "legal_basis",
    "conditions",
    "measure",
    "effective_from",
    "effective_to",
)


def require_manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


def _published(value) -> bool | None:
    return {"1": True, "0": False}.get(value if isinstance(value, str) else "")


@require_GET
def list_index(request):
    """The lists the user keeps, by domain and kind, with their item counts."""
    require_manager(request)
    g = request.GET
    domains = sel.manager_domains(request.user)
    domain = sel.clean_text(g.get("domain"))
    domain = domain if domain in domains else ""
    kind = g.get("kind", "")
    kind = kind if kind in LenientKind.values else ""
    published = _published(g.get("published"))
    q = sel.clean_text(g.get("q"))
    lists = sel.manager_lists(request.user, domain=domain, kind=kind, q=q, published=published)
    page = Paginator(lists, PAGE_SIZE).get_page(g.get("page"))
    return render(
        request,
        "legal/lists/index.html",
        {
            "page": page,
            "matrix": sel.domain_matrix(page.object_list),
            "kinds": LenientKind.choices,
            "domains": domains,
            "params": {
                "domain": domain,
                "kind": kind,
                "q": q,
                "published": {True: "1", False: "0"}.get(published, ""),
            },
        },
    )


@require_http_methods(["GET", "POST"])
def list_create(request):
    require_manager(request)
    orgs = sel.manager_orgs(request.user)
    if not orgs:
        raise deny()
    by_pk = {o.pk: o for o in orgs}
    initial = {"org": orgs[0].pk} if len(orgs) == 1 else {}
    form = LenientListForm(request.POST or None, initial=initial, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = by_pk.get(data["org"])
        if org is None:
            form.add_error("org", "请选择发布单位。")
        else:
            done = call_service(
                form,
                services.list_create,
                actor=request.user,
                org=org,
                **{k: data[k] for k in LIST_VALUES},
            )
            if done is not None:
                messages.success(request, f"已新建{done.title}。")
                return redirect("legal:list", list_id=done.pk)
    return render(
        request,
        "legal/lists/list_form.html",
        {"form": form, "lenient_list": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def list_edit(request, list_id):
    lenient_list = sel.access_list(request.user, list_id)
    initial = {k: getattr(lenient_list, k) for k in LIST_VALUES}
    form = LenientListForm(request.POST or None, initial=initial, with_org=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.list_update,
            actor=request.user,
            lenient_list=lenient_list,
            **{k: data[k] for k in LIST_VALUES},
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("legal:list", list_id=lenient_list.pk)
    return render(
        request,
        "legal/lists/list_form.html",
        {"form": form, "lenient_list": lenient_list},
        status=400 if form.errors else 200,
    )


@require_GET
def list_detail(request, list_id):
    lenient_list = sel.access_list(request.user, list_id)
    items = list(sel.list_items(lenient_list))
    return render(
        request,
        "legal/lists/list_detail.html",
        {"lenient_list": lenient_list, "items": items},
    )


@require_POST
def list_publish(request, list_id):
    lenient_list = sel.access_list(request.user, list_id)
    services.list_publish(actor=request.user, lenient_list=lenient_list)
    messages.success(request, "清单已发布，公众可在四张清单查询页面查到。")
    return redirect("legal:list", list_id=lenient_list.pk)


@require_POST
def list_unpublish(request, list_id):
    lenient_list = sel.access_list(request.user, list_id)
    services.list_unpublish(actor=request.user, lenient_list=lenient_list)
    messages.success(request, "已撤回发布。")
    return redirect("legal:list", list_id=lenient_list.pk)


@require_http_methods(["GET", "POST"])
def list_import(request, list_id):
    lenient_list = sel.access_list(request.user, list_id)
    posted = request.method == "POST"
    form = LenientImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        count = call_service(
            form,
            items_import,
            actor=request.user,
            lenient_list=lenient_list,
            file=form.cleaned_data["file"],
        )
        if count is not None:
            messages.success(request, f"已导入{count}项。")
            return redirect("legal:list", list_id=lenient_list.pk)
    return render(
        request,
        "legal/lists/list_import.html",
        {"form": form, "lenient_list": lenient_list},
        status=400 if form.errors else 200,
    )


@require_POST
def list_export(request, list_id):
    lenient_list = sel.access_list(request.user, list_id)
    outcome = export_start(
        actor=request.user,
        identifier="legal.lenient_items",
        params={"list": lenient_list.pk},
        fmt="xlsx",
    )
    return outcome_response(outcome)


@require_POST
def lists_export(request):
    require_manager(request)
    outcome = export_start(
        actor=request.user, identifier="legal.lenient_lists", params={}, fmt="xlsx"
    )
    return outcome_response(outcome)


# ---------------------------------------------------------------------------------------------
# Items


@require_http_methods(["GET", "POST"])
def item_create(request, list_id):
    lenient_list = sel.access_list(request.user, list_id)
    form = LenientItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.item_create,
            actor=request.user,
            lenient_list=lenient_list,
            **{k: data[k] for k in ITEM_VALUES},
        )
        if done is not None:
            messages.success(request, f"已新增第{done.seq}项。")
            return redirect("legal:list", list_id=lenient_list.pk)
    return render(
        request,
        "legal/lists/item_form.html",
        {"form": form, "lenient_list": lenient_list, "item": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def item_edit(request, item_id):
    item = sel.access_item(request.user, item_id)
    initial = {k: getattr(item, k) for k in ITEM_VALUES}
    form = LenientItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.item_update,
            actor=request.user,
            item=item,
            **{k: data[k] for k in ITEM_VALUES},
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("legal:list", list_id=item.lenient_list_id)
    return render(
        request,
        "legal/lists/item_form.html",
        {"form": form, "lenient_list": item.lenient_list, "item": item},
        status=400 if form.errors else 200,
    )


@require_POST
def item_move(request, item_id):
    item = sel.access_item(request.user, item_id)
    services.item_move(actor=request.user, item=item, direction=request.POST.get("direction", ""))
    return redirect("legal:list", list_id=item.lenient_list_id)


@require_POST
def item_delete(request, item_id):
    item = sel.access_item(request.user, item_id)
    services.item_delete(actor=request.user, item=item)
    messages.success(request, f"已删除第{item.seq}项。")
    return redirect("legal:list", list_id=item.lenient_list_id)
