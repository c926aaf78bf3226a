"""Django admin for meetings: the secretariat records agenda, invitations, attendance and
commitments (CommitmentInline, owned by admin_commitments.py) on one page."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import HistoryAdmin
from portal.admin_labels import LabelledFieldsMixin
from portal.admin_paging import EstimatedCountPaginator, LargeListMixin, SortableByChangeList
from portal.dashboard import Cached, cached
from portal.models import Organisation, Region, User
from portal.scoped_admin import ScopedAdminMixin, ScopedInlineMixin, is_history_form

from . import services
from .commitments.admin import CommitmentInline
from .forms import check_chair, people_choices, writable_regions
from .models import AgendaItem, Attendance, Invitation, Meeting, MeetingDocument, Minutes
from .paging import VisibleMeetingsPaginator


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


class InvitationInlineForm(forms.ModelForm):
    """A new row invites one person or one organisation; an existing row keeps its invitee."""

    class Meta:
        model = Invitation
        fields = ["person", "organisation", "response", "delegate_name", "delegate_position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("person", "organisation"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and bool(cleaned.get("person")) == bool(cleaned.get("organisation")):
            raise forms.ValidationError(_("Invite either one person or one organisation."))
        return cleaned


class InvitationInline(LabelledFieldsMixin, ScopedInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    """Saved through the portal's services (MeetingAdmin.save_formset): invite, respond, uninvite."""

    model = Invitation
    form = InvitationInlineForm
    extra = 0
    fields = ["person", "organisation", "response", "delegate_name", "delegate_position"]


class AttendanceInline(LabelledFieldsMixin, ScopedInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    """Saved through services.save_attendance_lines (MeetingAdmin.save_formset)."""

    model = Attendance
    extra = 0
    fields = ["invitation", "person", "name", "jabatan", "instansi", "status", "delegate_name"]


def _chair_check(user):
    def clean_chair(form):
        return check_chair(form.instance, form.cleaned_data.get("chair"), user)

    return clean_chair


class VisibleMeetingsChangeList(SortableByChangeList):
    """Filters, search and order are applied to the meetings first, then `visible_to(user)`:
    they go inside each part of its union, where indexes serve them, and a page reads each
    part up to its end only (MeetingAdmin.get_paginator)."""

    def get_queryset(self, request, exclude_parameters=None):
        scoped, self.root_queryset = self.root_queryset, Meeting.objects.select_related("region")
        try:
            chosen = super().get_queryset(request, exclude_parameters)
        finally:
            self.root_queryset = scoped
        meetings = chosen.visible_to(request.user)
        if exclude_parameters is None:  # the list itself, not a filter's facet counts
            self.chosen, self.user, self.walk = chosen, request.user, self.walks()
            meetings.chosen = chosen  # what the paginator pages through, for this user
            meetings.walk = self.walk
        return meetings

    def walks(self) -> bool:
        """Whether visible_to may walk the meetings in start order for an office's invitations:
        only for the list unfiltered and unsearched (a drill-down by date is a range of the
        start index, which the walk follows). A filter (status, kind, mode) or a search leaves
        out most meetings, and the walk crossed them all, past every future meeting for "held"."""
        if self.query:
            return False
        filtered = set(self.get_filters_params()) - {
            f"{self.date_hierarchy}__{p}" for p in ("year", "month", "day")
        }
        return not filtered

    def date_bounds(self) -> dict:
        """The first and last date of the drill-down (portal/templatetags/admin_periods.py), each
        from a one-row page of the union: a MIN/MAX read every meeting the user may see. Those
        of the whole list (its first page, without a filter or a drill-down) are kept with the
        dashboard's aggregates, renewed when a meeting or an invitation is written (19 ms of the
        DPPKB admin's page at national scale)."""
        field = self.date_hierarchy
        if not self.walk:
            # Filtered or searched: an office's invitations are looked up, once for both ends.
            return self.chosen.visible_bounds(self.user, field)

        def end(sign: str):
            ordered = self.chosen.order_by(f"{sign}{field}", f"{sign}pk")
            rows = ordered.visible_to(self.user, up_to=1, walk=self.walk)
            return rows.values_list(field, flat=True).first()

        def bounds() -> Cached:
            return Cached({"first": end(""), "last": end("-")})

        if self.get_filters_params():  # a drill-down: the bounds of its year, month or day
            return bounds().value
        return cached(self.user, "admin-meeting-dates", bounds, depends_on=[Meeting, Invitation])


@admin.register(Meeting)
class MeetingAdmin(LargeListMixin, LabelledFieldsMixin, ScopedAdminMixin, ScopedChoicesMixin, HistoryAdmin):
    list_display = ["title", "kind", "start", "region", "mode", "status"]
    list_filter = ["kind", "status", "mode"]
    search_fields = ["title", "venue"]
    date_hierarchy = "start"
    list_select_related = ["region"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    sortable_by = ["start"]  # along its index; a title or a region sorted every visible meeting
    inlines = [AgendaItemInline, InvitationInline, AttendanceInline, CommitmentInline]
    exclude = ["checkin_code", "created_by"]
    readonly_fields = ["sequence"]

    def scoped_queryset(self, request):
        return Meeting.objects.visible_to(request.user).select_related("region")

    def get_changelist(self, request, **kwargs):
        return VisibleMeetingsChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        chosen = getattr(queryset, "chosen", None)
        if chosen is None:
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return VisibleMeetingsPaginator(
            chosen,
            per_page,
            user=request.user,
            shown=lambda meetings: meetings,
            walk=getattr(queryset, "walk", True),
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organisers":
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "chair" in form.base_fields:
            # As on the portal form: a writer never names themselves chair (a form error).
            form = type(form.__name__, (form,), {"clean_chair": _chair_check(request.user)})
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
            services.save_meeting(meeting=obj, changed=form.changed_data, acting_user=request.user)
        # Otherwise saved with its inlines in save_related, through the same service.

    def save_related(self, request, form, formsets, change):
        if is_history_form(request):
            super().save_related(request, form, formsets, change)
            return

        def save_parts(meeting):
            super(MeetingAdmin, self).save_related(request, form, formsets, change)

        # The portal's service: transitions, sequence, invitations and change notices after the inlines.
        services.save_meeting(
            meeting=form.instance, changed=form.changed_data, acting_user=request.user, save_parts=save_parts
        )

    def save_formset(self, request, form, formset, change):
        # Invitations and the daftar hadir are written by the portal's services (rights, lock,
        # invitation notice); the other inlines are plain rows of a meeting the user may write.
        if formset.model is Invitation:
            self._save_invitations(request, form.instance, formset)
        elif formset.model is Attendance:
            rows = formset.save(commit=False)
            services.save_attendance_lines(
                meeting=form.instance, rows=rows, deleted=formset.deleted_objects, acting_user=request.user
            )
        else:
            super().save_formset(request, form, formset, change)

    def _save_invitations(self, request, meeting, formset) -> None:
        formset.save(commit=False)
        for invitation in formset.deleted_objects:
            services.uninvite(invitation=invitation, acting_user=request.user)
        # A changed row can only change its answer (the invitee is fixed once invited).
        answers = [(row, row) for row, _changed in formset.changed_objects]
        for row in formset.new_objects:
            created = services.invite(
                meeting=meeting,
                people=[row.person] if row.person_id else [],
                organisations=[row.organisation] if row.organisation_id else [],
                acting_user=request.user,
            )
            if created and row.response != Invitation.Response.PENDING:
                answers.append((created[0], row))
        for invitation, answer in answers:
            services.respond(
                invitation=invitation,
                response=answer.response,
                delegate_name=answer.delegate_name,
                delegate_position=answer.delegate_position,
                acting_user=request.user,
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

    def has_change_permission(self, request, obj=None):
        # Only viewed here: drafts, amendments and the chair's approval (after the meeting was
        # held) go through the portal's minutes services. A POST to the change page is refused.
        return obj is None and super().has_change_permission(request, None)


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
