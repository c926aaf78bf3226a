"""Who may open which monitoring page: one helper, 404 outside the user's regions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.models import Region
from portal.roles import Role

# The roles that follow the programme in their region. Case identities never appear on
# these pages, so a camat (kecamatan) or the provincial BKKBN (province) may open them.
MONITOR_ROLES = (
    Role.DPPKB_ADMIN,
    Role.NOTULIS,
    Role.TIM_PAKAR,
    Role.CAMAT,
    Role.KEPALA_PUSKESMAS,
    Role.KETUA_PKK,
    Role.TRAINING_ORGANISER,
)
LEVELS = (Region.Level.PROVINSI, Region.Level.KABUPATEN, Region.Level.KOTA, Region.Level.KECAMATAN)


def monitoring_codes(user) -> list[str]:
    """The regions whose monitoring pages the user may open (each with everything below)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return user.scope_codes(roles=MONITOR_ROLES)


def may_monitor(user) -> bool:
    return user.is_superuser or bool(monitoring_codes(user))


def monitored_region(user, code: str) -> Region:
    """The region if the user may monitor it; 403 for someone with no monitoring role, 404
    for a region outside their scope (or not a province, kabupaten or kecamatan)."""
    if not may_monitor(user):
        raise PermissionDenied
    region = Region.objects.filter(code=code, level__in=LEVELS).select_related("parent").first()
    if region is None:
        raise Http404
    if user.is_superuser or any(region.is_within(c) for c in monitoring_codes(user)):
        return region
    raise Http404


def round_for_reports(user, pk: int):
    """A round whose whole-kabupaten report and exports the user may take: monitoring roles of
    the kabupaten or above, and the round's team. 404 outside the user's rounds; 403 for one
    they see only in part (a camat: their kecamatan's aggregates)."""
    from django.shortcuts import get_object_or_404

    from ..models import AuditRound

    audit_round = get_object_or_404(AuditRound.objects.visible_to(user).select_related("kabupaten"), pk=pk)
    if not may_report(user, audit_round):
        raise PermissionDenied
    return audit_round


def may_report(user, audit_round) -> bool:
    return (
        user.is_superuser
        or any(audit_round.kabupaten.is_within(code) for code in monitoring_codes(user))
        or audit_round.is_team_member(user)
    )


def round_with_cases(user, pk: int, *, fill: bool = False):
    """A round whose cases the user may read (the round's team, the kabupaten's DPPKB admin),
    or fill in (`fill`). 404 outside the user's rounds, 403 for one they may not."""
    from django.shortcuts import get_object_or_404

    from ..models import AuditRound

    audit_round = get_object_or_404(AuditRound.objects.visible_to(user).select_related("kabupaten"), pk=pk)
    allowed = audit_round.can_fill_cases(user) if fill else audit_round.can_see_identities(user)
    if not allowed:
        raise PermissionDenied
    return audit_round
