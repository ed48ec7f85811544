"""Mark the passages two texts share, for showing a flagged pair side by side.

Seed and extend on the normalised texts: every `min_chars`-long window of text B is indexed
by its content; text A is walked left to right, and where a window of A occurs in B the
match is extended as far as both agree; the longest extension wins and the walk jumps past
it. Unlike difflib's in-order alignment this also finds paragraphs that were moved, and it
is linear in practice (two 5,000-character minutes take a few milliseconds). Positions are
mapped back to the original texts, so the marks cover the original characters (punctuation
and spaces inside a passage included).
"""

from __future__ import annotations

from dangjian.similarity.shingles import normalise

_MAX_SEEDS = 16  # positions of one window tried in B (repetitive text stays linear)

Span = tuple[int, int]


def _merge(spans: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    out: list[tuple[int, int, int, int]] = []
    for sa, ea, sb, eb in spans:
        if out and sa == out[-1][1] and sb == out[-1][3]:
            out[-1] = (out[-1][0], ea, out[-1][2], eb)
        else:
            out.append((sa, ea, sb, eb))
    return out


def shared_passages(text_a: str, text_b: str, min_chars: int = 12) -> list[tuple[Span, Span]]:
    """[((start_a, end_a), (start_b, end_b)), …]: half-open character ranges in the original
    texts of every passage of at least `min_chars` normalised characters that both share, in
    the order of text A."""
    min_chars = max(1, int(min_chars))
    na, map_a = normalise(text_a)
    nb, map_b = normalise(text_b)
    if len(na) < min_chars or len(nb) < min_chars:
        return []
    seeds: dict[str, list[int]] = {}
    for j in range(len(nb) - min_chars + 1):
        positions = seeds.setdefault(nb[j : j + min_chars], [])
        if len(positions) < _MAX_SEEDS:
            positions.append(j)
    found: list[tuple[int, int, int, int]] = []
    i, la, lb = 0, len(na), len(nb)
    while i <= la - min_chars:
        positions = seeds.get(na[i : i + min_chars])
        if not positions:
            i += 1
            continue
        best_j, best_len = positions[0], 0
        for j in positions:
            n = min_chars
            while i + n < la and j + n < lb and na[i + n] == nb[j + n]:
                n += 1
            if n > best_len:
                best_j, best_len = j, n
        found.append((i, i + best_len, best_j, best_j + best_len))
        i += best_len
    return [
        ((map_a[sa], map_a[ea - 1] + 1), (map_b[sb], map_b[eb - 1] + 1))
        for sa, ea, sb, eb in _merge(found)
    ]
