"""Recommendations adopted as commitments of a diseminasi or rakor, in one step, through the
commitments services; the recommendation shows its commitments' status (never stored twice)
and the commitment page says where it came from (the meetings hook)."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audits import evaluation, services
from audits.models import Recommendation, RecommendationCommitment
from meetings.models import Commitment, CommitmentUpdate, Meeting
from meetings.tests.factories import MeetingFactory
from portal.models import Notification, Organisation

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def rakor(dppkb):
    return MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05", created_by=dppkb)


@pytest.fixture
def recommendation(audit_round, teknis, pakar, demo):
    case = make_case(audit_round, teknis)
    return services.add_recommendation(
        audit_round=audit_round,
        acting_user=pakar,
        case=case,
        text="PMT lokal dan pemantauan pertumbuhan bulanan",
        intervention_type="spesifik",
        owner=demo.orgs["dinkes"],
        priority=1,
    )


def test_the_secretariat_adopts_a_recommendation_into_the_rakor_in_one_step(
    client, notulis, rakor, recommendation, dinkes
):
    due = timezone.localdate() + timedelta(days=60)
    client.force_login(notulis)
    response = client.post(
        reverse("audits:adopt", args=[recommendation.round_id]),
        {"meeting": rakor.pk, f"adopt_{recommendation.pk}": "on", f"due_{recommendation.pk}": due.isoformat(),
         f"pic_{recommendation.pk}": dinkes.pk},
    )  # fmt: skip
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.meeting, commitment.owner, commitment.pic, commitment.due_date) == (
        rakor, recommendation.owner, dinkes, due
    )  # fmt: skip
    assert (commitment.description, commitment.intervention_type) == (recommendation.text, "spesifik")
    assert commitment.created_by == notulis
    assert CommitmentUpdate.objects.get(commitment=commitment).author == notulis  # the service's history row
    assert RecommendationCommitment.objects.get().adopted_by == notulis
    assert list(recommendation.commitments.all()) == [commitment]
    told = Notification.objects.filter(rule__startswith="recommendation_adopted")
    assert dinkes in {n.recipient for n in told}


def test_the_recommendation_shows_its_commitment_status_read_from_the_commitment(
    client, notulis, rakor, recommendation, dinkes
):
    (commitment,) = services.adopt_recommendations(
        meeting=rakor,
        adoptions=[{"recommendation": recommendation, "due_date": date(2030, 1, 1)}],
        acting_user=notulis,
    )
    assert not evaluation.with_done(Recommendation.objects.all()).get().done
    Commitment.objects.filter(pk=commitment.pk).update(status=Commitment.Status.VERIFIED)
    assert evaluation.with_done(Recommendation.objects.all()).get().done
    client.force_login(dinkes)  # the owner's focal point sees the recommendation it owns
    html = client.get(recommendation.get_absolute_url()).content.decode()
    assert rakor.title in html
    assert "Terverifikasi" in html


def test_the_commitment_page_says_which_recommendation_it_came_from(client, notulis, rakor, recommendation):
    (commitment,) = services.adopt_recommendations(
        meeting=rakor,
        adoptions=[{"recommendation": recommendation, "due_date": date(2030, 1, 1)}],
        acting_user=notulis,
    )
    client.force_login(notulis)
    html = client.get(commitment.get_absolute_url()).content.decode()
    assert recommendation.get_absolute_url() in html
    assert str(recommendation.round) in html


def test_a_commitment_without_a_recommendation_has_no_origin(client, notulis, rakor, dinkes, demo):
    commitment = services.commitment_services.create_commitment(
        meeting=rakor, description="Tanpa asal", owner=demo.orgs["dinkes"], due_date=date(2030, 1, 1),
        acting_user=notulis,
    )  # fmt: skip
    client.force_login(notulis)
    assert client.get(commitment.get_absolute_url()).context["origins"] == []


@pytest.mark.parametrize("who", ["pakar", "camat_a", "dinkes", "teknis"])
def test_only_the_secretariat_adopts(client, who, request, rakor, recommendation):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(
        reverse("audits:adopt", args=[recommendation.round_id]),
        {"meeting": rakor.pk, f"adopt_{recommendation.pk}": "on", f"due_{recommendation.pk}": "2030-01-01"},
    )
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        services.adopt_recommendations(
            meeting=rakor, adoptions=[{"recommendation": recommendation, "due_date": date(2030, 1, 1)}],
            acting_user=user,
        )  # fmt: skip
    assert not Commitment.objects.exists() and not RecommendationCommitment.objects.exists()


def test_recommendations_are_adopted_only_at_a_diseminasi_or_rakor_of_the_kabupaten(notulis, recommendation):
    petik = MeetingFactory(kind=Meeting.Kind.PETIK_AKSI, region_id="63.05")
    other = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.01")
    for meeting in (petik, other):
        with pytest.raises((ValidationError, PermissionDenied)):
            services.adopt_recommendations(
                meeting=meeting, adoptions=[{"recommendation": recommendation, "due_date": date(2030, 1, 1)}],
                acting_user=notulis,
            )  # fmt: skip
    assert not Commitment.objects.exists()


def test_adoption_is_all_or_nothing(notulis, rakor, recommendation, audit_round, pakar):
    other = services.add_recommendation(
        audit_round=audit_round, acting_user=pakar, text="Jamban sehat", intervention_type="sensitif",
        owner=Organisation.objects.get(short_name="PUPR Tapin"),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.adopt_recommendations(
            meeting=rakor,
            adoptions=[
                {"recommendation": recommendation, "due_date": date(2030, 1, 1)},
                {"recommendation": other, "due_date": None},  # a due date is required
            ],
            acting_user=notulis,
        )
    assert not Commitment.objects.exists() and not RecommendationCommitment.objects.exists()


def test_the_adopt_form_needs_a_due_date_for_each_ticked_recommendation(
    client, notulis, rakor, recommendation
):
    client.force_login(notulis)
    response = client.post(
        reverse("audits:adopt", args=[recommendation.round_id]),
        {"meeting": rakor.pk, f"adopt_{recommendation.pk}": "on", f"due_{recommendation.pk}": ""},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Commitment.objects.exists()


def test_a_recommendation_belongs_to_a_body_of_the_rounds_kabupaten(audit_round, pakar):
    tanah_laut = Organisation.objects.get(short_name="TPPS Tanah Laut")
    with pytest.raises(ValidationError):
        services.add_recommendation(
            audit_round=audit_round,
            acting_user=pakar,
            text="x",
            intervention_type="sensitif",
            owner=tanah_laut,
        )
    assert not Recommendation.objects.exists()


def test_meetings_never_imports_audits():
    root = Path(__file__).resolve().parents[2] / "meetings"
    offenders = [
        str(path)
        for path in root.rglob("*.py")
        if "import audits" in path.read_text() or "from audits" in path.read_text()
    ]
    assert offenders == []
