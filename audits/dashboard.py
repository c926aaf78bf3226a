"""The audits card of the portal dashboard: the latest rounds and their stage."""

from __future__ import annotations

from portal.dashboard import Cached, cached, watch
from portal.models import Organisation, Region

from .models import AuditRound, AuditTeamMember, Recommendation

# What the card is computed from (visibility: team members, owners; kabupaten names shown).
DEPENDS_ON = watch(AuditRound, AuditTeamMember, Recommendation, Organisation, Region)


def dashboard_card(user) -> dict | None:
    card = cached(user, "audits", lambda: _aggregates(user), depends_on=DEPENDS_ON)
    if not card["rounds"]:
        return None
    return {"template": "audits/_dashboard_card.html", **card}


def _aggregates(user) -> Cached:
    rounds = list(AuditRound.objects.visible_to(user).select_related("kabupaten")[:3])
    recommendations = Recommendation.objects.visible_to(user).count() if rounds else 0
    return Cached({"rounds": rounds, "recommendations": recommendations})
