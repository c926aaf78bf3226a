"""Commitment (RTL) workflows. Each takes the acting user, checks their right, runs in one
transaction and writes a CommitmentUpdate history row (who, when, status before and after).

They are the only writers of commitments: the portal pages, the admin form, the meeting inline,
the admin bulk actions and the import rows all call them, so every path has the same row lock,
transitions, reasons and notices.

The audits app may call `meetings.services.create_commitment` to adopt a recommendation as
an RTL (meetings/services.py re-exports these functions); this module never imports audits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal import history
from portal.models import Notification, Organisation
from portal.notifications import notify
from portal.uploads import accept_uploads, safe_name

from ..links import progress_link
from ..models import Meeting
from .models import Commitment, CommitmentUpdate, Evidence


def _locked(commitment: Commitment) -> Commitment:
    # Re-read under a row lock (of the commitment only) so two people closing the same RTL
    # cannot interleave.
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("meeting__region", "owner__region")
        .get(pk=commitment.pk)
    )


def _record(
    commitment: Commitment,
    *,
    acting_user,
    note: str,
    status: str | None = None,
    percent: int | None = None,
    files: Iterable[UploadedFile] = (),
    submission_key: str = "",
) -> CommitmentUpdate:
    status_from = commitment.status
    if status:
        commitment.status = status
    if percent is not None:
        commitment.progress = percent
    commitment.save()
    update = CommitmentUpdate.objects.create(
        commitment=commitment,
        author=acting_user,
        note=note,
        percent=percent,
        status_from=status_from,
        status_to=commitment.status if commitment.status != status_from else "",
        submission_key=submission_key,
    )
    for upload, content_type in accept_uploads(files):
        evidence = Evidence(
            update=update,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
        )
        evidence.file.save(safe_name(upload.name, content_type, "evidence"), upload, save=True)
    return update


def _tell(
    rule: str, commitment: Commitment, update: CommitmentUpdate, recipients, *, one_tap: bool = False
) -> None:
    # One message per event (the update's id), so a second done/reopen cycle is told again.
    people = [person for person in recipients if person.pk != update.author_id]
    context = {
        "link": settings.SITE_URL + commitment.get_absolute_url(),
        "note": update.note,
        "author": str(update.author) if update.author else "",
    }
    if not one_tap:
        notify(rule=f"{rule}:{update.pk}", recipients=people, source=commitment, context=context)
        return
    # Each email carries the recipient's own one-tap progress link (made when it is sent); the
    # in-app row (whose text may be shared to a WhatsApp group) does not.
    notify(
        rule=f"{rule}:{update.pk}",
        recipients=people,
        source=commitment,
        context=context,
        channels=(Notification.Channel.INAPP,),
    )
    notify(
        rule=f"{rule}:{update.pk}",
        recipients=people,
        source=commitment,
        context={**context, "one_tap_url": progress_link(commitment)},
        channels=(Notification.Channel.EMAIL,),
    )


@transaction.atomic
def create_commitment(
    *,
    meeting: Meeting,
    description: str,
    owner: Organisation,
    due_date: date,
    acting_user,
    pic=None,
    intervention_type: str = Commitment.InterventionType.NONE,
    status: str = Commitment.Status.OPEN,
    note: str = "",
) -> Commitment:
    """Record a new RTL of a meeting (admin form, meeting inline, import, and audits adopting a
    recommendation). A new commitment is open or in progress."""
    if not acting_user.has_perm("meetings.add_commitment") or not (
        Commitment.meeting_choices(acting_user).filter(pk=meeting.pk).exists()
    ):
        raise PermissionDenied
    if status not in Commitment.OPEN_STATUSES:
        raise ValidationError({"status": _("A new commitment is open or in progress.")})
    commitment = Commitment(
        meeting=meeting,
        description=description,
        owner=owner,
        pic=pic,
        due_date=due_date,
        intervention_type=intervention_type,
        status=status,
        created_by=acting_user,
    )
    commitment.full_clean()
    commitment.save()
    CommitmentUpdate.objects.create(
        commitment=commitment,
        author=acting_user,
        note=note or _("Commitment recorded."),
        status_to=commitment.status,
    )
    return commitment


def check_new_commitments(*, commitments: list[Commitment], acting_user) -> None:
    """The rights and checks of `create_commitment` for each of many new RTLs, in one query per
    kind of reference; `create_commitments` runs them, and an import's preview runs them alone
    (nothing to write)."""
    meetings = {c.meeting_id for c in commitments}
    allowed = set(
        Commitment.meeting_choices(acting_user).filter(pk__in=meetings).values_list("pk", flat=True)
    )
    if not acting_user.has_perm("meetings.add_commitment") or not meetings <= allowed:
        raise PermissionDenied
    # References found here in one query each are not looked up again per commitment by
    # full_clean; any other (blank or unknown) is checked by full_clean as usual.
    known = {
        "meeting": allowed,
        "owner": set(
            Organisation.objects.filter(pk__in={c.owner_id for c in commitments}).values_list("pk", flat=True)
        ),
        "pic": set(
            get_user_model()
            .objects.filter(pk__in={c.pic_id for c in commitments if c.pic_id})
            .values_list("pk", flat=True)
        ),
        "created_by": {acting_user.pk},
    }
    for commitment in commitments:
        if commitment.status not in Commitment.OPEN_STATUSES:
            raise ValidationError({"status": _("A new commitment is open or in progress.")})
        commitment.created_by = acting_user
        exclude = {name for name, pks in known.items() if getattr(commitment, f"{name}_id") in pks}
        if not _cleaned_already(commitment, exclude):
            commitment.full_clean(exclude=exclude)


def clean_new_commitment(commitment: Commitment, *, exclude: Iterable[str] = ()) -> None:
    """`full_clean` of a commitment about to be created, remembered: `check_new_commitments`
    does not repeat it while the commitment keeps these values (an import cleans each row as
    it reads it, to report the row's errors, then creates the rows in bulk)."""
    exclude = set(exclude)
    commitment.full_clean(exclude=exclude)
    commitment._cleaned = (exclude, _values(commitment))


def _cleaned_already(commitment: Commitment, exclude: set[str]) -> bool:
    # A clean that skipped no more fields than this one would, of the same values.
    cleaned = getattr(commitment, "_cleaned", None)
    return cleaned is not None and cleaned[0] <= exclude and cleaned[1] == _values(commitment)


def _values(commitment: Commitment) -> tuple:
    return tuple(getattr(commitment, field.attname) for field in Commitment._meta.concrete_fields)


@transaction.atomic
def create_commitments(*, commitments: list[Commitment], acting_user, note: str = "") -> list[Commitment]:
    """Record many new RTLs at once (an import): the rights and checks of `create_commitment`
    for every one, then three inserts in bulk (the commitments, their simple_history rows copied
    from them by the database, their first updates) instead of a round of queries per commitment."""
    commitments = list(commitments)
    if not commitments:
        return []
    check_new_commitments(commitments=commitments, acting_user=acting_user)
    created = Commitment.objects.bulk_create(commitments)
    history.record_created(Commitment, [commitment.pk for commitment in created], user=acting_user)
    CommitmentUpdate.objects.bulk_create(
        [
            CommitmentUpdate(
                commitment=commitment,
                author=acting_user,
                note=note or _("Commitment recorded."),
                status_to=commitment.status,
            )
            for commitment in created
        ]
    )
    return created


@transaction.atomic
def post_update(
    *,
    commitment: Commitment,
    acting_user,
    note: str,
    percent: int | None = None,
    files: Iterable[UploadedFile] = (),
    submission_key: str = "",
) -> CommitmentUpdate:
    """A progress report. The first one moves an open commitment to in progress.
    `submission_key` (the form's nonce) makes a double submit record it once."""
    commitment = _locked(commitment)
    if earlier := _submitted(commitment, submission_key):
        return earlier
    if not commitment.can_change(acting_user):
        raise PermissionDenied
    if not commitment.is_open:
        raise ValidationError(_("This commitment is closed; reopen it before reporting progress."))
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError(_("Progress is a percentage between 0 and 100."))
    return _record(
        commitment,
        acting_user=acting_user,
        note=note,
        status=Commitment.Status.IN_PROGRESS,
        percent=percent,
        files=files,
        submission_key=submission_key,
    )


def _submitted(commitment: Commitment, submission_key: str) -> CommitmentUpdate | None:
    """The update an earlier submit of the same form recorded (read under the row lock, so
    two submits at once record one update)."""
    if not submission_key:
        return None
    return commitment.updates.filter(submission_key=submission_key).first()


@transaction.atomic
def mark_done(
    *,
    commitment: Commitment,
    acting_user,
    note: str,
    files: Iterable[UploadedFile] = (),
    submission_key: str = "",
) -> CommitmentUpdate:
    """The owner closes the RTL; evidence is required (attached now or earlier)."""
    files = list(files)
    commitment = _locked(commitment)
    if earlier := _submitted(commitment, submission_key):
        return earlier
    if not commitment.can_mark_done(acting_user):
        raise PermissionDenied
    commitment.check_transition(Commitment.Status.DONE, with_evidence=bool(files))
    update = _record(
        commitment,
        acting_user=acting_user,
        note=note,
        status=Commitment.Status.DONE,
        percent=100,
        files=files,
        submission_key=submission_key,
    )
    _tell("commitment_done", commitment, update, commitment.secretariat())
    return update


@transaction.atomic
def verify(*, commitment: Commitment, acting_user, note: str = "") -> CommitmentUpdate:
    """The secretariat confirms a done commitment against its evidence."""
    commitment = _locked(commitment)
    if not commitment.can_verify(acting_user):
        raise PermissionDenied
    if commitment.status != Commitment.Status.DONE:
        raise ValidationError(_("Only a commitment marked done can be verified."))
    return _record(
        commitment,
        acting_user=acting_user,
        note=note or _("Verified."),
        status=Commitment.Status.VERIFIED,
    )


@transaction.atomic
def reopen(*, commitment: Commitment, acting_user, reason: str) -> CommitmentUpdate:
    """The secretariat sends a done (or verified, or cancelled) commitment back, saying why."""
    commitment = _locked(commitment)
    if not commitment.can_verify(acting_user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Say why the commitment is reopened."))
    target = (
        Commitment.Status.OPEN
        if commitment.status == Commitment.Status.CANCELLED
        else Commitment.Status.IN_PROGRESS
    )
    if commitment.is_open:
        raise ValidationError(_("This commitment is still open."))
    commitment.check_transition(target)
    update = _record(commitment, acting_user=acting_user, note=reason.strip(), status=target)
    _tell("commitment_reopened", commitment, update, commitment.focal_points(), one_tap=True)
    return update


# What the secretariat may edit on a commitment besides its status.
EDITABLE_FIELDS = ("meeting", "description", "intervention_type", "owner", "pic", "due_date")


def _reopens(commitment: Commitment, status: str) -> bool:
    return not commitment.is_open and status in Commitment.OPEN_STATUSES


def _apply_status(commitment: Commitment, status: str, *, acting_user, note: str, reason: str):
    """A status change by the secretariat with the portal's rules: the allowed transitions,
    evidence before done, a reason (and the owner told) to reopen, the secretariat told of done."""
    commitment.check_transition(status)
    if _reopens(commitment, status):
        if not reason.strip():
            raise ValidationError(
                _("Say why the commitment is reopened (reopening from %(status)s needs a reason).")
                % {"status": commitment.get_status_display().lower()},
                code="reason",
            )
        update = _record(commitment, acting_user=acting_user, note=reason.strip(), status=status)
        _tell("commitment_reopened", commitment, update, commitment.focal_points(), one_tap=True)
        return update
    percent = 100 if status == Commitment.Status.DONE else None
    update = _record(commitment, acting_user=acting_user, note=note, status=status, percent=percent)
    if status == Commitment.Status.DONE:
        _tell("commitment_done", commitment, update, commitment.secretariat())
    return update


@transaction.atomic
def change_status(
    *, commitment: Commitment, status: str, acting_user, note: str, reason: str = ""
) -> CommitmentUpdate | None:
    """A status change by the secretariat (admin bulk actions); None when nothing changes.
    Reopening a closed commitment needs a reason, as on the portal."""
    commitment = _locked(commitment)
    if not commitment.can_verify(acting_user):
        raise PermissionDenied
    if commitment.status == status:
        return None
    return _apply_status(commitment, status, acting_user=acting_user, note=note, reason=reason)


@transaction.atomic
def edit_commitment(
    *, commitment: Commitment, changes: dict, acting_user, note: str, status: str = "", reason: str = ""
) -> CommitmentUpdate | None:
    """The secretariat edits a commitment (admin form, meeting inline, import): the fields in
    EDITABLE_FIELDS, and the status through change_status's rules. One history row; None when
    nothing changed."""
    commitment = _locked(commitment)
    if not commitment.can_verify(acting_user):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = {name for name, value in changes.items() if getattr(commitment, name) != value}
    if "meeting" in changed and not (
        Commitment.meeting_choices(acting_user).filter(pk=changes["meeting"].pk).exists()
    ):
        raise PermissionDenied
    for name in changed:
        setattr(commitment, name, changes[name])
    commitment.full_clean(exclude=["status", "progress"])
    if status and status != commitment.status:
        return _apply_status(commitment, status, acting_user=acting_user, note=note, reason=reason)
    if not changed:
        return None
    return _record(commitment, acting_user=acting_user, note=note)


def follow_region(*, meeting: Meeting | None = None, organisation: Organisation | None = None) -> int:
    """Keep the region copies the visibility rule reads (Commitment.meeting_region and
    owner_region) in step when a meeting or an organisation moves to another region. Every
    other write sets them in Commitment.save. Returns how many commitments moved."""
    if meeting is not None:
        rows = Commitment.objects.filter(meeting=meeting).exclude(meeting_region_id=meeting.region_id)
        return rows.update(meeting_region_id=meeting.region_id)
    if organisation is not None:
        rows = Commitment.objects.filter(owner=organisation).exclude(owner_region_id=organisation.region_id)
        return rows.update(owner_region_id=organisation.region_id)
    return 0
