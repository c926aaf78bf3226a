"""Two kabupaten side by side, for the route x persona matrix and the scope content checks.

Kabupaten Tapin (63.05) is the demo (seed_demo's geography, organisations and accounts);
Kabupaten Banjar (63.03) is built here with two kecamatan, its own DPPKB admin and notulis,
and the same kinds of objects. Every object of Banjar carries "BANJAR" in its title or name,
every object of Tapin "TAPIN", so a page or an export can be checked for rows from outside
the persona's scope by its text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from portal.models import Notification, Organisation, Region, RoleAssignment, User
from portal.roles import Role

TAPIN, BANJAR = "63.05", "63.03"
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# Personas: every kind of account the issue names. Keys are used in the expectation table.
PERSONAS = (
    "anonymous",
    "dppkb",  # DPPKB admin of Tapin
    "notulis",  # notulis of Tapin
    "dppkb_banjar",
    "notulis_banjar",
    "camat_a",  # camat of Tapin Utara
    "camat_b",  # camat of Binuang (Tapin)
    "kapus",  # kepala puskesmas Tapin Utara
    "pkk",  # ketua TP PKK Tapin Utara
    "opd",  # OPD focal point, Dinas Kesehatan Tapin
    "organiser",  # training organiser, BKKBN Kalimantan Selatan
    "norole",  # an account without any role
    "superuser",
)


@dataclass
class Side:
    """The objects of one kabupaten."""

    code: str
    meeting: object = None
    kecamatan_meeting: object = None
    invitation: object = None
    agenda_item: object = None
    attendance: object = None
    minutes: object = None
    document: object = None
    commitment: object = None
    evidence: object = None
    organisation: object = None
    training: object = None
    session: object = None
    enrollment: object = None
    training_attendance: object = None
    notification: object = None
    audit_round: object = None  # an AKS round of the kabupaten, with one case and one recommendation
    audit_case: object = None
    recommendation: object = None
    team_member: object = None  # a tim teknis member of the round (no persona)
    nik_access: object = None  # the log entry of one identity reveal by the DPPKB admin
    risk_factor: object = None  # the national catalogue's (the same on both sides)
    prevalence: object = None  # a prevalence figure of the kabupaten
    job: object = None  # a finished background job of the side's camat, with its file
    person: object = None  # the camat whose enrollment, notification and history rows these are
    region: object = None
    kecamatan: object = None


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    sides: dict[str, Side] = field(default_factory=dict)
    provincial_training: object = None

    def __getitem__(self, side: str) -> Side:
        return self.sides[side]


def _account(username: str, role: str | None, region: str | None, organisation=None, **extra) -> User:
    user = User.objects.create_user(
        username,
        password="tapin2024",
        full_name=extra.pop("full_name", username.replace(".", " ").title()),
        email=f"{username}@banjar.example",
        organisation=organisation,
        **extra,
    )
    if role:
        RoleAssignment.objects.create(user=user, role=role, region_id=region)
    user.sync_groups_and_staff()
    return user


def _banjar_geography() -> None:
    Region.objects.create(code=BANJAR, name="Kab. Banjar", level="kabupaten", parent_id="63")
    for code, name, desa in [
        ("63.03.01", "Aluh Aluh", ("63.03.01.2001", "Bakambat")),
        ("63.03.02", "Kertak Hanyar", ("63.03.02.2001", "Mandar Sari")),
    ]:
        Region.objects.create(code=code, name=name, level="kecamatan", parent_id=BANJAR)
        Region.objects.create(code=desa[0], name=desa[1], level="desa", parent_id=code)


def _side(world: World, side: str, *, writer: User, owner: Organisation, person: User, chair: User) -> Side:
    from meetings.commitments import services as commitment_services
    from meetings.commitments.models import CommitmentUpdate, Evidence
    from meetings.models import (
        AgendaItem,
        Attendance,
        Invitation,
        Meeting,
        MeetingDocument,
        Minutes,
        MinutesVersion,
    )
    from trainings.models import Attendance as TrainingAttendance
    from trainings.models import Enrollment, Session, Training, kabupaten_of

    code = TAPIN if side == "tapin" else BANJAR
    label = side.upper()
    now = timezone.now().replace(second=0, microsecond=0)
    s = Side(code=code, region=Region.objects.get(code=code), person=person, organisation=owner)
    s.kecamatan = Region.objects.get(code="63.05.04" if side == "tapin" else "63.03.01")
    # A kabupaten rakor open for check-in now, chaired by the kabupaten's DPPKB admin.
    s.meeting = Meeting.objects.create(
        title=f"Rakor TPPS {label}",
        region_id=code,
        start=now - dt.timedelta(minutes=30),
        end=now + dt.timedelta(hours=2),
        venue=f"Aula {label}",
        status=Meeting.Status.SCHEDULED,
        chair=chair,
        created_by=writer,
        checkin_code=f"{label[:3]}123",
    )
    s.meeting.organisers.set([owner])
    s.kecamatan_meeting = Meeting.objects.create(
        title=f"Rakor Kecamatan {label}",
        region_id=s.kecamatan.code,
        start=now + dt.timedelta(days=7),
        end=now + dt.timedelta(days=7, hours=2),
        venue=f"Kantor Camat {label}",
        created_by=writer,
    )
    s.agenda_item = AgendaItem.objects.create(meeting=s.meeting, order=1, title=f"Agenda {label}")
    s.invitation = Invitation.objects.create(meeting=s.meeting, person=person)
    s.attendance = Attendance.objects.create(
        meeting=s.meeting, person=person, name=person.get_full_name(), status=Attendance.Status.HADIR
    )
    s.minutes = Minutes.objects.create(meeting=s.meeting, summary=f"Ringkasan {label}", version=1)
    MinutesVersion.objects.create(
        minutes=s.minutes,
        number=1,
        kind=MinutesVersion.Kind.DRAFT,
        summary=f"Ringkasan {label}",
        author=writer,
    )
    s.document = MeetingDocument(
        meeting=s.meeting,
        original_name=f"daftar-hadir-{side}.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=writer,
    )
    s.document.file.save(f"daftar-hadir-{side}.pdf", ContentFile(PDF_BYTES), save=False)
    s.document.save()
    s.commitment = commitment_services.create_commitment(
        meeting=s.meeting,
        description=f"Komitmen {label}: distribusi tablet tambah darah",
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=14),
        acting_user=writer,
        pic=person,
    )
    update = CommitmentUpdate.objects.create(
        commitment=s.commitment, author=person, note=f"Kemajuan {label}", percent=50,
        status_from=s.commitment.status, status_to=s.commitment.status,
    )  # fmt: skip
    s.evidence = Evidence(
        update=update, original_name=f"bukti-{side}.pdf", content_type="application/pdf", size=len(PDF_BYTES)
    )
    s.evidence.file.save(f"bukti-{side}.pdf", ContentFile(PDF_BYTES), save=False)
    s.evidence.save()
    # A training organised by the kabupaten's own DPPKB (so only its kabupaten sees it), with a
    # session running now, and the kabupaten's camat enrolled, present and certified.
    today = timezone.localdate()
    s.training = Training.objects.create(
        title=f"Pelatihan {label}",
        organiser=owner,
        start_date=today,
        end_date=today + dt.timedelta(days=2),
        capacity=20,
        registration_opens=now - dt.timedelta(days=5),
        registration_closes=now + dt.timedelta(days=5),
    )
    s.session = Session.objects.create(
        training=s.training, date=today, start_time=dt.time(0, 0), end_time=dt.time(23, 59),
        mode=Session.Mode.LURING, topic=f"Materi {label}",
    )  # fmt: skip
    s.enrollment = Enrollment.objects.create(
        training=world.provincial_training,
        person=person,
        status=Enrollment.Status.COMPLETED,
        kabupaten_id=kabupaten_of(person),
        pre_test_score=Decimal("61"),
        post_test_score=Decimal("88"),
        certificate_number=f"SERT-{label}-001",
        certificate_token=f"verifikasi-{side}-0001",
        certificate_issued_at=now,
    )
    Enrollment.objects.create(
        training=s.training,
        person=person,
        status=Enrollment.Status.CONFIRMED,
        kabupaten_id=kabupaten_of(person),
    )
    s.training_attendance = TrainingAttendance.objects.create(
        session=world.provincial_session, enrollment=s.enrollment, method=TrainingAttendance.Method.CODE
    )
    s.notification = Notification.objects.create(
        key=f"matrix:{side}",
        rule="matrix_test",
        channel=Notification.Channel.INAPP,
        state=Notification.State.SENT,
        recipient=person,
        context={"title": f"Pemberitahuan {label}"},
        send_at=now,
        sent_at=now,
        url="/",
    )
    return s


def _audits(
    side: Side, *, dppkb: User, desa: str, nik: str, puskesmas: Organisation, owner: Organisation
) -> None:
    """An AKS round of the side's kabupaten (made by its DPPKB admin, no persona on its team),
    with one visited baduta case in the camat's kecamatan and one recommendation owned by
    `owner` (Tapin: the OPD focal point's Dinas Kesehatan)."""
    from audits import services as audit_services
    from audits.kka import TargetGroup
    from audits.models import AuditCase, NikAccessLog, PrevalenceRecord, RiskFactor
    from audits.tests.factories import FULL_KKA
    from portal.jobs.models import Job

    label = side.code
    side.audit_round = audit_services.create_round(
        kabupaten=side.region, year=2024, semester=1, sk_number=f"188.45/{label}/2024",
        sk_date=dt.date(2024, 2, 12), acting_user=dppkb,
    )  # fmt: skip
    case = AuditCase(
        round=side.audit_round, number=1, desa_id=desa, puskesmas=puskesmas, target_group=TargetGroup.BADUTA,
        visit_date=dt.date(2024, 3, 4), kka=dict(FULL_KKA[TargetGroup.BADUTA]),
    )  # fmt: skip
    side.team_member = audit_services.add_team_member(
        audit_round=side.audit_round, user=_account(f"bidan.{label}", None, None, full_name=f"Bidan {label}"),
        part="tim_teknis", acting_user=dppkb,
    )  # fmt: skip
    side.audit_case = audit_services.save_case(case=case, acting_user=dppkb, nik=nik, name=f"Siti {label}")
    side.recommendation = audit_services.add_recommendation(
        audit_round=side.audit_round, acting_user=dppkb, case=side.audit_case,
        text=f"PMT lokal {label}", intervention_type="spesifik", owner=owner, priority=1,
    )  # fmt: skip
    audit_services.reveal_identity(case=side.audit_case, acting_user=dppkb, ip_address=None, purpose="matrix")
    side.nik_access = NikAccessLog.objects.filter(case=side.audit_case).get()
    # Made here (the catalogue's seeded rows have no history): shared by both sides.
    side.risk_factor, _made = RiskFactor.objects.get_or_create(
        name="Faktor risiko MATRIX", defaults={"kind": RiskFactor._meta.get_field("kind").choices[0][0]}
    )
    side.prevalence = PrevalenceRecord.objects.create(
        region=side.region, year=2030, source=PrevalenceRecord.Source.SSGI, value=Decimal("20.1")
    )
    side.job = Job.objects.create(
        kind="meetings.jobs.commitments_export", title=f"Ekspor {label}", owner=side.person,
        state=Job.State.DONE, progress=100, filename=f"ekspor-{label}.pdf", content_type="application/pdf",
        finished_at=timezone.now(),
    )  # fmt: skip
    side.job.file.save(f"ekspor-{label}.pdf", ContentFile(PDF_BYTES))


def build() -> World:
    """The demo (Tapin) plus Banjar, personas and objects on both sides."""
    from meetings.models import Meeting
    from portal import demo as core_demo
    from trainings.models import Session, Training

    orgs = core_demo.seed(log=lambda *a: None, regions_file=core_demo.BUILTIN_REGIONS)
    _banjar_geography()
    banjar_dppkb = Organisation.objects.create(
        name="DPPKB Kabupaten BANJAR", short_name="DPPKB Banjar", kind=Organisation.Kind.OPD, region_id=BANJAR
    )
    world = World()
    demo_users = {u.username: u for u in User.objects.all()}
    world.users = {
        "dppkb": demo_users["dppkb"],
        "notulis": demo_users["notulis"],
        "camat_a": demo_users["camat.tapinutara"],
        "camat_b": demo_users["camat.binuang"],
        "kapus": demo_users["kapus.tapinutara"],
        "pkk": demo_users["pkk.tapinutara"],
        "opd": demo_users["dinkes"],
        "organiser": demo_users["bkkbn"],
        "dppkb_banjar": _account(
            "dppkb.banjar", Role.DPPKB_ADMIN, BANJAR, banjar_dppkb, full_name="Admin BANJAR"
        ),
        "notulis_banjar": _account(
            "notulis.banjar", Role.NOTULIS, BANJAR, banjar_dppkb, full_name="Notulis BANJAR"
        ),
        "norole": _account("tanpa.peran", None, None, full_name="Tanpa Peran"),
        "superuser": User.objects.create_superuser(
            "root", "root@example.org", "tapin2024", full_name="Super"
        ),
    }
    camat_banjar = _account("camat.aluhaluh", Role.CAMAT, "63.03.01", full_name="Camat BANJAR Aluh Aluh")
    today = timezone.localdate()
    now = timezone.now()
    world.provincial_training = Training.objects.create(
        title="Pelatihan Teknis TPPS se-Kalimantan Selatan",
        organiser=orgs["bkkbn"],
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=1),
        capacity=30,
        registration_opens=now - dt.timedelta(days=10),
        registration_closes=now + dt.timedelta(days=1),
    )
    world.provincial_session = Session.objects.create(
        training=world.provincial_training, date=today, start_time=dt.time(0, 0), end_time=dt.time(23, 59),
        mode=Session.Mode.LURING, topic="Konvergensi",
    )  # fmt: skip
    world.sides["tapin"] = _side(
        world, "tapin", writer=world.users["dppkb"], owner=orgs["dppkb"], person=world.users["camat_a"],
        chair=world.users["dppkb"],
    )  # fmt: skip
    world.sides["banjar"] = _side(
        world, "banjar", writer=world.users["dppkb_banjar"], owner=banjar_dppkb, person=camat_banjar,
        chair=world.users["dppkb_banjar"],
    )  # fmt: skip
    tapin_puskesmas = Organisation.objects.filter(
        kind=Organisation.Kind.PUSKESMAS, region__code__startswith=f"{TAPIN}."
    ).order_by("pk")
    _audits(
        world["tapin"], dppkb=world.users["dppkb"], desa="63.05.04.2005", nik="6305045205980001",
        puskesmas=tapin_puskesmas.filter(region__code__startswith="63.05.04").first() or tapin_puskesmas.first(),
        owner=orgs["dinkes"],
    )  # fmt: skip
    banjar_puskesmas = Organisation.objects.create(
        name="Puskesmas Aluh Aluh BANJAR", short_name="PKM Aluh Aluh", kind=Organisation.Kind.PUSKESMAS,
        region_id="63.03.01",
    )  # fmt: skip
    _audits(
        world["banjar"], dppkb=world.users["dppkb_banjar"], desa="63.03.01.2001", nik="6303015205980001",
        puskesmas=banjar_puskesmas, owner=banjar_dppkb,
    )  # fmt: skip
    # Organisation titles carry the kabupaten's name; Tapin's DPPKB is renamed to say so.
    Meeting.objects.filter(pk=world["tapin"].meeting.pk).update(title="Rakor TPPS TAPIN")
    return world


WRITES_SQL = """
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables
    WHERE relname <> 'django_session' AND relname NOT LIKE 'axes_%%'
"""


def writes() -> int:
    """Rows this transaction has inserted, updated or deleted so far (PostgreSQL's own counters,
    which keep counting writes that a savepoint rolled back): a request that changes the
    difference wrote something, even if it was undone afterwards."""
    with connection.cursor() as cursor:
        cursor.execute(WRITES_SQL)
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, inside a transaction rolled back at the end."""
    storage = tmp_path_factory.mktemp("private")
    from django.conf import settings

    storages = {**settings.STORAGES, "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": storage, "base_url": None}}}  # fmt: skip
    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES=storages, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
            built.clients = {}
            for persona in PERSONAS:
                client = Client(raise_request_exception=False)
                if persona != "anonymous":
                    client.force_login(built.users[persona])
                built.clients[persona] = client
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
