"""The one way views fetch audit objects: 404 outside the user's scope, 403 without the right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import AuditCase, AuditRound, AuditTeamMember, Recommendation


def get_round_for_user(user, pk: int, *, manage: bool = False) -> AuditRound:
    audit_round = get_object_or_404(AuditRound.objects.visible_to(user).select_related("kabupaten"), pk=pk)
    if manage and not audit_round.can_manage(user):
        raise PermissionDenied
    return audit_round


def get_case_for_user(
    user, pk: int, *, fill: bool = False, review: bool = False, evaluate: bool = False
) -> AuditCase:
    """Cases exist only for the round's team and the kabupaten's DPPKB admins (others: 404)."""
    case = get_object_or_404(
        AuditCase.objects.visible_to(user)
        .select_related("round__kabupaten", "desa__parent", "puskesmas")
        .prefetch_related("filled_by", "reviewed_by"),
        pk=pk,
    )
    if (
        (fill and not case.round.can_fill_cases(user))
        or (review and not case.round.can_review(user))
        or (evaluate and not case.round.can_evaluate(user))
    ):
        raise PermissionDenied
    return case


def get_team_member_for_user(user, pk: int, *, manage: bool = False) -> AuditTeamMember:
    member = get_object_or_404(
        AuditTeamMember.objects.visible_to(user).select_related("round__kabupaten", "user__organisation"),
        pk=pk,
    )
    if manage and not member.round.can_manage(user):
        raise PermissionDenied
    return member


def get_recommendation_for_user(user, pk: int, *, edit: bool = False) -> Recommendation:
    recommendation = get_object_or_404(
        Recommendation.objects.visible_to(user).select_related("round__kabupaten", "case", "owner"), pk=pk
    )
    if edit and not recommendation.round.can_recommend(user):
        raise PermissionDenied
    return recommendation
