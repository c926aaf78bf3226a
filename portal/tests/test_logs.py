"""Structured logs: one JSON line per request and per task, with a request id that follows a
request into the tasks it starts, and no paths, tokens or personal data."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.test import Client

from .conftest import wait_for


def json_lines(records) -> list[dict]:
    """The records as the production handler writes them."""
    from django.utils.module_loading import import_string

    config = settings.LOGGING["formatters"]["json"]
    formatter = import_string(config["()"])()
    context = import_string(settings.LOGGING["filters"]["context"]["()"])()
    lines = []
    for record in records:
        context.filter(record)
        lines.append(json.loads(formatter.format(record)))
    return lines


@pytest.mark.django_db
def test_a_request_is_one_json_line_with_its_url_pattern_and_never_its_token(client, caplog):
    caplog.set_level(logging.INFO)
    token = "set-password-secret-token-4f9a"

    response = client.get(f"/accounts/reset/MQ/{token}/", HTTP_X_REQUEST_ID="proxy-request-0001")

    lines = [line for line in json_lines(caplog.records) if line["logger"] == "portal.request"]
    assert len(lines) == 1
    assert lines[0]["route"] == "accounts/reset/<uidb64>/<token>/"
    assert lines[0]["status"] == response.status_code
    assert lines[0]["request_id"] == "proxy-request-0001" == response["X-Request-ID"]
    assert token not in caplog.text and all(
        token not in json.dumps(line) for line in json_lines(caplog.records)
    )


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_request_id_follows_a_request_into_the_task_it_starts(
    celery_workers, smtp_server, person, reminder_settings
):
    worker = celery_workers()
    someone = person("penguji")
    client = Client()
    client.force_login(someone)

    response = client.post("/notifications/test/", HTTP_X_REQUEST_ID="click-0000-test-message")

    assert response.status_code == 302
    wait_for(lambda: smtp_server.messages, timeout=30, what="the test message")

    def task_lines() -> list[dict]:
        lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
        return [line for line in lines if line["logger"] == "portal.task"]

    line = wait_for(
        lambda: next((li for li in task_lines() if li["task"] == "portal.tasks.send_notifications"), None),
        timeout=10,
        what="the task's log line",
    )
    assert line["request_id"] == "click-0000-test-message"
    assert line["state"] == "SUCCESS"
    assert someone.email not in worker.output()
