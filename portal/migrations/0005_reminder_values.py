from django.db import migrations, models


class Migration(migrations.Migration):
    """The generic store of the apps' reminder options (portal.registry.ReminderOption)."""

    dependencies = [("portal", "0004_reminders_engine")]

    operations = [
        migrations.CreateModel(
            name="ReminderValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("app_label", models.CharField(max_length=100, verbose_name="app")),
                ("name", models.CharField(max_length=100, verbose_name="option")),
                ("value", models.CharField(max_length=200, verbose_name="value")),
            ],
            options={
                "verbose_name": "reminder option value",
                "verbose_name_plural": "reminder option values",
                "constraints": [
                    models.UniqueConstraint(fields=("app_label", "name"), name="remindervalue_unique_option")
                ],
            },
        ),
    ]
