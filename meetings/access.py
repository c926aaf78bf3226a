"""The one way views fetch a meeting: 404 outside the user's scope, 403 without write rights."""

from __future__ import annotations

from portal.access import get_for_user

from .models import Meeting


def get_meeting_for_user(user, pk: int, *, write: bool = False) -> Meeting:
    # The key first: visible_to then checks that one meeting in each part of its union, not
    # every meeting the user may see.
    meetings = Meeting.objects.select_related("region", "chair").filter(pk=pk)
    return get_for_user(meetings, user, write=write, pk=pk)
