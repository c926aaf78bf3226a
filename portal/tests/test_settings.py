import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "SECRET_KEY_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_refuses_without_secret_key_when_debug_is_off():
    result = run_django("print('started')", DEBUG="False")

    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr
    assert "started" not in result.stdout


def test_debug_mode_starts_without_a_secret_key():
    result = run_django("print('started')", DEBUG="True")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    result = run_django(
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="False",
        SECRET_KEY_FILE=str(secret),
    )
    assert result.stdout.strip() == "from-a-file"


def test_booleans_accept_only_true_or_false():
    result = run_django("print('started')", DEBUG="yes", SECRET_KEY="x")
    assert result.returncode != 0
    assert "DEBUG must be True or False" in result.stderr


def test_production_settings_pass_check_deploy():
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "WHITENOISE_USE_FINDERS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests of this process
        )
    }
    env.update(
        DEBUG="False",
        SECRET_KEY="a-long-random-production-secret-" + "x7Qp2Lm9" * 6,
        ALLOWED_HOSTS="tpps.tapinkab.go.id",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_default_passes_check_without_warnings(tmp_path):
    """What `make run` starts (SQLite, no Redis) reports no warnings, the database's checks
    included (as migrate and runserver run them): the covering indexes' included columns are
    PostgreSQL's, and SQLite's indexes keep their key columns."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(DEBUG="True", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_use_makassar_time_and_indonesian_by_default(settings):
    assert settings.TIME_ZONE == "Asia/Makassar"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [("", "filesystem://localhost//"), ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5")],
)
def test_broker_is_redis_when_configured_and_filesystem_otherwise(url, expected):
    env = {"DEBUG": "True", "REDIS_URL": url, "CELERY_BROKER_URL": ""}
    result = run_django("from portal.celery import app; print(app.conf.broker_url)", **env)
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.django_db
def test_postgresql_connections_compile_no_queries_just_in_time():
    """JIT compiling cost more than running the portal's queries (see settings.DATABASES)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_jit_is_turned_off_after_options_given_in_the_database_url():
    result = run_django(
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])",
        SECRET_KEY="x",
        DATABASE_URL="postgres://u@127.0.0.1:5432/db?options=-c%20statement_timeout%3D5000",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c statement_timeout=5000 -c jit=off"
