"""The meetings' one-tap links (RSVP, commitment progress), on the core's token scheme
(`portal.tokens`): no password, bound to one object and one person, expiring.

Messages store `rsvp_link(...)` / `progress_link(...)` markers; the outbox turns them into the
recipient's own URL when it sends the message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.tokens import (
    ExpiredToken,
    InvalidToken,
    OneTapAction,
    OneTapTokenGenerator,
    default_token_generator,
    one_tap_link,
    one_tap_url,
    register,
)

from .models import Invitation

RSVP_ACTION = "meetings.rsvp"
PROGRESS_ACTION = "meetings.commitment-progress"

register(
    OneTapAction(
        name=RSVP_ACTION,
        model="meetings.Invitation",
        max_age=timedelta(days=30),  # a month covers any invitation period
        path=lambda invitation, token: reverse("meetings:rsvp-link", args=[invitation.meeting_id, token]),
    )
)
register(
    OneTapAction(
        name=PROGRESS_ACTION,
        model="meetings.Commitment",
        max_age=timedelta(days=14),
        path=lambda commitment, token: reverse(
            "meetings:commitment-quick-update", args=[commitment.pk, token]
        ),
    )
)


def rsvp_token(
    invitation: Invitation, person, generator: OneTapTokenGenerator = default_token_generator
) -> str:
    return generator.make_token(user=person, action=RSVP_ACTION, obj=invitation)


def rsvp_url(invitation: Invitation, person) -> str:
    return one_tap_url(user=person, action=RSVP_ACTION, obj=invitation)


def rsvp_link(invitation: Invitation, answer: str = "") -> dict:
    """Marker for a message's context (see portal.tokens.one_tap_link)."""
    return one_tap_link(RSVP_ACTION, invitation, query=f"answer={answer}" if answer else "")


@dataclass
class RsvpLinkError(Exception):
    message: str


def read_rsvp_token(token: str, meeting_id: int, request_user=None) -> tuple[Invitation, object]:
    """The invitation and person the link was made for, or RsvpLinkError saying why not."""
    try:
        person, invitation = default_token_generator.check_token(token, action=RSVP_ACTION)
    except ExpiredToken:
        raise RsvpLinkError(
            _("This answer link has expired. Please log in to answer the invitation.")
        ) from None
    except InvalidToken:
        raise RsvpLinkError(
            _("This answer link is not valid. It may have been copied incompletely.")
        ) from None
    if invitation.meeting_id != meeting_id:
        raise RsvpLinkError(_("This answer link belongs to another meeting."))
    if not invitation.is_for(person):
        raise RsvpLinkError(_("This answer link was made for someone who is no longer invited."))
    if request_user is not None and request_user.is_authenticated and request_user.pk != person.pk:
        raise RsvpLinkError(_("This answer link was made for another person. Please log in as yourself."))
    return invitation, person


def progress_token(commitment, person, generator: OneTapTokenGenerator = default_token_generator) -> str:
    return generator.make_token(user=person, action=PROGRESS_ACTION, obj=commitment)


def progress_url(commitment, person) -> str:
    return one_tap_url(user=person, action=PROGRESS_ACTION, obj=commitment)


def progress_link(commitment) -> dict:
    """Marker for a message's context (see portal.tokens.one_tap_link)."""
    return one_tap_link(PROGRESS_ACTION, commitment)


@dataclass
class ProgressLinkError(Exception):
    message: str
    status: int = 400


def read_progress_token(token: str, commitment_id: int, request_user=None):
    """(commitment, person) the link was made for, if that person may still report on it;
    ProgressLinkError saying why not otherwise."""
    from .models import Commitment

    try:
        person, obj = default_token_generator.check_token(token, action=PROGRESS_ACTION)
    except ExpiredToken:
        raise ProgressLinkError(
            _("This update link has expired. Please log in to report progress on the commitment.")
        ) from None
    except InvalidToken:
        raise ProgressLinkError(
            _("This update link is not valid. It may have been copied incompletely. Please log in instead.")
        ) from None
    if obj.pk != commitment_id:
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
