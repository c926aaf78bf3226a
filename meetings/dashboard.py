"""The meetings card on the portal dashboard: what is coming and what is late."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from portal.dashboard import Cached, cached, next_midnight, watch
from portal.models import Region

from .models import Commitment, Invitation, Meeting, Minutes

# What the card is computed from (visibility: regions, invitations, chairs; region names shown).
DEPENDS_ON = watch(Meeting, Invitation, Commitment, Minutes, Region)


def dashboard_card(user) -> dict | None:
    card = cached(user, "meetings", lambda: _aggregates(user), depends_on=DEPENDS_ON)
    shown = card["upcoming"] or card["awaiting"] or card["open"] or user.has_perm("meetings.view_meeting")
    if not shown and not card["chairs"]:
        return None  # nothing to show to someone with no meetings at all
    return {"template": "meetings/_dashboard_card.html", **card}


def _aggregates(user) -> Cached:
    today = timezone.localdate()
    # The order first: each part of visible_to's union then reads its first three rows only.
    upcoming = list(
        Meeting.objects.upcoming()
        .order_by("start", "pk")
        .visible_to(user, up_to=3)
        .select_related("region")[:3]
    )
    # Open ones only in the WHERE: the partial indexes on open items serve the count.
    counts = (
        Commitment.objects.mine(user)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    awaiting = list(Minutes.objects.awaiting_approval_by(user).select_related("meeting"))
    chairs = bool(upcoming or awaiting or counts["open"]) or (
        Meeting.objects.visible_to(user).filter(chair=user).exists()
    )
    # True until the first of these meetings ends (it leaves the list) or the day turns
    # (overdue counts by date).
    until = min([m.end for m in upcoming] + [next_midnight()])
    return Cached({"upcoming": upcoming, "awaiting": awaiting, "chairs": chairs, **counts}, until=until)
