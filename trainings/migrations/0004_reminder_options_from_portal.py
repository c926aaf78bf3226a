from django.db import migrations

# The trainings' lead times that were fields of portal's ReminderSettings.
NAMES = ["training_closing_days", "training_start_days"]


def copy_to_reminder_values(apps, schema_editor):
    ReminderSettings = apps.get_model("portal", "ReminderSettings")
    ReminderValue = apps.get_model("portal", "ReminderValue")
    for cfg in ReminderSettings.objects.all()[:1]:
        for name in NAMES:
            ReminderValue.objects.update_or_create(
                app_label="trainings", name=name, defaults={"value": str(getattr(cfg, name))}
            )


def copy_back(apps, schema_editor):
    ReminderSettings = apps.get_model("portal", "ReminderSettings")
    ReminderValue = apps.get_model("portal", "ReminderValue")
    stored = dict(ReminderValue.objects.filter(app_label="trainings").values_list("name", "value"))
    for cfg in ReminderSettings.objects.all()[:1]:
        for name in NAMES:
            if name in stored:
                setattr(cfg, name, int(stored[name]))
        cfg.save()


class Migration(migrations.Migration):
    """The admin's training lead times move to the trainings' reminder options."""

    dependencies = [("trainings", "0003_attendance_label"), ("portal", "0005_reminder_values")]
    run_before = [("portal", "0006_app_lead_times_leave_reminder_settings")]

    operations = [migrations.RunPython(copy_to_reminder_values, copy_back)]
