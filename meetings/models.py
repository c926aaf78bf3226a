"""Meetings of the TPPS (rakor, rembuk, diseminasi AKS, ...) and what they produce:
agenda, invitations, attendance, and commitments (RTL) followed until verified.

Audits will link their recommendations to commitments; the dependency is one way
(audits imports meetings, meetings never imports audits).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models import Organisation, Region, RoleAssignment, ScopedQuerySet, region_q
from portal.roles import Role
from portal.storage import private_storage


class MeetingQuerySet(ScopedQuerySet):
    region_field = "region_id"

    def visible_to(self, user) -> MeetingQuerySet:
        """Meetings in the user's regions, plus those the user or their organisation is invited to."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            region_q(user.scope_codes(), self.region_field)
            | Q(pk__in=self.invited(user).values("pk"))
            | Q(chair=user)
        )

    def invited(self, user) -> MeetingQuerySet:
        """Meetings the user is invited to, in person or through an organisation they speak for."""
        invitations = Invitation.objects.filter(Q(person=user) | Q(organisation__in=user_organisations(user)))
        return self.filter(pk__in=invitations.values("meeting_id"))

    def upcoming(self) -> MeetingQuerySet:
        return self.filter(end__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED)

    def past(self) -> MeetingQuerySet:
        return self.filter(end__lt=timezone.now())


# Roles that may schedule and change meetings of their region (and below).
WRITER_ROLES = (Role.DPPKB_ADMIN, Role.NOTULIS, Role.CAMAT)
# How long before the start an invitee may already check in.
CHECKIN_OPENS_BEFORE = timedelta(minutes=60)
# Check-in codes avoid look-alike characters (0/O, 1/I) so they are easy to read off a screen.
CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def user_organisations(user) -> list[int]:
    """Organisations a user speaks for: their own, and those they are focal point of."""
    ids = {a.organisation_id for a in user.role_assignments() if a.organisation_id}
    if user.organisation_id:
        ids.add(user.organisation_id)
    return sorted(ids)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        RAKOR = "rakor", _("Rakor TPPS")
        REMBUK = "rembuk", _("Rembuk stunting")
        DISEMINASI = "diseminasi", _("Diseminasi AKS")
        KONFERENSI_PAKAR = "konferensi_pakar", _("Konferensi tim pakar")
        PETIK_AKSI = "petik_aksi", _("Petik Aksi / berbagi praktik baik")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        LURING = "luring", _("In person (luring)")
        DARING = "daring", _("Online (daring)")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
        CANCELLED = "cancelled", _("Cancelled")

    class Recurrence(models.TextChoices):
        NONE = "", _("Does not repeat")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RAKOR)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="meetings"
    )
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), related_name="organised_meetings", blank=True
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.LURING)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous meeting in the series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_meetings",
    )
    checkin_code = models.CharField(_("check-in code"), max_length=12, blank=True)
    # Incremented whenever time, place or link changes (ICS SEQUENCE, change notices).
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start"]
        indexes = [models.Index(fields=["region", "start"], name="meeting_region_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.pk])

    def clean(self) -> None:
        """The rules of a schedulable meeting, shared by the portal form and Django admin."""
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        if self.mode in (self.Mode.DARING, self.Mode.HYBRID) and not self.online_link:
            errors["online_link"] = _("An online or hybrid meeting needs a link.")
        if self.mode in (self.Mode.LURING, self.Mode.HYBRID) and not self.venue.strip():
            errors["venue"] = _("An in-person or hybrid meeting needs a venue.")
        if errors:
            raise ValidationError(errors)

    @property
    def level(self) -> str:
        """Kabupaten, kecamatan or desa: the level of the meeting's region."""
        return self.region.level

    # Fields whose change makes calendars and invitees need an update.
    SCHEDULE_FIELDS = ("start", "end", "mode", "venue", "online_link", "status")

    # Allowed status moves; "minutes approved" is reached only by approving the minutes.
    TRANSITIONS = {
        Status.DRAFT: {Status.DRAFT, Status.SCHEDULED, Status.CANCELLED},
        Status.SCHEDULED: {Status.SCHEDULED, Status.DRAFT, Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.HELD, Status.SCHEDULED},
        Status.MINUTES_APPROVED: {Status.MINUTES_APPROVED},
        Status.CANCELLED: {Status.CANCELLED, Status.DRAFT, Status.SCHEDULED},
    }

    def can_change(self, user) -> bool:
        """Writers are DPPKB admins / notulis of the kabupaten and camat of the kecamatan."""
        if user.is_superuser:
            return True
        if not user.has_perm("meetings.change_meeting"):
            return False
        return any(self.region.is_within(code) for code in user.scope_codes(roles=WRITER_ROLES))

    def can_approve_minutes(self, user) -> bool:
        return user.is_superuser or (self.chair_id is not None and self.chair_id == user.pk)

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.DARING, self.Mode.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.mode in (self.Mode.LURING, self.Mode.HYBRID)

    @property
    def place(self) -> str:
        parts = [self.venue if self.is_in_person else "", self.online_link if self.is_online else ""]
        return " / ".join(p for p in parts if p)

    def organiser_names(self) -> str:
        return ", ".join(o.short_name or o.name for o in self.organisers.all())

    def ics_uid(self) -> str:
        return f"meeting-{self.pk}@portal-tpps"

    def checkin_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status not in (self.Status.CANCELLED, self.Status.DRAFT)
            and self.start - CHECKIN_OPENS_BEFORE <= now <= self.end
        )

    def ensure_checkin_code(self) -> str:
        if not self.checkin_code:
            self.checkin_code = "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(6))
            self.save(update_fields=["checkin_code"])
        return self.checkin_code

    def invitee_rows(self) -> list[dict]:
        """The people expected: one row per invited person, per contact of an invited organisation
        (or the organisation alone when it has no contact in the portal)."""
        rows, seen = [], set()
        invitations = self.invitations.select_related("person__organisation", "organisation")
        for invitation in invitations:
            if invitation.person_id:
                people = [invitation.person]
            else:
                people = invitation.organisation.contacts()
                if not people:
                    rows.append(
                        {
                            "invitation": invitation,
                            "person": None,
                            "name": "",
                            "jabatan": "",
                            "instansi": invitation.organisation.name,
                        }
                    )
            for person in people:
                if person.pk in seen:
                    continue
                seen.add(person.pk)
                instansi = invitation.organisation or person.organisation
                rows.append(
                    {
                        "invitation": invitation,
                        "person": person,
                        "name": person.get_full_name(),
                        "jabatan": person.jabatan,
                        "instansi": instansi.name if instansi else "",
                    }
                )
        return rows

    def invitation_for(self, user) -> Invitation | None:
        """The invitation through which this user is expected (their own first)."""
        invitations = list(
            self.invitations.filter(Q(person=user) | Q(organisation__in=user_organisations(user))).order_by(
                "organisation_id"
            )
        )
        return invitations[0] if invitations else None

    def email_attachments(self, notification) -> list[tuple[str, bytes, str]]:
        """The meeting's calendar entry, attached to invitations and change notices."""
        from .ics import meeting_calendar

        return [(f"rapat-{self.pk}.ics", meeting_calendar([self]), "text/calendar")]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    minutes_planned = models.PositiveSmallIntegerField(_("minutes planned"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """An invitation to a person, or to an organisation (reaching its head or focal point)."""

    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        HADIR = "hadir", _("Will attend (hadir)")
        IZIN = "izin", _("Excused (izin)")
        DIWAKILKAN = "diwakilkan", _("Represented (diwakilkan)")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_invitations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_invitations",
    )
    response = models.CharField(
        _("response"), max_length=12, choices=Response.choices, default=Response.PENDING
    )
    delegate_name = models.CharField(_("delegate's name"), max_length=150, blank=True)
    delegate_position = models.CharField(_("delegate's position"), max_length=150, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(organisation__isnull=False),
                name="invitation_has_invitee",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(organisation__isnull=True),
                name="invitation_unique_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                condition=Q(person__isnull=True),
                name="invitation_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.organisation)

    def recipients(self) -> list:
        """Who receives this invitation: the person, or the organisation's contacts."""
        if self.person_id:
            return [self.person]
        return self.organisation.contacts()

    def is_for(self, user) -> bool:
        """May this user answer the invitation (the person, or one who speaks for the organisation)?"""
        if self.person_id:
            return self.person_id == user.pk
        return self.organisation_id in user_organisations(user) or user in self.recipients()

    @property
    def declined(self) -> bool:
        return self.response == self.Response.IZIN


class Attendance(models.Model):
    """One line of the daftar hadir: an invitee or a walk-in."""

    class Status(models.TextChoices):
        HADIR = "hadir", _("Present (hadir)")
        IZIN = "izin", _("Excused (izin)")
        TIDAK_HADIR = "tidak_hadir", _("Absent (tidak hadir)")
        DIWAKILKAN = "diwakilkan", _("Represented (diwakilkan)")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendance",
        help_text=_("Empty for a walk-in."),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_attendances",
    )
    name = models.CharField(_("name"), max_length=150)
    jabatan = models.CharField(_("position (jabatan)"), max_length=150, blank=True)
    instansi = models.CharField(_("agency (instansi)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.HADIR)
    delegate_name = models.CharField(_("delegate's name"), max_length=150, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendance_unique_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class CommitmentQuerySet(ScopedQuerySet):
    region_field = "meeting__region_id"

    def visible_to(self, user) -> CommitmentQuerySet:
        """Commitments of meetings in the user's regions, plus those their organisation owns or they are PIC of."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        codes = user.scope_codes()
        return self.filter(
            region_q(codes, self.region_field)
            # Owned by a body in the user's region (a puskesmas's RTL from a kabupaten rakor).
            | region_q(codes, "owner__region_id")
            | Q(owner__in=user_organisations(user))
            | Q(pic=user)
        )

    def open(self) -> CommitmentQuerySet:
        return self.filter(status__in=Commitment.OPEN_STATUSES)

    def overdue(self, today=None) -> CommitmentQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def mine(self, user) -> CommitmentQuerySet:
        """ "Komitmen saya": what the user answers for. Their organisation's and their own
        commitments; for a camat also those of the kecamatan (owned by a body there, or agreed
        in a meeting there)."""
        local = user.scope_codes(roles=Commitment.LOCAL_ROLES)
        return self.visible_to(user).filter(
            Q(owner__in=user_organisations(user))
            | Q(pic=user)
            | region_q(local, "owner__region_id")
            | region_q(local, self.region_field)
        )

    def overdue_first(self, today=None) -> CommitmentQuerySet:
        """Overdue first, then the rest still open, then closed ones; each by due date."""
        today = today or timezone.localdate()
        return self.annotate(
            urgency=models.Case(
                models.When(status__in=Commitment.OPEN_STATUSES, due_date__lt=today, then=0),
                models.When(status__in=Commitment.OPEN_STATUSES, then=1),
                models.When(status=Commitment.Status.DONE, then=2),
                default=3,
                output_field=models.IntegerField(),
            )
        ).order_by("urgency", "due_date", "pk")

    def carried_into(self, meeting: Meeting) -> CommitmentQuerySet:
        """Still-open commitments of earlier meetings of the same TPPS (same region), for its review."""
        return self.open().filter(meeting__region_id=meeting.region_id, meeting__start__lt=meeting.start)


class Commitment(models.Model):
    """An RTL item: who does what by when. Overdue is derived from the date, never stored."""

    class InterventionType(models.TextChoices):
        SPESIFIK = "spesifik", _("Specific intervention (spesifik)")
        SENSITIF = "sensitif", _("Sensitive intervention (sensitif)")
        NONE = "none", _("Neither")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
    # Allowed status changes; reaching DONE also needs evidence (see check_transition).
    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.DONE, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.OPEN, Status.DONE, Status.CANCELLED},
        Status.DONE: {Status.VERIFIED, Status.IN_PROGRESS},
        Status.VERIFIED: {Status.IN_PROGRESS},
        Status.CANCELLED: {Status.OPEN},
    }
    # Roles that answer for every commitment of their kecamatan ("Komitmen saya", progress);
    # others (kepala puskesmas, OPD focal points) answer for their organisation's.
    LOCAL_ROLES = (Role.CAMAT,)
    # The TPPS secretariat: records, verifies and reopens commitments of their kabupaten.
    SECRETARIAT_ROLES = (Role.DPPKB_ADMIN, Role.NOTULIS)

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="commitments"
    )
    description = models.TextField(_("description"))
    intervention_type = models.CharField(
        _("intervention type"),
        max_length=10,
        choices=InterventionType.choices,
        default=InterventionType.NONE,
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    pic = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge (PIC)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    due_date = models.DateField(_("due date (tenggat)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment (RTL)")
        verbose_name_plural = _("commitments (RTL)")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="commitment_status_due")]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("meetings:commitment-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    def clean(self) -> None:
        # An RTL belongs to a body of the meeting's kabupaten (or to one above it, such as
        # the provincial BKKBN office), never to another kabupaten's.
        if not (self.meeting_id and self.owner_id):
            return
        kabupaten = self.meeting.region.kabupaten_code()
        owner_region = self.owner.region
        if kabupaten and not (
            owner_region.is_within(kabupaten) or owner_region.code in Region(code=kabupaten).ancestor_codes()
        ):
            raise ValidationError(
                {"owner": _("The responsible organisation must belong to the meeting's kabupaten.")}
            )

    def is_responsible(self, user) -> bool:
        """The owner's side: the PIC, who speaks for the owner, or the camat of its kecamatan."""
        if user.is_superuser or (self.pic_id and self.pic_id == user.pk):
            return True
        if self.owner_id in user_organisations(user):
            return True
        local = user.scope_codes(roles=self.LOCAL_ROLES)
        return any(self.owner.region.is_within(c) or self.meeting.region.is_within(c) for c in local)

    def is_secretariat(self, user) -> bool:
        """DPPKB admins and notulis of the meeting's kabupaten."""
        if user.is_superuser:
            return True
        codes = user.scope_codes(roles=self.SECRETARIAT_ROLES)
        return any(self.meeting.region.is_within(c) for c in codes)

    def can_change(self, user) -> bool:
        """May post progress (the owner's side or the secretariat); read-only roles may not."""
        return user.has_perm("meetings.change_commitment") and (
            self.is_responsible(user) or self.is_secretariat(user)
        )

    def can_mark_done(self, user) -> bool:
        return user.has_perm("meetings.change_commitment") and self.is_responsible(user)

    def can_verify(self, user) -> bool:
        return user.has_perm("meetings.change_commitment") and self.is_secretariat(user)

    def has_evidence(self) -> bool:
        return Evidence.objects.filter(update__commitment=self).exists()

    def check_transition(self, status: str, *, with_evidence: bool = False) -> None:
        """Raise ValidationError unless the status may change to `status` now."""
        if status == self.status:
            return
        if status not in self.TRANSITIONS.get(self.status, ()):
            raise ValidationError(
                _("A commitment that is %(old)s cannot become %(new)s.")
                % {"old": self.get_status_display().lower(), "new": self.Status(status).label.lower()},
                code="transition",
            )
        if status == self.Status.DONE and not (with_evidence or self.has_evidence()):
            raise ValidationError(
                _("Attach evidence (a PDF or a photo) to mark the commitment done."), code="evidence"
            )

    def status_at(self, moment) -> str:
        """The status at `moment`, from the history of updates (prefetch `updates` for lists)."""
        status = self.Status.OPEN
        for update in sorted(self.updates.all(), key=lambda u: u.created_at):
            if update.created_at > moment:
                break
            if update.status_to:
                status = update.status_to
        return status

    @staticmethod
    def meeting_choices(user) -> models.QuerySet:
        """Meetings a user may record commitments for: those in their regions (not merely invited)."""
        if user.is_superuser:
            return Meeting.objects.all()
        return Meeting.objects.filter(region_q(user.scope_codes(), "region_id"))

    @staticmethod
    def owner_choices(user) -> models.QuerySet:
        """Organisations that may own a commitment the user records: those of their kabupaten."""
        if user.is_superuser:
            return Organisation.objects.all()
        kabupaten = {Region(code=c).kabupaten_code() or c for c in user.scope_codes()}
        return Organisation.objects.filter(region_q(kabupaten, "region_id"))

    @staticmethod
    def pic_choices(user) -> models.QuerySet:
        """People who may be PIC: members or role holders of the user's kabupaten."""
        from portal.models import User

        people = User.objects.filter(is_active=True)
        if user.is_superuser:
            return people
        orgs = Commitment.owner_choices(user)
        kabupaten = {Region(code=c).kabupaten_code() or c for c in user.scope_codes()}
        holders = RoleAssignment.objects.filter(region_q(kabupaten, "region_id")).values("user_id")
        return people.filter(Q(organisation__in=orgs) | Q(pk__in=holders))

    def focal_points(self) -> list:
        """Who answers for this commitment: the PIC and the owner organisation's contacts."""
        people = list(self.owner.contacts())
        if self.pic_id and self.pic not in people:
            people.insert(0, self.pic)
        return people

    def secretariat(self):
        """The TPPS secretariat (DPPKB admins and notulis) of the meeting's kabupaten: who verifies."""
        from portal.models import User

        kabupaten = self.meeting.region.kabupaten_code() or self.meeting.region_id
        return User.objects.filter(
            is_active=True, roles__role__in=self.SECRETARIAT_ROLES, roles__region_id=kabupaten
        ).distinct()

    def kabupaten_admins(self):
        """The TPPS secretariat (DPPKB admins) of the meeting's kabupaten, for escalation."""
        from portal.models import User

        kabupaten = self.meeting.region.kabupaten_code()
        return User.objects.filter(
            is_active=True, roles__role=Role.DPPKB_ADMIN, roles__region_id=kabupaten
        ).distinct()


def evidence_path(instance, filename: str) -> str:
    return f"evidence/{instance.update.commitment_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class CommitmentUpdate(models.Model):
    """A progress report on a commitment: the history owners and the secretariat build together."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("progress note"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    status_from = models.CharField(
        _("status before"), max_length=12, choices=Commitment.Status.choices, blank=True
    )
    status_to = models.CharField(
        _("status after"), max_length=12, choices=Commitment.Status.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("commitment update")
        verbose_name_plural = _("commitment updates")
        ordering = ["commitment", "created_at"]

    def __str__(self) -> str:
        return f"{self.commitment} @ {self.created_at:%Y-%m-%d}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> EvidenceQuerySet:
        """Evidence of the commitments the user may see."""
        return self.filter(update__commitment__in=Commitment.objects.visible_to(user))


class Evidence(models.Model):
    """A file proving progress (PDF or image), kept in private storage."""

    update = models.ForeignKey(
        CommitmentUpdate, verbose_name=_("update"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, storage=private_storage)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Minutes(models.Model):
    """The notulen of a meeting. Approval by the chair locks it; later changes are amendments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved and locked")

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes"
    )
    summary = models.TextField(_("summary"), blank=True)
    # Discussion per agenda item: {"<agenda item pk>": "text"}.
    discussions = models.JSONField(_("discussion per agenda item"), default=dict, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutes", args=[self.meeting_id])

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    def discussion_items(self) -> list[tuple[AgendaItem, str]]:
        return [(item, self.discussions.get(str(item.pk), "")) for item in self.meeting.agenda_items.all()]

    def snapshot(self, *, kind: str, author, reason: str = "") -> MinutesVersion:
        """Keep the current content as a new numbered version."""
        self.version += 1
        self.save(update_fields=["version", "updated_at"])
        return MinutesVersion.objects.create(
            minutes=self,
            number=self.version,
            kind=kind,
            summary=self.summary,
            discussions=self.discussions,
            decisions=self.decisions,
            reason=reason,
            author=author,
        )


class MinutesVersion(models.Model):
    """One kept version of the minutes: each save, the approval, and every amendment (with why)."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draft saved")
        APPROVAL = "approval", _("Approved")
        AMENDMENT = "amendment", _("Amendment")

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    summary = models.TextField(_("summary"), blank=True)
    discussions = models.JSONField(_("discussion per agenda item"), default=dict, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    reason = models.TextField(_("reason for the amendment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["minutes", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutesversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.minutes} v{self.number}"


def document_path(instance, filename: str) -> str:
    return f"meetings/{instance.meeting_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class MeetingDocument(models.Model):
    """A file kept with a meeting, such as the scanned signed daftar hadir (private storage)."""

    class Kind(models.TextChoices):
        SIGNED_ATTENDANCE = "daftar_hadir", _("Signed attendance list (daftar hadir)")
        SIGNED_MINUTES = "berita_acara", _("Signed minutes (berita acara)")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SIGNED_ATTENDANCE)
    file = models.FileField(_("file"), upload_to=document_path, storage=private_storage)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["meeting", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("meetings:document-download", args=[self.meeting_id, self.pk])


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret token of a person's calendar feed (every meeting they are invited to)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("meetings:calendar-feed", args=[self.token])

    def regenerate(self) -> None:
        """A new token: the old URL stops working at once."""
        self.token = new_feed_token()
        self.created_at = timezone.now()
        self.save(update_fields=["token", "created_at"])
