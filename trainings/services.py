"""Enrollment workflows: every seat decision is taken under a lock on the training row.

The pattern (as pretix does for quotas): lock the training, recount the seats
live, then write. On PostgreSQL `select_for_update()` takes a row lock; on
SQLite the settings open every transaction with BEGIN IMMEDIATE, which
serialises writers the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.notifications import notify_each
from portal.roles import Role

from .models import Attendance, Enrollment, Session, Training, kabupaten_of, new_token

Status = Enrollment.Status


class EnrollmentError(Exception):
    """A refusal the user should read (ineligible, window closed, already registered...)."""


def _lock(training: Training) -> Training:
    # FOR NO KEY UPDATE OF the training alone: it serialises every seat decision on this training
    # and still lets rows that only reference it (enrollments, sessions) be inserted meanwhile;
    # the organiser's row, read along, is not locked (trainings of one body do not queue together).
    return (
        Training.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organiser")
        .get(pk=training.pk)
    )


def _require_organiser(training: Training, acting_user: User) -> None:
    if not training.can_change(acting_user):
        raise PermissionDenied


def _notify(enrollment: Enrollment, rule: str, *, extra: dict | None = None, new: bool = False) -> None:
    # The status change time makes each event a distinct message: someone promoted,
    # cancelled and promoted again is told twice.
    stamp = int(enrollment.status_changed_at.timestamp() * 1_000_000)
    training = enrollment.training
    context = {
        "training": training.title,
        "start_date": training.start_date.isoformat(),
        "end_date": training.end_date.isoformat(),
        "url": training.get_absolute_url(),
        **(extra or {}),
    }
    # notify_each: the same outbox rows and keys as notify, but both channels in one insert
    # without a savepoint each, and one send task after the commit (the training row stays
    # locked until then, so every statement saved here shortens a registration burst). `new`:
    # the enrollment was inserted in this transaction, so the insert alone writes the rows.
    notify_each(
        rule=f"{rule}:{stamp}", messages=[(enrollment.person, context)], source=enrollment, new_source=new
    )


STATUS_RULES = {
    Status.PENDING: "training_pending",
    Status.CONFIRMED: "training_confirmed",
    Status.WAITLISTED: "training_waitlisted",
    Status.REJECTED: "training_rejected",
}


def _ask_for_approval(
    enrollment: Enrollment, *, organisers: list[User] | None = None, new: bool = False
) -> None:
    """Tell the training's organisers a registration awaits their decision.

    One message per registration (not a digest): the organiser acts on each person, and
    the approval queue link in every message shows all that are still pending. `organisers`:
    the training's `organiser_people()` when the caller read them already.
    """
    stamp = int(enrollment.status_changed_at.timestamp() * 1_000_000)
    training = enrollment.training
    person = enrollment.person
    context = {
        "training": training.title,
        "start_date": training.start_date.isoformat(),
        "end_date": training.end_date.isoformat(),
        "person": person.get_full_name(),
        "jabatan": person.jabatan,
        "url": reverse("trainings:enrollment-list", args=[training.pk]),
    }
    if organisers is None:
        organisers = training.organiser_people()
    notify_each(
        rule=f"training_approval_needed:{stamp}",
        messages=[(organiser, context) for organiser in organisers],
        source=enrollment,
        new_source=new,
    )


def _set_status(
    enrollment: Enrollment, status: str, acting_user: User | None, now: datetime, reason: str = ""
) -> None:
    enrollment.status = status
    enrollment.status_changed_at = now
    enrollment.acted_by = acting_user
    enrollment._change_reason = reason or status
    enrollment.save()


def _seat_status(training: Training, kabupaten_id: str | None) -> str | None:
    """The status a newcomer gets now, from a live count; None when no seat is free."""
    held = training.seats_held()
    # The kabupaten's count only when it can decide (a quota, seats left).
    held_by_kabupaten = (
        training.seats_held(kabupaten_id) if training.kabupaten_quota and held < training.capacity else 0
    )
    return _status_for_counts(training, held, held_by_kabupaten)


def _status_for_counts(training: Training, held: int, held_by_kabupaten: int) -> str | None:
    """The status a newcomer gets with these seats held; None when no seat is free."""
    if held >= training.capacity:
        return None
    if training.kabupaten_quota and held_by_kabupaten >= training.kabupaten_quota:
        return None
    return Status.PENDING if training.requires_approval else Status.CONFIRMED


def check_can_register(training: Training, person: User) -> None:
    if not training.is_eligible(person):
        raise EnrollmentError(_("This training is open to: %s.") % ", ".join(training.eligible_role_labels()))
    if not training.registration_is_open():
        raise EnrollmentError(_("Registration for this training is not open."))
    if not person.is_active:
        raise EnrollmentError(_("This account is not active."))


@transaction.atomic
def register(*, training: Training, person: User, acting_user: User) -> Enrollment:
    """Register `person` (themself, or nominated by `acting_user`): a seat, or the waiting list.

    Every registration for a training waits for the one before it (the row lock is held until
    the commit), so what does not depend on the seats is done before the lock: the checks,
    the person's kabupaten and, when the training needs approval, who must be asked. Under
    the lock: the live count, the decision, the enrollment with its history row, and its
    messages (one insert per message kind), then the commit.
    """
    nominated = acting_user.pk != person.pk
    check_can_register(training, person)
    kabupaten_id = kabupaten_of(person)
    # Read before the lock from the training as the caller loaded it; if approval was switched
    # on or the organising body changed meanwhile, they are read under the lock instead.
    organisers = training.organiser_people() if training.requires_approval else None
    organiser_id = training.organiser_id
    training = _lock(training)
    if training.organiser_id != organiser_id:
        organisers = None
    now = timezone.now()
    # One statement after the lock (so it sees every registration committed before it): the
    # seats held, by the person's kabupaten too, and the person's own registration if any.
    # It cannot be folded into the locking SELECT: that statement's snapshot predates the wait.
    seat = Q(status__in=Enrollment.SEAT_STATUSES)
    mine = Q(person=person)
    counts = Enrollment.objects.filter(training=training).aggregate(
        held=Count("pk", filter=seat),
        held_by_kabupaten=Count("pk", filter=seat & Q(kabupaten_id=kabupaten_id)),
        mine=Max("pk", filter=mine),
    )
    if kabupaten_id is None:  # as seats_held(None): the quota then counts every seat
        counts["held_by_kabupaten"] = counts["held"]
    enrollment = None
    if counts["mine"]:  # registering again after a cancellation
        enrollment = Enrollment.objects.get(pk=counts["mine"])
        enrollment.training = training
    if enrollment and enrollment.status != Status.CANCELLED:
        raise EnrollmentError(
            _("%(person)s is already registered (%(status)s).")
            % {"person": person, "status": enrollment.get_status_display()}
        )
    status = _status_for_counts(training, counts["held"], counts["held_by_kabupaten"]) or Status.WAITLISTED
    new = enrollment is None
    if new:
        enrollment = Enrollment(training=training, person=person)
    enrollment.kabupaten_id = kabupaten_id
    enrollment.requested_at = now
    enrollment.nominated_by = acting_user if nominated else None
    enrollment.reason = ""
    _set_status(enrollment, status, acting_user, now)
    if status in STATUS_RULES:
        _notify(enrollment, STATUS_RULES[status], new=new)
    if status == Status.PENDING:
        _ask_for_approval(enrollment, organisers=organisers, new=new)
    return enrollment


def promote_waitlisted(training: Training) -> list[Enrollment]:
    """Give freed seats to the waiting list in order; the caller holds the training lock.

    Promotion is automatic: no one acted, and the history says "promoted".

    Someone whose kabupaten has used its quota keeps their place and the seat
    goes to the next person in line.
    """
    promoted = []
    now = timezone.now()
    for enrollment in training.enrollments.waiting().select_related("person"):
        status = _seat_status(training, enrollment.kabupaten_id)
        if status is None:
            if training.seats_held() >= training.capacity:
                break
            continue
        enrollment.training = training
        _set_status(enrollment, status, None, now, reason="promoted")
        # Off the waiting list is not yet a seat when the organiser must still approve.
        _notify(enrollment, "training_promoted_pending" if status == Status.PENDING else "training_promoted")
        if status == Status.PENDING:
            _ask_for_approval(enrollment)
        promoted.append(enrollment)
    return promoted


@transaction.atomic
def update_training(*, training: Training, acting_user: User) -> list[Enrollment]:
    """Save an organiser's changes to `training` (the portal form and admin): lock the row,
    validate against the seats held now (capacity and quota never below them), save, and give
    any seats freed by a higher capacity or quota to the waiting list. Returns who moved up."""
    if not training.can_change(acting_user):
        raise PermissionDenied
    _lock(training)
    training.full_clean()
    training.save()
    return promote_waitlisted(training)


@transaction.atomic
def cancel(*, enrollment: Enrollment, acting_user: User) -> list[Enrollment]:
    """The participant cancels (until the training starts); the freed seat goes to the next in line."""
    training = _lock(enrollment.training)
    enrollment = Enrollment.objects.select_related("training").get(pk=enrollment.pk)
    if not enrollment.can_cancel(acting_user):
        raise EnrollmentError(_("This registration can no longer be cancelled."))
    freed = enrollment.holds_seat()
    _set_status(enrollment, Status.CANCELLED, acting_user, timezone.now())
    return promote_waitlisted(training) if freed else []


@transaction.atomic
def approve(*, training: Training, enrollments: Iterable[Enrollment], acting_user: User) -> int:
    _require_organiser(training, acting_user)
    training = _lock(training)
    now = timezone.now()
    done = 0
    for enrollment in training.enrollments.filter(
        pk__in=[e.pk for e in enrollments], status=Status.PENDING
    ).select_related("person"):
        _set_status(enrollment, Status.CONFIRMED, acting_user, now)
        _notify(enrollment, "training_confirmed")
        done += 1
    return done


@transaction.atomic
def reject(*, training: Training, enrollments: Iterable[Enrollment], acting_user: User, reason: str) -> int:
    _require_organiser(training, acting_user)
    training = _lock(training)
    now = timezone.now()
    done = 0
    for enrollment in training.enrollments.filter(
        pk__in=[e.pk for e in enrollments], status__in=[Status.PENDING, Status.WAITLISTED, Status.CONFIRMED]
    ).select_related("person"):
        enrollment.reason = reason
        _set_status(enrollment, Status.REJECTED, acting_user, now)
        _notify(enrollment, "training_rejected", extra={"reason": reason})
        done += 1
    if done:
        promote_waitlisted(training)
    return done


@transaction.atomic
def mark_attendance(*, session: Session, present: Iterable[int], acting_user: User) -> None:
    """Set who attended `session` (enrollment ids) from the organiser's list."""
    _require_organiser(session.training, acting_user)
    wanted = set(
        session.training.enrollments.filter(
            pk__in=list(present), status__in=Enrollment.PARTICIPANT_STATUSES
        ).values_list("pk", flat=True)
    )
    current = {a.enrollment_id: a for a in session.attendances.all()}
    for enrollment_id, attendance in current.items():
        if enrollment_id not in wanted:
            attendance.delete()
    for enrollment_id in wanted - current.keys():
        Attendance.objects.create(
            session=session,
            enrollment_id=enrollment_id,
            method=Attendance.Method.ORGANISER,
            recorded_by=acting_user,
        )


@transaction.atomic
def check_in(
    *, session: Session, person: User, code: str, method: str = Attendance.Method.CODE
) -> Attendance:
    """A participant checks themself in during the session window: by typing the session's code
    (daring) or by scanning the QR shown at the venue, which carries the code (luring).

    A self-paced (mandiri) session has no window in which everyone is present, so there is no
    self check-in: the organiser marks who completed it.
    """
    if session.mode == Session.Mode.MANDIRI:
        raise EnrollmentError(
            _("A self-paced (mandiri) session has no check-in: the organiser records who completed it.")
        )
    if session.mode != Session.Mode.LURING:
        method = Attendance.Method.CODE  # the QR is only shown at luring sessions
    enrollment = session.training.enrollments.filter(
        person=person, status__in=Enrollment.PARTICIPANT_STATUSES
    ).first()
    if enrollment is None:
        raise EnrollmentError(_("You are not a participant of this training."))
    if not session.checkin_is_open():
        raise EnrollmentError(_("Check-in is only open during the session."))
    if code.strip().upper() != session.checkin_code.upper():
        raise EnrollmentError(_("That code is not the code of this session."))
    attendance, _created = Attendance.objects.get_or_create(
        session=session, enrollment=enrollment, defaults={"method": method, "recorded_by": person}
    )
    return attendance


def _certificate_number(enrollment: Enrollment) -> str:
    training = enrollment.training
    return f"TPPS-{training.start_date:%Y}-{training.pk:04d}-{enrollment.pk:06d}"


@transaction.atomic
def complete_training(*, training: Training, acting_user: User) -> list[Enrollment]:
    """Apply the completion rule; completers get a certificate number and are told."""
    from django.db.models import Count

    _require_organiser(training, acting_user)

    if not training.has_ended():
        raise EnrollmentError(_("Certificates are issued after the last session has ended."))
    total = training.sessions.count()
    completed = []
    now = timezone.now()
    enrollments = training.enrollments.filter(status=Status.CONFIRMED).annotate(attended=Count("attendances"))
    for enrollment in enrollments.select_related("person", "training"):
        if not enrollment.meets_completion_rule(enrollment.attended, total):
            continue
        enrollment.certificate_number = _certificate_number(enrollment)
        enrollment.certificate_token = enrollment.certificate_token or new_token()
        enrollment.certificate_issued_at = now
        _set_status(enrollment, Status.COMPLETED, acting_user, now)
        _notify(
            enrollment, "training_certificate", extra={"certificate_number": enrollment.certificate_number}
        )
        completed.append(enrollment)
    Training.objects.filter(pk=training.pk).update(completed_at=now)
    return completed


def nominable_people(training: Training, acting_user: User):
    """People a DPPKB admin may nominate: eligible holders in their kabupaten."""
    from portal.models import region_q

    codes = acting_user.scope_codes(roles=[Role.DPPKB_ADMIN])
    if acting_user.is_superuser:
        return training.eligible_people()
    return (
        training.eligible_people()
        .filter(region_q(codes, "roles__region__code"), roles__role__in=training.eligible_role_list)
        .distinct()
    )
