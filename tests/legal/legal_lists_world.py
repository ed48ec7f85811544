"""Shared data of the 四张清单 tests (no tests here): 甲局 (standing in for the 司法局) keeps a
published 市场监管 免于处罚 list with two items (one expired), an unpublished 生态环境 list, and a
published list not yet in effect; 乙局 keeps a published list of its own. Built through the
services with `actor=None`; `lenient_world(tree)` returns the objects."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

BASIS = "《中华人民共和国行政处罚法》第三十三条第一款"


@dataclass
class LenientWorld:
    today: dt.date
    market: object  # published, 甲局
    first: object  # item of market, in effect
    expired: object  # item of market, no longer in effect
    ecology: object  # unpublished, 甲局
    hidden: object  # item of ecology
    future: object  # published, not yet in effect
    other: object  # published, 乙局
    other_item: object


def lenient_world(tree) -> LenientWorld:
    from dangjian.legal import services_lists as s

    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    market = s.list_create(
        actor=None,
        org=tree.party_group_a,
        domain="市场监管",
        kind="no_penalty",
        issued_by="十堰市市场监督管理局",
        effective_from=start,
    )
    first = s.item_create(
        actor=None,
        lenient_list=market,
        conduct="未按规定公示营业执照",
        legal_basis=BASIS,
        conditions="首次违法且危害后果轻微并及时改正",
        measure="责令改正，不予行政处罚",
    )
    expired = s.item_create(
        actor=None,
        lenient_list=market,
        conduct="超范围经营食用农产品",
        legal_basis=BASIS,
        conditions="初次违法，及时改正",
        effective_to=today - dt.timedelta(days=1),
    )
    s.list_publish(actor=None, lenient_list=market)
    ecology = s.list_create(
        actor=None,
        org=tree.party_group_a,
        domain="生态环境",
        kind="reduced_penalty",
        effective_from=start,
    )
    hidden = s.item_create(
        actor=None,
        lenient_list=ecology,
        conduct="未公开环境信息（内部草稿）",
        legal_basis="《中华人民共和国行政处罚法》第三十二条",
        conditions="主动消除违法行为危害后果",
    )
    future = s.list_create(
        actor=None,
        org=tree.party_group_a,
        domain="交通运输",
        kind="lighter_penalty",
        effective_from=today + dt.timedelta(days=30),
    )
    s.item_create(
        actor=None,
        lenient_list=future,
        conduct="未随车携带道路运输证（将来施行）",
        legal_basis="《中华人民共和国道路运输条例》第六十八条",
        conditions="当场改正",
    )
    s.list_publish(actor=None, lenient_list=future)
    other = s.list_create(
        actor=None,
        org=tree.party_group_b,
        domain="城市管理",
        kind="no_coercion",
        effective_from=start,
    )
    other_item = s.item_create(
        actor=None,
        lenient_list=other,
        conduct="临时占道堆放物料",
        legal_basis="《中华人民共和国行政强制法》第十六条",
        conditions="违法行为情节显著轻微，及时清理",
    )
    s.list_publish(actor=None, lenient_list=other)
    return LenientWorld(today, market, first, expired, ecology, hidden, future, other, other_item)


def xlsx_upload(
    rows, *, header=("序号", "违法行为", "法律依据", "适用条件", "处理方式"), name="清单.xlsx"
):
    """A real workbook written with openpyxl, as an upload."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "清单"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
