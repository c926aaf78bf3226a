"""Django admin for meetings: the secretariat records agenda, invitations, attendance and
commitments (CommitmentInline, owned by admin_commitments.py) on one page."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import LabelledFieldsMixin
from portal.models import Organisation, Region, User

from . import services
from .commitments.admin import CommitmentInline
from .forms import people_choices, writable_regions
from .models import AgendaItem, Attendance, Invitation, Meeting, MeetingDocument, Minutes


class AgendaItemInline(LabelledFieldsMixin, admin.TabularInline):
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


class InvitationInline(LabelledFieldsMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["person", "organisation", "response", "delegate_name", "delegate_position"]


class AttendanceInline(LabelledFieldsMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["invitation", "person", "name", "jabatan", "instansi", "status", "delegate_name"]


@admin.register(Meeting)
class MeetingAdmin(LabelledFieldsMixin, ScopedChoicesMixin, SimpleHistoryAdmin):
    list_display = ["title", "kind", "start", "region", "mode", "status"]
    list_filter = ["kind", "status", "mode"]
    search_fields = ["title", "venue"]
    date_hierarchy = "start"
    list_select_related = ["region"]
    inlines = [AgendaItemInline, InvitationInline, AttendanceInline, CommitmentInline]
    exclude = ["checkin_code", "created_by"]
    readonly_fields = ["sequence"]

    def get_queryset(self, request):
        return Meeting.objects.visible_to(request.user).select_related("region")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organisers":
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_change(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.can_change(request.user))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif set(Meeting.SCHEDULE_FIELDS) & set(form.changed_data):
            obj.sequence += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # After the inlines, so new invitations are there to be notified.
        super().save_related(request, form, formsets, change)
        meeting = form.instance
        changed = set(Meeting.SCHEDULE_FIELDS) & set(form.changed_data)
        just_scheduled = "status" in changed and meeting.status == Meeting.Status.SCHEDULED
        # Each invitation is sent once (outbox key): this reaches only new invitees.
        services.send_invitations(meeting=meeting)
        if change and changed and not just_scheduled and meeting.status != Meeting.Status.DRAFT:
            services.notify_change(meeting=meeting)


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
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

    def get_queryset(self, request):
        return Minutes.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)).select_related(
            "meeting"
        )

    def has_add_permission(self, request):
        # Minutes are written on the portal page, where versions and amendments are recorded.
        return False


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(admin.ModelAdmin):
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

    def get_queryset(self, request):
        return MeetingDocument.objects.filter(
            meeting__in=Meeting.objects.visible_to(request.user)
        ).select_related("meeting")

    def has_add_permission(self, request):
        # Uploads go through the portal, which checks the content type and size.
        return False
