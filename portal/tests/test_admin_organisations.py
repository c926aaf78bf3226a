"""Organisation admin: object-level rights from the kabupaten a DPPKB admin runs."""

import pytest
from django.urls import reverse

from portal.models import Organisation

from .adminforms import changeform_data

pytestmark = pytest.mark.django_db


def test_dppkb_admin_cannot_move_the_provincial_office_into_his_kabupaten(client, dppkb, demo):
    bkkbn = demo.orgs["bkkbn"]
    url = reverse("admin:portal_organisation_change", args=[bkkbn.pk])
    client.force_login(dppkb)

    page = client.get(url)
    response = client.post(
        url, {"name": bkkbn.name, "kind": "bkkbn", "region": "63.05", "email": "x@y.example"}
    )

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert response.status_code == 403
    bkkbn.refresh_from_db()
    assert (bkkbn.region_id, bkkbn.email) == ("63", "")


def test_dppkb_admin_cannot_delete_the_provincial_office(client, dppkb, demo):
    bkkbn = demo.orgs["bkkbn"]
    client.force_login(dppkb)

    client.post(reverse("admin:portal_organisation_delete", args=[bkkbn.pk]), {"post": "yes"})

    assert Organisation.objects.filter(pk=bkkbn.pk).exists()


def test_region_choices_are_the_kabupaten_of_the_editor(client, dppkb, demo):
    dinkes = demo.orgs["dinkes"]
    url = reverse("admin:portal_organisation_change", args=[dinkes.pk])
    client.force_login(dppkb)

    page = client.get(url)
    response = client.post(url, {**changeform_data(page), "region": "63"})

    choices = page.context["adminform"].form.fields["region"].queryset
    assert not choices.filter(code__in=["63", "63.01"]).exists()
    assert choices.filter(code="63.05.04").exists()
    assert response.status_code == 200  # the form refuses the province
    dinkes.refresh_from_db()
    assert dinkes.region_id == "63.05"


def test_dppkb_admin_changes_an_organisation_of_his_kabupaten(client, dppkb, demo):
    dinkes = demo.orgs["dinkes"]
    url = reverse("admin:portal_organisation_change", args=[dinkes.pk])
    client.force_login(dppkb)

    page = client.get(url)
    response = client.post(url, {**changeform_data(page), "email": "dinkes@tapin.example"})

    assert response.status_code == 302
    dinkes.refresh_from_db()
    assert dinkes.email == "dinkes@tapin.example"


def test_region_autocomplete_offers_only_the_editors_kabupaten(client, dppkb, demo):
    client.force_login(dppkb)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "portal", "model_name": "organisation", "field_name": "region", "term": ""},
    )

    codes = {row["id"] for row in response.json()["results"]}
    assert "63.05" in codes
    assert "63" not in codes and not any(code.startswith("63.01") for code in codes)


def test_the_head_of_an_organisation_is_chosen_among_people_in_scope(client, dppkb, demo):
    from .factories import person

    stranger = person("camat.tala", region="63.01.01")
    dinkes = demo.orgs["dinkes"]
    url = reverse("admin:portal_organisation_change", args=[dinkes.pk])
    client.force_login(dppkb)

    before = dinkes.head_id  # the demo names a head for the organisations of its accounts

    response = client.post(url, {**changeform_data(client.get(url)), "head": stranger.pk})

    assert response.status_code == 200
    assert "head" in response.context["adminform"].form.errors
    dinkes.refresh_from_db()
    assert dinkes.head_id == before and dinkes.head_id != stranger.pk
