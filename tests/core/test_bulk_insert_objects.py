"""core.bulk.insert_objects: new rows as bulk_create writes them (keys on the instances,
defaults and JSON as the ORM stores them), keys never reused, errors as Django's. (That it
refuses to run outside a transaction cannot be seen here: every test runs inside one.)"""

import pytest
from django.db import IntegrityError, transaction

from dangjian.core.bulk import insert_objects
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.notify.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def test_rows_and_keys_as_the_orm_writes_them():
    entries = [
        AuditEntry(action="bench.test", object_repr=f"第{i}条", changes={"字段": [i, "值"]})
        for i in range(3)
    ]
    with transaction.atomic():
        insert_objects(AuditEntry, entries)
    assert all(e.pk for e in entries)
    assert len({e.pk for e in entries}) == 3
    stored = {e.pk: e for e in AuditEntry.objects.filter(action="bench.test")}
    for entry in entries:
        row = stored[entry.pk]
        assert row.changes == entry.changes
        assert row.object_repr == entry.object_repr
        assert row.at == entry.at  # the default, set once and stored as given


def test_keys_are_never_reused_after_a_delete(personas):
    def note(title):
        return Notification(user=personas.member_a, kind=NotificationKind.values[0], title=title)

    with transaction.atomic():
        first = insert_objects(Notification, [note("甲"), note("乙")])
    top = max(n.pk for n in first)
    Notification.objects.filter(pk=top).delete()
    with transaction.atomic():
        (again,) = insert_objects(Notification, [note("丙")])
    assert again.pk > top
    assert Notification.objects.get(pk=again.pk).title == "丙"


def test_raises_integrity_errors_as_django_does(tree):
    twin = Member.objects.unscoped().get(pk=tree.members_a[0].pk)
    twin.pk = None  # the same ID number's digest: refused by the unique constraint
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_objects(Member, [twin])
