"""Portal TPPS settings: one module, driven by environment variables.

Development defaults are safe and need no server (SQLite, a filesystem Celery
transport, mail written to files). Production refuses to start without its
secrets: with DEBUG off, SECRET_KEY must be set.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.exports import SafeCSV, SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    """Accept only True/False so a typo never flips a security switch."""
    value = os.getenv(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envsecret(name: str, default: str = "") -> str:
    """Read a secret from NAME or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.getenv(name, default)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY (or SECRET_KEY_FILE), "
            "or set DEBUG=True for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - DEBUG only

# Rotation (SECURITY.md): the previous key stays valid for reading while in the fallbacks.
SECRET_KEY_FALLBACKS = [key.strip() for key in envsecret("SECRET_KEY_FALLBACKS").split(",") if key.strip()]
# One-tap links (portal/tokens.py) are signed with ONE_TAP_SECRET, by default SECRET_KEY.
ONE_TAP_SECRET = envsecret("ONE_TAP_SECRET")
ONE_TAP_SECRET_FALLBACKS = (
    [key.strip() for key in envsecret("ONE_TAP_SECRET_FALLBACKS").split(",") if key.strip()]
    if os.getenv("ONE_TAP_SECRET_FALLBACKS") or os.getenv("ONE_TAP_SECRET_FALLBACKS_FILE")
    else None
)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "axes",
    "django_ratelimit",
    "csp",
    "portal",
    "audits",
    "meetings",
    "trainings",
]

MIDDLEWARE = [
    # First: every later log line of the request (and the tasks it starts) carries its id.
    "portal.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "portal.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns lockouts into a proper response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the portal's queries run in milliseconds, and PostgreSQL compiled any
    # whose estimated cost passed jit_above_cost (an office's few thousand invitations looked
    # up by key), 16-90 ms of compiling for 5-50 ms of work (the admin meetings list filtered).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker write while the web server reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "True")
# Behind a reverse proxy: how many proxies append to X-Forwarded-For (portal/proxies.py). 0 = no
# proxy (X-Forwarded-For ignored); nginx in front = 1. Wrong here, and either everyone behind
# the proxy shares one lock (too low) or a client can pick its own address (too high).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
AXES_CLIENT_IP_CALLABLE = "portal.proxies.client_ip"
# Password-reset throttling (django-ratelimit, in the default cache: Redis in production, so
# every web worker shares the counts): requests per client address and per e-mail address.
PASSWORD_RESET_RATE = os.getenv("PASSWORD_RESET_RATE", "5/h")
RATELIMIT_IP_META_KEY = "portal.proxies.client_ip"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
# locale_vendor: Indonesian for add-ons that ship none (django-import-export's admin pages).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
# Dates and times read the same in pages, messages and PDFs: 15 Juli 2024, 09.00 (WITA).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded evidence is private: never served under a public URL, only through
# permission-checked views.
PRIVATE_STORAGE_ROOT = Path(os.getenv("PRIVATE_STORAGE_ROOT", VAR_DIR / "private"))
# Tests and `make run` serve static files straight from the finders (no collectstatic);
# production serves the hashed, compressed files that collectstatic wrote.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", "True" if DEBUG else "False")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if WHITENOISE_USE_FINDERS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Several web nodes: private uploads go to S3-compatible object storage when S3_BUCKET is set.
# Files are private objects, never served from a bucket URL: the permission-checked views
# stream them (FileResponse over the storage API).
S3_BUCKET = os.getenv("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": os.getenv("S3_PREFIX", "private"),
            "endpoint_url": os.getenv("S3_ENDPOINT_URL") or None,
            "region_name": os.getenv("S3_REGION") or None,
            "access_key": envsecret("S3_ACCESS_KEY_ID") or None,
            "secret_key": envsecret("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
MAX_UPLOAD_SIZE = envint("MAX_UPLOAD_SIZE", str(5 * 1024 * 1024))
# Minutes (summary, discussions, decisions together) are at most this many characters: the
# notulen PDF of the longest stays well under the web server's timeout (make bench).
MINUTES_MAX_LENGTH = envint("MINUTES_MAX_LENGTH", "100000")
# One submission (a progress report, a document) carries at most this many files and bytes.
MAX_UPLOAD_FILES = envint("MAX_UPLOAD_FILES", "5")
MAX_UPLOAD_TOTAL_SIZE = envint("MAX_UPLOAD_TOTAL_SIZE", str(20 * 1024 * 1024))
# Folders searched for DejaVu Sans (regular + bold) to embed in PDFs; without it, PDFs use the
# core font with ASCII text (portal/pdf.py).
PDF_FONT_DIRS = envlist("PDF_FONT_DIRS", "/usr/share/fonts/truetype/dejavu")

# Django 6 will assume https for scheme-less URLs; opt in now (and silence the warning).
FORMS_URLFIELD_ASSUME_HTTPS = True

# Every admin export escapes formula cells (portal/exports.py).
EXPORT_FORMATS = [SafeCSV, SafeXLSX]

# Django's renderer, with <select> written without a template per option (portal/renderers.py).
FORM_RENDERER = "portal.renderers.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: SMTP when EMAIL_HOST is set, otherwise files under var/mail (visible, no server).
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Portal TPPS <noreply@portal-tpps.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "portal.mail.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: Redis in production; with no broker configured, kombu's filesystem
# transport, so `make run` runs a real worker and beat without any server.
REDIS_URL = os.getenv("REDIS_URL", "")
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost//"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (control) messages; kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Tasks run for a few seconds; a message not acknowledged within an hour is redelivered.
    # Short socket timeouts: with Redis down a page that publishes a task answers at once
    # (the outbox row is in the database; the dispatcher sends it when Redis is back).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "False")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The reminder scan's beats reconcile the sources that changed or entered a rule's window, plus
# one slice of all of them: every source is reconciled within this many hours (a safety net for
# changes that leave no trace; 0: a full pass every beat).
REMINDERS_FULL_SCAN_HOURS = envint("REMINDERS_FULL_SCAN_HOURS", "24")
REMINDERS_SCAN_SECONDS = envint("REMINDERS_SCAN_SECONDS", "300")
# The messages one transaction makes are sent by up to this many tasks at once: the worker
# processes of all worker nodes (the unit runs `--concurrency=2`).
NOTIFICATIONS_SEND_TASKS = envint("NOTIFICATIONS_SEND_TASKS", "2")
# SMTP connections one dispatcher or send task uses at once (portal.notifications.engine).
NOTIFICATIONS_SMTP_CONNECTIONS = envint("NOTIFICATIONS_SMTP_CONNECTIONS", "4")

# The one beat schedule (reminders engine, portal/tasks.py). Every job is safe to
# run twice or from two beats at once: rows have unique keys, sends are claimed
# with skip_locked, and each job holds a lease (portal.models.JobLock).
CELERY_BEAT_SCHEDULE = {
    # Proof of life for /healthz: beat publishes it, a worker records the time (portal.Heartbeat).
    "beat-tick": {
        "task": "portal.tasks.beat_tick",
        "schedule": float(envint("BEAT_TICK_SECONDS", "60")),
    },
    # Create/move/cancel time-driven reminders (deadlines, meetings, trainings) from database state;
    # incremental (changed sources and a slice of all, every source within REMINDERS_FULL_SCAN_HOURS).
    "scan-reminders": {
        "task": "portal.tasks.scan_reminders",
        "schedule": float(REMINDERS_SCAN_SECONDS),
    },
    # Send due outbox rows: retries with backoff, missed after the grace window, quiet hours.
    "dispatch-notifications": {
        "task": "portal.tasks.dispatch_due",
        "schedule": float(envint("REMINDERS_DISPATCH_SECONDS", "60")),
    },
    # Daily digests: acts once a day per person after the digest time; cheap otherwise.
    "send-digests": {
        "task": "portal.tasks.send_digests",
        "schedule": float(envint("REMINDERS_DIGEST_SECONDS", "900")),
    },
    # Scheduled meetings whose end has passed become "held" (meetings/tasks.py; idempotent).
    "mark-past-meetings-held": {
        "task": "meetings.tasks.mark_past_meetings_held",
        "schedule": float(envint("MEETINGS_HELD_SECONDS", "900")),
    },
    # Background jobs (portal/jobs): fail those whose worker was lost; remove old rows and files.
    "clean-up-jobs": {
        "task": "portal.tasks.clean_up_jobs",
        "schedule": float(envint("JOB_CLEANUP_SECONDS", "600")),
    },
}

# Background jobs (portal/jobs): a finished job's row and files (upload, result) are removed
# JOB_RETENTION_DAYS after it was started; a running job whose worker has not beaten for
# JOB_LEASE_SECONDS (it beats every quarter of that) is marked failed by the clean-up task.
JOB_RETENTION_DAYS = envint("JOB_RETENTION_DAYS", "7")
JOB_LEASE_SECONDS = envint("JOB_LEASE_SECONDS", "120")

# Task messages carry the request id of the request that published them (portal/logs.py);
# the worker logs through LOGGING below, not through Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Several web nodes share the cache (Redis when REDIS_URL is set) and the sessions (in the
# database, not behind the cache: with Redis down, pages still work). Locks are database rows
# (JobLock), and django-axes keeps failed logins in the database, so throttling counts across nodes.
CACHES = {
    "default": {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": REDIS_URL,
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The dashboard's aggregates (portal/dashboard.py) are cached per scope and dropped when their
# data change; the TTL only bounds what a missed invalidation could cost. 0 turns caching off:
# the default without Redis, where each process has its own cache and a write in the worker
# (an import) could not drop what the web process keeps.
DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", "120" if REDIS_URL else "0")
DASHBOARD_CACHE_PREFIX = "dashboard"
# A user's roles and permissions (portal/usercache.py), read on every page, are cached between
# requests and dropped on any change to them; 0 turns it off (the default without Redis).
USER_CACHE_SECONDS = envint("USER_CACHE_SECONDS", "300" if REDIS_URL else "0")
USER_CACHE_PREFIX = "rights"

# /healthz: the beat is silent after two ticks without a heartbeat; a message is stuck
# when it has been due (and unsent) for longer than HEALTH_STUCK_MESSAGE_SECONDS.
HEALTH_STUCK_MESSAGE_SECONDS = envint("HEALTH_STUCK_MESSAGE_SECONDS", "900")

# Content Security Policy (django-csp): scripts, styles, fonts and images only from the portal
# itself; no inline script or style anywhere (templates use static files). `data:` images are
# Bootstrap's icons in its CSS. Django admin pages also allow inline styles (attributes and
# elements), which django-import-export, django-simple-history and the admin's own scripts use;
# scripts stay strict there too (portal/middleware.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit knows only django-redis; Django's own RedisCache increments atomically too.
    "django_ratelimit.W001",
]
if not REDIS_URL:
    # Development without Redis: a per-process cache, so throttling counts per process.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: the covering indexes' included columns are for PostgreSQL (reads
    # from the index alone at national scale); SQLite indexes their key columns only.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Where `seed_demo` finds the official region list (Kemendagri), if present.
WILAYAH_DIR = Path(os.getenv("WILAYAH_DIR", BASE_DIR.parent / "shared" / "data" / "wilayah"))

# One JSON line per event in production (LOG_FORMAT=json, the default with DEBUG off), each
# with the request id; plain text for development. No personal data or tokens: request lines
# name the URL pattern, not the path (portal/logs.py).
LOG_FORMAT = os.getenv("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line gets the request id; one-tap tokens never reach a line (portal/logs.py).
    "filters": {
        "context": {"()": "portal.logs.ContextFilter"},
        "redact_tokens": {"()": "portal.logs.RedactTokens"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "portal.logs.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "True")
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "True")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
    SECURE_CONTENT_TYPE_NOSNIFF = True
