"""Evaluasi RTL: per round, the share of recommendations carried out by OPD; per case, the risk change."""

from datetime import date

import pytest

from audits import evaluation, services
from audits.models import AuditCase, Recommendation
from meetings.models import Commitment, Meeting
from meetings.tests.factories import MeetingFactory

from .factories import make_case

pytestmark = pytest.mark.django_db


def recommend(audit_round, pakar, owner, text):
    return services.add_recommendation(
        audit_round=audit_round, acting_user=pakar, text=text, intervention_type="sensitif", owner=owner
    )


def test_the_share_of_recommendations_carried_out_is_counted_per_organisation(
    audit_round, pakar, notulis, demo
):
    rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05")
    dinkes, pupr = demo.orgs["dinkes"], demo.orgs["pupr"]
    recs = [recommend(audit_round, pakar, dinkes, f"Dinkes {i}") for i in range(3)]
    recs.append(recommend(audit_round, pakar, pupr, "PUPR"))
    commitments = services.adopt_recommendations(
        meeting=rakor,
        adoptions=[{"recommendation": r, "due_date": date(2030, 1, 1)} for r in recs[:3]],
        acting_user=notulis,
    )
    Commitment.objects.filter(pk=commitments[0].pk).update(status=Commitment.Status.VERIFIED)
    Commitment.objects.filter(pk=commitments[1].pk).update(status=Commitment.Status.DONE)
    rows = {r["owner__name"]: r for r in evaluation.done_by_owner(Recommendation.objects.all())}
    assert (rows[dinkes.name]["done"], rows[dinkes.name]["total"], rows[dinkes.name]["share"]) == (2, 3, 66)
    assert (rows[pupr.name]["done"], rows[pupr.name]["total"], rows[pupr.name]["share"]) == (0, 1, 0)
    assert evaluation.done_totals(Recommendation.objects.all()) == {"total": 4, "done": 2, "share": 50}


def test_a_recommendation_adopted_twice_counts_once(audit_round, pakar, notulis, demo):
    rec = recommend(audit_round, pakar, demo.orgs["dinkes"], "Sekali")
    for _ in range(2):
        rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05")
        (c,) = services.adopt_recommendations(
            meeting=rakor,
            adoptions=[{"recommendation": rec, "due_date": date(2030, 1, 1)}],
            acting_user=notulis,
        )
        Commitment.objects.filter(pk=c.pk).update(status=Commitment.Status.DONE)
    assert evaluation.done_totals(Recommendation.objects.all()) == {"total": 1, "done": 1, "share": 100}


def test_risk_change_counts_evaluated_cases(audit_round, teknis, pakar):
    for number, (before, after) in enumerate(
        [("tinggi", "rendah"), ("sedang", "sedang"), ("rendah", "tinggi")], 1
    ):
        case = make_case(audit_round, teknis, number=number)
        services.review_case(
            case=case, acting_user=pakar, audit_date=date(2024, 5, 6), conclusion="x", risk_before=before
        )
        services.evaluate_case(
            case=case, acting_user=teknis, risk_after=after, carried_out=True, evaluated_at=date(2024, 10, 1)
        )
    make_case(audit_round, teknis, number=4)
    assert evaluation.risk_change(AuditCase.objects.all()) == {
        "lower": 1,
        "same": 1,
        "higher": 1,
        "evaluated": 3,
    }


def test_the_round_page_shows_the_share_done_by_organisation(
    client, audit_round, pakar, notulis, demo, dppkb
):
    rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05")
    rec = recommend(audit_round, pakar, demo.orgs["dinkes"], "PMT")
    (c,) = services.adopt_recommendations(
        meeting=rakor, adoptions=[{"recommendation": rec, "due_date": date(2030, 1, 1)}], acting_user=notulis
    )
    Commitment.objects.filter(pk=c.pk).update(status=Commitment.Status.VERIFIED)
    client.force_login(dppkb)
    response = client.get(audit_round.get_absolute_url())
    assert response.context["done_by_owner"][0]["share"] == 100
    assert 'data-testid="done-by-owner"' in response.content.decode()
