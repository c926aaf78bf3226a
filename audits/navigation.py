"""The audits entry of the portal menu (registry contract: callable(user) -> list[NavEntry])."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.registry import NavEntry

# Roles that work in the audits; others (camat, OPD, puskesmas) reach their aggregates and
# recommendations from the dashboard card.
AUDIT_ROLES = ("dppkb_admin", "notulis", "tim_pakar", "tpk")


def nav_entries(user) -> list[NavEntry]:
    if not (user.is_superuser or user.has_role(*AUDIT_ROLES) or user.audit_teams.exists()):
        return []
    return [NavEntry(_("Case audits"), reverse("audits:index"), "audits", order=40)]
