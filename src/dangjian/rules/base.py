"""The rule registry and the finding type every rule function returns."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum


class Level(StrEnum):
    """How a finding is shown: hard rules block or flag an error; "一般" rules warn."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Confidence(StrEnum):
    C1 = "C1"  # full regulation text read
    C2 = "C2"  # secondary source quoting the article
    C3 = "C3"  # from memory, not re-checked
    OPEN = "open"  # no source: the deployment must decide (configurable)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    article: str
    effective: dt.date
    confidence: Confidence
    note: str = ""

    @property
    def citation(self) -> str:
        return f"《{self.source}》{self.article}" if self.article else f"《{self.source}》"


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    title: str,
    *,
    source: str,
    article: str,
    effective: dt.date,
    confidence: Confidence | str,
    note: str = "",
) -> Rule:
    """Register a rule once, at import time of the module that encodes it."""
    if id in RULES:
        raise ValueError(f"rule {id} registered twice")
    r = Rule(id, title, source, article, effective, Confidence(confidence), note)
    RULES[id] = r
    return r


@dataclass(frozen=True)
class Finding:
    rule_id: str
    level: Level
    message: str
    field: str | None = None
    data: dict = dc_field(default_factory=dict, compare=False, hash=False)

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar-month arithmetic (R-GEN-04): a missing target day becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


rule(
    "R-GEN-01",
    "计数用语：以上、以下、以内、届满含本数；不满、超过、以外不含本数",
    source="中华人民共和国民法典",
    article="第一千二百五十九条",
    effective=dt.date(2021, 1, 1),
    confidence=Confidence.C3,
)
rule(
    "R-GEN-04",
    "按日历月计算期限；目标月无对应日的，以该月最后一日为期限",
    source="通行做法（条例未给出公式）",
    article="",
    effective=dt.date(2018, 10, 28),
    confidence=Confidence.C3,
)
