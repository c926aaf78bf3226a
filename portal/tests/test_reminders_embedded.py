"""The embedded default of `make run`: no Redis, no SMTP server. A real worker with its
embedded beat on kombu's filesystem transport and a SQLite file sends the outbox; the
mail lands in var/mail/ and the in-app row is delivered."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT, wait_for

SETUP = """
from datetime import time
from portal.models import ReminderSettings, User
from portal.notifications import notify
cfg = ReminderSettings.load()
cfg.quiet_start = cfg.quiet_end = time(0)
cfg.save()
ani = User.objects.create_user("ani", email="ani@example.org", language="en")
notify(rule="test_message:a", recipients=[ani])
notify(rule="test_message:b", recipients=[ani])
"""
STATES = "from portal.models import Notification; print(sorted(Notification.objects.values_list('state', flat=True)))"


def test_the_embedded_default_sends_the_outbox_without_redis_or_smtp(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "REMINDERS_DISPATCH_SECONDS": "1",
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST"):
        env.pop(name, None)

    def manage(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    manage("migrate", "--noinput", "-v0")
    manage("shell", "-c", SETUP)
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat", "--concurrency=1", "--loglevel=INFO",
         f"--schedule={tmp_path / 'beat'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        mail = tmp_path / "var" / "mail"
        wait_for(lambda: mail.is_dir() and len(list(mail.iterdir())) >= 2, timeout=60, what="two mail files")
        wait_for(
            lambda: "'sent', 'sent', 'sent', 'sent'" in manage("shell", "-c", STATES),
            timeout=30,
            what="rows sent",
        )
    finally:
        worker.terminate()
        worker.wait(20)
    text = "".join(path.read_text() for path in mail.iterdir())
    assert text.count("Subject: Portal TPPS: test message") == 2
