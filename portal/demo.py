"""Demo content of the core: regions, the organisations of Kabupaten Tapin, and the demo accounts.

People are fictional. Every app adds its own demo content in `<app>/demo.py`.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Organisation, Region, RoleAssignment, User
from .regions import import_file
from .roles import Role

DEMO_PASSWORD = "tapin2024"
DEMO_EMAIL_DOMAIN = "tapin.example"
BUILTIN_REGIONS = Path(__file__).parent / "fixtures" / "regions-tapin-sample.csv"

TAPIN = "63.05"
TAPIN_UTARA = "63.05.04"
BINUANG = "63.05.01"
KALSEL = "63"
TANAH_LAUT = "63.01"

K = Organisation.Kind
ORGANISATIONS = [
    # (key, name, short name, kind, region)
    (
        "dppkb",
        "Dinas Pengendalian Penduduk dan Keluarga Berencana Kabupaten Tapin",
        "DPPKB Tapin",
        K.OPD,
        TAPIN,
    ),
    ("bappelitbang", "Bappelitbang Kabupaten Tapin", "Bappelitbang", K.OPD, TAPIN),
    ("dinkes", "Dinas Kesehatan Kabupaten Tapin", "Dinkes Tapin", K.OPD, TAPIN),
    ("dinsos", "Dinas Sosial Kabupaten Tapin", "Dinsos Tapin", K.OPD, TAPIN),
    ("dpmd", "Dinas Pemberdayaan Masyarakat dan Desa Kabupaten Tapin", "DPMD Tapin", K.OPD, TAPIN),
    ("pupr", "Dinas PUPR Kabupaten Tapin", "PUPR Tapin", K.OPD, TAPIN),
    ("pkm_tapinutara", "Puskesmas Tapin Utara", "", K.PUSKESMAS, TAPIN_UTARA),
    ("pkm_binuang", "Puskesmas Binuang", "", K.PUSKESMAS, BINUANG),
    ("kec_tapinutara", "Kantor Kecamatan Tapin Utara", "", K.KANTOR_KECAMATAN, TAPIN_UTARA),
    ("kec_binuang", "Kantor Kecamatan Binuang", "", K.KANTOR_KECAMATAN, BINUANG),
    ("pkk", "TP PKK Kabupaten Tapin", "TP PKK Tapin", K.TP_PKK, TAPIN),
    ("pkk_tapinutara", "TP PKK Kecamatan Tapin Utara", "", K.TP_PKK, TAPIN_UTARA),
    ("tpps", "TPPS Kabupaten Tapin", "TPPS Tapin", K.TPPS, TAPIN),
    ("tpps_tapinutara", "TPPS Kecamatan Tapin Utara", "", K.TPPS, TAPIN_UTARA),
    ("bkkbn", "BKKBN Perwakilan Provinsi Kalimantan Selatan", "BKKBN Kalsel", K.BKKBN, KALSEL),
    ("tpps_tanahlaut", "TPPS Kabupaten Tanah Laut", "TPPS Tanah Laut", K.TPPS, TANAH_LAUT),
]

ACCOUNTS = [
    # (username, full name, jabatan, organisation key, role, region or None for OPD focal points)
    ("dppkb", "Rahmawati Hidayah", "Kepala Bidang Pengendalian Penduduk", "dppkb", Role.DPPKB_ADMIN, TAPIN),
    ("notulis", "Siti Aminah", "Staf Sekretariat TPPS", "dppkb", Role.NOTULIS, TAPIN),
    ("camat.tapinutara", "Muhammad Ridwan", "Camat Tapin Utara", "kec_tapinutara", Role.CAMAT, TAPIN_UTARA),
    ("camat.binuang", "Ahmad Syarifuddin", "Camat Binuang", "kec_binuang", Role.CAMAT, BINUANG),
    (
        "kapus.tapinutara",
        "dr. Nurul Hasanah",
        "Kepala Puskesmas Tapin Utara",
        "pkm_tapinutara",
        Role.KEPALA_PUSKESMAS,
        TAPIN_UTARA,
    ),
    (
        "pkk.tapinutara",
        "Norhayati",
        "Ketua TP PKK Kecamatan Tapin Utara",
        "pkk_tapinutara",
        Role.KETUA_PKK,
        TAPIN_UTARA,
    ),
    ("dinkes", "Fitriani", "Analis Gizi, Dinas Kesehatan", "dinkes", Role.OPD_FOCAL, None),
    (
        "bkkbn",
        "Yusuf Mahmud",
        "Widyaiswara BKKBN Kalimantan Selatan",
        "bkkbn",
        Role.TRAINING_ORGANISER,
        KALSEL,
    ),
]


# Who heads the organisations the demo accounts belong to: invitations to them reach someone.
HEADS = {
    "dppkb": "dppkb",
    "kec_tapinutara": "camat.tapinutara",
    "kec_binuang": "camat.binuang",
    "pkm_tapinutara": "kapus.tapinutara",
    "pkk_tapinutara": "pkk.tapinutara",
    "tpps_tapinutara": "camat.tapinutara",
    # The only demo staff of these two: they stand in for the head.
    "dinkes": "dinkes",
    "bkkbn": "bkkbn",
}


def region_source() -> Path:
    official = Path(settings.WILAYAH_DIR) / "regions-63-kalsel.csv"
    return official if official.is_file() else BUILTIN_REGIONS


@transaction.atomic
def seed(log=print, regions_file: Path | None = None) -> dict[str, Organisation]:
    source = regions_file or region_source()
    log(f"{import_file(source).summary()} ({source.name})")
    orgs = {}
    for key, name, short, kind, code in ORGANISATIONS:
        orgs[key], _ = Organisation.objects.update_or_create(
            region_id=code, name=name, defaults={"short_name": short, "kind": kind}
        )
    for username, full_name, jabatan, org_key, role, code in ACCOUNTS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "jabatan": jabatan,
                "organisation": orgs[org_key],
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role == Role.OPD_FOCAL:
            RoleAssignment.objects.get_or_create(
                user=user,
                role=role,
                organisation=orgs[org_key],
                defaults={"region_id": orgs[org_key].region_id},
            )
        else:
            RoleAssignment.objects.get_or_create(user=user, role=role, region_id=code, organisation=None)
    for org_key, username in HEADS.items():
        Organisation.objects.filter(pk=orgs[org_key].pk).update(head=User.objects.get(username=username))
        orgs[org_key].refresh_from_db()
    log(f"accounts: {len(ACCOUNTS)} demo accounts, password {DEMO_PASSWORD}")
    return orgs


def region(code: str) -> Region:
    return Region.objects.get(code=code)
