"""The demo audit: AKS Tapin 2024 Semester I over every desa loaded, every target group, causes and
conclusions, recommendations of several OPD adopted at the demo rakor (done, verified, overdue),
one left to adopt, and the `pakar` account."""

import pytest
from django.utils import timezone

from audits import demo as audits_demo
from audits.kka import TargetGroup
from audits.models import AuditCase, AuditRound, Recommendation, RecommendationCommitment
from meetings.models import Commitment
from portal.models import Region, User

pytestmark = pytest.mark.django_db


def test_the_demo_round_covers_every_desa_with_every_group_and_adopted_recommendations(demo):
    audits_demo.seed(log=lambda *a: None)
    audits_demo.seed(log=lambda *a: None)  # idempotent
    audit_round = AuditRound.objects.get(kabupaten_id="63.05", year=2024, semester=1)
    desa = Region.objects.filter(code__startswith="63.05.", level__in=["desa", "kelurahan"]).count()
    assert audit_round.coverage.count() == desa and not audit_round.coverage.filter(status="belum").exists()
    assert audit_round.stage == AuditRound.Stage.TINDAK_LANJUT
    cases = AuditCase.objects.filter(round=audit_round)
    assert cases.count() == desa
    assert set(cases.values_list("target_group", flat=True)) == set(TargetGroup.values)
    assert not cases.filter(risk_before="").exists() and not cases.filter(conclusion="").exists()
    assert all(case.risk_factors.exists() for case in cases[:5])
    assert cases.exclude(risk_after="").exists()

    pakar = User.objects.get(username="pakar")
    assert pakar.check_password("tapin2024") and pakar.has_role("tim_pakar")
    assert audit_round.is_team_member(pakar, "tim_pakar")

    recommendations = Recommendation.objects.filter(round=audit_round)
    assert recommendations.values("owner").distinct().count() >= 5
    adopted = Commitment.objects.filter(audit_adoption__recommendation__round=audit_round)
    assert {c.meeting.kind for c in adopted} == {"rakor"}
    statuses = set(adopted.values_list("status", flat=True))
    assert {Commitment.Status.DONE, Commitment.Status.VERIFIED} <= statuses
    assert adopted.filter(due_date__lt=timezone.localdate(), status__in=Commitment.OPEN_STATUSES).exists()
    assert recommendations.filter(adoptions__isnull=True).count() == 1  # left for the journey
    assert RecommendationCommitment.objects.count() == adopted.count()
    assert audit_round.meetings.filter(kind="konferensi_pakar").exists()


def test_the_demo_panel_and_team_have_e_mail_addresses_so_reminders_reach_them(demo):
    from audits.reminders import DEADLINES, recipients

    audits_demo.seed(log=lambda *a: None)
    audit_round = AuditRound.objects.get(kabupaten_id="63.05", year=2024, semester=1)
    panel = User.objects.filter(audit_teams__round=audit_round, audit_teams__part="tim_pakar")
    assert set(panel.values_list("username", flat=True)) == {"pakar", "pakar.obgyn", "pakar.gizi"}
    team = User.objects.filter(audit_teams__round=audit_round)
    assert not team.filter(email="").exists()
    for deadline in DEADLINES:
        people = recipients(audit_round, deadline)
        assert people and all(p.email.endswith("@tapin.example") for p in people), deadline.key
    assert all(u.check_password("tapin2024") and u.has_role("tim_pakar") for u in panel)
