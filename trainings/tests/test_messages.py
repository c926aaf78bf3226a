"""What people are told: outbox rows at the moment things happen, and their emails."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.models import Notification
from trainings import services

from .factories import TrainingFactory

RULES = [
    "training_confirmed",
    "training_waitlisted",
    "training_promoted",
    "training_promoted_pending",
    "training_rejected",
    "training_certificate",
    "training_pending",
    "training_approval_needed",
]


@pytest.mark.parametrize("rule", RULES)
def test_every_message_has_a_subject_text_and_html_body_in_indonesian(rule, camat_a):
    # The shape the renderer gives the templates: the context's values at the top level,
    # the source object, and the absolute link (the templates once read `context.training`).
    training = TrainingFactory(title="Pelatihan Teknis TPPS")
    enrollment = services.register(training=training, person=camat_a, acting_user=camat_a)
    context = {
        "reason": "Kuota penuh",
        "certificate_number": "TPPS-2024-0001-000001",
        "person": "Rahmat Hidayat",
        "jabatan": "Camat Tapin Utara",
        "source": enrollment,
        "link": "https://portal.example.id/trainings/1/",
        "recipient": camat_a,
        "site_url": "https://portal.example.id",
    }
    with translation.override("id"):
        subject = render_to_string(f"emails/{rule}_subject.txt", context)
        text = render_to_string(f"emails/{rule}_body.txt", context)
        html = render_to_string(f"emails/{rule}_body.html", context)
    assert "Pelatihan Teknis TPPS" in subject and "\n" not in subject.strip()
    assert camat_a.full_name in text and "https://portal.example.id/trainings/1/" in text
    assert "Yth." in html and 'href="https://portal.example.id/trainings/1/"' in html


def test_a_registration_tells_the_person_by_email_and_in_the_portal(camat_a):
    training = TrainingFactory()
    enrollment = services.register(training=training, person=camat_a, acting_user=camat_a)
    rows = Notification.objects.filter(recipient=camat_a, source_id=str(enrollment.pk))
    assert {r.channel for r in rows} == {"email", "inapp"}
    assert all(r.rule.startswith("training_confirmed:") for r in rows)
    assert rows[0].context["training"] == training.title


def _rules(user) -> set[str]:
    return {
        rule.split(":")[0]
        for rule in Notification.objects.filter(recipient=user).values_list("rule", flat=True)
    }


def test_a_registration_awaiting_approval_tells_the_person_and_the_organiser(camat_a, bkkbn, dppkb):
    training = TrainingFactory(requires_approval=True)
    enrollment = services.register(training=training, person=camat_a, acting_user=camat_a)
    assert enrollment.status == "pending"
    mine = Notification.objects.filter(recipient=camat_a, source_id=str(enrollment.pk))
    assert {r.channel for r in mine} == {"email", "inapp"}
    assert all(r.rule.startswith("training_pending:") for r in mine)
    asked = Notification.objects.of_rule("training_approval_needed").filter(recipient=bkkbn)
    assert {r.channel for r in asked} == {"email", "inapp"}
    assert asked[0].source_id == str(enrollment.pk) and asked[0].context["person"] == camat_a.full_name
    assert asked[0].context["url"] == reverse("trainings:enrollment-list", args=[training.pk])
    assert "training_approval_needed" not in _rules(camat_a) | _rules(dppkb)


def test_a_nomination_awaiting_approval_tells_the_nominee_and_the_organiser(camat_a, bkkbn, dppkb):
    training = TrainingFactory(requires_approval=True)
    services.register(training=training, person=camat_a, acting_user=dppkb)
    assert "training_pending" in _rules(camat_a)
    assert "training_approval_needed" in _rules(bkkbn)
    assert not _rules(dppkb)


def test_an_organiser_of_another_province_is_not_asked_to_approve(camat_a, bkkbn):
    from portal.models import Region, RoleAssignment, User

    Region.objects.get_or_create(code="64", defaults={"name": "Kalimantan Timur", "level": "provinsi"})
    other = User.objects.create_user("bkkbn.kaltim", email="kaltim@example.id", full_name="Organiser Kaltim")
    RoleAssignment.objects.create(user=other, role="training_organiser", region_id="64")
    services.register(training=TrainingFactory(requires_approval=True), person=camat_a, acting_user=camat_a)
    assert "training_approval_needed" in _rules(bkkbn)
    assert not _rules(other)


def test_a_confirmed_registration_asks_no_organiser_for_approval(camat_a, bkkbn):
    services.register(training=TrainingFactory(), person=camat_a, acting_user=camat_a)
    assert "training_approval_needed" not in _rules(bkkbn)


def test_moving_off_the_waiting_list_into_approval_asks_the_organiser(camat_a, pkk, bkkbn):
    training = TrainingFactory(capacity=1, requires_approval=True)
    services.register(training=training, person=camat_a, acting_user=camat_a)
    waiting = services.register(training=training, person=pkk, acting_user=pkk)
    assert waiting.status == "waitlisted"
    asked = Notification.objects.filter(
        recipient=bkkbn, rule__startswith="training_approval_needed:", channel="inapp"
    )
    assert asked.count() == 1
    services.cancel(enrollment=training.enrollments.get(person=camat_a), acting_user=camat_a)
    assert asked.count() == 2 and asked.filter(source_id=str(waiting.pk)).exists()


def test_promoted_twice_is_told_twice(camat_a, pkk):
    training = TrainingFactory(capacity=1)

    def act(user, action):
        if action == "register":
            services.register(training=training, person=user, acting_user=user)
        else:
            services.cancel(enrollment=training.enrollments.get(person=user), acting_user=user)

    for user, action in [(camat_a, "register"), (pkk, "register"), (camat_a, "cancel"), (pkk, "cancel")]:
        act(user, action)
    for user, action in [(camat_a, "register"), (pkk, "register"), (camat_a, "cancel")]:
        act(user, action)

    assert training.enrollments.get(person=pkk).status == "confirmed"
    promoted = Notification.objects.filter(
        recipient=pkk, rule__startswith="training_promoted:", channel="inapp"
    )
    assert promoted.count() == 2


def test_dashboard_card_shows_my_trainings_and_open_count(client, camat_a, kapus):
    mine = TrainingFactory(title="Pelatihan Saya")
    TrainingFactory(title="Pelatihan Lain")
    services.register(training=mine, person=camat_a, acting_user=camat_a)
    client.force_login(camat_a)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="trainings-card"' in page
    assert "Pelatihan Saya" in page and "Terdaftar" in page
    assert "2 pelatihan dibuka untuk pendaftaran" in page


def test_dashboard_has_no_trainings_card_for_an_outsider(client, outsider):
    client.force_login(outsider)
    assert 'data-testid="trainings-card"' not in client.get(reverse("portal:dashboard")).content.decode()


def test_approval_switched_on_after_the_page_was_read_still_asks_the_organiser(camat_a, bkkbn):
    """The organisers are read before the training is locked, from the caller's copy; when the
    locked row says otherwise they are read under the lock."""
    from trainings.models import Training

    training = TrainingFactory(requires_approval=False)
    Training.objects.filter(pk=training.pk).update(requires_approval=True)

    enrollment = services.register(training=training, person=camat_a, acting_user=camat_a)

    assert enrollment.status == "pending"
    asked = Notification.objects.of_rule("training_approval_needed").filter(recipient=bkkbn)
    assert {r.channel for r in asked} == {"email", "inapp"}


def test_approval_switched_off_after_the_page_was_read_confirms_and_asks_no_one(camat_a, bkkbn):
    from trainings.models import Training

    training = TrainingFactory(requires_approval=True)
    Training.objects.filter(pk=training.pk).update(requires_approval=False)

    enrollment = services.register(training=training, person=camat_a, acting_user=camat_a)

    assert enrollment.status == "confirmed"
    assert "training_approval_needed" not in _rules(bkkbn)


def test_registering_again_after_cancelling_is_told_again(camat_a):
    """A registration that reuses the cancelled row writes its messages through the path that
    looks for rows already there (the row is not new)."""
    training = TrainingFactory()
    first = services.register(training=training, person=camat_a, acting_user=camat_a)
    services.cancel(enrollment=first, acting_user=camat_a)

    again = services.register(training=training, person=camat_a, acting_user=camat_a)

    assert again.pk == first.pk and again.status == "confirmed"
    told = Notification.objects.filter(
        recipient=camat_a, source_id=str(first.pk), rule__startswith="training_confirmed:", channel="inapp"
    )
    assert told.count() == 2


def test_organising_body_changed_after_the_page_was_read_asks_the_new_bodys_organisers(camat_a, bkkbn):
    from portal.models import Organisation, Region, RoleAssignment, User
    from trainings.models import Training

    Region.objects.get_or_create(code="64", defaults={"name": "Kalimantan Timur", "level": "provinsi"})
    kaltim = Organisation.objects.create(name="BKKBN Kaltim", kind=Organisation.Kind.BKKBN, region_id="64")
    other = User.objects.create_user("bkkbn.kaltim", email="kaltim@example.id", full_name="Organiser Kaltim")
    RoleAssignment.objects.create(user=other, role="training_organiser", region_id="64")
    training = TrainingFactory(requires_approval=True)
    Training.objects.filter(pk=training.pk).update(organiser=kaltim)

    services.register(training=training, person=camat_a, acting_user=camat_a)

    assert "training_approval_needed" in _rules(other)
    assert "training_approval_needed" not in _rules(bkkbn)
