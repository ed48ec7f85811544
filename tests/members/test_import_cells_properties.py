"""Property tests of the import's cell parsers (dangjian.members.imports.cells), its header
check and the report's shown values: for any input they answer (value, problem) and never
raise; every way a person writes a date, a month, an ID number gives the same value."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests.conftest import id_number_for

from dangjian.members.imports import cells
from dangjian.members.imports.checking import check_headers
from dangjian.members.imports.columns import COLUMNS, HEADERS, REQUIRED_COUNT, shown_value
from dangjian.rules import members as member_rules

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)

# everything python-calamine can hand over for a cell
any_cell = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
# the years a roster deals in (Excel's serial dates start in 1900)
dates = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31))


def _answer(result) -> None:
    value, problem = result
    assert problem is None or (isinstance(problem, str) and problem), result
    if problem is not None:
        assert value is None
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem)


@PROPERTY
@given(value=any_cell)
@example(value=float("nan"))
@example(value=1e308)
@example(value=-0.5)
@example(value=2_958_466)  # one day after 9999-12-31
@example(value="9999年99月99日")
def test_every_converter_answers_any_cell(value):
    for column in COLUMNS:
        _answer(column.convert(value))
    assert len(shown_value("id_number", value)) <= 50
    assert len(shown_value("address", value)) <= 50


def _written(d: dt.date) -> list[object]:
    return [
        d,
        dt.datetime.combine(d, dt.time(8, 30)),
        d.isoformat(),
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y%m%d}",
        int(f"{d:%Y%m%d}"),
        float(int(f"{d:%Y%m%d}")),
        f" {d.isoformat()} ",
        f"{d.isoformat()} 00:00:00",
        f"{d.isoformat()}".translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
    ]


@PROPERTY
@given(d=dates)
def test_a_date_written_any_accepted_way_is_that_date(d):
    for written in _written(d):
        assert cells.date(written) == (d, None), written
    serial = (d - dt.date(1899, 12, 30)).days
    if serial >= 10_000:  # smaller serials are taken for typos, not dates
        assert cells.date(serial) == (d, None)
        assert cells.date(float(serial)) == (d, None)


@PROPERTY
@given(d=dates)
def test_a_month_is_the_first_of_that_month(d):
    first = d.replace(day=1)
    for written in [f"{d.year}-{d.month:02d}", f"{d.year}{d.month:02d}", f"{d.year}年{d.month}月"]:
        assert cells.month(written) == (first, None), written
    assert cells.month(d) == (d, None)  # a full date is accepted as it is
    if d.month != 10:
        # Excel turns the text 2001.07 into the number 2001.07 (and 2001.10 into 2001.1)
        assert cells.month(float(f"{d.year}.{d.month:02d}")) == (first, None)


@PROPERTY
@given(year=st.integers(1901, 2099))
def test_an_ambiguous_excel_month_is_refused(year):
    # 2001.1: typed as 2001.1 (January) or as 2001.10 (October), Excel keeps the same number
    value, problem = cells.month(float(f"{year}.1"))
    assert value is None and "1月还是10月" in problem


@PROPERTY
@given(
    birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    seq=st.integers(0, 3999),
)
def test_an_id_number_however_typed_is_the_same_number(birth, sex, seq):
    number = id_number_for(birth, sex, seq)
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    for written in [number, number.lower(), spaced, full_width, f"\u3000{number}\t"]:
        assert cells.id_number(written) == (number, None), written
    assert member_rules.id_number_facts(number) == (birth, sex)


@PROPERTY
@given(number=st.integers(min_value=10**16, max_value=10**18 - 1))
def test_an_id_number_stored_as_a_number_is_refused(number):
    for value in (number, float(number)):
        result, problem = cells.id_number(value)
        assert result is None and "文本" in problem


@PROPERTY
@given(text=st.text(max_size=80))
def test_phone_is_text_up_to_60_characters(text):
    value, problem = cells.phone(text)
    stripped = cells.plain_text(text)
    if stripped is not None and len(stripped) > 60:
        assert value is None and "60" in problem
    else:
        assert problem is None and value == stripped


@PROPERTY
@given(header=st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers()), max_size=30))
@example(header=list(HEADERS))
@example(header=[*HEADERS[:REQUIRED_COUNT], "问题说明", "多余"])
def test_any_header_row_gets_a_width_or_a_chinese_problem(header):
    width, problem = check_headers(header)
    if problem:
        assert (width == 0 and "表头" in problem) or "第1行" in problem
    else:
        assert REQUIRED_COUNT <= width <= len(HEADERS)


@PROPERTY
@given(
    extra=st.integers(0, len(HEADERS) - REQUIRED_COUNT),
    padding=st.sampled_from(["", " ", "*", "＊", "\u3000"]),
)
def test_the_template_headers_pass_with_padding_and_stars(extra, padding):
    header = [f"{padding}{h}{padding}" for h in HEADERS[: REQUIRED_COUNT + extra]]
    assert check_headers(header) == (REQUIRED_COUNT + extra, "")
