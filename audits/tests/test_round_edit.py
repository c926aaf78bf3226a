"""Round edits (decree, deadlines, linked meetings) go through services.update_round from the
portal page and from the admin: the DPPKB admin's right is checked in the service, each save
leaves a history row naming who, and a refused or invalid edit writes nothing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from audits import services
from audits.models import AuditRound
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _snapshot(audit_round):
    fresh = AuditRound.objects.get(pk=audit_round.pk)
    return (
        [getattr(fresh, name) for name in services.ROUND_EDITABLE],
        list(fresh.meetings.values_list("pk", flat=True)),
        fresh.history.count(),
    )


def _admin_data(audit_round, **changes):
    data = {
        "sk_number": audit_round.sk_number, "sk_date": "2024-02-12",
        "visits_due": "", "review_due": "", "evaluation_due": "",
        "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0",
        "stage_changes-TOTAL_FORMS": "0", "stage_changes-INITIAL_FORMS": "0",
    }  # fmt: skip
    return {**data, **changes}


def _shown(response, form, field):
    """The form is shown again with the service's rule as an error on `field`."""
    assert response.status_code == 200
    assert form.errors.get(field), form.errors
    assert escape(form.errors[field][0]) in response.content.decode()


@pytest.fixture
def konferensi():
    return MeetingFactory(kind=Meeting.Kind.KONFERENSI_PAKAR, region_id="63.05", title="Konferensi Pakar")


def test_the_portal_edit_saves_through_the_service_with_a_history_row(client, audit_round, dppkb, konferensi):
    client.force_login(dppkb)
    response = client.post(
        reverse("audits:round-edit", args=[audit_round.pk]),
        {"sk_number": "188/10/2024", "sk_date": "2024-02-12", "visits_due": "2024-04-30",
         "review_due": "2024-05-31", "meetings": [konferensi.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    audit_round.refresh_from_db()
    assert (audit_round.sk_number, audit_round.visits_due) == ("188/10/2024", date(2024, 4, 30))
    assert list(audit_round.meetings.all()) == [konferensi]
    assert audit_round.history.latest("history_date").history_user == dppkb


def test_a_refused_user_writes_nothing(client, audit_round, pakar, konferensi):
    before = _snapshot(audit_round)
    with pytest.raises(PermissionDenied):
        services.update_round(
            audit_round=audit_round, acting_user=pakar, sk_number="X", meetings=[konferensi]
        )
    client.force_login(pakar)
    response = client.post(
        reverse("audits:round-edit", args=[audit_round.pk]), {"sk_number": "X", "meetings": [konferensi.pk]}
    )
    assert response.status_code == 403
    assert _snapshot(audit_round) == before


def test_deadlines_out_of_order_are_refused_on_the_page_and_in_admin(client, audit_round, dppkb):
    before = _snapshot(audit_round)
    client.force_login(dppkb)
    response = client.post(
        reverse("audits:round-edit", args=[audit_round.pk]),
        {"sk_number": "188/10/2024", "visits_due": "2024-06-30", "review_due": "2024-05-31"},
    )
    _shown(response, response.context["form"], "review_due")
    response = client.post(
        reverse("admin:audits_auditround_change", args=[audit_round.pk]),
        _admin_data(audit_round, sk_number="188/10/2024", visits_due="2024-06-30", review_due="2024-05-31"),
    )
    _shown(response, response.context["adminform"].form, "review_due")
    assert _snapshot(audit_round) == before


def test_past_team_formation_the_decree_stays_on_the_page_and_in_admin(client, audit_round, dppkb):
    services.move_stage(audit_round=audit_round, stage=AuditRound.Stage.SELEKSI_KASUS, acting_user=dppkb)
    before = _snapshot(audit_round)
    client.force_login(dppkb)
    response = client.post(reverse("audits:round-edit", args=[audit_round.pk]), {"sk_number": ""})
    _shown(response, response.context["form"], "sk_number")
    response = client.post(
        reverse("admin:audits_auditround_change", args=[audit_round.pk]),
        _admin_data(audit_round, sk_number=""),
    )
    _shown(response, response.context["adminform"].form, "sk_number")
    assert _snapshot(audit_round) == before
    with pytest.raises(ValidationError):
        services.update_round(audit_round=audit_round, acting_user=dppkb, sk_date=None)
    assert _snapshot(audit_round) == before


def test_the_admin_saves_through_the_service_with_a_history_row(client, audit_round, dppkb):
    client.force_login(dppkb)
    response = client.post(
        reverse("admin:audits_auditround_change", args=[audit_round.pk]),
        _admin_data(audit_round, sk_number="188/11/2024", evaluation_due="2024-11-30"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    audit_round.refresh_from_db()
    assert (audit_round.sk_number, audit_round.evaluation_due) == ("188/11/2024", date(2024, 11, 30))
    assert audit_round.history.latest("history_date").history_user == dppkb


def test_a_meeting_of_another_kind_is_refused_by_the_service(audit_round, dppkb):
    rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05")
    before = _snapshot(audit_round)
    with pytest.raises(ValidationError):
        services.update_round(audit_round=audit_round, acting_user=dppkb, sk_number="Y", meetings=[rakor])
    assert _snapshot(audit_round) == before
