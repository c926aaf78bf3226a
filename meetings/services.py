"""Workflows spanning models: meeting scheduling, invitations and notices, attendance, minutes.

The commitment (RTL) workflows are in `meetings.commitments.services`."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Collection
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.notifications import notify, notify_each

from .links import rsvp_link
from .models import Attendance, Invitation, Meeting, Minutes, MinutesVersion, contacts_of


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (clamped to the month's last day), in local time."""
    local = timezone.localtime(moment)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    naive = local.replace(tzinfo=None).replace(year=year, month=month, day=day)
    return timezone.make_aware(naive)


def _meeting_context(meeting: Meeting) -> dict:
    return {"meeting_url": settings.SITE_URL + meeting.get_absolute_url()}


# One link per answer in the invitation email.
ANSWERS = ("hadir", "izin", "diwakilkan")


def _answer_context(invitation: Invitation, person) -> dict:
    return {"rsvp_url": rsvp_link(invitation), "rsvp_links": {a: rsvp_link(invitation, a) for a in ANSWERS}}


def recipients_of(invitations) -> list[tuple[Invitation, object]]:
    """(invitation, person) for everyone the invitations reach, in two queries for them all."""
    # Personal invitations first: someone also invited through their office gets their own link.
    invitations = list(
        invitations.select_related("person", "organisation__head").order_by(
            F("organisation_id").asc(nulls_first=True), "pk"
        )
    )
    contacts = contacts_of([i.organisation for i in invitations if i.organisation_id])
    return [
        (invitation, person)
        for invitation in invitations
        for person in ([invitation.person] if invitation.person_id else contacts[invitation.organisation_id])
    ]


def send_invitations(*, meeting: Meeting, invitations=None) -> int:
    """Invite every recipient once (the outbox key makes a second call a no-op).

    The outbox rows are written in a few queries and sent by the worker after the commit, so
    scheduling a meeting with many invitations answers quickly. Returns how many people the
    invitations reach."""
    if meeting.status != Meeting.Status.SCHEDULED:
        return 0
    if invitations is None:
        invitations = meeting.invitations.all()
    elif not hasattr(invitations, "select_related"):
        invitations = Invitation.objects.filter(pk__in=[i.pk for i in invitations])
    base = _meeting_context(meeting)
    rows = notify_each(
        rule="meeting_invitation",
        source=meeting,
        messages=[
            (person, {**base, **_answer_context(invitation, person)})
            for invitation, person in recipients_of(invitations)
        ],
    )
    return len({row.recipient_id for row in rows})


def notify_change(*, meeting: Meeting) -> None:
    """Tell invitees who have not declined that time, place, link or status changed."""
    base = _meeting_context(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        base["cancelled"] = True
    invitations = meeting.invitations.exclude(response=Invitation.Response.IZIN)
    notify_each(
        rule=f"meeting_changed:{meeting.sequence}",
        source=meeting,
        messages=[
            (person, {**base, "rsvp_url": rsvp_link(invitation)})
            for invitation, person in recipients_of(invitations)
        ],
    )


def _require_writer(meeting: Meeting, acting_user) -> None:
    if acting_user is None or not meeting.can_change(acting_user):
        raise PermissionDenied


def allowed_statuses(meeting: Meeting) -> set[str]:
    """Statuses a meeting may be given now (Meeting.TRANSITIONS); a new meeting starts as a draft."""
    current = meeting.status if meeting.pk else Meeting.Status.DRAFT
    if meeting.pk:
        current = Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first() or current
    return Meeting.TRANSITIONS[current]


@transaction.atomic
def save_meeting(
    *, meeting: Meeting, changed: Collection[str], acting_user, save_parts: Callable | None = None
) -> Meeting:
    """Save a new or changed meeting (the portal form and Django admin): the status only along
    Meeting.TRANSITIONS, a schedule change bumps the sequence, and invitees are told.

    `changed` names the fields the user changed; `save_parts(meeting)` saves what belongs to the
    meeting (organisers, agenda, admin inlines) before any message goes out."""
    creating = meeting.pk is None
    if not creating:
        stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not stored.can_change(acting_user):
            raise PermissionDenied
        before = stored.status
    else:
        stored, before = Meeting(), Meeting.Status.DRAFT
    if not meeting.can_change(acting_user):
        raise PermissionDenied
    if not stored.may_name_chair(meeting.chair if meeting.chair_id else None, acting_user):
        raise PermissionDenied("a writer cannot make themselves chair")
    if meeting.status not in Meeting.TRANSITIONS[before]:
        raise ValidationError(
            {"status": _("A %(old)s meeting cannot become %(new)s.")
             % {"old": Meeting.Status(before).label.lower(), "new": meeting.get_status_display().lower()}}
        )  # fmt: skip
    schedule = [name for name in Meeting.SCHEDULE_FIELDS if name in changed]
    if creating:
        meeting.created_by = acting_user
    elif schedule:
        meeting.sequence += 1
    meeting.save()
    if save_parts:
        save_parts(meeting)
    # Each invitation is sent once (outbox key): this reaches only invitees not told yet.
    reached = send_invitations(meeting=meeting)
    just_scheduled = "status" in schedule and meeting.status == Meeting.Status.SCHEDULED
    # Publishing says how many people the invitations reach (meeting_form's message).
    meeting.notified = reached if just_scheduled else None
    if not creating and schedule and not just_scheduled and meeting.status != Meeting.Status.DRAFT:
        notify_change(meeting=meeting)
    return meeting


def renumber_agenda(meeting: Meeting) -> None:
    """1, 2, 3... in the order asked; items without a number go last."""
    items = sorted(meeting.agenda_items.all(), key=lambda item: (item.order or 10_000, item.pk))
    for number, item in enumerate(items, start=1):
        if item.order != number:
            item.order = number
            item.save(update_fields=["order"])


@transaction.atomic
def invite(*, meeting: Meeting, people=(), organisations=(), acting_user) -> list[Invitation]:
    """Invite people and organisations not invited yet; notify them if the meeting is scheduled."""
    _require_writer(meeting, acting_user)
    created = []
    for person in people:
        invitation, new = Invitation.objects.get_or_create(meeting=meeting, person=person, organisation=None)
        if new:
            created.append(invitation)
    for organisation in organisations:
        invitation, new = Invitation.objects.get_or_create(
            meeting=meeting, organisation=organisation, person=None
        )
        if new:
            created.append(invitation)
    send_invitations(meeting=meeting, invitations=created)
    return created


@transaction.atomic
def uninvite(*, invitation: Invitation, acting_user) -> None:
    """Withdraw an invitation (Django admin's inline): only a writer of the meeting may."""
    _require_writer(invitation.meeting, acting_user)
    invitation.delete()


@transaction.atomic
def repeat_meeting(*, meeting: Meeting, acting_user) -> Meeting:
    """The next meeting of a monthly/quarterly series: same agenda template and invitees, as a draft."""
    _require_writer(meeting, acting_user)
    months = 3 if meeting.recurrence == Meeting.Recurrence.QUARTERLY else 1
    organisers = list(meeting.organisers.all())
    agenda = list(meeting.agenda_items.all())
    invitations = list(meeting.invitations.all())
    new = Meeting.objects.create(
        kind=meeting.kind,
        title=meeting.title,
        description=meeting.description,
        region=meeting.region,
        chair=meeting.chair,
        start=add_months(meeting.start, months),
        end=add_months(meeting.end, months),
        mode=meeting.mode,
        venue=meeting.venue,
        online_link=meeting.online_link,
        recurrence=meeting.recurrence,
        previous=meeting,
        status=Meeting.Status.DRAFT,
        created_by=acting_user,
    )
    new.organisers.set(organisers)
    for item in agenda:
        new.agenda_items.create(
            order=item.order, title=item.title, presenter=item.presenter, minutes_planned=item.minutes_planned
        )
    for invitation in invitations:
        new.invitations.create(person=invitation.person, organisation=invitation.organisation)
    return new


def unlisted_invitees(meeting: Meeting) -> list[dict]:
    """The expected people (Meeting.invitee_rows) who have no daftar hadir line yet."""
    listed = set(meeting.attendances.exclude(person=None).values_list("person_id", flat=True))
    listed_invitations = set(
        meeting.attendances.exclude(invitation=None).values_list("invitation_id", flat=True)
    )
    return [
        row
        for row in meeting.invitee_rows()
        if (
            row["person"].pk not in listed
            if row["person"]
            else row["invitation"].pk not in listed_invitations
        )
    ]


# What an answer to the invitation means for the daftar hadir (no answer: absent until they come).
STATUS_FROM_ANSWER = {
    Invitation.Response.HADIR: Attendance.Status.HADIR,
    Invitation.Response.IZIN: Attendance.Status.IZIN,
    Invitation.Response.DIWAKILKAN: Attendance.Status.DIWAKILKAN,
}


def invitee_key(row: dict) -> str:
    """Names an expected person on the attendance page: `p<person>`, or `i<invitation>` for an
    organisation with nobody in the portal."""
    return f"p{row['person'].pk}" if row["person"] else f"i{row['invitation'].pk}"


def _fill_from_answer(line: Attendance, invitation: Invitation) -> None:
    line.status = STATUS_FROM_ANSWER.get(invitation.response, Attendance.Status.TIDAK_HADIR)
    represented = line.status == Attendance.Status.DIWAKILKAN
    line.delegate_name = invitation.delegate_name if represented else ""


def expected_attendance(meeting: Meeting) -> list[Attendance]:
    """Unsaved daftar hadir lines for the expected people not listed yet, filled in from their
    answers. Writes nothing: the attendance page shows them on GET and saves them on POST."""
    rows = unlisted_invitees(meeting)
    linked = set(
        Attendance.objects.filter(invitation__in=[row["invitation"] for row in rows]).values_list(
            "invitation_id", flat=True
        )
    )
    lines = []
    for row in rows:
        invitation = row["invitation"]
        line = Attendance(
            meeting=meeting,
            # One line holds the invitation (an organisation's contacts share one).
            invitation=None if invitation.pk in linked else invitation,
            person=row["person"],
            name=row["name"] or row["instansi"],
            jabatan=row["jabatan"],
            instansi=row["instansi"],
            from_rsvp=True,
        )
        linked.add(invitation.pk)
        _fill_from_answer(line, invitation)
        line.invitee_key = invitee_key(row)
        lines.append(line)
    return lines


@transaction.atomic
def prepare_attendance(*, meeting: Meeting, acting_user) -> int:
    """Save one daftar hadir line per expected person not listed yet, filled in from their answer
    (and updated by later answers until the secretariat records it). For meeting writers only."""
    _require_writer(meeting, acting_user)
    _lock_attendance(meeting)
    lines = expected_attendance(meeting)
    for line in lines:
        line.save()
    return len(lines)


@transaction.atomic
def record_attendance(*, meeting: Meeting, formset, acting_user) -> None:
    """Save the secretariat's daftar hadir (a valid formset of AttendanceForm): changed lines are
    recorded (a later answer no longer changes them), removed lines deleted, walk-ins added; an
    expected person the table did not change is saved as filled in from their answer."""
    _require_writer(meeting, acting_user)
    _lock_attendance(meeting)
    expected = {line.invitee_key: line for line in expected_attendance(meeting)}
    deleted = set(map(id, formset.deleted_forms)) if formset.can_delete else set()
    for form in formset.forms:
        if id(form) in deleted:
            if form.instance.pk and form.instance.meeting_id == meeting.pk:
                form.instance.delete()
            continue
        if not form.has_changed():
            continue
        line = form.save(commit=False)
        key = form.cleaned_data.get("invitee")
        if not line.pk and key:
            if key not in expected:
                continue  # listed meanwhile (a check-in): that line stands
            line.person, line.invitation = expected[key].person, expected[key].invitation
        line.meeting = meeting
        line.from_rsvp = False
        line.save()
    for line in expected_attendance(meeting):
        line.save()


def _refresh_attendance(invitation: Invitation) -> None:
    """A later answer updates the daftar hadir lines it filled in that nobody recorded yet."""
    meeting = invitation.meeting
    rows = [row for row in meeting.invitee_rows() if row["invitation"].pk == invitation.pk]
    people = [row["person"].pk for row in rows if row["person"]]
    lines = meeting.attendances.filter(
        Q(person_id__in=people) | Q(person=None, invitation=invitation), from_rsvp=True
    )
    for line in lines:
        _fill_from_answer(line, invitation)
        line.save()


@transaction.atomic
def respond(
    *,
    invitation: Invitation,
    response: str,
    delegate_name: str = "",
    delegate_position: str = "",
    acting_user,
) -> Invitation:
    """The invitee answers (in the portal, or through their one-tap link as the link's person),
    on a meeting they can see; or a writer of the meeting records an answer given to the
    secretariat (Django admin's invitation inline)."""
    meeting = invitation.meeting
    invitee = (
        acting_user is not None
        and invitation.is_for(acting_user)
        and Meeting.objects.visible_to(acting_user).filter(pk=meeting.pk).exists()
    )
    if not invitee and not (acting_user is not None and meeting.can_change(acting_user)):
        raise PermissionDenied
    invitation.response = response
    represented = response == Invitation.Response.DIWAKILKAN
    invitation.delegate_name = delegate_name if represented else ""
    invitation.delegate_position = delegate_position if represented else ""
    invitation.responded_at = timezone.now()
    invitation.responded_by = acting_user
    invitation.save()
    _refresh_attendance(invitation)
    return invitation


@transaction.atomic
def save_attendance_lines(*, meeting: Meeting, rows=(), deleted=(), acting_user) -> None:
    """Save daftar hadir lines as the secretariat corrected them (Django admin's inline): only a
    writer of the meeting, under the same lock as check-ins. Recorded lines no longer follow
    later answers."""
    _require_writer(meeting, acting_user)
    _lock_attendance(meeting)
    for row in deleted:
        row.delete()
    for row in rows:
        row.meeting = meeting
        row.from_rsvp = False
        row.save()


def _lock_attendance(meeting: Meeting) -> None:
    """Serialise writers of one meeting's daftar hadir: two check-ins of the same person (a form
    sent twice, parallel walk-ins) would otherwise both insert and one would hit the unique
    constraint (a 500). Under the lock the second sees the first's line and updates it."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()


@transaction.atomic
def check_in(*, meeting: Meeting, acting_user, person=None) -> Attendance:
    """Mark `person` present; idempotent. By default the acting user checks themselves in (an
    invitee or a logged-in walk-in), on a meeting they can see while check-in is open; a meeting
    writer may check anyone in at any time."""
    person = person or acting_user
    if acting_user is None:
        raise PermissionDenied
    if person.pk != acting_user.pk:
        _require_writer(meeting, acting_user)
    elif not (
        Meeting.objects.visible_to(acting_user).filter(pk=meeting.pk).exists() and meeting.checkin_open()
    ):
        raise PermissionDenied
    _lock_attendance(meeting)
    invitation = meeting.invitation_for(person)
    attendance = meeting.attendances.filter(person=person).first()
    if attendance is None:
        attendance = Attendance(meeting=meeting, person=person)
        if invitation and not Attendance.objects.filter(invitation=invitation).exists():
            attendance.invitation = invitation
    attendance.name = person.get_full_name()
    attendance.jabatan = person.jabatan
    attendance.instansi = (
        invitation.organisation.name
        if invitation and invitation.organisation_id
        else (person.organisation.name if person.organisation_id else "")
    )
    attendance.status = Attendance.Status.HADIR
    attendance.checked_in_at = attendance.checked_in_at or timezone.now()
    attendance.from_rsvp = False
    attendance.save()
    return attendance


def check_minutes_length(data: dict) -> None:
    """Minutes are at most MINUTES_MAX_LENGTH characters in all (summary, discussions,
    decisions): longer texts belong in an attached document, and the notulen PDF of the
    longest minutes is still made well within the web server's timeout (`make bench`)."""
    length = len(data["summary"]) + len(data["decisions"]) + sum(map(len, data["discussions"].values()))
    if length > settings.MINUTES_MAX_LENGTH:
        raise ValidationError(
            _(
                "The minutes are too long (%(length)s characters); at most %(limit)s. "
                "Shorten them and upload long reports as a document of the meeting."
            )
            % {"length": length, "limit": settings.MINUTES_MAX_LENGTH},
            code="too_long",
        )


def _write_minutes(minutes: Minutes, data: dict) -> None:
    check_minutes_length(data)
    minutes.summary = data["summary"]
    minutes.decisions = data["decisions"]
    minutes.discussions = data["discussions"]
    minutes.save()


@transaction.atomic
def save_minutes(*, minutes: Minutes, data: dict, acting_user) -> MinutesVersion:
    """Save a draft; approved minutes change only through amend_minutes."""
    _require_writer(minutes.meeting, acting_user)
    if minutes.is_locked:
        raise ValueError("approved minutes change only by amendment")
    _write_minutes(minutes, data)
    version = minutes.snapshot(kind=MinutesVersion.Kind.DRAFT, author=acting_user)
    meeting = minutes.meeting
    if meeting.chair_id and meeting.chair_id != acting_user.pk and meeting.start <= timezone.now():
        # Once per minutes (the outbox key): the chair learns they wait for approval.
        notify(
            rule="minutes_awaiting_approval",
            recipients=[meeting.chair],
            source=minutes,
            context={"url": minutes.get_absolute_url()},
        )
    return version


@transaction.atomic
def amend_minutes(*, minutes: Minutes, data: dict, reason: str, acting_user) -> MinutesVersion:
    """A recorded change to approved minutes: who, when and why, kept as a new version."""
    _require_writer(minutes.meeting, acting_user)
    if not minutes.is_locked:
        raise ValueError("draft minutes are simply saved")
    if not reason.strip():
        raise ValueError("an amendment needs a reason")
    _write_minutes(minutes, data)
    return minutes.snapshot(kind=MinutesVersion.Kind.AMENDMENT, author=acting_user, reason=reason)


@transaction.atomic
def approve_minutes(*, minutes: Minutes, acting_user) -> Minutes:
    """The chair approves, once the meeting has been held: the minutes lock, the meeting moves
    on, attendees get the link."""
    if not minutes.meeting.can_approve_minutes(acting_user) or minutes.is_locked:
        raise PermissionDenied("only the chair approves draft minutes, after the meeting was held")
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_by = acting_user
    minutes.approved_at = timezone.now()
    minutes.save()
    minutes.snapshot(kind=MinutesVersion.Kind.APPROVAL, author=acting_user)
    meeting = minutes.meeting
    meeting.status = Meeting.Status.MINUTES_APPROVED
    meeting.save(update_fields=["status"])
    url = settings.SITE_URL + minutes.get_absolute_url()
    notify(
        rule="minutes_approved", recipients=attendees(meeting), source=meeting, context={"minutes_url": url}
    )
    return minutes


def attendees(meeting: Meeting) -> list:
    """Who was there (present or represented), else everyone who had not declined."""
    present = [
        a.person
        for a in meeting.attendances.filter(
            ~Q(person=None), status__in=[Attendance.Status.HADIR, Attendance.Status.DIWAKILKAN]
        ).select_related("person")
    ]
    if present:
        return present
    people = []
    for invitation in meeting.invitations.exclude(response=Invitation.Response.IZIN):
        people.extend(invitation.recipients())
    return people
