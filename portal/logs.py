"""Structured logs: one line per request and per task, each with a request id, and no tokens.

The id comes from the proxy's X-Request-ID header (when it looks like one) or is made
here; it is answered in the response, travels in the headers of every Celery task the
request publishes, and is set again in the worker while that task runs, so one grep
follows a click into the mail it sent. Lines carry no personal data or tokens: a request
is logged by its URL pattern (e.g. `<app>/<int:pk>/rsvp/<str:token>/`), never its path or
query string, and tasks by name and id, never their arguments.

A one-tap link's token is in its URL, so any line with the path would let its reader act as
the recipient: `RedactTokens` (a filter on the console handler in `settings.LOGGING`) and
`GunicornLogger` (gunicorn's logs: `gunicorn --logger-class portal.logs.GunicornLogger`)
replace every token by "…" in whatever else is logged. The reverse proxy's access log needs
the same (see SECURITY.md).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from celery import signals
from celery.apps.worker import Worker, install_worker_term_handler, install_worker_term_hard_handler
from django.http import HttpRequest, HttpResponse
from gunicorn.glogging import Logger

HEADER = "portal_request_id"
_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

request_logger = logging.getLogger("portal.request")
task_logger = logging.getLogger("portal.task")


def current_request_id() -> str:
    return _request_id.get()


def new_request_id(proposed: str = "") -> str:
    return proposed if _VALID_ID.fullmatch(proposed) else uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Give every record the current request id, and keep paths out of Django's own lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = (
            getattr(record, "request_id", None)
            or getattr(request, "request_id", None)
            or current_request_id()
        )
        if isinstance(request, HttpRequest):
            # django.request logs "Not Found: <path>" with the request attached: the path may
            # hold a one-tap token, and a JSON formatter would print the request's repr.
            route = route_of(request)
            if isinstance(record.args, tuple):
                record.args = tuple(route if arg == request.path else arg for arg in record.args)
            record.request = route
        return True


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.route if match else "<unresolved>"


class RequestLogMiddleware:
    """Outermost middleware: set the request id, answer it, and log one line per request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = new_request_id(request.headers.get("X-Request-ID", ""))
        # Django logs 4xx/5xx after the middleware returned: those lines read request.request_id.
        token = _request_id.set(request.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current_request_id()
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route_of(request),
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


# --- Celery: the id travels in the message headers --------------------------------------


@signals.before_task_publish.connect
def _add_request_id(headers: dict | None = None, **kwargs) -> None:
    if headers is not None and current_request_id() != "-":
        headers.setdefault(HEADER, current_request_id())


_task_started: dict[str, tuple[float, object]] = {}


@signals.task_prerun.connect
def _task_started_log(task_id: str = "", task=None, **kwargs) -> None:
    proposed = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER) or ""
    _task_started[task_id] = (time.monotonic(), _request_id.set(new_request_id(proposed)))


@signals.task_postrun.connect
def _task_finished_log(task_id: str = "", task=None, state: str = "", **kwargs) -> None:
    started, token = _task_started.pop(task_id, (time.monotonic(), None))
    task_logger.info(
        "task",
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
    )
    if token is not None:
        try:
            _request_id.reset(token)
        except ValueError:  # set in another context (a thread pool); nothing to restore
            pass


# --- Celery's start-up: a JSON line instead of the printed banner ---------------------------

startup_logger = logging.getLogger("portal.startup")
# Python warnings at start-up (e.g. Celery's SecurityWarning) go through the log handlers too.
logging.captureWarnings(True)


@signals.celeryd_init.connect
def _quiet_worker_banner(instance=None, **kwargs) -> None:
    # The worker prints its banner to stdout, past any log formatter: with JSON logs it is
    # replaced by one JSON line (below). The beat's banner is off with `celery beat --quiet`.
    if instance is not None and log_format() == "json":
        instance.quiet = True


@signals.celeryd_after_setup.connect
def _worker_started(sender: str = "", instance=None, **kwargs) -> None:
    from celery import __version__
    from kombu.utils.url import maybe_sanitize_url

    app = instance.app
    startup_logger.info(
        "worker starting",
        extra={
            "component": "worker",
            "hostname": sender,
            "celery": __version__,
            "broker": maybe_sanitize_url(app.conf.broker_url or ""),
            "concurrency": instance.concurrency,
            "queues": sorted(app.amqp.queues),
        },
    )


class LoggingWorker(Worker):
    """Celery's worker program. With JSON logs, its warm and cold shutdown notices (which Celery
    prints straight to the terminal, past any formatter) are log lines instead (below)."""

    def install_platform_tweaks(self, worker) -> None:
        super().install_platform_tweaks(worker)
        if log_format() == "json":
            install_worker_term_handler(worker, verbose=False)
            install_worker_term_hard_handler(worker, verbose=False)


@signals.worker_shutting_down.connect
def _worker_shutting_down(
    sender: str = "", sig: str = "", how: str = "", exitcode: int = 0, **kwargs
) -> None:
    startup_logger.info(
        "worker shutting down",
        extra={"component": "worker", "hostname": sender, "signal": sig, "how": how, "exitcode": exitcode},
    )


@signals.beat_init.connect
def _beat_started(sender=None, **kwargs) -> None:
    from celery import __version__
    from kombu.utils.url import maybe_sanitize_url

    startup_logger.info(
        "beat starting",
        extra={
            "component": "beat",
            "celery": __version__,
            "broker": maybe_sanitize_url(sender.app.conf.broker_url or ""),
            "schedule": sorted(sender.app.conf.beat_schedule or {}),
        },
    )


# --- tokens never reach a line ------------------------------------------------------------


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from .tokens import TOKEN_RE, redact  # imported late: this module loads before the apps

        message = record.getMessage()
        if TOKEN_RE.search(message):
            record.msg, record.args = redact(message), ()
        return True


# --- one JSON shape for every line: Django, Celery and gunicorn -------------------------------

JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def json_formatter() -> logging.Formatter:
    """The JSON formatter of every log line (settings.LOGGING, gunicorn's own logs)."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        JSON_FIELDS,
        datefmt="%Y-%m-%dT%H:%M:%S%z",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        defaults={"request_id": "-"},
    )


def log_format() -> str:
    """`json` or `plain`, as the settings choose (gunicorn's master reads them itself)."""
    import os

    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    return settings.LOG_FORMAT


class GunicornLogger(Logger):
    """gunicorn's start-up and error lines and its access log, in the portal's JSON shape (when
    LOG_FORMAT is json) and without one-tap tokens."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        if log_format() != "json":
            return
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(json_formatter())
                handler.addFilter(ContextFilter())
                handler.addFilter(RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        from .tokens import redact

        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
