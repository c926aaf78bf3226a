"""Invitations to a meeting and the attendance recorded at it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choice_labels import ChoiceLabelsMixin
from portal.models import Organisation, Region

from .meeting import Meeting, user_organisations


class InvitationQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """bulk_create skips save(): fill the meeting's region copy the same way (from the
        meetings already loaded, else one query)."""
        objs = list(objs)
        missing = {
            o.meeting_id for o in objs if o.meeting_region_id is None and not Invitation.meeting.is_cached(o)
        }
        regions = dict(Meeting.objects.filter(pk__in=missing).values_list("pk", "region_id"))
        for obj in objs:
            if obj.meeting_region_id is None:
                obj.meeting_region_id = (
                    obj.meeting.region_id if Invitation.meeting.is_cached(obj) else regions[obj.meeting_id]
                )
        return super().bulk_create(objs, *args, **kwargs)


class Invitation(ChoiceLabelsMixin, models.Model):
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
    # The meeting's region, copied (kept in step by save() and the meeting's post_save): the
    # meetings an office is invited to outside the user's regions are told from the index alone
    # (Meeting.visible_to), where each of an office's thousands of invitations looked its
    # meeting up, most of them meetings of its own kabupaten, already in the region's part.
    meeting_region = models.ForeignKey(
        Region,
        verbose_name=_("meeting's region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        # NULL only for a row written by the previous version while an upgrade runs (it knows
        # no such column): such an invitation stays in the invitation parts, as before.
        null=True,
    )
    history = HistoricalRecords()

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            # Meeting.visible_to: the meetings an organisation is invited to, from the index alone.
            models.Index(
                fields=["organisation", "meeting"],
                include=["meeting_region"],
                name="invitation_org_meeting_region",
            ),
        ]
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

    def save(self, *args, **kwargs):
        if self.meeting_id is not None:
            self.meeting_region_id = self.meeting.region_id
        super().save(*args, **kwargs)

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


class Attendance(ChoiceLabelsMixin, models.Model):
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
    from_rsvp = models.BooleanField(
        _("filled in from the answer"),
        default=False,
        help_text=_(
            "Not recorded by the secretariat yet: a later answer to the invitation updates this line."
        ),
    )
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


def contacts_of(organisations) -> dict[int, list]:
    """{organisation id: who receives what is sent to it}, as Organisation.contacts, in one query
    for them all (the organisations come with their head)."""
    from portal.models import RoleAssignment
    from portal.roles import Role

    found = {org.pk: [] for org in organisations}
    focal = RoleAssignment.objects.filter(
        role=Role.OPD_FOCAL, organisation__in=list(found), user__is_active=True
    ).select_related("user")
    for assignment in focal.order_by("user__full_name", "user_id"):
        if assignment.user not in found[assignment.organisation_id]:
            found[assignment.organisation_id].append(assignment.user)
    for org in organisations:
        if org.head_id and org.head.is_active and org.head not in found[org.pk]:
            found[org.pk].insert(0, org.head)
    return found
