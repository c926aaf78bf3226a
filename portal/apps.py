from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401
        from .roles import sync_role_groups_after_migrate

        post_migrate.connect(sync_role_groups_after_migrate, sender=self)

        # Each app's time-driven reminder rules (`<app>/reminders.py`) register themselves.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("reminders")

        from .dashboard import watch
        from .models import Region
        from .registry import load_dashboard_cards

        watch(Region)  # the dashboard's counts of kecamatan and desa
        load_dashboard_cards()
