"""The organiser may not lower the capacity or the kabupaten quota below the seats already held."""

from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.models import Notification
from trainings import services
from trainings.forms import TrainingForm
from trainings.models import Enrollment, Training

from .factories import TrainingFactory, enroll, person

S = Enrollment.Status


def _form_data(training: Training, bkkbn, **changes) -> dict:
    form = TrainingForm(instance=training, user=bkkbn)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if name == "eligible_roles":
            data[name] = list(value)
        elif hasattr(field.widget, "format_value"):
            data[name] = field.widget.format_value(value) or ""
        else:
            data[name] = value
    data.update(changes)
    return data


def admin_change_data(page) -> dict:
    """The POST data of an admin change page as it stands (main form and every inline)."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        widget = form.fields[name].widget
        if hasattr(widget, "widgets"):  # split date/time
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = part.isoformat() if part is not None else ""
        elif value is not None:
            data[name] = value
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[f"{inline_form.prefix}-{name}"] = value
    return data


def _training_with_three_seats_held(demo):
    training = TrainingFactory(capacity=10, kabupaten_quota=5)
    enroll(training, person("camat.x", region="63.05.02"))
    enroll(training, person("camat.y", region="63.05.03"), S.PENDING)
    enroll(training, person("camat.z", region="63.01.01"))
    enroll(training, person("camat.w", region="63.01.02"), S.CANCELLED)
    return training


def test_capacity_below_the_seats_held_is_refused_in_the_portal_form(client, bkkbn, demo):
    training = _training_with_three_seats_held(demo)
    client.force_login(bkkbn)
    url = reverse("trainings:training-update", args=[training.pk])
    response = client.post(
        url, _form_data(training, bkkbn, capacity="2", kabupaten_quota="2", title="Judul Baru")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "capacity" in errors and "3" in errors["capacity"][0]
    training.refresh_from_db()
    assert (training.capacity, training.title) == (10, training.title) and training.title != "Judul Baru"


def test_capacity_equal_to_the_seats_held_is_accepted(client, bkkbn, demo):
    training = _training_with_three_seats_held(demo)
    client.force_login(bkkbn)
    url = reverse("trainings:training-update", args=[training.pk])
    response = client.post(url, _form_data(training, bkkbn, capacity="3", kabupaten_quota="2"))
    assert response.status_code == 302
    training.refresh_from_db()
    assert (training.capacity, training.kabupaten_quota) == (3, 2)


def test_kabupaten_quota_below_the_seats_a_kabupaten_holds_is_refused(client, bkkbn, demo):
    training = _training_with_three_seats_held(demo)
    client.force_login(bkkbn)
    url = reverse("trainings:training-update", args=[training.pk])
    response = client.post(url, _form_data(training, bkkbn, kabupaten_quota="1"))
    assert response.status_code == 200
    message = response.context["form"].errors["kabupaten_quota"][0]
    assert "2" in message
    training.refresh_from_db()
    assert training.kabupaten_quota == 5


def _admin_form(training, user, **changes):
    request = RequestFactory().post("/")
    request.user = user
    model_admin = site._registry[Training]
    form_class = model_admin.get_form(request, training, change=True)
    data = {
        name: training.serializable_value(name) for name in form_class.base_fields if name != "eligible_roles"
    }
    data["eligible_roles"] = training.eligible_roles
    for name in ("registration_opens", "registration_closes"):
        value = getattr(training, name)
        data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.time().strftime("%H:%M:%S")
    data.update(changes)
    return form_class(data, instance=training)


def test_admin_refuses_a_capacity_or_quota_below_the_seats_held(admin_user, demo):
    training = _training_with_three_seats_held(demo)
    form = _admin_form(training, admin_user, capacity=2, kabupaten_quota=2)
    assert not form.is_valid()
    assert "3" in form.errors["capacity"][0]
    form = _admin_form(Training.objects.get(pk=training.pk), admin_user, kabupaten_quota=1)
    assert not form.is_valid() and "kabupaten_quota" in form.errors
    form = _admin_form(Training.objects.get(pk=training.pk), admin_user, capacity=3, kabupaten_quota=2)
    assert form.is_valid(), form.errors
    training.refresh_from_db()
    assert training.capacity == 10


def test_admin_change_page_shows_the_capacity_error_and_saves_nothing(admin_client, demo):
    training = _training_with_three_seats_held(demo)
    url = reverse("admin:trainings_training_change", args=[training.pk])
    data = admin_change_data(admin_client.get(url))
    data["capacity"], data["kabupaten_quota"] = "2", "2"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "3" in str(response.context["adminform"].form.errors.get("capacity"))
    training.refresh_from_db()
    assert training.capacity == 10


def _training_with_a_waiting_list(capacity=1, **fields):
    """Four camats register in order: Tapin, Tapin, Tanah Laut, Tapin."""
    training = TrainingFactory(capacity=capacity, **fields)
    for username, region in [
        ("camat.x", "63.05.02"),
        ("camat.y", "63.05.03"),
        ("camat.z", "63.01.01"),
        ("camat.w", "63.05.04"),
    ]:
        user = person(username, region=region)
        services.register(training=training, person=user, acting_user=user)
    return training


def _statuses(training) -> dict:
    return dict(training.enrollments.values_list("person__username", "status"))


def test_raising_the_capacity_in_the_admin_moves_the_waiting_list_up_in_order(admin_client, demo):
    training = _training_with_a_waiting_list()
    url = reverse("admin:trainings_training_change", args=[training.pk])
    data = admin_change_data(admin_client.get(url))
    data["capacity"] = "3"
    response = admin_client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    assert _statuses(training) == {
        "camat.x": S.CONFIRMED,
        "camat.y": S.CONFIRMED,
        "camat.z": S.CONFIRMED,
        "camat.w": S.WAITLISTED,
    }
    promoted = Notification.objects.of_rule("training_promoted").filter(channel="inapp")
    assert sorted(promoted.values_list("recipient__username", flat=True)) == ["camat.y", "camat.z"]
    with translation.override("id"):
        told = gettext("%d person(s) moved up from the waiting list.") % 2
    assert told in [str(m) for m in response.context["messages"]]


def test_raising_the_kabupaten_quota_in_the_admin_promotes_the_next_in_line(admin_client, demo):
    training = _training_with_a_waiting_list(capacity=3, kabupaten_quota=1)
    # Tapin's one seat is taken: camat.y and camat.w wait although seats are free.
    assert _statuses(training) == {
        "camat.x": S.CONFIRMED,
        "camat.y": S.WAITLISTED,
        "camat.z": S.CONFIRMED,
        "camat.w": S.WAITLISTED,
    }
    url = reverse("admin:trainings_training_change", args=[training.pk])
    data = admin_change_data(admin_client.get(url))
    data["kabupaten_quota"] = "2"
    assert admin_client.post(url, data).status_code == 302
    assert _statuses(training)["camat.y"] == S.CONFIRMED
    assert _statuses(training)["camat.w"] == S.WAITLISTED
    assert Notification.objects.filter(
        recipient__username="camat.y", rule__startswith="training_promoted:"
    ).exists()


def test_saving_the_admin_page_unchanged_promotes_no_one(admin_client, demo):
    training = _training_with_a_waiting_list()
    url = reverse("admin:trainings_training_change", args=[training.pk])
    assert admin_client.post(url, admin_change_data(admin_client.get(url))).status_code == 302
    assert list(training.enrollments.waiting().values_list("person__username", flat=True)) == [
        "camat.y",
        "camat.z",
        "camat.w",
    ]
