"""Names with Latin letters (阿依古丽·Mary, John) now keep those letters in their search keys."""

from django.db import migrations


def recompute(apps, schema_editor):
    from dangjian.members.pinyin import pinyin_keys

    Member = apps.get_model("members", "Member")
    rows = Member._default_manager.filter(name__regex=r"[A-Za-z]").only("id", "name")
    for member in rows.iterator():
        full, initials = pinyin_keys(member.name)
        Member._default_manager.filter(pk=member.pk).update(
            name_pinyin=full, name_initials=initials
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0006_abroad")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
