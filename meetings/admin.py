"""Django admin for meetings: the secretariat records agenda, invitations, attendance and
commitments (CommitmentInline, owned by admin_commitments.py) on one page."""

from django.contrib import admin

from portal.admin import HistoryAdmin
from portal.admin_labels import LabelledFieldsMixin
from portal.admin_paging import EstimatedCountPaginator
from portal.models import Organisation, Region, User
from portal.scoped_admin import ScopedAdminMixin, ScopedInlineMixin, is_history_form

from . import services
from .commitments.admin import CommitmentInline
from .forms import people_choices, writable_regions
from .models import AgendaItem, Attendance, Invitation, Meeting, MeetingDocument, Minutes


class AgendaItemInline(LabelledFieldsMixin, ScopedInlineMixin, admin.TabularInline):
    model = AgendaItem
    extra = 1
    fields = ["order", "title", "presenter", "minutes_planned"]


class ScopedChoicesMixin:
    """Foreign keys offer only what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation:
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        elif db_field.related_model is User:
            kwargs["queryset"] = people_choices(request.user)
        elif db_field.related_model is Region:
            kwargs["queryset"] = writable_regions(request.user)
        elif db_field.related_model is Invitation:
            kwargs["queryset"] = Invitation.objects.filter(
                meeting__in=Meeting.objects.visible_to(request.user)
            ).select_related("person", "organisation")
        elif db_field.related_model is Meeting:
            kwargs["queryset"] = Meeting.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class InvitationInline(LabelledFieldsMixin, ScopedInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["person", "organisation", "response", "delegate_name", "delegate_position"]


class AttendanceInline(LabelledFieldsMixin, ScopedInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["invitation", "person", "name", "jabatan", "instansi", "status", "delegate_name"]


@admin.register(Meeting)
class MeetingAdmin(LabelledFieldsMixin, ScopedAdminMixin, ScopedChoicesMixin, HistoryAdmin):
    list_display = ["title", "kind", "start", "region", "mode", "status"]
    list_filter = ["kind", "status", "mode"]
    search_fields = ["title", "venue"]
    date_hierarchy = "start"
    list_select_related = ["region"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [AgendaItemInline, InvitationInline, AttendanceInline, CommitmentInline]
    exclude = ["checkin_code", "created_by"]
    readonly_fields = ["sequence"]

    def scoped_queryset(self, request):
        return Meeting.objects.visible_to(request.user).select_related("region")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organisers":
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "status" in form.base_fields:
            # As on the portal form: only the moves Meeting.TRANSITIONS allows from here
            # ("minutes approved" comes only from approving the minutes).
            allowed = services.allowed_statuses(obj or Meeting())
            status = form.base_fields["status"]
            status.choices = [(value, label) for value, label in status.choices if value in allowed]
        return form

    def save_model(self, request, obj, form, change):
        if is_history_form(request):
            # A superuser's revert from history: that page has no inlines.
            services.save_meeting_changes(meeting=obj, changed=form.changed_data, acting_user=request.user)
        # Otherwise saved with its inlines in save_related, through the same service.

    def save_related(self, request, form, formsets, change):
        if is_history_form(request):
            super().save_related(request, form, formsets, change)
            return

        def save_parts(meeting):
            super(MeetingAdmin, self).save_related(request, form, formsets, change)

        # The portal's service: transitions, sequence, invitations and change notices after the inlines.
        services.save_meeting_changes(
            meeting=form.instance, changed=form.changed_data, acting_user=request.user, save_parts=save_parts
        )


@admin.register(Minutes)
class MinutesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["meeting", "status", "version", "approved_at"]
    readonly_fields = [
        "meeting",
        "summary",
        "discussions",
        "decisions",
        "status",
        "version",
        "approved_by",
        "approved_at",
    ]

    def scoped_queryset(self, request):
        return Minutes.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)).select_related(
            "meeting"
        )

    def can_write(self, request, obj) -> bool:
        return obj.meeting.can_change(request.user)

    def has_add_permission(self, request):
        # Minutes are written on the portal page, where versions and amendments are recorded.
        return False


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "meeting", "kind", "uploaded_at"]
    readonly_fields = [
        "meeting",
        "kind",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    exclude = ["file"]

    def scoped_queryset(self, request):
        return MeetingDocument.objects.filter(
            meeting__in=Meeting.objects.visible_to(request.user)
        ).select_related("meeting")

    def can_write(self, request, obj) -> bool:
        return obj.meeting.can_change(request.user)

    def has_add_permission(self, request):
        # Uploads go through the portal, which checks the content type and size.
        return False
