from django.urls import reverse

from trainings.models import Enrollment

from .factories import TrainingFactory, enroll, person


def test_dppkb_admin_sees_in_admin_only_enrollments_of_their_kabupaten(client, dppkb, camat_a, demo):
    training = TrainingFactory()
    enroll(training, camat_a)
    enroll(training, person("camat.z", region="63.01.01", full_name="Orang Tanah Laut"))
    client.force_login(dppkb)
    page = client.get(reverse("admin:trainings_enrollment_changelist")).content.decode()
    assert camat_a.full_name in page and "Orang Tanah Laut" not in page


def test_admin_filters_enrollments_by_status_and_kabupaten(admin_client, camat_a, pkk, demo):
    training = TrainingFactory()
    enroll(training, camat_a)
    enroll(training, pkk, Enrollment.Status.WAITLISTED)
    enroll(training, person("camat.z", region="63.01.01", full_name="Orang Tanah Laut"))
    url = reverse("admin:trainings_enrollment_changelist")
    waiting = admin_client.get(url, {"status__exact": "waitlisted"}).content.decode()
    assert pkk.full_name in waiting and camat_a.full_name not in waiting
    tanah_laut = admin_client.get(url, {"kabupaten": "63.01"}).content.decode()
    assert "Orang Tanah Laut" in tanah_laut and camat_a.full_name not in tanah_laut


def test_training_admin_shows_sessions_and_enrollments_inline(admin_client, camat_a, demo):
    training = TrainingFactory()
    enroll(training, camat_a)
    page = admin_client.get(reverse("admin:trainings_training_change", args=[training.pk])).content.decode()
    assert "sessions-TOTAL_FORMS" in page and "enrollments-TOTAL_FORMS" in page


def test_admin_training_filter_offers_only_visible_trainings(client, dppkb, demo):
    from portal.models import Organisation

    mine = TrainingFactory(title="Pelatihan Kalsel")
    TrainingFactory(
        title="Pelatihan Tanah Laut", organiser=Organisation.objects.get(name="TPPS Kabupaten Tanah Laut")
    )
    client.force_login(dppkb)
    page = client.get(reverse("admin:trainings_enrollment_changelist")).content.decode()
    assert mine.title in page and "Pelatihan Tanah Laut" not in page
