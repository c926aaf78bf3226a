from django.db import migrations


class Migration(migrations.Migration):
    """The apps' lead times leave ReminderSettings: each app copied its values into
    ReminderValue rows first (their migrations run before this one)."""

    dependencies = [("portal", "0005_reminder_values")]

    operations = [
        migrations.RemoveField(model_name="remindersettings", name=name)
        for name in (
            "commitment_lead_days",
            "overdue_days",
            "escalation_days",
            "meeting_days_before",
            "meeting_hours_before",
            "rsvp_nudge_days_before",
            "training_closing_days",
            "training_start_days",
        )
    ]
