"""Known AKS data for the monitoring, report and export tests (helper audits2).

`build(demo)` makes the Tapin 2024 Semester I round with numbers the tests assert:

- coverage: Tapin Utara 4 desa (2 reached: Keramat visited, Antasari reviewed), Binuang 4 desa
  (1 reached: Tungkap, cases selected); the other 6 kecamatan nothing;
- cases: 1 baduta with a direct cause (Keramat), 1 baduta with an indirect cause (Antasari),
  1 ibu hamil with both (Antasari), 1 catin without a cause (Tungkap);
- recommendations: Dinkes 2 (one adopted and done, one adopted and overdue), Dinsos 1 (not adopted);
- a kabupaten rakor held with 4 invited, 2 present, 1 absent.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from audits.models import (
    AuditCase,
    AuditRound,
    Recommendation,
    RecommendationCommitment,
    RiskFactor,
    RoundDesa,
)
from meetings.models import Attendance, Commitment, Invitation, Meeting
from portal.models import Organisation, Region

NIK = "6305044507900001"  # Tapin, born 5 July 1990 (woman: day + 40)
NAME = "Siti Rahmah Binti Usman"


def bare_round(kabupaten: str = "63.05", year: int = 2024, semester: int = 1, **fields) -> AuditRound:
    audit_round = AuditRound.objects.create(kabupaten_id=kabupaten, year=year, semester=semester, **fields)
    desa = Region.objects.filter(code__startswith=f"{kabupaten}.", level__in=["desa", "kelurahan"])
    RoundDesa.objects.bulk_create(
        RoundDesa(round=audit_round, desa_id=code, kecamatan_id=parent)
        for code, parent in desa.values_list("code", "parent_id")
    )
    return audit_round


def make_case(audit_round, number, desa, group, puskesmas, causes=(), nik=NIK, **fields) -> AuditCase:
    case = AuditCase(
        round=audit_round,
        number=number,
        desa_id=desa,
        puskesmas=puskesmas,
        target_group=group,
        form_version="2024.1",
        **fields,
    )
    case.set_identity(nik=nik, name=f"{NAME} {number}")
    case.save()
    case.risk_factors.set(causes)
    return case


def factor(kind: str) -> RiskFactor:
    # By name, not from the seeded catalogue: a browser test's flush may have emptied it.
    name = {"langsung": "Asupan gizi tidak adekuat", "tidak_langsung": "Pola asuh tidak tepat"}[kind]
    return RiskFactor.objects.get_or_create(name=name, defaults={"kind": kind})[0]


def set_status(audit_round, desa: str, status: str) -> None:
    RoundDesa.objects.filter(round=audit_round, desa_id=desa).update(status=status)


def held_rakor(region="63.05", invited=4, present=2, absent=1, **fields) -> Meeting:
    start = fields.pop("start", timezone.now() - dt.timedelta(days=20))
    meeting = Meeting.objects.create(
        title=fields.pop("title", "Rakor TPPS Kabupaten Tapin"),
        kind=Meeting.Kind.RAKOR,
        region_id=region,
        start=start,
        end=start + dt.timedelta(hours=2),
        status=Meeting.Status.HELD,
        **fields,
    )
    invitations = [
        Invitation.objects.create(meeting=meeting, organisation=org)
        for org in Organisation.objects.order_by("pk")[:invited]
    ]
    statuses = [Attendance.Status.HADIR] * present + [Attendance.Status.TIDAK_HADIR] * absent
    for index, status in enumerate(statuses):
        Attendance.objects.create(
            meeting=meeting, invitation=invitations[index], name=f"Peserta {index}", status=status
        )
    return meeting


def adopt(recommendation, meeting, *, status, due_in_days: int) -> Commitment:
    commitment = Commitment.objects.create(
        meeting=meeting,
        description=recommendation.text,
        owner=recommendation.owner,
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
        status=status,
        intervention_type=recommendation.intervention_type,
    )
    RecommendationCommitment.objects.create(recommendation=recommendation, commitment=commitment)
    return commitment


def build(demo) -> SimpleNamespace:
    orgs = demo.orgs
    audit_round = bare_round(sk_number="188.45/123/KUM/2024", stage=AuditRound.Stage.DISEMINASI)
    direct, indirect = factor(RiskFactor.Kind.LANGSUNG), factor(RiskFactor.Kind.TIDAK_LANGSUNG)
    set_status(audit_round, "63.05.04.2005", RoundDesa.Status.DIKUNJUNGI)
    set_status(audit_round, "63.05.04.2006", RoundDesa.Status.DIKAJI)
    set_status(audit_round, "63.05.01.2003", RoundDesa.Status.KASUS_DIPILIH)
    pkm_utara, pkm_binuang = orgs["pkm_tapinutara"], orgs["pkm_binuang"]
    cases = [
        make_case(
            audit_round, 1, "63.05.04.2005", "baduta", pkm_utara, [direct], visit_date=dt.date(2024, 3, 4)
        ),
        make_case(
            audit_round,
            2,
            "63.05.04.2006",
            "baduta",
            pkm_utara,
            [indirect],
            audit_date=dt.date(2024, 4, 2),
            risk_before="tinggi",
            risk_after="sedang",
        ),
        make_case(
            audit_round,
            3,
            "63.05.04.2006",
            "ibu_hamil",
            pkm_utara,
            [direct, indirect],
            audit_date=dt.date(2024, 4, 2),
            risk_before="sedang",
        ),
        make_case(audit_round, 4, "63.05.01.2003", "catin", pkm_binuang),
    ]
    rakor = held_rakor()
    done = Recommendation.objects.create(
        round=audit_round,
        case=cases[0],
        text="PMT pemulihan 90 hari",
        intervention_type="spesifik",
        owner=orgs["dinkes"],
    )
    late = Recommendation.objects.create(
        round=audit_round,
        case=cases[2],
        text="Tablet tambah darah dan kelas ibu hamil",
        intervention_type="spesifik",
        owner=orgs["dinkes"],
    )
    open_ = Recommendation.objects.create(
        round=audit_round,
        text="Bantuan sosial bagi keluarga berisiko",
        intervention_type="sensitif",
        owner=orgs["dinsos"],
    )
    adopt(done, rakor, status=Commitment.Status.DONE, due_in_days=-3)
    adopt(late, rakor, status=Commitment.Status.OPEN, due_in_days=-2)
    return SimpleNamespace(round=audit_round, cases=cases, rakor=rakor, recommendations=[done, late, open_])


def grow(demo, audit_round, start: int = 100, count: int = 30) -> None:
    """More of everything (cases in every kecamatan, rounds, rakor, recommendations, another
    kabupaten's round) for the constant-queries tests."""
    orgs = demo.orgs
    desa = list(RoundDesa.objects.filter(round=audit_round).values_list("desa_id", flat=True))
    direct, indirect = factor(RiskFactor.Kind.LANGSUNG), factor(RiskFactor.Kind.TIDAK_LANGSUNG)
    groups = ["catin", "ibu_hamil", "ibu_nifas", "baduta", "balita"]
    for index in range(count):
        case = make_case(
            audit_round,
            start + index,
            desa[index % len(desa)],
            groups[index % 5],
            orgs["pkm_binuang"],
            [direct, indirect][: index % 3],
        )
        Recommendation.objects.create(
            round=audit_round,
            case=case,
            text=f"Rekomendasi {index}",
            intervention_type="spesifik",
            owner=[orgs["dinkes"], orgs["dinsos"], orgs["pupr"], orgs["dpmd"]][index % 4],
        )
    RoundDesa.objects.filter(round=audit_round).update(status=RoundDesa.Status.DIKUNJUNGI)
    bare_round(year=2023, semester=2)
    bare_round(kabupaten="63.01", year=2024, semester=1)
    for index in range(5):
        held_rakor(region="63.05.01", title=f"Rakor Binuang {index}", invited=6, present=4, absent=2)
