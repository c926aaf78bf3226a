"""Demo meetings: the Tapin rakor that evaluated the audit results (approved minutes and RTL),
a kecamatan rakor in Tapin Utara, Petik Aksi seri II 2023 in Tanah Laut, upcoming meetings,
and commitments due in the coming days or already overdue. Idempotent; dates relative to today."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.demo import DEMO_PASSWORD, ORGANISATIONS, TANAH_LAUT, TAPIN, TAPIN_UTARA
from portal.models import Organisation, User

from . import services
from .models import Attendance, Commitment, CommitmentUpdate, Invitation, Meeting, Minutes

M = Meeting


def at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _meeting(title: str, region: str, *, organisers, agenda, invitees, **fields) -> Meeting:
    meeting, _ = Meeting.objects.update_or_create(title=title, region_id=region, defaults=fields)
    meeting.organisers.set(organisers)
    if not meeting.agenda_items.exists():
        for order, (item, presenter, minutes) in enumerate(agenda, start=1):
            meeting.agenda_items.create(order=order, title=item, presenter=presenter, minutes_planned=minutes)
    for invitee in invitees:
        if isinstance(invitee, Organisation):
            Invitation.objects.get_or_create(meeting=meeting, organisation=invitee, person=None)
        else:
            Invitation.objects.get_or_create(meeting=meeting, person=invitee, organisation=None)
    return meeting


@transaction.atomic
def seed(log=print) -> None:
    org = {
        key: Organisation.objects.get(name=name, region_id=code)
        for key, name, _short, _kind, code in ORGANISATIONS
    }
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["dppkb", "notulis", "camat.tapinutara", "dinkes", "kapus.tapinutara"]
        )
    }
    sekda, created = User.objects.update_or_create(
        username="sekda",
        defaults={
            "full_name": "Drs. H. Abdul Karim",
            "jabatan": "Sekretaris Daerah, Ketua TPPS Kabupaten Tapin",
            "organisation": org["tpps"],
            "email": "sekda@tapin.example",
        },
    )
    if created:
        sekda.set_password(DEMO_PASSWORD)
        sekda.save()
    today = timezone.localdate()
    opd = [
        org[k]
        for k in (
            "dinkes",
            "dinsos",
            "pupr",
            "dpmd",
            "pkm_tapinutara",
            "kec_tapinutara",
            "kec_binuang",
            "pkk",
        )
    ]

    # The kabupaten rakor that evaluated the audit results, a month ago.
    day = today - timedelta(days=30)
    rakor = _meeting(
        "Rakor TPPS Kabupaten Tapin: Evaluasi Hasil Audit Kasus Stunting",
        TAPIN,
        organisers=[org["tpps"], org["dppkb"], org["bappelitbang"]],
        agenda=[
            ("Pembukaan dan arahan Ketua TPPS", "Sekretaris Daerah", 15),
            ("Paparan hasil Audit Kasus Stunting Semester I", "Tim Pakar AKS", 45),
            ("Diskusi rencana tindak lanjut (RTL) per perangkat daerah", "Bappelitbang", 60),
            ("Kesepakatan dan penandatanganan komitmen bersama", "DPPKB", 20),
        ],
        invitees=opd,
        kind=M.Kind.RAKOR,
        chair=sekda,
        start=at(day, 9),
        end=at(day, 12),
        mode=M.Mode.LURING,
        venue="Aula Bappelitbang Kabupaten Tapin, Rantau",
        status=M.Status.MINUTES_APPROVED,
        recurrence=M.Recurrence.QUARTERLY,
        created_by=users.get("dppkb"),
    )
    Invitation.objects.filter(meeting=rakor).update(response=Invitation.Response.HADIR)
    services.prepare_attendance(meeting=rakor, acting_user=users.get("dppkb"))
    rakor.attendances.filter(status=Attendance.Status.TIDAK_HADIR).update(status=Attendance.Status.HADIR)
    Attendance.objects.get_or_create(
        meeting=rakor,
        name="Drs. H. Abdul Karim",
        defaults={"jabatan": "Sekretaris Daerah", "instansi": "TPPS Kabupaten Tapin", "person": sekda},
    )
    commitments = [
        (
            "dinkes",
            "Pemberian PMT lokal bagi 24 balita gizi kurang hasil audit",
            Commitment.InterventionType.SPESIFIK,
            3,
            Commitment.Status.IN_PROGRESS,
            60,
        ),
        (
            "dinkes",
            "Skrining anemia dan tablet tambah darah untuk seluruh catin di KUA",
            Commitment.InterventionType.SPESIFIK,
            -5,
            Commitment.Status.OPEN,
            0,
        ),
        (
            "dinsos",
            "Verifikasi keluarga berisiko stunting sebagai penerima PKH/BPNT",
            Commitment.InterventionType.SENSITIF,
            5,
            Commitment.Status.OPEN,
            0,
        ),
        (
            "pupr",
            "Pembangunan jamban sehat bagi 15 keluarga sasaran di Tapin Utara",
            Commitment.InterventionType.SENSITIF,
            -10,
            Commitment.Status.IN_PROGRESS,
            40,
        ),
        (
            "dpmd",
            "Alokasi Dana Desa untuk kegiatan posyandu dan kelas ibu balita",
            Commitment.InterventionType.SENSITIF,
            14,
            Commitment.Status.OPEN,
            0,
        ),
        (
            "pkm_tapinutara",
            "Kunjungan rumah dan pemantauan pertumbuhan baduta kasus audit",
            Commitment.InterventionType.SPESIFIK,
            2,
            Commitment.Status.DONE,
            100,
        ),
    ]
    for key, description, kind, due_in, status, progress in commitments:
        commitment, created = Commitment.objects.update_or_create(
            meeting=rakor,
            description=description,
            defaults={
                "owner": org[key],
                "intervention_type": kind,
                "due_date": today + timedelta(days=due_in),
                "status": status,
                "progress": progress,
                "pic": users.get("dinkes") if key == "dinkes" else None,
            },
        )
        if created:
            _demo_history(commitment, recorded_by=users.get("notulis"), at=rakor.end)
    minutes, created = Minutes.objects.get_or_create(meeting=rakor)
    if created:
        agenda = list(rakor.agenda_items.all())
        services.save_minutes(
            minutes=minutes,
            data={
                "summary": "Rakor membahas hasil Audit Kasus Stunting Semester I: 40 kasus dikaji tim pakar "
                "(catin, ibu hamil, ibu nifas, baduta) dengan rekomendasi per kasus.",
                "discussions": {
                    str(
                        agenda[1].pk
                    ): "Penyebab langsung terbanyak: asupan tidak adekuat dan infeksi berulang. "
                    "Penyebab tidak langsung: sanitasi, pola asuh, dan akses layanan.",
                    str(
                        agenda[2].pk
                    ): "Setiap perangkat daerah menyampaikan RTL sesuai rekomendasi tim pakar.",
                },
                "decisions": "1. RTL per perangkat daerah disepakati dengan tenggat.\n"
                "2. Progres RTL dilaporkan di portal dan dievaluasi pada rakor berikutnya.",
            },
            acting_user=users.get("notulis"),
        )
        services.approve_minutes(minutes=minutes, acting_user=sekda)

    # A kecamatan rakor in Tapin Utara, two weeks ago, and its next quarterly session.
    camat = users.get("camat.tapinutara")
    kec_invitees = [org["pkm_tapinutara"], org["pkk_tapinutara"], org["kec_tapinutara"]]
    kec_agenda = [
        ("Review tindak lanjut rakor sebelumnya", "Sekretaris Kecamatan", 30),
        ("Laporan pendampingan keluarga oleh TPK", "Koordinator PKB", 30),
        ("Rencana kegiatan triwulan berikutnya", "Camat Tapin Utara", 30),
    ]
    day = today - timedelta(days=14)
    kec = _meeting(
        "Rakor TPPS Kecamatan Tapin Utara",
        TAPIN_UTARA,
        organisers=[org["tpps_tapinutara"], org["kec_tapinutara"]],
        agenda=kec_agenda,
        invitees=kec_invitees,
        kind=M.Kind.RAKOR,
        chair=camat,
        start=at(day, 9),
        end=at(day, 11, 30),
        mode=M.Mode.LURING,
        venue="Aula Kantor Kecamatan Tapin Utara",
        status=M.Status.HELD,
        recurrence=M.Recurrence.QUARTERLY,
        created_by=camat,
    )
    Commitment.objects.update_or_create(
        meeting=kec,
        description="Sweeping imunisasi baduta di desa dengan cakupan rendah",
        defaults={
            "owner": org["pkm_tapinutara"],
            "intervention_type": Commitment.InterventionType.SPESIFIK,
            "due_date": today + timedelta(days=1),
            "status": Commitment.Status.OPEN,
        },
    )
    day = today + timedelta(days=14)
    _meeting(
        "Rakor TPPS Kecamatan Tapin Utara (triwulan berikutnya)",
        TAPIN_UTARA,
        organisers=[org["tpps_tapinutara"], org["kec_tapinutara"]],
        agenda=kec_agenda,
        invitees=kec_invitees,
        kind=M.Kind.RAKOR,
        chair=camat,
        start=at(day, 9),
        end=at(day, 11, 30),
        mode=M.Mode.LURING,
        venue="Aula Kantor Kecamatan Tapin Utara",
        status=M.Status.SCHEDULED,
        recurrence=M.Recurrence.QUARTERLY,
        previous=kec,
        created_by=camat,
    )

    # Petik Aksi seri II 2023 in Tanah Laut: a hybrid good-practice event.
    _meeting(
        "Petik Aksi Seri II Tahun 2023: Berbagi Praktik Baik Percepatan Penurunan Stunting",
        TANAH_LAUT,
        organisers=[org["tpps_tanahlaut"]],
        agenda=[
            ("Pembukaan", "Ketua TPPS Kabupaten Tanah Laut", 15),
            ("Berbagi praktik baik desa dan kecamatan", "Narasumber", 120),
            ("Diskusi dan tanya jawab", "Moderator", 45),
        ],
        invitees=[],
        kind=M.Kind.PETIK_AKSI,
        start=timezone.make_aware(datetime(2023, 7, 31, 8, 30)),
        end=timezone.make_aware(datetime(2023, 7, 31, 15, 0)),
        mode=M.Mode.HYBRID,
        venue="Aula Bappeda Kabupaten Tanah Laut, Pelaihari",
        online_link="https://zoom.us/j/0000000000",
        status=M.Status.HELD,
    )

    # Upcoming kabupaten meetings.
    day = today + timedelta(days=7)
    _meeting(
        "Rakor TPPS Kabupaten Tapin: Review Tindak Lanjut RTL",
        TAPIN,
        organisers=[org["tpps"], org["dppkb"]],
        agenda=[
            ("Review tindak lanjut RTL rakor sebelumnya", "DPPKB", 60),
            ("Persiapan Audit Kasus Stunting Semester II", "Dinas Kesehatan", 45),
        ],
        invitees=opd,
        kind=M.Kind.RAKOR,
        chair=sekda,
        start=at(day, 9),
        end=at(day, 12),
        mode=M.Mode.HYBRID,
        venue="Ruang Rapat Bappelitbang Kabupaten Tapin",
        online_link="https://meet.example.org/rakor-tpps-tapin",
        status=M.Status.SCHEDULED,
        recurrence=M.Recurrence.QUARTERLY,
        previous=rakor,
        created_by=users.get("dppkb"),
    )
    day = today + timedelta(days=21)
    _meeting(
        "Diseminasi Hasil Audit Kasus Stunting Semester I",
        TAPIN,
        organisers=[org["dppkb"], org["dinkes"]],
        agenda=[("Paparan hasil kajian tim pakar", "Tim Pakar AKS", 60)],
        invitees=opd,
        kind=M.Kind.DISEMINASI,
        start=at(day, 13),
        end=at(day, 15),
        mode=M.Mode.DARING,
        online_link="https://meet.example.org/diseminasi-aks",
        status=M.Status.DRAFT,
        created_by=users.get("dppkb"),
    )
    log(
        f"meetings: {Meeting.objects.count()} meetings, {Commitment.objects.count()} commitments (sekda chairs, password {DEMO_PASSWORD})"
    )


def _demo_history(commitment: Commitment, *, recorded_by, at) -> None:
    """The history a real RTL would have: recorded at the rakor, then reported on since,
    so "review tindak lanjut" shows what changed after the meeting."""
    CommitmentUpdate.objects.create(
        commitment=commitment,
        author=recorded_by,
        note="Komitmen dicatat pada rakor.",
        status_to=Commitment.Status.OPEN,
        created_at=at,
    )
    if commitment.status != Commitment.Status.OPEN:
        CommitmentUpdate.objects.create(
            commitment=commitment,
            author=recorded_by,
            note="Laporan kemajuan dari perangkat daerah penanggung jawab.",
            percent=commitment.progress,
            status_from=Commitment.Status.OPEN,
            status_to=commitment.status,
            created_at=at + timedelta(days=3),
        )
