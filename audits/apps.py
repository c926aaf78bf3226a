from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Case audits (AKS)")
    # What the core collects from every app (portal.registry).
    navigation = "audits.navigation.nav_entries"
