"""Spreadsheet exports are data, never code.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)` in a meeting title would
become a live link). Every CSV/XLSX export goes through `SafeCSV` / `SafeXLSX`, which prefix
such cells with an apostrophe, the spreadsheet convention for "this is text". The admin's
import/export views use them through the `EXPORT_FORMATS` setting; the portal's own exports
use them directly.

django-import-export's own `IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT` is not used: in 4.4 it
only strips a leading "=" (not +, -, @, tab, CR) and turns every cell into text.
"""

from __future__ import annotations

import tablib
from import_export.formats.base_formats import CSV, XLSX

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=[escape_cell(h) for h in dataset.headers or []] or None)
    escaped.title = dataset.title
    for row in dataset:
        escaped.append([escape_cell(cell) for cell in row])
    return escaped


class SafeCSV(CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(escape_dataset(dataset), **kwargs)


class SafeXLSX(XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(escape_dataset(dataset), **kwargs)
