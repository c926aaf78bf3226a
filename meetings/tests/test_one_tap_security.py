"""One-tap links are made for the recipient when a message is sent and stored nowhere:
not in the outbox's context, not in the stored copy of the message, not in logs; their pages
are never cached and send no Referer."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetings import services
from meetings.links import progress_url, rsvp_token
from meetings.models import Commitment, Invitation, Meeting
from portal.models import Notification, Region
from portal.notifications import engine, rules
from portal.tokens import TOKEN_RE

from .factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def stored(rows) -> str:
    """Everything the outbox keeps of these rows, as one string."""
    return json.dumps(
        [[row.context, row.body, row.title, row.url, row.share_text] for row in rows], default=str
    )


@pytest.fixture
def upcoming(demo):
    return Meeting.objects.create(
        title="Rakor TPPS Kabupaten Tapin",
        region=Region.objects.get(code="63.05"),
        start=timezone.now() + timedelta(days=3),
        end=timezone.now() + timedelta(days=3, hours=2),
        status=Meeting.Status.SCHEDULED,
    )


def test_the_outbox_stores_no_one_tap_token_yet_each_email_carries_its_recipients_link(
    dppkb, dinkes, demo, upcoming, mailbox, reminder_settings
):
    services.invite(meeting=upcoming, organisations=[demo.orgs["dinkes"]], acting_user=dppkb)
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes, due_date=timezone.localdate())
    rules.scan()
    rows = Notification.objects.filter(recipient=dinkes)
    assert rows.filter(channel="email").count() >= 2
    assert not TOKEN_RE.search(stored(rows))

    Notification.objects.filter(state="scheduled").update(send_at=timezone.now(), due_at=timezone.now())
    engine.dispatch()

    rows = Notification.objects.filter(recipient=dinkes, channel="email", state="sent")
    assert rows.count() >= 2 and not TOKEN_RE.search(stored(rows))
    assert any("/rsvp/…/" in row.body for row in rows)  # the stored copy shows where the link led
    bodies = "\n".join(m.body for m in mailbox if m.to == [dinkes.email])
    assert f"/meetings/{upcoming.pk}/rsvp/" in bodies and f"/commitments/{commitment.pk}/quick/" in bodies
    assert len(TOKEN_RE.findall(bodies)) >= 2


def test_the_periodic_scan_no_longer_rewrites_pending_reminders(
    dppkb, kapus, demo, upcoming, reminder_settings
):
    services.invite(meeting=upcoming, people=[kapus], acting_user=dppkb)
    rules.scan()
    before = {row.pk: (row.context, row.updated_at) for row in Notification.objects.filter(state="scheduled")}
    assert before

    time.sleep(1.1)  # a link signed again a second later would differ (and rewrite the rows)
    rules.scan(now=timezone.now() + timedelta(seconds=5))

    after = {row.pk: (row.context, row.updated_at) for row in Notification.objects.filter(state="scheduled")}
    assert after == before


@pytest.mark.parametrize("kind", ["rsvp", "progress"])
def test_one_tap_pages_are_never_cached_and_send_no_referrer(client, demo, dinkes, upcoming, kind):
    if kind == "rsvp":
        invitation = Invitation.objects.create(meeting=upcoming, organisation=demo.orgs["dinkes"])
        url = f"/meetings/{upcoming.pk}/rsvp/{rsvp_token(invitation, dinkes)}/"
    else:
        url = progress_url(CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes), dinkes)

    for response in (client.get(url), client.post(url, {}), client.get(url[:-3] + "00/")):
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"


def test_a_browser_posting_under_no_referrer_over_https_passes_the_csrf_check(settings, demo, dinkes):
    # Under "no-referrer" a browser sends "Origin: null" and no Referer with the form.
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)
    url = progress_url(commitment, dinkes).replace(settings.SITE_URL, "")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url, secure=True)
    csrf = page.context["csrf_token"]

    response = browser.post(
        url,
        {"note": "Dibagikan", "percent": "30", "progress": "", "csrfmiddlewaretoken": csrf},
        secure=True,
        HTTP_ORIGIN="null",
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.progress == 30 and commitment.status == Commitment.Status.IN_PROGRESS


def test_request_logs_carry_no_token(client, demo, dinkes, caplog):
    from portal.logs import RedactTokens

    url = progress_url(CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes), dinkes)
    token = url.rstrip("/").rsplit("/", 1)[1]
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" 200', (url,), None
    )

    RedactTokens().filter(record)

    assert token not in record.getMessage() and "/quick/…/" in record.getMessage()


def test_the_gunicorn_access_log_carries_no_token(demo, dinkes):
    from datetime import timedelta as duration
    from types import SimpleNamespace

    from gunicorn.config import Config

    from portal.logs import GunicornLogger

    url = progress_url(CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes), dinkes)
    path = url.replace("http://127.0.0.1:8000", "").replace("https://", "")
    token = url.rstrip("/").rsplit("/", 1)[1]
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": path}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])

    atoms = GunicornLogger(Config()).atoms(
        response, SimpleNamespace(headers=[]), environ, duration(seconds=1)
    )

    assert token not in atoms["r"] and token not in atoms["U"]
