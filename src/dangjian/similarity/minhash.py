"""MinHash signatures and LSH band keys (docs/similarity.md gives the S-curve).

136 hash functions h_r(x) = a_r·x + b_r mod 2**64 (a_r odd, so each is a permutation of the
64-bit shingle hashes, which splitmix64 has already mixed); the signature keeps the top 32
bits of each minimum (544 bytes per text). 34 bands of 4 rows: a band key is a 64-bit hash of
the band's 4 values, stored as a signed 64-bit integer so both SQLite and PostgreSQL keep it
in a BIGINT.
"""

from __future__ import annotations

import math

import numpy as np

from dangjian.similarity.shingles import splitmix64

BANDS = 34
ROWS_PER_BAND = 4
PERMUTATIONS = BANDS * ROWS_PER_BAND  # 136
ROWS = ROWS_PER_BAND

_rng = np.random.default_rng(20220701)  # fixed: stored signatures depend on it
_A = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_BAND_SEED = splitmix64(np.arange(1, BANDS + 1, dtype=np.uint64))


def signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (PERMUTATIONS uint32 values) of a non-empty shingle set."""
    with np.errstate(over="ignore"):
        mins = np.empty(PERMUTATIONS, dtype=np.uint64)
        # in slices so a long text does not allocate a 128 × n matrix at once
        step = 8  # 136 = 17 × 8
        for r in range(0, PERMUTATIONS, step):
            block = hashes[None, :] * _A[r : r + step, None] + _B[r : r + step, None]
            mins[r : r + step] = block.min(axis=1)
    return (mins >> np.uint64(32)).astype(np.uint32)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype="<u4")


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band."""
    rows = sig.astype(np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        h = _BAND_SEED.copy()
        for j in range(ROWS):
            h = splitmix64(h ^ rows[:, j]) * np.uint64(0x9E3779B97F4A7C15)
        h = splitmix64(h)
    return h.view(np.int64).tolist()


def estimate(sig_a: np.ndarray, sig_b: np.ndarray, rows: np.ndarray | None = None) -> float:
    """Estimated Jaccard: the share of equal signature rows (only `rows`, a boolean mask,
    when given)."""
    equal = sig_a == sig_b
    if rows is not None:
        if not rows.any():
            return 0.0
        equal = equal[rows]
    return float(equal.mean())


def candidate_probability(jaccard: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """P(two texts with this Jaccard similarity share at least one band): the LSH S-curve."""
    return 1 - (1 - jaccard**rows) ** bands


def s_curve_threshold(bands: int = BANDS, rows: int = ROWS) -> float:
    """The similarity where the S-curve is steepest, about (1/b)**(1/r)."""
    return math.pow(1 / bands, 1 / rows)
