"""Demo trainings: the July 2024 Pelatihan Teknis TPPS (done, with certificates) and an
upcoming cohort with one seat left, so a newcomer can register and the next lands on the
waiting list. Idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, User

from . import services
from .models import Attendance, Enrollment, Session, Training, kabupaten_of

PAST_TITLE = "Pelatihan Teknis TPPS se-Kalimantan Selatan"
UPCOMING_TITLE = "Pelatihan Teknis TPPS se-Kalimantan Selatan"
VENUE = "Aula BKKBN Perwakilan Provinsi Kalimantan Selatan, Banjarbaru"
ZOOM = "https://zoom.us/j/0000000000"

PAST_SESSIONS = [
    # (date, start, end, mode, topic, facilitator)
    (
        date(2024, 7, 15),
        "08:00",
        "11:30",
        "daring",
        "Pembukaan, pre-test, kebijakan percepatan penurunan stunting",
        "Kepala Perwakilan BKKBN Kalsel",
    ),
    (date(2024, 7, 15), "13:00", "15:30", "daring", "Konvergensi 8 aksi dan peran TPPS", "Widyaiswara BKKBN"),
    (
        date(2024, 7, 16),
        "08:00",
        "11:30",
        "daring",
        "Data sasaran: Elsimil, e-PPGBM, keluarga berisiko stunting",
        "Tim Data BKKBN",
    ),
    (date(2024, 7, 16), "13:00", "15:00", "mandiri", "Tugas mandiri: peta sasaran kecamatan", ""),
    (
        date(2024, 7, 17),
        "08:00",
        "12:00",
        "luring",
        "Audit Kasus Stunting dan diseminasi",
        "Tim Pakar Provinsi",
    ),
    (date(2024, 7, 17), "13:00", "16:00", "luring", "Menyusun RTL bersama OPD", "Bappeda Provinsi"),
    (date(2024, 7, 18), "08:00", "11:00", "luring", "Pendampingan keluarga oleh TPK", "Widyaiswara BKKBN"),
    (
        date(2024, 7, 18),
        "13:00",
        "15:00",
        "daring",
        "Post-test dan penutupan",
        "Kepala Perwakilan BKKBN Kalsel",
    ),
]

# username, post-test score, sessions attended (of 8)
PAST_PARTICIPANTS = [
    ("kapus.tapinutara", Decimal("86"), 8),
    ("camat.binuang", Decimal("78"), 7),
    ("pkk.tapinutara", Decimal("64"), 8),  # below the pass mark: no certificate
]

UPCOMING_DAYS = [
    # (day offset from the start, start, end, mode, topic)
    (0, "08:00", "12:00", "daring", "Pembukaan dan pre-test"),
    (0, "13:00", "15:00", "daring", "Kebijakan dan strategi nasional percepatan penurunan stunting"),
    (1, "08:00", "12:00", "daring", "Rembuk stunting dan komitmen bersama"),
    (2, "08:00", "15:00", "luring", "Audit Kasus Stunting: praktik kajian kasus"),
    (3, "08:00", "12:00", "luring", "Rencana tindak lanjut, post-test dan penutupan"),
]
UPCOMING_CONFIRMED = ["kapus.tapinutara", "camat.binuang"]


def _aware(day: date, hhmm: str = "00:00"):
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(hhmm)))


def _sessions(training: Training, rows) -> list[Session]:
    sessions = []
    for day, start, end, mode, topic, facilitator in rows:
        session, _ = Session.objects.update_or_create(
            training=training,
            date=day,
            start_time=time.fromisoformat(start),
            defaults={
                "end_time": time.fromisoformat(end),
                "mode": mode,
                "topic": topic,
                "facilitator": facilitator,
                "venue": VENUE if mode == "luring" else "",
            },
        )
        sessions.append(session)
    return sessions


def _enroll(training: Training, person: User, status: str, at) -> Enrollment:
    enrollment, _ = Enrollment.objects.get_or_create(
        training=training,
        person=person,
        defaults={
            "status": status,
            "kabupaten_id": kabupaten_of(person),
            "requested_at": at,
            "status_changed_at": at,
        },
    )
    return enrollment


def seed_past(organiser: Organisation, organiser_user: User) -> Training:
    training, _ = Training.objects.update_or_create(
        title=PAST_TITLE,
        cohort="I",
        organiser=organiser,
        defaults={
            "description": "Pelatihan blended learning bagi TPPS kabupaten/kota dan kecamatan se-Kalimantan Selatan.",
            "mode": Training.Mode.BLENDED,
            "venue": VENUE,
            "online_link": ZOOM,
            "start_date": date(2024, 7, 15),
            "end_date": date(2024, 7, 18),
            "capacity": 60,
            "kabupaten_quota": 6,
            "registration_opens": _aware(date(2024, 6, 24), "08:00"),
            "registration_closes": _aware(date(2024, 7, 10), "16:00"),
        },
    )
    sessions = _sessions(training, PAST_SESSIONS)
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PAST_PARTICIPANTS])}
    for username, score, attended in PAST_PARTICIPANTS:
        enrollment = _enroll(
            training, users[username], Enrollment.Status.CONFIRMED, _aware(date(2024, 6, 26), "09:00")
        )
        if enrollment.post_test_score is None:
            enrollment.pre_test_score = score - 20
            enrollment.post_test_score = score
            enrollment.save(update_fields=["pre_test_score", "post_test_score"])
        for session in sessions[:attended]:
            Attendance.objects.get_or_create(
                session=session,
                enrollment=enrollment,
                defaults={"method": Attendance.Method.ORGANISER, "recorded_by": organiser_user},
            )
    services.complete_training(training=training, acting_user=organiser_user)
    return training


def seed_upcoming(organiser: Organisation) -> Training:
    start = timezone.localdate() + timedelta(days=21)
    training, _ = Training.objects.update_or_create(
        title=UPCOMING_TITLE,
        cohort="II",
        organiser=organiser,
        defaults={
            "description": "Angkatan kedua bagi camat, Ketua TP PKK Kecamatan dan Kepala Puskesmas.",
            "mode": Training.Mode.BLENDED,
            "venue": VENUE,
            "online_link": ZOOM,
            "start_date": start,
            "end_date": start + timedelta(days=3),
            # Two seats go to the demo enrollments below: one is left.
            "capacity": 3,
            "registration_opens": _aware(timezone.localdate() - timedelta(days=7), "08:00"),
            "registration_closes": _aware(start - timedelta(days=5), "16:00"),
        },
    )
    _sessions(
        training,
        [
            (start + timedelta(days=d), s, e, m, topic, "Widyaiswara BKKBN")
            for d, s, e, m, topic in UPCOMING_DAYS
        ],
    )
    at = timezone.now() - timedelta(days=2)
    for username in UPCOMING_CONFIRMED:
        _enroll(training, User.objects.get(username=username), Enrollment.Status.CONFIRMED, at)
    return training


@transaction.atomic
def seed(log=print) -> list[Training]:
    organiser = Organisation.objects.get(kind=Organisation.Kind.BKKBN, region_id="63")
    organiser_user = User.objects.get(username="bkkbn")
    trainings = [seed_past(organiser, organiser_user), seed_upcoming(organiser)]
    for training in trainings:
        log(f"training: {training} ({training.start_date:%d-%m-%Y}), {training.seats_left()} seat(s) left")
    return trainings
