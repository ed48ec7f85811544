from django.db import migrations

TOPICS = ["二十大精神", "党章党规", "党内条例", "党史学习", "理论武装", "业务知识"]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("study", "Topic")
    for sort, name in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(name=name, defaults={"sort": sort})


class Migration(migrations.Migration):
    dependencies = [("study", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
