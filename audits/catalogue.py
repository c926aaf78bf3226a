"""The causes of the domain brief (penyebab langsung / tidak langsung), as first loaded by
migration 0002 (which keeps its own frozen copy); the demo makes sure they are there."""

from __future__ import annotations

ALL: list[str] = []
MOTHERS = ["catin", "ibu_hamil", "ibu_nifas"]
CHILDREN = ["baduta", "balita"]
RISK_FACTORS = [
    ("Asupan gizi tidak adekuat", "langsung", ALL),
    ("Penyakit infeksi", "langsung", ALL),
    ("Pola asuh tidak tepat", "tidak_langsung", ["ibu_nifas", *CHILDREN]),
    ("Akses layanan kesehatan terbatas", "tidak_langsung", ALL),
    ("Air minum tidak layak", "tidak_langsung", ALL),
    ("Sanitasi tidak layak", "tidak_langsung", ALL),
    ("Kerawanan pangan", "tidak_langsung", ALL),
    ("Kemiskinan", "tidak_langsung", ALL),
    ("Pendidikan rendah", "tidak_langsung", ALL),
    ("4T: terlalu muda", "tidak_langsung", MOTHERS),
    ("4T: terlalu tua", "tidak_langsung", MOTHERS),
    ("4T: terlalu dekat", "tidak_langsung", ["ibu_hamil", "ibu_nifas"]),
    ("4T: terlalu banyak", "tidak_langsung", ["ibu_hamil", "ibu_nifas"]),
]


def ensure_risk_factors() -> dict:
    from .models import RiskFactor

    for name, kind, groups in RISK_FACTORS:
        RiskFactor.objects.get_or_create(name=name, defaults={"kind": kind, "target_groups": groups})
    return {f.name: f for f in RiskFactor.objects.all()}


# The seeded causes are stored by their Indonesian name (the exchange files and the admin use
# it); pages show them in the reader's language. A cause added in admin shows as written.
def _labels() -> dict:
    from django.utils.translation import gettext_lazy as _

    return {
        "Asupan gizi tidak adekuat": _("Inadequate food intake"),
        "Penyakit infeksi": _("Infectious disease"),
        "Pola asuh tidak tepat": _("Inappropriate care practices"),
        "Akses layanan kesehatan terbatas": _("Limited access to health services"),
        "Air minum tidak layak": _("Unsafe drinking water"),
        "Sanitasi tidak layak": _("Inadequate sanitation"),
        "Kerawanan pangan": _("Food insecurity"),
        "Kemiskinan": _("Poverty"),
        "Pendidikan rendah": _("Low education"),
        "4T: terlalu muda": _("4T: too young"),
        "4T: terlalu tua": _("4T: too old"),
        "4T: terlalu dekat": _("4T: births too close"),
        "4T: terlalu banyak": _("4T: too many births"),
    }


LABELS = _labels()


def risk_factor_label(name: str) -> str:
    return str(LABELS.get(name, name))
