from django.db import migrations

from portal.roles import sync_role_groups


class Migration(migrations.Migration):
    """Role groups get the permissions of minutes, documents and invitations (portal.roles)."""

    dependencies = [("meetings", "0003_minutes_documents_feeds")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
