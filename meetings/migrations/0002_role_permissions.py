from django.db import migrations

from portal.roles import sync_role_groups


class Migration(migrations.Migration):
    """Give the role groups their meetings permissions (listed in portal.roles)."""

    dependencies = [("meetings", "0001_initial"), ("portal", "0003_notification_outbox")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
