"""四张清单 endpoints.

- `router` (mounted at /api/legal): the lists and their items for the holders of
  `legal.manage` (the 司法局's administrators and the 工委), scoped like the pages; outsiders
  get 404. Writes go through services_lists.
- `public_router` (mounted at /api/public): GET /lenient-items, the published items in effect,
  without an account (`auth=None`), read-only, limited per address
  (settings.LENIENT_PUBLIC_PER_MINUTE a minute → 429) and returning only the public fields."""

import datetime as dt
from typing import Literal

from django.conf import settings
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.legal import selectors_lists as sel
from dangjian.legal import services_lists as services
from dangjian.legal.views_public import check_public_rate
from dangjian.members.api import ERRORS

router = Router(tags=["四张清单"])
public_router = Router(tags=["四张清单（公开）"])

Kind = Literal["no_penalty", "reduced_penalty", "lighter_penalty", "no_coercion"]


def _manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


class LenientListOut(Schema):
    id: int
    org_id: int
    org_name: str
    domain: str
    kind: str
    kind_label: str
    title: str
    issued_by: str
    effective_from: dt.date
    effective_to: dt.date | None
    is_published: bool
    published_at: dt.datetime | None
    item_count: int

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_item_count(obj) -> int:
        return getattr(obj, "item_count", None) or 0


class LenientItemOut(Schema):
    id: int
    list_id: int = Field(alias="lenient_list_id")
    seq: int
    conduct: str
    legal_basis: str
    conditions: str
    measure: str
    effective_from: dt.date | None
    effective_to: dt.date | None


class LenientListFilter(Schema):
    domain: str = Field("", max_length=50, description="领域")
    kind: Kind | None = Field(None, description="清单类别")
    q: str = Field("", max_length=50, description="搜索清单名称、领域或制定部门")
    published: bool | None = Field(None, description="只看已发布 / 未发布")


class LenientListIn(Schema):
    org: int = Field(ge=1, le=2**62, description="发布单位（党组）")
    domain: str = Field(max_length=200)
    kind: str = Field(max_length=50)
    title: str = Field("", max_length=1000)
    issued_by: str = Field("", max_length=1000)
    effective_from: str = Field(max_length=20, description="施行日期 YYYY-MM-DD")
    effective_to: str = Field("", max_length=20, description="失效日期 YYYY-MM-DD")


class LenientListPatch(Schema):
    domain: str | None = Field(None, max_length=200)
    kind: str | None = Field(None, max_length=50)
    title: str | None = Field(None, max_length=1000)
    issued_by: str | None = Field(None, max_length=1000)
    effective_from: str | None = Field(None, max_length=20)
    effective_to: str | None = Field(None, max_length=20)


class LenientItemIn(Schema):
    seq: int | None = Field(None, ge=1, le=99_999, description="序号，默认排在最后")
    conduct: str = Field(max_length=1000)
    legal_basis: str = Field(max_length=10_000)
    conditions: str = Field(max_length=10_000)
    measure: str = Field("", max_length=10_000)
    effective_from: str = Field("", max_length=20)
    effective_to: str = Field("", max_length=20)


class LenientItemPatch(Schema):
    seq: int | None = Field(None, ge=1, le=99_999)
    conduct: str | None = Field(None, max_length=1000)
    legal_basis: str | None = Field(None, max_length=10_000)
    conditions: str | None = Field(None, max_length=10_000)
    measure: str | None = Field(None, max_length=10_000)
    effective_from: str | None = Field(None, max_length=20)
    effective_to: str | None = Field(None, max_length=20)


@router.get(
    "/lenient-lists",
    response={200: list[LenientListOut], **ERRORS},
    summary="四张清单列表（含事项数）",
)
@paginate(BoundedLimitOffsetPagination)
def list_lists(request, filters: Query[LenientListFilter]):
    _manager(request)
    return sel.manager_lists(
        request.user,
        domain=sel.clean_text(filters.domain),
        kind=filters.kind or "",
        q=sel.clean_text(filters.q),
        published=filters.published,
    )


@router.post("/lenient-lists", response={201: LenientListOut, **ERRORS}, summary="新建清单")
def create_list(request, payload: LenientListIn):
    _manager(request)
    orgs = {o.pk: o for o in sel.manager_orgs(request.user)}
    org = orgs.get(payload.org)
    if org is None:
        raise deny()
    lenient_list = services.list_create(
        actor=request.user, org=org, **payload.dict(exclude={"org"})
    )
    return Status(201, lenient_list)


@router.get(
    "/lenient-lists/{list_id}", response={200: LenientListOut, **ERRORS}, summary="清单详情"
)
def get_list(request, list_id: int):
    lenient_list = sel.access_list(request.user, list_id)
    lenient_list.item_count = sel.list_items(lenient_list).count()
    return lenient_list


@router.patch(
    "/lenient-lists/{list_id}", response={200: LenientListOut, **ERRORS}, summary="修改清单"
)
def update_list(request, list_id: int, payload: LenientListPatch):
    lenient_list = sel.access_list(request.user, list_id)
    fields = payload.dict(exclude_none=True)
    done = services.list_update(actor=request.user, lenient_list=lenient_list, **fields)
    done.item_count = sel.list_items(done).count()
    return done


@router.post(
    "/lenient-lists/{list_id}/publish",
    response={200: LenientListOut, **ERRORS},
    summary="发布清单（公开）",
)
def publish_list(request, list_id: int):
    lenient_list = sel.access_list(request.user, list_id)
    done = services.list_publish(actor=request.user, lenient_list=lenient_list)
    done.item_count = sel.list_items(done).count()
    return done


@router.post(
    "/lenient-lists/{list_id}/unpublish",
    response={200: LenientListOut, **ERRORS},
    summary="撤回发布",
)
def unpublish_list(request, list_id: int):
    lenient_list = sel.access_list(request.user, list_id)
    done = services.list_unpublish(actor=request.user, lenient_list=lenient_list)
    done.item_count = sel.list_items(done).count()
    return done


@router.get(
    "/lenient-lists/{list_id}/items",
    response={200: list[LenientItemOut], **ERRORS},
    summary="清单事项",
)
def list_items(request, list_id: int):
    lenient_list = sel.access_list(request.user, list_id)
    return list(sel.list_items(lenient_list))


@router.post(
    "/lenient-lists/{list_id}/items",
    response={201: LenientItemOut, **ERRORS},
    summary="新增事项（法律依据必填）",
)
def create_item(request, list_id: int, payload: LenientItemIn):
    lenient_list = sel.access_list(request.user, list_id)
    item = services.item_create(actor=request.user, lenient_list=lenient_list, **payload.dict())
    return Status(201, item)


@router.patch(
    "/lenient-items/{item_id}", response={200: LenientItemOut, **ERRORS}, summary="修改事项"
)
def update_item(request, item_id: int, payload: LenientItemPatch):
    item = sel.access_item(request.user, item_id)
    return services.item_update(actor=request.user, item=item, **payload.dict(exclude_none=True))


# ---------------------------------------------------------------------------------------------
# Public: no account


class LenientPublicItemOut(Schema):
    domain: str
    kind: str
    kind_label: str
    list_title: str
    issued_by: str
    seq: int
    conduct: str
    legal_basis: str
    conditions: str
    measure: str
    effective_from: dt.date | None
    effective_to: dt.date | None


class LenientPublicPageOut(Schema):
    count: int = Field(description="符合条件的事项总数")
    page: int
    pages: int
    page_size: int
    items: list[LenientPublicItemOut]


class LenientPublicQuery(Schema):
    # plain strings, checked by the selector: an oversized query is a 400 with a Chinese
    # message (and every call is counted against the address, even a malformed one)
    q: str = Field("", description=f"关键词（最多{settings.LENIENT_QUERY_MAX}个字）")
    domain: str = Field("", description="领域")
    kind: str = Field(
        "", description="no_penalty / reduced_penalty / lighter_penalty / no_coercion"
    )
    date: str = Field("", description="有效日期 YYYY-MM-DD，默认今天")
    page: str = Field("1", description="页码")


@public_router.get(
    "/lenient-items",
    auth=None,
    response={200: LenientPublicPageOut, **ERRORS},
    summary="四张清单公开查询（无需登录）",
    description="只返回已发布且在指定日期有效的清单事项；每个地址每分钟的调用次数有上限，"
    "超过时返回 429；关键词过长返回 400。",
)
def public_search(request, params: Query[LenientPublicQuery]):
    check_public_rate(request, "api")
    query = sel.public_query(
        params.q, sel.clean_text(params.domain), params.kind, sel.clean_text(params.date, 10)
    )
    page = sel.public_items(query, page=params.page[:10])
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": page.paginator.per_page,
        "items": page.object_list,
    }
