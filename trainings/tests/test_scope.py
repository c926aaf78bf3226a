import warnings
from datetime import timedelta

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation
from trainings.models import Enrollment, Training

from .factories import SessionFactory, TrainingFactory, enroll, person


def test_camat_sees_trainings_open_to_their_role_in_their_province(client, camat_a):
    open_to_camat = TrainingFactory(title="Untuk camat")
    not_for_camat = TrainingFactory(title="Untuk kader", eligible_roles="tpk")
    client.force_login(camat_a)
    page = client.get(reverse("trainings:index")).content.decode()
    assert open_to_camat.title in page and not_for_camat.title not in page
    assert client.get(not_for_camat.get_absolute_url()).status_code == 404


def test_training_of_another_kabupaten_is_hidden_from_camat(client, camat_a, demo):
    tanah_laut = Organisation.objects.get(name="TPPS Kabupaten Tanah Laut")
    training = TrainingFactory(title="Pelatihan Tanah Laut", organiser=tanah_laut)
    client.force_login(camat_a)
    assert training.title not in client.get(reverse("trainings:index")).content.decode()
    assert client.get(training.get_absolute_url()).status_code == 404


def test_outsider_sees_no_training(client, outsider, demo):
    training = TrainingFactory()
    client.force_login(outsider)
    assert client.get(reverse("trainings:index")).status_code == 403
    assert client.get(training.get_absolute_url()).status_code == 404


def test_detail_shows_schedule_seats_left_and_own_status(client, camat_a, kapus, demo):
    training = TrainingFactory(capacity=3)
    SessionFactory(training=training, topic="Audit Kasus Stunting")
    enroll(training, kapus)
    enroll(training, camat_a, Enrollment.Status.WAITLISTED)
    client.force_login(camat_a)
    page = client.get(training.get_absolute_url()).content.decode()
    assert "Audit Kasus Stunting" in page
    assert "2 dari 3 kursi tersisa" in page
    assert "Daftar tunggu" in page


def test_organiser_sees_enrollments_of_their_trainings(client, bkkbn, camat_a, demo):
    training = TrainingFactory()
    enroll(training, camat_a)
    assert list(Enrollment.objects.visible_to(bkkbn)) == list(training.enrollments.all())
    client.force_login(bkkbn)
    assert (
        camat_a.full_name
        in client.get(reverse("trainings:enrollment-list", args=[training.pk])).content.decode()
    )


def test_dppkb_admin_sees_enrollments_of_people_in_their_kabupaten_only(client, dppkb, camat_a, demo):
    training = TrainingFactory()
    mine = enroll(training, camat_a)
    stranger = person("camat.z", region="63.01.01", full_name="Orang Tanah Laut")
    enroll(training, stranger)
    assert list(Enrollment.objects.visible_to(dppkb)) == [mine]
    client.force_login(dppkb)
    page = client.get(reverse("trainings:enrollment-list", args=[training.pk])).content.decode()
    assert camat_a.full_name in page and "Orang Tanah Laut" not in page


def test_camat_sees_only_their_own_enrollment(camat_a, camat_b, demo):
    training = TrainingFactory()
    mine = enroll(training, camat_a)
    enroll(training, camat_b)
    assert list(Enrollment.objects.visible_to(camat_a)) == [mine]
    assert not Enrollment.objects.visible_to(demo.users["dinkes"]).exists()


def test_camat_cannot_open_the_enrollment_list(client, camat_a, outsider, demo):
    training = TrainingFactory()
    client.force_login(camat_a)
    assert client.get(reverse("trainings:enrollment-list", args=[training.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("trainings:enrollment-list", args=[training.pk])).status_code == 404


def test_list_runs_a_constant_number_of_queries(client, camat_a, kapus, demo, django_assert_max_num_queries):
    for i in range(8):
        training = TrainingFactory()
        enroll(training, kapus)
        if i % 2:
            enroll(training, camat_a)
    client.force_login(camat_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("trainings:index"))
    assert response.content.decode().count('data-testid="training-card"') == 8


def test_list_shows_each_trainings_seats_left_and_counts_its_pages_without_enrollments(client, camat_a, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses = Enrollment.Status
    taken = {
        "Pelatihan A": [statuses.CONFIRMED, statuses.PENDING, statuses.WAITLISTED],
        "Pelatihan B": [statuses.COMPLETED, statuses.CANCELLED],
        "Pelatihan C": [],
    }
    for day, (title, held) in enumerate(taken.items(), start=10):
        training = TrainingFactory(
            title=title,
            capacity=5,
            start_date=timezone.localdate() + timedelta(days=day),
            end_date=timezone.localdate() + timedelta(days=day + 1),
        )
        for n, status in enumerate(held):
            enroll(training, person(f"peserta.{title[-1]}.{n}", region="63.05.02"), status)
    client.force_login(camat_a)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("trainings:index"))

    cards = response.content.decode().split('data-testid="training-card"')[1:]
    assert [card.split(" kursi tersisa")[0].rsplit(None, 1)[-1] for card in cards] == ["3", "4", "5"]
    assert [t.seats_left() for t in Training.objects.order_by("start_date")] == [3, 4, 5]
    (count,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "trainings_training"')
    ]
    assert 'JOIN "trainings_enrollment"' not in count and "GROUP BY" not in count


def test_enrollment_list_runs_a_constant_number_of_queries(
    client, bkkbn, demo, django_assert_max_num_queries
):
    training = TrainingFactory(capacity=50)
    for i in range(12):
        enroll(training, person(f"camat.{i}", region="63.05.02"))
    client.force_login(bkkbn)
    with django_assert_max_num_queries(14):
        client.get(reverse("trainings:enrollment-list", args=[training.pk]))


def test_organiser_creates_a_training_with_default_eligible_roles(client, bkkbn, demo):
    client.force_login(bkkbn)
    organiser = Organisation.objects.get(kind="bkkbn")
    data = {
        "title": "Pelatihan Baru",
        "organiser": organiser.pk,
        "mode": "blended",
        "start_date": "2030-07-15",
        "end_date": "2030-07-18",
        "capacity": "40",
        "registration_opens": "2030-06-01T08:00",
        "registration_closes": "2030-07-10T16:00",
        "eligible_roles": ["camat", "ketua_pkk", "kepala_puskesmas"],
        "min_attendance_percent": "80",
        "post_test_pass_mark": "70",
    }
    response = client.post(reverse("trainings:training-create"), data)
    training = Training.objects.get(title="Pelatihan Baru")
    assert response.status_code == 302
    assert training.eligible_role_list == ["camat", "ketua_pkk", "kepala_puskesmas"]
    assert timezone.localtime(training.registration_opens).hour == 8  # entered in WITA, stored aware


def test_training_dates_are_checked(client, bkkbn, demo):
    client.force_login(bkkbn)
    organiser = Organisation.objects.get(kind="bkkbn")
    data = {
        "title": "Salah tanggal",
        "organiser": organiser.pk,
        "mode": "luring",
        "start_date": "2030-07-18",
        "end_date": "2030-07-15",
        "capacity": "40",
        "registration_opens": "2030-06-01T08:00",
        "registration_closes": "2030-05-10T16:00",
        "eligible_roles": ["camat"],
        "min_attendance_percent": "80",
    }
    response = client.post(reverse("trainings:training-create"), data)
    assert response.status_code == 200
    assert not Training.objects.filter(title="Salah tanggal").exists()


@pytest.mark.parametrize("who", ["camat_a", "dppkb"])
def test_only_organisers_add_or_edit_trainings(client, request, who, demo):
    training = TrainingFactory()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("trainings:training-create")).status_code == 403
    assert client.get(reverse("trainings:training-update", args=[training.pk])).status_code == 403
    assert client.get(reverse("trainings:session-create", args=[training.pk])).status_code == 403


def test_organiser_adds_a_session(client, bkkbn, demo):
    training = TrainingFactory()
    client.force_login(bkkbn)
    client.post(
        reverse("trainings:session-create", args=[training.pk]),
        {
            "date": str(training.start_date),
            "start_time": "08:00",
            "end_time": "12:00",
            "mode": "daring",
            "topic": "Pembukaan",
        },
    )
    assert training.sessions.get().topic == "Pembukaan"


def test_eligible_people_are_the_role_holders_in_the_organisers_area(
    demo, camat_a, camat_b, kapus, pkk, dppkb
):
    training = TrainingFactory()
    assert set(training.eligible_people()) == {camat_a, camat_b, kapus, pkk}


def test_reminder_audiences_are_the_unregistered_eligible_and_the_participants(
    demo, camat_a, camat_b, kapus, pkk
):
    training = TrainingFactory()
    enroll(training, camat_a)
    enroll(training, kapus, Enrollment.Status.WAITLISTED)
    enroll(training, pkk, Enrollment.Status.CANCELLED)
    assert set(training.unregistered_eligible_people()) == {camat_b, pkk}
    assert list(training.participants()) == [camat_a]


def test_past_trainings_are_listed_apart(client, camat_a, demo):
    from datetime import date

    past = TrainingFactory(
        title="Pelatihan Juli 2024", start_date=date(2024, 7, 15), end_date=date(2024, 7, 18)
    )
    upcoming = TrainingFactory(title="Pelatihan mendatang")
    client.force_login(camat_a)
    current = client.get(reverse("trainings:index")).content.decode()
    old = client.get(reverse("trainings:index"), {"show": "past"}).content.decode()
    assert upcoming.title in current and past.title not in current
    assert past.title in old and upcoming.title not in old


def test_detail_reads_in_english_on_request(client, camat_a, demo):
    training = TrainingFactory(capacity=2)
    client.force_login(camat_a)
    client.cookies["django_language"] = "en"
    page = client.get(training.get_absolute_url()).content.decode()
    assert "2 of 2 seats left" in page and "Your registration" in page and "Register" in page


@pytest.mark.parametrize("show", ["", "past"])
def test_training_list_paginates_an_ordered_queryset(client, camat_a, demo, show):
    days = [30, 10, 20] if not show else [-30, -10, -20]
    for offset in days:
        TrainingFactory(
            title=f"Pelatihan {offset}",
            start_date=timezone.localdate() + timedelta(days=offset),
            end_date=timezone.localdate() + timedelta(days=offset + 1),
        )
    client.force_login(camat_a)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = client.get(reverse("trainings:index"), {"show": show} if show else {})
    titles = [t.title for t in response.context["object_list"]]
    expected = (
        ["Pelatihan 10", "Pelatihan 20", "Pelatihan 30"]
        if not show
        else ["Pelatihan -10", "Pelatihan -20", "Pelatihan -30"]
    )
    assert titles == expected
