"""Run by test_embedded_pages.py in a process of its own, on the embedded default (SQLite, as
`make run` serves it): migrate, load the demo, and request every main page as every demo
account and a superuser. Prints one line per page that answered 500 (or raised)."""

from __future__ import annotations

import io
import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())

    from audits.models import AuditCase, AuditRound
    from meetings.models import Meeting
    from portal.models import User
    from trainings.models import Training

    if not User.objects.filter(is_superuser=True).exists():
        User.objects.create_superuser("root", "root@example.invalid", "x")

    def admin(model: str, query: str = "") -> str:
        app, name = model.split(".")
        return reverse(f"admin:{app}_{name}_changelist") + query

    pages = [
        reverse("portal:dashboard"),
        reverse("meetings:index"),
        reverse("meetings:index") + "?when=past",
        reverse("meetings:my-commitments"),
        reverse("meetings:my-commitments") + "?show=all",
        reverse("trainings:index"),
        reverse("portal:notification-list"),
        admin("meetings.meeting"),
        admin("meetings.meeting", "?q=rakor&status=held"),
        admin("meetings.meeting", "?start__year=2024"),
        admin("meetings.commitment"),
        admin("meetings.commitment", "?q=posyandu"),
        admin("meetings.commitment", "?overdue=yes"),
        admin("trainings.enrollment"),
        admin("trainings.enrollment", "?q=camat"),
    ]
    pages += [meeting.get_absolute_url() for meeting in Meeting.objects.all()]
    pages += [training.get_absolute_url() for training in Training.objects.all()]
    pages += [audit_round.get_absolute_url() for audit_round in AuditRound.objects.all()]
    pages += [case.get_absolute_url() for case in AuditCase.objects.all()[:5]]

    failures, requested = [], 0
    for user in User.objects.filter(is_active=True).order_by("username"):
        client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for path in pages:
            requested += 1
            try:
                status = client.get(path).status_code
            except Exception as error:  # reported: the test fails on it
                failures.append(f"{user.username} {path} raised {error!r}")
                continue
            if status >= 500:
                failures.append(f"{user.username} {path} answered {status}")
    print(f"requested {requested} pages", file=sys.stderr)
    for line in failures:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
