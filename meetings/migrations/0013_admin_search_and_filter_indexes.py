from django.db import migrations, models

from portal.search_indexes import AddTrigramSearchIndex


class Migration(migrations.Migration):
    # The admin searches (commitments by description, meetings by title or venue).
    dependencies = [
        ("meetings", "0012_reminder_scan_partial_indexes"),
    ]

    operations = [
        AddTrigramSearchIndex("commitment", "description", name="commitment_description_trgm"),
        AddTrigramSearchIndex("meeting", "title", name="meeting_title_trgm"),
        AddTrigramSearchIndex("meeting", "venue", name="meeting_venue_trgm"),
        # The admin's owner and overdue filters.
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "in_progress"])),
                fields=["owner", "due_date"],
                name="commitment_open_owner_due",
            ),
        ),
    ]
