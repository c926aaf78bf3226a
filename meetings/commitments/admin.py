"""Admin of commitments (RTL). MeetingAdmin (meetings/admin.py) uses CommitmentInline.

Every list and choice starts from the user's scope; every status change (form, inline,
bulk action, import) leaves a CommitmentUpdate history row.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from portal.admin import HistoryAdmin, StrictListFilterMixin
from portal.admin_labels import LabelledFieldsMixin
from portal.admin_paging import BoundedRelatedFilter, EstimatedCountPaginator, LargeListMixin
from portal.jobs.importexport import BackgroundImportExportMixin
from portal.scoped_admin import ScopedAdminMixin, ScopedInlineMixin

from . import services
from .forms import CommitmentAdminForm
from .models import Commitment, CommitmentUpdate
from .resources import CommitmentResource


class ScopedCommitmentChoicesMixin:
    """Meeting, owner and PIC choices limited to what the user may record."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = {
            "meeting": Commitment.meeting_choices,
            "owner": Commitment.owner_choices,
            "pic": Commitment.pic_choices,
        }
        if db_field.name in choices:
            kwargs["queryset"] = choices[db_field.name](request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def save_through_services(form, acting_user, *, note: str, meeting=None) -> Commitment:
    """Save an admin commitment form (change form or meeting inline) through the services:
    the same rights, row lock, transitions, reasons, history row and notices as the portal."""
    data = form.cleaned_data
    if form.instance.pk is None:
        return services.create_commitment(
            meeting=meeting or data["meeting"],
            description=data["description"],
            owner=data["owner"],
            pic=data.get("pic"),
            due_date=data["due_date"],
            intervention_type=data["intervention_type"],
            status=data.get("status") or Commitment.Status.OPEN,
            acting_user=acting_user,
        )
    services.edit_commitment(
        commitment=form.instance,
        changes={name: data[name] for name in services.EDITABLE_FIELDS if name in data},
        status=data.get("status", ""),
        reason=data.get("reason", ""),
        note=note,
        acting_user=acting_user,
    )
    return Commitment.objects.get(pk=form.instance.pk)


class CommitmentInlineFormSet(BaseInlineFormSet):
    acting_user = None

    def save_new(self, form, commit=True):
        return save_through_services(
            form, self.acting_user, meeting=self.instance, note=gettext("Commitment recorded.")
        )

    def save_existing(self, form, obj, commit=True):
        if not form.has_changed():
            return obj
        return save_through_services(form, self.acting_user, note=gettext("Edited in administration."))


class CommitmentInline(
    LabelledFieldsMixin, ScopedInlineMixin, ScopedCommitmentChoicesMixin, admin.TabularInline
):
    model = Commitment
    form = CommitmentAdminForm
    formset = CommitmentInlineFormSet
    extra = 0
    fields = ["description", "intervention_type", "owner", "pic", "due_date", "status", "reason"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.acting_user = request.user
        return formset


class OverdueFilter(StrictListFilterMixin, admin.SimpleListFilter):
    """Overdue is derived (open and past its due date), so it needs its own filter."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(status__in=Commitment.OPEN_STATUSES, due_date__lt=timezone.localdate())
        return queryset


class DueDateFilter(StrictListFilterMixin, admin.SimpleListFilter):
    """Due dates looking ahead (Django's date filter only looks back)."""

    title = _("due date")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("past", _("Before today")),
            ("today", _("Today")),
            ("week", _("In the next 7 days")),
            ("month", _("In the next 30 days")),
            ("later", _("Later")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        ranges = {
            "past": {"due_date__lt": today},
            "today": {"due_date": today},
            "week": {"due_date__gt": today, "due_date__lte": today + timedelta(days=7)},
            "month": {"due_date__gt": today, "due_date__lte": today + timedelta(days=30)},
            "later": {"due_date__gt": today + timedelta(days=30)},
        }
        return queryset.filter(**ranges[self.value()]) if self.value() in ranges else queryset


class OwnerFilter(BoundedRelatedFilter):
    """The organisations the user may give commitments to, a few at a time (by name)."""

    title = _("responsible organisation")
    field_name = "owner"

    def choice_queryset(self, request):
        return Commitment.owner_choices(request.user).order_by("name", "pk")


class CommitmentUpdateInline(LabelledFieldsMixin, admin.TabularInline):
    """The history, read-only: rows are written by the workflows, never edited."""

    model = CommitmentUpdate
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "status_from", "status_to", "percent", "note"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # Whoever may see the commitment may read its history (no separate role permission).
        return request.user.has_perm("meetings.view_commitment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _bulk_status(status: str, description, reason=""):
    """A bulk status change, one commitment at a time through services.change_status: what the
    rules refuse (a done commitment cannot be put back in progress without a reason) is reported."""

    def action(modeladmin, request, queryset):
        changed, refused = 0, []
        for commitment in queryset:
            try:
                if services.change_status(
                    commitment=commitment,
                    status=status,
                    acting_user=request.user,
                    note=gettext("Status changed in administration (bulk action)."),
                    reason=str(reason),
                ):
                    changed += 1
            except (ValidationError, PermissionDenied) as error:
                reason_text = (
                    "; ".join(error.messages)
                    if isinstance(error, ValidationError)
                    else gettext("not allowed")
                )
                refused.append(f"{commitment}: {reason_text}")
        if changed:
            modeladmin.message_user(
                request, gettext("%(count)d commitment(s) changed.") % {"count": changed}, messages.SUCCESS
            )
        for line in refused:
            modeladmin.message_user(request, line, messages.WARNING)

    action.__name__ = f"mark_{status}"
    action.short_description = description
    action.allowed_permissions = ("change",)
    return action


@admin.register(Commitment)
class CommitmentAdmin(
    LargeListMixin,
    LabelledFieldsMixin,
    ScopedAdminMixin,
    ScopedCommitmentChoicesMixin,
    BackgroundImportExportMixin,
    ImportExportModelAdmin,
    HistoryAdmin,
):
    resource_classes = [CommitmentResource]
    formats = [CSV, XLSX]
    form = CommitmentAdminForm
    # Owner and PIC share a column so deadline, status and overdue fit a 1366 px screen.
    list_display = ["summary", "meeting", "responsible", "due_date", "status", "progress", "overdue"]

    class Media:
        css = {"all": ["meetings/admin.css"]}

    list_filter = [
        "status",
        OverdueFilter,
        OwnerFilter,
        DueDateFilter,
        "intervention_type",
    ]
    # One table: the description, or a number for the commitment itself. Organisations and
    # people are found through their filter, not by joining four tables per keystroke.
    search_fields = ["description"]
    search_help_text = _("Words of the description, or a commitment's number.")
    list_select_related = ["meeting", "owner", "pic"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    # Sorted along indexes only (the due date, and the meeting's start): sorting by the
    # description, an organisation's name, status or progress sorted every visible commitment.
    sortable_by = ["meeting", "due_date"]
    fields = [
        "meeting",
        "description",
        "intervention_type",
        "owner",
        "pic",
        "due_date",
        "status",
        "reason",
        "progress",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["progress", "created_by", "created_at"]
    inlines = [CommitmentUpdateInline]
    actions = [
        _bulk_status(Commitment.Status.IN_PROGRESS, _("Mark selected commitments in progress")),
        _bulk_status(Commitment.Status.VERIFIED, _("Verify selected commitments (done ones)")),
        _bulk_status(Commitment.Status.CANCELLED, _("Cancel selected commitments")),
        _bulk_status(
            Commitment.Status.OPEN,
            _("Reopen selected cancelled commitments"),
            reason=_("Reopened in administration (bulk action)."),
        ),
    ]

    def count_lower_bounds(self, request):
        return Commitment.objects.visible_parts(request.user)

    def count_index_bounded(self, request):
        return Commitment.objects.index_bounded(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            # Still through the scoped search (autocomplete choices), with no words to match.
            queryset, duplicates = super().get_search_results(request, queryset, "")
            return queryset.filter(pk=int(term)), duplicates
        return super().get_search_results(request, queryset, search_term)

    def has_import_permission(self, request):
        return request.user.has_perm("meetings.add_commitment")

    def has_export_permission(self, request):
        return request.user.has_perm("meetings.view_commitment")

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def can_write(self, request, obj) -> bool:
        # Admin edits are the secretariat's (services.edit_commitment); owners report on the portal.
        return obj.can_verify(request.user)

    @admin.display(description=_("commitment"), ordering="description")
    def summary(self, obj: Commitment) -> str:
        return str(obj)

    @admin.display(description=_("responsible"), ordering="owner__name")
    def responsible(self, obj: Commitment) -> str:
        owner = obj.owner.short_name or obj.owner.name
        return f"{owner} / {obj.pic.get_full_name()}" if obj.pic_id else owner

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Commitment) -> bool:
        return obj.is_overdue

    def save_model(self, request, obj, form, change):
        saved = save_through_services(form, request.user, note=gettext("Edited in administration."))
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # No m2m on a commitment; the history inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
