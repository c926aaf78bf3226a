"""Parallel check-ins (a phone that sends the form twice, several doors of the hall): one line
of the daftar hadir per person and no error, against PostgreSQL's row lock."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Invitation

from .factories import MeetingFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(count: int, action) -> list[Exception]:
    barrier = threading.Barrier(count)
    errors: list[Exception] = []

    def run():
        try:
            barrier.wait()
            action()
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def open_rakor(demo):
    return MeetingFactory(start=timezone.now() - timedelta(minutes=10), region_id="63.05")


def test_parallel_walk_in_check_ins_of_one_person_record_one_line(open_rakor, dppkb):
    errors = _together(8, lambda: services.check_in(meeting=open_rakor, acting_user=dppkb))

    assert errors == []
    assert Attendance.objects.filter(meeting=open_rakor, person=dppkb).count() == 1
    assert Attendance.objects.get(meeting=open_rakor, person=dppkb).status == Attendance.Status.HADIR


def test_parallel_check_ins_of_an_invitee_link_the_invitation_once(open_rakor, dinkes):
    invitation = Invitation.objects.create(meeting=open_rakor, person=dinkes)

    errors = _together(8, lambda: services.check_in(meeting=open_rakor, acting_user=dinkes))

    assert errors == []
    assert list(Attendance.objects.filter(meeting=open_rakor).values_list("person", "invitation")) == [
        (dinkes.pk, invitation.pk)
    ]


def test_check_ins_racing_the_attendance_preparation_keep_one_line_per_person(
    open_rakor, dinkes, camat_a, dppkb
):
    Invitation.objects.create(meeting=open_rakor, person=dinkes)
    Invitation.objects.create(meeting=open_rakor, person=camat_a)

    def race():
        services.prepare_attendance(meeting=open_rakor, acting_user=dppkb)
        services.check_in(meeting=open_rakor, acting_user=dinkes)

    errors = _together(6, race)

    assert errors == []
    assert Attendance.objects.filter(meeting=open_rakor, person=dinkes).count() == 1
    assert Attendance.objects.filter(meeting=open_rakor, person=camat_a).count() == 1
