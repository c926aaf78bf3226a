"""Django admin of trainings. Enrollments change only through trainings/services.py (seats,
quota, eligibility, waiting list); the admin never saves an enrollment with a bare model form."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin import HistoryAdmin, StrictListFilterMixin
from portal.admin_labels import LabelledFieldsMixin
from portal.admin_paging import EstimatedCountPaginator, LargeListMixin
from portal.models import Organisation, Region, User, region_q
from portal.roles import Role
from portal.scoped_admin import ScopedAdminMixin, ScopedInlineMixin

from . import services
from .forms import TrainingAdminForm
from .models import Attendance, Enrollment, Session, Training, organiser_codes


class SessionInline(LabelledFieldsMixin, ScopedInlineMixin, admin.TabularInline):
    model = Session
    extra = 0
    fields = ["date", "start_time", "end_time", "mode", "topic", "facilitator", "online_link"]


class EnrollmentInline(LabelledFieldsMixin, ScopedInlineMixin, admin.TabularInline):
    """Participants and scores, read-only and limited to those the user may see: seats and
    statuses change through the enrollment services (portal pages, the enrollment admin)."""

    model = Enrollment
    extra = 0
    fields = ["person", "status", "kabupaten", "requested_at", "pre_test_score", "post_test_score"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Training)
class TrainingAdmin(LabelledFieldsMixin, ScopedAdminMixin, HistoryAdmin):
    form = TrainingAdminForm
    list_display = ["title", "cohort", "organiser", "mode", "start_date", "end_date", "capacity"]
    list_filter = ["mode", "start_date"]
    search_fields = ["title", "cohort"]
    list_select_related = ["organiser"]
    inlines = [SessionInline, EnrollmentInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organiser" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(
                region_q(organiser_codes(request.user), "region_id")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The same service as the portal form: lock, recount the seats, save, fill free seats.
        try:
            promoted = services.update_training(training=obj, acting_user=request.user)
        except ValidationError as error:
            # A registration took a seat since the form was checked; nothing was saved.
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return
        if promoted:
            self.message_user(
                request, gettext("%d person(s) moved up from the waiting list.") % len(promoted)
            )


class KabupatenFilter(StrictListFilterMixin, admin.SimpleListFilter):
    title = _("kabupaten")
    parameter_name = "kabupaten"

    limit = 25  # a national list has hundreds; another stays reachable by its code in the URL

    def lookups(self, request, model_admin):
        codes = Enrollment.objects.visible_kabupaten_codes(request.user, self.limit)
        shown = list(Region.objects.filter(code__in=codes).order_by("code"))
        value = self.value()
        if value and all(r.code != value for r in shown):
            chosen = Enrollment.objects.visible_to(request.user).filter(kabupaten_id=value)
            shown += list(Region.objects.filter(code=value, code__in=chosen.values("kabupaten_id")))
        return [(r.code, r.name) for r in shown]

    def queryset(self, request, queryset):
        return queryset.filter(kabupaten_id=self.value()) if self.value() else queryset


class TrainingFilter(StrictListFilterMixin, admin.SimpleListFilter):
    title = _("training")
    parameter_name = "training"

    limit = 25  # the latest trainings; an older one stays reachable by its id in the URL

    def lookups(self, request, model_admin):
        trainings = Training.objects.visible_to(request.user).order_by("-start_date", "-pk")
        shown = list(trainings[: self.limit])
        value = self.value()
        if value and value.isdigit() and all(str(t.pk) != value for t in shown):
            shown += list(trainings.filter(pk=value))
        return [(str(t.pk), str(t)) for t in shown]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(training_id=self.value()) if self.value().isdigit() else queryset.none()


def enrollable_people(training: Training, user: User):
    """Whom `user` may register for `training`: anyone eligible for its organiser, the
    people of their kabupaten for a DPPKB admin (as the portal's nominate page), else themself."""
    if training.can_change(user):
        return training.eligible_people()
    if user.has_role(Role.DPPKB_ADMIN):
        return services.nominable_people(training, user)
    return User.objects.filter(pk=user.pk)


class EnrollmentAddForm(forms.ModelForm):
    """Register someone from admin: the same service as the portal (seat, quota, waiting list)."""

    class Meta:
        model = Enrollment
        fields = ["training", "person"]

    def clean(self):
        data = super().clean()
        training, person = data.get("training"), data.get("person")
        if training and person:
            if not enrollable_people(training, self.user).filter(pk=person.pk).exists():
                self.add_error("person", _("You may not register this person for this training."))
            else:
                try:
                    services.check_can_register(training, person)
                except services.EnrollmentError as error:
                    self.add_error("person", str(error))
        return data


@admin.register(Enrollment)
class EnrollmentAdmin(LargeListMixin, LabelledFieldsMixin, ScopedAdminMixin, HistoryAdmin):
    list_display = ["person", "training", "status", "kabupaten", "requested_at", "certificate_number"]
    list_filter = ["status", KabupatenFilter, TrainingFilter]
    search_fields = ["person__full_name", "person__username", "certificate_number"]
    list_select_related = ["person", "training", "kabupaten"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    # Latest first, along an index: the trainings' own order (start date, title) sat on the
    # joined table, so every registration was joined to its person and sorted for one page.
    ordering = ["-requested_at", "-pk"]
    sortable_by = ["requested_at"]
    raw_id_fields = ["person"]
    actions = ["approve", "reject"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            form = type("EnrollmentAddForm", (EnrollmentAddForm,), {"user": request.user})
            kwargs["form"] = form
            kwargs["fields"] = ["training", "person"]
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["training", "person"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Status, seats, scores and certificates change through the services, never by hand here.
        return [f.name for f in Enrollment._meta.fields]

    def has_change_permission(self, request, obj=None):
        # An enrollment is only viewed here; the change right is for the approve/reject actions.
        return obj is None and super().has_change_permission(request, None)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "training":
            kwargs["queryset"] = Training.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        try:
            enrollment = services.register(
                training=form.cleaned_data["training"],
                person=form.cleaned_data["person"],
                acting_user=request.user,
            )
        except services.EnrollmentError as error:
            # Lost a race for the last seat etc.: say so rather than pretend it was saved.
            raise PermissionDenied(str(error)) from error
        obj.pk = enrollment.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # no inlines, no m2m: the service saved everything

    def _decide(self, request, queryset, decide) -> None:
        count = 0
        for training in Training.objects.filter(pk__in=queryset.values("training_id")):
            if not training.can_change(request.user):
                self.message_user(
                    request, gettext("%(training)s: not allowed.") % {"training": training}, messages.WARNING
                )
                continue
            count += decide(training, queryset.filter(training=training))
        self.message_user(request, gettext("%d registration(s) changed.") % count, messages.SUCCESS)

    @admin.action(description=_("Approve selected registrations"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda training, chosen: services.approve(
                training=training, enrollments=list(chosen), acting_user=request.user
            ),
        )

    @admin.action(description=_("Reject selected registrations"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda training, chosen: services.reject(
                training=training,
                enrollments=list(chosen),
                acting_user=request.user,
                reason=gettext("Rejected in administration."),
            ),
        )


@admin.register(Session)
class SessionAdmin(LabelledFieldsMixin, ScopedAdminMixin, HistoryAdmin):
    list_display = ["topic", "training", "date", "start_time", "mode"]
    list_filter = ["mode"]
    list_select_related = ["training"]

    def scoped_queryset(self, request):
        return Session.objects.filter(training__in=Training.objects.visible_to(request.user))

    def can_write(self, request, obj) -> bool:
        return obj.training.can_change(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "training":
            kwargs["queryset"] = Training.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Attendance)
class AttendanceAdmin(LabelledFieldsMixin, ScopedAdminMixin, HistoryAdmin):
    list_display = ["enrollment", "session", "method", "recorded_at"]
    list_filter = ["method"]

    def scoped_queryset(self, request):
        visible = Enrollment.objects.visible_to(request.user)
        return Attendance.objects.filter(Q(enrollment__in=visible)).select_related(
            "enrollment__person", "enrollment__training", "session"
        )

    def can_write(self, request, obj) -> bool:
        return obj.enrollment.training.can_change(request.user)

    def has_add_permission(self, request):
        # Attendance is recorded on the session page (check-in or the organiser's list).
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        editable = Training.objects.editable_by(request.user)
        if db_field.name == "session":
            kwargs["queryset"] = Session.objects.filter(training__in=editable)
        elif db_field.name == "enrollment":
            kwargs["queryset"] = Enrollment.objects.filter(training__in=editable)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
