from django.db import migrations

from portal.roles import sync_role_groups


class Migration(migrations.Migration):
    """One Django group per role, with the permissions listed in portal.roles."""

    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
