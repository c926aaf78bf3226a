"""Fills the meetings hook: a commitment adopted from a recommendation links back to it."""

from __future__ import annotations

from django.utils.translation import gettext as _


def commitment_origins(commitment) -> list[tuple[str, str]]:
    from .models import RecommendationCommitment

    adoptions = RecommendationCommitment.objects.filter(commitment=commitment).select_related(
        "recommendation__round__kabupaten", "recommendation__case"
    )
    return [
        (
            _("Recommendation of %(round)s (%(source)s)")
            % {"round": a.recommendation.round, "source": a.recommendation.source_label},
            a.recommendation.get_absolute_url(),
        )
        for a in adoptions
    ]


def register() -> None:
    from meetings.commitments import sources

    sources.register(commitment_origins)
