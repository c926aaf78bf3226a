"""Back up the uploaded files (the private storage: local folder or S3 bucket) into a .tar.gz."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from portal.backup import backup
from portal.storage import private_storage


class Command(BaseCommand):
    help = "Write every uploaded file (private storage, local or S3) into a .tar.gz archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options) -> None:
        count = backup(private_storage(), archive)
        self.stdout.write(f"{count} files backed up to {archive}")
