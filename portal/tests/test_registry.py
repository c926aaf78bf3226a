"""The core collects what each app declares in its AppConfig (portal.registry)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.models import ReminderValue
from portal.registry import NavEntry, ReminderOption, reminder_days, reminder_value, role_permissions
from portal.roles import permissions_by_role, sync_role_groups

OPTIONS = [
    ReminderOption("stage_days", "stage reminder (days before)", default=5, maximum=30),
    ReminderOption("ladder", "ladder (days before)", default=(9, 2)),
]


def nav_entries(user) -> list[NavEntry]:
    return [NavEntry("Early", "/early/", "early", order=1), NavEntry("Late", "/late/", "late", order=999)]


@pytest.fixture
def new_app(monkeypatch):
    """An installed app declaring permissions, menu entries and reminder options, as a new app would."""
    config = apps.get_app_config("staticfiles")
    monkeypatch.setattr(config, "role_permissions", {"tim_pakar": ["portal.view_user"]}, raising=False)
    monkeypatch.setattr(config, "navigation", f"{__name__}.nav_entries", raising=False)
    monkeypatch.setattr(config, "reminder_options", f"{__name__}.OPTIONS", raising=False)
    return config


def group_permissions(role: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_role_group_holds_exactly_the_core_and_the_apps_permissions(db):
    sync_role_groups()

    wanted = permissions_by_role()
    for role, names in wanted.items():
        assert group_permissions(role) == set(names), role
    assert any(name.split(".")[0] != "portal" for names in wanted.values() for name in names)


def test_a_new_apps_role_permissions_reach_the_groups_without_a_core_change(db, new_app):
    assert "portal.view_user" in role_permissions()["tim_pakar"]

    sync_role_groups()

    assert "portal.view_user" in group_permissions("tim_pakar")


def test_the_menu_shows_the_dashboard_then_the_apps_by_order_then_the_core(client, dppkb, new_app):
    client.force_login(dppkb)

    keys = [item["key"] for item in client.get(reverse("portal:dashboard")).context["nav_items"]]

    assert keys[:2] == ["dashboard", "early"] and keys[-3:] == ["late", "organisations", "admin"]
    assert len(keys) > 5  # the installed apps' own entries stand between


def test_an_unset_reminder_option_has_its_default_and_a_stored_one_wins(db, new_app):
    assert reminder_value("staticfiles", "stage_days") == 5
    assert reminder_days("staticfiles", "ladder") == [9, 2]

    ReminderValue.objects.create(app_label="staticfiles", name="stage_days", value="12")
    ReminderValue.objects.create(app_label="staticfiles", name="ladder", value="1,14,1")

    assert reminder_value("staticfiles", "stage_days") == 12
    assert reminder_days("staticfiles", "ladder") == [14, 1]


def test_the_admin_edits_a_new_apps_reminder_options_on_the_core_settings_page(admin_client, new_app):
    response = admin_client.get(reverse("admin:portal_remindersettings_changelist"))
    url = response["Location"]
    form = admin_client.get(url).context["adminform"].form
    data = {name: ("" if form.initial.get(name) is None else form.initial.get(name)) for name in form.fields}

    admin_client.post(url, data | {"staticfiles__stage_days": "20"})
    refused = admin_client.post(url, data | {"staticfiles__stage_days": "31"})

    assert "staticfiles__stage_days" in refused.context["adminform"].form.errors
    assert reminder_value("staticfiles", "stage_days") == 20


def test_the_reminder_settings_list_checks_the_right_and_writes_nothing(
    client, admin_client, django_user_model
):
    from portal.models import ReminderSettings

    staff = django_user_model.objects.create_user("staf", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:portal_remindersettings_changelist")).status_code == 403

    response = admin_client.get(reverse("admin:portal_remindersettings_changelist"))
    assert response.status_code == 302
    assert admin_client.get(response["Location"]).status_code == 200
    assert not ReminderSettings.objects.exists()
