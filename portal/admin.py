from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .access import people_in_scope
from .admin_labels import LabelledFieldsMixin
from .jobs.importexport import BackgroundImportExportMixin
from .models import Organisation, Region, RoleAssignment, User, region_q
from .resources import OrganisationResource, RegionResource
from .scoped_admin import ScopedAdminMixin, ScopedInlineMixin

__all__ = ["ScopedAdminMixin", "ScopedInlineMixin"]


class StrictListFilterMixin:
    """A SimpleListFilter value outside its lookups is an invalid filter (Django admin's
    "?e=1" page), never a 500 from a query such as training_id="abc". Checked when the filter
    is built, so a subclass's own queryset() needs no change."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        if value is not None and value not in {str(key) for key, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(value)


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's views with their ids checked first: a malformed object or history id
    is a 404, not a ValueError (500) from the query."""

    def _check_ids(self, object_id: str, version_id: str | None = None) -> None:
        history_pk = self.model.history.model._meta.pk
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                history_pk.to_python(version_id)
        except ValidationError:
            raise Http404 from None

    def history_view(self, request, object_id, extra_context=None):
        self._check_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Region)
class RegionAdmin(LabelledFieldsMixin, ScopedAdminMixin, BackgroundImportExportMixin, ImportExportModelAdmin):
    resource_classes = [RegionResource]
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    show_full_result_count = False

    def has_import_permission(self, request):
        # The region tree is national reference data: only superusers load it.
        return request.user.is_superuser

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Organisation)
class OrganisationAdmin(
    LabelledFieldsMixin, ScopedAdminMixin, BackgroundImportExportMixin, ImportExportModelAdmin, HistoryAdmin
):
    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region", "head"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.administered_by(request.user)
        elif db_field.name == "head":
            kwargs["queryset"] = people_in_scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_import_permission(self, request):
        # Each row is checked again (change right and region) by the resource.
        return request.user.has_perm("portal.add_organisation")

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}


class RoleAssignmentInline(LabelledFieldsMixin, ScopedInlineMixin, admin.TabularInline):
    """Roles within the editor's own regions only; nobody edits their own roles but a superuser."""

    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region", "organisation"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(region_q(request.user.scope_codes(), "region_id"))

    def parent_writable(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        return obj is None or obj.pk != request.user.pk

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if not user.is_superuser and db_field.name == "region":
            kwargs["queryset"] = Region.objects.visible_to(user)
        elif not user.is_superuser and db_field.name == "organisation":
            kwargs["queryset"] = Organisation.objects.filter(region_q(user.scope_codes(), "region_id"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Only superusers see or change these: they grant rights beyond any region.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(LabelledFieldsMixin, ScopedAdminMixin, DjangoUserAdmin, HistoryAdmin):
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

    def scoped_queryset(self, request):
        # A kabupaten admin manages the people whose roles lie in their kabupaten.
        if request.user.is_superuser:
            return User.objects.all()
        scope = region_q(request.user.scope_codes(), "roles__region_id")
        return User.objects.filter(pk__in=User.objects.filter(scope).values("pk"))

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete may offer members of visible organisations too (an organisation's head).
        choices = self._autocomplete_choices(request)
        if choices is not None:
            queryset = choices
        return super().get_search_results(request, queryset, search_term)

    def can_write(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        return not obj.is_superuser and self.is_visible(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in PRIVILEGE_FIELDS]})
            for name, options in fieldsets
        ]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if request.user.is_superuser else [f for f in shown if f not in PRIVILEGE_FIELDS]

    def get_list_filter(self, request):
        shown = super().get_list_filter(request)
        return shown if request.user.is_superuser else [f for f in shown if f not in PRIVILEGE_FIELDS]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = Organisation.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.sync_groups_and_staff()


# Last: the outbox admin uses the mixins above (and registers itself on import).
from .notifications import admin as notifications_admin  # noqa: E402, F401
