from importlib import import_module, util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from portal.models import User


class Command(BaseCommand):
    help = "Load the demo: Kabupaten Tapin, its organisations and accounts, and each app's demo content. Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a live portal)."
        )

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password; it refuses to run with DEBUG off. "
                "Use --force only on a throw-away database."
            )
        # The core first, then every project app that has a demo module.
        for label in ["portal", *[a.name for a in apps.get_app_configs() if a.name != "portal"]]:
            if util.find_spec(f"{label}.demo") is None or label.startswith("django"):
                continue
            import_module(f"{label}.demo").seed(log=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        # Every app's demo people share the demo e-mail domain.
        for user in User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").order_by("pk"):
            self.stdout.write(f"  {user.username:<18} {user.full_name} — {user.jabatan}")
