import gzip
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from portal.models import Region

KALSEL = Path(settings.WILAYAH_DIR) / "regions-63-kalsel.csv"
HEADER = "code,name,level,parent_code\n"
GOOD = (
    HEADER
    + "63,Kalimantan Selatan,provinsi,\n63.05,Kab. Tapin,kabupaten,63\n63.05.04,Tapin Utara,kecamatan,63.05\n"
)

needs_official_list = pytest.mark.skipif(
    not KALSEL.is_file(), reason=f"the official region list is not at {KALSEL} (set WILAYAH_DIR)"
)


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English messages; the Indonesian ones are checked in
    test_no_server_errors.py. Without this the language depended on earlier tests."""
    with translation.override("en"):
        yield


def run_import(path, capsys) -> str:
    call_command("import_regions", str(path))
    return capsys.readouterr().out.strip().splitlines()[-1]


def write(tmp_path, text, name="regions.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@needs_official_list
@pytest.mark.django_db
def test_kalsel_import_gives_the_official_counts(capsys):
    line = run_import(KALSEL, capsys)

    assert line == "regions: 2186 created, 0 updated, 0 unchanged"
    assert Region.objects.filter(code__startswith="63.", level__in=["kabupaten", "kota"]).count() == 13
    assert Region.objects.filter(level="kecamatan").count() == 156
    assert Region.objects.filter(level__in=["desa", "kelurahan"]).count() == 2016
    tapin = Region.objects.get(code="63.05")
    assert tapin.name == "Kab. Tapin" and tapin.parent_id == "63"
    assert tapin.children.filter(level="kecamatan").count() == 12
    assert Region.objects.filter(code__startswith="63.05.", level__in=["desa", "kelurahan"]).count() == 135


@needs_official_list
@pytest.mark.django_db
def test_import_is_idempotent_and_reports_updates(tmp_path, capsys):
    run_import(KALSEL, capsys)
    assert run_import(KALSEL, capsys) == "regions: 0 created, 0 updated, 2186 unchanged"

    gz = tmp_path / "renamed.csv.gz"
    text = KALSEL.read_text(encoding="utf-8").replace("63.05.04,Tapin Utara,", "63.05.04,Tapin Utara Baru,")
    with gzip.open(gz, "wt", encoding="utf-8") as handle:
        handle.write(text)
    assert run_import(gz, capsys) == "regions: 0 created, 1 updated, 2185 unchanged"
    assert Region.objects.get(code="63.05.04").name == "Tapin Utara Baru"


@pytest.mark.django_db
def test_gzipped_file_imports(tmp_path, capsys):
    gz = tmp_path / "regions.csv.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as handle:
        handle.write(GOOD)
    assert run_import(gz, capsys) == "regions: 3 created, 0 updated, 0 unchanged"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("63.5.01,Salah,kecamatan,63.05", "line 5: bad code format"),
        (
            "63.05.99,Tanpa Induk,kecamatan,63.05\n63.05.98.2001,Desa,desa,63.05.98",
            "line 6: unknown parent 63.05.98",
        ),
        ("63.05.01,Binuang,desa,63.05", "line 5: level 'desa' does not fit code 63.05.01"),
        ("63.05.04,Tapin Utara Lagi,kecamatan,63.05", "line 5: duplicate code 63.05.04 (first on line 4)"),
        (
            "63.05.01.1001,Binuang,kelurahan,63.05.04",
            "line 5: parent '63.05.04' does not fit code 63.05.01.1001",
        ),
        ("63.05.01,Binuang", "line 5: expected 4 columns, found 2"),
    ],
)
@pytest.mark.django_db
def test_broken_file_names_the_line_and_writes_nothing(tmp_path, capsys, bad_line, message):
    path = write(tmp_path, GOOD + bad_line + "\n")

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_regions", str(path))

    assert message in capsys.readouterr().err
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_every_error_is_reported_not_only_the_first(tmp_path, capsys):
    path = write(tmp_path, GOOD + "6x,Bad,provinsi,\n63.05.05,Ok,kota,63.05\n")
    with pytest.raises(CommandError):
        call_command("import_regions", str(path))
    err = capsys.readouterr().err
    assert "line 5: bad code format" in err and "line 6: level 'kota'" in err


@pytest.mark.django_db
def test_wrong_header_is_refused(tmp_path, capsys):
    path = write(tmp_path, "kode,nama\n63,Kalimantan Selatan\n")
    with pytest.raises(CommandError):
        call_command("import_regions", str(path))
    assert "line 1: the header must be code,name,level,parent_code" in capsys.readouterr().err


@pytest.mark.django_db
def test_parent_already_in_the_database_is_accepted(tmp_path, capsys):
    run_import(write(tmp_path, GOOD), capsys)
    child = write(tmp_path, HEADER + "63.05.04.2005,Keramat,desa,63.05.04\n", "child.csv")
    assert run_import(child, capsys) == "regions: 1 created, 0 updated, 0 unchanged"


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_regions", str(tmp_path / "nope.csv"))


@pytest.mark.django_db
def test_builtin_geography_has_tapin_with_its_twelve_kecamatan(capsys):
    from portal.demo import BUILTIN_REGIONS

    run_import(BUILTIN_REGIONS, capsys)
    assert Region.objects.filter(parent_id="63.05", level="kecamatan").count() == 12
    assert all(k.children.exists() for k in Region.objects.filter(parent_id="63.05"))
