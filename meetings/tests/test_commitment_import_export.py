import datetime as dt
import io

import openpyxl
import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.commitments import services
from meetings.commitments.resources import HEADERS, CommitmentResource
from meetings.models import Commitment, CommitmentUpdate
from portal.tests.job_helpers import download, job_of, report_page, run

from .factories import CommitmentFactory, MeetingFactory

# The assertions read English msgids; Indonesian is checked in test_my_commitments.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


IMPORT = reverse("admin:meetings_commitment_import")
EXPORT = reverse("admin:meetings_commitment_export")
CSV, XLSX = "0", "1"
HEADER = "meeting,description,intervention_type,owner,pic,due_date,status\n"


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("rtl.csv", text.encode(), "text/csv")


def test_an_import_with_bad_rows_reports_each_row_and_writes_nothing(client, demo, notulis):
    meeting = MeetingFactory(held=True)
    outside = MeetingFactory(held=True, region_id="63.01")
    client.force_login(notulis)
    text = HEADER + (
        f"{meeting.pk},Kelas ibu hamil,spesifik,Dinkes Tapin,dinkes,2026-12-01,open\n"
        f"{meeting.pk},Jamban sehat,sensitif,Dinas Fiktif,,2026-12-01,open\n"
        f"{meeting.pk},PMT balita,spesifik,Dinas Kesehatan Kabupaten Tapin,,31/02/2026,open\n"
        f"{meeting.pk},Air bersih,sensitif,TPPS Kabupaten Tanah Laut,,2026-12-01,open\n"
        f"{outside.pk},Posyandu,spesifik,Dinkes Tapin,,2026-12-01,open\n"
        f"{meeting.pk},Verifikasi data,none,Dinkes Tapin,,2026-12-01,beres\n"
    )

    response = client.post(IMPORT, {"format": CSV, "resource": "0", "import_file": csv_file(text)})

    job = run(response)
    errors = job.report["errors"]
    assert job.state == "failed" and {line.split(":")[0] for line in errors} == {
        "Row 2", "Row 3", "Row 4", "Row 5", "Row 6"
    }  # fmt: skip
    assert "Row 2: owner: Unknown organisation Dinas Fiktif." in errors
    assert any(line.startswith("Row 3: due_date: ") and "31/02/2026 is not a date" in line for line in errors)
    assert "Row 4: owner: TPPS Kabupaten Tanah Laut is outside your kabupaten." in errors
    assert f"Row 5: meeting: Unknown meeting {outside.pk}, or outside your region." in errors
    assert any(line.startswith("Row 6: status: ") and "beres is not one of" in line for line in errors)
    assert "Dinas Fiktif" in client.get(job.get_absolute_url()).content.decode()
    assert not Commitment.objects.exists()
    assert not CommitmentUpdate.objects.exists()


def test_the_resource_rolls_back_good_rows_when_one_row_is_bad(demo, notulis):
    meeting = MeetingFactory(held=True)
    dataset = tablib.Dataset(headers=["meeting", "description", "owner", "due_date"])
    dataset.append([meeting.pk, "Baik", "Dinkes Tapin", "2026-12-01"])
    dataset.append([meeting.pk, "Buruk", "Dinkes Tapin", "bukan tanggal"])

    result = CommitmentResource(user=notulis).import_data(dataset, dry_run=False)

    assert result.has_validation_errors()
    assert not Commitment.objects.exists()


def _rows(meeting, count: int) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=["meeting", "description", "owner", "due_date"])
    for i in range(count):
        dataset.append([meeting.pk, f"RTL {i}", "Dinkes Tapin", "2026-12-01"])
    return dataset


def test_an_import_runs_the_same_number_of_queries_for_5_rows_as_for_50(
    demo, notulis, django_assert_max_num_queries
):
    meeting = MeetingFactory(held=True)
    CommitmentResource(user=notulis).import_data(_rows(meeting, 1), dry_run=True)  # warm the caches
    with CaptureQueriesContext(connection) as five:
        CommitmentResource(user=notulis).import_data(_rows(meeting, 5), dry_run=False)
    with django_assert_max_num_queries(len(five)):
        CommitmentResource(user=notulis).import_data(_rows(meeting, 50), dry_run=False)

    assert Commitment.objects.count() == 55
    assert CommitmentUpdate.objects.filter(author=notulis, status_to="open").count() == 55
    assert Commitment.history.filter(history_type="+", history_user=notulis).count() == 55


def test_a_preview_checks_every_row_and_writes_nothing(demo, notulis):
    meeting = MeetingFactory(held=True)
    dataset = _rows(meeting, 3)
    dataset.append([meeting.pk, "Buruk", "Dinkes Tapin", "bukan tanggal"])

    with CaptureQueriesContext(connection) as queries:
        preview = CommitmentResource(user=notulis).import_data(dataset, dry_run=True)
    good = CommitmentResource(user=notulis).import_data(_rows(meeting, 3), dry_run=True)

    assert [row.number for row in preview.invalid_rows] == [4]
    assert not good.has_errors() and not good.has_validation_errors() and good.totals["new"] == 3
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert not Commitment.objects.exists()


def test_rows_written_in_bulk_have_the_history_and_first_update_of_one_written_alone(demo, notulis, dinkes):
    meeting = MeetingFactory(held=True)
    fields = {
        "meeting": meeting,
        "owner": demo.orgs["dinkes"],
        "pic": dinkes,
        "due_date": dt.date(2026, 12, 1),
        "intervention_type": "spesifik",
    }
    alone = services.create_commitment(description="Satu", acting_user=notulis, note="Dicatat.", **fields)
    [bulk] = services.create_commitments(
        commitments=[Commitment(description="Satu", **fields)], acting_user=notulis, note="Dicatat."
    )

    def history(commitment) -> dict:
        row = Commitment.history.filter(id=commitment.pk).values().get()
        # One written alone outside a request has no history user; in bulk, the acting user.
        skip = {"id", "history_id", "history_date", "history_user_id", "created_at", "updated_at"}
        return {key: value for key, value in row.items() if key not in skip}

    def update(commitment) -> tuple:
        return commitment.updates.values_list(
            "author", "note", "percent", "status_from", "status_to", "submission_key"
        ).get()

    assert history(bulk) == history(alone) and history(bulk)["history_type"] == "+"
    assert Commitment.history.get(id=bulk.pk).history_user == notulis
    assert update(bulk) == update(alone) == (notulis.pk, "Dicatat.", None, "", "open", "")
    assert (bulk.meeting_region_id, bulk.owner_region_id) == (alone.meeting_region_id, alone.owner_region_id)
    assert Commitment.history.get(id=bulk.pk).history_date >= Commitment.history.get(id=alone.pk).history_date


def test_an_imported_row_is_cleaned_once_not_again_when_written(demo, notulis, monkeypatch):
    meeting = MeetingFactory(held=True)
    cleaned = []
    full_clean = Commitment.full_clean
    monkeypatch.setattr(
        Commitment, "full_clean", lambda self, **kw: cleaned.append(self) or full_clean(self, **kw)
    )

    result = CommitmentResource(user=notulis).import_data(_rows(meeting, 4), dry_run=False)

    assert not result.has_errors() and Commitment.objects.count() == 4
    assert len(cleaned) == 4


def test_a_commitment_changed_after_its_clean_is_cleaned_again_when_written(demo, notulis):
    meeting = MeetingFactory(held=True)
    commitment = Commitment(
        meeting=meeting, description="RTL", owner=demo.orgs["dinkes"], due_date=dt.date(2026, 12, 1)
    )
    commitment.created_by = notulis
    services.clean_new_commitment(commitment, exclude=["meeting", "owner", "created_by"])
    commitment.description = ""

    with pytest.raises(ValidationError):
        services.create_commitments(commitments=[commitment], acting_user=notulis)
    assert not Commitment.objects.exists()


def test_an_unchanged_row_is_skipped_without_a_history_row(demo, notulis):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=dt.date(2026, 12, 1))
    dataset = tablib.Dataset(headers=["id", "meeting", "description", "owner", "due_date", "status"])
    dataset.append(
        [commitment.pk, commitment.meeting_id, commitment.description, "Dinkes Tapin", "2026-12-01", "open"]
    )
    dataset.append([commitment.pk, commitment.meeting_id, "Diubah", "Dinkes Tapin", "2026-12-01", "open"])
    updates, history = commitment.updates.count(), commitment.history.count()

    first = CommitmentResource(user=notulis).import_data(dataset.subset(rows=[0]), dry_run=False)
    second = CommitmentResource(user=notulis).import_data(dataset.subset(rows=[1]), dry_run=False)

    assert (first.totals["skip"], first.totals["update"]) == (1, 0)
    assert (second.totals["skip"], second.totals["update"]) == (0, 1)
    commitment.refresh_from_db()
    assert commitment.description == "Diubah"
    assert (commitment.updates.count(), commitment.history.count()) == (updates + 1, history + 1)


def test_a_file_without_required_columns_is_refused(client, notulis):
    client.force_login(notulis)

    response = client.post(
        IMPORT, {"format": CSV, "resource": "0", "import_file": csv_file("description\nx\n")}
    )

    assert "Missing column(s): meeting, owner, due_date." in report_page(client, response).content.decode()
    assert not Commitment.objects.exists()


def test_a_valid_csv_import_creates_commitments_with_history(client, demo, notulis, dinkes):
    meeting = MeetingFactory(held=True)
    client.force_login(notulis)
    text = HEADER + (
        f"{meeting.pk},Kelas ibu hamil,spesifik,Dinkes Tapin,dinkes,2026-12-01,open\n"
        f"{meeting.pk},Jamban sehat,Sensitive intervention (sensitif),{demo.orgs['pupr'].pk},,15/01/2027,\n"
    )

    response = client.post(IMPORT, {"format": CSV, "resource": "0", "import_file": csv_file(text)})
    assert run(response).state == "done"

    kelas = Commitment.objects.get(description="Kelas ibu hamil")
    jamban = Commitment.objects.get(description="Jamban sehat")
    assert (kelas.owner, kelas.pic, kelas.due_date, kelas.created_by) == (
        demo.orgs["dinkes"],
        dinkes,
        dt.date(2026, 12, 1),
        notulis,
    )
    assert (jamban.owner, jamban.intervention_type, jamban.status) == (demo.orgs["pupr"], "sensitif", "open")
    assert jamban.due_date == dt.date(2027, 1, 15)
    assert CommitmentUpdate.objects.filter(author=notulis, status_to="open").count() == 2
    # Written in bulk, each row still has its admin log entry and history row by the importer.
    assert set(LogEntry.objects.filter(user=notulis).values_list("object_id", flat=True)) == {
        str(kelas.pk),
        str(jamban.pk),
    }
    assert set(Commitment.history.filter(history_user=notulis).values_list("id", flat=True)) == {
        kelas.pk,
        jamban.pk,
    }


def test_an_xlsx_import_updates_an_existing_commitment_by_id_and_records_it(client, demo, notulis):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "meeting", "description", "owner", "due_date", "status"])
    sheet.append(
        [
            commitment.pk,
            commitment.meeting_id,
            "Kelas ibu hamil di 12 desa",
            "Dinkes Tapin",
            dt.datetime(2027, 2, 1),
            "in_progress",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(notulis)

    response = client.post(
        IMPORT,
        {"format": XLSX, "resource": "0", "import_file": SimpleUploadedFile("rtl.xlsx", buffer.getvalue())},
    )
    assert run(response).state == "done"

    commitment.refresh_from_db()
    assert (commitment.description, commitment.due_date, commitment.status) == (
        "Kelas ibu hamil di 12 desa",
        dt.date(2027, 2, 1),
        "in_progress",
    )
    last = commitment.updates.latest("created_at")
    assert (last.status_from, last.status_to, last.author) == ("open", "in_progress", notulis)
    assert Commitment.objects.count() == 1


def test_an_import_cannot_reach_a_commitment_outside_scope_by_id(client, demo, notulis):
    other = CommitmentFactory(
        owner=demo.orgs["tpps_tanahlaut"], meeting__region_id="63.01", description="Asli"
    )
    client.force_login(notulis)
    text = f"id,meeting,description,owner,due_date\n{other.pk},{MeetingFactory(held=True).pk},Diubah,Dinkes Tapin,2026-12-01\n"

    response = client.post(IMPORT, {"format": CSV, "resource": "0", "import_file": csv_file(text)})

    assert (
        f"Unknown commitment {other.pk}, or outside your region."
        in report_page(client, response).content.decode()
    )
    other.refresh_from_db()
    assert other.description == "Asli"


def test_an_import_cannot_mark_done_without_evidence(client, demo, notulis):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(notulis)
    text = f"id,meeting,description,owner,due_date,status\n{commitment.pk},{commitment.meeting_id},x,Dinkes Tapin,2026-12-01,done\n"

    response = client.post(IMPORT, {"format": CSV, "resource": "0", "import_file": csv_file(text)})

    assert "Attach evidence" in report_page(client, response).content.decode()
    commitment.refresh_from_db()
    assert commitment.status == "open"


def test_the_admin_xlsx_export_contains_only_the_kabupatens_commitments(client, demo, notulis, dinkes):
    meeting = MeetingFactory(held=True, title="Rakor Evaluasi AKS Semester I")
    CommitmentFactory(
        meeting=meeting,
        owner=demo.orgs["dinkes"],
        pic=dinkes,
        description="PMT balita",
        due_date=dt.date(2026, 12, 1),
    )
    CommitmentFactory(
        owner=demo.orgs["tpps_tanahlaut"], meeting__region_id="63.01", description="RTL Tanah Laut"
    )
    client.force_login(notulis)
    fields = [
        "id",
        "meeting",
        "meeting_title",
        "description",
        "intervention_type",
        "owner",
        "pic",
        "due_date",
        "status",
        "progress",
    ]

    response = client.post(
        EXPORT,
        {"format": XLSX, "resource": "0", **{f"commitmentresource_{f}": True for f in fields}},
    )

    rows = list(openpyxl.load_workbook(io.BytesIO(download(client, response))).active.values)
    header, *data = rows
    assert list(header) == [str(HEADERS[f]) for f in fields]
    assert len(data) == 1
    row = dict(zip(fields, data[0], strict=True))
    assert row["meeting_title"] == "Rakor Evaluasi AKS Semester I"
    assert (row["description"], row["owner"], row["pic"], row["status"]) == (
        "PMT balita",
        "Dinas Kesehatan Kabupaten Tapin",
        "dinkes",
        "Open",  # notulis reads English (their saved language): labels, not codes
    )
    assert row["due_date"] == "2026-12-01"


def test_the_portal_csv_export_is_scoped_for_the_camat(client, demo, camat_a):
    CommitmentFactory(
        owner=demo.orgs["pkm_tapinutara"], meeting__region_id="63.05.04", description="Posyandu remaja"
    )
    CommitmentFactory(
        owner=demo.orgs["pkm_binuang"], meeting__region_id="63.05.01", description="RTL Binuang"
    )
    client.force_login(camat_a)

    response = client.post(reverse("meetings:commitment-export-job", args=["csv"]))

    text = download(client, response).decode()
    assert job_of(response).filename == "commitments.csv"
    assert "Posyandu remaja" in text
    assert "RTL Binuang" not in text


def test_camat_binuang_gets_404_on_the_export_of_a_tapin_utara_meeting(client, demo, camat_b):
    commitment = CommitmentFactory(owner=demo.orgs["pkm_tapinutara"], meeting__region_id="63.05.04")
    client.force_login(camat_b)

    response = client.post(
        reverse("meetings:commitment-export-job", args=["xlsx"]), {"meeting": commitment.meeting_id}
    )
    whole = client.post(reverse("meetings:commitment-export-job", args=["xlsx"]))

    assert response.status_code == 404
    rows = list(openpyxl.load_workbook(io.BytesIO(download(client, whole))).active.values)
    assert len(rows) == 1  # the header only


def test_outsider_gets_404_on_the_export(client, outsider):
    client.force_login(outsider)

    assert client.post(reverse("meetings:commitment-export-job", args=["csv"])).status_code == 404


def test_due_dates_in_an_export_are_local_dates(demo, notulis):
    CommitmentFactory(owner=demo.orgs["dinkes"], due_date=timezone.localdate())

    dataset = CommitmentResource(user=notulis).export(queryset=Commitment.objects.visible_to(notulis))

    assert dataset.dict[0][str(HEADERS["due_date"])] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("language", "headers", "status"),
    [
        ("en", ["ID", "Meeting (id)", "Meeting title", "Commitment"], "In progress"),
        ("id", ["ID", "Rapat (id)", "Judul rapat", "Komitmen"], "Sedang berjalan"),
    ],
)
def test_the_admin_export_reads_like_a_report_and_imports_back_in_either_language(
    client, demo, notulis, language, headers, status
):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], status="in_progress", description="Lama")
    client.force_login(notulis)
    client.cookies["django_language"] = language
    fields = [
        "id",
        "meeting",
        "meeting_title",
        "description",
        "intervention_type",
        "owner",
        "due_date",
        "status",
    ]

    exported = client.post(
        EXPORT, {"format": XLSX, "resource": "0", **{f"commitmentresource_{f}": True for f in fields}}
    )
    book = openpyxl.load_workbook(io.BytesIO(download(client, exported)))
    header, row = list(book.active.values)
    assert list(header[:4]) == headers and status in row and "in_progress" not in row
    book.active.cell(row=2, column=4, value="Kelas ibu hamil di 12 desa")  # the description, edited
    book.active.cell(row=2, column=len(fields), value="Open" if language == "en" else "Terbuka")
    buffer = io.BytesIO()
    book.save(buffer)

    imported = client.post(
        IMPORT,
        {"format": XLSX, "resource": "0", "import_file": SimpleUploadedFile("rtl.xlsx", buffer.getvalue())},
    )

    job = run(imported)
    assert job.state == "done", job.report
    commitment.refresh_from_db()
    assert (commitment.description, commitment.status) == ("Kelas ibu hamil di 12 desa", "open")
    assert Commitment.objects.count() == 1
