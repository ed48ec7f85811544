"""shared_passages marks what two texts share, in the original texts' positions."""

from __future__ import annotations

import random

from dangjian.similarity.passages import shared_passages
from dangjian.similarity.synthetic import minutes

PARAGRAPH = (
    "结合窗口服务工作，群众反映办事时间较长，下一步将建立周调度机制，"
    "要坚持以人民为中心，力争在三个月内使窗口服务取得实效。"
)


def test_marks_the_copied_paragraph_in_both_texts():
    rng = random.Random(1)
    a = minutes(rng, org="第一党支部") + "\n" + PARAGRAPH + "\n" + minutes(rng, org="甲支部")
    b = "本支部认为：" + minutes(rng, org="乙支部") + PARAGRAPH.replace("，", ", ")
    b += minutes(rng, org="丙支部")
    spans = shared_passages(a, b, min_chars=30)
    assert len(spans) == 1
    (sa, ea), (sb, eb) = spans[0]
    # marks run from the first to the last shared character (the final 。 is not compared)
    assert a[sa:ea] == PARAGRAPH[:-1]
    assert b[sb:eb] == PARAGRAPH.replace("，", ", ")[:-1]


def test_finds_reordered_paragraphs():
    rng = random.Random(2)
    paras = [minutes(rng).split("\n")[5] for _ in range(3)]
    a = "\n".join(paras)
    b = "\n".join(reversed(paras))
    spans = shared_passages(a, b)
    assert sorted(a[s:e] for (s, e), _ in spans) == sorted(p.rstrip("。") for p in paras)
    for (s_a, e_a), (s_b, e_b) in spans:
        assert a[s_a:e_a] == b[s_b:e_b]


def test_short_or_unrelated_texts_share_nothing():
    assert shared_passages("短", "短") == []
    assert shared_passages("今天天气很好我们去公园散步吧", "明日会议改在三楼小会议室召开") == []


def test_long_minutes_are_handled():
    rng = random.Random(3)
    a = "\n".join(minutes(rng) for _ in range(5))  # about 6,000 characters
    b = a[1000:4000] + "\n" + "\n".join(minutes(rng) for _ in range(2))
    spans = shared_passages(a, b, min_chars=12)
    covered = sum(e - s for (s, e), _ in spans)
    assert covered >= 2900
