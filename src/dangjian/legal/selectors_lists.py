"""Reads of the 四张清单: access functions (one list or item, 404 to outsiders), the managers'
lists scoped by `legal.manage`, and the PUBLIC search `public_items`, which reads only
published lists in effect on the date and returns only the public fields (never an id, a
path, an org or a creator). See docs/legal-lenient-lists.md."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.lookups import parse_id
from dangjian.core.permissions import Cap
from dangjian.legal.models import LenientItem, LenientKind, LenientList
from dangjian.orgs.models import Org

MANAGE = Cap.LEGAL_MANAGE
PUBLIC_PAGE_SIZE = 20
#: C0 control characters and DEL: never part of a search or a filter value
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FILTER_MAX = 50
#: the fields the public page and the public API show, and nothing else
PUBLIC_FIELDS = (
    "domain",
    "kind",
    "kind_label",
    "list_title",
    "issued_by",
    "seq",
    "conduct",
    "legal_basis",
    "conditions",
    "measure",
    "effective_from",
    "effective_to",
)


def clean_text(value, limit: int = FILTER_MAX) -> str:
    if not isinstance(value, str):
        return ""
    return CONTROL.sub("", value).strip()[:limit]


def is_manager(user) -> bool:
    return has_cap_anywhere(user, MANAGE)


# ---------------------------------------------------------------------------------------------
# Access: one object (404 whether missing or not the user's)


def access_list(user, list_id, need: Cap = MANAGE) -> LenientList:
    pk = parse_id(list_id)
    found = (
        LenientList.objects.unscoped().select_related("org").filter(pk=pk).first() if pk else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_item(user, item_id, need: Cap = MANAGE) -> LenientItem:
    pk = parse_id(item_id)
    found = (
        LenientItem.objects.unscoped()
        .select_related("lenient_list", "lenient_list__org")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


# ---------------------------------------------------------------------------------------------
# The managers' lists


def manager_orgs(user) -> list[Org]:
    """The units' top bodies the user keeps lists for (the create form's choices). One query."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(unit__isnull=False, dissolved_on__isnull=True)
        .filter(Q(parent__isnull=True) | Q(parent__unit__isnull=True) | ~Q(parent__unit=F("unit")))
        .select_related("unit")
        .order_by("unit__sort", "path")[:500]
    )


def manager_lists(user, *, domain: str = "", kind: str = "", q: str = "", published=None):
    """The lists the user keeps, with their item counts, by domain and kind."""
    qs = (
        LenientList.objects.visible_to(user, MANAGE)
        .select_related("org")
        .annotate(item_count=Count("items"))
        .order_by("domain", "kind", "org_path", "id")
    )
    if domain:
        qs = qs.filter(domain=domain)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(domain__icontains=q) | Q(issued_by__icontains=q))
    if published is not None:
        qs = qs.filter(is_published=published)
    return qs


def manager_domains(user) -> list[str]:
    return list(
        LenientList.objects.visible_to(user, MANAGE)
        .order_by("domain")
        .values_list("domain", flat=True)
        .distinct()
    )


def domain_matrix(lists) -> list[dict]:
    """The shown lists grouped by domain: one row per domain, one cell per kind (the list and
    its item count, or None). No query: `lists` carry `item_count`."""
    rows: dict[str, dict] = {}
    for lst in lists:
        row = rows.setdefault(lst.domain, {"domain": lst.domain, "cells": {}})
        row["cells"][lst.kind] = lst
    return [
        {"domain": r["domain"], "cells": [r["cells"].get(k) for k in LenientKind.values]}
        for r in rows.values()
    ]


def list_items(lenient_list: LenientList):
    """The items of a list the caller obtained through `access_list`."""
    return LenientItem.objects.unscoped().filter(lenient_list=lenient_list).order_by("seq", "id")


def published_lists(user):
    """The published lists the user keeps (the export of all published lists)."""
    return manager_lists(user, published=True)


# ---------------------------------------------------------------------------------------------
# The public search


@dataclass
class PublicQuery:
    q: str
    domain: str
    kind: str
    on_date: dt.date


def public_query(q, domain, kind, on_date) -> PublicQuery:
    """The public search's input, cleaned. A query longer than LENIENT_QUERY_MAX is refused
    (AppError at `q`); an unknown kind or a junk domain means no filter; a bad date is
    refused."""
    limit = settings.LENIENT_QUERY_MAX
    text = q if isinstance(q, str) else ""
    text = CONTROL.sub("", text).strip()
    if len(text) > limit:
        raise AppError(f"查询内容过长（最多{limit}个字）", field="q")
    kind = kind if kind in LenientKind.values else ""
    if isinstance(on_date, str):
        raw = on_date.strip()
        try:
            on_date = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise AppError("日期格式应为 YYYY-MM-DD", field="date") from None
    if on_date is None:
        from django.utils import timezone

        on_date = timezone.localdate()
    if not 2000 <= on_date.year <= 2100:
        raise AppError("日期应在2000年至2100年之间", field="date")
    return PublicQuery(text, clean_text(domain), kind, on_date)


def _public_queryset(query: PublicQuery):
    day = query.on_date
    qs = LenientItem.objects.unscoped().filter(
        Q(lenient_list__is_published=True),
        Q(lenient_list__effective_from__lte=day),
        Q(lenient_list__effective_to__isnull=True) | Q(lenient_list__effective_to__gte=day),
        Q(effective_from__isnull=True) | Q(effective_from__lte=day),
        Q(effective_to__isnull=True) | Q(effective_to__gte=day),
    )
    if query.q:
        qs = qs.filter(
            Q(conduct__icontains=query.q)
            | Q(legal_basis__icontains=query.q)
            | Q(conditions__icontains=query.q)
        )
    if query.domain:
        qs = qs.filter(lenient_list__domain=query.domain)
    if query.kind:
        qs = qs.filter(lenient_list__kind=query.kind)
    return qs.order_by("lenient_list__domain", "lenient_list__kind", "seq", "id").values(
        "seq",
        "conduct",
        "legal_basis",
        "conditions",
        "measure",
        domain=F("lenient_list__domain"),
        kind=F("lenient_list__kind"),
        list_title=F("lenient_list__title"),
        issued_by=F("lenient_list__issued_by"),
        # an item without its own dates takes its list's
        valid_from=Coalesce("effective_from", "lenient_list__effective_from"),
        valid_to=Coalesce("effective_to", "lenient_list__effective_to"),
    )


def _public_row(row: dict) -> dict:
    labels = dict(LenientKind.choices)
    out = {name: row.get(name) for name in PUBLIC_FIELDS}
    out["kind_label"] = labels.get(row["kind"], "")
    out["effective_from"] = row["valid_from"]
    out["effective_to"] = row["valid_to"]
    return out


def public_items(q="", domain="", kind="", on_date=None, page=1) -> Page:
    """The public search: items of published lists in effect on `on_date` (today by
    default), searched in the conduct, the legal basis and the conditions, filtered by domain
    and kind, PUBLIC_PAGE_SIZE a page. Each row is a dict of PUBLIC_FIELDS only. Two queries
    (the count and the page)."""
    query = q if isinstance(q, PublicQuery) else public_query(q, domain, kind, on_date)
    page_obj = Paginator(_public_queryset(query), PUBLIC_PAGE_SIZE).get_page(page)
    page_obj.object_list = [_public_row(r) for r in page_obj.object_list]
    page_obj.query = query
    return page_obj


def public_domains() -> list[str]:
    """The domains that have a published list (the public page's filter). One query."""
    return list(
        LenientList.objects.unscoped()
        .filter(is_published=True)
        .order_by("domain")
        .values_list("domain", flat=True)
        .distinct()
    )
