"""Signed one-tap RSVP links: no password, bound to one invitation and one person, expiring."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
