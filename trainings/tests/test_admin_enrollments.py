"""Enrollments in Django admin go through the enrollment services (seats, quota, eligibility,
waiting list); the training change page shows only the participants the user may see."""

import pytest
from django.urls import reverse

from portal.models import Notification
from portal.tests.adminforms import changeform_data
from trainings.models import Enrollment

from .factories import TrainingFactory, enroll, person

pytestmark = pytest.mark.django_db

ADD = "admin:trainings_enrollment_add"


def forged(training, person, **fields) -> dict:
    """Every field of the old bare model form, as a hostile post would send them."""
    return {
        "training": training.pk,
        "person": person.pk,
        "status": "confirmed",
        "requested_at_0": "2026-01-01",
        "requested_at_1": "08:00:00",
        "status_changed_at_0": "2026-01-01",
        "status_changed_at_1": "08:00:00",
        **fields,
    }


def test_an_admin_enrollment_beyond_capacity_goes_to_the_waiting_list(client, dppkb, camat_a, camat_b):
    training = TrainingFactory(capacity=1)
    enroll(training, camat_b)
    client.force_login(dppkb)

    response = client.post(reverse(ADD), forged(training, camat_a))

    assert response.status_code == 302
    assert Enrollment.objects.get(training=training, person=camat_a).status == Enrollment.Status.WAITLISTED
    assert training.seats_held() == 1


def test_an_admin_cannot_enroll_someone_not_eligible(client, dppkb, notulis):
    training = TrainingFactory()
    client.force_login(dppkb)

    response = client.post(reverse(ADD), forged(training, notulis))

    assert response.status_code == 200
    assert not Enrollment.objects.exists()


def test_an_admin_enrollment_cannot_be_forged_completed_with_a_certificate(client, dppkb, camat_a):
    training = TrainingFactory()
    client.force_login(dppkb)

    client.post(
        reverse(ADD),
        forged(training, camat_a, status="completed", certificate_number="PALSU-0001", certificate_token="x"),
    )

    enrollment = Enrollment.objects.get(training=training, person=camat_a)
    assert enrollment.status == Enrollment.Status.CONFIRMED
    assert enrollment.certificate_number is None and enrollment.certificate_token is None


def test_a_dppkb_admin_cannot_enroll_people_of_another_kabupaten(client, dppkb, demo):
    training = TrainingFactory()
    stranger = person("camat.tala", region="63.01.01")
    client.force_login(dppkb)

    client.post(reverse(ADD), forged(training, stranger, kabupaten="63.05"))

    assert not Enrollment.objects.filter(person=stranger).exists()


def test_the_enrollment_change_form_cannot_complete_or_certify(client, admin_user, camat_a):
    training = TrainingFactory()
    enrollment = enroll(training, camat_a)
    url = reverse("admin:trainings_enrollment_change", args=[enrollment.pk])
    client.force_login(admin_user)  # not even a superuser: certificates come from complete_training

    page = client.get(url)
    client.post(url, {**changeform_data(page), "status": "completed", "certificate_number": "PALSU-0002"})

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.CONFIRMED
    assert enrollment.certificate_number is None


def test_training_change_page_lists_only_participants_the_user_may_see(client, dppkb, camat_a, demo):
    training = TrainingFactory()
    enroll(training, camat_a)
    stranger = enroll(training, person("camat.tala", region="63.01.01", full_name="Orang Tanah Laut"))
    stranger.post_test_score = 42
    stranger.save()
    client.force_login(dppkb)

    page = client.get(reverse("admin:trainings_training_change", args=[training.pk]))

    inline = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "enrollments")
    assert {form.instance.person for form in inline.formset.forms} == {camat_a}
    assert "Orang Tanah Laut" not in page.content.decode()


def test_notulis_only_views_a_training_in_admin(client, notulis, demo):
    training = TrainingFactory(capacity=10, eligible_roles="notulis,camat")
    url = reverse("admin:trainings_training_change", args=[training.pk])
    client.force_login(notulis)

    page = client.get(url)
    response = client.post(url, {**changeform_data(page), "capacity": "500"})

    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert response.status_code == 403
    training.refresh_from_db()
    assert training.capacity == 10


def test_registrations_are_approved_through_the_service_in_admin(client, admin_user, camat_a):
    training = TrainingFactory(requires_approval=True)
    enrollment = enroll(training, camat_a, Enrollment.Status.PENDING)
    client.force_login(admin_user)

    client.post(
        reverse("admin:trainings_enrollment_changelist"),
        {"action": "approve", "_selected_action": [enrollment.pk]},
    )

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.CONFIRMED
    assert enrollment.acted_by == admin_user
    assert Notification.objects.filter(recipient=camat_a, rule__startswith="training_confirmed").exists()


def test_raising_the_capacity_in_admin_moves_the_waiting_list_up(client, admin_user, camat_a, camat_b):
    training = TrainingFactory(capacity=1)
    enroll(training, camat_a)
    waiting = enroll(training, camat_b, Enrollment.Status.WAITLISTED)
    url = reverse("admin:trainings_training_change", args=[training.pk])
    client.force_login(admin_user)

    page = client.get(url)
    response = client.post(url, {**changeform_data(page), "capacity": "2"})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Enrollment.Status.CONFIRMED


def test_admin_refuses_a_capacity_below_the_seats_held(client, admin_user, camat_a, camat_b):
    training = TrainingFactory(capacity=2)
    enroll(training, camat_a)
    enroll(training, camat_b)
    url = reverse("admin:trainings_training_change", args=[training.pk])
    client.force_login(admin_user)

    page = client.get(url)
    response = client.post(url, {**changeform_data(page), "capacity": "1"})

    assert response.status_code == 200
    training.refresh_from_db()
    assert training.capacity == 2
