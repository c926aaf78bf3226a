"""The bench measures the worker's dispatch on a Redis broker, as production runs it, whatever
the environment: without REDIS_URL the settings' embedded default (kombu's filesystem transport,
which polls its folder once a second) would be measured instead. Unit tests: Django's setup is
replaced (it already ran in this process), so only the environment the bench prepares is read."""

from __future__ import annotations

import logging
import os

import django
import pytest

from bench import jobs, measure


@pytest.fixture
def bench_setup(monkeypatch):
    """`setup_django` without Django's setup; the environment and the logger it changes restored."""
    monkeypatch.setattr(django, "setup", lambda: None)
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "portal.settings")
    request_log = logging.getLogger("portal.request")
    level = request_log.level
    yield monkeypatch
    request_log.setLevel(level)


def test_without_a_broker_in_the_environment_the_bench_takes_redis(bench_setup):
    measure.setup_django()
    assert os.environ["CELERY_BROKER_URL"] == measure.BENCH_BROKER
    assert measure.BENCH_BROKER.startswith("redis://")


def test_the_bench_takes_the_redis_of_redis_url_and_keeps_a_broker_named(bench_setup):
    bench_setup.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    measure.setup_django()
    assert os.environ["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"

    bench_setup.setenv("CELERY_BROKER_URL", "redis://10.0.0.5:6379/2")
    measure.setup_django()
    assert os.environ["CELERY_BROKER_URL"] == "redis://10.0.0.5:6379/2"


def test_the_metric_names_its_broker_without_its_password(settings):
    settings.CELERY_BROKER_URL = "redis://:s3cret@127.0.0.1:6379/14"
    assert jobs._broker() == "redis 127.0.0.1/14"
    settings.CELERY_BROKER_URL = "filesystem://localhost//"
    assert jobs._broker() == "filesystem localhost//"
