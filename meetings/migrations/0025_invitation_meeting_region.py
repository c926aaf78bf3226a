"""A copy of the meeting's region on each invitation, in the office's invitation index, so the
meetings an office is invited to outside the user's regions are told from the index alone
(Meeting.visible_to; issue 13). Nullable: the previous version's processes, still running
while the upgrade migrates, write invitations without it."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE meetings_invitation SET meeting_region_id = meetings_meeting.region_id
FROM meetings_meeting WHERE meetings_meeting.id = meetings_invitation.meeting_id
"""
FILL_HISTORY = """
UPDATE meetings_historicalinvitation SET meeting_region_id = meetings_meeting.region_id
FROM meetings_meeting WHERE meetings_meeting.id = meetings_historicalinvitation.meeting_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0024_meeting_draft_start_end"),
        ("portal", "0018_notification_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalinvitation",
            name="meeting_region",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="portal.region",
                verbose_name="meeting's region",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="meeting_region",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.region",
                verbose_name="meeting's region",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.RunSQL(FILL_HISTORY, migrations.RunSQL.noop, elidable=False),
        migrations.RemoveIndex(model_name="invitation", name="invitation_org_meeting"),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                fields=["organisation", "meeting"],
                include=("meeting_region",),
                name="invitation_org_meeting_region",
            ),
        ),
    ]
