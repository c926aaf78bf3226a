"""Django admin of trainings names every input (tabular inlines show labels only as column
headings) and lists shows human column headings and choice labels, never field codes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal.tests.labels import unlabelled_controls

from .factories import SessionFactory, TrainingFactory, enroll


@pytest.fixture
def training(demo, camat_a):
    training = TrainingFactory(title="Pelatihan Kader TPK")
    SessionFactory(training=training)
    enroll(training, camat_a)
    return training


@pytest.mark.parametrize(
    "url_name, with_pk",
    [
        ("admin:trainings_training_change", True),
        ("admin:trainings_training_add", False),
        ("admin:trainings_session_add", False),
        ("admin:trainings_enrollment_add", False),
        ("admin:trainings_attendance_changelist", False),
    ],
)
def test_every_input_of_the_training_admin_forms_has_a_label(admin_client, training, url_name, with_pk):
    url = reverse(url_name, args=[training.pk] if with_pk else [])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert unlabelled_controls(response.content.decode()) == []


def test_the_sessions_inline_names_each_cell_after_its_column(admin_client, training):
    page = admin_client.get(reverse("admin:trainings_training_change", args=[training.pk])).content.decode()
    date_input = re.search(r'<input[^>]*name="sessions-0-date"[^>]*>', page).group(0)
    assert 'aria-label="Tanggal"' in date_input


def test_the_training_changelists_show_human_headings_and_labels(admin_client, training):
    listing = admin_client.get(reverse("admin:trainings_training_changelist")).content.decode()
    assert "Pelatihan Kader TPK" in listing
    assert ">Judul</a>" in listing and ">title<" not in listing
    enrollments = admin_client.get(reverse("admin:trainings_enrollment_changelist")).content.decode()
    assert "Terdaftar" in enrollments
    assert ">confirmed<" not in enrollments
    assert unlabelled_controls(listing) == [] and unlabelled_controls(enrollments) == []
