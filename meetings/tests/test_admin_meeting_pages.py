"""The meetings changelist applies its filters and search inside visible_to's union and reads
a page from it alone: the same rows in the same order as the scoped queryset filtered the
straightforward way, page after page, with a constant number of queries."""

import pytest
from django.db import connection
from django.db.models import Max, Min, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.admin import MeetingAdmin
from meetings.models import Invitation, Meeting

from .factories import MeetingFactory
from .test_meeting_list_pages import spread

pytestmark = pytest.mark.django_db

URL = "admin:meetings_meeting_changelist"


def straightforward(user, query: dict) -> list[int]:
    meetings = Meeting.objects.visible_to(user)
    if "status" in query:
        meetings = meetings.filter(status=query["status"])
    for term in query.get("q", "").split():  # as Django admin searches: every word somewhere
        meetings = meetings.filter(Q(title__icontains=term) | Q(venue__icontains=term))
    return list(meetings.order_by("-start", "-pk").values_list("pk", flat=True))


def shown_pages(client, query: dict) -> tuple[list[int], int]:
    shown, number, count = [], 1, None
    while True:
        response = client.get(reverse(URL), {**query, "p": number})
        assert response.status_code == 200
        changelist = response.context["cl"]
        shown += [m.pk for m in changelist.result_list]
        count = changelist.result_count
        if number >= changelist.paginator.num_pages:
            return shown, count
        number += 1


@pytest.mark.parametrize("username", ["dppkb", "notulis", "camat.tapinutara", "dinkes"])
@pytest.mark.parametrize("query", [{}, {"status": "held"}, {"q": "Rakor TPPS 1", "status": "scheduled"}])
def test_changelist_pages_show_the_straightforward_rows_in_order(client, demo, monkeypatch, username, query):
    spread(demo, 60)
    monkeypatch.setattr(MeetingAdmin, "list_per_page", 4)
    user = demo.users[username]
    user.is_staff = True
    user.save()
    client.force_login(user)
    expected = straightforward(user, query)

    shown, count = shown_pages(client, query)

    assert shown == expected
    assert count == len(expected)


def test_changelist_takes_the_same_queries_for_few_or_many_meetings(client, demo, monkeypatch, dppkb):
    monkeypatch.setattr(MeetingAdmin, "list_per_page", 4)
    client.force_login(dppkb)
    spread(demo, 10)
    client.get(reverse(URL))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL), {"status": "held"})

    spread(demo, 80)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(URL), {"status": "held", "p": 2})

    assert response.status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "query, walks",
    [
        ({}, True),
        ({"start__year": "2026"}, True),  # a drill-down is a range of the start index
        ({"status": "held"}, False),
        ({"kind": "rakor"}, False),
        ({"q": "Rakor"}, False),
    ],
)
def test_changelist_walks_only_the_unfiltered_list(client, demo, monkeypatch, query, walks):
    spread(demo, 30)
    monkeypatch.setattr(MeetingAdmin, "list_per_page", 4)
    dinkes = demo.users["dinkes"]  # invited through an office: the part that walks
    dinkes.is_staff = True
    dinkes.save()
    client.force_login(dinkes)
    walked = []
    original = Meeting.objects.none().visible_ids.__func__

    def visible_ids(self, user, *, up_to=None, walk=True):
        if up_to is not None and self.query.order_by:  # a page or a date bound: what may walk
            walked.append(walk)
        return original(self, user, up_to=up_to, walk=walk)

    monkeypatch.setattr(type(Meeting.objects.none()), "visible_ids", visible_ids)

    response = client.get(reverse(URL), query)

    assert response.status_code == 200
    assert response.context["cl"].walk is walks
    # The page and the first and last date; filtered, both dates come from visible_bounds.
    assert walked == ([True] * 3 if walks else [False])


@pytest.mark.parametrize("query", [{}, {"status": "held"}, {"q": "Rakor"}])
def test_changelist_queries_stay_constant_walked_or_not(client, demo, monkeypatch, settings, query):
    # Every request computes its first and last date (the whole list's are cached, and the
    # writes below renew them): the queries of a page read afresh, for few or many meetings.
    settings.DASHBOARD_CACHE_SECONDS = 0
    monkeypatch.setattr(MeetingAdmin, "list_per_page", 4)
    dinkes = demo.users["dinkes"]
    dinkes.is_staff = True
    dinkes.save()
    client.force_login(dinkes)
    spread(demo, 10)
    client.get(reverse(URL), query)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL), query)

    spread(demo, 80)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(URL), {**query, "p": 2})

    assert response.status_code == 200
    assert len(many) == len(few)


def test_changelist_stays_in_scope_walked_or_not(client, demo, dppkb):
    """Every row of the unfiltered (walked) and the filtered list is one visible_to allows."""
    spread(demo, 40)
    client.force_login(dppkb)
    visible = set(Meeting.objects.visible_to(dppkb).values_list("pk", flat=True))
    outside = set(Meeting.objects.values_list("pk", flat=True)) - visible
    assert outside  # the data has meetings the user may not see
    for query in ({}, {"status": "held"}, {"q": "Rakor"}):
        shown, _ = shown_pages(client, query)
        assert shown and set(shown) <= visible


@pytest.mark.parametrize("username", ["dppkb", "notulis", "dinkes"])
@pytest.mark.parametrize(
    "query", [{"status": "held"}, {"q": "Rakor"}, {"q": "Rakor TPPS 1", "status": "scheduled"}]
)
def test_filtered_changelist_dates_are_the_visible_meetings_first_and_last(client, demo, username, query):
    """The drill-down's first and last date of a filtered list (visible_bounds, not walked) are
    those of the meetings visible_to allows and the filters keep, invitations included."""
    spread(demo, 40)
    user = demo.users[username]
    user.is_staff = True
    user.save()
    client.force_login(user)
    expected = Meeting.objects.filter(pk__in=straightforward(user, query)).aggregate(
        first=Min("start"), last=Max("start")
    )
    assert expected["first"] is not None

    response = client.get(reverse(URL), query)

    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.walk is False
    assert changelist.date_bounds() == expected


def test_visible_bounds_are_empty_and_scoped(demo, dppkb):
    spread(demo, 20)
    assert Meeting.objects.filter(title="no such meeting").visible_bounds(dppkb, "start") == {
        "first": None,
        "last": None,
    }
    visible = Meeting.objects.visible_to(dppkb)
    assert Meeting.objects.all().visible_bounds(dppkb, "start") == visible.aggregate(
        first=Min("start"), last=Max("start")
    )


def test_visible_bounds_of_a_user_speaking_for_no_organisation(demo):
    from meetings.models.meeting import user_organisations

    spread(demo, 20)
    notulis = demo.users["notulis"]
    notulis.organisation = None
    notulis.save()
    assert user_organisations(notulis) == []  # only the person's own invitations part
    held = Meeting.objects.filter(status="held")
    assert held.visible_bounds(notulis, "start") == held.visible_to(notulis).aggregate(
        first=Min("start"), last=Max("start")
    )


def _dates(client) -> tuple[dict, int, str]:
    """The whole list's first and last date as the page shows them, its queries and HTML."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(URL))
    assert response.status_code == 200
    return response.context["cl"].date_bounds(), len(queries), response.content.decode()


def _visible_dates(user) -> dict:
    return Meeting.objects.visible_to(user).aggregate(first=Min("start"), last=Max("start"))


def test_the_whole_lists_dates_are_cached_per_user_and_renewed_by_writes(client, demo, dppkb, camat_a):
    """The drill-down's first and last date of the unfiltered list come from the cache until a
    meeting or an invitation is written, and never from another user's entry."""
    spread(demo, 20)
    client.force_login(dppkb)
    first, _queries, _html = _dates(client)  # (also reads the user's rights, once)
    again, warm, _html = _dates(client)
    assert first == again == _visible_dates(dppkb)

    later = MeetingFactory(
        region_id="63.05", status=Meeting.Status.SCHEDULED, start=first["last"].replace(year=2031)
    )
    dates, renewed, html = _dates(client)
    assert renewed == warm + 2  # the two one-row pages of the first and last date, read again
    assert dates == _visible_dates(dppkb) and dates["last"] == later.start
    assert "start__year=2031" in html
    assert _dates(client)[1] == warm

    # Outside the kabupaten: not on its list until the DPPKB admin is invited.
    outside = MeetingFactory(
        region_id="63.01", status=Meeting.Status.SCHEDULED, start=first["first"].replace(year=2019)
    )
    assert "start__year=2019" not in _dates(client)[2]
    Invitation.objects.create(meeting=outside, person=dppkb)
    dates, _queries, html = _dates(client)
    assert dates["first"] == outside.start and "start__year=2019" in html

    camat_a.is_staff = True
    camat_a.save()
    client.force_login(camat_a)
    dates, _queries, html = _dates(client)
    assert dates == _visible_dates(camat_a) != _visible_dates(dppkb)
    assert "start__year=2019" not in html
