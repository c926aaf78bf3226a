"""Trainings: a training with its sessions, who enrolled, who attended, who completed."""

from __future__ import annotations

import operator
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from portal.choice_labels import ChoiceLabelsMixin
from portal.dashboard import TrackedQuerySet
from portal.links import reverse_pk
from portal.models import Organisation, Region, RoleAssignment, User, new_checkin_code, region_q, row_count
from portal.roles import Role

DEFAULT_ELIGIBLE_ROLES = [Role.CAMAT, Role.KETUA_PKK, Role.KEPALA_PUSKESMAS]
# Roles that may hold a seat on a training (region-scoped people, not the organisers).
ELIGIBLE_ROLE_CHOICES = [
    (role.value, role.label)
    for role in (
        Role.CAMAT,
        Role.KETUA_PKK,
        Role.KEPALA_PUSKESMAS,
        Role.DPPKB_ADMIN,
        Role.NOTULIS,
        Role.TIM_PAKAR,
        Role.TPK,
        Role.OPD_FOCAL,
    )
]
# Minutes before a session starts when check-in opens.
CHECKIN_EARLY = timedelta(minutes=30)


def default_eligible_roles() -> str:
    return ",".join(DEFAULT_ELIGIBLE_ROLES)


def new_code() -> str:
    # The field's default, as named in migration 0001.
    return new_checkin_code()


def new_token() -> str:
    return secrets.token_urlsafe(16)


def kabupaten_of(user: User) -> str | None:
    """The kabupaten a person belongs to: the first two segments of their role's region."""
    for code in user.scope_codes():
        parts = code.split(".")
        if len(parts) >= 2:
            return ".".join(parts[:2])
    return None


def organiser_codes(user: User) -> list[str]:
    return user.scope_codes(roles=[Role.TRAINING_ORGANISER])


class TrainingQuerySet(TrackedQuerySet):
    def visible_to(self, user) -> TrainingQuerySet:
        """Trainings of bodies in or above the user's region; participants only those open
        to one of their roles (or that they are enrolled in)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        codes = user.scope_codes()
        ancestors = {a for code in codes for a in Region(code=code).ancestor_codes()}
        in_area = region_q(codes, "organiser__region__code") | Q(organiser__region_id__in=ancestors)
        roles = user.role_set()
        if roles & {Role.TRAINING_ORGANISER, Role.DPPKB_ADMIN}:
            return self.filter(in_area)
        # Role names are not substrings of one another, so `contains` on the list is exact.
        open_to_me = Q(pk__in=[])
        for role in roles:
            open_to_me |= Q(eligible_roles__contains=role)
        enrolled = Q(pk__in=Enrollment.objects.filter(person=user).values("training_id"))
        return self.filter(in_area & (open_to_me | enrolled))

    def editable_by(self, user) -> TrainingQuerySet:
        """Trainings the user may change (as `Training.can_change`): organised within their region."""
        if user.is_superuser:
            return self.all()
        if not user.has_perm("trainings.change_training"):
            return self.none()
        return self.filter(region_q(organiser_codes(user), "organiser__region__code"))

    def with_seats(self) -> TrainingQuerySet:
        # A subquery, not Count() over a join: a page of the list counts its own rows' seats
        # only, and its pager's count stays a plain one (full scale, a DPPKB admin's list:
        # page query 2.5 -> 1.2 ms, count 1.3 -> 0.13 ms).
        return self.annotate(
            seats_taken=row_count(Enrollment.objects.filter(status__in=Enrollment.SEAT_STATUSES), "training")
        )

    def upcoming(self) -> TrainingQuerySet:
        return self.filter(end_date__gte=timezone.localdate())


class Training(ChoiceLabelsMixin, models.Model):
    class Mode(models.TextChoices):
        BLENDED = "blended", _("Blended (online and in person)")
        LURING = "luring", _("In person (luring)")
        DARING = "daring", _("Online (daring)")

    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="trainings"
    )
    description = models.TextField(_("description"), blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.BLENDED)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(_("online platform link"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    cohort = models.CharField(_("cohort (angkatan)"), max_length=30, blank=True)
    completed_at = models.DateTimeField(
        _("completion rule applied at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the organiser issued the certificates; participants who did not pass then see why."
        ),
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    kabupaten_quota = models.PositiveIntegerField(
        _("seats per kabupaten"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no quota per kabupaten."),
    )
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    eligible_roles = models.CharField(
        _("eligible roles"), max_length=200, default=default_eligible_roles, help_text=_("Comma-separated.")
    )
    requires_approval = models.BooleanField(_("registrations need the organiser's approval"), default=False)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (percent of sessions)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    post_test_pass_mark = models.DecimalField(
        _("post-test pass mark"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("70"),
        help_text=_("Leave empty when there is no post-test."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TrainingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["start_date", "title"]

    def __str__(self) -> str:
        if self.cohort:
            return _("%(title)s (cohort %(cohort)s)") % {"title": self.title, "cohort": self.cohort}
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_pk("trainings:training-detail", self.pk)

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The training cannot end before it starts.")
        if self.registration_opens and self.registration_closes:
            if self.registration_closes <= self.registration_opens:
                errors["registration_closes"] = _("Registration must close after it opens.")
        if self.kabupaten_quota and self.capacity and self.kabupaten_quota > self.capacity:
            errors["kabupaten_quota"] = _("The quota per kabupaten cannot exceed the capacity.")
        errors = {**self.seat_errors(), **errors}
        if errors:
            raise ValidationError(errors)

    def seat_errors(self) -> dict[str, str]:
        """Refuse a capacity or kabupaten quota below the seats already held (live count).

        services.update_training recounts under the training row lock, so no registration
        can slip in between this count and the save.
        """
        if not self.pk:
            return {}
        errors = {}
        held = self.seats_held()
        if self.capacity is not None and self.capacity < held:
            errors["capacity"] = ngettext(
                "%(held)d seat is already taken (registered or awaiting approval): "
                "the capacity cannot be lower than that.",
                "%(held)d seats are already taken (registered or awaiting approval): "
                "the capacity cannot be lower than that.",
                held,
            ) % {"held": held}
        if self.kabupaten_quota:
            fullest = (
                self.enrollments.filter(status__in=Enrollment.SEAT_STATUSES, kabupaten__isnull=False)
                .values("kabupaten_id", "kabupaten__name")
                .annotate(held=Count("pk"))
                .order_by("-held", "kabupaten_id")
                .first()
            )
            if fullest and fullest["held"] > self.kabupaten_quota:
                errors["kabupaten_quota"] = ngettext(
                    "%(kabupaten)s already holds %(held)d seat: the quota per kabupaten cannot be lower.",
                    "%(kabupaten)s already holds %(held)d seats: the quota per kabupaten cannot be lower.",
                    fullest["held"],
                ) % {"kabupaten": fullest["kabupaten__name"], "held": fullest["held"]}
        return errors

    @property
    def eligible_role_list(self) -> list[str]:
        return [r for r in self.eligible_roles.split(",") if r]

    def eligible_role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.eligible_role_list if r in Role.values]

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start_date, time.min))

    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    def is_past(self) -> bool:
        return self.end_date < timezone.localdate()

    def ends_at(self) -> datetime:
        """When the last session ends (the end of the last day when there are no sessions)."""
        last = max((session.ends_at for session in self.sessions.all()), default=None)
        return last or timezone.make_aware(datetime.combine(self.end_date, time.max))

    def has_ended(self) -> bool:
        return timezone.now() >= self.ends_at()

    def offers_seats(self) -> bool:
        """Seats are worth showing until the training starts (not on a past training)."""
        return not self.has_started()

    def registration_is_open(self) -> bool:
        return self.registration_opens <= timezone.now() <= self.registration_closes

    def is_eligible(self, user: User) -> bool:
        return user.has_role(*self.eligible_role_list)

    def eligible_people(self) -> models.QuerySet[User]:
        """Active people holding an eligible role in the organiser's area (for reminders)."""
        assignments = RoleAssignment.objects.filter(role__in=self.eligible_role_list).filter(
            region_q([self.organiser.region_id], "region_id")
        )
        return User.objects.filter(is_active=True, pk__in=assignments.values("user_id"))

    def unregistered_eligible_people(self) -> models.QuerySet[User]:
        """Eligible people with no active registration (for "registration closes soon")."""
        active = self.enrollments.exclude(status__in=[Enrollment.Status.CANCELLED])
        return self.eligible_people().exclude(pk__in=active.values("person_id"))

    def organiser_people(self) -> list[User]:
        """Who decides on registrations: training organisers whose region covers the organising
        body's (as `can_change`), plus the body's contacts (head or focal points)."""
        region = self.organiser.region
        codes = [region.code, *region.ancestor_codes()]
        organisers = User.objects.filter(
            is_active=True, roles__role=Role.TRAINING_ORGANISER, roles__region_id__in=codes
        ).distinct()
        people = {user.pk: user for user in organisers}
        for user in self.organiser.contacts():
            people.setdefault(user.pk, user)
        return list(people.values())

    def participants(self) -> models.QuerySet[User]:
        """People holding a confirmed seat (or who completed): those to remind of sessions."""
        return User.objects.filter(
            is_active=True,
            enrollments__training=self,
            enrollments__status__in=Enrollment.PARTICIPANT_STATUSES,
        )

    def seats_held(self, kabupaten_id: str | None = None) -> int:
        """Live count of seats taken, optionally only by one kabupaten (never cached)."""
        qs = self.enrollments.filter(status__in=Enrollment.SEAT_STATUSES)
        if kabupaten_id is not None:
            qs = qs.filter(kabupaten_id=kabupaten_id)
        return qs.count()

    def seats_left(self) -> int:
        taken = getattr(self, "seats_taken", None)
        if taken is None:
            taken = self.seats_held()
        return max(self.capacity - taken, 0)

    def can_change(self, user: User) -> bool:
        if user.is_superuser:
            return True
        region = self.organiser.region
        return user.has_perm("trainings.change_training") and any(
            region.is_within(code) for code in organiser_codes(user)
        )

    def can_see_enrollments(self, user: User) -> bool:
        return self.can_change(user) or user.has_role(Role.DPPKB_ADMIN)


class Session(ChoiceLabelsMixin, models.Model):
    class Mode(models.TextChoices):
        DARING = "daring", _("Online (daring)")
        LURING = "luring", _("In person (luring)")
        MANDIRI = "mandiri", _("Self-paced (mandiri)")

    training = models.ForeignKey(
        Training, verbose_name=_("training"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    topic = models.CharField(_("topic"), max_length=200)
    facilitator = models.CharField(_("facilitator"), max_length=150, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(_("online meeting link"), blank=True)
    checkin_code = models.CharField(_("check-in code"), max_length=12, default=new_code)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "start_time"]

    def __str__(self) -> str:
        when = f"{formats.date_format(self.date, 'DATE_FORMAT')}, {formats.time_format(self.start_time, 'TIME_FORMAT')}"
        return f"{when} {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("trainings:session-attendance", args=[self.training_id, self.pk])

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The session must end after it starts.")})

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.end_time))

    @property
    def link(self) -> str:
        return self.online_link or self.training.online_link

    def checkin_is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.starts_at - CHECKIN_EARLY <= at <= self.ends_at


def _visible_parts(user) -> list[Q]:
    """The parts of `Enrollment.objects.visible_to(user)` (a user neither anonymous nor superuser),
    any of which makes an enrollment visible."""
    parts = [Q(person=user)]
    organiser = organiser_codes(user)
    if organiser:
        parts.append(region_q(organiser, "training__organiser__region__code"))
    dppkb = user.scope_codes(roles=[Role.DPPKB_ADMIN])
    if dppkb:
        parts.append(region_q(dppkb, "kabupaten_id"))
    return parts


class EnrollmentQuerySet(TrackedQuerySet):
    def visible_to(self, user) -> EnrollmentQuerySet:
        """Own enrollments; an organiser's trainings; a DPPKB admin's kabupaten."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(reduce(operator.or_, _visible_parts(user)))

    def visible_kabupaten_codes(self, user, limit: int) -> EnrollmentQuerySet:
        """The codes of the kabupaten of the enrollments `visible_to(user)`, each once, the
        first `limit` in code order (a list filter's choices), as one query to use as a subquery.
        A UNION of the rule's parts, each read by its own index: with their OR, PostgreSQL
        walked every enrollment of the country in code order to find a DPPKB admin's one
        kabupaten (64 ms at national scale; 4 ms so)."""
        rows = self.order_by().filter(kabupaten__isnull=False).values_list("kabupaten_id", flat=True)
        if not user.is_authenticated or not user.is_active:
            codes = rows.none()
        elif user.is_superuser:
            codes = rows.distinct()
        else:
            first, *others = (rows.filter(part) for part in _visible_parts(user))
            codes = first.union(*others) if others else first.distinct()
        return codes.order_by("kabupaten_id")[:limit]

    def holding_seats(self) -> EnrollmentQuerySet:
        return self.filter(status__in=Enrollment.SEAT_STATUSES)

    def waiting(self) -> EnrollmentQuerySet:
        return self.filter(status=Enrollment.Status.WAITLISTED).order_by("requested_at", "pk")


class Enrollment(ChoiceLabelsMixin, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")
        COMPLETED = "completed", _("Completed")

    # Statuses that occupy a seat: pending ones too, so approving never oversells.
    SEAT_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.COMPLETED)
    PARTICIPANT_STATUSES = (Status.CONFIRMED, Status.COMPLETED)

    training = models.ForeignKey(
        Training, verbose_name=_("training"), on_delete=models.CASCADE, related_name="enrollments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    kabupaten = models.ForeignKey(
        Region,
        verbose_name=_("kabupaten"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The person's kabupaten when they registered (for the quota)."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    requested_at = models.DateTimeField(_("registered at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last acted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    pre_test_score = models.DecimalField(
        _("pre-test score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    post_test_score = models.DecimalField(
        _("post-test score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    certificate_number = models.CharField(
        _("certificate number"), max_length=40, unique=True, null=True, blank=True
    )
    certificate_token = models.CharField(
        _("verification token"), max_length=40, unique=True, null=True, blank=True
    )
    certificate_issued_at = models.DateTimeField(_("certificate issued at"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["training", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["training", "person"], name="enrollment_one_per_person")
        ]
        indexes = [
            # The admin list, latest first: a page without joining and sorting every row.
            models.Index(fields=["requested_at", "id"], name="enrollment_requested_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.training}"

    def holds_seat(self) -> bool:
        return self.status in self.SEAT_STATUSES

    def can_cancel(self, user: User) -> bool:
        active = self.status in (self.Status.PENDING, self.Status.CONFIRMED, self.Status.WAITLISTED)
        return active and user.pk == self.person_id and not self.training.has_started()

    def attendance_share(self, attended: int, total: int) -> float:
        return attended / total if total else 0.0

    def meets_completion_rule(self, attended: int, total: int) -> bool:
        training = self.training
        if self.status not in self.PARTICIPANT_STATUSES or not total:
            return False
        if self.attendance_share(attended, total) * 100 < training.min_attendance_percent:
            return False
        mark = training.post_test_pass_mark
        return mark is None or (self.post_test_score is not None and self.post_test_score >= mark)

    def completion_shortfalls(self, attended: int, total: int) -> list[str]:
        """Why this participant does not meet the completion rule (empty when they do)."""
        training = self.training
        reasons = []
        if not total or self.attendance_share(attended, total) * 100 < training.min_attendance_percent:
            reasons.append(
                _("attended %(attended)d of %(total)d sessions (at least %(share)d%% needed)")
                % {"attended": attended, "total": total, "share": training.min_attendance_percent}
            )
        mark = training.post_test_pass_mark
        if mark is not None and (self.post_test_score is None or self.post_test_score < mark):
            if self.post_test_score is None:
                reasons.append(_("no post-test score (at least %(mark)s needed)") % {"mark": f"{mark:g}"})
            else:
                reasons.append(
                    _("post-test score %(score)s (at least %(mark)s needed)")
                    % {"score": f"{self.post_test_score:g}", "mark": f"{mark:g}"}
                )
        return reasons

    def has_certificate(self) -> bool:
        return self.status == self.Status.COMPLETED and bool(self.certificate_number)

    def verification_url(self) -> str:
        path = reverse("trainings:certificate-verify", args=[self.certificate_token])
        return f"{settings.SITE_URL}{path}"


class Attendance(ChoiceLabelsMixin, models.Model):
    class Method(models.TextChoices):
        ORGANISER = "organiser", _("Marked by the organiser")
        CODE = "code", _("Session code")
        QR = "qr", _("QR code")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="attendance_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.person} @ {self.session}"
