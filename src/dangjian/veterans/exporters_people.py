"""Exports of the retired cadres' services (xlsx/csv, registered with the core exporter
registry, audited like every export), from the scoped selectors with the exporting user
(veterans.manage):

- `veterans.retirees` 离退休干部名册 — masked phone and address only (never the sealed
  values), whether a health note is registered (never its content), live pairings;
- `veterans.requests` 老干部诉求办理台账 — one row per request with its state from the rule
  (按期答复 / 逾期答复 / 已逾期 / 逾期升级督办 / 办理中) and the satisfaction.

Parameters: the list's filters (`q`, `branch`, `status` for retirees; `state`, `office`,
`overdue`, `q` for requests), cleaned like the list cleans them."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.rules import veterans as rules
from dangjian.veterans import selectors_people as sel

RETIREE_STATUSES = ("retired", "lixiu", "living_alone", "deceased")


class _VeteransExporter(Exporter):
    required_cap = Cap.VETERANS_MANAGE
    formats = ("xlsx", "csv")


@register
class RetireeExporter(_VeteransExporter):
    identifier = "veterans.retirees"
    verbose_name = "离退休干部名册"
    description = "离退休干部基本情况（电话、住址为脱敏显示）"

    def clean(self, params: dict) -> dict:
        self.q = sel.clean_text(params.get("q"))
        branch = sel.parse_id(params.get("branch"))
        ids = {b.pk for b in sel.retiree_branches(self.user)}
        self.branch = branch if branch in ids else None
        status = params.get("status")
        self.status = status if status in RETIREE_STATUSES else ""
        return {"q": self.q, "branch": self.branch or "", "status": self.status}

    def queryset(self):
        return sel.retiree_list(self.user, q=self.q, branch=self.branch, status=self.status)

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("name", "姓名"),
            Column("gender", "性别"),
            Column("birth_date", "出生日期", kind="date"),
            Column("status", "离退休类别"),
            Column("org", "所在组织", width=28),
            Column("former_unit", "原工作单位", width=20),
            Column("former_post", "原职务"),
            Column("retired_on", "离退休时间", kind="date"),
            Column("phone", "联系电话（脱敏）", kind="code"),
            Column("address", "住址（脱敏）"),
            Column("health", "已登记健康状况"),
            Column("alone", "独居"),
            Column("member", "党员"),
            Column("pairings", "结对干部数", kind="number"),
            Column("died_on", "去世日期", kind="date"),
        ]

    def rows(self):
        today = timezone.localdate()
        retirees = list(self.queryset())
        sel.retiree_extras(retirees, today)
        for seq, r in enumerate(retirees, 1):
            yield [
                seq,
                r.name,
                r.get_gender_display() if r.gender else "",
                r.birth_date,
                r.get_status_display(),
                r.org.name,
                r.former_unit,
                r.former_post,
                r.retired_on,
                r.phone_masked,
                r.address_masked,
                r.has_health_note,
                r.living_alone,
                r.member_id is not None,
                r.live_pairings,
                r.died_on,
            ]


@register
class RequestExporter(_VeteransExporter):
    identifier = "veterans.requests"
    verbose_name = "老干部诉求办理台账"
    description = "离退休干部的呼声、意愿、需求：责任处室、答复期限、办理状态、满意度"

    def clean(self, params: dict) -> dict:
        offices = {o.pk for o in sel.office_list(self.user)}
        state = params.get("state")
        self.state = state if state in rules.REQUEST_STATE_LABELS else ""
        office = sel.parse_id(params.get("office"))
        self.office = office if office in offices else None
        self.overdue = params.get("overdue") in ("1", True)
        self.q = sel.clean_text(params.get("q"))
        return {
            "state": self.state,
            "office": self.office or "",
            "overdue": "1" if self.overdue else "",
            "q": self.q,
        }

    def queryset(self):
        return sel.request_list(
            self.user,
            state=self.state,
            office=self.office,
            overdue=self.overdue,
            q=self.q,
            today=timezone.localdate(),
        )

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("retiree", "离退休干部"),
            Column("kind", "类别"),
            Column("source", "来源"),
            Column("family", "反映人（家属）"),
            Column("content", "内容", width=40),
            Column("raised_on", "提出日期", kind="date"),
            Column("office", "责任处室"),
            Column("due_on", "答复期限", kind="date"),
            Column("status", "状态"),
            Column("state", "办理情况"),
            Column("answer", "答复内容", width=40),
            Column("answered_on", "答复日期", kind="date"),
            Column("fed_back_on", "反馈日期", kind="date"),
            Column("satisfaction", "满意度"),
            Column("closed_on", "办结日期", kind="date"),
            Column("escalated", "升级督办"),
        ]

    def rows(self):
        today = timezone.localdate()
        rows = sel.with_states(list(self.queryset()), today)
        for seq, r in enumerate(rows, 1):
            yield [
                seq,
                r.retiree.name,
                r.get_kind_display(),
                r.get_source_display(),
                r.family_name,
                r.content,
                r.raised_on,
                r.office.name,
                r.due_on,
                r.get_status_display(),
                r.state_label,
                r.answer,
                r.answered_on,
                r.fed_back_on,
                r.get_satisfaction_display() if r.satisfaction else "",
                r.closed_on,
                r.escalated_at is not None,
            ]
