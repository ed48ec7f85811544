"""`dangjian backup` / `dangjian restore`: a restored database is identical to the original
(row counts and checksums of every table), on SQLite and on PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from tests.conftest import member_data

from dangjian.core.backup import fingerprint
from dangjian.members import services
from dangjian.members.models import Member

# the dump tools are other processes: they see committed data only
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_restored_database_is_identical(tree, tmp_path):
    original = fingerprint()
    assert original["members_member"][0] == 10
    path = tmp_path / "dangjian.backup"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert path.stat().st_size > 0 and "已备份" in out.getvalue()

    # change things after the backup: a new member, an edit, a deletion
    services.member_create(actor=None, branch=tree.branch_a, name="新来", **member_data())
    services.member_update(actor=None, member=tree.members_a[0], unit_post="科长")
    Member.all_objects.filter(pk=tree.members_c[1].pk).delete()
    assert fingerprint() != original

    call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert fingerprint() == original


def test_restore_refuses_what_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"not a database at all")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), "--yes")
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "missing"), "--yes")
