"""Demo audit: AKS Kabupaten Tapin 2024 Semester I over every desa/kelurahan loaded (all 135
with the official Kalimantan Selatan list), a case in each, every target group, causes and
expert conclusions, recommendations for several OPD adopted at the demo rakor (some done and
verified, some overdue, one still to adopt), and the `pakar` account. Idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from meetings.models import Commitment, CommitmentUpdate, Meeting
from portal.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, ORGANISATIONS, TAPIN
from portal.models import Organisation, Region, RoleAssignment, User
from portal.roles import Role

from . import services
from .catalogue import ensure_risk_factors
from .kka import TargetGroup
from .models import AuditCase, AuditRound, AuditTeamMember

G = TargetGroup
Stage = AuditRound.Stage
RAKOR_TITLE = "Rakor TPPS Kabupaten Tapin: Evaluasi Hasil Audit Kasus Stunting"
WOMEN = [
    "Siti Rahmah",
    "Nurul Aini",
    "Fatimah Zahra",
    "Rusmilawati",
    "Hj. Masniah",
    "Aisyah Putri",
    "Mariana",
]
MEN = ["Muhammad Arsyad", "Ahmad Fauzi", "Rizky Ramadhan", "Abdul Gani", "Fahri Hidayat"]
CHILDREN = ["Alya", "Zaki", "Nayla", "Raffi", "Salsabila", "Hafiz", "Kirana"]

# Per group: (share of women, birth year, age, occupation, education, KKA items, causes, risk, conclusion)
PROFILES = {
    G.CATIN: (
        2004,
        20,
        "Belum bekerja",
        "sma",
        {
            "berat_kg": 41.5,
            "tinggi_cm": 150,
            "lila_cm": 22.1,
            "hb_g_dl": 10.4,
            "merokok": False,
            "cek_kesehatan_pranikah": True,
        },
        ["Asupan gizi tidak adekuat", "4T: terlalu muda"],
        "tinggi",
        "Catin dengan KEK dan anemia; menikah pada usia muda. Penyebab langsung asupan gizi tidak adekuat.",
    ),
    G.IBU_HAMIL: (
        1998,
        26,
        "Ibu rumah tangga",
        "smp",
        {
            "usia_kehamilan_minggu": 20,
            "berat_kg": 48,
            "tinggi_cm": 148,
            "lila_cm": 22.8,
            "hb_g_dl": 9.8,
            "kunjungan_anc": 2,
            "minum_ttd": False,
            "jumlah_anak": 3,
        },
        ["Asupan gizi tidak adekuat", "Akses layanan kesehatan terbatas", "4T: terlalu dekat"],
        "tinggi",
        "Ibu hamil KEK dengan anemia, kunjungan ANC kurang, jarak kehamilan terlalu dekat.",
    ),
    G.IBU_NIFAS: (
        1996,
        28,
        "Pedagang",
        "sd",
        {
            "tempat_persalinan": "rumah",
            "berat_lahir_g": 2300,
            "menyusui": True,
            "kb_pasca_persalinan": False,
            "lila_cm": 23.0,
            "hb_g_dl": 10.9,
        },
        ["Akses layanan kesehatan terbatas", "Pendidikan rendah"],
        "sedang",
        "Persalinan di rumah, bayi BBLR, belum ber-KB pascapersalinan.",
    ),
    G.BADUTA: (
        2023,
        1,
        "",
        "belum",
        {
            "usia_bulan": 14,
            "jenis_kelamin": "P",
            "berat_lahir_g": 2400,
            "berat_kg": 7.6,
            "tinggi_cm": 70.5,
            "zscore_tb_u": -2.6,
            "asi_eksklusif": False,
            "imunisasi_lengkap": False,
            "infeksi_berulang": True,
            "penyakit_penyerta": False,
        },
        ["Penyakit infeksi", "Pola asuh tidak tepat", "Sanitasi tidak layak"],
        "tinggi",
        "Baduta stunting dengan riwayat BBLR, diare berulang, tidak ASI eksklusif, jamban tidak layak.",
    ),
    G.BALITA: (
        2021,
        3,
        "",
        "belum",
        {
            "usia_bulan": 38,
            "jenis_kelamin": "L",
            "berat_kg": 11.2,
            "tinggi_cm": 88.0,
            "zscore_tb_u": -2.3,
            "imunisasi_lengkap": True,
            "infeksi_berulang": False,
            "air_bersih": False,
            "jamban_sehat": False,
        },
        ["Air minum tidak layak", "Kemiskinan", "Kerawanan pangan"],
        "sedang",
        "Balita pendek; keluarga tanpa akses air minum layak dan rawan pangan.",
    ),
}
GROUP_ORDER = [G.BADUTA, G.IBU_HAMIL, G.CATIN, G.BALITA, G.IBU_NIFAS]

# Recommendations: (owner key, text, type, priority, from a case of this group or None, outcome)
# outcome: "verified", "done", "overdue", "open" (adopted, due later) or None (not adopted yet).
RECOMMENDATIONS = [
    (
        "dinkes",
        "PMT lokal dan pemantauan pertumbuhan bulanan bagi baduta stunting hasil audit",
        "spesifik",
        1,
        G.BADUTA,
        "verified",
    ),
    (
        "pkm_tapinutara",
        "Kunjungan rumah bidan desa dan pemberian TTD bagi ibu hamil KEK",
        "spesifik",
        1,
        G.IBU_HAMIL,
        "done",
    ),
    (
        "dinkes",
        "Konseling gizi dan TTD bagi catin KEK/anemia sebelum menikah",
        "spesifik",
        2,
        G.CATIN,
        "overdue",
    ),
    ("pupr", "Pembangunan jamban sehat bagi keluarga sasaran audit", "sensitif", 1, G.BALITA, "overdue"),
    ("dinsos", "Usulan keluarga sasaran audit sebagai penerima PKH/BPNT", "sensitif", 2, G.BALITA, "open"),
    ("dppkb", "Pelayanan KB pascapersalinan melalui TPK bagi ibu nifas", "sensitif", 2, G.IBU_NIFAS, "open"),
    (
        "dpmd",
        "Dana Desa untuk kelas ibu balita dan posyandu di desa dengan kasus terbanyak",
        "sensitif",
        3,
        None,
        None,
    ),
]


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _nik(desa: Region, born: date, woman: bool, serial: int) -> str:
    day = born.day + (40 if woman else 0)
    return f"6305{desa.code.split('.')[2]}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def _people() -> dict[str, User]:
    dinkes = Organisation.objects.get(name="Dinas Kesehatan Kabupaten Tapin", region_id=TAPIN)
    pakar, created = User.objects.update_or_create(
        username="pakar",
        defaults={
            "full_name": "dr. Hj. Lailatul Fitri, Sp.A",
            "jabatan": "Dokter Spesialis Anak, Tim Pakar AKS Kabupaten Tapin",
            "organisation": dinkes,
            "email": f"pakar@{DEMO_EMAIL_DOMAIN}",
        },
    )
    if created:
        pakar.set_password(DEMO_PASSWORD)
        pakar.save()
    RoleAssignment.objects.get_or_create(user=pakar, role=Role.TIM_PAKAR, region_id=TAPIN, organisation=None)
    for username, full_name, jabatan, _expertise in PANEL:
        expert, created = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "jabatan": jabatan,
                "organisation": dinkes,
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
            },
        )
        if created:
            expert.set_password(DEMO_PASSWORD)
            expert.save()
        RoleAssignment.objects.get_or_create(
            user=expert, role=Role.TIM_PAKAR, region_id=TAPIN, organisation=None
        )
    names = ["dppkb", "notulis", "kapus.tapinutara", "pakar", *(row[0] for row in PANEL)]
    return {u.username: u for u in User.objects.filter(username__in=names)}


# The rest of the tim pakar (the decree names an obstetrician and a nutritionist beside the
# paediatrician), each with an e-mail address so the review reminders reach the whole panel.
PANEL = [
    ("pakar.obgyn", "dr. Rahmadi Noor, Sp.OG", "Dokter Spesialis Kebidanan dan Kandungan, Tim Pakar AKS",
     "Dokter spesialis kebidanan dan kandungan"),
    ("pakar.gizi", "Siti Aisyah, S.Gz., M.Gizi", "Ahli Gizi, Tim Pakar AKS Kabupaten Tapin", "Ahli gizi"),
]  # fmt: skip


def _ensure_panel(audit_round: AuditRound, people: dict, dppkb) -> None:
    for username, _name, _jabatan, expertise in PANEL:
        if not audit_round.is_team_member(people[username]):
            services.add_team_member(
                audit_round=audit_round,
                user=people[username],
                part=AuditTeamMember.Part.TIM_PAKAR,
                expertise=expertise,
                acting_user=dppkb,
            )


@transaction.atomic
def seed(log=print) -> None:
    # The published prevalence figures of the monitoring dashboard (helper audits2).
    from .models.prevalence import seed_prevalence

    log(f"audits: {seed_prevalence()} prevalence records")
    if not Meeting.objects.filter(title=RAKOR_TITLE, region_id=TAPIN).exists():
        # The rakor that adopts the recommendations comes from the meetings demo.
        from meetings import demo as meetings_demo

        meetings_demo.seed(log=log)
    people = _people()
    dppkb, pakar, teknis = people["dppkb"], people["pakar"], people["kapus.tapinutara"]
    existing = AuditRound.objects.filter(kabupaten_id=TAPIN, year=2024, semester=1).first()
    if existing:
        _ensure_panel(existing, people, dppkb)
        log("audits: AKS Tapin 2024 Semester I already there")
        return
    org = {
        key: Organisation.objects.get(name=name, region_id=code) for key, name, _s, _k, code in ORGANISATIONS
    }
    audit_round = services.create_round(
        kabupaten=Region.objects.get(code=TAPIN),
        year=2024,
        semester=1,
        sk_number="188.45/094/KUM/2024",
        sk_date=date(2024, 2, 12),
        visits_due=date(2024, 4, 30),
        review_due=date(2024, 5, 31),
        evaluation_due=date(2024, 11, 30),
        acting_user=dppkb,
    )
    services.add_team_member(
        audit_round=audit_round,
        user=pakar,
        part=AuditTeamMember.Part.TIM_PAKAR,
        expertise="Dokter spesialis anak",
        acting_user=dppkb,
    )
    services.add_team_member(
        audit_round=audit_round,
        user=teknis,
        part=AuditTeamMember.Part.TIM_TEKNIS,
        expertise="Kepala Puskesmas",
        acting_user=dppkb,
    )
    _ensure_panel(audit_round, people, dppkb)
    services.move_stage(audit_round=audit_round, stage=Stage.SELEKSI_KASUS, acting_user=dppkb)
    puskesmas = {o.region_id: o for o in Organisation.objects.filter(kind=Organisation.Kind.PUSKESMAS)}
    fallback = org["pkm_tapinutara"]
    factors = ensure_risk_factors()
    cases = []
    for index, row in enumerate(audit_round.coverage.select_related("desa").order_by("desa_id")):
        group = GROUP_ORDER[index % len(GROUP_ORDER)]
        born_year, age, occupation, education, items, causes, risk, _conclusion = PROFILES[group]
        woman = group in (G.CATIN, G.IBU_HAMIL, G.IBU_NIFAS) or items.get("jenis_kelamin") == "P"
        born = date(born_year, 1 + index % 12, 1 + index % 28)
        if group in (G.BADUTA, G.BALITA):
            name = (
                f"{CHILDREN[index % len(CHILDREN)]} binti {MEN[index % len(MEN)]}"
                if woman
                else (f"{CHILDREN[index % len(CHILDREN)]} bin {MEN[index % len(MEN)]}")
            )
        else:
            name = WOMEN[index % len(WOMEN)]
        case = AuditCase(
            round=audit_round,
            number=index + 1,
            desa=row.desa,
            puskesmas=puskesmas.get(row.kecamatan_id, fallback),
            target_group=group,
            age=age,
            occupation=occupation,
            education=education,
            visit_date=date(2024, 3, 4) + timedelta(days=index % 50),
            kka=dict(items),
        )
        services.save_case(
            case=case,
            acting_user=teknis,
            nik=_nik(row.desa, born, woman, index + 1),
            name=name,
            risk_factors=[factors[c] for c in causes],
        )
        cases.append(case)
    services.move_stage(audit_round=audit_round, stage=Stage.KUNJUNGAN, acting_user=dppkb)
    services.move_stage(audit_round=audit_round, stage=Stage.KAJIAN, acting_user=dppkb)
    for case in cases:
        *_rest, risk, conclusion = PROFILES[case.target_group]
        services.review_case(
            case=case,
            acting_user=pakar,
            audit_date=date(2024, 5, 6) + timedelta(days=case.number % 20),
            conclusion=conclusion,
            risk_before=risk,
        )
    services.move_stage(audit_round=audit_round, stage=Stage.DISEMINASI, acting_user=dppkb)
    _recommend_and_adopt(audit_round, cases, org, people)
    services.move_stage(audit_round=audit_round, stage=Stage.TINDAK_LANJUT, acting_user=dppkb)
    # The first evaluations came in: the risk fell for a third of the cases.
    for case in cases[::3]:
        services.evaluate_case(
            case=case,
            acting_user=teknis,
            risk_after="rendah" if case.number % 2 else "sedang",
            carried_out=True,
            evaluated_at=date(2024, 10, 15),
            note="Kunjungan evaluasi oleh tim teknis.",
        )
    log(
        f"audits: {audit_round} with {len(cases)} cases over {audit_round.coverage.count()} desa/kelurahan "
        f"(tim pakar: pakar, password {DEMO_PASSWORD})"
    )


def _recommend_and_adopt(audit_round: AuditRound, cases, org, people) -> None:
    today = timezone.localdate()
    pakar, notulis = people["pakar"], people["notulis"]
    konferensi, _ = Meeting.objects.update_or_create(
        title="Konferensi Tim Pakar AKS Kabupaten Tapin Semester I 2024",
        region_id=TAPIN,
        defaults={
            "kind": Meeting.Kind.KONFERENSI_PAKAR,
            "start": at(date(2024, 5, 6), 9),
            "end": at(date(2024, 5, 6), 15),
            "venue": "Ruang Rapat Dinas Kesehatan Kabupaten Tapin",
            "status": Meeting.Status.HELD,
            "created_by": people["dppkb"],
        },
    )
    audit_round.meetings.add(
        konferensi, *Meeting.objects.filter(region_id=TAPIN, kind=Meeting.Kind.DISEMINASI)
    )
    rakor = Meeting.objects.filter(title=RAKOR_TITLE, region_id=TAPIN).first()
    first_case = {}
    for case in cases:
        first_case.setdefault(case.target_group, case)
    for key, text, kind, priority, group, outcome in RECOMMENDATIONS:
        recommendation = services.add_recommendation(
            audit_round=audit_round,
            acting_user=pakar,
            case=first_case.get(group) if group else None,
            text=text,
            intervention_type=kind,
            owner=org[key],
            priority=priority,
        )
        if outcome is None or rakor is None:
            continue
        due = today + timedelta(days={"overdue": -12, "open": 45}.get(outcome, -5))
        (commitment,) = services.adopt_recommendations(
            meeting=rakor,
            adoptions=[{"recommendation": recommendation, "due_date": due}],
            acting_user=notulis,
        )
        if outcome in ("done", "verified"):
            _close(commitment, outcome, notulis)


def _close(commitment: Commitment, outcome: str, notulis: User) -> None:
    """Demo history of a commitment carried out (evidence is uploaded in the portal for real ones)."""
    statuses = [Commitment.Status.IN_PROGRESS, Commitment.Status.DONE]
    if outcome == "verified":
        statuses.append(Commitment.Status.VERIFIED)
    previous = commitment.status
    for status in statuses:
        CommitmentUpdate.objects.create(
            commitment=commitment,
            author=notulis,
            note="Laporan tindak lanjut rekomendasi AKS.",
            status_from=previous,
            status_to=status,
            percent=100 if status != Commitment.Status.IN_PROGRESS else 50,
        )
        previous = status
    commitment.status, commitment.progress = previous, 100
    commitment.save(update_fields=["status", "progress"])
