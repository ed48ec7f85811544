"""Copied minutes (anti-formalism, issue #5 item 4): minutes that are near-duplicates of
another branch's minutes. The similarity app does the finding (character 5-grams, MinHash,
LSH buckets in the database, shared study texts ignored); this module connects it to meetings:

- `check_minutes(meeting)` runs when a meeting's minutes are recorded or corrected (inside
  the service's transaction): the minutes are (re-)indexed and every earlier near-duplicate
  from another org becomes a `CopiedMinutes` pair;
- `sweep(meetings)` indexes many meetings at once and finds their pairs (the demo, a rebuild:
  `dangjian index_minutes`);
- `pairs_visible_to(user)` and `access_pair` are the reads: a pair shows only when the user
  may see both meetings (member.view), so nobody reads another unit's minutes through it.
"""

from __future__ import annotations

from django.db import connection

from dangjian.core.access import deny, scope_q
from dangjian.core.permissions import Cap
from dangjian.orglife.models import CopiedMinutes, Meeting
from dangjian.similarity import services as similarity
from dangjian.similarity.models import LshBucket, TextFingerprint
from dangjian.similarity.passages import shared_passages

SOURCE_TYPE = "orglife.meeting"


def _record(meeting_id: int, path: str, matches) -> int:
    made = 0
    sources = {
        m.source_id: m
        for m in matches
        if m.source_type == SOURCE_TYPE and m.source_id != meeting_id
    }
    if not sources:
        return 0
    paths = dict(Meeting.all_objects.filter(pk__in=list(sources)).values_list("pk", "org_path"))
    for source_id, match in sources.items():
        if source_id not in paths:
            continue
        _, created = CopiedMinutes.all_objects.update_or_create(
            meeting_id=meeting_id,
            source_id=source_id,
            defaults={
                "org_path": path,
                "source_path": paths[source_id],
                "similarity": match.similarity,
            },
        )
        made += created
    return made


def check_minutes(meeting: Meeting) -> int:
    """Index the meeting's minutes and record the earlier near-duplicates from other orgs.
    Returns the number of new pairs. Replaces the meeting's earlier pairs (the text changed)."""
    CopiedMinutes.all_objects.filter(meeting=meeting).delete()
    matches = similarity.index_text(
        source_type=SOURCE_TYPE,
        source_id=meeting.pk,
        org_path=meeting.org_path,
        text=meeting.minutes or "",
        created=meeting.starts_at,
    )
    return _record(meeting.pk, meeting.org_path, matches)


def sweep(meetings) -> int:
    """Index many meetings at once (bulk), mark the shared study texts, then find the pairs
    among them: only texts that share an LSH bucket are compared. Returns the pairs made.
    The later meeting of a pair is the copy (`meeting`), the earlier its `source`."""
    rows = [
        (SOURCE_TYPE, m.pk, m.org_path, m.minutes or "", m.starts_at) for m in meetings if m.minutes
    ]
    similarity.bulk_index(rows)
    similarity.refresh_frequent_bands()
    b, f = LshBucket._meta.db_table, TextFingerprint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT fa.source_id FROM {b} x "
            f"JOIN {b} y ON y.band = x.band AND y.key = x.key "
            f"AND y.fingerprint_id <> x.fingerprint_id "
            f"JOIN {f} fa ON fa.id = x.fingerprint_id "
            f"JOIN {f} fb ON fb.id = y.fingerprint_id "
            f"WHERE fa.source_type = %s AND fb.source_type = %s AND fa.org_path <> fb.org_path",
            [SOURCE_TYPE, SOURCE_TYPE],
        )
        candidates = [int(r[0]) for r in cursor.fetchall()]
    starts = dict(Meeting.all_objects.filter(pk__in=candidates).values_list("pk", "starts_at"))
    paths = dict(Meeting.all_objects.filter(pk__in=candidates).values_list("pk", "org_path"))
    made = 0
    for meeting_id in candidates:
        later = [
            m
            for m in similarity.similar_to(SOURCE_TYPE, meeting_id)
            if m.source_id in starts and starts[m.source_id] <= starts[meeting_id]
        ]
        made += _record(meeting_id, paths[meeting_id], later)
    return made


def pairs_visible_to(user):
    """The pairs whose two meetings the user may see, most similar first."""
    q_meeting = scope_q(user, Cap.MEMBER_VIEW, "org_path")
    q_source = scope_q(user, Cap.MEMBER_VIEW, "source_path")
    return (
        CopiedMinutes.objects.unscoped()
        .filter(q_meeting)
        .filter(q_source)
        .select_related("meeting__org", "source__org")
        .order_by("-similarity", "-id")
    )


def access_pair(user, pair_id) -> CopiedMinutes:
    try:
        pair_id = int(pair_id)
    except (TypeError, ValueError):
        raise deny() from None
    pair = pairs_visible_to(user).filter(pk=pair_id).first()
    if pair is None:
        raise deny()
    return pair


def marked(text_a: str, text_b: str) -> tuple[list, list]:
    """Both texts cut into (text, shared?) pieces, for marking the shared passages."""
    spans = shared_passages(text_a, text_b)

    def pieces(text: str, ranges: list[tuple[int, int]]):
        out, at = [], 0
        for start, end in sorted(ranges):
            if start > at:
                out.append((text[at:start], False))
            out.append((text[max(start, at) : end], True))
            at = max(at, end)
        if at < len(text):
            out.append((text[at:], False))
        return out

    return pieces(text_a, [a for a, _ in spans]), pieces(text_b, [b for _, b in spans])
