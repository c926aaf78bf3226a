"""Admin import and export: regions are imported by superusers only; organisations by those
who may add them, each row within what the importer may change; exports hold visible rows only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import Organisation, Region
from portal.tests.job_helpers import download, report_page

pytestmark = pytest.mark.django_db


def upload(client, url_name: str, content: bytes):
    return client.post(
        reverse(url_name),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("f.csv", content, "text/csv")},
    )


def import_and_confirm(client, url_name: str, content: bytes):
    """Upload; the import runs as a background job: run it and show its page (the report)."""
    response = upload(client, f"{url_name}_import", content)
    if response.status_code != 302:
        return response
    return report_page(client, response)


@pytest.mark.parametrize("persona", ["notulis", "dppkb"])
def test_only_superusers_import_regions(client, demo, persona):
    client.force_login(demo.users[persona])
    csv = (
        b"code,name,level,parent_code\n63.05,Kabupaten Diganti,kabupaten,63\n63.05.99,Baru,kecamatan,63.05\n"
    )

    page = client.get(reverse("admin:portal_region_import"))
    response = import_and_confirm(client, "admin:portal_region", csv)

    assert page.status_code == 403
    assert response.status_code == 403
    assert Region.objects.get(code="63.05").name != "Kabupaten Diganti"
    assert not Region.objects.filter(code="63.05.99").exists()


def test_notulis_cannot_import_organisations(client, notulis, demo):
    other = demo.orgs["tpps_tanahlaut"]
    client.force_login(notulis)
    csv = f"id,name,short_name,kind,region,email,phone,address\n{other.pk},{other.name},,tpps,63.01,x@evil.example,,\n"

    response = import_and_confirm(client, "admin:portal_organisation", csv.encode())

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.email == ""


def test_organisation_import_cannot_touch_another_kabupatens_organisation(client, dppkb, demo):
    other = demo.orgs["tpps_tanahlaut"]
    client.force_login(dppkb)
    csv = f"id,name,short_name,kind,region,email,phone,address\n{other.pk},{other.name},,tpps,63.01,x@evil.example,,\n"

    response = import_and_confirm(client, "admin:portal_organisation", csv.encode())

    assert response.status_code == 200
    assert "outside your region" in response.content.decode() or "di luar" in response.content.decode()
    other.refresh_from_db()
    assert other.email == ""


def test_organisation_import_cannot_move_the_provincial_office_or_create_elsewhere(client, dppkb, demo):
    bkkbn = demo.orgs["bkkbn"]
    client.force_login(dppkb)
    csv = (
        "id,name,short_name,kind,region,email,phone,address\n"
        f"{bkkbn.pk},{bkkbn.name},,bkkbn,63.05,,,\n"
        ",Dinas Baru Tanah Laut,,opd,63.01,,,\n"
    )

    import_and_confirm(client, "admin:portal_organisation", csv.encode())

    bkkbn.refresh_from_db()
    assert bkkbn.region_id == "63"
    assert not Organisation.objects.filter(name="Dinas Baru Tanah Laut").exists()


def test_organisation_import_creates_and_updates_within_the_kabupaten(client, dppkb, demo):
    dinkes = demo.orgs["dinkes"]
    client.force_login(dppkb)
    csv = (
        "id,name,short_name,kind,region,email,phone,address\n"
        f"{dinkes.pk},{dinkes.name},Dinkes Tapin,opd,63.05,dinkes@tapin.example,,\n"
        ",Puskesmas Baru,,puskesmas,63.05.04,,,\n"
    )

    import_and_confirm(client, "admin:portal_organisation", csv.encode())

    dinkes.refresh_from_db()
    assert dinkes.email == "dinkes@tapin.example"
    assert Organisation.objects.get(name="Puskesmas Baru").region_id == "63.05.04"


def test_organisation_export_holds_only_visible_organisations(client, dppkb, demo):
    client.force_login(dppkb)
    everyone = [str(o.pk) for o in Organisation.objects.all()]

    response = client.post(
        reverse("admin:portal_organisation_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": everyone,
            **{f"organisationresource_{c}": True for c in ["id", "name", "region"]},
        },
    )

    text = download(client, response).decode()
    assert "TPPS Kabupaten Tapin" in text
    assert "TPPS Kabupaten Tanah Laut" not in text


def test_export_selected_checks_only_the_posted_keys(client, dppkb, demo):
    """The "export selected" form's valid rows are the posted keys (import-export would list every
    key of the table, through a deprecated method); a value that is no key is a form error."""
    import warnings

    client.force_login(dppkb)
    tapin = Organisation.objects.get(name="TPPS Kabupaten Tapin")
    form = {"format": "0", "resource": "0", **{f"organisationresource_{c}": True for c in ["id", "name"]}}

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        response = client.post(
            reverse("admin:portal_organisation_export"), {**form, "export_items": [tapin.pk]}
        )
    bad = client.post(reverse("admin:portal_organisation_export"), {**form, "export_items": ["1; DROP"]})

    assert "TPPS Kabupaten Tapin" in download(client, response).decode()
    assert bad.status_code == 200
    assert bad.context["form"].errors
