"""Write paths of scoring schemes (考核方案): create (blank or from a shipped template), copy
forward to a new year, edit the indicator tree, publish to the assessed orgs, close.

Access: ASSESS_MANAGE on the scheme's owner (`scheme.owner_path`). Every write is atomic and
audited (`assessment.scheme.*`, `assessment.indicator.*`). A published scheme keeps its points
and methods: only the wording of indicators (title, guidance, evidence asked, code, rule IDs)
and the scheme's notes and deadlines may still change. See docs/assessment-schemes.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, ProtectedError, RestrictedError

from dangjian.assessment import scheme_templates
from dangjian.assessment.models import (
    Assessment,
    Indicator,
    IndicatorScore,
    Method,
    Scheme,
    SchemeStatus,
    SchemeTarget,
)
from dangjian.assessment.sources import SOURCES
from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org
from dangjian.rules.base import add_years

MAX_POINTS = Decimal("1000")
CENT = Decimal("0.01")
#: fields of an indicator that may still change once its scheme is published
WORDING = ("title", "code", "guidance", "evidence", "rule_ids")
EDITABLE = (
    *WORDING,
    "max_points",
    "method",
    "deduction_per",
    "auto_source",
    "is_bonus",
)
TEXT_LIMITS = {
    "title": ("名称", 200),
    "code": ("编号", 20),
    "rule_ids": ("依据", 120),
    "guidance": ("评分细则", 5000),
    "evidence": ("佐证材料要求", 2000),
    "name": ("方案名称", 100),
    "notes": ("说明", 5000),
}
UNSET = object()
SCHEME_IN_USE = "该方案已被观摩会或赛事使用，不能删除。"
INDICATOR_IN_USE = "该评分项已被使用，不能删除。"


def _require(actor, path: str) -> None:
    if actor is not None and not can(actor, Cap.ASSESS_MANAGE, path):
        raise deny()


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked(scheme: Scheme) -> Scheme:
    return Scheme.all_objects.select_for_update().get(pk=scheme.pk)


def _text(value, field: str, *, required: bool = False) -> str:
    label, limit = TEXT_LIMITS[field]
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise AppError(f"{label}过长（最多{limit}字）。", field=field)
    return value


def parse_points(value, field: str, label: str) -> Decimal | None:
    """A points value from a form or the API: None for empty, AppError for non-numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise AppError(f"{label}须为数字。", field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AppError(f"{label}须为数字。", field=field) from None
    if not number.is_finite():
        raise AppError(f"{label}须为数字。", field=field)
    if abs(number) >= MAX_POINTS * 10:
        raise AppError(f"{label}过大。", field=field)
    if number != number.quantize(CENT):
        raise AppError(f"{label}最多保留两位小数。", field=field)
    return number.quantize(CENT)


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise AppError("请填写正确的年度。", field="year") from None
    if not 2000 <= year <= 2100:
        raise AppError("年度应在2000至2100之间。", field="year")
    return year


def _dates(self_due, review_due) -> None:
    for value, field in ((self_due, "self_due"), (review_due, "review_due")):
        if value is not None and not isinstance(value, dt.date):
            raise AppError("日期格式应为 YYYY-MM-DD。", field=field)
    if self_due and review_due and review_due < self_due:
        raise AppError("复核截止不能早于自评截止。", field="review_due")


def _unique_name(owner: Org, year: int, name: str, exclude: int | None = None) -> None:
    qs = Scheme.objects.unscoped().filter(owner=owner, year=year, name=name)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise AppError(f"{owner.name}{year}年已有名为“{name}”的方案。", field="name")


def _check_owner(owner: Org) -> None:
    if owner is None or not owner.is_active:
        raise AppError("请选择组织单位（未撤销的党组织）。", field="owner")


def _new_scheme(
    *,
    actor,
    owner: Org,
    year,
    name,
    target,
    notes="",
    self_due=None,
    review_due=None,
    template_code="",
    copied_from=None,
) -> Scheme:
    _require(actor, owner.path if owner is not None else "")
    _check_owner(owner)
    year = _year(year)
    name = _text(name, "name", required=True)
    notes = _text(notes, "notes")
    if target not in SchemeTarget.values:
        raise AppError("请选择考核对象。", field="target")
    _dates(self_due, review_due)
    _unique_name(owner, year, name)
    return Scheme.objects.create(
        owner=owner,
        owner_path=owner.path,
        year=year,
        name=name,
        target=target,
        notes=notes,
        self_due=self_due,
        review_due=review_due,
        template_code=template_code,
        copied_from=copied_from,
        created_by=_actor(actor),
    )


def _audit_scheme(actor, action: str, scheme: Scheme, **changes) -> None:
    audit(actor, f"assessment.scheme.{action}", scheme, org_path=scheme.owner_path, changes=changes)


@transaction.atomic
def scheme_create(
    *,
    actor,
    owner: Org,
    year: int,
    name: str,
    target: str = SchemeTarget.UNIT,
    notes: str = "",
    self_due: dt.date | None = None,
    review_due: dt.date | None = None,
) -> Scheme:
    """A blank draft scheme of `owner` for `year`."""
    scheme = _new_scheme(
        actor=actor,
        owner=owner,
        year=year,
        name=name,
        target=target,
        notes=notes,
        self_due=self_due,
        review_due=review_due,
    )
    _audit_scheme(
        actor, "created", scheme, owner=owner.pk, year=scheme.year, name=scheme.name, target=target
    )
    return scheme


def _add_nodes(scheme: Scheme, nodes: list[dict], parent: Indicator | None, prefix: str) -> int:
    count = 0
    for n, node in enumerate(nodes, 1):
        code = f"{prefix}{n}"
        children = node.get("children")
        is_category = children is not None
        values = _clean(
            {
                "title": node["title"],
                "code": node.get("code", code),
                "max_points": node["max_points"],
                "method": "" if is_category else node.get("method", Method.MANUAL),
                "deduction_per": node.get("deduction_per"),
                "auto_source": node.get("auto_source", ""),
                "guidance": node.get("guidance", ""),
                "evidence": node.get("evidence", ""),
                "rule_ids": node.get("rule_ids", ""),
                "is_bonus": bool(node.get("is_bonus")) or bool(parent and parent.is_bonus),
            },
            is_category=is_category,
        )
        indicator = Indicator.objects.create(
            scheme=scheme, parent=parent, is_category=is_category, order=n, **values
        )
        count += 1
        if is_category:
            _check_children_sum(indicator, [Decimal(c["max_points"]) for c in children])
            count += _add_nodes(scheme, children, indicator, f"{code}.")
    return count


@transaction.atomic
def scheme_from_template(
    *,
    actor,
    owner: Org,
    year: int,
    template_code: str,
    name: str = "",
    target: str = "",
    notes: str = "",
    self_due: dt.date | None = None,
    review_due: dt.date | None = None,
) -> Scheme:
    """A draft scheme built from a shipped template (scheme_templates.py); editable after."""
    data = scheme_templates.template(template_code)
    if data is None:
        raise AppError("请选择方案模板。", field="template_code")
    scheme = _new_scheme(
        actor=actor,
        owner=owner,
        year=year,
        name=name or data["name"],
        target=target or data["target"],
        notes=notes or data["notes"],
        self_due=self_due,
        review_due=review_due,
        template_code=template_code,
    )
    count = _add_nodes(scheme, data["tree"], None, "")
    _audit_scheme(
        actor,
        "created",
        scheme,
        owner=owner.pk,
        year=scheme.year,
        name=scheme.name,
        target=scheme.target,
        template=template_code,
        indicators=count,
    )
    return scheme


def _tree_rows(scheme: Scheme) -> list[Indicator]:
    """The scheme's nodes, parents before children."""
    rows = list(Indicator.objects.filter(scheme=scheme).order_by("order", "id"))
    by_parent: dict[int | None, list[Indicator]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    out: list[Indicator] = []

    def walk(parent_id):
        for row in by_parent.get(parent_id, []):
            out.append(row)
            walk(row.pk)

    walk(None)
    return out


@transaction.atomic
def scheme_copy_forward(*, actor, scheme: Scheme, year: int, name: str = "") -> Scheme:
    """A draft copy of `scheme` for another year (usually the next): same tree, notes and
    target, deadlines moved by the years between, `copied_from` set."""
    _require(actor, scheme.owner_path)
    year = _year(year)
    if year == scheme.year:
        raise AppError("请选择与原方案不同的年度。", field="year")
    shift = year - scheme.year
    copy = _new_scheme(
        actor=actor,
        owner=scheme.owner,
        year=year,
        name=name or scheme.name,
        target=scheme.target,
        notes=scheme.notes,
        self_due=add_years(scheme.self_due, shift) if scheme.self_due else None,
        review_due=add_years(scheme.review_due, shift) if scheme.review_due else None,
        template_code=scheme.template_code,
        copied_from=scheme,
    )
    new_ids: dict[int, Indicator] = {}
    fields = ("is_category", "order", *EDITABLE)
    for row in _tree_rows(scheme):
        new_ids[row.pk] = Indicator.objects.create(
            scheme=copy,
            parent=new_ids[row.parent_id] if row.parent_id else None,
            **{f: getattr(row, f) for f in fields},
        )
    _audit_scheme(
        actor,
        "copied",
        copy,
        copied_from=scheme.pk,
        year=[scheme.year, year],
        indicators=len(new_ids),
    )
    return copy


@transaction.atomic
def scheme_update(
    *,
    actor,
    scheme: Scheme,
    name=UNSET,
    notes=UNSET,
    target=UNSET,
    self_due=UNSET,
    review_due=UNSET,
) -> Scheme:
    """Name, notes and deadlines (also once published); the target only while a draft."""
    _require(actor, scheme.owner_path)
    scheme = _locked(scheme)
    if scheme.status == SchemeStatus.CLOSED:
        raise AppError("方案已结束，不能修改。")
    before = snapshot(scheme, ["name", "notes", "target", "self_due", "review_due"])
    if name is not UNSET:
        scheme.name = _text(name, "name", required=True)
        _unique_name(scheme.owner, scheme.year, scheme.name, exclude=scheme.pk)
    if notes is not UNSET:
        scheme.notes = _text(notes, "notes")
    if target is not UNSET and target != scheme.target:
        if scheme.status != SchemeStatus.DRAFT:
            raise AppError("方案已发布，不能更改考核对象。", field="target")
        if target not in SchemeTarget.values:
            raise AppError("请选择考核对象。", field="target")
        scheme.target = target
    if self_due is not UNSET:
        scheme.self_due = self_due
    if review_due is not UNSET:
        scheme.review_due = review_due
    _dates(scheme.self_due, scheme.review_due)
    scheme.save(update_fields=["name", "notes", "target", "self_due", "review_due"])
    changes = diff(before, snapshot(scheme, list(before)))
    if changes:
        _audit_scheme(actor, "updated", scheme, **changes)
    return scheme


@transaction.atomic
def scheme_remove(*, actor, scheme: Scheme) -> None:
    """Delete a draft scheme (nothing was published from it)."""
    _require(actor, scheme.owner_path)
    scheme = _locked(scheme)
    if scheme.status != SchemeStatus.DRAFT:
        raise AppError("方案已发布，不能删除；可结束该方案。")
    if Assessment.objects.unscoped().filter(scheme=scheme).exists():
        raise AppError("方案已有考核记录，不能删除。")
    _audit_scheme(actor, "removed", scheme, name=scheme.name, year=scheme.year)
    try:
        scheme.delete()
    except (ProtectedError, RestrictedError):
        # a 观摩会 scoring on it (as its 现场评分表) or a 赛事 counting it; the audit entry above
        # goes with the rolled-back transaction
        raise AppError(SCHEME_IN_USE) from None


# ---------------------------------------------------------------------------------------------
# Indicators


def _clean(values: dict, *, is_category: bool) -> dict:
    """Check one node's values; AppError at the field. Returns the cleaned values."""
    out = {
        "title": _text(values.get("title"), "title", required=True),
        "code": _text(values.get("code"), "code"),
        "guidance": _text(values.get("guidance"), "guidance"),
        "evidence": _text(values.get("evidence"), "evidence"),
        "rule_ids": _text(values.get("rule_ids"), "rule_ids"),
        "is_bonus": bool(values.get("is_bonus")),
    }
    max_points = parse_points(values.get("max_points"), "max_points", "分值")
    if max_points is None or max_points <= 0:
        raise AppError("分值须大于0。", field="max_points")
    if max_points > MAX_POINTS:
        raise AppError(f"分值不能超过{MAX_POINTS}分。", field="max_points")
    out["max_points"] = max_points
    if is_category:
        out.update(method="", deduction_per=None, auto_source="")
        return out
    method = values.get("method") or ""
    if method not in Method.values:
        raise AppError("请选择计分方式。", field="method")
    out["method"] = method
    per = parse_points(values.get("deduction_per"), "deduction_per", "每次扣分")
    source = (values.get("auto_source") or "").strip()
    if method == Method.DEDUCTION and (per is None or per <= 0):
        raise AppError("按次扣分的指标须填写每次扣分，且大于0。", field="deduction_per")
    if per is not None and per <= 0:
        raise AppError("每次扣分须大于0。", field="deduction_per")
    if per is not None and per > max_points:
        raise AppError("每次扣分不能超过该项分值。", field="deduction_per")
    if method == Method.AUTO:
        if source not in SOURCES:
            raise AppError("系统自动计分的指标须选择系统中已有的数据来源。", field="auto_source")
    else:
        source = ""
    if method == Method.MANUAL:
        per = None
    out.update(deduction_per=per, auto_source=source)
    return out


def _check_children_sum(category: Indicator, maxima: list[Decimal]) -> None:
    total = sum(maxima, Decimal("0"))
    if total > category.max_points:
        raise AppError(
            f"下级指标分值合计{total}分，超过类别“{category.title}”的{category.max_points}分。",
            field="max_points",
        )


def _sibling_maxima(scheme: Scheme, parent: Indicator | None, exclude: int | None = None):
    qs = Indicator.objects.filter(scheme=scheme, parent=parent)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.values_list("max_points", flat=True))


def _draft_only(scheme: Scheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise AppError("方案已发布，不能增删指标或修改分值、计分方式；只能修改文字说明。")


def _audit_indicator(actor, action: str, scheme: Scheme, indicator: Indicator, **changes):
    audit(
        actor,
        f"assessment.indicator.{action}",
        indicator,
        org_path=scheme.owner_path,
        changes={"scheme": scheme.pk, **changes},
    )


@transaction.atomic
def indicator_add(
    *,
    actor,
    scheme: Scheme,
    title: str,
    max_points,
    parent: Indicator | None = None,
    is_category: bool = False,
    method: str = "",
    deduction_per=None,
    auto_source: str = "",
    guidance: str = "",
    evidence: str = "",
    rule_ids: str = "",
    is_bonus: bool = False,
    code: str = "",
) -> Indicator:
    """Add a category or a scored indicator to a draft scheme, at the end of its level."""
    _require(actor, scheme.owner_path)
    scheme = _locked(scheme)
    _draft_only(scheme)
    if parent is not None and (parent.scheme_id != scheme.pk or not parent.is_category):
        raise AppError("只能在本方案的类别下添加指标。", field="parent")
    values = _clean(
        {
            "title": title,
            "code": code,
            "max_points": max_points,
            "method": method,
            "deduction_per": deduction_per,
            "auto_source": auto_source,
            "guidance": guidance,
            "evidence": evidence,
            "rule_ids": rule_ids,
            "is_bonus": parent.is_bonus if parent is not None else is_bonus,
        },
        is_category=is_category,
    )
    if parent is not None:
        _check_children_sum(parent, [*_sibling_maxima(scheme, parent), values["max_points"]])
    siblings = Indicator.objects.filter(scheme=scheme, parent=parent)
    order = (siblings.aggregate(m=Max("order"))["m"] or 0) + 1
    if not values["code"]:
        values["code"] = (
            f"{parent.code}.{order}" if parent is not None and parent.code else str(order)
        )
    indicator = Indicator.objects.create(
        scheme=scheme, parent=parent, is_category=is_category, order=order, **values
    )
    _audit_indicator(
        actor,
        "added",
        scheme,
        indicator,
        parent=parent.pk if parent else None,
        is_category=is_category,
        **{
            k: v for k, v in values.items() if k in ("title", "max_points", "method", "auto_source")
        },
    )
    return indicator


def _same(name: str, value, current) -> bool:
    if name in ("max_points", "deduction_per"):
        return parse_points(value, name, "分值") == current
    if name == "is_bonus":
        return bool(value) == bool(current)
    return (value or "") == (current or "")


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **changes) -> Indicator:
    """Change an indicator. Once the scheme is published only the wording (title, code,
    guidance, evidence asked, rule IDs) may change."""
    scheme = indicator.scheme
    _require(actor, scheme.owner_path)
    scheme = _locked(scheme)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    fields = list(EDITABLE)
    before = snapshot(indicator, fields)
    if scheme.status != SchemeStatus.DRAFT:
        for name, value in changes.items():
            if name not in WORDING and not _same(name, value, getattr(indicator, name)):
                raise AppError(
                    "方案已发布，只能修改指标的文字说明，不能修改分值和计分方式。", field=name
                )
    merged = {f: getattr(indicator, f) for f in fields}
    merged.update(changes)
    if indicator.parent_id:
        merged["is_bonus"] = indicator.parent.is_bonus
    values = _clean(merged, is_category=indicator.is_category)
    if indicator.parent_id:
        _check_children_sum(
            indicator.parent,
            [
                *_sibling_maxima(scheme, indicator.parent, exclude=indicator.pk),
                values["max_points"],
            ],
        )
    if indicator.is_category:
        children = _sibling_maxima(scheme, indicator)
        if sum(children, Decimal("0")) > values["max_points"]:
            raise AppError(
                f"类别分值不能低于其下级指标分值合计{sum(children, Decimal('0'))}分。",
                field="max_points",
            )
        if values["is_bonus"] != indicator.is_bonus:
            Indicator.objects.filter(scheme=scheme, parent=indicator).update(
                is_bonus=values["is_bonus"]
            )
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.save(update_fields=fields)
    changed = diff(before, snapshot(indicator, fields))
    if changed:
        _audit_indicator(actor, "updated", scheme, indicator, **changed)
    return indicator


@transaction.atomic
def indicator_remove(*, actor, indicator: Indicator) -> None:
    """Remove an indicator (a category with everything under it) from a draft scheme."""
    scheme = indicator.scheme
    _require(actor, scheme.owner_path)
    scheme = _locked(scheme)
    _draft_only(scheme)
    _audit_indicator(
        actor,
        "removed",
        scheme,
        indicator,
        title=indicator.title,
        children=Indicator.objects.filter(parent=indicator).count(),
    )
    try:
        indicator.delete()
    except (ProtectedError, RestrictedError):
        # a judge's 评分项得分 (ScoreItem) holds it; the audit entry above is rolled back
        raise AppError(INDICATOR_IN_USE) from None


# ---------------------------------------------------------------------------------------------
# Publish and close


@transaction.atomic
def scheme_publish(*, actor, scheme: Scheme, orgs: list[Org] | None = None) -> int:
    """Publish a draft: one Assessment per target org, each with a blank score per scored
    indicator. Targets: `orgs` (each strictly below the owner), or by default the orgs of the
    scheme's target kind in the owner's subtree. A 现场评分表 (target "stop") creates none.
    Returns the number of assessments created."""
    from dangjian.assessment.selectors_schemes import target_orgs

    _require(actor, scheme.owner_path)
    given = scheme
    scheme = _locked(scheme)
    if scheme.status != SchemeStatus.DRAFT:
        raise AppError("方案已发布。")
    nodes = list(Indicator.objects.filter(scheme=scheme))
    scored = [n for n in nodes if not n.is_category]
    if not scored:
        raise AppError("方案还没有评分指标，不能发布。")
    with_children = {n.parent_id for n in nodes if n.parent_id}
    empty = [n.title for n in nodes if n.is_category and n.pk not in with_children]
    if empty:
        raise AppError(f"类别“{empty[0]}”下还没有指标，请添加或删除该类别后再发布。")
    targets: list[Org] = []
    if scheme.target != SchemeTarget.STOP:
        if orgs is None:
            targets = target_orgs(scheme)
        else:
            seen = set()
            for org in orgs:
                if (
                    org is None
                    or not org.is_active
                    or org.path == scheme.owner_path
                    or not org.path.startswith(scheme.owner_path)
                ):
                    raise AppError("考核对象须为本组织下级未撤销的党组织。", field="orgs")
                if org.pk not in seen:
                    seen.add(org.pk)
                    targets.append(org)
        if not targets:
            raise AppError("没有可考核的组织，请选择考核对象。", field="orgs")
    assessments = Assessment.objects.bulk_create(
        [Assessment(scheme=scheme, org=o, org_path=o.path) for o in targets], batch_size=500
    )
    if targets and any(a.pk is None for a in assessments):  # a backend without RETURNING
        assessments = list(Assessment.objects.unscoped().filter(scheme=scheme))
    IndicatorScore.objects.bulk_create(
        [IndicatorScore(assessment=a, indicator=n) for a in assessments for n in scored],
        batch_size=2000,
    )
    scheme.status = SchemeStatus.PUBLISHED
    scheme.save(update_fields=["status"])
    given.status = scheme.status  # the caller's copy reads as published too
    _audit_scheme(
        actor,
        "published",
        scheme,
        status=[SchemeStatus.DRAFT, SchemeStatus.PUBLISHED],
        assessments=len(targets),
        orgs=[o.pk for o in targets[:200]],
    )
    return len(targets)


@transaction.atomic
def scheme_close(*, actor, scheme: Scheme) -> Scheme:
    """End a published scheme: self-assessment and review stop."""
    _require(actor, scheme.owner_path)
    scheme = _locked(scheme)
    if scheme.status != SchemeStatus.PUBLISHED:
        raise AppError("只有已发布的方案可以结束。")
    scheme.status = SchemeStatus.CLOSED
    scheme.save(update_fields=["status"])
    _audit_scheme(actor, "closed", scheme, status=[SchemeStatus.PUBLISHED, SchemeStatus.CLOSED])
    return scheme
