"""A refused one-tap RSVP link is logged by its URL pattern, never with its token, and a forged
request id is replaced (the core's logging: portal/logs.py, portal/tests/test_logs.py)."""

from __future__ import annotations

import json
import logging

import pytest

from portal.tests.test_logs import json_lines


@pytest.mark.django_db
def test_a_refused_path_is_logged_by_pattern_and_a_forged_request_id_is_replaced(client, caplog, dppkb):
    caplog.set_level(logging.INFO)
    client.force_login(dppkb)
    caplog.clear()

    response = client.get("/meetings/999999/rsvp/one-tap-secret-99/", HTTP_X_REQUEST_ID="bad id <script>")

    lines = json_lines(caplog.records)
    assert response.status_code in (400, 404)  # a refused one-tap link; Django logs it with the path
    assert any(line["logger"] == "django.request" for line in lines)
    assert all("one-tap-secret-99" not in json.dumps(line) for line in lines)
    assert response["X-Request-ID"] != "bad id <script>"
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}
    assert not any(dppkb.username in json.dumps(line) or dppkb.email in json.dumps(line) for line in lines)
