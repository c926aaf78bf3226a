import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from meetings.models import Commitment

from .factories import CommitmentFactory

pytestmark = pytest.mark.django_db

URL = reverse("meetings:my-commitments")


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_opd_focal_point_sees_their_organisations_commitments_overdue_first(client, demo, dinkes):
    later = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(10), description="Kelas ibu hamil")
    soon = CommitmentFactory(
        owner=demo.orgs["dinkes"], due_date=days(2), description="PMT balita gizi kurang"
    )
    late = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(-3), description="Data e-PPGBM")
    CommitmentFactory(owner=demo.orgs["pupr"], description="Jamban sehat")
    client.force_login(dinkes)

    response = client.get(URL)

    assert list(response.context["commitments"]) == [late, soon, later]
    assert "Jamban sehat" not in response.content.decode()


def test_closed_commitments_are_hidden_until_asked_for(client, demo, dinkes):
    open_one = CommitmentFactory(owner=demo.orgs["dinkes"])
    verified = CommitmentFactory(owner=demo.orgs["dinkes"], status=Commitment.Status.VERIFIED)
    client.force_login(dinkes)

    assert list(client.get(URL).context["commitments"]) == [open_one]
    assert list(client.get(URL, {"show": "all"}).context["commitments"]) == [open_one, verified]


def test_camat_sees_the_commitments_of_their_kecamatan(client, demo, camat_a):
    of_rakor = CommitmentFactory(owner=demo.orgs["dinsos"], meeting__region_id="63.05.04")
    of_puskesmas = CommitmentFactory(owner=demo.orgs["pkm_tapinutara"])  # from a kabupaten rakor
    CommitmentFactory(owner=demo.orgs["dinsos"])  # kabupaten rakor, kabupaten OPD: not the camat's
    client.force_login(camat_a)

    shown = set(client.get(URL).context["commitments"])

    assert shown == {of_rakor, of_puskesmas}


def test_camat_binuang_does_not_see_tapin_utara_commitments(client, demo, camat_b):
    CommitmentFactory(
        owner=demo.orgs["pkm_tapinutara"], meeting__region_id="63.05.04", description="RTL Tapin Utara"
    )
    binuang = CommitmentFactory(owner=demo.orgs["pkm_binuang"], meeting__region_id="63.05.01")
    client.force_login(camat_b)

    response = client.get(URL)

    assert list(response.context["commitments"]) == [binuang]
    assert "RTL Tapin Utara" not in response.content.decode()


def test_outsider_sees_an_empty_list(client, demo, outsider):
    CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(outsider)

    assert list(client.get(URL).context["commitments"]) == []


def test_the_list_runs_a_constant_number_of_queries(client, demo, dinkes, django_assert_max_num_queries):
    client.force_login(dinkes)
    CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    CommitmentFactory.create_batch(25, owner=demo.orgs["dinkes"], pic=dinkes, due_date=days(-1))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)

    assert len(response.context["commitments"]) == 26


def test_the_navigation_offers_my_commitments_to_the_opd_focal_point(client, dinkes):
    client.force_login(dinkes)

    response = client.get(reverse("portal:dashboard"))

    assert URL in [item["url"] for item in response.context["nav_items"]]


def test_the_list_is_usable_on_a_phone_layout(client, demo, dinkes):
    CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(-1))
    client.force_login(dinkes)

    body = client.get(URL).content.decode()

    assert 'data-testid="commitment-card"' in body
    assert "<table" not in body  # cards, not a wide table


def test_the_page_is_in_indonesian_by_default(client, demo, dinkes):
    CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(-1))
    client.force_login(dinkes)

    body = client.get(URL).content.decode()

    assert "Komitmen saya" in body
    assert "Lewat tenggat" in body


def test_the_second_page_keeps_the_closed_ones_shown(client, demo, dinkes):
    CommitmentFactory.create_batch(51, owner=demo.orgs["dinkes"], status=Commitment.Status.VERIFIED)
    client.force_login(dinkes)

    first = client.get(URL, {"show": "all"})
    second = client.get(URL, {"show": "all", "page": 2})

    assert "?show=all&amp;page=2" in first.content.decode()
    assert len(second.context["commitments"]) == 1


def test_a_long_list_is_counted_only_as_far_as_its_counted_pages(client, demo, dinkes, monkeypatch):
    from meetings.commitments.views import MyCommitmentsView

    monkeypatch.setattr(MyCommitmentsView, "counted_pages", 1)
    CommitmentFactory.create_batch(52, owner=demo.orgs["dinkes"])
    client.force_login(dinkes)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        first = client.get(URL)
    second = client.get(URL, {"page": 2})

    counts = [
        sql for sql in statements if sql.startswith('SELECT COUNT(*) FROM (SELECT "meetings_commitment"')
    ]
    # One count of the rows, stopped one row past the counted page, none of them sorted.
    assert len(counts) == 1 and "LIMIT 51" in counts[0] and "ORDER BY" not in counts[0]
    assert len(first.context["commitments"]) == 50
    assert "Halaman 1 dari lebih dari 1" in first.content.decode()
    assert "page=2" in first.content.decode()
    # Asked for, the second page is counted to its end: the whole list is known there.
    assert len(second.context["commitments"]) == 2
    assert "Halaman 2 dari 2" in second.content.decode()
    assert "page=3" not in second.content.decode()


@pytest.mark.postgres
@pytest.mark.parametrize("persona", ["camat_a", "dinkes"])
def test_the_first_pages_read_in_order_are_the_sorted_lists_pages(
    client, demo, persona, request, monkeypatch
):
    """On PostgreSQL the first pages come from `mine_first` (part by part, open ones by due
    date): the same rows in the same order as the whole list sorted, for a camat (the
    kecamatan's parts) and an OPD focal point (the organisation's and PIC parts)."""
    from meetings.commitments.views import MyCommitmentsView

    user = request.getfixturevalue(persona)
    monkeypatch.setattr(MyCommitmentsView, "paginate_by", 4)
    statuses = [Commitment.Status.OPEN, Commitment.Status.IN_PROGRESS, Commitment.Status.DONE]
    for i in range(12):  # overdue and not, open and in progress and done, tied due dates
        status = statuses[i % 3]
        CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(i // 2 - 3), status=status)
        CommitmentFactory(owner=demo.orgs["pkm_tapinutara"], due_date=days(i // 3 - 2), status=status)
        CommitmentFactory(owner=demo.orgs["dinsos"], meeting__region_id="63.05.04", due_date=days(i - 5))
    CommitmentFactory(owner=demo.orgs["pupr"], pic=user, due_date=days(-9))  # theirs as PIC
    CommitmentFactory(owner=demo.orgs["pupr"], due_date=days(-9))  # neither's
    sorted_list = list(
        Commitment.objects.mine(user).exclude(status__in=Commitment.CLOSED_STATUSES).overdue_first()
    )
    assert Commitment.objects.mine_first(user, 4) == [c.pk for c in sorted_list[:4]]
    client.force_login(user)

    count = -(-len(sorted_list) // 4)
    pages = [list(client.get(URL, {"page": n}).context["commitments"]) for n in range(1, count + 1)]

    assert [c for page in pages for c in page] == sorted_list
    assert len(sorted_list) > 4 * MyCommitmentsView.pages_in_order  # past the pages read in order too
