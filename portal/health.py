"""/healthz for a load balancer and an uptime monitor: each part, and which one fails.

200 with every part "ok"; 503 otherwise, with the failing parts listed in "failing" and
each failing part's value starting with "error". Parts:
- database: answers a query;
- broker: Redis (or the configured broker) accepts a connection;
- beat: the beat's tick (a task every BEAT_TICK_SECONDS, run by a worker) is younger than
  two ticks, so the beat and at least one worker are alive;
- messages: no outbox row has been due and unsent for longer than HEALTH_STUCK_MESSAGE_SECONDS.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .celery import app as celery_app
from .models import Heartbeat, Notification

UNSENT = (Notification.State.SCHEDULED, Notification.State.SENDING)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    parts = {"database": check_database(), "broker": check_broker()}
    details: dict = {}
    if parts["database"] == "ok":
        parts["beat"], details["beat_tick_age_seconds"] = check_beat()
        parts["messages"], details["oldest_due_message_age_seconds"] = check_messages()
    else:
        parts["beat"] = parts["messages"] = "error: database unreachable"
    failing = [name for name, value in parts.items() if value != "ok"]
    body = {"status": "error" if failing else "ok", **parts, **details, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure means unhealthy; report it, never raise
        return f"error: {exc.__class__.__name__}"


def check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return "ok"
    except Exception as exc:  # any failure means unhealthy; report it, never raise
        return f"error: {exc.__class__.__name__}"


def beat_tick_seconds() -> float:
    return float(settings.CELERY_BEAT_SCHEDULE["beat-tick"]["schedule"])


def check_beat() -> tuple[str, int | None]:
    age = Heartbeat.age_seconds("beat")
    limit = 2 * beat_tick_seconds()
    if age is None:
        return "error: no beat tick yet", None
    if age > limit:
        return f"error: beat silent for {age:.0f} s (limit {limit:.0f} s)", round(age)
    return "ok", round(age)


def check_messages() -> tuple[str, int | None]:
    oldest = (
        Notification.objects.filter(state__in=UNSENT, send_at__lte=timezone.now())
        .order_by("send_at")
        .values_list("send_at", flat=True)
        .first()
    )
    if oldest is None:
        return "ok", None
    age = (timezone.now() - oldest).total_seconds()
    if age > settings.HEALTH_STUCK_MESSAGE_SECONDS:
        return f"error: a message has been due for {age:.0f} s", round(age)
    return "ok", round(age)
