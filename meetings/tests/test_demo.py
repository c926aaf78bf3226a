import pytest
from django.utils import timezone

from meetings import demo as meetings_demo
from meetings.models import Commitment, Meeting

pytestmark = pytest.mark.django_db


def test_demo_seeds_the_meetings_of_the_issue_and_is_idempotent(demo):
    meetings_demo.seed(log=lambda *a: None)
    counts = (Meeting.objects.count(), Commitment.objects.count())
    meetings_demo.seed(log=lambda *a: None)

    assert (Meeting.objects.count(), Commitment.objects.count()) == counts
    rakor = Meeting.objects.get(title__contains="Evaluasi Hasil Audit")
    assert {o.short_name for o in rakor.organisers.all()} == {"TPPS Tapin", "DPPKB Tapin", "Bappelitbang"}
    assert rakor.minutes.status == "approved" and rakor.minutes.version == 2
    owners = {c.owner.short_name or c.owner.name for c in rakor.commitments.all()}
    assert {"Dinkes Tapin", "Dinsos Tapin", "PUPR Tapin", "DPMD Tapin", "Puskesmas Tapin Utara"} <= owners
    petik = Meeting.objects.get(kind="petik_aksi")
    assert (petik.region_id, petik.mode, timezone.localtime(petik.start).date().isoformat()) == (
        "63.01",
        "hybrid",
        "2023-07-31",
    )
    assert Meeting.objects.filter(region_id="63.05.04").exists()
    assert Meeting.objects.upcoming().count() >= 2
    today = timezone.localdate()
    assert Commitment.objects.overdue().exists()
    assert (
        Commitment.objects.open()
        .filter(due_date__gte=today, due_date__lte=today + timezone.timedelta(days=7))
        .exists()
    )


def test_demo_commitments_carry_their_history_once(demo):
    meetings_demo.seed(log=lambda *a: None)
    meetings_demo.seed(log=lambda *a: None)

    rakor = Meeting.objects.get(title__contains="Evaluasi Hasil Audit")
    for commitment in rakor.commitments.all():
        history = list(commitment.updates.order_by("created_at"))
        assert history[0].status_to == "open" and history[0].created_at == rakor.end
        assert history[-1].status_to == commitment.status
        assert len(history) == (1 if commitment.status == "open" else 2)
