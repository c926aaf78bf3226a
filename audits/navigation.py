"""The audits entries of the portal menu (registry contract: callable(user) -> list[NavEntry])."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.registry import NavEntry


def nav_entries(user) -> list[NavEntry]:
    """Everyone who may see a round (camat: its aggregates) or an audit recommendation (OPD);
    the monitoring dashboard for those who follow the programme in a region."""
    from .monitoring.access import may_monitor

    entries = []
    if (
        user.is_superuser
        or user.has_perm("audits.view_auditround")
        or user.has_perm("audits.view_recommendation")
    ):
        entries.append(NavEntry(_("Case audits"), reverse("audits:index"), "audits", order=40))
    if may_monitor(user):
        entries.append(NavEntry(_("AKS monitoring"), reverse("audits:monitoring"), "monitoring", order=41))
    return entries
