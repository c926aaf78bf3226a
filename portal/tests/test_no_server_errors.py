"""Bad input is a clear error in Indonesian, never a 500 or a Python traceback (issue 8)."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from portal.models import Region
from portal.tests import job_helpers

HEADER = b"code,name,level,parent_code\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binary.csv", bytes(range(256)) * 4, "bukan teks UTF-8"),
        (
            "latin1.csv",
            HEADER + "63.05.13,Kecamatan Baru Ñ,kecamatan,63.05\n".encode("latin-1"),
            "bukan teks UTF-8",
        ),
        ("nul.csv", HEADER + b"63.05.13,Kecamatan\x00Baru,kecamatan,63.05\n", "karakter NUL"),
        ("broken.csv.gz", b"\x1f\x8b\x08\x00not really gzip", "gzip"),
        ("empty.csv", b"", "judul kolom harus"),
    ],
)
@pytest.mark.django_db
def test_import_regions_refuses_an_unreadable_file_in_indonesian_and_writes_nothing(
    tmp_path, capsys, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)

    with translation.override("id"), pytest.raises(CommandError, match="tidak ada yang ditulis"):
        call_command("import_regions", str(path))

    assert message in capsys.readouterr().err
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_import_regions_accepts_a_gzipped_file_after_refusing_a_broken_one(tmp_path, capsys):
    good = tmp_path / "good.csv.gz"
    with gzip.open(good, "wb") as handle:
        handle.write(HEADER + b"63,Kalimantan Selatan,provinsi,\n")

    call_command("import_regions", str(good))

    assert Region.objects.filter(code="63").exists()


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 4,
        HEADER + "63.05.13,Kecamatan Baru Ñ,kecamatan,63.05\n".encode("latin-1"),
        HEADER + b"63.05.13,Kecamatan\x00Baru,kecamatan,63.05\n",
        b"code;name\n63.05.13;Baru\n",
        b"",
    ],
    ids=["binary", "latin-1", "nul-byte", "wrong-columns", "empty"],
)
def test_admin_region_import_of_a_bad_file_shows_a_message_not_a_traceback(admin_client, demo, content):
    before = list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id"))

    response = admin_client.post(
        reverse("admin:portal_region_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("r.csv", content, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="id",
    )

    if response.status_code == 302:  # a readable upload is imported by a job: its page reports
        page = job_helpers.report_page(admin_client, response)
        job = job_helpers.job_of(response)
        job.refresh_from_db()
        assert (job.state, job.error) == ("failed", "")
        assert job.report["errors"] or job.report["summary"]
        body = page.content.decode()
        assert 'data-testid="import-errors"' in body or job.report["summary"] in body
    else:  # refused by the upload form itself
        body = response.content.decode()
        assert response.status_code == 200
        assert "errorlist" in body or "errornote" in body
    assert "Traceback" not in body and 'File "' not in body
    assert list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id")) == before


@pytest.mark.parametrize("persona", ["dppkb", "superuser"])
def test_a_non_numeric_admin_filter_value_is_not_a_server_error(client, demo, persona):
    # The apps' filters are tried in tests/test_admin_filters.py.
    client.force_login(demo.users["dppkb"] if persona == "dppkb" else superuser())

    response = client.get(reverse("admin:portal_notification_changelist"), {"send_at__year": "abc"})

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response.url  # Django admin's "invalid filter" page


def superuser():
    from portal.models import User

    return User.objects.create_superuser("root", "r@x.org", "x")


def history_admins() -> list[str]:
    """Every admin model with django-simple-history's pages, whichever app declares it."""
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    return sorted(
        f"{model._meta.app_label}_{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin)
    )


@pytest.mark.parametrize("model", history_admins())
@pytest.mark.parametrize(("object_id", "history_id"), [("1", "abc"), ("abc", "1"), ("1", "1.5")])
def test_a_non_numeric_history_id_is_not_found(admin_client, demo, model, object_id, history_id):
    url = reverse(f"admin:{model}_simple_history", args=[object_id, history_id])

    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, {"name": "x"}).status_code == 404


@pytest.mark.parametrize("model", history_admins())
def test_a_non_numeric_object_id_in_the_history_list_is_not_found(admin_client, demo, model):
    assert admin_client.get(reverse(f"admin:{model}_history", args=["abc"])).status_code == 404
