"""The organiser may not lower the capacity or the kabupaten quota below the seats already held."""

from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

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
    page = admin_client.get(url)
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
    data["capacity"], data["kabupaten_quota"] = "2", "2"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "3" in str(response.context["adminform"].form.errors.get("capacity"))
    training.refresh_from_db()
    assert training.capacity == 10
