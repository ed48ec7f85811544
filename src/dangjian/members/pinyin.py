"""Pinyin keys for names: full pinyin (zhangsanfeng) and initials (zsf), for search and sort."""

from pypinyin import Style, lazy_pinyin


def _latin(chunk: str) -> list[str]:
    """Non-Chinese parts of a name: its Latin words, lowercased (阿依古丽·Mary → "mary")."""
    words = "".join(c.lower() if c.isascii() and c.isalpha() else " " for c in chunk).split()
    return words


def pinyin_keys(name: str) -> tuple[str, str]:
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=_latin)
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full[:200], initials[:50]
