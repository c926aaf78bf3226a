"""The one way views fetch a meeting: 404 outside the user's scope, 403 without write rights."""

from __future__ import annotations

from portal.access import get_for_user

from .models import Meeting


def get_meeting_for_user(user, pk: int, *, write: bool = False) -> Meeting:
    return get_for_user(Meeting.objects.select_related("region", "chair"), user, write=write, pk=pk)
