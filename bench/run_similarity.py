"""Copied-minutes detection at 1,000,000 texts.

Generates BENCH_TEXTS (default 1,000,000) synthetic meeting minutes (similarity.synthetic:
about 1,200 characters each, on 20,000 branches; a third carry one of 24 prescribed study
passages, the boilerplate; 0.5 % are copies of an earlier text from another branch), computes
their fingerprints in worker processes and bulk-loads them into a throw-away database
(SQLite by default, PostgreSQL when DATABASE_URL is set — that database is emptied), marks
the boilerplate buckets, then indexes BENCH_NEW (default 200) new texts one at a time through
`index_text` — half of them copies of loaded texts — and times each check.

Writes bench/results/similarity-<database>.txt: load rows/s (texts and band rows), the
boilerplate pass, p50/p95/max ms per new text, how many planted copies were found and how
many unrelated texts were flagged, the query plan of the candidate query, the database size.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET = int(os.environ.get("BENCH_TEXTS", "1000000"))
NEW = int(os.environ.get("BENCH_NEW", "200"))
DEFER_INDEX = os.environ.get("BENCH_DEFER_INDEX", "1") == "1"  # build (band, key) after the load
BRANCHES = 20000
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from dangjian.similarity import minhash, services  # noqa: E402
from dangjian.similarity.models import (  # noqa: E402
    BoilerplateValue,
    FrequentBand,
    LshBucket,
    TextFingerprint,
)
from dangjian.similarity.synthetic import copy_of, minutes, study_passage  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_foundation import machine  # noqa: E402

TYPE = "orglife.meeting"
PASSAGES = [study_passage(seed, 1500) for seed in range(24)]


def org(n: int) -> str:
    return f"0001.{n // 100:04d}.{n % 100:04d}."


def text_for(i: int) -> tuple[int, str]:
    """The branch and text of synthetic minutes number i (deterministic)."""
    rng = random.Random(i)
    branch = rng.randrange(BRANCHES)
    if i > 1000 and rng.random() < 0.005:
        original = rng.randrange(1, i)
        return branch, copy_of(rng, text_for(original)[1], org=f"第{branch}党支部")
    study = PASSAGES[rng.randrange(len(PASSAGES))] if rng.random() < 0.33 else None
    return branch, minutes(rng, org=f"第{branch}党支部", study=study)


def work(start_stop: tuple[int, int]) -> list[tuple]:
    out = []
    for i in range(*start_stop):
        branch, text = text_for(i)
        prepared = services.prepare(text)
        if prepared is not None:
            out.append((TYPE, i, org(branch), prepared, None))
    return out


def load(count: int) -> tuple[float, int]:
    chunks = [(s, min(s + 2000, count + 1)) for s in range(1, count + 1, 2000)]
    started = time.perf_counter()
    done, writing = 0, 0.0
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 2) as pool:
        for n, chunk in enumerate(pool.imap(work, chunks)):
            t = time.perf_counter()
            done += services.bulk_write(chunk)
            writing += time.perf_counter() - t
            if n % 50 == 0:
                rate = done / (time.perf_counter() - started)
                print(
                    f"  {done:,} texts, {rate:,.0f}/s, writing {writing:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
    print(f"  writing took {writing:.1f} s", file=sys.stderr)
    return time.perf_counter() - started, done


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA cache_size=-1000000")  # 1 GB page cache for the load
    for model in (LshBucket, TextFingerprint, FrequentBand, BoilerplateValue):
        model._default_manager.all()._raw_delete(connection.alias)

    index = next(i for i in LshBucket._meta.indexes if i.name == "similarity_bucket_band_key")
    if DEFER_INDEX:
        with connection.schema_editor() as editor:
            editor.remove_index(LshBucket, index)
    load_seconds, loaded = load(TARGET)
    t = time.perf_counter()
    if DEFER_INDEX:
        with connection.schema_editor() as editor:
            editor.add_index(LshBucket, index)
    index_seconds = time.perf_counter() - t
    band_rows = LshBucket.objects.count()
    t = time.perf_counter()
    marked = services.refresh_frequent_bands()
    boiler_seconds = time.perf_counter() - t
    band_rows_left = LshBucket.objects.count()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    rng = random.Random(424242)
    samples, copies_found, copies, false_flags, extra = [], 0, 0, 0, 0
    for k in range(NEW):
        sid = TARGET + 1 + k
        branch = rng.randrange(BRANCHES)
        if k % 2 == 0:
            original = rng.randrange(1, TARGET + 1)
            o_branch, o_text = text_for(original)
            if o_branch == branch:
                branch = (branch + 1) % BRANCHES
            text = copy_of(rng, o_text, org=f"第{branch}党支部")
        else:
            original = None
            study = PASSAGES[rng.randrange(len(PASSAGES))] if rng.random() < 0.33 else None
            text = minutes(rng, org=f"第{branch}党支部", study=study)
        t = time.perf_counter()
        found = services.index_text(
            source_type=TYPE, source_id=sid, org_path=org(branch), text=text
        )
        samples.append((time.perf_counter() - t) * 1000)
        if original is not None:
            copies += 1
            hit = any(m.source_id == original for m in found)
            copies_found += hit
            if not hit and os.environ.get("BENCH_DEBUG"):
                again = services.similar_to(TYPE, sid, min_similarity=0.0)
                score = next((m.similarity for m in again if m.source_id == original), None)
                print(f"  missed copy of {original}: score {score}", file=sys.stderr)
            # the original may itself be one of the planted copies, or have copies: the
            # new copy then rightly matches those too
            extra += sum(m.source_id != original for m in found)
        else:
            false_flags += len(found)

    sig = minhash.signature(services.shingle_hashes(services.normalised(text)))
    keys = minhash.band_keys(sig)
    with connection.cursor() as cur:
        where = " OR ".join(["(band = %s AND key = %s)"] * len(keys))
        params = [v for band, key in enumerate(keys) for v in (band, key)]
        cur.execute(
            f"EXPLAIN {'QUERY PLAN ' if connection.vendor == 'sqlite' else ''}"
            f"SELECT * FROM {LshBucket._meta.db_table} WHERE {where}",
            params,
        )
        plan = " | ".join(str(row[-1]) for row in cur.fetchall()[:4])
        size = ""
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA page_count")
            pages = cur.fetchone()[0]
            cur.execute("PRAGMA page_size")
            size = f"{pages * cur.fetchone()[0] / 2**30:.2f} GiB"
        else:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cur.fetchone()[0]

    m = machine()
    lines = [
        f"machine: {m}",
        f"database: {connection.vendor}, size after the run: {size}",
        f"texts generated: {TARGET:,}; indexed: {loaded:,} (shorter ones are skipped); "
        f"band rows written: {loaded * minhash.BANDS:,}; band rows kept: {band_rows:,} before "
        f"the boilerplate pass",
        f"bulk load (fingerprints in {os.cpu_count()} worker processes, bulk inserts"
        f"{', (band, key) index built after the load' if DEFER_INDEX else ''}): "
        f"{load_seconds:.1f} s = {loaded / load_seconds:,.0f} texts/s = "
        f"{loaded * minhash.BANDS / load_seconds:,.0f} band rows/s; index build "
        f"{index_seconds:.1f} s",
        f"boilerplate pass (refresh_frequent_bands): {marked:,} buckets marked in "
        f"{boiler_seconds:.1f} s; band rows left: {band_rows_left:,}",
        f"incremental check, {NEW} new texts through index_text (one at a time, each in its "
        f"own transaction): p50 {statistics.median(samples):.1f} ms, "
        f"p95 {percentile(samples, 95):.1f} ms, max {max(samples):.1f} ms",
        f"planted copies among the new texts found: {copies_found}/{copies} (with "
        f"{extra} further matches: copies of the same original); unrelated new texts "
        f"flagged: {false_flags}/{NEW - copies}",
        f"candidate query plan: {plan}",
    ]
    out = f"== {TARGET:,} texts ==\n" + "\n".join(lines) + "\n"
    # one section per corpus size: a run replaces its own size's section, keeps the others
    path = Path(__file__).parent / "results" / f"similarity-{connection.vendor}.txt"
    sections = {}
    if path.exists():
        for block in path.read_text().split("== ")[1:]:
            sections[block.split(" texts ==")[0]] = "== " + block
    sections[f"{TARGET:,}"] = out
    ordered = sorted(sections.items(), key=lambda kv: int(kv[0].replace(",", "")))
    path.write_text("\n".join(block.rstrip("\n") + "\n" for _, block in ordered))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
