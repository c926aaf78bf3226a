"""The audits card of the portal dashboard: the latest rounds and their stage."""

from __future__ import annotations

from .models import AuditRound, Recommendation


def dashboard_card(user) -> dict | None:
    rounds = list(AuditRound.objects.visible_to(user).select_related("kabupaten")[:3])
    if not rounds:
        return None
    return {
        "template": "audits/_dashboard_card.html",
        "rounds": rounds,
        "recommendations": Recommendation.objects.visible_to(user).count(),
    }
