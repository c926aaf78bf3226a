"""The audits entries of the portal menu (registry contract: callable(user) -> list[NavEntry])."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.links import reverse_fixed
from portal.registry import NavEntry

# Roles that work in the audits; others (camat, OPD, puskesmas) reach their aggregates and
# recommendations from the dashboard card.
AUDIT_ROLES = ("dppkb_admin", "notulis", "tim_pakar", "tpk")


def in_audit_team(user) -> bool:
    """Cached with the user's rights: every page's menu asks (team writes renew it, audits.apps)."""
    from .models.rounds import team_parts_of

    return bool(team_parts_of(user))


def nav_entries(user) -> list[NavEntry]:
    """Those who work in the audits get the rounds; those who follow the programme in a region
    (camat included: aggregates only) the monitoring dashboard."""
    from .monitoring.access import may_monitor

    entries = []
    if user.is_superuser or user.has_role(*AUDIT_ROLES) or in_audit_team(user):
        entries.append(NavEntry(_("Case audits"), reverse_fixed("audits:index"), "audits", order=40))
    if may_monitor(user):
        # Monitoring of the AKS (helper audits2).
        entries.append(
            NavEntry(_("AKS monitoring"), reverse_fixed("audits:monitoring"), "monitoring", order=41)
        )
    return entries
