import pytest
from django.urls import reverse

from portal.models import Organisation, Region, RoleAssignment
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_camat_sees_own_kecamatan_and_its_desa_only(camat_a):
    codes = set(Region.objects.visible_to(camat_a).values_list("code", flat=True))

    assert "63.05.04" in codes
    assert "63.05.04.2005" in codes
    assert "63.05.01" not in codes  # Binuang
    assert "63.05" not in codes  # the kabupaten above is not "under" the camat


def test_dppkb_admin_sees_the_whole_kabupaten(dppkb):
    codes = set(Region.objects.visible_to(dppkb).values_list("code", flat=True))

    assert {"63.05", "63.05.01", "63.05.04", "63.05.04.2005"} <= codes
    assert not any(code.startswith("63.01") for code in codes)


def test_outsider_without_role_sees_nothing(outsider):
    assert not Region.objects.visible_to(outsider).exists()
    assert not Organisation.objects.visible_to(outsider).exists()


def test_camat_sees_organisations_above_and_in_own_kecamatan_but_not_binuang(camat_a, demo):
    visible = set(Organisation.objects.visible_to(camat_a))

    assert demo.orgs["dinkes"] in visible  # the kabupaten OPD the camat works with
    assert demo.orgs["pkm_tapinutara"] in visible
    assert demo.orgs["pkm_binuang"] not in visible
    assert demo.orgs["tpps_tanahlaut"] not in visible


def test_camat_binuang_gets_404_on_tapin_utara_region_page(client, camat_b):
    client.force_login(camat_b)

    assert client.get(reverse("portal:region-detail", args=["63.05.04"])).status_code == 404
    assert client.get(reverse("portal:region-detail", args=["63.05.01"])).status_code == 200


def test_camat_binuang_gets_404_on_tapin_utara_puskesmas(client, camat_b, demo):
    client.force_login(camat_b)
    url = reverse("portal:organisation-detail", args=[demo.orgs["pkm_tapinutara"].pk])

    assert client.get(url).status_code == 404


def test_read_only_role_gets_403_when_editing_a_visible_organisation(client, camat_a, demo):
    puskesmas = demo.orgs["pkm_tapinutara"]
    client.force_login(camat_a)

    assert client.get(reverse("portal:organisation-detail", args=[puskesmas.pk])).status_code == 200
    response = client.post(
        reverse("portal:organisation-update", args=[puskesmas.pk]),
        {"name": "Diubah", "kind": "puskesmas", "region": "63.05.04"},
    )

    assert response.status_code == 403
    puskesmas.refresh_from_db()
    assert puskesmas.name == "Puskesmas Tapin Utara"


def test_dppkb_admin_edits_an_organisation_of_the_kabupaten(client, dppkb, demo):
    puskesmas = demo.orgs["pkm_tapinutara"]
    client.force_login(dppkb)

    response = client.post(
        reverse("portal:organisation-update", args=[puskesmas.pk]),
        {
            "name": "UPT Puskesmas Tapin Utara",
            "kind": "puskesmas",
            "region": "63.05.04",
            "phone": "0812-3456-789",
        },
    )

    assert response.status_code == 302
    puskesmas.refresh_from_db()
    assert puskesmas.name == "UPT Puskesmas Tapin Utara"
    assert puskesmas.phone == "628123456789"
    assert puskesmas.history.count() == 2  # every change is recorded


def test_dppkb_admin_cannot_place_an_organisation_outside_the_kabupaten(client, dppkb):
    client.force_login(dppkb)

    response = client.post(
        reverse("portal:organisation-create"),
        {"name": "Dinas di Tanah Laut", "kind": "opd", "region": "63.01"},
    )

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Organisation.objects.filter(name="Dinas di Tanah Laut").exists()


def test_organisation_list_is_scoped_and_runs_constant_queries(
    client, camat_b, dppkb, django_assert_max_num_queries
):
    client.force_login(camat_b)
    response = client.get(reverse("portal:organisation-list"))
    names = [o.name for o in response.context["object_list"]]
    assert "Puskesmas Binuang" in names and "Puskesmas Tapin Utara" not in names

    client.force_login(dppkb)
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:organisation-list"))


def test_role_assignment_refuses_a_region_of_the_wrong_level(camat_a):
    from django.core.exceptions import ValidationError

    wrong = RoleAssignment(user=camat_a, role=Role.CAMAT, region=Region.objects.get(code="63.05"))
    with pytest.raises(ValidationError, match="Kecamatan"):
        wrong.full_clean()


def test_roles_map_to_groups_and_staff_roles_get_admin(dppkb, camat_a):
    assert set(dppkb.groups.values_list("name", flat=True)) == {"dppkb_admin"}
    assert dppkb.is_staff
    assert not camat_a.is_staff
    assert camat_a.has_perm("portal.view_region")
    assert not camat_a.has_perm("portal.change_organisation")

    RoleAssignment.objects.filter(user=dppkb).delete()
    dppkb.refresh_from_db()
    assert not dppkb.is_staff
    assert not dppkb.groups.exists()


def test_opd_focal_point_takes_the_organisation_region(dinkes, demo):
    assignment = dinkes.roles.get()
    assert assignment.organisation == demo.orgs["dinkes"]
    assert assignment.region_id == "63.05"
    assert dinkes in demo.orgs["dinkes"].contacts()
