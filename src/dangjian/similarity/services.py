"""Index texts and find near-duplicates: the similarity app's whole write and read path.

    index_text(source_type=, source_id=, org_path=, text=, created=) -> [Match]
    remove_text(source_type, source_id)
    similar_to(source_type, source_id, min_similarity=0.6) -> [Match]
    bulk_index(items) / refresh_frequent_bands()       (initial loads)
    shared_passages(text_a, text_b, min_chars=12)      (see passages.py)

These functions take no `actor`: the fingerprint index is derived data (like the roster's
search keys), maintained by the service that saves the text after *it* checked access and
wrote its audit entry. Callers that show matches to a user scope them by `Match.org_path`.

One new text costs: one SELECT of its (band, key) buckets (joined with their fingerprints,
plus the boilerplate marks of the same keys), the comparison of the candidates' signatures,
then the INSERT of its fingerprint and band rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.similarity import minhash
from dangjian.similarity.models import BoilerplateValue, FrequentBand, LshBucket, TextFingerprint
from dangjian.similarity.passages import shared_passages  # noqa: F401  (part of the API)
from dangjian.similarity.shingles import normalised, shingle_hashes

DEFAULT_MIN_SIMILARITY = 0.6


@dataclass(frozen=True)
class Match:
    source_type: str
    source_id: int
    org_path: str
    similarity: float


def _setting(name: str, default):
    return getattr(settings, f"SIMILARITY_{name}", default)


def min_shingles() -> int:
    """Texts with fewer distinct shingles are not indexed (too short to call a copy)."""
    return int(_setting("MIN_SHINGLES", 50))


def boilerplate_orgs() -> int:
    """A band key present in more than this many distinct orgs is boilerplate."""
    return int(_setting("BOILERPLATE_ORGS", 50))


def boilerplate_share() -> float:
    """…or in more than this share of all indexed texts (never fewer than
    `boilerplate_orgs()` texts, so a small index does not call every pair boilerplate)."""
    return float(_setting("BOILERPLATE_SHARE", 0.01))


def _max_texts() -> int:
    # MAX(id) is one index probe on both databases; deletions make it a slight overestimate
    total = TextFingerprint.all_objects.aggregate(m=Max("id"))["m"] or 0
    return max(boilerplate_orgs(), math.ceil(boilerplate_share() * total))


@dataclass
class _Prepared:
    signature: np.ndarray
    keys: list[int]
    shingle_count: int


def _prepare(text: str) -> _Prepared | None:
    hashes = shingle_hashes(normalised(text))
    if len(hashes) < min_shingles():
        return None
    sig = minhash.signature(hashes)
    return _Prepared(sig, minhash.band_keys(sig), len(hashes))


def _validate(source_type: str, source_id: int, org_path: str) -> None:
    if not source_type or len(source_type) > 40:
        raise AppError("来源类型不能为空且不超过40个字符。", field="source_type")
    if not isinstance(source_id, int) or isinstance(source_id, bool):
        raise AppError("来源编号必须是整数。", field="source_id")
    if len(org_path or "") > 255:
        raise AppError("组织路径过长。", field="org_path")


@dataclass
class _Found:
    buckets: dict[int, list[tuple]]  # band → [(fingerprint id, type, id, org_path, signature)]
    frequent: set[int]  # the text's bands marked boilerplate
    boiler_rows: np.ndarray  # bool per signature row: the text's value there is boilerplate


def _lookup(sig: np.ndarray, keys: list[int]) -> _Found:
    """ONE query over the text's bands: the rows of every bucket it falls into (with their
    fingerprints), which of its bands are marked boilerplate, and which of its signature
    values are known boilerplate values."""
    b = LshBucket._meta.db_table
    f = TextFingerprint._meta.db_table
    q = FrequentBand._meta.db_table
    v = BoilerplateValue._meta.db_table
    bands = " OR ".join(["(x.band = %s AND x.key = %s)"] * len(keys))
    band_params: list = []
    for band, key in enumerate(keys):
        band_params += [band, key]
    values = " OR ".join(["(x.perm = %s AND x.value = %s)"] * len(sig))
    value_params: list = []
    for row, value in enumerate(sig.tolist()):
        value_params += [row, value]
    sql = (
        f"SELECT 0, x.band, fp.id, fp.source_type, fp.source_id, fp.org_path, fp.signature "
        f"FROM {b} x JOIN {f} fp ON fp.id = x.fingerprint_id WHERE {bands} "
        f"UNION ALL SELECT 1, x.band, NULL, NULL, NULL, NULL, NULL FROM {q} x WHERE {bands} "
        f"UNION ALL SELECT 2, x.perm, NULL, NULL, NULL, NULL, NULL FROM {v} x WHERE {values}"
    )
    found = _Found(defaultdict(list), set(), np.zeros(minhash.PERMUTATIONS, dtype=bool))
    with connection.cursor() as cur:
        cur.execute(sql, band_params + band_params + value_params)
        for kind, band, fid, stype, sid, path, raw in cur.fetchall():
            if kind == 0:
                found.buckets[band].append((fid, stype, sid, path, raw))
            elif kind == 1:
                found.frequent.add(band)
            else:
                found.boiler_rows[band] = True
    return found


def _mark_frequent(marks: list[tuple[int, int, int, int, np.ndarray]]) -> None:
    """Record buckets (band, key, texts, orgs, signature of one member) as boilerplate,
    keep their signature values and delete their rows."""
    now = timezone.now()
    FrequentBand.objects.bulk_create(
        [FrequentBand(band=bd, key=k, texts=n, orgs=o, marked_at=now) for bd, k, n, o, _ in marks],
        ignore_conflicts=True,
    )
    BoilerplateValue.objects.bulk_create(
        [
            BoilerplateValue(perm=row, value=int(sig[row]))
            for bd, _k, _n, _o, sig in marks
            for row in range(bd * minhash.ROWS, (bd + 1) * minhash.ROWS)
        ],
        ignore_conflicts=True,
    )
    for bd, k, _n, _o, _sig in marks:
        LshBucket.objects.filter(band=bd, key=k)._raw_delete(connection.alias)


def boilerplate_neighbours() -> int:
    """A signature value the pair shares that at least this many other orgs' texts among
    the fetched candidates also carry (same row) comes from boilerplate: the row is left out
    of the pair's score. Catches a study passage before its bands are frequent."""
    return int(_setting("BOILERPLATE_NEIGHBOURS", 5))


def _matches(
    sig: np.ndarray,
    lookup: _Found,
    *,
    self_id: int | None,
    org_path: str,
    same_org: bool,
    min_similarity: float,
) -> list[Match]:
    buckets, frequent = lookup.buckets, lookup.frequent
    usable = ~lookup.boiler_rows
    for band in frequent:
        usable[band * minhash.ROWS : (band + 1) * minhash.ROWS] = False
    fetched: dict[int, tuple] = {}
    for band, rows in buckets.items():
        if band in frequent:
            continue
        for fid, stype, sid, path, raw in rows:
            if fid != self_id and fid not in fetched:
                fetched[fid] = (stype, int(sid), path, minhash.from_bytes(raw))
    if not fetched:
        return []
    # per row: how many distinct other orgs in the neighbourhood share the new text's value
    paths = sorted({f[2] for f in fetched.values()} - {org_path})
    column = {p: k for k, p in enumerate(paths)}
    shared_by_org = np.zeros((len(paths) + 1, minhash.PERMUTATIONS), dtype=bool)
    for _stype, _sid, path, other in fetched.values():
        if path in column:
            shared_by_org[column[path]] |= other == sig
    org_counts = shared_by_org.sum(axis=0)
    found = []
    for stype, sid, path, other in fetched.values():
        if not same_org and path == org_path:
            continue
        equal = other == sig
        own = shared_by_org[column[path]] if path in column else np.zeros_like(equal)
        rows = usable & ~(equal & (org_counts - own >= boilerplate_neighbours()))
        score = minhash.estimate(sig, other, rows)
        if score >= min_similarity:
            found.append(Match(stype, sid, path, round(score, 3)))
    return sorted(found, key=lambda m: (-m.similarity, m.source_type, m.source_id))


@transaction.atomic
def index_text(
    *,
    source_type: str,
    source_id: int,
    org_path: str,
    text: str,
    created: dt.datetime | dt.date | None = None,
    same_org: bool = False,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
) -> list[Match]:
    """Index (or re-index) one text and return its near-duplicates among the texts indexed
    before it, best first. Texts of the same `org_path` are left out unless `same_org`.
    A text too short to judge is not indexed (and a previous version is removed)."""
    _validate(source_type, source_id, org_path)
    created = _as_datetime(created)
    prepared = _prepare(text)
    existing = (
        TextFingerprint.objects.unscoped()
        .filter(source_type=source_type, source_id=source_id)
        .first()
    )
    if prepared is None:
        if existing:
            existing.delete()
        return []
    if existing:
        LshBucket.objects.filter(fingerprint_id=existing.pk)._raw_delete(connection.alias)
    lookup = _lookup(prepared.signature, prepared.keys)
    buckets, frequent = lookup.buckets, lookup.frequent
    matches = _matches(
        prepared.signature,
        lookup,
        self_id=existing.pk if existing else None,
        org_path=org_path,
        same_org=same_org,
        min_similarity=min_similarity,
    )

    if existing:
        fp = existing
        fp.org_path = org_path
        fp.signature = minhash.to_bytes(prepared.signature)
        fp.shingle_count = prepared.shingle_count
        if created:
            fp.created_at = created
        fp.save(update_fields=["org_path", "signature", "shingle_count", "created_at"])
    else:
        fp = TextFingerprint.all_objects.create(
            source_type=source_type,
            source_id=source_id,
            org_path=org_path,
            signature=minhash.to_bytes(prepared.signature),
            shingle_count=prepared.shingle_count,
            created_at=created or timezone.now(),
        )

    # insert the text's band rows, turning buckets that now pass a threshold into boilerplate
    max_orgs, max_texts = boilerplate_orgs(), _max_texts()
    new_rows, newly_frequent = [], []
    for band, key in enumerate(prepared.keys):
        if band in frequent:
            continue
        rows = [r for r in buckets.get(band, []) if r[0] != fp.pk]
        orgs = {r[3] for r in rows} | {org_path}
        if len(orgs) > max_orgs or len(rows) + 1 > max_texts:
            newly_frequent.append((band, key, len(rows) + 1, len(orgs), prepared.signature))
        else:
            new_rows.append(LshBucket(band=band, key=key, fingerprint=fp))
    if newly_frequent:
        _mark_frequent(newly_frequent)
    LshBucket.objects.bulk_create(new_rows)
    return matches


@transaction.atomic
def remove_text(source_type: str, source_id: int) -> bool:
    """Forget a text (its fingerprint and band rows). True when it was indexed.
    Boilerplate marks stay: they describe the corpus, not this text."""
    fp = (
        TextFingerprint.objects.unscoped()
        .filter(source_type=source_type, source_id=source_id)
        .first()
    )
    if fp is None:
        return False
    LshBucket.objects.filter(fingerprint_id=fp.pk)._raw_delete(connection.alias)
    fp.delete()
    return True


def similar_to(
    source_type: str,
    source_id: int,
    *,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    same_org: bool = False,
) -> list[Match]:
    """The indexed near-duplicates of an indexed text (earlier or later), best first;
    [] when the text is not indexed."""
    fp = (
        TextFingerprint.objects.unscoped()
        .filter(source_type=source_type, source_id=source_id)
        .first()
    )
    if fp is None:
        return []
    sig = minhash.from_bytes(fp.signature)
    return _matches(
        sig,
        _lookup(sig, minhash.band_keys(sig)),
        self_id=fp.pk,
        org_path=fp.org_path,
        same_org=same_org,
        min_similarity=min_similarity,
    )


# --- initial loads ------------------------------------------------------------------------


def prepare(text: str):
    """The fingerprint of a text (signature, band keys, shingle count) or None when it is too
    short; pure computation, so a bulk load may run it in worker processes."""
    return _prepare(text)


def bulk_index(
    items: Iterable[tuple[str, int, str, str, dt.datetime | None]], *, batch: int = 2000
) -> int:
    """Index many texts without checking each (an initial load or a rebuild): items are
    (source_type, source_id, org_path, text, created). Existing fingerprints of the same
    sources are replaced. Call `refresh_frequent_bands()` afterwards. Returns the number of
    texts indexed (short ones are skipped)."""
    done = 0
    chunk: list = []
    for stype, sid, path, text, created in items:
        _validate(stype, sid, path)
        prepared = _prepare(text)
        if prepared is None:
            continue
        chunk.append((stype, sid, path, prepared, created))
        if len(chunk) >= batch:
            done += bulk_write(chunk)
            chunk = []
    return done + bulk_write(chunk)


def bulk_write(chunk: list[tuple]) -> int:
    """Write prepared fingerprints ((source_type, source_id, org_path, prepared, created),
    from `prepare`) and their band rows with bulk inserts, replacing earlier versions."""
    if not chunk:
        return 0
    by_source = {(c[0], c[1]): c for c in chunk}
    with transaction.atomic():
        for stype in {k[0] for k in by_source}:
            ids = [k[1] for k in by_source if k[0] == stype]
            old = TextFingerprint.all_objects.filter(source_type=stype, source_id__in=ids)
            if old.exists():
                LshBucket.objects.filter(fingerprint__in=old)._raw_delete(connection.alias)
                old._raw_delete(connection.alias)
        now = timezone.now()
        fps = TextFingerprint.all_objects.bulk_create(
            [
                TextFingerprint(
                    source_type=stype,
                    source_id=sid,
                    org_path=path,
                    signature=minhash.to_bytes(p.signature),
                    shingle_count=p.shingle_count,
                    created_at=_as_datetime(created) or now,
                )
                for stype, sid, path, p, created in by_source.values()
            ]
        )
        by_key = {(f.source_type, f.source_id): f.pk for f in fps}
        insert_buckets(
            [
                (band, key, by_key[(stype, sid)])
                for stype, sid, _path, p, _c in by_source.values()
                for band, key in enumerate(p.keys)
            ]
        )
    return len(by_source)


def _as_datetime(value):
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    return value


def insert_buckets(rows: list[tuple[int, int, int]]) -> None:
    """Insert (band, key, fingerprint id) rows with one executemany (bulk loads)."""
    table = LshBucket._meta.db_table
    sql = f"INSERT INTO {table} (band, key, fingerprint_id) VALUES (%s, %s, %s)"
    with connection.cursor() as cur:
        cur.executemany(sql, rows)


@transaction.atomic
def refresh_frequent_bands() -> int:
    """After a bulk load: mark every bucket over a boilerplate threshold and delete its rows,
    as `index_text` does one text at a time. Returns the number of buckets marked."""
    b = LshBucket._meta.db_table
    f = TextFingerprint._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT x.band, x.key, COUNT(*), COUNT(DISTINCT fp.org_path), MIN(fp.id) "
            f"FROM {b} x JOIN {f} fp ON fp.id = x.fingerprint_id "
            f"GROUP BY x.band, x.key HAVING COUNT(*) > %s OR COUNT(DISTINCT fp.org_path) > %s",
            [_max_texts(), boilerplate_orgs()],
        )
        groups = cur.fetchall()
    sigs = {}
    ids = sorted({g[4] for g in groups})
    for start in range(0, len(ids), 500):
        for pk, raw in TextFingerprint.all_objects.filter(
            pk__in=ids[start : start + 500]
        ).values_list("pk", "signature"):
            sigs[pk] = minhash.from_bytes(raw)
    _mark_frequent([(bd, k, n, o, sigs[fid]) for bd, k, n, o, fid in groups])
    return len(groups)
