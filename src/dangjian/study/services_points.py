"""Member points: replaced by its owner."""


def points_refresh(*, member_ids, year) -> int:
    return 0
