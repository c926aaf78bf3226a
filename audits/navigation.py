"""The audits entry of the portal menu (registry contract: callable(user) -> list[NavEntry])."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def nav_entries(user) -> list:
    from portal.registry import NavEntry

    if not user.has_perm("audits.view_auditround") and not user.has_perm("audits.view_recommendation"):
        return []
    return [NavEntry(label=_("Case audits (AKS)"), url=reverse("audits:round-list"), key="audits", order=30)]
