"""Existing accounts start their password age at the upgrade, so nobody expires at once."""

from django.db import migrations
from django.utils import timezone


def start_password_age(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(password_changed_at__isnull=True).update(password_changed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_password_policy")]

    operations = [migrations.RunPython(start_password_age, migrations.RunPython.noop)]
