"""Write paths of the bases and the monthly charges: `base_set` (R-DUES-01..07, R-DUES-11),
`charges_generate` (every member who owes, in chunks, idempotent), `charge_run_start` (queues
a generation as a background task) and `charge_run_execute` (the task's body)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import subtree_q
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.bulk import insert_rows
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.dues.models import (
    ChargeRun,
    DuesBase,
    DuesCategory,
    DuesCharge,
    RunStatus,
)
from dangjian.dues.services_common import (
    bases_in_force,
    derive,
    is_current,
    lock_member,
    month_of,
    owing_q,
    rederive_unpaid,
    reductions_covering,
    require,
    rounding,
    text,
    user_or_none,
)
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.rules import dues as rules

log = logging.getLogger(__name__)

MANAGE = Cap.DUES_MANAGE
BASE_FIELDS = ["category", "items", "income_tax", "base", "fixed_amount", "monthly_amount", "note"]
ITEMS_MAX = 30
ITEM_NAME_MAX = 30


def _refuse(exc: rules.DuesInputError, default_field: str) -> AppError:
    return AppError(exc.message, field=exc.field or default_field)


def _clean_items(items) -> list[dict]:
    """[{"name", "amount"}] with a name and a non-negative amount each (R-DUES-01/02)."""
    if not isinstance(items, (list, tuple)):
        raise AppError("计算项目格式无效。", field="items")
    if len(items) > ITEMS_MAX:
        raise AppError(f"计算项目不能超过{ITEMS_MAX}项。", field="items")
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise AppError(f"第{i}项格式无效。", field="items")
        name = str(item.get("name") or "").strip()
        if not name:
            raise AppError(f"请填写第{i}项的工资项目名称。", field="items")
        if len(name) > ITEM_NAME_MAX:
            raise AppError(f"第{i}项名称不能超过{ITEM_NAME_MAX}字。", field="items")
        try:
            amount = rules.to_decimal(
                repr(item.get("amount"))
                if isinstance(item.get("amount"), float)
                else item.get("amount", ""),
                "items",
                f"第{i}项“{name}”的金额",
            )
        except rules.DuesInputError as exc:
            raise _refuse(exc, "items") from None
        if amount < 0:
            raise AppError(f"第{i}项“{name}”的金额不能为负数（R-DUES-02）。", field="items")
        if amount != amount.quantize(Decimal("0.01")):
            raise AppError(f"第{i}项“{name}”的金额最小单位为分。", field="items")
        out.append({"name": name, "amount": str(amount.quantize(Decimal("0.01")))})
    return out


def _base_values(category, items, income_tax, base, fixed_amount) -> dict:
    """The stored values of a base: how it was derived and the monthly amount (rules.dues)."""
    if category not in DuesCategory.values:
        raise AppError("请选择缴费类别。", field="category")
    try:
        if category in rules.FIXED_CATEGORIES:
            # R-DUES-07: a fixed amount, no base
            amount = rules.monthly_dues(
                category, None, rounding=rounding(), fixed_amount=fixed_amount or None
            )
            return {
                "items": [],
                "income_tax": Decimal("0"),
                "base": None,
                "fixed_amount": amount,
                "monthly_amount": amount,
            }
        tax = rules.to_decimal(income_tax or 0, "income_tax", "个人所得税")
        cleaned = _clean_items(items) if items else []
        if cleaned:
            derived = rules.base_from_items([i["amount"] for i in cleaned], tax)
            if base not in (None, "") and rules.to_decimal(base, "base", "缴纳基数") != derived:
                raise AppError(
                    f"按计算项目得出的基数为{derived}元，与填写的缴纳基数不符；两者只填一项即可。",
                    field="base",
                )
            base = derived
        elif base in (None, ""):
            raise AppError(
                "请填写计算项目（工资项目与个人所得税），或直接填写缴纳基数（R-DUES-01、R-DUES-02）。",
                field="base",
            )
        elif tax:
            raise AppError(
                "直接填写缴纳基数时，请填写税后金额，不再单独填写个人所得税。", field="income_tax"
            )
        base = rules.check_base(base)
        amount = rules.monthly_dues(category, base, rounding=rounding())
    except rules.DuesInputError as exc:
        raise _refuse(exc, "base") from None
    return {
        "items": cleaned,
        "income_tax": tax,
        "base": base.quantize(Decimal("0.01")),
        "fixed_amount": None,
        "monthly_amount": amount,
    }


@transaction.atomic
def base_set(
    *,
    actor,
    member: Member,
    category: str,
    effective_month,
    items=None,
    income_tax=0,
    base=None,
    fixed_amount=None,
    note: str = "",
    today: dt.date | None = None,
) -> DuesBase:
    """Set a member's 缴纳基数 from `effective_month` on (R-DUES-11). `items` are the counted
    pay items ({"name", "amount"}) and the base is their sum minus income tax (R-DUES-02); or
    `base` is given directly; the fixed categories take `fixed_amount` (R-DUES-07). Setting it
    again for the same month replaces that month's row. Charges of that month or later (until
    the next base) still wholly unpaid are recomputed; paid ones stay as they were."""
    require(actor, MANAGE, member.org_path)
    today = today or timezone.localdate()
    # first: two first-time bases of the same month at once, or a generation chunk reading
    # this member's bases, wait here instead of racing (docs/dues.md, "Concurrency")
    lock_member(member)
    if not is_current(member):
        raise AppError("该党员已不在册或已停止党籍，不能设置党费基数。", field="member")
    month = month_of(effective_month, "effective_month", "起用月份")
    if month > rules.add_month_starts(rules.month_start(today), 1):
        raise AppError(
            "起用月份最晚为下个月（R-DUES-11：从按新标准领取工资的当月起）。",
            field="effective_month",
        )
    if month < rules.first_month_owed(member.joined_on):
        raise AppError(
            f"起用月份不能早于该党员开始交纳党费的月份（{member.joined_on:%Y年%m月}，R-DUES-09）。",
            field="effective_month",
        )
    note = text(note, "note", "说明", 200)
    values = _base_values(category, items, income_tax, base, fixed_amount)
    values.update(category=category, note=note)
    existing = (
        DuesBase.all_objects.select_for_update()
        .filter(member=member, effective_month=month)
        .first()
    )
    if existing is not None:
        before = snapshot(existing, BASE_FIELDS)
        for key, value in values.items():
            setattr(existing, key, value)
        existing.created_by = user_or_none(actor)
        existing.created_at = timezone.now()  # registered anew
        existing.save(update_fields=[*BASE_FIELDS, "created_by", "created_at"])
        row = existing
        changes = diff(before, snapshot(row, BASE_FIELDS))
        audit(
            actor,
            "dues.base.replaced",
            row,
            org_path=member.org_path,
            changes={"effective_month": month, **changes},
        )
    else:
        try:
            with transaction.atomic():  # a savepoint: the constraint's refusal stays local
                row = DuesBase.all_objects.create(
                    member=member,
                    org_path=member.org_path,
                    effective_month=month,
                    created_by=user_or_none(actor),
                    **values,
                )
        except IntegrityError:
            raise AppError(
                f"该党员{month:%Y年%m月}起的缴纳基数刚被他人登记，请刷新后核对。",
                field="effective_month",
            ) from None
        audit(
            actor,
            "dues.base.set",
            row,
            org_path=member.org_path,
            changes={"effective_month": month, **snapshot(row, BASE_FIELDS)},
        )
    # R-DUES-11: from this month until the next base takes over
    later = (
        DuesBase.all_objects.filter(member=member, effective_month__gt=month)
        .order_by("effective_month")
        .values_list("effective_month", flat=True)
        .first()
    )
    charged = DuesCharge.all_objects.filter(member=member, month__gte=month)
    if later is not None:
        charged = charged.filter(month__lt=later)
    months = list(charged.values_list("month", flat=True))
    rederive_unpaid(actor=actor, member=member, months=months, reason="base")
    return row


# ---------------------------------------------------------------------------------------------
# Monthly charges


def _owing_members(org: Org, month: dt.date):
    return Member.all_objects.filter(subtree_q("org_path", org.path)).filter(owing_q(month))


def progress(run: ChargeRun, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()
    for key, value in fields.items():
        setattr(run, key, value)
    ChargeRun.all_objects.filter(pk=run.pk).update(**fields)


def charges_generate(
    *, actor, org: Org, month, run: ChargeRun | None = None, chunk: int = 2000
) -> ChargeRun:
    """应缴生成: a charge for `month` for every member of `org`'s subtree who owes dues then
    and has none yet. Members are taken in chunks by id; per chunk one query for the bases in
    force, one for the approved reductions, one INSERT (a conflict on the one-per-month
    constraint is skipped, so a rerun or a race adds nothing twice) and one progress update.
    Members without a base get no charge and are counted (`no_base_count`)."""
    require(actor, MANAGE, org.path)
    month = month_of(month)
    chunk = max(1, int(chunk))
    if run is None:
        run = ChargeRun.all_objects.create(
            org=org,
            org_path=org.path,
            month=month,
            status=RunStatus.RUNNING,
            created_by=user_or_none(actor),
            heartbeat_at=timezone.now(),
        )
    members = _owing_members(org, month)
    # the owing members' ids in one pass, then each chunk by primary key: paging the filtered
    # query itself (`pk > last … LIMIT n`) made the database re-scan the subtree for every
    # chunk, quadratic at a province's size
    member_ids = list(members.order_by("pk").values_list("pk", flat=True))
    progress(
        run,
        status=RunStatus.RUNNING,
        total=len(member_ids),
        done=0,
        created_count=0,
        skipped_count=0,
        no_base_count=0,
    )
    done = created = skipped = no_base = 0
    for start in range(0, len(member_ids), chunk):
        part = member_ids[start : start + chunk]
        rows = list(
            Member.all_objects.filter(pk__in=part)
            .filter(owing_q(month))
            .order_by("pk")
            .values_list("pk", "branch_id", "org_path")
        )
        ids = [r[0] for r in rows]
        with transaction.atomic():
            # the chunk's members locked first (PostgreSQL): a base_set or a reduction
            # decided meanwhile either commits before this chunk reads the bases, or waits
            # and then re-derives the charge this chunk inserted (docs/dues.md)
            list(
                Member.all_objects.select_for_update()
                .filter(pk__in=[r[0] for r in rows])
                .values_list("pk", flat=True)
            )
            have = set(
                DuesCharge.all_objects.filter(member_id__in=ids, month=month).values_list(
                    "member_id", flat=True
                )
            )
            todo = [r for r in rows if r[0] not in have]
            bases = bases_in_force([r[0] for r in todo], month) if todo else {}
            reductions = reductions_covering(list(bases), month) if bases else {}
            new = []
            for member_id, branch_id, path in todo:
                base_row = bases.get(member_id)
                if base_row is None:
                    no_base += 1
                    continue
                d = derive(base_row, reductions.get(member_id))
                new.append(
                    DuesCharge(
                        member_id=member_id,
                        branch_id=branch_id,
                        org_path=path,
                        month=month,
                        category=d.category,
                        base=d.base,
                        standard_amount=d.standard_amount,
                        amount=d.amount,
                        reduction_id=d.reduction_id,
                        status=d.status,
                    )
                )
            # a row a concurrent run inserted first is skipped by the constraint (counted as
            # created by both runs: the counts are progress, the constraint is the guarantee)
            # one prepared INSERT for the chunk (core.bulk): bulk_create's per-row SQL building
            # was most of the time at a city's scale
            insert_rows(DuesCharge, new, ignore_conflicts=True)
            created += len(new)
            skipped += len(have)
            done += len(part)
            progress(
                run, done=done, created_count=created, skipped_count=skipped, no_base_count=no_base
            )
    with transaction.atomic():
        progress(run, status=RunStatus.DONE, finished_at=timezone.now())
        audit(
            actor,
            "dues.charges.generated",
            run,
            org_path=org.path,
            changes={
                "org": org.pk,
                "month": month,
                "total": run.total,
                "created": created,
                "skipped": skipped,
                "no_base": no_base,
            },
        )
    return run
