"""What the meetings and trainings apps declare reaches the core (portal.registry)."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from portal.models import ReminderSettings, ReminderValue
from portal.registry import reminder_days, reminder_value
from portal.roles import sync_role_groups


def group_permissions(role: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_role_groups_get_the_meetings_and_trainings_permissions(db):
    sync_role_groups()

    assert "meetings.add_meeting" in group_permissions("camat")
    assert "trainings.change_training" in group_permissions("training_organiser")
    assert "meetings.add_meeting" not in group_permissions("tpk")


def test_the_menu_lists_the_apps_in_their_declared_order(client, dppkb):
    client.force_login(dppkb)

    keys = [item["key"] for item in client.get(reverse("portal:dashboard")).context["nav_items"]]

    order = [keys.index(key) for key in ("dashboard", "meetings", "my-commitments", "trainings", "audits")]
    assert order == sorted(order) and order[0] == 0 and keys[-2:] == ["organisations", "admin"]


def test_each_role_sees_the_meetings_and_trainings_it_may_use(client, camat_a):
    client.force_login(camat_a)

    keys = [item["key"] for item in client.get("/").context["nav_items"]]

    assert "meetings" in keys and "trainings" in keys and "admin" not in keys


def test_meeting_and_training_pages_need_a_login(client, demo):
    for url in ("/meetings/", "/trainings/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_admin_edits_the_reminder_lead_times(admin_client, db):
    response = admin_client.get("/admin/portal/remindersettings/")
    assert response.status_code == 302
    form = admin_client.get(response["Location"]).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data |= {"meetings__commitment_lead_days": "14,7,1", "quiet_start": "22:00", "quiet_end": "05:30"}
    data = {k: ("" if v is None else v) for k, v in data.items()}

    admin_client.post(response["Location"], data)

    cfg = ReminderSettings.load()
    assert reminder_days("meetings", "commitment_lead_days") == [14, 7, 1] and cfg.quiet_start.hour == 22


def test_bad_lead_times_get_a_field_error(admin_client, db):
    url = f"/admin/portal/remindersettings/{ReminderSettings.load().pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in ((n, form.initial.get(n)) for n in form.fields)}

    response = admin_client.post(url, data | {"meetings__commitment_lead_days": "7,three"})

    assert "meetings__commitment_lead_days" in response.context["adminform"].form.errors
    assert not ReminderValue.objects.exists()
    assert reminder_days("meetings", "commitment_lead_days") == [7, 3, 1, 0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_the_admins_lead_times_over_to_the_apps_options():
    before = [
        ("portal", "0005_reminder_values"),
        ("meetings", "0004_role_permissions"),
        ("trainings", "0003_attendance_label"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("portal", "ReminderSettings").objects.create(
        commitment_lead_days="14, 2", escalation_days=4, meeting_hours_before=5, training_start_days=6
    )

    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

        assert reminder_days("meetings", "commitment_lead_days") == [14, 2]
        assert reminder_value("meetings", "escalation_days") == 4
        assert reminder_value("meetings", "meeting_hours_before") == 5
        assert reminder_value("meetings", "overdue_days") == 1
        assert reminder_value("trainings", "training_start_days") == 6
    finally:
        call_command("migrate", verbosity=0)
