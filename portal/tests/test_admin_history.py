"""django-simple-history's history list and history form are scoped like the changelist, and
reverting (saving an old version back) is for superusers only."""

import pytest
from django.urls import reverse

from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from portal.models import User
from trainings.tests.factories import TrainingFactory

from .adminforms import form_data

pytestmark = pytest.mark.django_db


def history_form_url(obj, opts=None) -> str:
    opts = (opts or obj)._meta
    version = obj.history.latest().history_id
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version])


def test_dppkb_admin_cannot_make_himself_superuser_through_the_history_form(client, dppkb):
    client.force_login(dppkb)
    url = history_form_url(dppkb)

    page = client.get(url)
    data = {**form_data(page.context["adminform"].form), "is_superuser": "on", "is_staff": "on"}
    response = client.post(url, data)

    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert response.status_code == 403
    dppkb.refresh_from_db()
    assert not dppkb.is_superuser


def test_history_form_of_a_training_is_read_only_for_notulis(client, notulis, demo):
    training = TrainingFactory(capacity=10, eligible_roles="notulis,camat")
    client.force_login(notulis)
    url = history_form_url(training)

    page = client.get(url)
    response = client.post(url, {**form_data(page.context["adminform"].form), "capacity": "500"})

    assert page.status_code == 200
    assert 'name="capacity"' not in page.content.decode()
    assert response.status_code == 403
    training.refresh_from_db()
    assert training.capacity == 10


def test_history_of_another_kabupatens_meeting_is_not_found(client, dppkb, demo):
    meeting = MeetingFactory(region_id="63.01", title="Rakor Tanah Laut")
    client.force_login(dppkb)

    listing = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))
    form = client.get(history_form_url(meeting))
    moved = client.post(history_form_url(meeting), {"title": "Rakor Tapin", "region": "63.05"})

    assert listing.status_code == 404
    assert form.status_code == 404
    assert moved.status_code == 404
    meeting.refresh_from_db()
    assert (meeting.title, meeting.region_id) == ("Rakor Tanah Laut", "63.01")


def test_history_of_a_person_outside_the_kabupaten_is_not_found(client, dppkb, demo):
    from trainings.tests.factories import person

    stranger = person("camat.tala", region="63.01.01", email="camat@tanahlaut.example")
    client.force_login(dppkb)

    listing = client.get(reverse("admin:portal_user_history", args=[stranger.pk]))
    form = client.get(history_form_url(stranger))

    assert listing.status_code == 404
    assert form.status_code == 404
    assert "camat@tanahlaut.example" not in form.content.decode()


def test_history_list_of_a_visible_meeting_offers_no_revert_to_staff(client, notulis, demo):
    meeting = MeetingFactory(title="Rakor Tapin")
    client.force_login(notulis)

    page = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))

    assert page.status_code == 200
    assert page.context["revert_disabled"] is True


def test_a_non_numeric_history_id_is_not_found(client, dppkb, demo):
    meeting = MeetingFactory()
    client.force_login(dppkb)

    response = client.get(f"{reverse('admin:meetings_meeting_history', args=[meeting.pk])}abc/")

    assert response.status_code == 404


def test_a_superuser_may_still_revert_from_history(admin_client, demo):
    meeting = MeetingFactory(title="Judul lama")
    old_version = meeting.history.latest().history_id
    meeting.title = "Judul baru"
    meeting.save()
    url = reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, old_version])

    page = admin_client.get(url)
    data = form_data(page.context["adminform"].form)
    for prefix in ("agenda_items", "invitations", "attendances", "commitments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)

    assert response.status_code == 302, page.context["adminform"].form.errors
    assert Meeting.objects.get(pk=meeting.pk).title == "Judul lama"
    assert User.objects.filter(is_superuser=True).count() == 1


def _tanah_laut_objects(demo):
    from meetings.tests.factories import CommitmentFactory
    from trainings.tests.factories import SessionFactory, enroll, person

    training = TrainingFactory(organiser=demo.orgs["tpps_tanahlaut"])
    commitment = CommitmentFactory(owner=demo.orgs["tpps_tanahlaut"], meeting__region_id="63.01")
    enrollment = enroll(TrainingFactory(), person("camat.tala", region="63.01.01"))
    return {
        "organisation": demo.orgs["tpps_tanahlaut"],
        "commitment": commitment,
        "training": training,
        "session": SessionFactory(training=training),
        "enrollment": enrollment,
    }


@pytest.mark.parametrize("kind", ["organisation", "commitment", "training", "session", "enrollment"])
def test_history_of_other_kabupatens_objects_is_not_found(client, dppkb, demo, kind):
    obj = _tanah_laut_objects(demo)[kind]
    opts = obj._meta
    client.force_login(dppkb)

    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    form = client.get(history_form_url(obj))

    assert (listing.status_code, form.status_code) == (404, 404)


def test_every_admin_of_the_apps_is_scoped():
    """A new ModelAdmin must start from the scoped base (the reminder settings are one global row)."""
    from django.contrib import admin

    from portal.notifications.admin import ReminderSettingsAdmin
    from portal.scoped_admin import ScopedAdminMixin

    unscoped = [
        type(model_admin).__name__
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in {"portal", "meetings", "trainings", "audits"}
        and not isinstance(model_admin, ScopedAdminMixin | ReminderSettingsAdmin)
    ]
    assert unscoped == []


def test_a_superuser_still_reads_the_history_of_a_deleted_meeting(admin_client, demo):
    meeting = MeetingFactory(title="Rakor yang dihapus")
    pk = meeting.pk
    meeting.delete()

    response = admin_client.get(reverse("admin:meetings_meeting_history", args=[pk]))

    assert response.status_code == 200
