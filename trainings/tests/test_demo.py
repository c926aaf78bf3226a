from trainings import demo as trainings_demo
from trainings.models import Enrollment


def test_demo_is_idempotent_and_leaves_one_seat_on_the_upcoming_training(demo):
    trainings_demo.seed(log=lambda *a: None)
    past, upcoming = trainings_demo.seed(log=lambda *a: None)
    assert (past.start_date.isoformat(), past.end_date.isoformat()) == ("2024-07-15", "2024-07-18")
    assert {s.mode for s in past.sessions.all()} >= {"daring", "luring"}
    assert len({s.date for s in past.sessions.all()}) == 4
    certified = past.enrollments.filter(status=Enrollment.Status.COMPLETED)
    assert set(certified.values_list("person__username", flat=True)) == {"kapus.tapinutara", "camat.binuang"}
    assert all(e.certificate_number for e in certified)
    assert past.enrollments.get(person__username="pkk.tapinutara").certificate_number is None
    assert upcoming.registration_is_open() and upcoming.seats_left() == 1
    assert upcoming.sessions.count() == 5
