import pytest
from django.urls import reverse

from portal.tests import job_helpers
from portal.tests.job_helpers import report_page, run

pytestmark = pytest.mark.django_db


def test_admin_region_list_is_scoped_to_the_kabupaten(client, dppkb):
    client.force_login(dppkb)

    response = client.get(reverse("admin:portal_region_changelist"), {"q": "63.0"})

    codes = {r.code for r in response.context["cl"].result_list}
    assert "63.05.04" in codes
    assert not any(code.startswith("63.01") for code in codes)


def test_admin_refuses_a_region_outside_scope(client, dppkb):
    client.force_login(dppkb)

    response = client.get(reverse("admin:portal_region_change", args=["63.01"]))

    assert response.status_code == 302  # Django admin redirects a missing object to the index
    assert response.url == reverse("admin:index")


def test_admin_organisation_list_is_scoped(client, dppkb, demo):
    client.force_login(dppkb)

    response = client.get(reverse("admin:portal_organisation_changelist"))

    names = {o.name for o in response.context["cl"].result_list}
    assert "Puskesmas Binuang" in names
    assert "TPPS Kabupaten Tanah Laut" not in names


def test_admin_region_import_validates_the_whole_file_and_writes_nothing(admin_client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.models import Region

    before = Region.objects.count()
    admin_client.cookies["django_language"] = "en"
    csv = (
        b"code,name,level,parent_code\n"
        b"63.05.13,Kecamatan Baru,kecamatan,63.05\n"
        b"63.05.14,Salah Level,desa,63.05\n"
        b"63.05.15.2001,Tanpa Induk,desa,63.05.15\n"
    )

    response = admin_client.post(
        reverse("admin:portal_region_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("r.csv", csv, "text/csv")},
    )

    body = report_page(admin_client, response).content.decode()
    assert "line 3: level &#x27;desa&#x27; does not fit code 63.05.14" in body
    assert "line 4: unknown parent 63.05.15" in body
    assert Region.objects.count() == before


def test_admin_region_import_of_a_valid_file_creates_the_regions(admin_client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.models import Region

    csv = b"code,name,level,parent_code\n63.05.13,Kecamatan Baru,kecamatan,63.05\n"
    response = admin_client.post(
        reverse("admin:portal_region_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("r.csv", csv, "text/csv")},
    )
    assert run(response).state == "done"

    assert Region.objects.get(code="63.05.13").parent_id == "63.05"


def test_admin_region_export_contains_only_visible_regions(client, camat_a, dppkb):
    client.force_login(dppkb)
    response = client.post(
        reverse("admin:portal_region_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [],
            **{f"regionresource_{c}": True for c in ["code", "name", "level", "parent_code"]},
        },
    )
    text = job_helpers.download(client, response).decode("utf-8-sig")
    assert "63.05.04,Tapin Utara,kecamatan,63.05" in text
    assert "63.01," not in text
