"""Django admin of the core (regions, organisations, users with their roles) names every input:
the roles inline shows labels only as column headings, so each cell carries its column's name."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .labels import unlabelled_controls


@pytest.mark.parametrize(
    "url_name, obj",
    [
        ("admin:portal_user_change", "camat"),
        ("admin:portal_user_add", None),
        ("admin:portal_organisation_change", "organisation"),
        ("admin:portal_organisation_add", None),
        ("admin:portal_region_change", "region"),
    ],
)
def test_every_input_of_the_core_admin_forms_has_a_label(admin_client, camat_a, url_name, obj):
    pk = {"camat": camat_a.pk, "organisation": camat_a.organisation_id, "region": "63.05"}.get(obj)
    response = admin_client.get(reverse(url_name, args=[pk] if pk else []))
    assert response.status_code == 200
    assert unlabelled_controls(response.content.decode()) == []


def test_each_role_cell_is_named_after_its_column(admin_client, camat_a):
    page = admin_client.get(reverse("admin:portal_user_change", args=[camat_a.pk])).content.decode()
    role = re.search(r'<select[^>]*name="roles-0-role"[^>]*>', page).group(0)
    assert 'aria-label="Peran"' in role


def test_the_core_changelists_show_human_headings(admin_client, camat_a):
    users = admin_client.get(reverse("admin:portal_user_changelist")).content.decode()
    assert camat_a.full_name in users and ">Nama lengkap</a>" in users and ">full_name<" not in users
    organisations = admin_client.get(reverse("admin:portal_organisation_changelist")).content.decode()
    assert unlabelled_controls(users) == [] and unlabelled_controls(organisations) == []
