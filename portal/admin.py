from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, Region, RoleAssignment, User
from .notifications import admin as notifications_admin  # noqa: F401  (registers the outbox admin)
from .resources import OrganisationResource, RegionResource


def label_widget(formfield) -> None:
    """Give the widget its field's label as an accessible name (admin tabular inlines show labels
    only as column headings; a split date/time gets one name per part)."""
    label = str(formfield.label or "")
    widget = getattr(formfield.widget, "widget", formfield.widget)  # inside RelatedFieldWidgetWrapper
    parts = getattr(widget, "widgets", None)
    if parts and len(parts) == 2:
        for part, name in zip(parts, (_("date"), _("time")), strict=True):
            part.attrs.setdefault("aria-label", f"{label}: {name}")
    elif label:
        widget.attrs.setdefault("aria-label", label)


class LabelledFieldsMixin:
    """For ModelAdmin and inlines: every input has an accessible name (axe `label`, `select-name`)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            label_widget(formfield)
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label", str(_("Delete")))

        return LabelledFormSet


class ScopedAdminMixin:
    """Admin lists start from the model's visible_to(user), like every other list."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [RegionResource]
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    show_full_result_count = False


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region", "head"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region", "organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "jabatan", "organisation", "is_staff", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["username", "full_name", "email", "jabatan"]
    list_filter = ["is_staff", "is_active", "roles__role"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {
                "fields": (
                    "full_name",
                    "email",
                    "phone",
                    "jabatan",
                    "organisation",
                    "language",
                    "notification_digest",
                )
            },
        ),
        (_("Permissions"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")},
        ),
    )
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        # A kabupaten admin manages the people whose roles lie in their kabupaten.
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        from .models import region_q

        return qs.filter(region_q(request.user.scope_codes(), "roles__region_id")).distinct()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.sync_groups_and_staff()
