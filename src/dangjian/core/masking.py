"""How sensitive values look to someone who may not see them in full.

Masks keep just enough to recognise a person on a list (the region and the last four digits
of an ID number, the last four digits of a phone) and are stored beside the sealed value, so
lists never open the ciphertext.
"""

from __future__ import annotations

import re

STAR = "*"


def mask_id_number(value: str) -> str:
    """``420302199001011234`` → ``4203**********1234``."""
    value = (value or "").strip()
    if len(value) <= 8:
        return STAR * len(value)
    return value[:4] + STAR * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """Each number keeps its first three and last four digits, whatever its punctuation:
    ``138****5678``, ``027-87654321`` → ``027****4321``; short numbers keep two digits."""
    out = []
    for part in re.split(r"[,，/、;；\s]+", (value or "").strip()):
        digits = re.sub(r"\D", "", part)
        if not digits:
            continue
        if len(digits) <= 7:
            out.append(digits[:2] + STAR * (len(digits) - 2))
        else:
            out.append(digits[:3] + STAR * (len(digits) - 7) + digits[-4:])
    return ", ".join(out)


def mask_address(value: str) -> str:
    """The first six characters (province, city) and stars: ``湖北省十堰市****``."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[:6] + STAR * 4


def id_tail(value: str) -> str:
    """The last four characters of an ID number, stored in clear for tail search (they are
    shown on every masked list anyway)."""
    return (value or "").strip()[-4:].upper()
