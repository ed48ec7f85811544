"""Regulation rules as data and pure functions.

Nothing in this package imports Django: it can be used (and tested) without settings.
Every rule has the ID it carries in ``shared/domain/rules.md``; every finding names it.
"""

from dangjian.rules.base import RULES, Finding, Level, Rule, rule

__all__ = ["RULES", "Finding", "Level", "Rule", "rule"]
