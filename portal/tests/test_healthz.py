from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.celery import app as celery_app
from portal.models import Heartbeat, Notification
from portal.tasks import beat_tick


@pytest.fixture
def broker_url():
    """Point the Celery app at another broker for one test, then restore it."""
    original = celery_app.conf.broker_url

    def use(url: str) -> None:
        celery_app.conf.broker_url = url
        celery_app.pool.force_close_all()

    yield use
    use(original)


@pytest.fixture
def ticking(db):
    """The beat ticked just now (as the beat-tick task run by a worker records it)."""
    beat_tick()


def age(**delta) -> timezone.datetime:
    return timezone.now() - timedelta(**delta)


@pytest.mark.django_db
def test_healthz_is_200_when_database_broker_beat_and_messages_are_fine(client, ticking):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "broker", "beat", "messages", "failing")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "beat": "ok",
        "messages": "ok",
        "failing": [],
    }
    assert body["beat_tick_age_seconds"] < 60  # ticked in this test, well inside two ticks
    assert body["oldest_due_message_age_seconds"] is None


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_checks_the_real_redis_broker(client, broker_url, ticking):
    import os

    broker_url(os.environ["REDIS_URL"])
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, broker_url, ticking):
    broker_url("redis://127.0.0.1:1/0")  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
    assert body["failing"] == ["broker"]


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_names_the_broker_when_a_real_redis_server_stops(client, private_redis, use_broker, ticking):
    use_broker(private_redis.url)
    assert client.get("/healthz").status_code == 200

    private_redis.stop()
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    # Unit test: the database failure is simulated, the response is real.
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
    assert "database" in response.json()["failing"]


@pytest.mark.django_db
def test_healthz_is_503_naming_the_beat_when_it_has_been_silent_for_more_than_two_ticks(client, settings):
    settings.CELERY_BEAT_SCHEDULE = {**settings.CELERY_BEAT_SCHEDULE, "beat-tick": {"schedule": 60.0}}
    Heartbeat.objects.create(name="beat", at=age(seconds=100))
    assert client.get("/healthz").status_code == 200

    Heartbeat.objects.filter(name="beat").update(at=age(seconds=121))
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]
    assert response.json()["beat"].startswith("error: beat silent")
    assert response.json()["beat_tick_age_seconds"] == 121


@pytest.mark.django_db
def test_healthz_is_503_when_the_beat_never_ticked(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


@pytest.mark.django_db
def test_healthz_is_503_naming_stuck_messages_when_a_due_message_stays_unsent(
    client, settings, person, ticking
):
    settings.HEALTH_STUCK_MESSAGE_SECONDS = 600
    recipient = person("penerima")
    fields = {"rule": "test", "channel": Notification.Channel.EMAIL, "recipient": recipient}
    Notification.objects.create(key="future", send_at=age(seconds=-300), **fields)
    Notification.objects.create(key="sent-long-ago", send_at=age(hours=5), state="sent", **fields)
    Notification.objects.create(key="due-recently", send_at=age(seconds=30), **fields)
    assert client.get("/healthz").status_code == 200

    Notification.objects.create(key="stuck", send_at=age(seconds=700), state="sending", **fields)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["messages"]
    assert response.json()["oldest_due_message_age_seconds"] == 700
