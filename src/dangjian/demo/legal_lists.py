"""The 四张清单 of the demo city (issue 10): for 十堰市司法局, the lists of the seven pilot
domains (the seed says "7个领域" without naming them; the domains are our choice, see
legal_lists_data.py and docs/legal-lenient-lists.md), each domain with the four kinds (免于处罚
/ 减轻处罚 / 从轻处罚 / 免于行政强制) and a few items citing their legal bases; all published,
so the public page (/public/lenient-lists/) has something to find.

Written through `dangjian.legal.services_lists` with `actor=None` (the system); deterministic
(one seeded `random.Random`). Skipped (zero counts) when the city has no 十堰市司法局."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from dangjian.demo import legal_lists_data as data
from dangjian.legal import services_lists as services
from dangjian.legal.models import LenientKind, LenientList
from dangjian.orgs.models import Org

SEED = 20221231  # the end of the year the pilot was summed up
UNIT = "十堰市司法局"


@dataclass
class ListsResult:
    lists: int = 0
    items: int = 0


def _top(unit_name: str) -> Org | None:
    """The unit's top Party body (its 党组), found the way the other demo builders do."""
    root = Org.all_objects.filter(parent__isnull=True).first()
    if root is None:
        return None
    return (
        Org.all_objects.filter(parent=root, unit__name=unit_name, dissolved_on=None)
        .order_by("path")
        .first()
    )


def build_lenient_lists(today: dt.date) -> ListsResult:
    result = ListsResult()
    top = _top(UNIT)
    if top is None:
        return result
    rng = random.Random(SEED)
    start = dt.date(*data.EFFECTIVE_FROM)
    if start > today:
        start = today
    existing = set(LenientList.all_objects.filter(org=top).values_list("domain", "kind"))
    for domain, issued_by in data.DOMAINS.items():
        conducts = data.CONDUCTS[domain]
        for kind in LenientKind.values:
            if (domain, kind) in existing:
                continue
            basis, conditions, measure = data.KINDS[kind]
            lenient_list = services.list_create(
                actor=None,
                org=top,
                domain=domain,
                kind=kind,
                issued_by=issued_by,
                effective_from=start,
            )
            count = rng.randint(*data.ITEMS_PER_LIST)
            for conduct, sector in rng.sample(conducts, count):
                services.item_create(
                    actor=None,
                    lenient_list=lenient_list,
                    conduct=conduct,
                    legal_basis=f"{basis}；{sector}",
                    conditions=rng.choice(conditions),
                    measure=measure,
                )
                result.items += 1
            services.list_publish(actor=None, lenient_list=lenient_list)
            result.lists += 1
    return result
