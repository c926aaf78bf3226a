import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Commitment, Meeting

pytestmark = pytest.mark.django_db


def make_meeting(region, title, days):
    start = timezone.now() + datetime.timedelta(days=days)
    return Meeting.objects.create(
        title=title,
        region_id=region,
        start=start,
        end=start + datetime.timedelta(hours=2),
        status=Meeting.Status.SCHEDULED,
        venue="Aula",
    )


def test_dashboard_shows_upcoming_meetings_and_late_commitments_of_the_camat_only(client, camat_a, demo):
    own = make_meeting("63.05.04", "Rakor Kecamatan Tapin Utara", 3)
    make_meeting("63.05.01", "Rakor Kecamatan Binuang", 2)
    Commitment.objects.create(
        meeting=own,
        description="Sweeping imunisasi",
        owner=demo.orgs["pkm_tapinutara"],
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    client.force_login(camat_a)

    response = client.get(reverse("portal:dashboard"))

    card = next(c for c in response.context["cards"] if c["template"] == "meetings/_dashboard_card.html")
    assert [m.title for m in card["upcoming"]] == ["Rakor Kecamatan Tapin Utara"]
    assert (card["open"], card["overdue"]) == (1, 1)
    page = response.content.decode()
    assert "Rakor Kecamatan Tapin Utara" in page and "Rakor Kecamatan Binuang" not in page


def test_dashboard_runs_a_bounded_number_of_queries(client, dppkb, demo, django_assert_max_num_queries):
    for day in range(1, 8):
        make_meeting("63.05", f"Rakor {day}", day)
    client.force_login(dppkb)
    with django_assert_max_num_queries(20):
        client.get(reverse("portal:dashboard"))


@pytest.mark.parametrize("username", ["dppkb", "camat.tapinutara", "dinkes", "pkk.tapinutara"])
def test_the_card_lists_the_first_three_meetings_the_person_sees(demo, username):
    """The card reads the first three rows of each part of visible_to's union only: the same
    three meetings as the whole list, ties at the same start included."""
    from meetings.dashboard import _aggregates
    from meetings.models import Invitation

    for i, region in enumerate(["63.05", "63.05.04", "63.05.01", "63.01", "63.05.04", "63.05"] * 2):
        meeting = make_meeting(region, f"Rakor {i}", 1 + i // 4)  # four at a time: ties
        if i % 3 == 0:
            Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])
    user = demo.users[username]
    whole = list(Meeting.objects.upcoming().visible_to(user).order_by("start", "pk"))
    assert len(whole) > 3
    assert _aggregates(user).value["upcoming"] == whole[:3]
