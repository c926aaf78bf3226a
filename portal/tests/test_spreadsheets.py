"""XLSX uploads are read with calamine (portal.spreadsheets) into the same rows import-export's
own openpyxl reader gives; the core's admin imports use it (the apps' imports:
tests/test_xlsx_imports.py)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
from django.contrib import admin
from import_export.formats import base_formats

from portal import spreadsheets
from portal.models import Organisation, Region
from portal.spreadsheets import read_xlsx


def workbook(*rows, sheets=None) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    for name, sheet_rows in (sheets or {}).items():
        sheet = book.create_sheet(name)
        for row in sheet_rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def openpyxl_rows(content: bytes):
    dataset = base_formats.XLSX().create_dataset(content)
    return dataset.headers, list(dataset)


def calamine_rows(content: bytes):
    dataset = read_xlsx(content)
    return dataset.headers, list(dataset)


def offset_sheet() -> bytes:
    book = openpyxl.Workbook()
    book.active.cell(row=3, column=2, value="meeting")
    book.active.cell(row=3, column=4, value="owner")
    book.active.cell(row=4, column=4, value=17)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


WORKBOOKS = {
    "every kind of cell": workbook(
        ["id", "amount", "day", "moment", "clock", "flag", "formula", "text", "blank"],
        [1, 2.5, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4), time(5, 6), False, "=A2*2", " x ", None],
        [None, -3, None, None, None, True, None, "Siti Nurhaliza ñ", ""],
        [0, 1e20, -0.0, 123456789012, None, None, None, "0812", None],
    ),
    "a table that starts at B3": offset_sheet(),
    "headers only": workbook(["meeting", "owner"]),
    "a blank row inside": workbook(["a", "b"], [1, 2], [], [3, 4]),
}


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_calamine_reads_the_rows_openpyxl_reads(name):
    content = WORKBOOKS[name]

    assert calamine_rows(content) == openpyxl_rows(content)


def test_whole_numbers_dates_and_empty_cells_come_out_as_openpyxl_gives_them():
    _headers, rows = calamine_rows(workbook(["n", "day", "none"], [21693, date(2026, 12, 7), None]))

    assert rows == [(21693, datetime(2026, 12, 7), None)]
    assert type(rows[0][0]) is int


def test_rows_left_empty_after_the_last_value_are_not_read():
    content = workbook(["a", "b"], [1, 2], [None, None], [None, None])

    assert openpyxl_rows(content)[1] == [(1, 2), (None, None), (None, None)]
    assert calamine_rows(content) == (["a", "b"], [(1, 2)])


def test_a_workbook_of_several_sheets_is_read_from_its_active_sheet():
    book = openpyxl.Workbook()
    book.active.append(["first"])
    book.create_sheet("second").append(["second"])
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)

    assert calamine_rows(buffer.getvalue()) == (["second"], [])


def with_cell_value(content: bytes, old: str, new: str) -> bytes:
    """The workbook with one cell's stored number rewritten (openpyxl itself writes a float)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, found = re.subn(f"<v>{old}</v>".encode(), f"<v>{new}</v>".encode(), data)
                assert found == 1
            target.writestr(item, data)
    return out.getvalue()


def test_a_whole_number_beyond_a_floats_exact_integers_keeps_every_digit():
    # A NIK typed as a number: as a float its last digit would change (9271234567890124).
    content = with_cell_value(workbook(["nik"], [5]), "5", "9271234567890123")

    assert calamine_rows(content) == (["nik"], [(9271234567890123,)])


@pytest.mark.parametrize("content", [b"", b"not a workbook", workbook()])
def test_an_unreadable_or_empty_file_raises_as_openpyxl_does(content):
    with pytest.raises(Exception):  # noqa: B017 - each reader raises its own kind
        base_formats.XLSX().create_dataset(content)
    with pytest.raises(Exception):  # noqa: B017
        read_xlsx(content)


@pytest.mark.parametrize("model", [Region, Organisation])
def test_the_core_admin_imports_read_xlsx_with_calamine(model):
    formats = admin.site.get_model_admin(model).get_import_formats()

    assert spreadsheets.XLSX in formats
    assert base_formats.XLSX not in formats
