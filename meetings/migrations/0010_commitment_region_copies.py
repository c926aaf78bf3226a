"""Copies of the meeting's and the owner's region on each commitment, so the visibility rule
reads one table with an index per arm (issue 13), and partial indexes on open items."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE meetings_commitment SET
    meeting_region_id = (SELECT region_id FROM meetings_meeting WHERE meetings_meeting.id = meetings_commitment.meeting_id),
    owner_region_id = (SELECT region_id FROM portal_organisation WHERE portal_organisation.id = meetings_commitment.owner_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_attendance_from_rsvp"),
        ("portal", "0009_background_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="meeting_region",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.region",
                verbose_name="meeting's region",
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="owner_region",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.region",
                verbose_name="responsible organisation's region",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="commitment",
            name="meeting_region",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.region",
                verbose_name="meeting's region",
            ),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="owner_region",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.region",
                verbose_name="responsible organisation's region",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["meeting_region"], name="commitment_meeting_region", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["owner_region"], name="commitment_owner_region", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "in_progress"])),
                fields=["meeting_region", "due_date"],
                name="commitment_open_meeting_region",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "in_progress"])),
                fields=["owner_region", "due_date"],
                name="commitment_open_owner_region",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ),
    ]
