"""Capacity is never oversold: many people register at the same instant, each from
their own database connection, against PostgreSQL's row lock."""

import threading

import pytest
from django.db import connection

from trainings import services
from trainings.models import Enrollment

from .factories import TrainingFactory, person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _fire(training, people) -> list[Exception]:
    barrier = threading.Barrier(len(people))
    errors: list[Exception] = []

    def attempt(user):
        try:
            barrier.wait()
            services.register(training=training, person=user, acting_user=user)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_registrations_never_exceed_capacity_and_waitlist_the_rest_in_order(demo):
    training = TrainingFactory(capacity=5)
    people = [person(f"camat.{i}", region="63.05.02") for i in range(20)]

    assert _fire(training, people) == []

    assert training.enrollments.filter(status=Enrollment.Status.CONFIRMED).count() == 5
    assert training.enrollments.filter(status=Enrollment.Status.WAITLISTED).count() == 15
    # The waiting list is in the order registrations were decided: every confirmed
    # registration was decided before every waitlisted one.
    confirmed = training.enrollments.filter(status=Enrollment.Status.CONFIRMED)
    waiting = list(training.enrollments.waiting())
    assert max(e.requested_at for e in confirmed) <= min(e.requested_at for e in waiting)
    assert [e.requested_at for e in waiting] == sorted(e.requested_at for e in waiting)


def test_concurrent_registrations_respect_the_kabupaten_quota(demo):
    training = TrainingFactory(capacity=10, kabupaten_quota=3)
    tapin = [person(f"camat.t{i}", region="63.05.02") for i in range(8)]
    tanah_laut = [person(f"camat.l{i}", region="63.01.01") for i in range(8)]

    assert _fire(training, tapin + tanah_laut) == []

    held = Enrollment.objects.filter(training=training, status=Enrollment.Status.CONFIRMED)
    assert held.filter(kabupaten_id="63.05").count() == 3
    assert held.filter(kabupaten_id="63.01").count() == 3
    assert Enrollment.objects.filter(training=training, status=Enrollment.Status.WAITLISTED).count() == 10


def test_concurrent_cancellations_promote_each_waiting_person_once(demo):
    training = TrainingFactory(capacity=4)
    seated = [person(f"camat.s{i}", region="63.05.02") for i in range(4)]
    waiting = [person(f"camat.w{i}", region="63.05.02") for i in range(6)]
    for user in seated + waiting:
        services.register(training=training, person=user, acting_user=user)
    barrier = threading.Barrier(len(seated))

    def leave(user):
        try:
            barrier.wait()
            services.cancel(enrollment=training.enrollments.get(person=user), acting_user=user)
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(user,)) for user in seated]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = dict(training.enrollments.values_list("person__username", "status"))
    assert [statuses[u.username] for u in waiting] == ["confirmed"] * 4 + ["waitlisted"] * 2


def _together(count: int, action) -> list[Exception]:
    """Run `action` in `count` threads released at the same instant, each on its own connection."""
    barrier = threading.Barrier(count)
    errors: list[Exception] = []

    def run():
        try:
            barrier.wait()
            action()
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_a_registration_sent_six_times_at_once_is_one_enrollment_and_five_clear_refusals(demo):
    training = TrainingFactory(capacity=5)
    camat = person("camat.double", region="63.05.02")

    errors = _together(6, lambda: services.register(training=training, person=camat, acting_user=camat))

    # The training row lock serialises them: the first registers, the others are told so
    # (no IntegrityError, no second row).
    assert len(errors) == 5
    assert all(isinstance(error, services.EnrollmentError) for error in errors)
    assert Enrollment.objects.filter(training=training, person=camat).count() == 1
    assert Enrollment.objects.get(training=training, person=camat).status == Enrollment.Status.CONFIRMED


def test_parallel_check_ins_of_one_participant_record_one_attendance(demo):
    from datetime import time, timedelta

    from django.utils import timezone

    from trainings.models import Attendance

    from .factories import SessionFactory, enroll

    now = timezone.localtime()
    session = SessionFactory(
        date=now.date(),
        start_time=time(0, 0),
        end_time=time(23, 59),
        training=TrainingFactory(start_date=now.date(), end_date=now.date() + timedelta(days=1)),
    )
    camat = person("camat.checkin", region="63.05.02")
    enroll(session.training, camat)
    code = session.checkin_code

    errors = _together(6, lambda: services.check_in(session=session, person=camat, code=code))

    assert errors == []
    assert Attendance.objects.filter(session=session, enrollment__person=camat).count() == 1


def test_concurrent_registrations_needing_approval_hold_capacity_and_ask_once_each(demo, bkkbn):
    """The organisers are read before the lock: every pending registration still asks them,
    once per registration, and pending seats never exceed capacity."""
    from portal.models import Notification

    training = TrainingFactory(capacity=4, requires_approval=True)
    people = [person(f"camat.a{i}", region="63.05.02") for i in range(12)]

    assert _fire(training, people) == []

    pending = training.enrollments.filter(status=Enrollment.Status.PENDING)
    assert pending.count() == 4
    assert training.enrollments.filter(status=Enrollment.Status.WAITLISTED).count() == 8
    asked = Notification.objects.of_rule("training_approval_needed").filter(recipient=bkkbn, channel="inapp")
    assert sorted(asked.values_list("source_id", flat=True)) == sorted(str(e.pk) for e in pending)


def test_concurrent_new_and_repeated_registrations_never_exceed_capacity(demo):
    """People registering again after cancelling (their row is reused) race with newcomers."""
    from portal.models import Notification

    training = TrainingFactory(capacity=5)
    returning = [person(f"camat.r{i}", region="63.05.02") for i in range(6)]
    for user in returning:
        services.register(training=training, person=user, acting_user=user)
    for user in returning:
        services.cancel(enrollment=training.enrollments.get(person=user), acting_user=user)
    newcomers = [person(f"camat.n{i}", region="63.05.02") for i in range(10)]

    assert _fire(training, returning + newcomers) == []

    assert training.enrollments.filter(status=Enrollment.Status.CONFIRMED).count() == 5
    assert training.enrollments.filter(status=Enrollment.Status.WAITLISTED).count() == 11
    assert training.enrollments.count() == 16  # the returning people's rows were reused
    # Everyone is told the outcome of this registration (its rule carries the decision's time).
    for enrollment in training.enrollments.all():
        stamp = int(enrollment.status_changed_at.timestamp() * 1_000_000)
        told = Notification.objects.filter(
            source_id=str(enrollment.pk),
            recipient_id=enrollment.person_id,
            rule=f"training_{enrollment.status}:{stamp}",
            channel="inapp",
        )
        assert told.count() == 1


def test_the_seat_lock_holds_the_training_alone_and_lets_its_sessions_be_added(demo):
    """While a registration holds the training's lock, a second seat decision on it waits, but
    the organising body (shared by its other trainings) is not locked and rows that only
    reference the training (a session) can still be inserted."""
    from django.db import OperationalError, transaction

    from portal.models import Organisation
    from trainings.models import Training

    from .factories import SessionFactory

    training = TrainingFactory(capacity=5)
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                services._lock(training)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            Organisation.objects.select_for_update(nowait=True).get(pk=training.organiser_id)
            SessionFactory(training=training)
        with pytest.raises(OperationalError), transaction.atomic():
            Training.objects.select_for_update(nowait=True).get(pk=training.pk)
    finally:
        release.set()
        holder.join()
    assert training.sessions.count() == 1
