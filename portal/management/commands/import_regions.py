from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.regions import RegionFileError, import_file


class Command(BaseCommand):
    help = (
        "Import the Kemendagri region list from a CSV or gzipped CSV file with the columns "
        "code,name,level,parent_code. Idempotent; writes nothing if any row is invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": file})
        try:
            result = import_file(file)
        except RegionFileError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(
                _("%(count)d error(s) in %(file)s; nothing was written.")
                % {"count": len(exc.errors), "file": file}
            ) from None
        self.stdout.write(result.summary())
