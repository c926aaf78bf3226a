"""Every audits message, built by the code that sends it from real objects and rendered in
Indonesian and English: the round's name and the stage deadline for the stage reminders, the
recommendation, its round, meeting and due date once adopted, and links that lead to a portal
page (portal/tests/message_checks.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from audits import services
from audits.models import AuditRound
from audits.reminders import DEADLINES
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from portal.models import ReminderSettings
from portal.notifications import rules
from portal.tests.message_checks import TRICKY, check_message, rows

from .factories import make_case

COVERED_RULES = {"audit_stage_due", "audit_team_removed", "recommendation_adopted"}

RECOMMENDATION = f"PMT lokal dan pemantauan {TRICKY}"  # whole in the subject (60 characters)
MEETING = f"Rakor TPPS Tapin {TRICKY}"

pytestmark = pytest.mark.django_db


def _round_name(audit_round, language: str) -> str:
    with translation.override(language):
        return str(audit_round)


@pytest.fixture
def deadlines(audit_round):
    today = timezone.localdate()
    AuditRound.objects.filter(pk=audit_round.pk).update(
        visits_due=today + timedelta(days=7),
        review_due=today + timedelta(days=1),
        evaluation_due=today - timedelta(days=1),
    )
    audit_round.refresh_from_db()
    return audit_round


@pytest.mark.parametrize("deadline", [d.key for d in DEADLINES])
@pytest.mark.parametrize("stage", ["h-7", "h-1", "overdue"])
def test_every_stage_reminder_names_the_round_and_its_deadline(
    deadline, stage, deadlines, teknis, pakar, dppkb, reminder_settings
):
    field = next(d.field for d in DEADLINES if d.key == deadline)
    due = getattr(deadlines, field)
    rules.reconcile(
        rules.REGISTRY["audit_stage_due"],
        deadlines,
        timezone.now() - timedelta(days=30),  # every stage still ahead: none skipped as long past
        ReminderSettings.load(),
    )
    person = teknis if deadline == "visits" else pakar
    for reader in (person, dppkb):
        found = rows(f"audit_stage_due:{deadline}:{stage}:{due.isoformat()}", reader)
        assert found, reader
        for language in ("id", "en"):
            check_message(found, name=_round_name(deadlines, language), dates=[due], languages=[language])


@pytest.fixture
def rakor(dppkb):
    return MeetingFactory(title=MEETING, kind=Meeting.Kind.RAKOR, region_id="63.05", created_by=dppkb)


@pytest.fixture
def recommendation(audit_round, teknis, pakar, demo):
    return services.add_recommendation(
        audit_round=audit_round,
        acting_user=pakar,
        case=make_case(audit_round, teknis),
        text=RECOMMENDATION,
        intervention_type="spesifik",
        owner=demo.orgs["dinkes"],
        priority=1,
    )


def test_the_adoption_message_names_the_recommendation_its_round_meeting_and_due_date(
    rakor, recommendation, notulis, dinkes, reminder_settings
):
    due = timezone.localdate() + timedelta(days=60)
    (commitment,) = services.adopt_recommendations(
        meeting=rakor,
        adoptions=[{"recommendation": recommendation, "due_date": due}],
        acting_user=notulis,
    )
    found = rows(f"recommendation_adopted:{commitment.pk}", dinkes)
    assert found
    for language in ("id", "en"):
        seen = check_message(found, name=RECOMMENDATION, dates=[due], languages=[language])
        for rendered in (message[language] for message in seen.values()):
            assert MEETING in rendered.text
            assert _round_name(recommendation.round, language) in rendered.text


def test_the_removal_notice_names_the_round_and_the_reason(audit_round, dppkb, pakar, reminder_settings):
    member = audit_round.team.get(user=pakar)
    member_pk = member.pk
    pakar.email = "pakar@tapinkab.go.id"
    pakar.save(update_fields=["email"])
    reason = f"Pindah tugas {TRICKY}"
    services.remove_team_member(member=member, acting_user=dppkb, reason=reason)
    found = rows(f"audit_team_removed:{member_pk}", pakar)
    assert {row.channel for row in found} == {"email", "inapp"}
    for language in ("id", "en"):
        seen = check_message(found, name=_round_name(audit_round, language), languages=[language])
        for rendered in (message[language] for message in seen.values()):
            assert reason in rendered.text
            assert dppkb.get_full_name() in rendered.text
