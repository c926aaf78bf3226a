"""Admin changelists at national scale: counts that stop counting, a date drill-down from the
first and last dates, substring search served by trigram indexes (PostgreSQL only), and pages
whose query count does not grow with the rows."""

import datetime as dt
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.db import connection, transaction
from django.forms import CheckboxInput
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from meetings.models import Commitment
from meetings.tests.factories import CommitmentFactory, MeetingFactory
from portal.admin_paging import EstimatedCountPaginator, LargeListMixin, without_sequential_scans
from portal.search_indexes import AddTrigramSearchIndex
from portal.templatetags.admin_periods import Periods
from trainings.tests.factories import TrainingFactory, enroll, person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MEETINGS = reverse("admin:meetings_meeting_changelist")
ENROLLMENTS = reverse("admin:trainings_enrollment_changelist")
COMMITMENTS = reverse("admin:meetings_commitment_changelist")


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def at(year, month, day):
    return timezone.make_aware(dt.datetime(year, month, day, 9))


def test_a_filtered_list_is_counted_exactly_up_to_the_cap_then_estimated(demo, monkeypatch):
    CommitmentFactory.create_batch(5, owner=demo.orgs["pupr"])
    mine = Commitment.objects.filter(owner=demo.orgs["pupr"])

    assert EstimatedCountPaginator(mine, 2).count == 5
    monkeypatch.setattr(EstimatedCountPaginator, "count_up_to", 3)
    # Past the cap: at least what was counted (cap + 1), or the planner's estimate if higher.
    assert EstimatedCountPaginator(mine, 2).count >= 4
    assert EstimatedCountPaginator(mine.filter(pk=mine.first().pk), 2).count == 1


def test_the_date_drill_down_lists_every_year_from_the_first_meeting_to_the_last(admin_client, demo):
    MeetingFactory(region_id="63.05", start=at(2023, 3, 1))
    MeetingFactory(region_id="63.05", start=at(2025, 7, 1))

    years = admin_client.get(MEETINGS).content.decode()
    months = admin_client.get(MEETINGS, {"start__year": "2025"}).content.decode()

    assert all(f"start__year={year}" in years for year in (2023, 2024, 2025))
    assert "start__year=2022" not in years and "start__year=2026" not in years
    assert "start__month=7" in months and "start__month=6" not in months


def test_the_date_drill_down_starts_from_the_users_own_meetings(client, dppkb, demo):
    MeetingFactory(region_id="63.05", start=at(2024, 5, 1))
    MeetingFactory(region_id="63.05", start=at(2024, 5, 20))
    MeetingFactory(region_id="63.01", start=at(2019, 1, 1))  # another kabupaten's
    client.force_login(dppkb)

    page = client.get(MEETINGS).content.decode()

    # One month of the user's own meetings: Django opens that month's days.
    assert "start__day=1" in page and "start__day=20" in page and "2019" not in page


@pytest.mark.parametrize(
    ("url", "model"),
    [
        (MEETINGS, "meetings_meeting"),
        (COMMITMENTS, "meetings_commitment"),
        (ENROLLMENTS, "trainings_enrollment"),
    ],
)
def test_each_row_of_a_large_list_links_to_its_own_change_page(admin_client, camat_a, demo, url, model):
    enroll(TrainingFactory(), camat_a)
    CommitmentFactory.create_batch(2, owner=demo.orgs["pupr"])

    response = admin_client.get(url)

    rows = list(response.context["cl"].result_list)
    assert rows
    page = response.content.decode()
    for row in rows:
        assert f'href="{reverse(f"admin:{model}_change", args=[row.pk])}"' in page


@pytest.mark.parametrize(
    ("url", "model", "query"),
    [
        (MEETINGS, "meetings_meeting", {"status": "held"}),
        (COMMITMENTS, "meetings_commitment", {"q": "tablet"}),
        (ENROLLMENTS, "trainings_enrollment", {"status": "confirmed"}),
    ],
)
def test_a_filtered_lists_rows_link_with_the_filters_without_matching_each_link_again(
    admin_client, camat_a, demo, monkeypatch, url, model, query
):
    """Each row's link keeps the list's filters (back from the change page to the same list),
    as Django's add_preserved_filters writes them, without resolving every row's link again."""
    from django.contrib.admin.templatetags import admin_urls

    for _ in range(2):
        enroll(TrainingFactory(), camat_a)
    CommitmentFactory.create_batch(2, owner=demo.orgs["pupr"])
    resolved = []
    resolve = admin_urls.resolve
    monkeypatch.setattr(admin_urls, "resolve", lambda path: resolved.append(path) or resolve(path))

    response = admin_client.get(url, query)

    rows_resolved = [path for path in resolved if "/change/" in path]
    rows = list(response.context["cl"].result_list)
    assert len(rows) > 1
    filters = urlencode({"_changelist_filters": urlencode(query)})
    page = response.content.decode()
    for row in rows:
        change = reverse(f"admin:{model}_change", args=[row.pk])
        expected = add_preserved_filters({"preserved_filters": filters, "opts": row._meta}, change)
        assert expected == f"{change}?{filters}"
        assert f'href="{escape(expected)}"' in page
    assert rows_resolved == []


def test_periods_span_the_first_to_the_last_date():
    periods = Periods(None, "start")
    periods.bounds = {"first": at(2024, 11, 30), "last": at(2025, 2, 2)}

    assert [d.year for d in periods.dates("start", "year")] == [2024, 2025]
    assert [(d.year, d.month) for d in periods.dates("start", "month")] == [
        (2024, 11), (2024, 12), (2025, 1), (2025, 2),
    ]  # fmt: skip
    assert len(periods.datetimes("start", "day")) == 65
    periods.bounds = {"first": None, "last": None}
    assert periods.dates("start", "year") == []


def test_the_action_checkbox_is_the_markup_django_renders(demo):
    commitment = CommitmentFactory(owner=demo.orgs["pupr"])
    label = f"Select this object for an action - {commitment}"
    django = CheckboxInput({"class": "action-select", "aria-label": label}, lambda value: False)

    assert LargeListMixin().action_checkbox(commitment) == django.render(
        ACTION_CHECKBOX_NAME, str(commitment.pk)
    )


@pytest.mark.parametrize(
    "url, model, field, word",
    [
        (COMMITMENTS, "commitment", "description", "jamban"),
        (MEETINGS, "meeting", "title", "stunting"),
    ],
)
def test_search_finds_by_substring_in_any_case(admin_client, demo, url, model, field, word):
    if model == "commitment":
        found = CommitmentFactory(owner=demo.orgs["pupr"], description="Bangun JAMBAN sehat di desa")
        CommitmentFactory(owner=demo.orgs["pupr"], description="Posyandu")
    else:
        found = MeetingFactory(region_id="63.05", title="Rakor percepatan penurunan Stunting")
        MeetingFactory(region_id="63.05", title="Rapat lain")

    listed = admin_client.get(url, {"q": word[1:-1]}).context["cl"].result_list

    assert list(listed) == [found]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_searched_columns_have_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%'")
        indexes = dict(cursor.fetchall())

    assert {
        "commitment_description_trgm",
        "meeting_title_trgm",
        "meeting_venue_trgm",
        "user_full_name_trgm",
        "user_username_trgm",
        "enrollment_certificate_trgm",
    } <= set(indexes)
    assert "upper(description)" in indexes["commitment_description_trgm"]


def test_the_trigram_index_operation_does_nothing_outside_postgresql():
    executed = []
    editor = SimpleNamespace(
        connection=SimpleNamespace(vendor="sqlite", alias="default"), execute=executed.append
    )
    operation = AddTrigramSearchIndex("commitment", "description", name="commitment_description_trgm")

    operation.database_forwards("meetings", editor, None, None)
    operation.database_backwards("meetings", editor, None, None)

    assert executed == []


def test_the_meetings_list_runs_a_constant_number_of_queries(
    client, dppkb, demo, django_assert_max_num_queries
):
    MeetingFactory(region_id="63.05", start=at(2024, 1, 5))
    client.force_login(dppkb)
    with django_assert_max_num_queries(40) as few:
        client.get(MEETINGS, {"q": "a"})
    for year in (2021, 2022, 2023):
        MeetingFactory.create_batch(4, region_id="63.05.01", start=at(year, 6, 1))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MEETINGS, {"q": "a"})

    assert response.status_code == 200


def test_the_enrollments_list_runs_a_constant_number_of_queries(
    client, dppkb, camat_a, demo, django_assert_max_num_queries
):
    enroll(TrainingFactory(), camat_a)
    client.force_login(dppkb)
    with django_assert_max_num_queries(40) as few:
        client.get(ENROLLMENTS)
    for n in range(4):
        training = TrainingFactory()
        for m in range(3):
            enroll(training, person(f"peserta.{n}.{m}", region="63.05.01", full_name=f"Peserta {n}{m}"))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ENROLLMENTS)

    assert len(response.context["cl"].result_list) == 13


def test_enrollments_are_listed_latest_first(admin_client, camat_a, pkk, demo):
    training = TrainingFactory()
    first = enroll(training, camat_a)
    second = enroll(TrainingFactory(), pkk)

    assert list(admin_client.get(ENROLLMENTS).context["cl"].result_list) == [second, first]


def test_the_kabupaten_filter_lists_a_bounded_number_and_keeps_the_chosen_one(
    admin_client, camat_a, demo, monkeypatch
):
    from trainings.admin import KabupatenFilter

    training = TrainingFactory()
    enroll(training, camat_a)
    tanah_laut = enroll(training, person("camat.z", region="63.01.01", full_name="Orang Tanah Laut"))
    monkeypatch.setattr(KabupatenFilter, "limit", 1)

    def kabupaten_choices(params):
        cl = admin_client.get(ENROLLMENTS, params).context["cl"]
        spec = next(f for f in cl.filter_specs if isinstance(f, KabupatenFilter))
        return [code for code, _name in spec.lookup_choices], list(cl.result_list)

    assert kabupaten_choices({})[0] == ["63.01"]
    assert kabupaten_choices({"kabupaten": "63.01"}) == (["63.01"], [tanah_laut])
    codes, listed = kabupaten_choices({"kabupaten": "63.05"})
    assert codes == ["63.01", "63.05"] and [e.person for e in listed] == [camat_a]
    assert admin_client.get(ENROLLMENTS, {"kabupaten": "63.99"}).url.endswith("?e=1")


def test_the_kabupaten_choices_are_those_of_the_enrollments_each_user_may_see(
    demo, dppkb, bkkbn, camat_a, outsider, django_user_model
):
    from portal.models import Organisation
    from trainings.models import Enrollment

    kalsel = TrainingFactory()
    tanah_laut = TrainingFactory(organiser=Organisation.objects.get(name="TPPS Kabupaten Tanah Laut"))
    other = person("camat.z", region="63.01.01", full_name="Orang Tanah Laut")
    enroll(kalsel, camat_a)
    enroll(kalsel, other)
    enroll(tanah_laut, other)
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    inactive = django_user_model.objects.create_superuser("gone", "gone@example.org", "x", is_active=False)

    def choices(user, limit=25):
        return list(Enrollment.objects.visible_kabupaten_codes(user, limit))

    # The union of the rule's parts gives what the rule gives, in code order, each code once.
    for user in (dppkb, bkkbn, camat_a, other, outsider, superuser, inactive):
        visible = Enrollment.objects.visible_to(user).exclude(kabupaten=None)
        assert choices(user) == sorted(set(visible.values_list("kabupaten_id", flat=True))), user
    assert choices(dppkb) == ["63.05"]  # their kabupaten's, not Tanah Laut's
    assert choices(other) == ["63.01"]  # their own enrollments only
    assert choices(outsider) == choices(inactive) == []
    assert choices(superuser) == ["63.01", "63.05"] and choices(superuser, limit=1) == ["63.01"]


def test_a_list_sorts_only_by_its_indexed_columns(admin_client, demo):
    later = CommitmentFactory(owner=demo.orgs["pupr"], description="Air bersih", due_date=days(9))
    sooner = CommitmentFactory(owner=demo.orgs["pupr"], description="Bina keluarga", due_date=days(2))
    mine = {"owner__id__exact": demo.orgs["pupr"].pk}

    by_description = admin_client.get(COMMITMENTS, {**mine, "o": "1"}).context["cl"]
    by_due_date = admin_client.get(COMMITMENTS, {**mine, "o": "-4"}).context["cl"]

    # "o=1" (the description) is not sortable: the list keeps its order by due date.
    assert list(by_description.result_list) == [sooner, later]
    assert list(by_due_date.result_list) == [later, sooner]
    assert 'class="sortable column-summary' not in admin_client.get(COMMITMENTS).content.decode()


def test_a_sorted_column_is_ordered_along_its_index(admin_client, camat_a, demo):
    enroll(TrainingFactory(), camat_a)

    ascending = admin_client.get(ENROLLMENTS, {"o": "5"}).context["cl"]
    descending = admin_client.get(ENROLLMENTS, {"o": "-5"}).context["cl"]

    # Not "requested_at, -requested_at, -pk": the default order repeated after the column.
    assert list(ascending.queryset.query.order_by) == ["requested_at", "pk"]
    assert list(descending.queryset.query.order_by) == ["-requested_at", "-pk"]


def test_a_part_past_the_cap_stands_in_for_the_lists_count(demo, monkeypatch):
    CommitmentFactory.create_batch(4, owner=demo.orgs["pupr"])
    CommitmentFactory.create_batch(2, owner=demo.orgs["dinkes"])
    everything = Commitment.objects.filter(owner__in=[demo.orgs["pupr"], demo.orgs["dinkes"]])
    pupr = Commitment.objects.filter(owner=demo.orgs["pupr"])
    dinkes = Commitment.objects.filter(owner=demo.orgs["dinkes"])
    monkeypatch.setattr(EstimatedCountPaginator, "count_up_to", 3)

    def count(parts):
        paginator = EstimatedCountPaginator(everything, 2)
        paginator.lower_bounds = parts
        return paginator.count

    if connection.vendor == "postgresql":
        # PUPR's 4 alone pass the cap of 3: the list holds more than 3, whatever the rest.
        with CaptureQueriesContext(connection) as queries:
            assert count([dinkes, pupr]) >= 4
        # The two parts' bounded counts and the plan's estimate; the list itself not counted.
        assert len(queries) == 3
        assert "EXPLAIN" in queries[-1]["sql"]
    # A part within the cap decides nothing: the list is counted (exactly, under the cap).
    monkeypatch.setattr(EstimatedCountPaginator, "count_up_to", 100)
    assert count([dinkes]) == 6


@pytest.mark.parametrize(
    "username", ["dppkb", "notulis", "camat.tapinutara", "kapus.tapinutara", "dinkes", "bkkbn"]
)
def test_the_commitments_count_parts_lie_within_what_the_user_may_see(demo, username):
    user = demo.users[username]
    meeting = MeetingFactory(region_id=user.scope_codes()[0] if user.scope_codes() else "63.05")
    CommitmentFactory.create_batch(3, meeting=meeting, owner=demo.orgs["pupr"])
    CommitmentFactory(owner=demo.orgs["dinkes"])
    visible = set(Commitment.objects.visible_to(user).values_list("pk", flat=True))

    parts = Commitment.objects.visible_parts(user)

    for part in parts:
        assert set(part.values_list("pk", flat=True)) <= visible
    assert bool(parts) == bool(user.scope_codes())


@pytest.mark.postgres
def test_the_admins_unfiltered_commitments_are_counted_from_a_part(client, dppkb, demo, monkeypatch):
    meeting = MeetingFactory(region_id="63.05")
    CommitmentFactory.create_batch(5, meeting=meeting, owner=demo.orgs["pupr"])
    CommitmentFactory.create_batch(2, meeting=meeting, owner=demo.orgs["pupr"], description="Posyandu Zaitun")
    monkeypatch.setattr(EstimatedCountPaginator, "count_up_to", 3)
    client.force_login(dppkb)

    with CaptureQueriesContext(connection) as unfiltered:
        listed = client.get(COMMITMENTS).context["cl"]
    with CaptureQueriesContext(connection) as searched:
        found = client.get(COMMITMENTS, {"q": "zaitun"}).context["cl"]

    def counts(queries):
        return [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]

    # Unfiltered: the meeting region's part (a LIKE range, no OR of the owner, PIC and
    # organisations) passes the cap, so the list's own count does not run.
    assert listed.result_count >= 4
    assert len(counts(unfiltered)) == 1 and '"pic_id"' not in counts(unfiltered)[0]
    # Searched: no part is known to lie within the results; the results are counted.
    assert found.result_count == 2
    assert len(counts(searched)) == 1 and '"pic_id"' in counts(searched)[0]


@pytest.mark.parametrize(
    "username,bounded",
    [
        ("dppkb", True),  # a kabupaten
        ("camat.tapinutara", True),  # a kecamatan
        ("dinkes", True),  # no region: the office's and PIC's rows, each an index
        ("bkkbn", False),  # a province: a share of the country's table
    ],
)
def test_a_users_commitments_are_index_bounded_up_to_a_kabupaten(demo, username, bounded):
    assert Commitment.objects.index_bounded(demo.users[username]) is bounded


def test_a_superusers_commitments_are_not_index_bounded(admin_user):
    assert Commitment.objects.index_bounded(admin_user) is False


@pytest.mark.postgres
def test_without_sequential_scans_holds_inside_the_block_only(demo):
    CommitmentFactory.create_batch(3, owner=demo.orgs["pupr"])
    mine = Commitment.objects.filter(owner=demo.orgs["pupr"])

    def seqscan():
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            return cursor.fetchone()[0]

    # A tiny table is read from the start; inside the block along the owner's index.
    with without_sequential_scans("default"):
        assert seqscan() == "off"
        plan = mine.explain()
        assert "Seq Scan" not in plan and "meetings_commitment_owner_id" in plan
        assert mine.count() == 3
    assert seqscan() == "on"
    # Inside a transaction (a savepoint): the setting ends with the block, not the transaction.
    with transaction.atomic():
        with without_sequential_scans("default"):
            assert seqscan() == "off"
        assert seqscan() == "on"


@pytest.mark.postgres
def test_a_kabupaten_admins_searched_commitments_are_counted_along_indexes(client, admin_client, dppkb, demo):
    meeting = MeetingFactory(region_id="63.05")
    CommitmentFactory.create_batch(2, meeting=meeting, owner=demo.orgs["pupr"], description="Posyandu Zaitun")
    CommitmentFactory(meeting=meeting, owner=demo.orgs["pupr"])
    client.force_login(dppkb)

    def searched(as_client):
        with CaptureQueriesContext(connection) as queries:
            cl = as_client.get(COMMITMENTS, {"q": "zaitun"}).context["cl"]
        sql = [q["sql"] for q in queries]
        count = next(i for i, s in enumerate(sql) if s.startswith("SELECT COUNT(*)"))
        return cl, sql[count - 1], count

    cl, before_count, _ = searched(client)
    assert cl.paginator.index_bounded and cl.result_count == 2
    assert before_count == "SET LOCAL enable_seqscan = off"
    # The superuser's list is the whole table: the planner chooses as it likes.
    cl, before_count, _ = searched(admin_client)
    assert not cl.paginator.index_bounded and cl.result_count == 2
    assert "enable_seqscan" not in before_count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_superusers_owner_choices_are_read_in_name_order_from_an_index(admin_user, rf, demo):
    """The owner filter's first choices of the whole country come along an index, not from
    every organisation sorted (the superuser's searched commitments: 20-27 ms of 134)."""
    from meetings.commitments.admin import OwnerFilter

    request = rf.get(COMMITMENTS)
    request.user = admin_user
    choices = OwnerFilter.choice_queryset(None, request)[: OwnerFilter.limit]
    with without_sequential_scans(choices.db):
        plan = choices.explain()

    assert list(choices) == sorted(choices, key=lambda org: (org.name, org.pk))
    assert "organisation_name" in plan
    assert "Sort" not in plan
