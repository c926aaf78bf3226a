"""The meetings list reads a page from visible_to's union alone (each part cut at the page's
end): the same rows in the same order as the straightforward query, page after page, with a
constant number of queries."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Invitation, Meeting
from meetings.paging import VisibleMeetingsPaginator
from meetings.views import MeetingListView

from .factories import MeetingFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["dppkb", "camat.tapinutara", "camat.binuang", "dinkes", "pkk.tapinutara"]


def spread(demo, count: int) -> None:
    """Meetings before and after now, in and out of Tapin, invited by person and by office,
    chaired, drafts and cancelled ones, several starting at the same minute (ties)."""
    now = timezone.now().replace(second=0, microsecond=0)
    regions = ["63.05", "63.05.04", "63.05.01", "63.01", "63.05.01"]
    for i in range(count):
        start = now + timedelta(hours=(i // 3) * 7 - count)  # three at a time: ties
        meeting = MeetingFactory(
            title=f"Rakor TPPS {i}",  # not the factory's sequence: the same titles in any test order
            region_id=regions[i % len(regions)],
            start=start,
            end=start + timedelta(hours=1 + i % 4, days=i % 5 == 0),  # some span days
            status=[Meeting.Status.SCHEDULED, Meeting.Status.HELD, Meeting.Status.DRAFT][i % 3]
            if i % 7
            else Meeting.Status.CANCELLED,
            chair=demo.users["camat.binuang"] if i % 11 == 0 else None,
        )
        if i % 4 == 0:
            Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])
        if i % 6 == 1:
            Invitation.objects.create(meeting=meeting, person=demo.users["camat.binuang"])


def windows():
    return {
        "upcoming": Meeting.objects.upcoming().order_by("start", "pk"),
        "past": Meeting.objects.past().order_by("-start", "-pk"),
    }


def test_upcoming_and_past_are_the_plain_time_windows(demo):
    spread(demo, 60)
    now = timezone.now()

    upcoming = Meeting.objects.filter(end__gte=now).exclude(status=Meeting.Status.CANCELLED)
    assert set(Meeting.objects.upcoming()) == set(upcoming)
    assert set(Meeting.objects.past()) == set(Meeting.objects.filter(end__lt=now))


@pytest.mark.parametrize("username", PERSONAS)
def test_each_cut_gives_the_first_rows_of_the_whole_list(demo, username):
    spread(demo, 60)
    user = demo.users[username]

    for window in windows().values():
        whole = list(window.visible_to(user).values_list("pk", flat=True))
        assert whole, "the test data gives every persona something to see"
        for n in range(1, len(whole) + 2):
            assert list(window.visible_to(user, up_to=n).values_list("pk", flat=True)[:n]) == whole[:n]


@pytest.mark.parametrize("username", PERSONAS)
@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_list_pages_show_the_straightforward_rows_in_order(client, demo, monkeypatch, username, when):
    spread(demo, 60)
    monkeypatch.setattr(MeetingListView, "paginate_by", 4)
    user = demo.users[username]
    expected = list(windows()[when].visible_to(user).values_list("pk", flat=True))
    client.force_login(user)

    shown, number = [], 1
    while True:
        response = client.get(reverse("meetings:index"), {"when": when, "page": number})
        page = response.context["page_obj"]
        shown += [m.pk for m in response.context["object_list"]]
        if page.paginator.more_than is None:
            assert page.paginator.count == len(expected)
        else:  # counted up to the counted pages (or this page) and one row more
            assert page.paginator.count == page.paginator.more_than * 4 + 1 < len(expected) + 1
        if not page.has_next():
            break
        number += 1
    assert shown == expected


def test_the_pagination_links_keep_the_chosen_window(client, demo, monkeypatch):
    """Following "Next" from the past meetings stays in the past meetings (and back)."""
    spread(demo, 60)
    monkeypatch.setattr(MeetingListView, "paginate_by", 4)
    client.force_login(demo.users["dppkb"])
    first = client.get(reverse("meetings:index"), {"when": "past"})
    nxt = re.search(r'href="(\?[^"]*page=2[^"]*)"', first.content.decode())
    assert nxt, "no link to page 2"
    second = client.get(reverse("meetings:index") + html.unescape(nxt[1]))
    assert second.context["page_obj"].number == 2
    assert second.context["request"].GET["when"] == "past"
    prev = re.search(r'href="(\?[^"]*page=1[^"]*)"', second.content.decode())
    assert prev and "when=past" in html.unescape(prev[1])


def test_an_estimated_count_never_offers_a_page_after_a_short_one(demo, monkeypatch):
    spread(demo, 60)
    user = demo.users["dppkb"]
    window = windows()["past"]
    total = window.visible_to(user).count()
    monkeypatch.setattr(VisibleMeetingsPaginator, "count_up_to", 3)
    monkeypatch.setattr(VisibleMeetingsPaginator, "_planned_rows", staticmethod(lambda queryset: total + 40))

    paginator = VisibleMeetingsPaginator(window, 10, user=user, shown=lambda q: q)
    last = paginator.page((total - 1) // 10 + 1)

    assert paginator.count == total + 40  # over count_up_to: the (here too high) estimate
    assert len(last) == (total % 10 or 10)
    assert not last.has_next()
    assert len(paginator.page(paginator.num_pages)) == 0  # past the end: empty, not an error


def test_the_count_is_exact_up_to_count_up_to(demo, monkeypatch):
    spread(demo, 60)
    user = demo.users["dppkb"]
    window = windows()["upcoming"]
    total = window.visible_to(user).count()
    monkeypatch.setattr(VisibleMeetingsPaginator, "count_up_to", total)

    assert VisibleMeetingsPaginator(window, 10, user=user, shown=lambda q: q).count == total


@pytest.mark.parametrize("username", ["dppkb", "dinkes", "camat.tapinutara"])
def test_the_list_takes_the_same_queries_for_few_or_many_meetings(client, demo, monkeypatch, username):
    monkeypatch.setattr(MeetingListView, "paginate_by", 4)
    client.force_login(demo.users[username])
    spread(demo, 10)
    client.get(reverse("meetings:index"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("meetings:index"), {"when": "past"})

    spread(demo, 80)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("meetings:index"), {"when": "past", "page": 2})

    assert response.status_code == 200
    assert len(many) == len(few)


def test_filters_before_visible_to_still_apply(demo):
    spread(demo, 30)
    user = demo.users["dppkb"]
    invited = Meeting.objects.filter(invitations__organisation=demo.orgs["dinkes"])  # through a join

    assert not Meeting.objects.none().visible_to(user).exists()
    assert list(invited.visible_to(user).order_by("pk")) == [
        m for m in Meeting.objects.visible_to(user).order_by("pk") if m in set(invited)
    ]
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert set(held.visible_to(user)) == set(held) & set(Meeting.objects.visible_to(user))


@pytest.mark.parametrize("walk", [True, False])
@pytest.mark.parametrize("username", ["dinkes", "dppkb", "camat.binuang"])
def test_an_office_invitations_walked_or_looked_up_give_the_same_rows(demo, monkeypatch, username, walk):
    """Either way of finding the meetings an organisation is invited to (walking the window in
    order, or looking up each invitation's meeting) gives the first rows of the whole list."""
    from django.db.models import BooleanField, Value

    from meetings.models import meeting as meeting_module

    spread(demo, 60)
    monkeypatch.setattr(meeting_module, "_walk_pays", lambda *args: Value(walk, output_field=BooleanField()))
    user = demo.users[username]

    for window in windows().values():
        whole = list(window.visible_to(user).values_list("pk", flat=True))
        for n in range(1, len(whole) + 2):
            assert list(window.visible_to(user, up_to=n).values_list("pk", flat=True)[:n]) == whole[:n]


@pytest.mark.postgres
@pytest.mark.parametrize("username", PERSONAS)
def test_the_whole_list_read_per_region_code_gives_its_first_rows(demo, monkeypatch, username):
    """The whole list (the admin's, its date drill-down's ends) in the meetings' order or
    newest first: its region part read per region code gives the first rows of the list,
    as reading the region as one range does."""
    from meetings.models import meeting as meeting_module

    spread(demo, 60)
    user = demo.users[username]
    kept = meeting_module._by_region_code_pays

    for order in (["start", "pk"], ["-start", "-pk"]):
        whole_list = Meeting.objects.order_by(*order)
        assert kept(whole_list, user, order)  # every persona's regions are a kabupaten or below
        assert not kept(Meeting.objects.upcoming().order_by(*order), user, order)  # filtered
        assert not kept(whole_list, user, ["-start"])  # not ending with the key: arrays may not line up
        whole = list(whole_list.visible_to(user).values_list("pk", flat=True))
        for n in range(1, len(whole) + 2):
            with CaptureQueriesContext(connection) as queries:
                cut = list(whole_list.visible_to(user, up_to=n).values_list("pk", flat=True)[:n])
            assert cut == whole[:n]
            assert "unnest" in queries[0]["sql"]
            monkeypatch.setattr(meeting_module, "_by_region_code_pays", lambda *args: False)
            assert list(whole_list.visible_to(user, up_to=n).values_list("pk", flat=True)[:n]) == cut
            monkeypatch.setattr(meeting_module, "_by_region_code_pays", kept)


def test_the_window_is_walked_for_an_office_invited_to_many_meetings_only(demo):
    """The walk pays from N invitations >= sqrt(up_to * M meetings)."""
    from meetings.models.meeting import _walk_pays

    spread(demo, 60)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_meeting")  # M: the planner's row count
    dinkes = [demo.orgs["dinkes"].pk]
    assert Invitation.objects.filter(organisation_id__in=dinkes).count() == 15

    def walks(up_to: int) -> bool:
        return Meeting.objects.annotate(walk=_walk_pays(dinkes, up_to)).values_list("walk", flat=True)[0]

    meetings = Meeting.objects.count()
    assert walks(1) is (15 * 15 >= meetings)
    assert walks(3) is (15 * 15 >= 3 * meetings)
    assert walks(25) is False


@pytest.mark.parametrize("username", PERSONAS)
def test_an_unordered_cut_has_up_to_visible_meetings(demo, username):
    """Without an order any `up_to` visible meetings will do (the count): the invitations are
    left unread when the region alone has as many, and the cut still holds up_to of them."""
    spread(demo, 60)
    user = demo.users[username]

    for window in windows().values():
        whole = set(window.visible_to(user).values_list("pk", flat=True))
        for n in range(1, len(whole) + 2):
            cut = [row["pk"] for row in window.order_by().visible_ids(user, up_to=n)]
            assert len(cut) == len(set(cut)) >= min(n, len(whole))
            assert set(cut) <= whole


def _walk_the_list(client, when: str) -> list:
    """Follow "Next" from page 1; each page's number, count, more_than and pager text."""
    pages, number = [], 1
    while True:
        response = client.get(reverse("meetings:index"), {"when": when, "page": number})
        page = response.context["page_obj"]
        pager = re.search(r'aria-current="page"><span class="page-link">([^<]*)<', response.content.decode())
        pages.append((number, [m.pk for m in page], page.paginator.more_than, pager[1] if pager else None))
        if not page.has_next():
            return pages
        assert f"page={number + 1}" in response.content.decode()  # the "Next" link
        number += 1


def test_over_the_counted_pages_the_pager_says_more_than(client, demo, monkeypatch):
    """Beyond counted_pages the count stops one row after them (or after the asked page):
    "Page 1 of more than 2", every page still reachable by "Next", the end exact again."""
    spread(demo, 60)
    monkeypatch.setattr(MeetingListView, "paginate_by", 4)
    monkeypatch.setattr(MeetingListView, "counted_pages", 2)
    user = demo.users["dppkb"]
    expected = list(windows()["past"].visible_to(user).values_list("pk", flat=True))
    assert len(expected) > 4 * 4, "enough rows to be over the counted pages for a while"
    client.force_login(user)
    client.cookies["django_language"] = "en"

    pages = _walk_the_list(client, "past")

    assert [pk for _, rows, _, _ in pages for pk in rows] == expected
    last = (len(expected) - 1) // 4 + 1
    for number, _rows, more_than, pager in pages:
        if number * 4 < len(expected):  # rows after this page: counted to max(2, number) pages
            assert more_than == max(2, number)
            assert pager == f"Page {number} of more than {max(2, number)}"
        else:
            assert more_than is None
            assert pager == f"Page {number} of {last}"
    with CaptureQueriesContext(connection) as bounded:
        client.get(reverse("meetings:index"), {"when": "past", "page": 1})
    monkeypatch.setattr(MeetingListView, "counted_pages", 100)
    with CaptureQueriesContext(connection) as exact:
        client.get(reverse("meetings:index"), {"when": "past", "page": 1})
    assert len(bounded) == len(exact)  # no estimate: the same queries either way


def test_under_the_counted_pages_the_count_is_exact(client, demo, monkeypatch):
    spread(demo, 60)
    monkeypatch.setattr(MeetingListView, "paginate_by", 4)
    user = demo.users["dinkes"]
    total = windows()["upcoming"].visible_to(user).count()
    monkeypatch.setattr(MeetingListView, "counted_pages", (total - 1) // 4 + 1)  # just enough
    client.force_login(user)
    client.cookies["django_language"] = "id"

    response = client.get(reverse("meetings:index"))

    paginator = response.context["page_obj"].paginator
    assert paginator.count == total and paginator.more_than is None
    assert f"Halaman 1 dari {paginator.num_pages}<" in response.content.decode()


def test_the_more_than_pager_in_indonesian(client, demo, monkeypatch):
    spread(demo, 60)
    monkeypatch.setattr(MeetingListView, "paginate_by", 4)
    monkeypatch.setattr(MeetingListView, "counted_pages", 1)
    client.force_login(demo.users["dppkb"])
    client.cookies["django_language"] = "id"

    response = client.get(reverse("meetings:index"), {"when": "past", "page": 3})

    assert response.context["page_obj"].paginator.more_than == 3
    assert "Halaman 3 dari lebih dari 3<" in response.content.decode()


def test_a_bounded_list_still_refuses_pages_past_its_end(client, demo, monkeypatch):
    """Asking a page far past the counted ones counts up to it: past the real end it is a 404,
    as is a page number that is not one; "last" gives the last page counted, with its rows
    and a next page."""
    spread(demo, 60)
    monkeypatch.setattr(MeetingListView, "paginate_by", 4)
    monkeypatch.setattr(MeetingListView, "counted_pages", 1)
    user = demo.users["dppkb"]
    total = windows()["past"].visible_to(user).count()
    client.force_login(user)

    assert client.get(reverse("meetings:index"), {"when": "past", "page": total}).status_code == 404
    assert client.get(reverse("meetings:index"), {"when": "past", "page": "x"}).status_code == 404
    last = client.get(reverse("meetings:index"), {"when": "past", "page": "last"})
    page = last.context["page_obj"]
    assert page.number == 2 and len(page) == 4 and page.has_next()


@pytest.mark.parametrize("window", ["upcoming", "past"])
def test_the_region_index_holds_every_column_the_lists_window_reads(window):
    """The region part of a list's page is read from `meeting_published_region_start` alone:
    its keys and included columns hold every column of the meetings that the window filters on
    (without the end, the past list of a kabupaten looked up each of its 20,000 meetings)."""
    sql = str(getattr(Meeting.objects, window)().filter(region_id="63.05").values("pk").query)

    read = _meeting_columns(sql)

    assert {"start", "end", "region_id"} <= read  # the window's own columns are found
    assert read <= _index_columns("meeting_published_region_start")


def _meeting_columns(sql: str) -> set[str]:
    return set(re.findall(rf'"{Meeting._meta.db_table}"\."(\w+)"', sql))


def _leaves(q) -> list[tuple]:
    return [
        leaf for child in q.children for leaf in (_leaves(child) if hasattr(child, "children") else [child])
    ]


def _index_columns(name: str) -> set[str]:
    """The columns an index holds, and those its condition decides (a partial index)."""
    index = next(i for i in Meeting._meta.indexes if i.name == name)
    decided = [lookup.split("__")[0] for lookup, _value in _leaves(index.condition)]
    return {
        Meeting._meta.get_field(field.lstrip("-")).column
        for field in (*index.fields, *index.include, *decided)
    }


def test_the_drafts_arm_of_a_count_reads_the_draft_index_alone(demo):
    """A count of what the kabupaten's admin sees (the union in no order): its drafts arm
    filters on columns `meeting_draft` holds, so it reads no row of the table (it read every
    draft of the country's table at national scale)."""
    sql = str(Meeting.objects.order_by().visible_ids(demo.users["dppkb"], up_to=251).query)
    drafts = [
        arm for arm in sql.split(" UNION ") if re.search(r'WHERE \("meetings_meeting"\."status" = ', arm)
    ]

    assert len(drafts) == 1 and "created_by_id" in drafts[0]
    assert _meeting_columns(drafts[0]) <= _index_columns("meeting_draft")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the walk is PostgreSQL's (visible_to)")
@pytest.mark.parametrize("window", ["upcoming", "past", "admin"])
def test_the_walk_for_an_offices_invitations_reads_the_published_start_index_alone(demo, window):
    """The part of a page that walks the meetings in start order, probing each for an
    invitation of the user's office, reads only columns `meeting_published_start` holds (on the
    start index, each meeting passed was read from the table for its status and end)."""
    rows = {**windows(), "admin": Meeting.objects.order_by("-start", "-pk")}[window]
    sql = str(rows.visible_ids(demo.users["dinkes"], up_to=25).query)
    walks = [arm for arm in sql.split(" UNION ") if "LATERAL" in arm and '"meetings_invitation" U0' in arm]

    assert len(walks) == 1
    assert {"start", "id"} <= _meeting_columns(walks[0]) <= _index_columns("meeting_published_start")
