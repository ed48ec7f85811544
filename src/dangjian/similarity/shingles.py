"""Text → normalised characters → hashed character n-grams (shingles).

Normalisation (NFKC; everything but letters and digits dropped — whitespace, punctuation,
symbols; ASCII lower-cased) makes a copy
that was re-typed with full-width punctuation, extra spaces or another line layout hash to
the same shingles. `normalise` also returns, for every kept character, its index in the
original text, so passages found on the normalised text can be marked on the original.

Shingles are character 5-grams (docs/similarity.md explains the choice of n=5), hashed to
unsigned 64-bit integers with a polynomial hash over the code points followed by the
splitmix64 finaliser: deterministic across processes and machines (unlike `hash()`), and
vectorised with numpy so a 5,000-character text costs well under a millisecond.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

SHINGLE_CHARS = 5

_DROPPED = re.compile(r"[\W_]+")  # all but letters and digits (str.isalnum)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_BASE = np.uint64(0x100000001B3)


def normalise(text: str) -> tuple[str, list[int]]:
    """(normalised text, index in `text` of each normalised character).

    NFKC is applied per character so the index map stays exact (full-width letters and
    digits become ASCII, compatibility ideographs their unified form)."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text or ""):
        norm = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
        for c in norm:
            if c.isalnum():
                out.append(c.lower() if c.isascii() else c)
                where.append(i)
    return "".join(out), where


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (a bijective 64-bit mixer), on uint64 arrays; wraps mod 2**64."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def normalised(text: str) -> str:
    """The normalised text alone, fast (whole-text NFKC and one regex): what fingerprints
    are computed from. Equal to `normalise(text)[0]` except for rare combining sequences."""
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _DROPPED.sub("", text).translate(_ASCII_LOWER)


def shingle_hashes(normalised: str, n: int = SHINGLE_CHARS) -> np.ndarray:
    """The distinct hashed n-grams of an already normalised text (sorted uint64 array)."""
    if len(normalised) < n:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - n + 1
    h = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            h = h * _BASE + codes[j : j + count]
        return np.unique(splitmix64(h))


def shingles(text: str, n: int = SHINGLE_CHARS) -> np.ndarray:
    """Normalise `text` and return its distinct hashed n-grams."""
    return shingle_hashes(normalised(text), n)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (sorted unique arrays)."""
    if not len(a) and not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)
