"""Benchmarks at national scale (`make bench`). Reports numbers; asserts nothing.

- import_regions of the whole country (91,599 rows), fresh and again (idempotent run);
- the scoped queries every page starts from, for a camat and a DPPKB admin, with
  the whole country loaded: time and number of SQL queries;
- the notulen PDF of the longest minutes allowed (MINUTES_MAX_LENGTH characters; a 2.5 MB
  summary is refused by the form, and would take minutes to lay out).

Uses DATABASE_URL (PostgreSQL recommended) on a throw-away test database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def timed(label: str, fn, repeat: int = 1) -> None:
    runs = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    best = min(runs)
    median = statistics.median(runs)
    extra = f" -> {result}" if isinstance(result, str | int) else ""
    print(
        f"{label:<58} best {best * 1000:9.1f} ms  median {median * 1000:9.1f} ms  {queries:4d} queries{extra}"
    )


def main() -> None:
    from django.core.management import call_command
    from django.test.client import Client

    from portal import demo
    from portal.models import Organisation, Region
    from portal.regions import import_file

    national = Path(settings.WILAYAH_DIR) / "regions-all.csv.gz"
    if not national.is_file():
        sys.exit(f"bench: the national region list is not at {national} (set WILAYAH_DIR)")

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        timed("import_regions whole country (fresh)", lambda: import_file(national).summary())
        timed("import_regions whole country (again, unchanged)", lambda: import_file(national).summary())
        print(f"regions stored: {Region.objects.count():,}")

        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
        users = {u: demo.User.objects.get(username=u) for u in ("camat.tapinutara", "dppkb", "bkkbn")}
        for username, user in users.items():
            timed(
                f"Region.visible_to({username}).count()",
                lambda user=user: Region.objects.visible_to(user).count(),
                repeat=5,
            )
            timed(
                f"Organisation.visible_to({username}) list",
                lambda user=user: len(list(Organisation.objects.visible_to(user).select_related("region"))),
                repeat=5,
            )
        bench_minutes_pdf()
        client = Client()
        for username, user in users.items():
            client.force_login(user)
            for url in ("/", "/organisations/", "/meetings/", "/trainings/"):
                timed(f"GET {url} as {username}", lambda url=url: client.get(url).status_code, repeat=5)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def bench_minutes_pdf() -> None:
    from meetings import pdf
    from meetings.forms import MinutesForm
    from meetings.models import Meeting, Minutes

    meeting = Meeting.objects.filter(minutes__isnull=False).first()
    minutes = Minutes.objects.get(meeting=meeting)
    paragraph = "Rakor membahas hasil audit kasus stunting dan RTL setiap perangkat daerah. " * 10
    longest = "\n\n".join([paragraph] * (settings.MINUTES_MAX_LENGTH // (len(paragraph) + 2)))
    huge = MinutesForm({"summary": "x" * 2_500_000, "decisions": ""}, minutes=minutes)
    print(f"notulen of a 2.5 MB summary refused by the form: {not huge.is_valid()}")
    Minutes.objects.filter(pk=minutes.pk).update(summary=longest, discussions={}, decisions="")
    meeting = Meeting.objects.get(pk=meeting.pk)
    timed(f"notulen PDF, minutes of {len(longest):,} characters", lambda: len(pdf.minutes_document(meeting)))


if __name__ == "__main__":
    main()
