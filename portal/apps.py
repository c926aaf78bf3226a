from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals, usercache  # noqa: F401
        from .roles import sync_role_groups_after_migrate

        post_migrate.connect(sync_role_groups_after_migrate, sender=self)
        # A migration may add permissions (a superuser holds them all) without model signals.
        post_migrate.connect(usercache.on_write, sender=self, dispatch_uid="usercache-migrate")

        # Each app's time-driven reminder rules (`<app>/reminders.py`) register themselves.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("reminders")

        from .dashboard import watch
        from .models import Region
        from .registry import load_dashboard_cards

        watch(Region)  # the dashboard's counts of kecamatan and desa
        load_dashboard_cards()
