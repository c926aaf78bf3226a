"""Re-encrypt every NIK and name with the current (first) key of AUDITS_FERNET_KEYS.

Rotation: put the new key first in AUDITS_FERNET_KEYS (keep the old ones after it), restart,
run this command, then drop the old keys. Idempotent; rows are locked while rewritten.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from audits import crypto
from audits.models import AuditCase

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt the NIK and names of audited people with the current key (AUDITS_FERNET_KEYS, first)."

    def handle(self, *args, **options) -> None:
        done = 0
        ids = list(AuditCase.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                cases = AuditCase.objects.select_for_update().filter(pk__in=ids[start : start + BATCH])
                for case in cases:
                    # update() writes only the ciphertexts: no history row, no timestamps.
                    AuditCase.objects.filter(pk=case.pk).update(
                        nik_encrypted=crypto.rotate(case.nik_encrypted),
                        name_encrypted=crypto.rotate(case.name_encrypted),
                    )
                    done += 1
        self.stdout.write(f"audits: {done} case(s) re-encrypted with the current key")
