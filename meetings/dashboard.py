"""The meetings card on the portal dashboard: what is coming and what is late."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .models import Commitment, Meeting, Minutes


def dashboard_card(user) -> dict | None:
    today = timezone.localdate()
    upcoming = Meeting.objects.upcoming().visible_to(user).select_related("region").order_by("start")[:3]
    # Open ones only in the WHERE: the partial indexes on open items serve the count.
    counts = (
        Commitment.objects.mine(user)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    awaiting = list(Minutes.objects.awaiting_approval_by(user).select_related("meeting"))
    shown = upcoming or awaiting or counts["open"] or user.has_perm("meetings.view_meeting")
    if not shown and not Meeting.objects.visible_to(user).filter(chair=user).exists():
        return None  # nothing to show to someone with no meetings at all
    return {
        "template": "meetings/_dashboard_card.html",
        "upcoming": list(upcoming),
        "awaiting": awaiting,
        **counts,
    }
