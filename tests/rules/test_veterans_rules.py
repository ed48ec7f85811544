"""The contact-frequency and request-deadline rules of the retired cadres' services, at their
boundaries (the last day, the day after, month ends)."""

import datetime as dt

import pytest

from dangjian.rules import veterans as r

D = dt.date


@pytest.mark.parametrize(
    ("kind", "last_on", "started_on", "months", "expected"),
    [
        ("call", None, D(2025, 1, 15), 1, D(2025, 2, 15)),
        ("call", D(2025, 3, 10), D(2025, 1, 15), 1, D(2025, 4, 10)),
        ("call", D(2025, 1, 31), D(2025, 1, 1), 1, D(2025, 2, 28)),
        ("call", D(2024, 1, 31), D(2024, 1, 1), 1, D(2024, 2, 29)),
        ("visit", D(2025, 11, 30), D(2025, 1, 1), 3, D(2026, 2, 28)),
        ("visit", None, D(2025, 8, 31), 3, D(2025, 11, 30)),
        ("visit", D(2025, 12, 31), D(2025, 1, 1), 3, D(2026, 3, 31)),
        # a contact logged before the pairing started does not count
        ("call", D(2024, 12, 1), D(2025, 1, 15), 1, D(2025, 2, 15)),
    ],
)
def test_contact_due(kind, last_on, started_on, months, expected):
    assert r.contact_due(kind, last_on, started_on, months) == expected


def test_contact_due_refuses_nonsense():
    with pytest.raises(ValueError):
        r.contact_due("letter", None, D(2025, 1, 1), 1)
    with pytest.raises(ValueError):
        r.contact_due("call", None, D(2025, 1, 1), 0)


@pytest.mark.parametrize(
    ("due_on", "today", "expected"),
    [
        (D(2025, 2, 28), D(2025, 2, 20), "ok"),
        (D(2025, 2, 28), D(2025, 2, 21), "due_soon"),
        (D(2025, 2, 28), D(2025, 2, 28), "due_soon"),
        (D(2025, 2, 28), D(2025, 3, 1), "overdue"),
    ],
)
def test_contact_state(due_on, today, expected):
    assert r.contact_state(due_on, today) == expected


@pytest.mark.parametrize(
    ("raised_on", "days", "expected"),
    [
        (D(2025, 1, 1), 15, D(2025, 1, 16)),
        (D(2025, 2, 20), 15, D(2025, 3, 7)),
        (D(2024, 2, 20), 15, D(2024, 3, 6)),
        (D(2025, 12, 25), 15, D(2026, 1, 9)),
    ],
)
def test_request_due_on(raised_on, days, expected):
    assert r.request_due_on(raised_on, days) == expected


DUE = D(2025, 3, 10)


@pytest.mark.parametrize(
    ("status", "answered_on", "today", "expected"),
    [
        ("open", None, D(2025, 3, 1), "open"),
        ("open", None, DUE, "open"),
        ("open", None, D(2025, 3, 11), "overdue"),
        ("open", None, D(2025, 3, 15), "overdue"),  # due + 5: still overdue
        ("open", None, D(2025, 3, 16), "escalate"),  # due + 6: escalated
        ("answered", DUE, D(2025, 4, 1), "answered_in_time"),
        ("answered", D(2025, 3, 11), D(2025, 4, 1), "answered_late"),
        ("fed_back", D(2025, 3, 2), D(2025, 4, 1), "answered_in_time"),
        ("closed", D(2025, 3, 20), D(2025, 4, 1), "answered_late"),
    ],
)
def test_request_state(status, answered_on, today, expected):
    assert r.request_state(status, DUE, answered_on, today, 5) == expected


def test_escalate_on_and_due_soon():
    assert r.request_escalate_on(DUE, 5) == D(2025, 3, 16)
    assert r.request_state("open", DUE, None, r.request_escalate_on(DUE, 5), 5) == "escalate"
    assert not r.request_due_soon("open", DUE, D(2025, 3, 6))
    assert r.request_due_soon("open", DUE, D(2025, 3, 7))
    assert r.request_due_soon("open", DUE, D(2025, 3, 20))
    assert not r.request_due_soon("answered", DUE, D(2025, 3, 20))
