"""Restore the uploaded files from a `backup_files` archive into the private storage."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BadArchive, restore
from portal.storage import private_storage


class Command(BaseCommand):
    help = "Write the files of a backup_files archive into the private storage (local or S3)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options) -> None:
        try:
            count = restore(private_storage(), archive)
        except BadArchive as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} files restored from {archive}")
