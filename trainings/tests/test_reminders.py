"""Time-driven training reminders: registration closing soon, H-3 before the start,
and each session's day with its mode and link."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from portal.models import Notification
from portal.notifications import engine, rules
from portal.registry import reminder_value
from portal.roles import Role
from trainings.models import Enrollment, Session

from .factories import SessionFactory, TrainingFactory, enroll

State = Notification.State


def wita(day, hour=0, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def rows(prefix: str, **filters) -> set:
    qs = Notification.objects.filter(rule__startswith=prefix, channel="email", **filters).select_related(
        "recipient"
    )
    return {(row.recipient.username, timezone.localtime(row.send_at)) for row in qs}


@pytest.fixture
def training(demo):
    training = TrainingFactory(
        eligible_roles=f"{Role.CAMAT.value},{Role.KEPALA_PUSKESMAS.value}",
        registration_closes=wita(timezone.localdate() + timedelta(days=5), 23, 59),
        start_date=timezone.localdate() + timedelta(days=10),
        online_link="https://zoom.example/pelatihan",
    )
    return training


def test_registration_closing_soon_reaches_eligible_people_who_have_not_registered(
    training, reminder_settings, camat_a, camat_b, kapus, pkk
):
    enroll(training, camat_b)

    rules.scan(now=wita(timezone.localdate(training.registration_closes) - timedelta(days=3), 9))

    closes = timezone.localdate(training.registration_closes)
    send_at = wita(closes - timedelta(days=reminder_value("trainings", "training_closing_days")), 8)
    assert rows("training_registration_closing:") == {
        (u, send_at) for u in ("camat.tapinutara", "kapus.tapinutara")
    }


def test_a_person_who_registers_after_the_scan_gets_no_closing_reminder(
    training, reminder_settings, camat_a, mailbox
):
    rules.scan(now=wita(timezone.localdate(training.registration_closes) - timedelta(days=3), 9))
    enroll(training, camat_a)
    Notification.objects.filter(recipient=camat_a).update(send_at=timezone.now(), due_at=timezone.now())

    engine.dispatch()

    assert not [m for m in mailbox if m.to == [camat_a.email]]
    assert set(Notification.objects.filter(recipient=camat_a).values_list("state", flat=True)) == {
        State.CANCELLED
    }


def test_participants_are_reminded_three_days_before_the_start(training, reminder_settings, camat_a, camat_b):
    enroll(training, camat_a)
    enroll(training, camat_b, status=Enrollment.Status.WAITLISTED)

    rules.scan(now=wita(training.start_date - timedelta(days=4), 9))

    assert rows("training_start:") == {("camat.tapinutara", wita(training.start_date - timedelta(days=3), 8))}


def test_a_moved_training_moves_its_start_reminder(training, reminder_settings, camat_a):
    enroll(training, camat_a)
    now = wita(training.start_date - timedelta(days=4), 9)
    rules.scan(now=now)

    training.start_date += timedelta(days=1)
    training.end_date += timedelta(days=1)
    training.save()
    rules.scan(now=now)

    assert rows("training_start:", state=State.SCHEDULED) == {
        ("camat.tapinutara", wita(training.start_date - timedelta(days=3), 8))
    }
    assert Notification.objects.of_rule("training_start").filter(state=State.CANCELLED).exists()


def test_each_session_day_reminder_names_the_mode_and_link(training, reminder_settings, camat_a, mailbox):
    enroll(training, camat_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    SessionFactory(training=training, date=tomorrow, start_time=time(9, 0), end_time=time(12, 0),
                   mode=Session.Mode.DARING, topic="Konvergensi")  # fmt: skip
    SessionFactory(training=training, date=tomorrow + timedelta(days=5), topic="Nanti")

    rules.scan(now=wita(tomorrow, 6))
    assert rows("training_session:") == {("camat.tapinutara", wita(tomorrow, 7))}  # 2 h before a 09:00 start

    Notification.objects.update(send_at=timezone.now(), due_at=timezone.now())
    engine.dispatch()
    (mail,) = [m for m in mailbox if m.to == [camat_a.email]]
    assert "Konvergensi" in mail.subject and "daring" in mail.subject.lower()
    assert "https://zoom.example/pelatihan" in mail.body
