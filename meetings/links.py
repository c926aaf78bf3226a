"""Signed one-tap links in emails (RSVP, commitment progress): no password, bound to one
object and one person, expiring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.notifications.tokens import one_tap_token, read_one_tap_token

from .models import Invitation

RSVP_SALT = "meetings.rsvp"
DEFAULT_MAX_AGE = 60 * 60 * 24 * 30  # seconds: a month covers any invitation period


def rsvp_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=RSVP_SALT)


def rsvp_token(invitation: Invitation, person, signer: signing.TimestampSigner | None = None) -> str:
    payload = {"m": invitation.meeting_id, "i": invitation.pk, "u": person.pk}
    return (signer or rsvp_signer()).sign_object(payload)


def rsvp_url(invitation: Invitation, person) -> str:
    token = rsvp_token(invitation, person)
    return settings.SITE_URL + reverse("meetings:rsvp-link", args=[invitation.meeting_id, token])


@dataclass
class RsvpLinkError(Exception):
    message: str


def read_rsvp_token(token: str, meeting_id: int, request_user=None) -> tuple[Invitation, object]:
    """The invitation and person the link was made for, or RsvpLinkError saying why not."""
    max_age = getattr(settings, "RSVP_LINK_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        payload = rsvp_signer().unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise RsvpLinkError(
            _("This answer link has expired. Please log in to answer the invitation.")
        ) from None
    except (signing.BadSignature, ValueError):
        raise RsvpLinkError(
            _("This answer link is not valid. It may have been copied incompletely.")
        ) from None
    if payload.get("m") != meeting_id:
        raise RsvpLinkError(_("This answer link belongs to another meeting."))
    invitation = (
        Invitation.objects.select_related("meeting", "person", "organisation")
        .filter(pk=payload.get("i"), meeting_id=meeting_id)
        .first()
    )
    from portal.models import User

    person = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if invitation is None or person is None or not invitation.is_for(person):
        raise RsvpLinkError(_("This answer link was made for someone who is no longer invited."))
    if request_user is not None and request_user.is_authenticated and request_user.pk != person.pk:
        raise RsvpLinkError(_("This answer link was made for another person. Please log in as yourself."))
    return invitation, person


# One-tap progress links in commitment reminders: the signed token names one person and one
# commitment; the page it opens records progress for that person only and logs nobody in.
PROGRESS_ACTION = "commitment-progress"
PROGRESS_MAX_AGE = timedelta(days=14)


def progress_url(commitment, person) -> str:
    token = one_tap_token(user=person, action=PROGRESS_ACTION, obj=commitment)
    return settings.SITE_URL + reverse("meetings:commitment-quick-update", args=[commitment.pk, token])


@dataclass
class ProgressLinkError(Exception):
    message: str
    status: int = 400


def read_progress_token(token: str, commitment_id: int, request_user=None):
    """(commitment, person) the link was made for, if that person may still report on it;
    ProgressLinkError saying why not otherwise."""
    from .models import Commitment

    try:
        person, obj = read_one_tap_token(token, action=PROGRESS_ACTION, max_age=PROGRESS_MAX_AGE)
    except signing.SignatureExpired:
        raise ProgressLinkError(
            _("This update link has expired. Please log in to report progress on the commitment.")
        ) from None
    except (signing.BadSignature, ValueError, KeyError, TypeError, LookupError):
        raise ProgressLinkError(
            _("This update link is not valid. It may have been copied incompletely. Please log in instead.")
        ) from None
    if not isinstance(obj, Commitment) or obj.pk != commitment_id:
        raise ProgressLinkError(_("This update link belongs to another commitment. Please log in instead."))
    if request_user is not None and request_user.is_authenticated and request_user.pk != person.pk:
        raise ProgressLinkError(
            _("This update link was made for another person. Please log in as yourself."), status=403
        )
    commitment = (
        Commitment.objects.visible_to(person)
        .select_related("meeting__region", "owner__region", "pic")
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None or not commitment.can_change(person):
        raise ProgressLinkError(
            _("You may no longer report progress on this commitment. Please contact the TPPS secretariat."),
            status=403,
        )
    return commitment, person
