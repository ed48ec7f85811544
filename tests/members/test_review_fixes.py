"""Defects found in review of the roster work, each pinned by a test."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import member_data

from dangjian.core import crypto
from dangjian.core.errors import AppError
from dangjian.core.masking import mask_phone
from dangjian.core.models import AuditEntry
from dangjian.members import services
from dangjian.rules import members as member_rules

pytestmark = pytest.mark.django_db


def test_export_never_stores_a_searched_id_number_in_clear(client, tree, personas, settings):
    from dangjian.core.models import ExportJob

    member = tree.members_a[0]
    number = crypto.decrypt(member.id_number_sealed)
    client.force_login(personas.unit_admin)
    response = client.post(f"/members/export/?q={number}", {"fmt": "xlsx", "preset": "national"})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="members.roster.exported").latest("id")
    assert number not in str(entry.changes)
    assert member.id_number_masked in str(entry.changes)
    settings.EXPORT_INLINE_MAX_ROWS = 0  # now as a background job
    client.post(f"/members/export/?q={number}", {"fmt": "xlsx", "preset": "national"})
    job = ExportJob.objects.unscoped().latest("id")
    assert number not in str(job.params)


def test_phone_messages_and_masks_do_not_give_the_number_away():
    findings = member_rules.check({"phone": "1381234567"}, dt.date(2022, 1, 1))
    message = next(f.message for f in findings if f.field == "phone")
    assert "1381234567" not in message and "R-INFO-01" in message
    assert mask_phone("027-87654321") == "027****4321"
    assert mask_phone("13800138000，0719-8123456") == "138****8000, 071****3456"


@pytest.mark.parametrize("query", ["offset=100000000000000000000", "limit=100000000000000000000"])
def test_api_pagination_is_bounded(client, tree, personas, query):
    client.force_login(personas.committee_admin)
    assert client.get(f"/api/members?{query}").status_code == 422
    assert client.get(f"/api/orgs?{query}").status_code == 422


def test_statistics_api_refuses_dates_before_the_party(client, tree, personas):
    client.force_login(personas.committee_admin)
    assert client.get("/api/members/statistics?cutoff=0001-06-01").status_code == 400


def test_import_report_download_is_audited(
    client, tree, personas, tmp_path, django_capture_on_commit_callbacks
):
    from tests.members.test_import_support import roster_row, upload, write_xlsx

    from dangjian.members.models import ImportJob

    path = write_xlsx(tmp_path / "r.xlsx", [roster_row("坏人", **{"加入党组织日期": "1990-01-01"})])
    client.force_login(personas.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path, tree.party_group_a)
    job = ImportJob.objects.unscoped().latest("id")
    assert client.get(f"/members/import/{job.pk}/report/").status_code == 200
    assert AuditEntry.objects.filter(
        action="members.import.report_downloaded", object_id=str(job.pk)
    ).exists()


def test_expired_files_are_purged(tmp_path, settings):
    import os
    import time

    from dangjian.core.retention import purge_expired

    settings.FILE_RETENTION_DAYS = 7
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    assert purge_expired(tmp_path) == 1
    assert not old.exists() and new.exists()


def test_an_edit_never_writes_back_a_branch_changed_meanwhile(tree):
    from dangjian.members.models import Member

    stale = Member.objects.unscoped().get(pk=tree.members_a[0].pk)
    fresh = Member.objects.unscoped().get(pk=stale.pk)
    services.move_to_branch(fresh, tree.branch_b, actor=None, on=dt.date(2022, 1, 1), reason="调动")
    services.member_update(actor=None, member=stale, unit_post="科长")
    stale.refresh_from_db()
    assert stale.branch_id == tree.branch_b.pk and stale.org_path == tree.branch_b.path
    assert stale.unit_post == "科长"


def test_someone_who_left_can_be_registered_again(tree):
    member = tree.members_a[3]
    number = crypto.decrypt(member.id_number_sealed)
    services.member_leave(actor=None, member=member, on=dt.date(2020, 1, 1), reason="withdrew")
    again = services.member_create(
        actor=None,
        branch=tree.branch_b,
        name=member.name,
        **member_data(id_number=number, birth_date=member.birth_date, sex=member.sex),
    )
    assert again.pk != member.pk and again.id_digest == member.id_digest
    with pytest.raises(AppError):  # but only one active record per person
        services.member_create(
            actor=None,
            branch=tree.branch_c,
            name=member.name,
            **member_data(id_number=number, birth_date=member.birth_date, sex=member.sex),
        )


def test_suspension_for_lost_contact_needs_six_months_of_lost_contact(tree):
    """R-EDU-06: only a member out of contact for 6 months or more may be suspended on that
    ground; removal as 自行脱党 comes 2 years after the suspension."""
    member = tree.members_a[1]
    base = {
        "standing": "suspended",
        "suspension_ground": "lost_contact",
        "standing_reason": "失联",
    }
    with pytest.raises(AppError) as exc:
        services.member_update(actor=None, member=member, **base)
    assert any(f == "suspension_ground" and "R-EDU-06" in m for f, m in exc.value.errors)
    with pytest.raises(AppError) as exc:
        services.member_update(
            actor=None,
            member=member,
            lost_contact=True,
            lost_contact_since=dt.date(2022, 1, 1),
            suspended_on=dt.date(2022, 6, 30),
            **base,
        )
    assert any(f == "suspended_on" and "R-EDU-06" in m for f, m in exc.value.errors)
    services.member_update(
        actor=None,
        member=member,
        lost_contact=True,
        lost_contact_since=dt.date(2022, 1, 1),
        suspended_on=dt.date(2022, 7, 1),
        **base,
    )


def test_import_never_moves_a_member_between_branches(
    client, tree, personas, tmp_path, django_capture_on_commit_callbacks
):
    from tests.members.test_import_support import roster_row, upload, write_xlsx

    from dangjian.members.models import ImportJob
    from dangjian.members.transfers import transfer_start

    moved = tree.members_b[0]  # on 第二党支部; the file says 第一党支部
    pending = tree.members_a[4]
    transfer_start(
        actor=None, member=pending, on=dt.date(2024, 1, 1), reason="调动", to_org=tree.branch_b
    )

    def row(member, branch):
        return roster_row(
            member.name,
            branch,
            **{
                "公民身份号码": crypto.decrypt(member.id_number_sealed),
                "出生日期": member.birth_date,
                "性别": member.get_sex_display(),
                "加入党组织日期": member.joined_on,
                "转为正式党员日期": member.converted_on,
                "人员类别": member.get_category_display(),
            },
        )

    path = write_xlsx(tmp_path / "r.xlsx", [row(moved, "第一党支部"), row(pending, "第一党支部")])
    client.force_login(personas.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path, tree.party_group_a)
    job = ImportJob.objects.unscoped().latest("id")
    problems = [e["problem"] for e in job.errors]
    assert job.status == "invalid"
    assert any("组织关系转接（R-EDU-12）" in p and "第二党支部" in p for p in problems)
    assert any("待接收的组织关系转接" in p for p in problems)


def test_retired_members_count_as_retired_whatever_their_post(tree, personas):
    from django.utils import timezone

    from dangjian.members.statistics import member_statistics, statistics_sections

    member = tree.members_a[0]  # in service, post 0110 公务员
    services.member_update(actor=None, member=member, employment="retired")  # post unchanged

    def retired_count():
        stats = member_statistics(
            personas.secretary_a, tree.branch_a, timezone.localdate(), "year_end"
        )
        section = next(s for s in statistics_sections(stats) if s.key == "occupation")
        return next(row[1] for row in section.rows if row[0] == "离退休人员")

    assert retired_count() == 1


def test_the_attention_filter_agrees_with_the_member_page_every_day(tree):
    """attention_q (one database filter) and member_findings (the rules, member by member)
    must agree on every day, month ends and leap days included; R-EDU-12 (away 6 months) is
    a note on the page, not a deadline in the filter."""
    from dangjian.members.models import Member
    from dangjian.members.selectors import attention_q, member_findings

    a, b, c, d, e = tree.members_a
    services.member_update(
        actor=None, member=a, lost_contact=True, lost_contact_since=dt.date(2023, 8, 31)
    )
    services.member_update(
        actor=None,
        member=b,
        lost_contact=True,
        lost_contact_since=dt.date(2021, 1, 31),
        standing="suspended",
        suspension_ground="lost_contact",
        standing_reason="失联",
        suspended_on=dt.date(2022, 2, 28),
    )
    services.member_update(
        actor=None,
        member=c,
        mobile=True,
        mobile_destination="广东省深圳市",
        mobile_since=dt.date(2023, 5, 31),
    )
    services.member_update(
        actor=None,
        member=d,
        mobile=True,
        mobile_destination="北京市",
        mobile_since=dt.date(2022, 12, 31),
    )
    services.member_record_contact(actor=None, member=d, on=dt.date(2023, 8, 31))
    e.joined_on, e.probation_extension_months = dt.date(2023, 2, 28), 6  # probationary 钱七
    Member.all_objects.filter(pk=e.pk).update(joined_on=e.joined_on, probation_extension_months=6)
    studying, settled = tree.members_b[:2]
    services.member_update(
        actor=None, member=studying, abroad_purpose="study", abroad_since=dt.date(2019, 2, 28)
    )
    services.member_update(
        actor=None, member=settled, abroad_purpose="settle", abroad_since=dt.date(2024, 3, 1)
    )
    ids = [m.pk for m in [*tree.members_a, studying, settled]]
    members = list(Member.objects.unscoped().filter(pk__in=ids))
    seen = set()
    day = dt.date(2023, 9, 1)
    while day <= dt.date(2024, 10, 1):
        flagged = set(
            Member.objects.unscoped()
            .filter(attention_q(day), pk__in=ids)
            .values_list("pk", flat=True)
        )
        expected = {
            m.pk for m in members if any(f.rule_id != "R-EDU-12" for f in member_findings(m, day))
        }
        assert flagged == expected, day
        seen.add(frozenset(flagged))
        day += dt.timedelta(days=1)
    assert len(seen) > 5  # the flagged set really changes over the year


def test_uploaded_rosters_are_sealed_at_rest(
    client, tree, personas, tmp_path, django_capture_on_commit_callbacks
):
    """The stored upload holds every ID number in clear inside the xlsx: on disk it is
    sealed (SM4-GCM), readable only through files.opened(), and altering it is detected."""
    from tests.members.test_import_support import roster_row, upload, write_xlsx

    from dangjian.members.imports import files
    from dangjian.members.models import ImportJob

    row = roster_row("欧阳修")
    path = write_xlsx(tmp_path / "r.xlsx", [row])
    client.force_login(personas.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path, tree.party_group_a)
    job = ImportJob.objects.unscoped().latest("id")
    assert job.status == "ready"
    stored = files.stored_path(job.stored_name).read_bytes()
    # sealed: no zip local-file header in the clear (two random bytes may well read "PK")
    assert stored.startswith(crypto.FILE_MAGIC) and b"PK\x03\x04" not in stored
    assert row[3].encode() not in stored
    with files.opened(job.stored_name) as clear:
        assert clear.read_bytes() == path.read_bytes()
    assert not clear.exists()  # the clear copy lives only while it is read
    files.stored_path(job.stored_name).write_bytes(stored[:-1] + bytes([stored[-1] ^ 1]))
    with pytest.raises(FileNotFoundError), files.opened(job.stored_name):
        pass


@pytest.mark.parametrize("q", ["\U0010ffff", "张\ud7ff", "\ud7ff", "Ｚ", "·"])
def test_odd_characters_in_a_search_never_crash(client, tree, personas, q):
    client.force_login(personas.unit_admin)
    assert client.get("/members/", {"q": q}).status_code == 200
    assert client.get("/api/members", {"q": q}).status_code == 200


def test_latin_names_are_found_by_their_letters(client, tree, personas):
    for name in ["阿依古丽·Mary", "Mary·Ann"]:
        services.member_create(
            actor=None, branch=tree.branch_a, name=name, **member_data(sex="female")
        )
    client.force_login(personas.unit_admin)
    for q, expected in [
        ("Mary", ["Mary·Ann"]),
        ("ma", ["Mary·Ann"]),
        ("ayigulimary", ["阿依古丽·Mary"]),
        ("aygl", ["阿依古丽·Mary"]),
    ]:
        names = [m.name for m in client.get("/members/", {"q": q}).context["page"]]
        assert names == expected, q


def test_editing_a_suspended_member_keeps_an_unknown_suspension_date_unknown(tree):
    from dangjian.members.models import Member

    member = tree.members_a[1]
    Member.all_objects.filter(pk=member.pk).update(
        standing="suspended", suspension_ground="other", standing_reason="其他"
    )
    member.refresh_from_db()
    services.member_update(actor=None, member=member, unit_post="科员")
    member.refresh_from_db()
    assert member.suspended_on is None and member.unit_post == "科员"
