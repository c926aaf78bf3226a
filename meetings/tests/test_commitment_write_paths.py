"""One write path for commitments: the portal, the admin form, the meeting inline, the bulk
action and the import all reopen a commitment through meetings.commitments.services, with the
same row lock, history row and notification."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Commitment, CommitmentUpdate
from portal.models import Notification
from portal.tests.adminforms import changeform_data
from portal.tests.job_helpers import run

from .factories import CommitmentFactory

pytestmark = pytest.mark.django_db

REASON = "Data posyandu belum lengkap"


def via_portal(client, commitment):
    client.post(reverse("meetings:commitment-reopen", args=[commitment.pk]), {"reason": REASON})


def via_admin_form(client, commitment):
    url = reverse("admin:meetings_commitment_change", args=[commitment.pk])
    data = changeform_data(client.get(url))
    client.post(url, {**data, "status": "open", "reason": REASON})


def via_meeting_inline(client, commitment):
    url = reverse("admin:meetings_meeting_change", args=[commitment.meeting_id])
    data = changeform_data(client.get(url))
    client.post(url, {**data, "commitments-0-status": "open", "commitments-0-reason": REASON})


def via_bulk_action(client, commitment):
    client.post(
        reverse("admin:meetings_commitment_changelist"),
        {"action": "mark_open", "_selected_action": [commitment.pk]},
    )


def via_import(client, commitment):
    text = (
        "id,meeting,description,owner,due_date,status,reason\n"
        f"{commitment.pk},{commitment.meeting_id},{commitment.description},{commitment.owner_id},"
        f"{commitment.due_date.isoformat()},open,{REASON}\n"
    )
    upload = SimpleUploadedFile("rtl.csv", text.encode(), "text/csv")
    started = client.post(
        reverse("admin:meetings_commitment_import"), {"format": "0", "resource": "0", "import_file": upload}
    )
    run(started)  # the background job, as the worker runs it


@pytest.mark.parametrize(
    "path",
    [via_portal, via_admin_form, via_meeting_inline, via_bulk_action, via_import],
    ids=lambda f: f.__name__,
)
def test_every_path_reopens_a_commitment_through_the_service(client, demo, notulis, dinkes, path):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes, status=Commitment.Status.CANCELLED)
    client.force_login(notulis)

    with CaptureQueriesContext(connection) as queries:
        path(client, commitment)

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN
    update = CommitmentUpdate.objects.filter(commitment=commitment).latest("created_at")
    assert (update.status_from, update.status_to, update.author) == ("cancelled", "open", notulis)
    assert commitment.updates.count() == 2  # recorded, then reopened once
    channels = set(
        Notification.objects.filter(rule=f"commitment_reopened:{update.pk}", recipient=dinkes).values_list(
            "channel", flat=True
        )
    )
    assert channels == {Notification.Channel.INAPP, Notification.Channel.EMAIL}
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert any('"meetings_commitment"' in sql for sql in locks)


def test_bulk_in_progress_refuses_and_reports_a_done_commitment(client, demo, notulis, dinkes):
    from meetings.commitments import services

    from .factories import pdf_upload

    done = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)
    services.mark_done(commitment=done, acting_user=dinkes, note="Selesai", files=[pdf_upload()])
    updates = done.updates.count()
    client.force_login(notulis)

    response = client.post(
        reverse("admin:meetings_commitment_changelist"),
        {"action": "mark_in_progress", "_selected_action": [done.pk]},
        follow=True,
    )

    done.refresh_from_db()
    assert done.status == Commitment.Status.DONE
    assert done.updates.count() == updates
    assert any(str(done) in str(message) for message in response.context["messages"])


def test_the_admin_form_refuses_to_reopen_without_a_reason(client, demo, notulis):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], status=Commitment.Status.CANCELLED)
    url = reverse("admin:meetings_commitment_change", args=[commitment.pk])
    client.force_login(notulis)

    response = client.post(url, {**changeform_data(client.get(url)), "status": "open"})

    assert "reason" in response.context["adminform"].form.errors
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.CANCELLED
