from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin import HistoryAdmin, ScopedAdminMixin, StrictListFilterMixin
from portal.models import Region

from . import services
from .forms import TrainingAdminForm
from .models import Attendance, Enrollment, Session, Training


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["date", "start_time", "end_time", "mode", "topic", "facilitator", "online_link"]


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ["person", "status", "kabupaten", "requested_at", "pre_test_score", "post_test_score"]
    readonly_fields = ["requested_at"]
    raw_id_fields = ["person"]
    show_change_link = True


@admin.register(Training)
class TrainingAdmin(ScopedAdminMixin, HistoryAdmin):
    form = TrainingAdminForm  # capacity/quota never below the seats held (admin views are atomic)
    list_display = ["title", "cohort", "organiser", "mode", "start_date", "end_date", "capacity"]
    list_filter = ["mode", "start_date"]
    search_fields = ["title", "cohort"]
    list_select_related = ["organiser"]
    inlines = [SessionInline, EnrollmentInline]

    def save_related(self, request, form, formsets, change):
        """After the save (capacity, quota or an inline enrollment may have freed seats) the
        waiting list moves up, as from the portal form: same service, same training row lock
        (the form took it in clean(); the admin view runs in one transaction)."""
        super().save_related(request, form, formsets, change)
        promoted = services.fill_free_seats(training=form.instance)
        if promoted:
            self.message_user(
                request, gettext("%d person(s) moved up from the waiting list.") % len(promoted)
            )


class KabupatenFilter(StrictListFilterMixin, admin.SimpleListFilter):
    title = _("kabupaten")
    parameter_name = "kabupaten"

    def lookups(self, request, model_admin):
        codes = Enrollment.objects.visible_to(request.user).values("kabupaten_id")
        return [(r.code, r.name) for r in Region.objects.filter(code__in=codes)]

    def queryset(self, request, queryset):
        return queryset.filter(kabupaten_id=self.value()) if self.value() else queryset


class TrainingFilter(StrictListFilterMixin, admin.SimpleListFilter):
    title = _("training")
    parameter_name = "training"

    def lookups(self, request, model_admin):
        return [(str(t.pk), str(t)) for t in Training.objects.visible_to(request.user)]

    def queryset(self, request, queryset):
        return queryset.filter(training_id=self.value()) if self.value() else queryset


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedAdminMixin, HistoryAdmin):
    list_display = ["person", "training", "status", "kabupaten", "requested_at", "certificate_number"]
    list_filter = ["status", KabupatenFilter, TrainingFilter]
    search_fields = ["person__full_name", "person__username", "certificate_number"]
    list_select_related = ["person", "training", "kabupaten"]
    raw_id_fields = ["person", "acted_by", "nominated_by"]
    readonly_fields = ["certificate_token"]


@admin.register(Session)
class SessionAdmin(HistoryAdmin):
    list_display = ["topic", "training", "date", "start_time", "mode"]
    list_filter = ["mode"]
    list_select_related = ["training"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(training__in=Training.objects.visible_to(request.user))


@admin.register(Attendance)
class AttendanceAdmin(HistoryAdmin):
    list_display = ["enrollment", "session", "method", "recorded_at"]
    list_filter = ["method"]

    def get_queryset(self, request):
        visible = Enrollment.objects.visible_to(request.user)
        return (
            super()
            .get_queryset(request)
            .filter(Q(enrollment__in=visible))
            .select_related("enrollment__person", "enrollment__training", "session")
        )
