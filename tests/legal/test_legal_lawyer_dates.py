"""A lawyer's practising date: lawyers have practised since the system was restored (1979), so
an old date is kept, an older or a future one is refused at the field."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.errors import AppError
from dangjian.legal import services_lawyers as sl

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 11, 1)


@pytest.fixture
def firm(tree):
    return sl.firm_create(actor=None, org=tree.party_group_a, name="汉江律师事务所")


@pytest.mark.parametrize("since", [dt.date(1979, 1, 1), dt.date(1992, 6, 1), TODAY])
def test_an_old_practising_date_is_kept(firm, since):
    lawyer = sl.lawyer_create(
        actor=None,
        firm=firm,
        name="周律师",
        licence_no="14203199210000001",
        practising_since=since,
        today=TODAY,
    )
    assert lawyer.practising_since == since


@pytest.mark.parametrize(
    ("since", "message"),
    [(dt.date(1978, 12, 31), "不能早于1979年"), (TODAY + dt.timedelta(days=1), "晚于今天")],
)
def test_a_practising_date_out_of_range_is_refused(firm, since, message):
    with pytest.raises(AppError) as refused:
        sl.lawyer_create(
            actor=None,
            firm=firm,
            name="周律师",
            licence_no="14203199210000001",
            practising_since=since,
            today=TODAY,
        )
    assert refused.value.field == "practising_since" and message in str(refused.value)
