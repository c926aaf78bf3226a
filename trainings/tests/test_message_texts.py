"""Every training message, built by the code that sends it from real objects and rendered in
Indonesian and English: the training's title, its dates, and links that lead to a portal page
(portal/tests/message_checks.py). The event messages were blank once: the templates read
`context.training` while the renderer puts the values at the top level."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from portal.models import ReminderSettings
from portal.notifications import rules
from portal.tests.message_checks import TRICKY, check_message, rows
from trainings import services
from trainings.models import Attendance, Enrollment

from .factories import SessionFactory, TrainingFactory

COVERED_RULES = {
    "training_confirmed",
    "training_waitlisted",
    "training_promoted",
    "training_promoted_pending",
    "training_rejected",
    "training_certificate",
    "training_pending",
    "training_approval_needed",
    "training_registration_closing",
    "training_start",
    "training_session",
}

TITLE = f"Pelatihan Teknis TPPS {TRICKY}"


def _dates(training):
    return [training.start_date, training.end_date]


@pytest.fixture
def training(demo):
    return TrainingFactory(title=TITLE, capacity=1)


def test_a_confirmed_seat_names_the_training_and_its_dates(training, camat_a, reminder_settings):
    services.register(training=training, person=camat_a, acting_user=camat_a)
    check_message(rows("training_confirmed", camat_a), name=TITLE, dates=_dates(training))


def test_the_waiting_list_promotion_and_rejection_messages_name_the_training(
    training, camat_a, camat_b, bkkbn, reminder_settings
):
    first = services.register(training=training, person=camat_a, acting_user=camat_a)
    services.register(training=training, person=camat_b, acting_user=camat_b)
    check_message(rows("training_waitlisted", camat_b), name=TITLE, dates=_dates(training))

    services.cancel(enrollment=first, acting_user=camat_a)
    check_message(rows("training_promoted:", camat_b), name=TITLE, dates=_dates(training))

    services.reject(
        training=training, enrollments=training.enrollments.all(), acting_user=bkkbn, reason="Kuota penuh"
    )
    (found,) = [check_message(rows("training_rejected", camat_b), name=TITLE, dates=_dates(training))]
    assert "Kuota penuh" in found["email"]["id"].text


def test_registrations_awaiting_approval_tell_the_person_and_the_organiser(
    demo, camat_a, camat_b, bkkbn, reminder_settings
):
    training = TrainingFactory(title=TITLE, capacity=1, requires_approval=True)
    first = services.register(training=training, person=camat_a, acting_user=camat_a)
    check_message(rows("training_pending", camat_a), name=TITLE, dates=_dates(training))
    found = check_message(
        rows("training_approval_needed", bkkbn),
        name=camat_a.full_name,
        subject_name=TITLE,
        dates=_dates(training),
    )
    assert TITLE in found["email"]["id"].text

    services.register(training=training, person=camat_b, acting_user=camat_b)
    services.cancel(enrollment=first, acting_user=camat_a)
    check_message(rows("training_promoted_pending", camat_b), name=TITLE, dates=_dates(training))


def test_the_certificate_message_names_the_training_its_dates_and_the_number(demo, camat_a, bkkbn):
    today = timezone.localdate()
    training = TrainingFactory(
        title=TITLE,
        start_date=today - timedelta(days=5),
        end_date=today - timedelta(days=2),
        registration_opens=timezone.now() - timedelta(days=30),
        registration_closes=timezone.now() - timedelta(days=10),
    )
    session = SessionFactory(training=training, date=training.start_date)
    enrollment = Enrollment.objects.create(
        training=training,
        person=camat_a,
        status=Enrollment.Status.CONFIRMED,
        kabupaten_id="63.05",
        post_test_score=85,
    )
    Attendance.objects.create(enrollment=enrollment, session=session)
    services.complete_training(training=training, acting_user=bkkbn)
    enrollment.refresh_from_db()
    found = check_message(rows("training_certificate", camat_a), name=TITLE, dates=_dates(training))
    assert enrollment.certificate_number in found["email"]["en"].text


@pytest.mark.parametrize("rule", ["training_registration_closing", "training_start"])
def test_the_training_reminders_name_the_training_and_its_dates(rule, demo, camat_a, reminder_settings):
    training = TrainingFactory(
        title=TITLE,
        registration_closes=timezone.now() + timedelta(days=5),
        start_date=timezone.localdate() + timedelta(days=6),
    )
    if rule == "training_start":
        services.register(training=training, person=camat_a, acting_user=camat_a)
    rules.reconcile(rules.REGISTRY[rule], training, timezone.now(), ReminderSettings.load())
    check_message(rows(rule, camat_a), name=TITLE, dates=_dates(training))


def test_the_session_day_message_names_the_training_and_the_day(demo, camat_a, reminder_settings):
    training = TrainingFactory(title=TITLE, start_date=timezone.localdate() + timedelta(days=1))
    session = SessionFactory(training=training, start_time=time(9, 0), end_time=time(11, 0))
    services.register(training=training, person=camat_a, acting_user=camat_a)
    rules.reconcile(rules.REGISTRY["training_session"], session, timezone.now(), ReminderSettings.load())
    found = check_message(
        rows("training_session", camat_a), name=TITLE, subject_name=session.topic, dates=[session.date]
    )
    assert "09.00" in found["email"]["id"].subject
