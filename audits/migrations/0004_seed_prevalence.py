"""The domain brief's published prevalence figures (national always; a province or kabupaten
only if its region is already imported: `seed_demo` and `manage.py seed_prevalence` add the
rest once the regions are in)."""

from django.db import migrations


def seed(apps, schema_editor):
    from audits.models.prevalence import seed_prevalence

    seed_prevalence(apps.get_model("audits", "PrevalenceRecord"), apps.get_model("portal", "Region"))


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_prevalence_record")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
