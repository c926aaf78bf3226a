"""django-simple-history's history list and history form are scoped like the changelist, and
reverting (saving an old version back) is for superusers only."""

from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from .adminforms import form_data, history_form_url

pytestmark = pytest.mark.django_db


def test_dppkb_admin_cannot_make_himself_superuser_through_the_history_form(client, dppkb):
    client.force_login(dppkb)
    url = history_form_url(dppkb)

    page = client.get(url)
    data = {**form_data(page.context["adminform"].form), "is_superuser": "on", "is_staff": "on"}
    response = client.post(url, data)

    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert response.status_code == 403
    dppkb.refresh_from_db()
    assert not dppkb.is_superuser


def test_history_of_a_person_outside_the_kabupaten_is_not_found(client, dppkb, demo):
    from .factories import person

    stranger = person("camat.tala", region="63.01.01", email="camat@tanahlaut.example")
    client.force_login(dppkb)

    listing = client.get(reverse("admin:portal_user_history", args=[stranger.pk]))
    form = client.get(history_form_url(stranger))

    assert listing.status_code == 404
    assert form.status_code == 404
    assert "camat@tanahlaut.example" not in form.content.decode()


def test_a_non_numeric_history_id_is_not_found(client, dppkb, demo):
    organisation = demo.orgs["dppkb"]
    client.force_login(dppkb)

    response = client.get(f"{reverse('admin:portal_organisation_history', args=[organisation.pk])}abc/")

    assert response.status_code == 404


def test_history_of_another_kabupatens_organisation_is_not_found(client, dppkb, demo):
    organisation = demo.orgs["tpps_tanahlaut"]
    client.force_login(dppkb)

    listing = client.get(reverse("admin:portal_organisation_history", args=[organisation.pk]))
    form = client.get(history_form_url(organisation))

    assert (listing.status_code, form.status_code) == (404, 404)


def test_every_admin_of_the_apps_is_scoped():
    """A new ModelAdmin must start from the scoped base (the reminder settings are one global row)."""
    from django.contrib import admin

    from portal.notifications.admin import ReminderSettingsAdmin
    from portal.scoped_admin import ScopedAdminMixin

    from .test_layout import ROOT

    ours = {c.label for c in apps.get_app_configs() if Path(c.path).parent == ROOT}
    unscoped = [
        type(model_admin).__name__
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ours
        and not isinstance(model_admin, ScopedAdminMixin | ReminderSettingsAdmin)
    ]
    assert len(ours) > 1
    assert unscoped == []
