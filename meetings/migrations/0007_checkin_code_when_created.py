import portal.models
from django.db import migrations, models


def give_every_meeting_a_code(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    for meeting in Meeting.objects.filter(checkin_code=""):
        meeting.checkin_code = portal.models.new_checkin_code()
        meeting.save(update_fields=["checkin_code"])


class Migration(migrations.Migration):
    """A meeting has its check-in code from the start (the check-in screen only reads it)."""

    dependencies = [
        ('meetings', '0006_commitment_update_submission_key'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalmeeting',
            name='checkin_code',
            field=models.CharField(default=portal.models.new_checkin_code, max_length=12, verbose_name='check-in code'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='checkin_code',
            field=models.CharField(default=portal.models.new_checkin_code, max_length=12, verbose_name='check-in code'),
        ),
        migrations.RunPython(give_every_meeting_a_code, migrations.RunPython.noop),
    ]
