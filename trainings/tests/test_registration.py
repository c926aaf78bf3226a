from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from trainings import services
from trainings.models import Enrollment

from .factories import TrainingFactory, enroll, person

S = Enrollment.Status


def register(training, user):
    return services.register(training=training, person=user, acting_user=user)


def test_eligible_camat_registers_and_is_told(camat_a):
    training = TrainingFactory()
    enrollment = register(training, camat_a)
    assert enrollment.status == S.CONFIRMED
    assert enrollment.kabupaten_id == "63.05"
    assert Notification.objects.of_rule("training_confirmed").filter(recipient=camat_a).exists()


def test_camat_registers_from_the_detail_page(client, camat_a):
    training = TrainingFactory()
    client.force_login(camat_a)
    response = client.post(reverse("trainings:register", args=[training.pk]), follow=True)
    assert training.enrollments.get(person=camat_a).status == S.CONFIRMED
    assert "Terdaftar" in response.content.decode()


def test_ineligible_role_is_refused_and_nothing_changes(client, pkk):
    training = TrainingFactory(eligible_roles="camat")
    with pytest.raises(services.EnrollmentError):
        register(training, pkk)
    assert not training.enrollments.exists()


def test_ineligible_person_cannot_even_see_the_training(client, pkk):
    training = TrainingFactory(eligible_roles="camat")
    client.force_login(pkk)
    response = client.post(reverse("trainings:register", args=[training.pk]))
    assert response.status_code == 404
    assert not training.enrollments.exists()


def test_closed_window_is_refused_with_a_message(client, camat_a):
    training = TrainingFactory(registration_closes=timezone.now() - timedelta(minutes=1))
    client.force_login(camat_a)
    response = client.post(reverse("trainings:register", args=[training.pk]), follow=True)
    assert "tidak dibuka" in response.content.decode() or "not open" in response.content.decode()
    assert not training.enrollments.exists()


def test_window_not_yet_open_is_refused(camat_a):
    training = TrainingFactory(registration_opens=timezone.now() + timedelta(hours=1))
    with pytest.raises(services.EnrollmentError):
        register(training, camat_a)
    assert not training.enrollments.exists()


def test_second_registration_is_refused_and_changes_nothing(camat_a):
    training = TrainingFactory()
    first = register(training, camat_a)
    with pytest.raises(services.EnrollmentError):
        register(training, camat_a)
    first.refresh_from_db()
    assert first.status == S.CONFIRMED
    assert training.enrollments.count() == 1


def test_full_training_waitlists_in_order_and_promotes_the_first(camat_a, pkk, kapus, demo):
    training = TrainingFactory(capacity=1)
    register(training, camat_a)
    second = register(training, pkk)
    third = register(training, kapus)
    assert (second.status, third.status) == (S.WAITLISTED, S.WAITLISTED)
    assert Notification.objects.of_rule("training_waitlisted").filter(recipient=pkk).exists()
    services.cancel(enrollment=training.enrollments.get(person=camat_a), acting_user=camat_a)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == S.CONFIRMED
    assert third.status == S.WAITLISTED
    assert Notification.objects.of_rule("training_promoted").filter(recipient=pkk).exists()
    assert not Notification.objects.of_rule("training_promoted").filter(recipient=kapus).exists()


def test_kabupaten_quota_holds_and_the_seat_goes_to_the_next_kabupaten(demo):
    training = TrainingFactory(capacity=3, kabupaten_quota=1)
    tapin_1 = person("camat.x", region="63.05.02")
    tapin_2 = person("camat.y", region="63.05.03")
    tanah_laut = person("camat.z", region="63.01.01")
    assert register(training, tapin_1).status == S.CONFIRMED
    assert register(training, tapin_2).status == S.WAITLISTED
    assert register(training, tanah_laut).status == S.CONFIRMED
    assert training.seats_held("63.05") == 1


def test_promotion_skips_a_waitlisted_person_over_quota(demo):
    training = TrainingFactory(capacity=2, kabupaten_quota=1)
    tapin_1 = person("camat.x", region="63.05.02")
    tanah_laut_1 = person("camat.z", region="63.01.01")
    tapin_2 = person("camat.y", region="63.05.03")
    tanah_laut_2 = person("camat.w", region="63.01.02")
    register(training, tapin_1)
    register(training, tanah_laut_1)
    register(training, tapin_2)
    register(training, tanah_laut_2)
    services.cancel(enrollment=training.enrollments.get(person=tanah_laut_1), acting_user=tanah_laut_1)
    statuses = dict(training.enrollments.values_list("person__username", "status"))
    assert statuses == {
        "camat.x": S.CONFIRMED,
        "camat.z": S.CANCELLED,
        "camat.y": S.WAITLISTED,
        "camat.w": S.CONFIRMED,
    }


def test_participant_cannot_cancel_after_the_training_started(camat_a):
    training = TrainingFactory(
        start_date=timezone.localdate(), registration_opens=timezone.now() - timedelta(days=3)
    )
    enrollment = enroll(training, camat_a)
    with pytest.raises(services.EnrollmentError):
        services.cancel(enrollment=enrollment, acting_user=camat_a)
    enrollment.refresh_from_db()
    assert enrollment.status == S.CONFIRMED


def test_cancel_view_frees_the_seat_for_the_waiting_list(client, camat_a, pkk):
    training = TrainingFactory(capacity=1)
    register(training, camat_a)
    register(training, pkk)
    client.force_login(camat_a)
    client.post(reverse("trainings:cancel", args=[training.pk]))
    assert training.enrollments.get(person=camat_a).status == S.CANCELLED
    assert training.enrollments.get(person=pkk).status == S.CONFIRMED


def test_cancelled_person_may_register_again_at_the_end_of_the_line(camat_a, pkk):
    training = TrainingFactory(capacity=1)
    register(training, camat_a)
    services.cancel(enrollment=training.enrollments.get(person=camat_a), acting_user=camat_a)
    register(training, pkk)
    assert register(training, camat_a).status == S.WAITLISTED


def test_approval_keeps_registrations_pending_and_bulk_approve_confirms(client, bkkbn, camat_a, pkk):
    training = TrainingFactory(requires_approval=True)
    register(training, camat_a)
    register(training, pkk)
    assert set(training.enrollments.values_list("status", flat=True)) == {S.PENDING}
    client.force_login(bkkbn)
    ids = list(training.enrollments.values_list("pk", flat=True))
    client.post(reverse("trainings:decide", args=[training.pk]), {"enrollments": ids, "action": "approve"})
    assert set(training.enrollments.values_list("status", flat=True)) == {S.CONFIRMED}
    assert Notification.objects.of_rule("training_confirmed").filter(recipient=pkk).exists()


def test_reject_needs_a_reason_and_frees_the_seat(client, bkkbn, camat_a, pkk):
    training = TrainingFactory(capacity=1, requires_approval=True)
    first = register(training, camat_a)
    second = register(training, pkk)
    assert second.status == S.WAITLISTED
    client.force_login(bkkbn)
    url = reverse("trainings:decide", args=[training.pk])
    client.post(url, {"enrollments": [first.pk], "action": "reject", "reason": ""})
    first.refresh_from_db()
    assert first.status == S.PENDING
    client.post(url, {"enrollments": [first.pk], "action": "reject", "reason": "Kuota kecamatan penuh"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.reason, first.acted_by) == (S.REJECTED, "Kuota kecamatan penuh", bkkbn)
    assert second.status == S.PENDING
    assert Notification.objects.of_rule("training_rejected").filter(recipient=camat_a).exists()


def test_only_the_organiser_decides(client, dppkb, camat_a):
    training = TrainingFactory(requires_approval=True)
    enrollment = register(training, camat_a)
    client.force_login(dppkb)
    response = client.post(
        reverse("trainings:decide", args=[training.pk]), {"enrollments": [enrollment.pk], "action": "approve"}
    )
    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == S.PENDING


def test_dppkb_admin_nominates_a_person_of_their_kabupaten(client, dppkb, kapus):
    training = TrainingFactory()
    client.force_login(dppkb)
    url = reverse("trainings:nominate", args=[training.pk])
    response = client.get(url)
    assert kapus.full_name in response.content.decode()
    client.post(url, {"person": kapus.pk})
    enrollment = training.enrollments.get(person=kapus)
    assert (enrollment.status, enrollment.nominated_by) == (S.CONFIRMED, dppkb)


def test_dppkb_admin_cannot_nominate_outside_their_kabupaten(client, dppkb, demo):
    training = TrainingFactory()
    stranger = person("camat.z", region="63.01.01")
    client.force_login(dppkb)
    client.post(reverse("trainings:nominate", args=[training.pk]), {"person": stranger.pk})
    assert not training.enrollments.exists()


def test_camat_cannot_nominate(client, camat_a, kapus):
    training = TrainingFactory()
    client.force_login(camat_a)
    response = client.post(reverse("trainings:nominate", args=[training.pk]), {"person": kapus.pk})
    assert response.status_code == 403
    assert not training.enrollments.exists()


def test_outsider_gets_404_on_registration(client, outsider):
    training = TrainingFactory()
    client.force_login(outsider)
    assert client.post(reverse("trainings:register", args=[training.pk])).status_code == 404
    assert client.post(reverse("trainings:cancel", args=[training.pk])).status_code == 404
    assert not training.enrollments.exists()


def test_every_status_change_is_recorded_with_who_acted(bkkbn, camat_a, pkk):
    training = TrainingFactory(capacity=1)
    register(training, camat_a)
    register(training, pkk)
    services.cancel(enrollment=training.enrollments.get(person=camat_a), acting_user=camat_a)
    promoted = training.enrollments.get(person=pkk)
    history = list(
        promoted.history.order_by("history_date").values_list("status", "acted_by", "history_change_reason")
    )
    assert history == [(S.WAITLISTED, pkk.pk, S.WAITLISTED), (S.CONFIRMED, None, "promoted")]
    cancelled = training.enrollments.get(person=camat_a).history.latest("history_date")
    assert (cancelled.status, cancelled.acted_by_id) == (S.CANCELLED, camat_a.pk)


def test_raising_the_capacity_moves_the_waiting_list_up(client, bkkbn, camat_a, pkk, kapus):
    training = TrainingFactory(capacity=1)
    for user in (camat_a, pkk, kapus):
        register(training, user)
    client.force_login(bkkbn)
    data = {
        "title": training.title,
        "organiser": training.organiser_id,
        "mode": training.mode,
        "start_date": str(training.start_date),
        "end_date": str(training.end_date),
        "capacity": "2",
        "registration_opens": timezone.localtime(training.registration_opens).strftime("%Y-%m-%dT%H:%M"),
        "registration_closes": timezone.localtime(training.registration_closes).strftime("%Y-%m-%dT%H:%M"),
        "eligible_roles": training.eligible_role_list,
        "min_attendance_percent": "80",
        "post_test_pass_mark": "70",
    }
    assert client.post(reverse("trainings:training-update", args=[training.pk]), data).status_code == 302
    statuses = dict(training.enrollments.values_list("person", "status"))
    assert statuses == {camat_a.pk: S.CONFIRMED, pkk.pk: S.CONFIRMED, kapus.pk: S.WAITLISTED}


def test_promotion_into_a_training_needing_approval_says_awaiting_approval_not_confirmed(camat_a, pkk):
    training = TrainingFactory(capacity=1, requires_approval=True)
    register(training, camat_a)
    waiting = register(training, pkk)
    assert waiting.status == S.WAITLISTED
    services.cancel(enrollment=training.enrollments.get(person=camat_a), acting_user=camat_a)
    waiting.refresh_from_db()
    assert waiting.status == S.PENDING
    rules = list(Notification.objects.filter(recipient=pkk).values_list("rule", flat=True))
    assert any(rule.startswith("training_promoted_pending:") for rule in rules)
    assert not any(rule.startswith("training_promoted:") for rule in rules)


def test_only_the_organiser_may_decide_registrations_even_calling_the_service(camat_a, camat_b, bkkbn, pkk):
    training = TrainingFactory(requires_approval=True)
    pending = enroll(training, pkk, Enrollment.Status.PENDING)

    for service, kwargs in (
        (services.approve, {}),
        (services.reject, {"reason": "Kuota penuh"}),
    ):
        with pytest.raises(PermissionDenied):
            service(training=training, enrollments=[pending], acting_user=camat_b, **kwargs)
    with pytest.raises(PermissionDenied):
        services.complete_training(training=training, acting_user=camat_a)

    pending.refresh_from_db()
    assert pending.status == Enrollment.Status.PENDING and pending.acted_by is None
    assert services.approve(training=training, enrollments=[pending], acting_user=bkkbn) == 1


def test_a_registration_runs_the_same_queries_however_many_are_registered(
    django_assert_num_queries, camat_a, camat_b
):
    """Seats and the person's own registration are counted in one statement under the lock,
    and both messages are written in one insert: nothing grows with the training."""
    small, large = TrainingFactory(capacity=50), TrainingFactory(capacity=50)
    for i in range(30):
        enroll(large, person(f"camat.q{i}", region="63.05.02"))
    with CaptureQueriesContext(connection) as first:
        register(small, camat_a)
    with django_assert_num_queries(len(first)):
        register(large, camat_b)
    assert large.enrollments.get(person=camat_b).status == S.CONFIRMED
    assert Notification.objects.of_rule("training_confirmed").filter(recipient=camat_b).count() == 2
