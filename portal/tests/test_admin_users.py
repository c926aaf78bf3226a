"""User admin: only superusers see or grant privileges; roles only within the editor's own
regions and never to themselves; people outside the editor's regions are not found."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal.models import RoleAssignment, User

from .adminforms import add_inline_row, changeform_data
from .factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_manager(dppkb):
    """The DPPKB admin of Tapin, given the right to manage users (as a kabupaten may decide)."""
    codenames = ["change_user", *(f"{a}_roleassignment" for a in ("view", "add", "change", "delete"))]
    dppkb.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=dppkb.pk)


def change_url(user) -> str:
    return reverse("admin:portal_user_change", args=[user.pk])


def test_a_kabupaten_admin_sees_no_privilege_fields_and_cannot_grant_them(client, user_manager, camat_a):
    client.force_login(user_manager)
    page = client.get(change_url(camat_a))
    data = {
        **changeform_data(page),
        "is_superuser": "on",
        "is_staff": "on",
        "groups": ["1"],
        "user_permissions": [str(Permission.objects.get(codename="change_user").pk)],
    }

    response = client.post(change_url(camat_a), data)

    fields = set(page.context["adminform"].form.fields)
    assert not fields & {"is_superuser", "is_staff", "groups", "user_permissions"}
    assert response.status_code == 302
    camat_a.refresh_from_db()
    assert not camat_a.is_superuser and not camat_a.is_staff
    assert not camat_a.user_permissions.exists()


def test_a_kabupaten_admin_cannot_assign_a_role_in_another_kabupaten(client, user_manager, camat_a, demo):
    person("camat.tala", region="63.01.01")  # the kecamatan exists, in Tanah Laut
    client.force_login(user_manager)
    page = client.get(change_url(camat_a))
    data = add_inline_row(changeform_data(page), "roles", role="camat", region="63.01.01", user=camat_a.pk)

    response = client.post(change_url(camat_a), data)

    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=camat_a, region_id="63.01.01").exists()


def test_a_kabupaten_admin_cannot_assign_a_provincial_role(client, user_manager, camat_a, demo):
    client.force_login(user_manager)
    page = client.get(change_url(camat_a))
    data = add_inline_row(
        changeform_data(page), "roles", role="training_organiser", region="63", user=camat_a.pk
    )

    response = client.post(change_url(camat_a), data)

    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=camat_a, role="training_organiser").exists()


def test_a_kabupaten_admin_assigns_a_role_within_the_kabupaten(client, user_manager, camat_a, demo):
    client.force_login(user_manager)
    page = client.get(change_url(camat_a))
    data = add_inline_row(
        changeform_data(page), "roles", role="ketua_pkk", region="63.05.04", user=camat_a.pk
    )

    response = client.post(change_url(camat_a), data)

    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=camat_a, role="ketua_pkk", region_id="63.05.04").exists()


def test_no_one_but_a_superuser_grants_themself_a_role(client, user_manager, demo):
    client.force_login(user_manager)
    page = client.get(change_url(user_manager))
    data = add_inline_row(
        changeform_data(page), "roles", role="notulis", region="63.05", user=user_manager.pk
    )

    client.post(change_url(user_manager), data)

    assert not RoleAssignment.objects.filter(user=user_manager, role="notulis").exists()


def test_people_outside_the_kabupaten_are_not_found(client, user_manager, demo):
    stranger = person("camat.tala", region="63.01.01")
    client.force_login(user_manager)

    change = client.get(change_url(stranger))
    password = client.get(reverse("admin:auth_user_password_change", args=[stranger.pk]))
    history = client.get(reverse("admin:portal_user_history", args=[stranger.pk]))

    assert change.status_code == 302 and change.url == reverse("admin:index")
    assert password.status_code == 404
    assert history.status_code == 404


def test_a_kabupaten_admin_cannot_change_a_superusers_password(client, user_manager, demo):
    boss = User.objects.create_superuser("boss", password="old-password-123")
    RoleAssignment.objects.create(user=boss, role="notulis", region_id="63.05")
    client.force_login(user_manager)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[boss.pk]),
        {"password1": "N3w-pass-word!", "password2": "N3w-pass-word!", "usable_password": "true"},
    )

    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.check_password("old-password-123")


def test_role_organisation_autocomplete_offers_only_the_editors_own_regions(client, user_manager, demo):
    client.force_login(user_manager)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "portal", "model_name": "roleassignment", "field_name": "organisation", "term": ""},
    )

    names = {row["text"] for row in response.json()["results"]}
    assert "Dinas Kesehatan Kabupaten Tapin" in names
    assert "BKKBN Perwakilan Provinsi Kalimantan Selatan" not in names
