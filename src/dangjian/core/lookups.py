"""Ids from requests: the one parser every app's access functions use, so a malformed, zero,
negative or huge id (beyond the database's integer) is simply "not found" — a 404, never a 500."""

from __future__ import annotations


def parse_id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def get_by_id(qs, pk):
    """The row of `qs` with this id, or None when the id is not a valid one or not there."""
    pk = parse_id(pk)
    return qs.filter(pk=pk).first() if pk else None
