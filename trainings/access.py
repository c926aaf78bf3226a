"""The one way views fetch trainings, sessions and enrollments: 404 outside the user's scope,
403 without write rights."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from portal.access import get_for_user

from .models import Enrollment, Session, Training


def get_training_for_user(user, pk: int, *, write: bool = False) -> Training:
    return get_for_user(Training.objects.select_related("organiser__region"), user, write=write, pk=pk)


def get_session_for_user(user, training_pk: int, pk: int, *, write: bool = False) -> Session:
    training = get_training_for_user(user, training_pk, write=write)
    return get_object_or_404(training.sessions.select_related("training__organiser"), pk=pk)


def get_enrollment_for_user(user, pk: int) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.visible_to(user).select_related("training__organiser", "person", "kabupaten"),
        pk=pk,
    )
