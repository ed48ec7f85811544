"""老干部服务 endpoints of the people under /api/veterans: retirees (masked phone and address
only, never the sealed values or the health note), pairings with what is owed next, contacts,
requests (list, record, answer, feedback). The same selectors, access functions and services
as the pages: managers (veterans.manage) see their subtree; a serving cadre reaches his own
pairings (`?mine=true`), logs contacts and records requests on them; outsiders get 404."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.members.api import ERRORS
from dangjian.veterans import selectors_people as sel
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_requests as sr

router = Router(tags=["老干部服务：人员与诉求"])


def _manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


class VetRetireeOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    status: str
    org_id: int
    org_name: str
    member_id: int | None
    former_unit: str
    former_post: str
    retired_on: dt.date | None
    phone_masked: str = Field(description="脱敏电话")
    address_masked: str = Field(description="脱敏住址")
    has_health_note: bool = Field(description="是否登记了健康状况（内容加密，不经接口提供）")
    living_alone: bool
    died_on: dt.date | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class VetRetireeFilter(Schema):
    q: str = Field("", max_length=50, description="姓名或拼音首字母")
    branch: int | None = Field(None, ge=1, le=2**62, description="所在组织（含下级）")
    status: Literal["", "retired", "lixiu", "living_alone", "deceased"] = ""


class VetOwedOut(Schema):
    kind: str
    due_on: dt.date
    state: str = Field(description="ok / due_soon / overdue")
    last_on: dt.date | None


class VetPairingOut(Schema):
    id: int
    retiree_id: int
    retiree_name: str
    cadre_id: int
    cadre_name: str
    started_on: dt.date
    ended_on: dt.date | None
    call: VetOwedOut
    visit: VetOwedOut


class VetPairingFilter(Schema):
    mine: bool = Field(False, description="只看本人（结对干部）的结对")
    q: str = Field("", max_length=50)


class VetContactFilter(Schema):
    pairing: int | None = Field(None, ge=1, le=2**62, description="结对联系（结对干部必填）")


class VetContactOut(Schema):
    id: int
    pairing_id: int
    kind: str
    contacted_on: dt.date
    thoughts: str
    living: str
    note: str


class VetContactIn(Schema):
    pairing_id: int = Field(ge=1, le=2**62)
    kind: Literal["call", "visit"]
    contacted_on: dt.date
    thoughts: str = Field("", max_length=2000)
    living: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)


class VetRequestOut(Schema):
    id: int
    retiree_id: int
    retiree_name: str
    pairing_id: int | None
    kind: str
    source: str
    family_name: str
    content: str
    raised_on: dt.date
    office_id: int
    office_name: str
    due_on: dt.date
    status: str
    state: str = Field(description="open / overdue / escalate / answered_in_time / answered_late")
    answer: str
    answered_on: dt.date | None
    fed_back_on: dt.date | None
    satisfaction: str
    closed_on: dt.date | None
    escalated: bool

    @staticmethod
    def resolve_retiree_name(obj) -> str:
        return obj.retiree.name

    @staticmethod
    def resolve_office_name(obj) -> str:
        return obj.office.name

    @staticmethod
    def resolve_escalated(obj) -> bool:
        return obj.escalated_at is not None


class VetRequestFilter(Schema):
    state: Literal["", "open", "overdue", "escalate", "answered_in_time", "answered_late"] = ""
    office: int | None = Field(None, ge=1, le=2**62)
    overdue: bool = False
    q: str = Field("", max_length=50)


class VetRequestIn(Schema):
    retiree_id: int = Field(ge=1, le=2**62)
    pairing_id: int | None = Field(None, ge=1, le=2**62)
    kind: Literal["voice", "wish", "need"]
    source: Literal["cadre", "family", "self"] = "cadre"
    family_name: str = Field("", max_length=50)
    content: str = Field(max_length=2000)
    office_id: int = Field(ge=1, le=2**62)
    raised_on: dt.date | None = None


class VetAnswerIn(Schema):
    answer: str = Field(max_length=2000)
    answered_on: dt.date | None = None


class VetFeedbackIn(Schema):
    satisfaction: Literal["satisfied", "fairly", "dissatisfied"]
    fed_back_on: dt.date | None = None


def _pairing(p) -> dict:
    def owed(o):
        return {"kind": o.kind, "due_on": o.due_on, "state": o.state, "last_on": o.last_on}

    return {
        "id": p.pk,
        "retiree_id": p.retiree_id,
        "retiree_name": p.retiree.name,
        "cadre_id": p.cadre_id,
        "cadre_name": p.cadre.name,
        "started_on": p.started_on,
        "ended_on": p.ended_on,
        "call": owed(p.call),
        "visit": owed(p.visit),
    }


class _PairingPagination(BoundedLimitOffsetPagination):
    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        sel.pairing_dues(items, timezone.localdate())
        page[self.items_attribute] = [_pairing(p) for p in items]
        return page


class _RequestPagination(BoundedLimitOffsetPagination):
    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = sel.with_states(
            list(page[self.items_attribute]), timezone.localdate()
        )
        return page


@router.get("/retirees", response={200: list[VetRetireeOut], **ERRORS}, summary="离退休干部列表")
@paginate(BoundedLimitOffsetPagination)
def list_retirees(request, filters: Query[VetRetireeFilter]):
    _manager(request)
    return sel.retiree_list(request.user, q=filters.q, branch=filters.branch, status=filters.status)


@router.get(
    "/retirees/{retiree_id}", response={200: VetRetireeOut, **ERRORS}, summary="离退休干部详情"
)
def get_retiree(request, retiree_id: int):
    return sel.access_retiree(request.user, retiree_id)


@router.get(
    "/pairings",
    response={200: list[VetPairingOut], **ERRORS},
    summary="结对联系（含下次应联系日期和状态）",
)
@paginate(_PairingPagination)
def list_pairings(request, filters: Query[VetPairingFilter]):
    if filters.mine:
        if not getattr(request.user, "member_id", None):
            raise deny()
        return sel.my_pairing_qs(request.user)
    _manager(request)
    return sel.pairing_list(request.user, q=filters.q)


@router.get("/contacts", response={200: list[VetContactOut], **ERRORS}, summary="联系记录")
@paginate(BoundedLimitOffsetPagination)
def list_contacts(request, filters: Query[VetContactFilter]):
    if filters.pairing:
        pairing = sel.access_pairing(request.user, filters.pairing)
        return sel.contact_list(request.user, pairing=pairing)
    _manager(request)
    return sel.contact_list(request.user)


@router.post(
    "/contacts",
    response={201: VetContactOut, **ERRORS},
    summary="记录电话联系或上门走访",
    description="联系日期不能晚于今天，不能早于结对日期；仅结对干部本人或管理员可记录。",
)
def create_contact(request, payload: VetContactIn):
    pairing = sel.access_pairing(request.user, payload.pairing_id)
    data = payload.dict()
    data.pop("pairing_id")
    return Status(201, sp.contact_record(actor=request.user, pairing=pairing, **data))


@router.get("/requests", response={200: list[VetRequestOut], **ERRORS}, summary="诉求列表")
@paginate(_RequestPagination)
def list_requests(request, filters: Query[VetRequestFilter]):
    _manager(request)
    return sel.request_list(
        request.user,
        state=filters.state,
        office=filters.office,
        overdue=filters.overdue,
        q=filters.q,
    )


@router.get("/requests/{request_id}", response={200: VetRequestOut, **ERRORS}, summary="诉求详情")
def get_request(request, request_id: int):
    req = sel.access_request(request.user, request_id)
    return sel.with_states([req], timezone.localdate())[0]


@router.post(
    "/requests",
    response={201: VetRequestOut, **ERRORS},
    summary="登记诉求",
    description=(
        "结对干部（带 pairing_id）或管理员登记；家属反映须填写家属姓名；答复期限按规定天数计算。"
    ),
)
def create_request(request, payload: VetRequestIn):
    retiree = None
    pairing = None
    if payload.pairing_id:
        pairing = sel.access_pairing(request.user, payload.pairing_id)
        retiree = pairing.retiree
        if retiree.pk != payload.retiree_id:
            raise deny()
    else:
        retiree = sel.access_retiree(request.user, payload.retiree_id)
    offices = {o.pk: o for o in sel.offices_for_retiree(retiree)}
    req = sr.request_record(
        actor=request.user,
        retiree=retiree,
        pairing=pairing,
        kind=payload.kind,
        source=payload.source,
        family_name=payload.family_name,
        content=payload.content,
        office=offices.get(payload.office_id),
        raised_on=payload.raised_on,
    )
    return Status(201, sel.with_states([req], timezone.localdate())[0])


@router.post(
    "/requests/{request_id}/answer",
    response={200: VetRequestOut, **ERRORS},
    summary="答复诉求（责任处室）",
    description="已办结的诉求不能再答复（400）。",
)
def answer_request(request, request_id: int, payload: VetAnswerIn):
    req = sel.access_request(request.user, request_id)
    req = sr.request_answer(
        actor=request.user, request=req, answer=payload.answer, answered_on=payload.answered_on
    )
    return sel.with_states([req], timezone.localdate())[0]


@router.post(
    "/requests/{request_id}/feedback",
    response={200: VetRequestOut, **ERRORS},
    summary="反馈本人并记录满意度",
)
def feedback_request(request, request_id: int, payload: VetFeedbackIn):
    req = sel.access_request(request.user, request_id)
    req = sr.request_feedback(
        actor=request.user,
        request=req,
        satisfaction=payload.satisfaction,
        fed_back_on=payload.fed_back_on,
    )
    return sel.with_states([req], timezone.localdate())[0]
