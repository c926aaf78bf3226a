"""Builders for audit tests: a round with its team, cases with valid identity and KKA."""

from __future__ import annotations

from datetime import date

from audits import services
from audits.kka import TargetGroup
from audits.models import AuditCase, AuditRound, AuditTeamMember
from portal.models import Organisation, Region

TAPIN_UTARA_DESA = "63.05.04.2005"
BINUANG_DESA = "63.05.01.2003"

FULL_KKA = {
    TargetGroup.CATIN: {"berat_kg": 41.5, "tinggi_cm": 150, "lila_cm": 22.1, "hb_g_dl": 10.4, "merokok": False,
                        "cek_kesehatan_pranikah": True},
    TargetGroup.IBU_HAMIL: {"usia_kehamilan_minggu": 20, "berat_kg": 48, "tinggi_cm": 148, "lila_cm": 24,
                            "hb_g_dl": 11.5, "kunjungan_anc": 2, "minum_ttd": True, "jumlah_anak": 1},
    TargetGroup.IBU_NIFAS: {"tempat_persalinan": "faskes", "berat_lahir_g": 2900, "menyusui": True,
                            "kb_pasca_persalinan": True, "lila_cm": 24.0, "hb_g_dl": 12},
    TargetGroup.BADUTA: {"usia_bulan": 14, "jenis_kelamin": "P", "berat_lahir_g": 2400, "berat_kg": 7.6,
                         "tinggi_cm": 70.5, "zscore_tb_u": -2.6, "asi_eksklusif": False, "imunisasi_lengkap": False,
                         "infeksi_berulang": True, "penyakit_penyerta": False},
    TargetGroup.BALITA: {"usia_bulan": 38, "jenis_kelamin": "L", "berat_kg": 11.2, "tinggi_cm": 88.0,
                         "zscore_tb_u": -2.3, "imunisasi_lengkap": True, "infeksi_berulang": False,
                         "air_bersih": False, "jamban_sehat": False},
}  # fmt: skip


def make_round(dppkb, *, pakar=None, teknis=None, year: int = 2024, semester: int = 1) -> AuditRound:
    audit_round = services.create_round(
        kabupaten=Region.objects.get(code="63.05"),
        year=year,
        semester=semester,
        sk_number="188.45/094/KUM/2024",
        sk_date=date(2024, 2, 12),
        acting_user=dppkb,
    )
    if pakar:
        services.add_team_member(
            audit_round=audit_round, user=pakar, part=AuditTeamMember.Part.TIM_PAKAR, acting_user=dppkb
        )
    if teknis:
        services.add_team_member(
            audit_round=audit_round, user=teknis, part=AuditTeamMember.Part.TIM_TEKNIS, acting_user=dppkb
        )
    return audit_round


def nik_for(desa: str = TAPIN_UTARA_DESA, serial: int = 1, woman: bool = True) -> str:
    kecamatan = desa.split(".")[2]
    return f"6305{kecamatan}{12 + (40 if woman else 0):02d}0598{serial:04d}"


def make_case(
    audit_round,
    user,
    *,
    group=TargetGroup.BADUTA,
    desa=TAPIN_UTARA_DESA,
    number=None,
    visited=True,
    kka=None,
    serial=None,
    name="Siti Rahmah",
) -> AuditCase:
    number = number or (audit_round.cases.count() + 1)
    case = AuditCase(
        round=audit_round,
        number=number,
        desa_id=desa,
        puskesmas=Organisation.objects.filter(kind=Organisation.Kind.PUSKESMAS).order_by("pk").first(),
        target_group=group,
        visit_date=date(2024, 3, 4) if visited else None,
        kka=dict(FULL_KKA[group] if kka is None else kka),
    )
    return services.save_case(case=case, acting_user=user, nik=nik_for(desa, serial or number), name=name)
