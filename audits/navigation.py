"""The audits entry of the portal menu (registry contract: callable(user) -> list[NavEntry])."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.registry import NavEntry


def nav_entries(user) -> list[NavEntry]:
    """Everyone who may see a round (camat: its aggregates) or an audit recommendation (OPD)."""
    if not (
        user.is_superuser
        or user.has_perm("audits.view_auditround")
        or user.has_perm("audits.view_recommendation")
    ):
        return []
    return [NavEntry(_("Case audits"), reverse("audits:index"), "audits", order=40)]
