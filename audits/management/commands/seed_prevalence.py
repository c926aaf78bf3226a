from django.core.management.base import BaseCommand

from audits.models.prevalence import seed_prevalence


class Command(BaseCommand):
    help = "Store the published stunting prevalence figures (SSGI/SKI) of the regions already imported. Idempotent."

    def handle(self, *args, **options):
        created = seed_prevalence()
        self.stdout.write(f"prevalence records: {created} created")
