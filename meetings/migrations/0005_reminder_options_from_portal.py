from django.db import migrations

# The meetings' lead times that were fields of portal's ReminderSettings.
NAMES = [
    "commitment_lead_days",
    "overdue_days",
    "escalation_days",
    "meeting_days_before",
    "meeting_hours_before",
    "rsvp_nudge_days_before",
]


def copy_to_reminder_values(apps, schema_editor):
    ReminderSettings = apps.get_model("portal", "ReminderSettings")
    ReminderValue = apps.get_model("portal", "ReminderValue")
    for cfg in ReminderSettings.objects.all()[:1]:
        for name in NAMES:
            value = str(getattr(cfg, name)).replace(" ", "")
            ReminderValue.objects.update_or_create(app_label="meetings", name=name, defaults={"value": value})


def copy_back(apps, schema_editor):
    ReminderSettings = apps.get_model("portal", "ReminderSettings")
    ReminderValue = apps.get_model("portal", "ReminderValue")
    stored = dict(ReminderValue.objects.filter(app_label="meetings").values_list("name", "value"))
    for cfg in ReminderSettings.objects.all()[:1]:
        for name in NAMES:
            if name in stored:
                setattr(cfg, name, stored[name] if name == "commitment_lead_days" else int(stored[name]))
        cfg.save()


class Migration(migrations.Migration):
    """The admin's meeting and commitment lead times move to the meetings' reminder options."""

    dependencies = [("meetings", "0004_role_permissions"), ("portal", "0005_reminder_values")]
    run_before = [("portal", "0006_app_lead_times_leave_reminder_settings")]

    operations = [migrations.RunPython(copy_to_reminder_values, copy_back)]
