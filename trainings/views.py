from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from portal.jobs import start_job
from portal.roles import Role

from . import jobs, resources, services
from .access import get_enrollment_for_user, get_session_for_user, get_training_for_user
from .forms import (
    CheckInForm,
    DecisionForm,
    NominateForm,
    ParticipantImportForm,
    ScoreFormSet,
    SessionForm,
    TrainingForm,
)
from .models import Attendance, Enrollment, Session, Training

# --- trainings ------------------------------------------------------------


class TrainingListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "trainings.view_training"
    template_name = "trainings/training_list.html"
    paginate_by = 30

    def get_queryset(self):
        user = self.request.user
        mine = Enrollment.objects.filter(training=OuterRef("pk"), person=user).order_by().values("status")[:1]
        qs = (
            Training.objects.visible_to(user)
            .select_related("organiser")
            .with_seats()
            .annotate(my_status=Subquery(mine))
        )
        self.past = self.request.GET.get("show") == "past"
        if self.past:
            return qs.filter(end_date__lt=timezone.localdate()).order_by("-start_date", "title", "pk")
        return qs.upcoming().order_by("start_date", "title", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statuses = dict(Enrollment.Status.choices)
        for training in context["object_list"]:
            training.my_status_label = statuses.get(training.my_status, "")
        return {
            **context,
            "past": self.past,
            "can_add": self.request.user.has_perm("trainings.add_training"),
        }


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    enrollment = training.enrollments.filter(person=request.user).first()
    position = None
    if enrollment and enrollment.status == Enrollment.Status.WAITLISTED:
        position = (
            training.enrollments.waiting()
            .filter(
                Q(requested_at__lt=enrollment.requested_at)
                | Q(requested_at=enrollment.requested_at, pk__lt=enrollment.pk)
            )
            .count()
            + 1
        )
    # Seats taken and the waiting list's length in one reading of the training's enrollments.
    counts = training.enrollments.aggregate(
        held=Count("pk", filter=Q(status__in=Enrollment.SEAT_STATUSES)),
        waiting=Count("pk", filter=Q(status=Enrollment.Status.WAITLISTED)),
    )
    training.seats_taken = counts["held"]
    can_change = training.can_change(request.user)
    shortfalls = []
    if training.completed_at and enrollment and enrollment.status == Enrollment.Status.CONFIRMED:
        attended = enrollment.attendances.count()
        shortfalls = enrollment.completion_shortfalls(attended, training.sessions.count())
    context = {
        "training": training,
        "shortfalls": shortfalls,
        "sessions": training.sessions.all(),
        "enrollment": enrollment,
        "position": position,
        "seats_left": training.seats_left(),
        "waiting": counts["waiting"],
        "can_change": can_change,
        "can_register": training.is_eligible(request.user) and training.registration_is_open(),
        "can_nominate": request.user.has_role(Role.DPPKB_ADMIN) and training.registration_is_open(),
        "can_see_enrollments": training.can_see_enrollments(request.user),
    }
    return render(request, "trainings/training_detail.html", context)


class TrainingFormMixin(LoginRequiredMixin):
    model = Training
    form_class = TrainingForm
    template_name = "trainings/training_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class TrainingCreateView(TrainingFormMixin, PermissionRequiredMixin, CreateView):
    permission_required = "trainings.add_training"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("The training is saved. Add its sessions below."))
        return response


class TrainingUpdateView(TrainingFormMixin, UpdateView):
    def get_object(self, queryset=None):
        return get_training_for_user(self.request.user, self.kwargs["pk"], write=True)

    def form_valid(self, form):
        try:
            promoted = services.update_training(
                training=form.save(commit=False), acting_user=self.request.user
            )
        except ValidationError as error:
            # A registration took a seat since the form was checked: the recount under the lock says so.
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The training is saved."))
        if promoted:
            messages.info(self.request, _("%d person(s) moved up from the waiting list.") % len(promoted))
        return redirect(self.get_success_url())


class SessionFormMixin(LoginRequiredMixin):
    model = Session
    form_class = SessionForm
    template_name = "trainings/session_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.training = get_training_for_user(request.user, kwargs["training_pk"], write=True)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(training=self.training, **kwargs)

    def form_valid(self, form):
        form.instance.training = self.training
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return self.training.get_absolute_url()


class SessionCreateView(SessionFormMixin, CreateView):
    pass


class SessionUpdateView(SessionFormMixin, UpdateView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.training.sessions, pk=self.kwargs["pk"])


# --- registration ---------------------------------------------------------


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    try:
        enrollment = services.register(training=training, person=request.user, acting_user=request.user)
    except services.EnrollmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your status: %s.") % enrollment.get_status_display())
    return redirect(training)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    enrollment = get_object_or_404(training.enrollments, person=request.user)
    try:
        services.cancel(enrollment=enrollment, acting_user=request.user)
    except services.EnrollmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(training)


@login_required
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    if not request.user.has_role(Role.DPPKB_ADMIN):
        raise PermissionDenied
    form = NominateForm(request.POST or None, people=services.nominable_people(training, request.user))
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            enrollment = services.register(training=training, person=person, acting_user=request.user)
        except services.EnrollmentError as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(
                request,
                _("%(person)s: %(status)s.") % {"person": person, "status": enrollment.get_status_display()},
            )
            return redirect(training)
    return render(request, "trainings/nominate.html", {"training": training, "form": form})


# --- organiser: enrollments, decisions, scores, completion ----------------


@login_required
def enrollment_list(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    if not training.can_see_enrollments(request.user):
        raise PermissionDenied
    enrollments = (
        Enrollment.objects.visible_to(request.user)
        .filter(training=training)
        .select_related("person__organisation", "kabupaten")
        .annotate(attended=Count("attendances"))
    )
    status = request.GET.get("status")
    if status in Enrollment.Status.values:
        enrollments = enrollments.filter(status=status)
    can_change = training.can_change(request.user)
    context = {
        "training": training,
        "enrollments": enrollments,
        "statuses": Enrollment.Status.choices,
        "status": status,
        "can_change": can_change,
        "session_count": training.sessions.count(),
    }
    return render(request, "trainings/enrollment_list.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk, write=True)
    form = DecisionForm(request.POST, training=training)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("trainings:enrollment-list", pk=training.pk)
    chosen = form.cleaned_data["enrollments"]
    if form.cleaned_data["action"] == "approve":
        count = services.approve(training=training, enrollments=chosen, acting_user=request.user)
        messages.success(request, _("%d registration(s) approved.") % count)
    else:
        count = services.reject(
            training=training,
            enrollments=chosen,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("%d registration(s) rejected.") % count)
    return redirect("trainings:enrollment-list", pk=training.pk)


@login_required
def scores(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk, write=True)
    queryset = training.enrollments.filter(status__in=Enrollment.PARTICIPANT_STATUSES).select_related(
        "person"
    )
    formset = ScoreFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, _("Scores saved."))
        return redirect("trainings:enrollment-list", pk=training.pk)
    return render(request, "trainings/scores.html", {"training": training, "formset": formset})


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk, write=True)
    try:
        completed = services.complete_training(training=training, acting_user=request.user)
    except services.EnrollmentError as exc:
        messages.error(request, str(exc))
        return redirect("trainings:enrollment-list", pk=training.pk)
    messages.success(request, _("%d participant(s) completed the training.") % len(completed))
    return redirect("trainings:enrollment-list", pk=training.pk)


def _job(request: HttpRequest, kind: str, title: str, **params) -> HttpResponse:
    """Long work goes to the worker (portal.jobs); the person watches it on the job's page."""
    job = start_job(kind=f"trainings.jobs.{kind}", title=title, owner=request.user, params=params)
    return redirect(job)


@require_POST
@login_required
def export_participants(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    if not training.can_see_enrollments(request.user):
        raise PermissionDenied
    return _job(request, "participants_export", _("Participants of %s") % training, training=training.pk)


@login_required
def import_participants(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk, write=True)
    form = ParticipantImportForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        job = start_job(
            kind="trainings.jobs.participants_import",
            title=_("Participant import for %s") % training,
            owner=request.user,
            params={"training": training.pk},
            upload=form.cleaned_data["file"],
        )
        return redirect(job)
    context = {"training": training, "form": form, "columns": resources.IMPORT_COLUMNS}
    return render(request, "trainings/import.html", context)


# --- sessions: attendance -------------------------------------------------


@login_required
def session_attendance(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, session_pk, write=True)
    if request.method == "POST":
        present = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        services.mark_attendance(session=session, present=present, acting_user=request.user)
        messages.success(request, _("Attendance saved."))
        return redirect(session)
    participants = jobs.participants(session).prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.filter(session=session), to_attr="here")
    )
    checkin_url = request.build_absolute_uri(
        reverse("trainings:session-checkin", args=[session.training_id, session.pk])
        + f"?code={session.checkin_code}"
    )
    context = {
        "session": session,
        "training": session.training,
        "participants": participants,
        "checkin_url": checkin_url,
    }
    return render(request, "trainings/session_attendance.html", context)


@login_required
def session_qr(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, session_pk, write=True)
    url = request.build_absolute_uri(
        reverse("trainings:session-checkin", args=[session.training_id, session.pk])
        + f"?code={session.checkin_code}"
    )
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
def session_checkin(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, session_pk)
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if form.is_valid():
        method = Attendance.Method.QR if request.POST.get("via") == "qr" else Attendance.Method.CODE
        try:
            services.check_in(
                session=session, person=request.user, code=form.cleaned_data["code"], method=method
            )
        except services.EnrollmentError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect(session.training)
    via = "qr" if request.GET.get("code") else "code"
    return render(request, "trainings/checkin.html", {"session": session, "form": form, "via": via})


@require_POST
@login_required
def attendance_sheet(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, session_pk, write=True)
    if session.mode != Session.Mode.LURING:
        raise Http404
    title = _("Attendance sheet: %s") % session
    return _job(request, "attendance_sheet", title, training=session.training_id, session=session.pk)


@require_POST
@login_required
def export_attendance(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, session_pk, write=True)
    title = _("Attendance: %s") % session
    return _job(request, "attendance_export", title, training=session.training_id, session=session.pk)


# --- certificates ---------------------------------------------------------


@require_POST
@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_enrollment_for_user(request.user, pk)
    if not enrollment.has_certificate():
        raise Http404
    return _job(
        request, "certificate", _("Certificate %s") % enrollment.certificate_number, enrollment=enrollment.pk
    )


def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: anyone holding the QR may check a certificate. Shows only what the paper shows."""
    enrollment = (
        Enrollment.objects.filter(certificate_token=token).select_related("training", "person").first()
    )
    if enrollment is None:
        # A clear answer to whoever scanned a wrong or mistyped code, not a bare 404.
        return render(request, "trainings/certificate_verify.html", {"enrollment": None}, status=404)
    return render(request, "trainings/certificate_verify.html", {"enrollment": enrollment})
