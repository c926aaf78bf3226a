"""The Celery app. Each Django app declares its tasks in its own tasks.py."""

import os
from pathlib import Path

from celery import Celery
from kombu.utils.objects import cached_property

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class PortalCelery(Celery):
    @cached_property
    def Worker(self):
        """The `celery worker` program: Celery's own, whose shutdown lines follow LOG_FORMAT."""
        return self.subclass_with_self("portal.logs:LoggingWorker")


app = PortalCelery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids in task headers and one log line per task (connects Celery signals).
from portal import logs  # noqa: E402, F401


def ensure_filesystem_broker_folders() -> None:
    """The filesystem transport (embedded default) needs its folders to exist."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


ensure_filesystem_broker_folders()
