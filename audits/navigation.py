from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.registry import NavEntry


def nav_entries(user) -> list[NavEntry]:
    if not (user.is_superuser or user.has_role("dppkb_admin", "tim_pakar", "notulis")):
        return []
    return [NavEntry(_("Case audits"), reverse("audits:index"), "audits", order=40)]
