"""Reading and validating the Kemendagri region list (code,name,level,parent_code).

One validator serves the `import_regions` command and the admin import, so both
refuse the same files for the same reasons. Everything is checked before
anything is written.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .dashboard import changed
from .models import Region

COLUMNS = ("code", "name", "level", "parent_code")
CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
BATCH = 5000


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    columns: int = len(COLUMNS)


class RegionFileError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"regions: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def expected_levels(code: str) -> tuple[str, ...]:
    """The levels a code's shape allows (Kemendagri numbering)."""
    parts = code.split(".")
    if len(parts) == 1:
        return ("provinsi",)
    if len(parts) == 2:
        return ("kota",) if parts[1][0] in "789" else ("kabupaten",)
    if len(parts) == 3:
        return ("kecamatan",)
    return ("kelurahan",) if parts[3][0] == "1" else ("desa",)


def open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_rows(lines: Iterable[str]) -> Iterator[RegionRow]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise RegionFileError([_("line 1: the header must be %(columns)s") % {"columns": ",".join(COLUMNS)}])
    for values in reader:
        line = reader.line_num
        if not values:
            continue
        if len(values) != len(COLUMNS):
            yield RegionRow(line, "", "", "", "", columns=len(values))
            continue
        code, name, level, parent = (v.strip() for v in values)
        yield RegionRow(line, code, name, level, parent)


def validate(rows: list[RegionRow], known_codes: set[str] | frozenset = frozenset()) -> list[str]:
    """Every error in the file, each naming its line. `known_codes` are already stored."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.columns != len(COLUMNS):
            errors.append(
                _("line %(line)d: expected 4 columns, found %(n)d") % {"line": row.line, "n": row.columns}
            )
            continue
        if not CODE_RE.match(row.code):
            errors.append(_("line %(line)d: bad code format %(code)r") % {"line": row.line, "code": row.code})
            continue
        if row.code in seen:
            errors.append(
                _("line %(line)d: duplicate code %(code)s (first on line %(first)d)")
                % {"line": row.line, "code": row.code, "first": seen[row.code]}
            )
            continue
        seen[row.code] = row.line
        if not row.name or len(row.name) > 100:
            errors.append(_("line %(line)d: the name must have 1 to 100 characters") % {"line": row.line})
        elif not row.name.isprintable():
            errors.append(
                _("line %(line)d: the name contains a control character (such as NUL)") % {"line": row.line}
            )
        allowed = expected_levels(row.code)
        if row.level not in allowed:
            errors.append(
                _("line %(line)d: level %(level)r does not fit code %(code)s (expected %(expected)s)")
                % {
                    "line": row.line,
                    "level": row.level,
                    "code": row.code,
                    "expected": " or ".join(allowed),
                }
            )
        expected_parent = row.code.rpartition(".")[0]
        if row.parent_code != expected_parent:
            errors.append(
                _("line %(line)d: parent %(parent)r does not fit code %(code)s (expected %(expected)r)")
                % {
                    "line": row.line,
                    "parent": row.parent_code,
                    "code": row.code,
                    "expected": expected_parent,
                }
            )
    for row in rows:
        if (
            row.parent_code
            and CODE_RE.match(row.parent_code)
            and row.parent_code not in seen
            and row.parent_code not in known_codes
        ):
            errors.append(
                _("line %(line)d: unknown parent %(parent)s") % {"line": row.line, "parent": row.parent_code}
            )
    errors.sort(key=lambda e: int(re.search(r"\d+", e).group()))
    return errors


@transaction.atomic
def import_rows(rows: list[RegionRow]) -> ImportResult:
    """Validate all rows, then create and update in bulk. Raises RegionFileError."""
    existing = {
        code: (name, level, parent)
        for code, name, level, parent in Region.objects.values_list("code", "name", "level", "parent_id")
    }
    parents_needed = {r.parent_code for r in rows if r.parent_code}
    errors = validate(rows, known_codes=parents_needed & existing.keys())
    if errors:
        raise RegionFileError(errors)
    result = ImportResult()
    to_create, to_update = [], []
    for row in sorted(rows, key=lambda r: r.code):
        parent = row.parent_code or None
        current = existing.get(row.code)
        if current is None:
            to_create.append(Region(code=row.code, name=row.name, level=row.level, parent_id=parent))
        elif current != (row.name, row.level, parent):
            to_update.append(Region(code=row.code, name=row.name, level=row.level, parent_id=parent))
        else:
            result.unchanged += 1
    # Sorted by code, every parent is inserted before its children.
    _insert(to_create)
    Region.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=BATCH)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _insert(regions: list[Region]) -> None:
    """Insert checked rows. On PostgreSQL with COPY (the national list is 90,000 rows, and
    bulk_create spends most of its time building and quoting one huge INSERT)."""
    if connection.vendor != "postgresql" or not regions:
        Region.objects.bulk_create(regions, batch_size=BATCH)
        return
    table = connection.ops.quote_name(Region._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} (code, name, level, parent_id) FROM STDIN") as copy,
    ):
        for region in regions:
            copy.write_row((region.code, region.name, region.level, region.parent_id))
    changed(Region)  # COPY sends no signal: the dashboard's region counts change


def read_file(path: Path) -> list[RegionRow]:
    """Every row of the file; an unreadable file (binary, not UTF-8, NUL bytes, a broken
    gzip) is one RegionFileError naming what is wrong, never a traceback."""
    try:
        with open_text(Path(path)) as handle:
            return list(read_rows(handle))
    except UnicodeDecodeError:
        raise RegionFileError([_("the file is not UTF-8 text (save it as CSV UTF-8)")]) from None
    except csv.Error as exc:
        if "NUL" in str(exc):
            raise RegionFileError(
                [_("the file contains a NUL character: it is not a CSV text file")]
            ) from None
        raise RegionFileError([_("the file is not a valid CSV file")]) from None
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise RegionFileError([_("the file is not a valid gzip file")]) from None


def import_file(path: Path) -> ImportResult:
    return import_rows(read_file(path))
