"""The copied-minutes detector: planted copies are found, unrelated minutes and minutes that
only share a prescribed study passage are not, and the index stays consistent."""

from __future__ import annotations

import random

import pytest

from dangjian.core.errors import AppError
from dangjian.similarity import minhash
from dangjian.similarity.models import FrequentBand, LshBucket, TextFingerprint
from dangjian.similarity.services import (
    Match,
    bulk_index,
    index_text,
    refresh_frequent_bands,
    remove_text,
    similar_to,
)
from dangjian.similarity.shingles import jaccard, normalise, shingles
from dangjian.similarity.synthetic import copy_of, minutes, study_passage

pytestmark = pytest.mark.django_db

MEETING = "orglife.meeting"


def org(n: int) -> str:
    return f"0001.{n:04d}."


@pytest.fixture
def corpus():
    """40 unrelated minutes from 40 branches, indexed in order; none flags another."""
    rng = random.Random(5)
    texts = {}
    for i in range(1, 41):
        texts[i] = minutes(rng, org=f"第{i}党支部")
        found = index_text(source_type=MEETING, source_id=i, org_path=org(i), text=texts[i])
        assert found == [], (i, found)
    return texts


def test_planted_copies_are_found(corpus):
    rng = random.Random(9)
    for n, original in enumerate((3, 17, 33)):
        copied = copy_of(rng, corpus[original], org="第九十九党支部")
        found = index_text(
            source_type=MEETING, source_id=100 + n, org_path=org(99 + n), text=copied
        )
        assert [(m.source_type, m.source_id) for m in found] == [(MEETING, original)]
        assert found[0].org_path == org(original)
        assert found[0].similarity >= 0.6
        assert similar_to(MEETING, original)[0].source_id == 100 + n


def test_copy_with_other_punctuation_and_spacing_is_the_same_text(corpus):
    retyped = corpus[8].replace("，", ", ").replace("。", ". ").replace("：", ":\n")
    assert normalise(retyped)[0] == normalise(corpus[8])[0]
    found = index_text(source_type=MEETING, source_id=200, org_path=org(200), text=retyped)
    assert found == [Match(MEETING, 8, org(8), 1.0)]


def test_unrelated_minutes_are_not_flagged(corpus):
    rng = random.Random(77)
    for i in range(300, 320):
        text = minutes(rng, org="第三百党支部")
        assert index_text(source_type=MEETING, source_id=i, org_path=org(i), text=text) == []


def test_texts_of_the_same_org_are_left_out_unless_asked(corpus):
    copied = copy_of(random.Random(1), corpus[5])
    assert index_text(source_type=MEETING, source_id=500, org_path=org(5), text=copied) == []
    assert [m.source_id for m in similar_to(MEETING, 500, same_org=True)] == [5]


def test_shared_study_passage_is_boilerplate_once_frequent(settings):
    # the org threshold scaled down with the corpus (default 50)
    settings.SIMILARITY_BOILERPLATE_ORGS = 5
    rng = random.Random(3)
    flagged_late = []
    texts = {}
    passages = [study_passage(0, 4000), study_passage(1, 4000)]
    for i in range(1, 61):
        texts[i] = minutes(rng, org=f"第{i}党支部", study=passages[i % 2])
        found = index_text(source_type=MEETING, source_id=i, org_path=org(i), text=texts[i])
        if i > 20:
            flagged_late += [(i, m.source_id, m.similarity) for m in found]
    assert flagged_late == []
    # without the boilerplate rule these pairs are near-duplicates by Jaccard alone
    assert jaccard(shingles(texts[21]), shingles(texts[23])) > 0.6
    assert FrequentBand.objects.count() > 0
    # the study passage alone is boilerplate: its bands were emptied and stay unused
    study_only = "学习材料" + passages[0]
    assert index_text(source_type=MEETING, source_id=900, org_path=org(900), text=study_only) == []
    # a real copy of a text that carries the passage is still found (judged on its own part:
    # names changed and paragraphs moved, a few edits)
    copied = copy_of(random.Random(4), texts[42], org="第九十九党支部", edits=5)
    found = index_text(source_type=MEETING, source_id=901, org_path=org(901), text=copied)
    assert [m.source_id for m in found] == [42]


def test_reindexing_a_changed_text_replaces_its_rows(corpus):
    copied = copy_of(random.Random(2), corpus[11], org="第九十九党支部")
    assert [
        m.source_id
        for m in index_text(source_type=MEETING, source_id=600, org_path=org(600), text=copied)
    ] == [11]
    rewritten = minutes(random.Random(600), org="第九十九党支部")
    assert index_text(source_type=MEETING, source_id=600, org_path=org(600), text=rewritten) == []
    fp = TextFingerprint.objects.unscoped().get(source_type=MEETING, source_id=600)
    assert LshBucket.objects.filter(fingerprint=fp).count() <= minhash.BANDS
    assert TextFingerprint.objects.unscoped().filter(source_id=600).count() == 1
    assert similar_to(MEETING, 11) == []
    # moving back finds the original again
    index_text(source_type=MEETING, source_id=600, org_path=org(600), text=copied)
    assert [m.source_id for m in similar_to(MEETING, 11)] == [600]


def test_remove_forgets_the_text(corpus):
    copied = copy_of(random.Random(6), corpus[20], org="第九十九党支部")
    index_text(source_type=MEETING, source_id=700, org_path=org(700), text=copied)
    assert remove_text(MEETING, 700) is True
    assert remove_text(MEETING, 700) is False
    assert similar_to(MEETING, 20) == []
    assert similar_to(MEETING, 700) == []
    assert not LshBucket.objects.filter(fingerprint__source_id=700).exists()


def test_short_texts_are_not_indexed(corpus):
    assert (
        index_text(source_type=MEETING, source_id=800, org_path=org(800), text="会议同意。") == []
    )
    assert not TextFingerprint.objects.unscoped().filter(source_id=800).exists()
    # a text that shrinks below the minimum leaves the index
    index_text(source_type=MEETING, source_id=801, org_path=org(801), text=corpus[1] + "补充")
    index_text(source_type=MEETING, source_id=801, org_path=org(801), text="略")
    assert not TextFingerprint.objects.unscoped().filter(source_id=801).exists()


def test_a_new_text_is_checked_with_a_bounded_number_of_queries(
    corpus, django_assert_max_num_queries
):
    copied = copy_of(random.Random(8), corpus[30], org="第九十九党支部")
    # fingerprint lookup, ONE bucket query, insert, MAX(id), bucket insert, savepoint
    with django_assert_max_num_queries(7):
        found = index_text(source_type=MEETING, source_id=1000, org_path=org(1000), text=copied)
    assert [m.source_id for m in found] == [30]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source_type": ""}, "source_type"),
        ({"source_type": "x" * 41}, "source_type"),
        ({"source_id": "12"}, "source_id"),
        ({"org_path": "0." * 200}, "org_path"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(kwargs, field):
    args = {
        "source_type": MEETING,
        "source_id": 1,
        "org_path": org(1),
        "text": minutes(random.Random()),
    }
    with pytest.raises(AppError) as err:
        index_text(**(args | kwargs))
    assert err.value.field == field
    assert not TextFingerprint.objects.unscoped().exists()


def test_bulk_load_then_incremental_check(settings):
    settings.SIMILARITY_BOILERPLATE_ORGS = 5
    rng = random.Random(11)
    texts = [minutes(rng, org=f"第{i}党支部", study=0 if i % 3 == 0 else None) for i in range(90)]
    loaded = bulk_index((MEETING, i, org(i), t, None) for i, t in enumerate(texts))
    assert loaded == 90
    assert LshBucket.objects.count() == 90 * minhash.BANDS
    assert refresh_frequent_bands() > 0  # 30 texts share one study passage
    assert LshBucket.objects.count() < 90 * minhash.BANDS
    copied = copy_of(random.Random(12), texts[45], org="第九十九党支部")
    found = index_text(source_type=MEETING, source_id=5000, org_path=org(5000), text=copied)
    assert [m.source_id for m in found] == [45]
    # bulk_index replaces what was indexed before for the same source
    assert bulk_index([(MEETING, 45, org(45), texts[46], None)]) == 1
    assert TextFingerprint.objects.unscoped().filter(source_id=45).count() == 1


def test_s_curve_finds_06_and_rarely_03():
    assert minhash.candidate_probability(0.6) >= 0.99
    assert minhash.candidate_probability(0.8) > 0.9999
    assert minhash.candidate_probability(0.3) < 0.25
    assert minhash.candidate_probability(0.1) < 0.005


def test_signature_estimates_jaccard():
    rng = random.Random(21)
    a = minutes(rng)
    b = copy_of(rng, a)
    sa, sb = shingles(a), shingles(b)
    exact = jaccard(sa, sb)
    est = minhash.estimate(minhash.signature(sa), minhash.signature(sb))
    assert abs(exact - est) < 0.15
    keys = minhash.band_keys(minhash.signature(sa))
    assert len(keys) == minhash.BANDS
    assert all(-(2**63) <= k < 2**63 for k in keys)
