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
    "training_rejected",
    "training_certificate",
]


@pytest.mark.parametrize("rule", RULES)
def test_every_message_has_a_subject_text_and_html_body_in_indonesian(rule, camat_a):
    context = {
        "context": {
            "training": "Pelatihan Teknis TPPS",
            "start_date": "2024-07-15",
            "end_date": "2024-07-18",
            "url": "/trainings/1/",
            "reason": "Kuota penuh",
            "certificate_number": "TPPS-2024-0001-000001",
        },
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
