"""Commitments (RTL): what an organisation does by when, followed until verified."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.access import acts_in
from portal.choice_labels import ChoiceLabelsMixin
from portal.dashboard import TrackedQuerySet
from portal.links import reverse_pk
from portal.models import Organisation, Region, RoleAssignment, ScopedQuerySet, region_q, region_range_q
from portal.roles import Role
from portal.storage import private_storage

from ..models.meeting import Meeting, user_organisations


class CommitmentQuerySet(ScopedQuerySet):
    # The meeting's and the owner's regions are copied onto the row (see Commitment.save), so
    # the rule below reads one table: each arm has its own index and PostgreSQL ORs them
    # (BitmapOr) instead of joining every commitment to its meeting and organisation.
    region_field = "meeting_region_id"
    owner_region_field = "owner_region_id"
    fast_bulk_create = True  # an import writes them by the thousand (portal.bulk)

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
            | region_q(codes, self.owner_region_field)
            | Q(owner__in=user_organisations(user))
            | Q(pic=user)
        )

    def visible_parts(self, user) -> list[CommitmentQuerySet]:
        """Subsets of `visible_to(user)`, each read along one index: the commitments agreed
        in the user's regions and those owned there, each subtree as one prefix range of its
        region index (`region_range_q`). A bounded count of one reads that index alone, where
        the whole rule's OR is read as a bitmap of every matching row before the first."""
        if not user.is_authenticated or not user.is_active or user.is_superuser:
            return []
        codes = user.scope_codes()
        if not codes:
            return []
        return [
            self.filter(region_range_q(codes, self.region_field)),
            self.filter(region_range_q(codes, self.owner_region_field)),
        ]

    def index_bounded(self, user) -> bool:
        """Whether `visible_to(user)` is a small part of the table, found along its indexes:
        the rule's every branch is indexed (region prefixes, owner, PIC), and no region of the
        user's is wider than a kabupaten/kota (a province or the country may be a share of the
        table that a sequential scan reads faster)."""
        if not user.is_authenticated or not user.is_active or user.is_superuser:
            return False
        return all("." in code for code in user.scope_codes())

    def bulk_create(self, objs, *args, **kwargs):
        """bulk_create skips save(): fill the region copies the same way (from the meetings
        and owners already loaded, else one query per table)."""
        objs = list(objs)
        for obj in objs:
            if obj.meeting_region_id is None and Commitment.meeting.is_cached(obj):
                obj.meeting_region_id = obj.meeting.region_id
            if obj.owner_region_id is None and Commitment.owner.is_cached(obj):
                obj.owner_region_id = obj.owner.region_id
        meetings = Meeting.objects.in_bulk({o.meeting_id for o in objs if o.meeting_region_id is None})
        owners = Organisation.objects.in_bulk({o.owner_id for o in objs if o.owner_region_id is None})
        for obj in objs:
            if obj.meeting_region_id is None:
                obj.meeting_region_id = meetings[obj.meeting_id].region_id
            if obj.owner_region_id is None:
                obj.owner_region_id = owners[obj.owner_id].region_id
        return super().bulk_create(objs, *args, **kwargs)

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
            | region_q(local, self.owner_region_field)
            | region_q(local, self.region_field)
        )

    def mine_parts(self, user) -> list[CommitmentQuerySet]:
        """`mine(user)` as parts whose union it is, each one condition that one index reads in
        due-date order (for open ones: commitment_open_owner_due, commitment_open_owner_region,
        commitment_open_meeting_region): each of the user's organisations, the rows they are PIC
        of, and each local code, exactly and as the parent of its subtree, for the owner's and
        the meeting's region. Each part lies within `visible_to(user)`, whose rule has the same
        organisations and PIC and regions that cover the local ones (`scope_codes`), so it is
        not repeated in the parts: with its OR, PostgreSQL read every candidate again."""
        if not user.is_authenticated or not user.is_active:
            return []
        parts = [self.filter(owner_id=pk) for pk in user_organisations(user)]
        parts.append(self.filter(pic=user))
        for field in (self.owner_region_field, self.region_field):
            for code in user.scope_codes(roles=Commitment.LOCAL_ROLES):
                parts.append(self.filter(**{field: code}))
                parts.append(self.filter(**{f"{field.removesuffix('_id')}__code__startswith": f"{code}."}))
        return parts

    def mine_first(self, user, top: int) -> list[int] | None:
        """The keys of the first `top` rows of "Komitmen saya" (`mine(user).overdue_first()`,
        with or without the closed ones) when they are all open, else None: open ones come
        first, by due date (the overdue first that way), and are read part by part
        (`mine_parts`) from the open ones' partial indexes, a UNION cut at `top`. Sorted as a
        whole, a busy kecamatan's thousands of candidates were read from the table for a page
        of 50 (11-27 ms at national scale). None too where the database cuts no part of a UNION
        (SQLite): the caller sorts the candidates."""
        parts = self.mine_parts(user)
        if not parts or not connections[self.db].features.supports_slicing_ordering_in_compound:
            return None
        cut = [part.open().order_by("due_date", "pk").values_list("due_date", "pk")[:top] for part in parts]
        rows = cut[0].union(*cut[1:]).order_by("due_date", "pk")[:top] if len(cut) > 1 else cut[0]
        keys = [pk for _due, pk in rows]
        return keys if len(keys) == top else None

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
        # The earlier meetings by key (a region's, from its start index): a join looked up
        # the meeting of every open commitment of the region, one by one, to read its start.
        earlier = Meeting.objects.filter(region_id=meeting.region_id, start__lt=meeting.start)
        return self.open().filter(meeting_region_id=meeting.region_id, meeting__in=earlier.values("pk"))


class Commitment(ChoiceLabelsMixin, models.Model):
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
    # Left out of "Komitmen saya" unless all are asked for.
    CLOSED_STATUSES = (Status.VERIFIED, Status.CANCELLED)
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
    # Copies of meeting.region and owner.region for the visibility rule (indexed, one table).
    # Kept by save() and, when a meeting or an organisation moves, by services.follow_region.
    meeting_region = models.ForeignKey(
        Region,
        verbose_name=_("meeting's region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    owner_region = models.ForeignKey(
        Region,
        verbose_name=_("responsible organisation's region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["meeting_region", "owner_region"])

    class Meta:
        verbose_name = _("commitment (RTL)")
        verbose_name_plural = _("commitments (RTL)")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="commitment_status_due"),
            # The default order (lists, admin): a page of a big list without sorting all of it.
            models.Index(fields=["due_date", "id"], name="commitment_due_order"),
            # Region subtrees are prefix matches (LIKE '63.05.%'): pattern ops serve them in
            # any collation.
            models.Index(
                fields=["meeting_region"], opclasses=["varchar_pattern_ops"], name="commitment_meeting_region"
            ),
            models.Index(
                fields=["owner_region"], opclasses=["varchar_pattern_ops"], name="commitment_owner_region"
            ),
            # Open items of a region by due date: lists, overdue counts, the meeting review.
            models.Index(
                fields=["meeting_region", "due_date"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=Q(status__in=["open", "in_progress"]),
                name="commitment_open_meeting_region",
            ),
            models.Index(
                fields=["owner_region", "due_date"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=Q(status__in=["open", "in_progress"]),
                name="commitment_open_owner_region",
            ),
            # An organisation's open (and overdue) commitments by due date: the admin's owner
            # and overdue filters, without intersecting every open commitment of the country.
            models.Index(
                fields=["owner", "due_date"],
                condition=Q(status__in=["open", "in_progress"]),
                name="commitment_open_owner_due",
            ),
            # The meeting's review (carry_forward): a region's open commitments by owner and
            # due date, each owner's first lines and the bounded count read from the index
            # alone (the scope's columns and the meeting are included).
            models.Index(
                fields=["meeting_region", "owner", "due_date", "id"],
                include=["meeting", "owner_region", "pic"],
                condition=Q(status__in=["open", "in_progress"]),
                name="commitment_open_review",
            ),
            # The reminder scan: open commitments due around today, with what its ladder
            # needs (read from the index alone, not from tens of thousands of heap pages).
            models.Index(
                fields=["due_date"],
                include=["id", "owner", "pic", "meeting_region"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="commitment_open_due",
            ),
            # The reminder scan's beat: commitments saved since the last one.
            models.Index(fields=["updated_at"], name="commitment_updated"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def save(self, *args, **kwargs) -> None:
        self.meeting_region_id = self.meeting.region_id
        self.owner_region_id = self.owner.region_id
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "meeting_region", "owner_region"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_pk("meetings:commitment-detail", self.pk)

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
        return acts_in(user, self.owner.region, self.LOCAL_ROLES) or acts_in(
            user, self.meeting.region, self.LOCAL_ROLES
        )

    def is_secretariat(self, user) -> bool:
        """DPPKB admins and notulis of the meeting's kabupaten."""
        return acts_in(user, self.meeting.region, self.SECRETARIAT_ROLES)

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


class CommitmentUpdateQuerySet(TrackedQuerySet):
    fast_bulk_create = True  # an import records one for each new commitment (portal.bulk)


class CommitmentUpdate(ChoiceLabelsMixin, models.Model):
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
    # The nonce of the form that posted it: a double submit records one update.
    submission_key = models.CharField(_("submission key"), max_length=64, blank=True, editable=False)

    objects = CommitmentUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment update")
        verbose_name_plural = _("commitment updates")
        ordering = ["commitment", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="commitment_update_once_per_submission",
            )
        ]

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
